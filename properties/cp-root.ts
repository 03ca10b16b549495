/** The cp-root protocol as the harness sees it: builder, model, fault targets, situations. */
import type { SnapshotFrom } from 'xstate';
import { DEFAULT_CP_ROOT_CONFIG, FIRST, SECOND } from '../impl/cp-root/context.ts';
import { CP_ROOT_MUTANTS } from '../impl/cp-root/mutants.ts';
import { CP_ROOT_ABSTRACT_KEYS, CpRootSystem, REFERENCE_PARTS } from '../impl/cp-root/system.ts';
import type { ProtocolEvent, ReplicationSystem } from '../impl/sim/system.ts';
import { cpRootMachine, cpRootModelState } from '../models/cp-root.ts';
import type { ProtocolFault, ProtocolSpec } from './protocol.ts';

type Snapshot = SnapshotFrom<typeof cpRootMachine>;

const SERVERS = [FIRST, SECOND] as const;

/**
 * A crash of either server in the middle of a point (the first building one or waiting for its
 * root's acknowledgment; the second holding batches of a point it has no root for, or writing a
 * root), losing, keeping or tearing its unflushed writes as `pick` says, then its restart.
 */
const crashMidPoint: ProtocolFault = {
  name: 'crash-mid-point',
  inject(system: ReplicationSystem, target: number, pick: number): boolean {
    const s = system as CpRootSystem;
    const name = SERVERS[target % 2]!;
    const server = name === FIRST ? s.first : s.second;
    if (!server.inPoint) return false;
    s.world.crash(name, pick);
    s.world.restart(name);
    return true;
  },
  describe: (target, pick) =>
    `crash ${SERVERS[target % 2]} if in the middle of a point (unflushed writes lost/kept/torn by 0x${pick.toString(16)}), then restart it`,
};

function state(s: Snapshot, region: 'first' | 'second'): string {
  return (s.value as Record<string, string>)[region]!;
}

export const cpRootSpec: ProtocolSpec<typeof cpRootMachine> = {
  name: 'cp-root',
  title: 'mirrored consistency points where only the root ships (seed 003)',
  geometry: DEFAULT_CP_ROOT_CONFIG,
  mutants: CP_ROOT_MUTANTS.map(({ name, mirrors }) => ({ name, mirrors })),
  create(app, emit, mutant) {
    const parts = mutant === null ? REFERENCE_PARTS : CP_ROOT_MUTANTS.find((m) => m.name === mutant)?.parts;
    if (parts === undefined) throw new Error(`cp-root: no mutant ${mutant}`);
    return new CpRootSystem(app, emit, parts);
  },
  machine: cpRootMachine,
  abstractKeys: CP_ROOT_ABSTRACT_KEYS,
  modelState: (s, out) => cpRootModelState(s.context, out),
  // Torn, lost, misdirected and flipped root writes: the slot is read back and written again,
  // and the other slot (two blocks away) still holds the previous root. The block disks are not
  // claimed: the second trusts that a block acknowledged durable holds what was written.
  faultDisks: ['remote-roots'],
  protocolFaults: [crashMidPoint],
  situations: [
    'point-committed', 'pipelined-point', 'crash-mid-point', 'point-rebuilt', 'nvram-replayed',
    'torn-root-fallback', 'root-rewritten', 'batch-resent', 'stale-batch-refused', 'partition-healed',
  ],
  situation(event: ProtocolEvent, before: Snapshot): string | null {
    const c = before.context;
    switch (event.type) {
      case 'root.accepted': return 'point-committed';
      case 'point.taken': return c.localRoot > c.ackedPoint ? 'pipelined-point' : null;
      case 'root.rewritten': return 'root-rewritten';
      case 'batch.resent': return 'batch-resent';
      case 'batch.refused': return 'stale-batch-refused';
      case 'node.crashed': {
        const midPoint = event.node === FIRST
          ? state(before, 'first') === 'building' || c.localRoot > c.ackedPoint
          : state(before, 'second') === 'writing' || c.cachedBatches.length > 0;
        return midPoint ? 'crash-mid-point' : null;
      }
      case 'node.recovered':
        if (event.node === SECOND) return event['torn'] !== 0 ? 'torn-root-fallback' : null;
        if (event['building'] !== 0) return 'point-rebuilt';
        return event['replayed'] !== 0 ? 'nvram-replayed' : null;
      default: return null;
    }
  },
  anomalies: {
    refused: {
      // The first server.
      'write.acknowledged': 'write acknowledged out of NVRAM order',
      'point.taken': 'point taken out of turn or not holding the writes before it',
      'batch.sent': 'batch sent out of sequence or off the point\'s new blocks',
      'batch.resent': 'resend of a batch never sent or already durable',
      'batch.acked': 'stray batch acknowledgment',
      'root.written': 'root written before its blocks are durable remotely',
      'root.sent': 'root sent that is not the local root in flight',
      'root.acked': 'root acknowledged that the second does not hold',
      // Either server.
      'node.crashed': 'crash of a server already down',
      'node.recovered': 'recovery resumed from the wrong root or NVRAM position',
      // The second server.
      'batch.stored': 'batch stored for a point already rooted or never taken',
      'batch.refused': 'batch of a newer point refused',
      'batches.durable': 'batch flush acknowledging the wrong batches',
      'root.received': 'root taken out of sequence',
      'root.rewritten': 'rewrite of a root not being written',
      'root.accepted': 'root accepted that was not being written',
      'point.acknowledged': 'point acknowledged before its root is durable',
    },
    state: {
      takenPoint: 'consistency point numbering diverged',
      nvramSeq: 'NVRAM log lost or gained records',
      localRootPoint: 'local root at the wrong point',
      ackedPoint: 'first server misjudges the root the second holds',
      acceptedPoint: 'second server holds the wrong root',
      writingPoint: 'second server writing the wrong root',
    },
  },
  livenessRounds: 300,
};
