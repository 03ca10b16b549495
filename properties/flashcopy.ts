/** The flashcopy protocol as the harness sees it: builder, model, fault targets, situations. */
import type { SnapshotFrom } from 'xstate';
import { DEFAULT_FLASHCOPY_CONFIG } from '../impl/flashcopy/context.ts';
import { FLASHCOPY_FAULTS } from '../impl/flashcopy/faults.ts';
import { FLASHCOPY_MUTANTS } from '../impl/flashcopy/mutants.ts';
import { FLASHCOPY_ABSTRACT_KEYS, FlashCopySystem, REFERENCE_PARTS } from '../impl/flashcopy/system.ts';
import type { ProtocolEvent } from '../impl/sim/system.ts';
import { flashcopyMachine, flashcopyModelState } from '../models/flashcopy.ts';
import type { ProtocolSpec } from './protocol.ts';

type Snapshot = SnapshotFrom<typeof flashcopyMachine>;

/** The situation a crash of a site reaches, given the model state just before it. */
function crashSituation(event: ProtocolEvent, before: Snapshot): string | null {
  const c = before.context;
  const source = (before.value as { source: string }).source;
  // A block whose local half is done and whose remote half has not happened.
  if ((c.unmirrored & ~c.mirrored) !== 0) return 'crash-between-mirror-halves';
  const cycleRunning = source === 'copying' || source === 'complete';
  if (event.node === 'source') return cycleRunning ? 'source-crash-mid-cycle' : null;
  return cycleRunning || c.dependency !== 0 ? 'target-crash-mid-cycle' : null;
}

export const flashcopySpec: ProtocolSpec<typeof flashcopyMachine> = {
  name: 'flashcopy',
  title: 'cyclic incremental FlashCopy through two synchronously mirrored intermediates (seed 004)',
  geometry: DEFAULT_FLASHCOPY_CONFIG,
  mutants: FLASHCOPY_MUTANTS.map(({ name, mirrors }) => ({ name, mirrors })),
  create(app, emit, mutant) {
    const parts = mutant === null ? REFERENCE_PARTS : FLASHCOPY_MUTANTS.find((m) => m.name === mutant)?.parts;
    if (parts === undefined) throw new Error(`flashcopy: no mutant ${mutant}`);
    return new FlashCopySystem(app, emit, parts);
  },
  machine: flashcopyMachine,
  abstractKeys: FLASHCOPY_ABSTRACT_KEYS,
  modelState: (s, out) => flashcopyModelState(s.context, out),
  // The metadata (bitmaps, cycle state) is written with read-back verification; the volumes are not.
  faultDisks: ['source-meta', 'target-meta'],
  protocolFaults: FLASHCOPY_FAULTS,
  situations: [
    'point-committed', 'source-copy-on-write', 'target-copy-on-write', 'mirror-resynchronised-after-partition',
    'crash-between-mirror-halves', 'source-crash-mid-cycle', 'target-crash-mid-cycle', 'partition-healed',
  ],
  situation(event: ProtocolEvent, before: Snapshot): string | null {
    switch (event.type) {
      case 'point.committed': return 'point-committed';
      case 'write.held': return 'source-copy-on-write';
      case 'copy2.cow': return 'target-copy-on-write';
      case 'mirror.resynchronised': return event['cause'] === 'link-down' ? 'mirror-resynchronised-after-partition' : null;
      case 'node.crashed': return crashSituation(event, before);
      default: return null;
    }
  },
  livenessRounds: 300,
};
