/** xrc as the harness sees it: builder, model, fault targets, its own faults, situations. */
import type { SnapshotFrom } from 'xstate';
import { DEFAULT_XRC_CONFIG } from '../impl/xrc/context.ts';
import { XRC_FAULTS } from '../impl/xrc/faults.ts';
import { XRC_MUTANTS } from '../impl/xrc/mutants.ts';
import { REFERENCE_PARTS, XrcSystem, xrcAbstractKeys } from '../impl/xrc/system.ts';
import { xrcWorkload } from '../impl/xrc/workload.ts';
import type { ProtocolEvent } from '../impl/sim/system.ts';
import { num } from '../models/events.ts';
import { XRC_MODEL_CONTROLLERS, xrcMachine, xrcModelState } from '../models/xrc.ts';
import type { ProtocolSpec } from './protocol.ts';

type Snapshot = SnapshotFrom<typeof xrcMachine>;

if (DEFAULT_XRC_CONFIG.controllers !== XRC_MODEL_CONTROLLERS) throw new Error('xrc: model and implementation disagree on controllers');

function secondaryState(s: Snapshot): string {
  return (s.value as { secondary: string }).secondary;
}

export const xrcSpec: ProtocolSpec<typeof xrcMachine> = {
  name: 'xrc',
  title: 'time-stamped record sets forming consistency groups (seed 001)',
  geometry: DEFAULT_XRC_CONFIG,
  mutants: XRC_MUTANTS.map(({ name, mirrors }) => ({ name, mirrors })),
  create(app, emit, mutant) {
    const parts = mutant === null ? REFERENCE_PARTS : XRC_MUTANTS.find((m) => m.name === mutant)?.parts;
    if (parts === undefined) throw new Error(`xrc: no mutant ${mutant}`);
    return new XrcSystem(app, emit, parts);
  },
  machine: xrcMachine,
  abstractKeys: xrcAbstractKeys(DEFAULT_XRC_CONFIG.controllers),
  modelState: (s, out) => xrcModelState(s.context, out),
  faultDisks: ['secondary-journal'],
  protocolFaults: XRC_FAULTS,
  boundaries: 'every-write',
  situations: [
    'group-committed', 'dependent-write-across-controllers', 'idle-controller-report', 'stamp-lifted', 'crash-mid-shadow',
    'group-redone', 'mover-buffers-lost', 'journal-repaired', 'gap-resend', 'partition-healed',
  ],
  situation(event: ProtocolEvent, before: Snapshot): string | null {
    const context = before.context;
    switch (event.type) {
      case 'group.committed': return 'group-committed';
      case 'write.stamped': {
        const previous = context.hostController[num(event, 'host')];
        if (previous !== undefined && previous !== num(event, 'controller')) return 'dependent-write-across-controllers';
        return num(event, 'ts') > num(event, 'reading') ? 'stamp-lifted' : null;
      }
      case 'report.accepted': return num(event, 'complete') > (context.stamp[num(event, 'controller')] ?? 0) ? 'idle-controller-report' : null;
      case 'node.crashed':
        if (event.node === 'secondary') return secondaryState(before) === 'shadowing' ? 'crash-mid-shadow' : null;
        return event.node === 'mover' && num(event, 'unconfirmed') > 0 ? 'mover-buffers-lost' : null;
      case 'node.recovered': return event.node === 'secondary' && num(event, 'pending') > num(event, 'ct') ? 'group-redone' : null;
      case 'journal.repaired': return 'journal-repaired';
      case 'resend.requested': return event['reason'] === 'gap' ? 'gap-resend' : null;
      default: return null;
    }
  },
  anomalies: {
    refused: {
      'write.received': 'write accepted by a controller that is down',
      'write.stamped': 'write stamped out of order or inside a time already declared complete',
      'sets.released': 'record set released before the secondary confirmed it',
      'sets.read': 'record set read that the controller no longer keeps',
      'confirm.received': 'confirmation of a group never committed',
      'set.received': 'record set taken out of sequence',
      'report.accepted': 'completeness counted before its record sets arrived',
      'group.rejected': 'time-interval group corrupted in transit',
      'group.journaled': 'consistency group formed past a controller not known complete',
      'set.shadowed': 'out-of-order shadow',
      'group.committed': 'group committed with record sets unshadowed',
      'node.recovered': 'recovery rebuilt the wrong state',
    },
  },
  livenessRounds: 300,
  benchWorkload: xrcWorkload,
};
