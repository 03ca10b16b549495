/**
 * Scaling: the mean checked cost of one step at growing history lengths. A checked run follows
 * the deterministic workload; when the oracle's history (acknowledged writes) first reaches each
 * target, the next `window` steps are timed as a block. A flat cost shows the oracle's O(1)
 * amortized check: no replay of the history.
 *
 * A 5,000-step window lasts tens of milliseconds, so where the garbage collector happens to be in
 * its cycle shows: each window starts from a collected heap (when the bench can force a GC), and
 * the whole run is repeated `rounds` times; each target reports the median window mean.
 */
import type { ProtocolSpec } from '../properties/protocol.ts';
import { LockstepRun } from '../properties/runner.ts';
import { HISTORY_TARGETS } from './report.ts';
import { collectGarbage } from './gc.ts';
import { WorkloadCursor } from './workload.ts';

export interface ScalingOptions {
  /** Steps timed at each target. */
  readonly window: number;
  /** Independent runs; each target reports the median of their window means. */
  readonly rounds: number;
  /** Acknowledged writes of an untimed throwaway run first (~8 steps each), so no window is measured cold. */
  readonly warmupWrites: number;
  /** Most steps without a new acknowledged write before the workload counts as stalled. */
  readonly stallSteps: number;
}

export const DEFAULT_SCALING: ScalingOptions = { window: 5_000, rounds: 3, warmupWrites: 6_000, stallSteps: 20_000 };

export interface ScalingPoint {
  /** History length (acknowledged writes) when the window started and when it ended. */
  readonly historyStart: number;
  readonly historyEnd: number;
  /** Median over the rounds of the window's mean checked cost per step. */
  readonly micros: number;
  /** Each round's window mean, in round order. */
  readonly roundMicros: number[];
}

/** The workload stopped making progress on this protocol (it is written against node and link indexes). */
export class WorkloadStalled extends Error {}

/**
 * Apply workload commands until the history reaches `target`; throws WorkloadStalled when
 * `stallSteps` steps pass without a new acknowledged write. Returns the steps taken.
 */
export function advanceTo(run: LockstepRun, commands: WorkloadCursor, target: number, stallSteps: number): number {
  let steps = 0;
  let lastLength = run.oracle.historyLength;
  let lastGrowth = 0;
  while (run.oracle.historyLength < target) {
    run.apply(commands.next());
    steps++;
    if (run.oracle.historyLength !== lastLength) {
      lastLength = run.oracle.historyLength;
      lastGrowth = steps;
    } else if (steps - lastGrowth > stallSteps) {
      throw new WorkloadStalled(`${run.spec.name}: the workload stalled at history ${lastLength} (${stallSteps} steps without an acknowledged write)`);
    }
  }
  return steps;
}

/** One run through every target: the mean cost per step (µs) of each target's window. */
function scalingRun(spec: ProtocolSpec, options: ScalingOptions): Map<number, Omit<ScalingPoint, 'roundMicros'>> {
  const run = new LockstepRun(spec, null);
  const commands = new WorkloadCursor(spec.benchWorkload?.());
  const out = new Map<number, Omit<ScalingPoint, 'roundMicros'>>();
  for (const target of HISTORY_TARGETS) {
    advanceTo(run, commands, target, options.stallSteps);
    const historyStart = run.oracle.historyLength;
    collectGarbage();
    const start = performance.now();
    for (let i = 0; i < options.window; i++) run.apply(commands.next());
    const elapsed_ms = performance.now() - start;
    out.set(target, { historyStart, historyEnd: run.oracle.historyLength, micros: (elapsed_ms * 1000) / options.window });
  }
  return out;
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** Per target history length: the median window cost over the rounds. */
export function measureScaling(spec: ProtocolSpec, options: ScalingOptions = DEFAULT_SCALING): Map<number, ScalingPoint> {
  const warm = new LockstepRun(spec, null);
  advanceTo(warm, new WorkloadCursor(spec.benchWorkload?.()), options.warmupWrites, options.stallSteps);

  const rounds = Array.from({ length: options.rounds }, () => scalingRun(spec, options));
  const out = new Map<number, ScalingPoint>();
  for (const target of HISTORY_TARGETS) {
    const points = rounds.map((r) => r.get(target)!);
    const roundMicros = points.map((p) => p.micros);
    out.set(target, { ...points[0]!, micros: median(roundMicros), roundMicros });
  }
  return out;
}
