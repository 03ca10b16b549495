/** The journal protocol as the harness sees it: builder, model, fault targets, situations. */
import type { SnapshotFrom } from 'xstate';
import { DEFAULT_JOURNAL_CONFIG } from '../impl/journal/context.ts';
import { JOURNAL_MUTANTS } from '../impl/journal/mutants.ts';
import { JOURNAL_ABSTRACT_KEYS, JournalSystem, REFERENCE_PARTS } from '../impl/journal/system.ts';
import type { ProtocolEvent } from '../impl/sim/system.ts';
import { journalMachine, journalModelState } from '../models/journal.ts';
import type { ProtocolSpec } from './protocol.ts';

type Snapshot = SnapshotFrom<typeof journalMachine>;

function secondaryState(s: Snapshot): string {
  return (s.value as { secondary: string }).secondary;
}

export const journalSpec: ProtocolSpec<typeof journalMachine> = {
  name: 'journal',
  title: 'write-record log shipping with consistency points (seed 000)',
  geometry: DEFAULT_JOURNAL_CONFIG,
  mutants: JOURNAL_MUTANTS.map(({ name, mirrors }) => ({ name, mirrors })),
  create(app, emit, mutant) {
    const parts = mutant === null ? REFERENCE_PARTS : JOURNAL_MUTANTS.find((m) => m.name === mutant)?.parts;
    if (parts === undefined) throw new Error(`journal: no mutant ${mutant}`);
    return new JournalSystem(app, emit, parts);
  },
  machine: journalMachine,
  abstractKeys: JOURNAL_ABSTRACT_KEYS,
  modelState: (s, out) => journalModelState(s.context, out),
  faultDisks: ['remote-log'],
  situations: ['point-committed', 'crash-mid-apply', 'record-rejected', 'transaction-redone', 'partition-healed'],
  situation(event: ProtocolEvent, before: Snapshot): string | null {
    switch (event.type) {
      case 'point.committed': return 'point-committed';
      case 'record.rejected': return 'record-rejected';
      case 'txn.redone': return 'transaction-redone';
      case 'node.crashed': return event.node === 'secondary' && secondaryState(before) === 'applying' ? 'crash-mid-apply' : null;
      default: return null;
    }
  },
  anomalies: {
    refused: {
      'write.logged': 'write logged out of sequence or while quiesced',
      'point.recorded': 'consistency point taken without quiescing',
      'point.validated': 'unvalidated record accepted',
      'txn.durable': 'transaction for an unvalidated point',
      'record.applied': 'out-of-order apply',
      'point.committed': 'point committed with writes unapplied',
      'point.acknowledged': 'point acknowledged before it was committed',
      'log.trimmed': 'local log trimmed before acknowledgment',
      'record.rejected': 'valid record rejected',
      'node.recovered': 'recovery rebuilt the wrong state',
    },
  },
  livenessRounds: 300,
};
