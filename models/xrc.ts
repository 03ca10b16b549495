/**
 * xrc's legal steps (seed 001), as an XState machine driven in lockstep by the implementation's
 * events. It says what may happen in which order, in terms of stamps, sequence numbers and
 * consistency times, not how: each controller stamps its writes in sequence with rising stamps,
 * never at or before a time it has declared itself complete to; the data mover reads only record
 * sets a controller still keeps; the secondary takes each controller's record sets in sequence,
 * counts a report only once it holds every record set the report covers, and journals a group
 * only at a consistency time no later than every controller is known complete to, holding every
 * record set stamped in the interval; it shadows the group in timestamp order, commits it, and
 * only committed record sets are confirmed and released. The links lose, duplicate and reorder
 * messages but never corrupt them, so the secondary rejecting a time-interval group
 * (`group.rejected`) is never a legal step.
 */
import { setup } from 'xstate';
import { fromNode, num, type ProtocolEvent } from './events.ts';
import { countingAcceptance, type AcceptanceContext } from './lockstep.ts';

/** Primary storage controllers the model tracks (the implementation's configuration). */
export const XRC_MODEL_CONTROLLERS = 3;
const NAMES = Array.from({ length: XRC_MODEL_CONTROLLERS }, (_, c) => `controller-${c}`);

export interface StampedSet {
  readonly controller: number;
  readonly seq: number;
  readonly ts: number;
}

/** Per controller arrays are indexed by controller; times are common-timer stamps. */
export interface XrcModelContext extends AcceptanceContext {
  up: boolean[]; queued: number[]; seq: number[]; stamp: number[]; released: number[];
  /** Newest time each controller declared itself complete to (in a read by the data mover). */
  promised: number[];
  newest: number;
  /** Controller of each host's newest stamped write (for situations). */
  hostController: number[];
  /** Record sets stamped and not yet committed, in stamping order. */
  stamped: StampedSet[];
  /** The secondary: newest sequence number taken and time known complete to, per controller. */
  received: number[]; known: number[];
  journaledGroup: number; journaledCt: number; journaledSeq: number[];
  committedGroup: number; committedCt: number; committedSeq: number[];
  /** The journaled group in timestamp order, and how many of its record sets are shadowed. */
  group: StampedSet[]; shadowed: number;
}

type Ctx = { context: XrcModelContext; event: ProtocolEvent };

/** The controller an event names, or -1 when its node is not that controller. */
function controllerOf(event: ProtocolEvent): number {
  const c = num(event, 'controller');
  return NAMES[c] !== undefined && event.node === NAMES[c] ? c : -1;
}

function named(event: ProtocolEvent): number {
  const c = num(event, 'controller');
  return c >= 0 && c < XRC_MODEL_CONTROLLERS ? c : -1;
}

/** Whether `s` is stamped in the interval (from, to]. */
const within = (s: StampedSet, from: number, to: number): boolean => s.ts > from && s.ts <= to;

