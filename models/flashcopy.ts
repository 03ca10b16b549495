/**
 * The flashcopy protocol's legal steps (seed 004), as an XState machine driven in lockstep by the
 * implementation's events. Three regions: the source site's cycle, the mirror between the
 * intermediates, and the target site. In abstract terms:
 * - a cycle (copy 1) starts only after the previous point is committed and the source knows it;
 *   its bitmap is exactly the future FlashCopy map; its start is the consistency point;
 * - an update write goes through only when its block's point data is at both intermediates (not
 *   in copy 1's bitmap), and is then marked in the future map; otherwise it is held;
 * - a block of copy 1 is copied locally once, lands on the second intermediate only for the cycle
 *   being copied and only once the target no longer depends on that block, and leaves copy 1's
 *   bitmap only when the second intermediate holds it;
 * - copy 1 completes with an empty bitmap; copy 2 starts (commits the point) only after that and
 *   only when every block of copy 1 is at the second intermediate; copy 2's bitmap gains them all;
 * - a block leaves copy 2's bitmap only by a copy to the target (background or copy-on-write).
 * Bitmaps are numbers (bit i = block i); events carry them as text `{0,3}`.
 */
import { setup } from 'xstate';
import { fromNode, num, type ProtocolEvent } from './events.ts';
import { countingAcceptance, type AcceptanceContext } from './lockstep.ts';

export interface FlashCopyModelContext extends AcceptanceContext {
  /** Newest consistency point (cycle started). */
  point: number;
  /** The source's durable phase: 0 idle, 1 copying, 2 complete. */
  phase: number;
  /** Copy 1's bitmap: blocks of the point not yet at both intermediates. */
  remaining: number;
  /** Blocks copy 1 of the point started with. */
  copyMask: number;
  /** The future FlashCopy map. */
  future: number;
  /** Blocks whose local half is done and not acknowledged (volatile at the source). */
  unmirrored: number;
  /** Blocks the second intermediate holds for the cycle being copied. */
  mirrored: number;
  /** Newest point whose copy 1 completed. */
  completedPoint: number;
  committedPoint: number;
  /** Copy 2's bitmap: blocks the target still reads from the second intermediate. */
  dependency: number;
}

type Ctx = { context: FlashCopyModelContext; event: ProtocolEvent };

const IDLE = 0;
const COPYING = 1;
const COMPLETE = 2;
const PHASES = ['idle', 'copying', 'complete'];

const maskCache = new Map<string, number>();

/** The bitmap an event field names (`{0,3}`), or NaN. */
function maskField(event: ProtocolEvent, field: string): number {
  const text = event[field];
  if (typeof text !== 'string') return Number.NaN;
  let mask = maskCache.get(text);
  if (mask === undefined) {
    const m = /^\{([0-9,]*)\}$/.exec(text);
    mask = 0;
    if (m === null) mask = Number.NaN;
    else for (const part of m[1]!.split(',')) if (part !== '') mask |= 1 << Number(part);
    if (maskCache.size < 4096) maskCache.set(text, mask);
  }
  return mask;
}

/** The bit of the event's block, or 0 when it names none. */
function blockBit(event: ProtocolEvent): number {
  const b = num(event, 'block');
  return Number.isInteger(b) && b >= 0 && b < 16 ? 1 << b : 0;
}

const recoveredInto = (phase: number) => ({ context, event }: Ctx) =>
  fromNode(event, 'source') && context.phase === phase && event['phase'] === PHASES[phase] && num(event, 'point') === context.point;

const toActive = { guard: 'sourceEvent', target: 'active' } as const;

