/**
 * The journal protocol's legal steps (seed 000), as an XState machine driven in lockstep by the
 * implementation's events. It says what may happen in which order, not how: writes are logged in
 * sequence; a point record needs quiesced hosts and no write in flight; only a validated point
 * becomes a durable transaction; writes apply only under a durable transaction, in sequence order;
 * a point is acknowledged only once committed; the local log is trimmed only up to an
 * acknowledged point.
 */
import { setup } from 'xstate';
import { fromNode, num, type ProtocolEvent } from './events.ts';
import { countingAcceptance, type AcceptanceContext } from './lockstep.ts';

interface RecordedPoint {
  readonly point: number;
  readonly first: number;
  readonly last: number;
  readonly seq: number;
}

export interface JournalModelContext extends AcceptanceContext {
  logged: number;
  inFlight: number;
  quiescePoint: number;
  recordedPoint: number;
  recordedSeq: number;
  /** Points recorded and not yet committed, oldest first. */
  points: RecordedPoint[];
  validatedPoint: number;
  txn: RecordedPoint;
  appliedSeq: number;
  committedPoint: number;
  committedSeq: number;
  acknowledgedPoint: number;
  /** Point-record sequence number of each acknowledged, not yet trimmed point. */
  acknowledgedSeqOf: Map<number, number>;
  trimmedSeq: number;
}

type Ctx = { context: JournalModelContext; event: ProtocolEvent };
const NO_POINT: RecordedPoint = { point: 0, first: 0, last: 0, seq: 0 };

