/**
 * The pointer-table model's context and the predicates its guards share (models/pointer-table.ts
 * holds the machine). The controls' state is kept per control in arrays indexed 0..2.
 */
import { num, type ProtocolEvent } from './events.ts';
import type { AcceptanceContext } from './lockstep.ts';

export const MODEL_CONTROLS = 3;

/** What the model remembers, in abstract terms. */
export interface PointerTableModelContext extends AcceptanceContext {
  logged: number;
  closed: number;
  trimmed: number;
  /** Newest group the manager told the primary it may forget. */
  notified: number;
  /** Each logged, untrimmed update: seq -> group * 8 + control (1-based). */
  records: Map<number, number>;
  /** Seq of each closed, untrimmed group's close record. */
  closeSeq: Map<number, number>;
  /** Updates logged per group and control: group * 8 + control -> count. */
  counts: Map<number, number>;
  controlUp: boolean[];
  /** Each control's committed group (its durable pointer-table header). */
  group: number[];
  /** Each control verified complete every group up to this one (since it last recovered). */
  complete: number[];
  /** Seqs each control holds as links of groups it had not committed when they arrived. */
  stored: Set<number>[];
  committed: number;
  /** The group being committed or reverted (the manager's durable record); 0 when none. */
  pending: number;
  switched: number;
  released: number;
  /** Why the current commit failed ('' when it has not). */
  failWhy: string;
}

export type Ctx = { context: PointerTableModelContext; event: ProtocolEvent };

const CONTROL_INDEX: Readonly<Record<string, number>> = { 'control-1': 0, 'control-2': 1, 'control-3': 2 };

/** 0-based index of the control that emitted the event, or -1. */
export function controlOf(event: ProtocolEvent): number {
  return CONTROL_INDEX[event.node] ?? -1;
}

/** Map key of (group, control 1-based). */
export const key = (group: number, control: number): number => group * 8 + control;

/** Links control `i` holds for `group` among the updates it stored since it last recovered. */
export function storedCount(c: PointerTableModelContext, i: number, group: number): number {
  let n = 0;
  for (const seq of c.stored[i]!) if ((c.records.get(seq)! >> 3) === group) n++;
  return n;
}

/** Index of the control that emitted the event if it is up, else -1. */
export function upControl(c: PointerTableModelContext, e: ProtocolEvent): number {
  const i = controlOf(e);
  return i >= 0 && c.controlUp[i]! ? i : -1;
}

/** Updates the primary logged for `group` on control `i` (0-based). */
export const logged = (c: PointerTableModelContext, group: number, i: number): number => c.counts.get(key(group, i + 1)) ?? 0;

/** A control, up, receiving an update of a group above its committed one, not held yet. */
export function newPendingUpdate({ context: c, event: e }: Ctx): boolean {
  const i = upControl(c, e);
  const seq = num(e, 'seq');
  const group = num(e, 'group');
  return i >= 0 && c.records.get(seq) === key(group, i + 1) && group > c.group[i]! && !c.stored[i]!.has(seq);
}

/** The manager's report about control `control` (1-based), up, at `group`. */
export function reportedUp(c: PointerTableModelContext, e: ProtocolEvent): number {
  const i = num(e, 'control') - 1;
  return i >= 0 && i < MODEL_CONTROLS && c.controlUp[i]! ? i : -1;
}

/** Every control's committed group is `group`. */
export function everyControlAt(c: PointerTableModelContext, group: number): boolean {
  for (let i = 0; i < MODEL_CONTROLS; i++) if (c.group[i] !== group) return false;
  return true;
}