export const flashcopyMachine = setup({
  types: { context: {} as FlashCopyModelContext, events: {} as ProtocolEvent },
  guards: {
    sourceEvent: ({ event }: Ctx) => fromNode(event, 'source'),
    targetEvent: ({ event }: Ctx) => fromNode(event, 'target'),
    oldDataAtBothIntermediates: ({ context, event }: Ctx) => blockBit(event) !== 0 && (context.remaining & blockBit(event)) === 0,
    oldDataNotYetMirrored: ({ context, event }: Ctx) => (context.remaining & blockBit(event)) !== 0,
    nextCycleAfterCommit: ({ context, event }: Ctx) =>
      num(event, 'point') === context.point + 1 && context.committedPoint === context.point && maskField(event, 'blocks') === context.future,
    blockToCopy: ({ context, event }: Ctx) =>
      num(event, 'point') === context.point && (context.remaining & blockBit(event)) !== 0 && (context.unmirrored & blockBit(event)) === 0,
    blockAtSecondIntermediate: ({ context, event }: Ctx) =>
      num(event, 'point') === context.point && (context.remaining & blockBit(event) & context.mirrored) !== 0,
    copy1Complete: ({ context, event }: Ctx) =>
      context.remaining === 0 && num(event, 'point') === context.point && maskField(event, 'blocks') === context.copyMask,
    pointOfCycle: ({ context, event }: Ctx) => num(event, 'point') === context.point,
    commitOfCycle: ({ context, event }: Ctx) => num(event, 'point') === context.point && context.committedPoint === context.point,
    recoveredIdle: recoveredInto(IDLE),
    recoveredCopying: recoveredInto(COPYING),
    recoveredComplete: recoveredInto(COMPLETE),
    knownCause: ({ event }: Ctx) => event['cause'] === 'link-down' || event['cause'] === 'no-ack',
    resyncOutOfSync: ({ context, event }: Ctx) => maskField(event, 'blocks') === context.unmirrored,
    inSync: ({ context, event }: Ctx) => context.unmirrored === 0 && (event['cause'] === 'link-down' || event['cause'] === 'no-ack'),
    mirrorOfCopiedCycle: ({ context, event }: Ctx) =>
      num(event, 'point') === context.committedPoint + 1 && num(event, 'point') === context.point &&
      (context.copyMask & blockBit(event)) !== 0 && (context.dependency & blockBit(event)) === 0,
    staleMirror: ({ context, event }: Ctx) => num(event, 'point') <= context.committedPoint,
    targetDependsOnBlock: ({ context, event }: Ctx) => (context.dependency & blockBit(event)) !== 0,
    commitOfCompletedCopy: ({ context, event }: Ctx) =>
      num(event, 'point') === context.committedPoint + 1 && context.completedPoint === num(event, 'point') &&
      maskField(event, 'blocks') === context.copyMask && (context.mirrored & context.copyMask) === context.copyMask,
    committedAgain: ({ context, event }: Ctx) => num(event, 'point') === context.committedPoint && context.committedPoint > 0,
    recoveredTarget: ({ context, event }: Ctx) => fromNode(event, 'target') && num(event, 'point') === context.committedPoint,
  },
  actions: {
    markFuture: ({ context, event }: Ctx) => { context.future |= blockBit(event); },
    startCycle: ({ context }: Ctx) => {
      context.point++;
      context.remaining = context.future;
      context.copyMask = context.future;
      context.future = 0;
      context.phase = COPYING;
    },
    localHalf: ({ context, event }: Ctx) => { context.unmirrored |= blockBit(event); },
    mirrored: ({ context, event }: Ctx) => {
      context.remaining &= ~blockBit(event);
      context.unmirrored &= ~blockBit(event);
    },
    completeCopy: ({ context }: Ctx) => { context.phase = COMPLETE; context.completedPoint = context.point; },
    commitKnown: ({ context }: Ctx) => { context.phase = IDLE; },
    forgetMirror: ({ context }: Ctx) => { context.unmirrored = 0; },
    applyMirror: ({ context, event }: Ctx) => { context.mirrored |= blockBit(event); },
    copyToTarget: ({ context, event }: Ctx) => { context.dependency &= ~blockBit(event); },
    commit: ({ context }: Ctx) => {
      context.committedPoint = context.completedPoint;
      context.dependency |= context.copyMask;
      context.mirrored = 0;
    },
  },
}).createMachine(countingAcceptance({
  id: 'flashcopy',
  type: 'parallel',
  context: (): FlashCopyModelContext => ({
    accepted: 0, point: 0, phase: IDLE, remaining: 0, copyMask: 0, future: 0, unmirrored: 0, mirrored: 0,
    completedPoint: 0, committedPoint: 0, dependency: 0,
  }),
  states: {
    source: {
      initial: 'idle',
      states: {
        idle: {
          on: {
            'write.through': { guard: 'oldDataAtBothIntermediates', actions: 'markFuture' },
            'cycle.started': { guard: 'nextCycleAfterCommit', target: 'copying', actions: 'startCycle' },
            'node.crashed': { guard: 'sourceEvent', target: 'down', actions: 'forgetMirror' },
          },
        },
        copying: {
          on: {
            'write.through': { guard: 'oldDataAtBothIntermediates', actions: 'markFuture' },
            'write.held': { guard: 'oldDataNotYetMirrored' },
            'copy1.block': { guard: 'blockToCopy', actions: 'localHalf' },
            'mirror.acked': { guard: 'blockAtSecondIntermediate', actions: 'mirrored' },
            'copy1.complete': { guard: 'copy1Complete', target: 'complete', actions: 'completeCopy' },
            'node.crashed': { guard: 'sourceEvent', target: 'down', actions: 'forgetMirror' },
          },
        },
        complete: {
          on: {
            'write.through': { guard: 'oldDataAtBothIntermediates', actions: 'markFuture' },
            'commit.resent': { guard: 'pointOfCycle' },
            'commit.acknowledged': { guard: 'commitOfCycle', target: 'idle', actions: 'commitKnown' },
            'node.crashed': { guard: 'sourceEvent', target: 'down', actions: 'forgetMirror' },
          },
        },
        down: {
          on: {
            'node.recovered': [
              { guard: 'recoveredIdle', target: 'idle' },
              { guard: 'recoveredCopying', target: 'copying' },
              { guard: 'recoveredComplete', target: 'complete' },
            ],
          },
        },
      },
    },
    mirror: {
      initial: 'active',
      states: {
        active: {
          on: {
            'mirror.suspended': { guard: 'knownCause', target: 'suspended' },
            'node.crashed': toActive,
          },
        },
        suspended: {
          on: {
            'mirror.suspended': { guard: 'knownCause' },
            'mirror.resync': { guard: 'resyncOutOfSync', target: 'resyncing' },
            'node.crashed': toActive,
          },
        },
        resyncing: {
          on: {
            'mirror.suspended': { guard: 'knownCause', target: 'suspended' },
            'mirror.resynchronised': { guard: 'inSync', target: 'active' },
            'node.crashed': toActive,
          },
        },
      },
    },
    target: {
      initial: 'up',
      states: {
        up: {
          on: {
            'mirror.applied': { guard: 'mirrorOfCopiedCycle', actions: 'applyMirror' },
            'mirror.ignored': { guard: 'staleMirror' },
            'copy2.cow': { guard: 'targetDependsOnBlock', actions: 'copyToTarget' },
            'copy2.block': { guard: 'targetDependsOnBlock', actions: 'copyToTarget' },
            'point.committed': { guard: 'commitOfCompletedCopy', actions: 'commit' },
            'commit.reacknowledged': { guard: 'committedAgain' },
            'node.crashed': { guard: 'targetEvent', target: 'down' },
          },
        },
        down: {
          on: { 'node.recovered': { guard: 'recoveredTarget', target: 'up' } },
        },
      },
    },
  },
}));

/**
 * The model's side of the conformance mapping, in the order cyclePoint, copy1Bitmap, futureMap,
 * committedPoint, copy2Bitmap (the implementation's FLASHCOPY_ABSTRACT_KEYS).
 */
export function flashcopyModelState(context: FlashCopyModelContext, out: number[]): void {
  out[0] = context.point;
  out[1] = context.remaining;
  out[2] = context.future;
  out[3] = context.committedPoint;
  out[4] = context.dependency;
}
