/**
 * The cp-root protocol's legal steps (seed 003), as an XState machine driven in lockstep by the
 * implementation's events. What may happen in which order, in abstract terms: writes are
 * acknowledged in NVRAM order; a point is taken only when the previous one is written locally and
 * holds exactly the writes since it; copy-on-write means a point writes one new block per modified
 * data block and one per volume above them; its root is written only when every batch is durable
 * remotely and the second server holds the previous root; the second takes only the next root
 * after it was sent, acknowledges only the root it holds, and a batch of a point it already holds
 * is refused. Crashes keep NVRAM and durable roots: recovery resumes from them.
 */
import { setup } from 'xstate';
import { fromNode, num, type ProtocolEvent } from './events.ts';
import { countingAcceptance, type AcceptanceContext } from './lockstep.ts';

/** The geometry the model knows: volumes of 8 blocks, batches of up to 4 blocks. */
const BLOCKS_PER_VOLUME = 8;
const VOLUMES = 2;
const BATCH_BLOCKS = 4;

export interface CpRootModelContext extends AcceptanceContext {
  logged: number;
  /** Logical blocks written since the newest point was taken (bit volume * 8 + block). */
  dirtyBlocks: number;
  takenPoint: number;
  takenSeq: number;
  /** Blocks the point being built must write, and what it has sent and had acknowledged. */
  pointBlocks: number;
  sentBatches: number;
  sentBlocks: number;
  ackedBatches: number;
  localRoot: number;
  rootSent: number;
  ackedPoint: number;
  acceptedPoint: number;
  writing: number;
  /** Batches the second stored since its last flush (point * 64 + batch). */
  cachedBatches: number[];
  acknowledged: number;
}

type Ctx = { context: CpRootModelContext; event: ProtocolEvent };

function bitCount(x: number): number {
  let n = 0;
  for (let v = x >>> 0; v !== 0; v &= v - 1) n++;
  return n;
}

/** New blocks a point with these dirty blocks writes: each data block, and each volume's address block. */
export function copyOnWriteBlocks(dirtyBlocks: number): number {
  let volumes = 0;
  for (let v = 0; v < VOLUMES; v++) if (((dirtyBlocks >>> (v * BLOCKS_PER_VOLUME)) & 0xff) !== 0) volumes++;
  return bitCount(dirtyBlocks) + volumes;
}

const batchKey = (e: ProtocolEvent) => num(e, 'point') * 64 + num(e, 'batch');
const ackedBit = (c: CpRootModelContext, e: ProtocolEvent) => (c.ackedBatches >>> num(e, 'batch')) & 1;