export const journalMachine = setup({
  types: { context: {} as JournalModelContext, events: {} as ProtocolEvent },
  guards: {
    nextSequence: ({ context, event }: Ctx) => num(event, 'seq') === context.logged + 1,
    writeInFlight: ({ context }: Ctx) => context.inFlight > 0,
    nextPoint: ({ context, event }: Ctx) => num(event, 'point') === context.recordedPoint + 1,
    quiescedPointRecord: ({ context, event }: Ctx) =>
      context.inFlight === 0 && num(event, 'point') === context.quiescePoint &&
      num(event, 'first') === context.recordedSeq + 1 && num(event, 'last') === context.logged &&
      num(event, 'seq') === context.logged + 1,
    loggedUntrimmed: ({ context, event }: Ctx) => num(event, 'seq') > context.trimmedSeq && num(event, 'seq') <= context.logged,
    loggedUncommitted: ({ context, event }: Ctx) => num(event, 'seq') > context.committedSeq && num(event, 'seq') <= context.logged,
    acknowledgedPoint: ({ context, event }: Ctx) => num(event, 'point') <= context.acknowledgedPoint,
    trimToAcknowledged: ({ context, event }: Ctx) =>
      context.acknowledgedSeqOf.get(num(event, 'point')) === num(event, 'seq') && num(event, 'seq') > context.trimmedSeq,
    primaryEvent: ({ event }: Ctx) => fromNode(event, 'primary'),
    primaryRecovered: ({ context, event }: Ctx) =>
      fromNode(event, 'primary') && num(event, 'seq') === context.logged && num(event, 'point') === context.recordedPoint,
    secondaryEvent: ({ event }: Ctx) => fromNode(event, 'secondary'),
    pointToValidate: ({ context, event }: Ctx) =>
      num(event, 'point') === context.committedPoint + 1 && context.points[0]?.point === num(event, 'point'),
    validatedTransaction: ({ context, event }: Ctx) =>
      num(event, 'point') === context.validatedPoint && num(event, 'seq') === context.points[0]?.last,
    nextApply: ({ context, event }: Ctx) => num(event, 'seq') === context.appliedSeq + 1 && num(event, 'seq') <= context.txn.last,
    allApplied: ({ context, event }: Ctx) => num(event, 'point') === context.txn.point && context.appliedSeq === context.txn.last,
    pendingTransaction: ({ context, event }: Ctx) => num(event, 'point') === context.txn.point,
    committedPointAck: ({ context, event }: Ctx) => num(event, 'point') > 0 && num(event, 'point') === context.committedPoint,
    recoveredWithTransaction: ({ context, event }: Ctx) =>
      fromNode(event, 'secondary') && num(event, 'point') === context.committedPoint && context.txn.point > context.committedPoint,
    recoveredIdle: ({ context, event }: Ctx) => fromNode(event, 'secondary') && num(event, 'point') === context.committedPoint,
  },
  actions: {
    logWrite: ({ context, event }: Ctx) => { context.logged = num(event, 'seq'); context.inFlight++; },
    acknowledgeWrite: ({ context }: Ctx) => { context.inFlight--; },
    quiesce: ({ context, event }: Ctx) => { context.quiescePoint = num(event, 'point'); },
    recordPoint: ({ context, event }: Ctx) => {
      const p = { point: num(event, 'point'), first: num(event, 'first'), last: num(event, 'last'), seq: num(event, 'seq') };
      context.points.push(p);
      context.recordedPoint = p.point;
      context.recordedSeq = p.seq;
      context.logged = p.seq;
      context.quiescePoint = 0;
    },
    trim: ({ context, event }: Ctx) => {
      context.trimmedSeq = num(event, 'seq');
      for (const point of context.acknowledgedSeqOf.keys()) if (point <= num(event, 'point')) context.acknowledgedSeqOf.delete(point);
    },
    loseQuiesce: ({ context }: Ctx) => { context.quiescePoint = 0; },
    writesCompletedByRecovery: ({ context }: Ctx) => { context.inFlight = 0; },
    validate: ({ context, event }: Ctx) => { context.validatedPoint = num(event, 'point'); },
    beginTransaction: ({ context }: Ctx) => { context.txn = context.points[0]!; context.appliedSeq = context.txn.first - 1; },
    apply: ({ context, event }: Ctx) => { context.appliedSeq = num(event, 'seq'); },
    redo: ({ context }: Ctx) => { context.appliedSeq = context.txn.last; },
    commit: ({ context }: Ctx) => {
      context.committedPoint = context.txn.point;
      context.committedSeq = context.txn.seq;
      context.points.shift();
    },
    acknowledge: ({ context, event }: Ctx) => {
      context.acknowledgedPoint = Math.max(context.acknowledgedPoint, num(event, 'point'));
      if (context.committedSeq > context.trimmedSeq) context.acknowledgedSeqOf.set(context.committedPoint, context.committedSeq);
    },
    loseValidation: ({ context }: Ctx) => { context.validatedPoint = context.committedPoint; },
  },
}).createMachine(countingAcceptance({
  id: 'journal',
  type: 'parallel',
  context: () => ({
    accepted: 0, logged: 0, inFlight: 0, quiescePoint: 0, recordedPoint: 0, recordedSeq: 0, points: [], validatedPoint: 0,
    txn: NO_POINT, appliedSeq: 0, committedPoint: 0, committedSeq: 0, acknowledgedPoint: 0, acknowledgedSeqOf: new Map(), trimmedSeq: 0,
  }),
  states: {
    primary: {
      initial: 'accepting',
      on: {
        'record.shipped': { guard: 'loggedUntrimmed' },
        'ack.received': { guard: 'acknowledgedPoint' },
        'log.trimmed': { guard: 'trimToAcknowledged', actions: 'trim' },
        'write.acknowledged': { guard: 'writeInFlight', actions: 'acknowledgeWrite' },
      },
      states: {
        accepting: {
          on: {
            'write.logged': { guard: 'nextSequence', actions: 'logWrite' },
            'point.quiesce': { guard: 'nextPoint', target: 'quiescing', actions: 'quiesce' },
            'node.crashed': { guard: 'primaryEvent', target: 'down' },
          },
        },
        quiescing: {
          on: {
            'point.recorded': { guard: 'quiescedPointRecord', target: 'accepting', actions: 'recordPoint' },
            'node.crashed': { guard: 'primaryEvent', target: 'down', actions: 'loseQuiesce' },
          },
        },
        down: {
          on: { 'node.recovered': { guard: 'primaryRecovered', target: 'accepting', actions: 'writesCompletedByRecovery' } },
        },
      },
    },
    secondary: {
      initial: 'scanning',
      states: {
        scanning: {
          on: {
            'record.stored': { guard: 'loggedUncommitted' },
            'record.rejected': { guard: 'loggedUncommitted' },
            'point.validated': { guard: 'pointToValidate', actions: 'validate' },
            'txn.durable': { guard: 'validatedTransaction', target: 'applying', actions: 'beginTransaction' },
            'point.acknowledged': { guard: 'committedPointAck', actions: 'acknowledge' },
            'node.crashed': { guard: 'secondaryEvent', target: 'down', actions: 'loseValidation' },
          },
        },
        applying: {
          on: {
            'record.stored': { guard: 'loggedUncommitted' },
            'point.acknowledged': { guard: 'committedPointAck', actions: 'acknowledge' },
            'record.applied': { guard: 'nextApply', actions: 'apply' },
            'txn.redone': { guard: 'pendingTransaction', actions: 'redo' },
            'point.committed': { guard: 'allApplied', target: 'scanning', actions: 'commit' },
            'node.crashed': { guard: 'secondaryEvent', target: 'down', actions: 'loseValidation' },
          },
        },
        down: {
          on: {
            'node.recovered': [
              { guard: 'recoveredWithTransaction', target: 'applying' },
              { guard: 'recoveredIdle', target: 'scanning' },
            ],
          },
        },
      },
    },
  },
}));

/**
 * The model's side of the conformance mapping, in the order recordedPoint, loggedSeq, trimmedSeq,
 * committedPoint, txnPoint (the implementation's JOURNAL_ABSTRACT_KEYS).
 */
export function journalModelState(context: JournalModelContext, out: number[]): void {
  out[0] = context.recordedPoint;
  out[1] = context.logged;
  out[2] = context.trimmedSeq;
  out[3] = context.committedPoint;
  out[4] = context.txn.point;
}
