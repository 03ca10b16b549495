/**
 * The pointer-table protocol's legal steps (seed 002), as an XState machine driven in lockstep by
 * the implementation's events. It says what may happen in which order, not how: updates are
 * logged in one sequence, tagged with the open group; a control stores each update of a group it
 * has not committed, at most once; it declares a group complete only when it holds every update
 * the primary logged for it there; the manager starts a commit only of the next group, once every
 * control declared it complete; controls switch one after another, to that group, from the
 * previous one; the group is committed only when all switched; after a failure only a control
 * whose links correspond to the current group reverts, and only to the previous group; blocks are
 * released only once the group is committed on every control; the primary forgets only released
 * groups. The controls' state is kept per control in context (one region for all three).
 */
import { setup } from 'xstate';
import { fromNode, num, type ProtocolEvent } from './events.ts';
import { countingAcceptance } from './lockstep.ts';
import {
  controlOf, everyControlAt, key, logged, MODEL_CONTROLS, newPendingUpdate, reportedUp, storedCount, upControl,
  type Ctx, type PointerTableModelContext,
} from './pointer-table-context.ts';

export type { PointerTableModelContext };

export const pointerTableMachine = setup({
  types: { context: {} as PointerTableModelContext, events: {} as ProtocolEvent },
  guards: {
    nextUpdate: ({ context: c, event: e }: Ctx) =>
      num(e, 'seq') === c.logged + 1 && num(e, 'group') === c.closed + 1 && num(e, 'control') >= 1 && num(e, 'control') <= MODEL_CONTROLS,
    nextClose: ({ context: c, event: e }: Ctx) => num(e, 'group') === c.closed + 1 && num(e, 'seq') === c.logged + 1,
    loggedUntrimmed: ({ context: c, event: e }: Ctx) => num(e, 'seq') > c.trimmed && num(e, 'seq') <= c.logged,
    trimToReleased: ({ context: c, event: e }: Ctx) =>
      c.closeSeq.get(num(e, 'group')) === num(e, 'seq') && num(e, 'group') <= c.notified && num(e, 'seq') > c.trimmed,
    primaryEvent: ({ event: e }: Ctx) => fromNode(e, 'primary'),
    primaryRecovered: ({ context: c, event: e }: Ctx) => fromNode(e, 'primary') && num(e, 'seq') === c.logged && num(e, 'group') === c.closed,
    newPendingUpdate,
    closeOfPendingGroup: ({ context: c, event: e }: Ctx) => {
      const i = upControl(c, e);
      const g = num(e, 'group');
      return i >= 0 && g > c.group[i]! && g <= c.closed && num(e, 'count') === logged(c, g, i);
    },
    storedUpdate: ({ context: c, event: e }: Ctx) => {
      const i = upControl(c, e);
      return i >= 0 && c.stored[i]!.has(num(e, 'seq')) && (c.records.get(num(e, 'seq'))! >> 3) === num(e, 'group');
    },
    everyUpdateHeld: ({ context: c, event: e }: Ctx) => {
      const i = upControl(c, e);
      const g = num(e, 'group');
      return i >= 0 && g === c.complete[i]! + 1 && g <= c.closed && storedCount(c, i, g) === logged(c, g, i);
    },
    controlUp: ({ context: c, event: e }: Ctx) => upControl(c, e) >= 0,
    controlRecovered: ({ context: c, event: e }: Ctx) => {
      const i = controlOf(e);
      return i >= 0 && !c.controlUp[i]! && num(e, 'group') === c.group[i]!;
    },
    nextGroupCompleteEverywhere: ({ context: c, event: e }: Ctx) => {
      const g = num(e, 'group');
      for (let i = 0; i < MODEL_CONTROLS; i++) if (!c.controlUp[i] || c.complete[i]! < g) return false;
      return g === c.committed + 1 && everyControlAt(c, g - 1);
    },
    committedGroupNotice: ({ context: c, event: e }: Ctx) => num(e, 'group') === c.committed && c.committed > 0,
    managerEvent: ({ event: e }: Ctx) => fromNode(e, 'manager'),
    nextControlSwitches: ({ context: c, event: e }: Ctx) => {
      const i = upControl(c, e);
      const g = num(e, 'group');
      return i >= 0 && i === c.switched && g === c.pending && c.complete[i]! >= g && c.group[i] === g - 1;
    },
    nextControlFailed: ({ context: c, event: e }: Ctx) => {
      const i = num(e, 'control') - 1;
      if (num(e, 'group') !== c.pending || i !== c.switched) return false;
      const why = e['why'];
      if (why === 'control-down') return !c.controlUp[i];
      return c.controlUp[i]! && (why === 'link-update-error' || (why === 'not-ready' && c.complete[i]! < c.pending));
    },
    everyControlSwitched: ({ context: c, event: e }: Ctx) => num(e, 'group') === c.pending && c.switched === MODEL_CONTROLS,
    switchedControlReverts: ({ context: c, event: e }: Ctx) => {
      const i = upControl(c, e);
      return i >= 0 && c.group[i] === c.pending && num(e, 'group') === c.pending - 1;
    },
    unswitchedControlKept: ({ context: c, event: e }: Ctx) => {
      const i = reportedUp(c, e);
      return i >= 0 && c.group[i] === num(e, 'group') && c.group[i] === c.pending - 1;
    },
    everyControlReverted: ({ context: c, event: e }: Ctx) => num(e, 'group') === c.pending && everyControlAt(c, c.pending - 1),
    nextControlReleases: ({ context: c, event: e }: Ctx) => {
      const i = upControl(c, e);
      return i >= 0 && i === c.released && num(e, 'group') === c.committed;
    },
    everyControlReleased: ({ context: c, event: e }: Ctx) => num(e, 'group') === c.committed && c.released === MODEL_CONTROLS,
    recoveredMidCommit: ({ context: c, event: e }: Ctx) =>
      fromNode(e, 'manager') && num(e, 'group') === c.committed && c.pending !== 0 && num(e, 'pending') === c.pending,
    recoveredCommitted: ({ context: c, event: e }: Ctx) =>
      fromNode(e, 'manager') && num(e, 'group') === c.committed && c.pending === 0 && num(e, 'pending') === 0,
  },
  actions: {
    logUpdate: ({ context: c, event: e }: Ctx) => {
      const k = key(num(e, 'group'), num(e, 'control'));
      c.logged = num(e, 'seq');
      c.records.set(c.logged, k);
      c.counts.set(k, (c.counts.get(k) ?? 0) + 1);
    },
    closeGroup: ({ context: c, event: e }: Ctx) => {
      c.closed = num(e, 'group');
      c.logged = num(e, 'seq');
      c.closeSeq.set(c.closed, c.logged);
    },
    trim: ({ context: c, event: e }: Ctx) => {
      const group = num(e, 'group');
      c.trimmed = num(e, 'seq');
      for (const seq of c.records.keys()) if (seq <= c.trimmed) c.records.delete(seq);
      for (const g of c.closeSeq.keys()) {
        if (g > group) continue;
        c.closeSeq.delete(g);
        for (let i = 1; i <= MODEL_CONTROLS; i++) c.counts.delete(key(g, i));
      }
    },
    storeUpdate: ({ context: c, event: e }: Ctx) => { c.stored[controlOf(e)]!.add(num(e, 'seq')); },
    discardUpdate: ({ context: c, event: e }: Ctx) => { c.stored[controlOf(e)]!.delete(num(e, 'seq')); },
    declareComplete: ({ context: c, event: e }: Ctx) => { c.complete[controlOf(e)] = num(e, 'group'); },
    crashControl: ({ context: c, event: e }: Ctx) => {
      const i = controlOf(e);
      c.controlUp[i] = false;
      c.stored[i]!.clear();
    },
    recoverControl: ({ context: c, event: e }: Ctx) => {
      const i = controlOf(e);
      c.controlUp[i] = true;
      c.complete[i] = c.group[i]!;
    },
    beginCommit: ({ context: c, event: e }: Ctx) => { c.pending = num(e, 'group'); c.switched = 0; },
    switchControl: ({ context: c, event: e }: Ctx) => { c.group[controlOf(e)] = num(e, 'group'); c.switched++; },
    failCommit: ({ context: c, event: e }: Ctx) => { c.failWhy = String(e['why']); },
    commitGroup: ({ context: c }: Ctx) => { c.committed = c.pending; c.pending = 0; c.released = 0; c.switched = 0; },
    revertControl: ({ context: c, event: e }: Ctx) => { c.group[controlOf(e)] = num(e, 'group'); },
    endRevert: ({ context: c }: Ctx) => { c.pending = 0; c.switched = 0; c.failWhy = ''; },
    releaseControl: ({ context: c, event: e }: Ctx) => {
      const stored = c.stored[controlOf(e)]!;
      for (const seq of stored) if ((c.records.get(seq)! >> 3) <= c.committed) stored.delete(seq);
      c.released++;
    },
    notifyPrimary: ({ context: c, event: e }: Ctx) => { c.notified = Math.max(c.notified, num(e, 'group')); },
    recoverReverting: ({ context: c }: Ctx) => { c.failWhy = 'manager-recovered'; },
    recoverReleasing: ({ context: c }: Ctx) => { c.released = 0; },
  },
}).createMachine(countingAcceptance({
  id: 'pointer-table',
  type: 'parallel',
  context: () => ({
    accepted: 0, logged: 0, closed: 0, trimmed: 0, notified: 0, records: new Map(), closeSeq: new Map(), counts: new Map(),
    controlUp: [true, true, true], group: [0, 0, 0], complete: [0, 0, 0], stored: [new Set(), new Set(), new Set()],
    committed: 0, pending: 0, switched: 0, released: 0, failWhy: '',
  }),
  states: {
    primary: {
      initial: 'up',
      states: {
        up: {
          on: {
            'update.logged': { guard: 'nextUpdate', actions: 'logUpdate' },
            'group.closed': { guard: 'nextClose', actions: 'closeGroup' },
            'record.shipped': { guard: 'loggedUntrimmed' },
            'buffer.trimmed': { guard: 'trimToReleased', actions: 'trim' },
            'node.crashed': { guard: 'primaryEvent', target: 'down' },
          },
        },
        down: {
          on: { 'node.recovered': { guard: 'primaryRecovered', target: 'up' } },
        },
      },
    },
    controls: {
      initial: 'running',
      states: {
        running: {
          on: {
            'update.stored': { guard: 'newPendingUpdate', actions: 'storeUpdate' },
            'update.recovered': { guard: 'newPendingUpdate', actions: 'storeUpdate' },
            'close.received': { guard: 'closeOfPendingGroup' },
            'update.discarded': { guard: 'storedUpdate', actions: 'discardUpdate' },
            'group.complete': { guard: 'everyUpdateHeld', actions: 'declareComplete' },
            'node.crashed': { guard: 'controlUp', actions: 'crashControl' },
            'node.recovered': { guard: 'controlRecovered', actions: 'recoverControl' },
          },
        },
      },
    },
    manager: {
      initial: 'idle',
      states: {
        idle: {
          on: {
            'commit.started': { guard: 'nextGroupCompleteEverywhere', target: 'switching', actions: 'beginCommit' },
            'primary.notified': { guard: 'committedGroupNotice', actions: 'notifyPrimary' },
            'node.crashed': { guard: 'managerEvent', target: 'down' },
          },
        },
        switching: {
          on: {
            'links.switched': { guard: 'nextControlSwitches', actions: 'switchControl' },
            'commit.failed': { guard: 'nextControlFailed', target: 'reverting', actions: 'failCommit' },
            'group.committed': { guard: 'everyControlSwitched', target: 'releasing', actions: 'commitGroup' },
            'node.crashed': { guard: 'managerEvent', target: 'down' },
          },
        },
        reverting: {
          on: {
            'links.reverted': { guard: 'switchedControlReverts', actions: 'revertControl' },
            'revert.skipped': { guard: 'unswitchedControlKept' },
            'commit.reverted': { guard: 'everyControlReverted', target: 'idle', actions: 'endRevert' },
            'node.crashed': { guard: 'managerEvent', target: 'down' },
          },
        },
        releasing: {
          on: {
            'blocks.released': { guard: 'nextControlReleases', actions: 'releaseControl' },
            'primary.notified': { guard: 'everyControlReleased', target: 'idle', actions: 'notifyPrimary' },
            'node.crashed': { guard: 'managerEvent', target: 'down' },
          },
        },
        down: {
          on: {
            'node.recovered': [
              { guard: 'recoveredMidCommit', target: 'reverting', actions: 'recoverReverting' },
              { guard: 'recoveredCommitted', target: 'releasing', actions: 'recoverReleasing' },
            ],
          },
        },
      },
    },
  },
}));

/**
 * The model's side of the conformance mapping, in the order of POINTER_TABLE_ABSTRACT_KEYS:
 * closedGroup, loggedSeq, trimmedSeq, control1..3Group, committedGroup, commitGroup.
 */
export function pointerTableModelState(c: PointerTableModelContext, out: number[]): void {
  out[0] = c.closed;
  out[1] = c.logged;
  out[2] = c.trimmed;
  for (let i = 0; i < MODEL_CONTROLS; i++) out[3 + i] = c.group[i]!;
  out[6] = c.committed;
  out[7] = c.pending;
}