export const cpRootMachine = setup({
  types: { context: {} as CpRootModelContext, events: {} as ProtocolEvent },
  guards: {
    nextWrite: ({ context, event }: Ctx) =>
      num(event, 'seq') === context.logged + 1 && num(event, 'volume') < VOLUMES && num(event, 'block') < BLOCKS_PER_VOLUME,
    pointOfQueuedWrites: ({ context, event }: Ctx) =>
      num(event, 'point') === context.takenPoint + 1 && num(event, 'seq') === context.logged + 1 &&
      num(event, 'first') === context.takenSeq + 1 && num(event, 'last') === context.logged &&
      num(event, 'blocks') === copyOnWriteBlocks(context.dirtyBlocks),
    nextBatch: ({ context, event }: Ctx) => {
      const blocks = num(event, 'blocks');
      const after = context.sentBlocks + blocks;
      return num(event, 'point') === context.takenPoint && num(event, 'batch') === context.sentBatches && blocks >= 1 &&
        after <= context.pointBlocks && (blocks === BATCH_BLOCKS || after === context.pointBlocks);
    },
    unackedBatch: ({ context, event }: Ctx) =>
      num(event, 'point') === context.takenPoint && num(event, 'batch') < context.sentBatches && ackedBit(context, event) === 0,
    pointDurableRemotely: ({ context, event }: Ctx) =>
      num(event, 'point') === context.takenPoint && num(event, 'blocks') === context.pointBlocks &&
      context.sentBlocks === context.pointBlocks && context.ackedBatches === 2 ** context.sentBatches - 1 &&
      context.ackedPoint === context.takenPoint - 1,
    rootInFlight: ({ context, event }: Ctx) => num(event, 'point') === context.localRoot && num(event, 'point') > context.ackedPoint,
    rootHeldBySecond: ({ context, event }: Ctx) =>
      num(event, 'point') > context.ackedPoint && num(event, 'point') <= context.localRoot && num(event, 'point') <= context.acknowledged,
    firstEvent: ({ event }: Ctx) => fromNode(event, 'first'),
    firstRecoveredBuilding: ({ context, event }: Ctx) =>
      fromNode(event, 'first') && num(event, 'point') === context.localRoot && num(event, 'seq') === context.logged &&
      num(event, 'building') === context.takenPoint && context.takenPoint === context.localRoot + 1,
    firstRecoveredIdle: ({ context, event }: Ctx) =>
      fromNode(event, 'first') && num(event, 'point') === context.localRoot && num(event, 'seq') === context.logged &&
      num(event, 'building') === 0 && context.takenPoint === context.localRoot,
    batchOfNewerPoint: ({ context, event }: Ctx) => num(event, 'point') > context.writing && num(event, 'point') <= context.takenPoint,
    batchOfHeldPoint: ({ context, event }: Ctx) => num(event, 'point') <= context.writing,
    cachedBatchesFlushed: ({ context, event }: Ctx) => num(event, 'count') > 0 && num(event, 'count') === context.cachedBatches.length,
    nextRootSent: ({ context, event }: Ctx) => num(event, 'point') === context.acceptedPoint + 1 && num(event, 'point') <= context.rootSent,
    rootBeingWritten: ({ context, event }: Ctx) => num(event, 'point') === context.writing,
    heldRoot: ({ context, event }: Ctx) => num(event, 'point') > 0 && num(event, 'point') === context.acceptedPoint,
    secondEvent: ({ event }: Ctx) => fromNode(event, 'second'),
    secondRecovered: ({ context, event }: Ctx) =>
      fromNode(event, 'second') && (num(event, 'point') === context.acceptedPoint || num(event, 'point') === context.writing),
  },
  actions: {
    queueWrite: ({ context, event }: Ctx) => {
      context.logged = num(event, 'seq');
      context.dirtyBlocks = (context.dirtyBlocks | (1 << (num(event, 'volume') * BLOCKS_PER_VOLUME + num(event, 'block')))) >>> 0;
    },
    takePoint: ({ context, event }: Ctx) => {
      context.takenPoint = num(event, 'point');
      context.takenSeq = num(event, 'seq');
      context.logged = context.takenSeq;
      context.pointBlocks = num(event, 'blocks');
      context.dirtyBlocks = 0;
      context.sentBatches = 0;
      context.sentBlocks = 0;
      context.ackedBatches = 0;
    },
    sendBatch: ({ context, event }: Ctx) => { context.sentBatches++; context.sentBlocks += num(event, 'blocks'); },
    ackBatch: ({ context, event }: Ctx) => { context.ackedBatches = (context.ackedBatches | (1 << num(event, 'batch'))) >>> 0; },
    writeRoot: ({ context }: Ctx) => { context.localRoot = context.takenPoint; },
    sendRoot: ({ context, event }: Ctx) => { context.rootSent = Math.max(context.rootSent, num(event, 'point')); },
    ackRoot: ({ context, event }: Ctx) => { context.ackedPoint = num(event, 'point'); },
    restartPoint: ({ context }: Ctx) => {
      context.sentBatches = 0;
      context.sentBlocks = 0;
      context.ackedBatches = 0;
      context.ackedPoint = Math.max(0, context.localRoot - 1);
    },
    forgetAck: ({ context }: Ctx) => { context.ackedPoint = Math.max(0, context.localRoot - 1); },
    cacheBatch: ({ context, event }: Ctx) => { if (!context.cachedBatches.includes(batchKey(event))) context.cachedBatches.push(batchKey(event)); },
    flushBatches: ({ context }: Ctx) => { context.cachedBatches.length = 0; },
    receiveRoot: ({ context, event }: Ctx) => { context.writing = num(event, 'point'); },
    acceptRoot: ({ context }: Ctx) => { context.acceptedPoint = context.writing; },
    acknowledge: ({ context, event }: Ctx) => { context.acknowledged = Math.max(context.acknowledged, num(event, 'point')); },
    loseCache: ({ context }: Ctx) => { context.cachedBatches.length = 0; },
    recoverRoot: ({ context, event }: Ctx) => { context.acceptedPoint = num(event, 'point'); context.writing = context.acceptedPoint; },
  },
}).createMachine(countingAcceptance({
  id: 'cp-root',
  type: 'parallel',
  context: () => ({
    accepted: 0, logged: 0, dirtyBlocks: 0, takenPoint: 0, takenSeq: 0, pointBlocks: 0, sentBatches: 0, sentBlocks: 0,
    ackedBatches: 0, localRoot: 0, rootSent: 0, ackedPoint: 0, acceptedPoint: 0, writing: 0, cachedBatches: [], acknowledged: 0,
  } as CpRootModelContext),
  states: {
    first: {
      initial: 'idle',
      states: {
        idle: {
          on: {
            'write.acknowledged': { guard: 'nextWrite', actions: 'queueWrite' },
            'point.taken': { guard: 'pointOfQueuedWrites', target: 'building', actions: 'takePoint' },
            'root.sent': { guard: 'rootInFlight', actions: 'sendRoot' },
            'root.acked': { guard: 'rootHeldBySecond', actions: 'ackRoot' },
            'node.crashed': { guard: 'firstEvent', target: 'down' },
          },
        },
        building: {
          on: {
            'write.acknowledged': { guard: 'nextWrite', actions: 'queueWrite' },
            'batch.sent': { guard: 'nextBatch', actions: 'sendBatch' },
            'batch.resent': { guard: 'unackedBatch' },
            'batch.acked': { guard: 'unackedBatch', actions: 'ackBatch' },
            'root.written': { guard: 'pointDurableRemotely', target: 'idle', actions: 'writeRoot' },
            'root.sent': { guard: 'rootInFlight', actions: 'sendRoot' },
            'root.acked': { guard: 'rootHeldBySecond', actions: 'ackRoot' },
            'node.crashed': { guard: 'firstEvent', target: 'down' },
          },
        },
        down: {
          on: {
            'node.recovered': [
              { guard: 'firstRecoveredBuilding', target: 'building', actions: 'restartPoint' },
              { guard: 'firstRecoveredIdle', target: 'idle', actions: 'forgetAck' },
            ],
          },
        },
      },
    },
    second: {
      initial: 'idle',
      states: {
        idle: {
          on: {
            'batch.stored': { guard: 'batchOfNewerPoint', actions: 'cacheBatch' },
            'batch.refused': { guard: 'batchOfHeldPoint' },
            'batches.durable': { guard: 'cachedBatchesFlushed', actions: 'flushBatches' },
            'root.received': { guard: 'nextRootSent', target: 'writing', actions: 'receiveRoot' },
            'point.acknowledged': { guard: 'heldRoot', actions: 'acknowledge' },
            'node.crashed': { guard: 'secondEvent', target: 'down', actions: 'loseCache' },
          },
        },
        writing: {
          on: {
            'batch.stored': { guard: 'batchOfNewerPoint', actions: 'cacheBatch' },
            'batch.refused': { guard: 'batchOfHeldPoint' },
            'batches.durable': { guard: 'cachedBatchesFlushed', actions: 'flushBatches' },
            'root.rewritten': { guard: 'rootBeingWritten' },
            'root.accepted': { guard: 'rootBeingWritten', target: 'idle', actions: 'acceptRoot' },
            'point.acknowledged': { guard: 'heldRoot', actions: 'acknowledge' },
            'node.crashed': { guard: 'secondEvent', target: 'down', actions: 'loseCache' },
          },
        },
        down: {
          on: { 'node.recovered': { guard: 'secondRecovered', target: 'idle', actions: 'recoverRoot' } },
        },
      },
    },
  },
}));

/**
 * The model's side of the conformance mapping, in the order takenPoint, nvramSeq, localRootPoint,
 * ackedPoint, acceptedPoint, writingPoint (the implementation's CP_ROOT_ABSTRACT_KEYS).
 */
export function cpRootModelState(context: CpRootModelContext, out: number[]): void {
  out[0] = context.takenPoint;
  out[1] = context.logged;
  out[2] = context.localRoot;
  out[3] = context.ackedPoint;
  out[4] = context.acceptedPoint;
  out[5] = context.writing;
}