const guards = {
  controllerUp: ({ context, event }: Ctx) => { const c = controllerOf(event); return c >= 0 && context.up[c]!; },
  nextStamp: ({ context: x, event }: Ctx) => {
    const c = controllerOf(event);
    const ts = num(event, 'ts');
    return c >= 0 && x.up[c]! && x.queued[c]! > 0 && num(event, 'seq') === x.seq[c]! + 1 && ts > x.stamp[c]! && ts > x.promised[c]!;
  },
  confirmedRelease: ({ context: x, event }: Ctx) => {
    const c = controllerOf(event);
    return c >= 0 && x.up[c]! && num(event, 'seq') > x.released[c]! && num(event, 'seq') <= x.committedSeq[c]!;
  },
  controllerRecovered: ({ context: x, event }: Ctx) => {
    const c = controllerOf(event);
    return c >= 0 && !x.up[c]! && num(event, 'seq') === x.seq[c] && num(event, 'released') === x.released[c];
  },
  moverEvent: ({ event }: Ctx) => fromNode(event, 'mover'),
  readsKept: ({ context: x, event }: Ctx) => {
    const [c, first, last] = [named(event), num(event, 'first'), num(event, 'last')];
    return fromNode(event, 'mover') && c >= 0 && first > x.released[c]! && first <= last + 1 && last <= x.seq[c]!;
  },
  confirmCommitted: ({ context, event }: Ctx) => fromNode(event, 'mover') && num(event, 'ct') <= context.committedCt,
  secondaryEvent: ({ event }: Ctx) => fromNode(event, 'secondary'),
  nextReceived: ({ context: x, event }: Ctx) => {
    const [c, seq, ts] = [named(event), num(event, 'seq'), num(event, 'ts')];
    return fromNode(event, 'secondary') && c >= 0 && seq === x.received[c]! + 1 && ts > x.journaledCt &&
      x.stamped.some((s) => s.controller === c && s.seq === seq && s.ts === ts);
  },
  reportUsable: ({ context: x, event }: Ctx) => {
    const [c, complete] = [named(event), num(event, 'complete')];
    return fromNode(event, 'secondary') && c >= 0 && num(event, 'seq') <= x.received[c]! && complete > x.known[c]! && complete <= x.promised[c]!;
  },
  consistentGroup: ({ context, event }: Ctx) => {
    const ct = num(event, 'ct');
    if (!fromNode(event, 'secondary') || num(event, 'group') !== context.committedGroup + 1) return false;
    if (!(ct > context.committedCt && ct <= Math.min(...context.known))) return false;
    let count = 0;
    for (const s of context.stamped) {
      if (!within(s, context.committedCt, ct)) continue;
      if (s.seq > context.received[s.controller]!) return false;
      count++;
    }
    return count > 0 && count === num(event, 'sets');
  },
  nextShadow: ({ context, event }: Ctx) => {
    const s = context.group[context.shadowed];
    return fromNode(event, 'secondary') && s !== undefined && s.controller === num(event, 'controller') &&
      s.seq === num(event, 'seq') && s.ts === num(event, 'ts');
  },
  groupShadowed: ({ context, event }: Ctx) =>
    fromNode(event, 'secondary') && context.shadowed === context.group.length &&
    num(event, 'group') === context.journaledGroup && num(event, 'ct') === context.journaledCt,
  recoveredPending: ({ context, event }: Ctx) =>
    fromNode(event, 'secondary') && num(event, 'ct') === context.committedCt && num(event, 'pending') === context.journaledCt &&
    context.journaledCt > context.committedCt,
  recoveredIdle: ({ context, event }: Ctx) =>
    fromNode(event, 'secondary') && num(event, 'ct') === context.committedCt && num(event, 'pending') === context.journaledCt,
};

const actions = {
  receiveWrite: ({ context, event }: Ctx) => { context.queued[controllerOf(event)]!++; },
  stampWrite: ({ context, event }: Ctx) => {
    const c = controllerOf(event);
    const s = { controller: c, seq: num(event, 'seq'), ts: num(event, 'ts') };
    context.queued[c]!--;
    context.seq[c] = s.seq;
    context.stamp[c] = s.ts;
    context.newest = Math.max(context.newest, s.ts);
    context.hostController[num(event, 'host')] = c;
    context.stamped.push(s);
  },
  release: ({ context, event }: Ctx) => { context.released[controllerOf(event)] = num(event, 'seq'); },
  crashController: ({ context, event }: Ctx) => { const c = controllerOf(event); context.up[c] = false; context.queued[c] = 0; },
  recoverController: ({ context, event }: Ctx) => { context.up[controllerOf(event)] = true; },
  declareComplete: ({ context, event }: Ctx) => {
    const c = named(event);
    context.promised[c] = Math.max(context.promised[c]!, num(event, 'complete'));
  },
  receiveSet: ({ context, event }: Ctx) => { context.received[named(event)] = num(event, 'seq'); },
  acceptReport: ({ context, event }: Ctx) => { context.known[named(event)] = num(event, 'complete'); },
  journal: ({ context, event }: Ctx) => {
    const ct = num(event, 'ct');
    context.group = context.stamped.filter((s) => within(s, context.committedCt, ct)).sort((a, b) => a.ts - b.ts);
    context.journaledSeq = context.committedSeq.slice();
    for (const s of context.group) context.journaledSeq[s.controller] = Math.max(context.journaledSeq[s.controller]!, s.seq);
    context.journaledGroup = num(event, 'group');
    context.journaledCt = ct;
    context.shadowed = 0;
  },
  shadow: ({ context }: Ctx) => { context.shadowed++; },
  commit: ({ context }: Ctx) => {
    context.committedGroup = context.journaledGroup;
    context.committedCt = context.journaledCt;
    context.committedSeq = context.journaledSeq.slice();
    context.stamped = context.stamped.filter((s) => s.ts > context.committedCt);
    context.group = [];
    context.shadowed = 0;
  },
  crashSecondary: ({ context }: Ctx) => {
    context.received = context.journaledSeq.slice();
    context.known.fill(context.journaledCt);
    context.shadowed = 0;
  },
};

