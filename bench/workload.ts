/**
 * A deterministic long workload for the scaling figure: no randomness, a fixed cycle of commands
 * that keeps the protocol making progress (writes acknowledged, points taken, shipped, applied,
 * committed and acknowledged, so the primary's log window keeps being trimmed).
 *
 * One cycle per write: a write from host i%2 to a volume and block derived from i, a primary step
 * (completes and acknowledges it), a primary step (ships the record), a delivery to the secondary,
 * a secondary step (it scans and waits), a delivery back to the primary. Every fifth write a point
 * is requested, recorded and shipped, and the secondary gets the steps to validate, apply and
 * commit it; the acknowledgment then trims the primary's log. Now and then the clock ticks.
 */
import type { Command } from '../properties/commands.ts';

/** Node and link indexes as the runner resolves them: node 0 primary, 1 secondary; link 0 forward, 1 back. */
const PRIMARY_NODE = 0;
const SECONDARY_NODE = 1;
const FORWARD_LINK = 0;
const BACK_LINK = 1;

/** Writes between consistency-point requests. */
export const WRITES_PER_POINT = 5;
/** Cycles after which the pattern repeats: lcm of the block pattern (64), points (5) and ticks (16). */
export const WORKLOAD_PERIOD_CYCLES = 320;

/** The commands of cycle `i` (one application write and the steps that carry it across). */
export function cycleCommands(i: number): Command[] {
  const step = (node: number): Command => ({ kind: 'step', node });
  const deliver = (link: number): Command => ({ kind: 'deliver', link, pick: 0 });
  const out: Command[] = [
    { kind: 'write', host: i % 2, volume: (i >> 1) % 2, block: (i * 5 + (i >> 3)) % 8 },
    step(PRIMARY_NODE),
    step(PRIMARY_NODE),
    deliver(FORWARD_LINK),
  ];
  if (i % WRITES_PER_POINT === WRITES_PER_POINT - 1) {
    // Record and ship the point, then give the secondary enough steps to validate, apply every
    // write and commit, so the acknowledgment trims the primary's log before the window fills.
    out.push({ kind: 'point' }, step(PRIMARY_NODE), step(PRIMARY_NODE), deliver(FORWARD_LINK));
    for (let n = 0; n < WRITES_PER_POINT + 2; n++) out.push(step(SECONDARY_NODE));
  } else {
    out.push(step(SECONDARY_NODE));
  }
  out.push(deliver(BACK_LINK));
  if (i % 16 === 15) out.push({ kind: 'tick', ticks: 1 });
  return out;
}

/**
 * One full period of the workload, built once: replaying it cyclically is the endless workload,
 * and the timed loop allocates no commands of its own.
 */
export function workloadPeriod(): readonly Command[] {
  const out: Command[] = [];
  for (let i = 0; i < WORKLOAD_PERIOD_CYCLES; i++) out.push(...cycleCommands(i));
  return out;
}

/** Replays the workload's period forever; `next()` is the next command. */
export class WorkloadCursor {
  private index = 0;

  /** `period`: a protocol's own workload (ProtocolSpec.benchWorkload), else the default one. */
  constructor(private readonly period: readonly Command[] = workloadPeriod()) {}

  next(): Command {
    const c = this.period[this.index]!;
    this.index = this.index + 1 === this.period.length ? 0 : this.index + 1;
    return c;
  }
}
