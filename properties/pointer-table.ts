/** The pointer-table protocol as the harness sees it: builder, model, faults, situations. */
import type { SnapshotFrom } from 'xstate';
import { DEFAULT_POINTER_TABLE_CONFIG } from '../impl/pointer-table/context.ts';
import { POINTER_TABLE_MUTANTS } from '../impl/pointer-table/mutants.ts';
import { POINTER_TABLE_ABSTRACT_KEYS, PointerTableSystem, REFERENCE_PARTS } from '../impl/pointer-table/system.ts';
import type { ProtocolEvent, ReplicationSystem } from '../impl/sim/system.ts';
import { pointerTableMachine, pointerTableModelState } from '../models/pointer-table.ts';
import type { Command } from './commands.ts';
import type { ProtocolFault, ProtocolSpec } from './protocol.ts';

type Snapshot = SnapshotFrom<typeof pointerTableMachine>;

const CONTROLS = DEFAULT_POINTER_TABLE_CONFIG.controls;

/** A link-update error on one named control: its next link switch fails. */
const linkUpdateError: ProtocolFault = {
  name: 'link-update-error',
  inject: (system: ReplicationSystem, target: number) => (system as PointerTableSystem).armLinkUpdateError(target % CONTROLS),
  describe: (target: number) => `link-update error armed on control-${(target % CONTROLS) + 1} (its next link switch fails)`,
};

/** Writes per consistency group in the bench workload. */
const WORKLOAD_WRITES_PER_GROUP = 3;
/** Cycles after which the workload repeats: lcm of volumes (3), blocks (4), hosts (2) and ticks (16). */
const WORKLOAD_PERIOD_CYCLES = 48 * 4;

/**
 * One period of a deterministic workload that keeps the protocol committing (node indexes:
 * 0 primary, 1 manager, 2..4 controls; links 0..2 to the controls, 3 back to the primary): each
 * write is shipped and delivered; every third write closes a group, whose closes are delivered,
 * verified by every control, and committed, released and reported to the primary by the manager.
 */
export function pointerTableWorkload(): readonly Command[] {
  const out: Command[] = [];
  const step = (node: number): Command => ({ kind: 'step', node });
  const deliver = (link: number): Command => ({ kind: 'deliver', link, pick: 0 });
  for (let i = 0; i < WORKLOAD_PERIOD_CYCLES; i++) {
    out.push({ kind: 'write', host: i % 2, volume: i % CONTROLS, block: (i * 5 + (i >> 2)) % 4 }, step(0), deliver(i % CONTROLS));
    if (i % WORKLOAD_WRITES_PER_GROUP === WORKLOAD_WRITES_PER_GROUP - 1) {
      out.push({ kind: 'point' }, step(0), deliver(0), deliver(1), deliver(2), step(2), step(3), step(4));
      // Start, three switches, the commit record, three releases, the word to the primary.
      for (let n = 0; n < 3 * CONTROLS + 3; n++) out.push(step(1));
      out.push(deliver(3));
    }
    if (i % 16 === 15) out.push({ kind: 'tick', ticks: 1 });
  }
  return out;
}

function managerState(s: Snapshot): string {
  return (s.value as { manager: string }).manager;
}

export const pointerTableSpec: ProtocolSpec<typeof pointerTableMachine> = {
  name: 'pointer-table',
  title: 'consistency groups committed by switching pointer-table links (seed 002)',
  geometry: DEFAULT_POINTER_TABLE_CONFIG,
  mutants: POINTER_TABLE_MUTANTS.map(({ name, mirrors }) => ({ name, mirrors })),
  create(app, emit, mutant) {
    const parts = mutant === null ? REFERENCE_PARTS : POINTER_TABLE_MUTANTS.find((m) => m.name === mutant)?.parts;
    if (parts === undefined) throw new Error(`pointer-table: no mutant ${mutant}`);
    return new PointerTableSystem(app, emit, parts);
  },
  machine: pointerTableMachine,
  abstractKeys: POINTER_TABLE_ABSTRACT_KEYS,
  modelState: (s, out) => pointerTableModelState(s.context, out),
  faultDisks: Array.from({ length: CONTROLS }, (_, i) => `control-${i + 1}-blocks`),
  protocolFaults: [linkUpdateError],
  situations: [
    'group-committed', 'crash-between-switches', 'revert-after-link-error', 'manager-recovered-mid-commit',
    'update-discarded', 'blocks-released', 'partition-healed',
  ],
  situation(event: ProtocolEvent, before: Snapshot): string | null {
    switch (event.type) {
      case 'group.committed': return 'group-committed';
      case 'update.discarded': return 'update-discarded';
      case 'blocks.released': return event['count'] !== 0 ? 'blocks-released' : null;
      case 'links.reverted': return before.context.failWhy === 'link-update-error' ? 'revert-after-link-error' : null;
      case 'node.recovered': return event.node === 'manager' && event['pending'] !== 0 ? 'manager-recovered-mid-commit' : null;
      case 'node.crashed': {
        const switched = before.context.switched;
        return event.node !== 'primary' && managerState(before) === 'switching' && switched > 0 && switched < CONTROLS
          ? 'crash-between-switches' : null;
      }
      default: return null;
    }
  },
  anomalies: {
    refused: {
      'update.logged': 'update logged out of sequence or outside the open group',
      'group.closed': 'group closed out of sequence',
      'record.shipped': 'record shipped that is not in the update buffer',
      'buffer.trimmed': 'update buffer trimmed before the group was released',
      'update.stored': 'update stored twice or for a group already committed',
      'update.recovered': 'pending link recovered for no pending update',
      'close.received': 'group close with the wrong update count',
      'update.discarded': 'discarded update that was never stored',
      'group.complete': 'group declared complete with updates missing',
      'commit.started': 'commit started before the group is complete on every control',
      'links.switched': 'out-of-order link switch',
      'commit.failed': 'spurious commit failure',
      'group.committed': 'group committed before every control switched',
      'links.reverted': 'revert of a control that never switched',
      'revert.skipped': 'switched control left unreverted',
      'commit.reverted': 'commit abandoned with controls still switched',
      'blocks.released': 'blocks released before the group is committed on every control',
      'primary.notified': 'primary told to forget an unreleased group',
      'node.crashed': 'crash of a node already down',
      'node.recovered': 'recovery rebuilt the wrong state',
    },
    state: {
      closedGroup: 'group close lost or invented by the primary',
      loggedSeq: 'buffered update lost or invented by the primary',
      trimmedSeq: 'update buffer trimmed to the wrong point',
      control1Group: 'control links at the wrong group',
      control2Group: 'control links at the wrong group',
      control3Group: 'control links at the wrong group',
      committedGroup: 'commit record at the wrong group',
      commitGroup: 'wrong group in progress',
    },
  },
  livenessRounds: 400,
  benchWorkload: pointerTableWorkload,
};