const onSecondaryAnyState = {
  'set.received': { guard: 'nextReceived', actions: 'receiveSet' },
  'report.accepted': { guard: 'reportUsable', actions: 'acceptReport' },
  'resend.requested': { guard: 'secondaryEvent' },
  'node.crashed': { guard: 'secondaryEvent', target: 'down', actions: 'crashSecondary' },
} as const;

const zeros = (): number[] => new Array<number>(XRC_MODEL_CONTROLLERS).fill(0);

export const xrcMachine = setup({
  types: { context: {} as XrcModelContext, events: {} as ProtocolEvent },
  guards,
  actions,
}).createMachine(countingAcceptance({
  id: 'xrc',
  type: 'parallel',
  context: (): XrcModelContext => ({
    accepted: 0, up: new Array<boolean>(XRC_MODEL_CONTROLLERS).fill(true), queued: zeros(), seq: zeros(), stamp: zeros(),
    released: zeros(), promised: zeros(), newest: 0, hostController: [], stamped: [], received: zeros(), known: zeros(),
    journaledGroup: 0, journaledCt: 0, journaledSeq: zeros(), committedGroup: 0, committedCt: 0, committedSeq: zeros(), group: [], shadowed: 0,
  }),
  states: {
    controllers: {
      initial: 'running',
      states: {
        running: {
          on: {
            'write.received': { guard: 'controllerUp', actions: 'receiveWrite' },
            'write.stamped': { guard: 'nextStamp', actions: 'stampWrite' },
            'sets.released': { guard: 'confirmedRelease', actions: 'release' },
            'node.crashed': { guard: 'controllerUp', actions: 'crashController' },
            'node.recovered': { guard: 'controllerRecovered', actions: 'recoverController' },
          },
        },
      },
    },
    mover: {
      initial: 'running',
      states: {
        running: {
          on: {
            'sets.read': { guard: 'readsKept', actions: 'declareComplete' },
            'group.sent': { guard: 'moverEvent' },
            'resend.started': { guard: 'moverEvent' },
            'confirm.received': { guard: 'confirmCommitted' },
            'node.crashed': { guard: 'moverEvent', target: 'down' },
          },
        },
        down: {
          on: { 'node.recovered': { guard: 'moverEvent', target: 'running' } },
        },
      },
    },
    secondary: {
      initial: 'collecting',
      states: {
        collecting: {
          on: {
            ...onSecondaryAnyState,
            'journal.repaired': { guard: 'secondaryEvent' },
            'group.journaled': { guard: 'consistentGroup', target: 'shadowing', actions: 'journal' },
          },
        },
        shadowing: {
          on: {
            ...onSecondaryAnyState,
            'set.shadowed': { guard: 'nextShadow', actions: 'shadow' },
            'group.committed': { guard: 'groupShadowed', target: 'collecting', actions: 'commit' },
          },
        },
        down: {
          on: {
            'node.recovered': [
              { guard: 'recoveredPending', target: 'shadowing' },
              { guard: 'recoveredIdle', target: 'collecting' },
            ],
          },
        },
      },
    },
  },
}));

/**
 * The model's side of the conformance mapping, in the order newestStamp, stampedSeq0.., releasedSeq0..,
 * committedCt, journaledCt (the implementation's xrcAbstractKeys).
 */
export function xrcModelState(context: XrcModelContext, out: number[]): void {
  const n = XRC_MODEL_CONTROLLERS;
  out[0] = context.newest;
  for (let c = 0; c < n; c++) {
    out[1 + c] = context.seq[c]!;
    out[1 + n + c] = context.released[c]!;
  }
  out[1 + 2 * n] = context.committedCt;
  out[2 + 2 * n] = context.journaledCt;
}
