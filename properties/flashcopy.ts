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
  anomalies: {
    refused: {
      'write.through': 'source write let through before its old data was mirrored',
      'write.held': 'source write held with no copy of its block pending',
      'cycle.started': 'new cycle started before the commit',
      'copy1.block': 'copy 1 of a block not pending in its bitmap',
      'mirror.acked': 'copy 1 bit cleared before the second intermediate holds the block',
      'copy1.complete': 'second copy started before the first completed',
      'commit.resent': 'commit request resent for a cycle not complete',
      'commit.acknowledged': 'commit acknowledged for a point not committed',
      'node.crashed': 'crash of a site already down',
      'node.recovered': 'recovery rebuilt the wrong cycle state',
      'mirror.suspended': 'mirror suspended for no known cause',
      'mirror.resync': 'resync of blocks other than the out-of-sync ones',
      'mirror.resynchronised': 'mirror back in sync with blocks still out of sync',
      // One name for both ways to break it: a refusal is named by event type only, and an older
      // cycle's write (stale) and a write over a block the target still reads (premature) are one event.
      'mirror.applied': 'stale or premature overwrite of the second intermediate',
      'mirror.ignored': 'mirror write of the copied cycle dropped',
      'copy2.cow': 'copy 2 of a block the target does not depend on',
      'copy2.block': 'copy 2 of a block the target does not depend on',
      'point.committed': 'point committed before copy 1 reached the second intermediate',
      'commit.reacknowledged': 'commit reacknowledged for a point not committed',
    },
    state: {
      cyclePoint: 'cycle point lost or skipped by the source',
      copy1Bitmap: 'copy 1 bitmap out of step with the mirrored blocks',
      futureMap: 'future FlashCopy map lost',
      committedPoint: 'committed point lost by the target',
      copy2Bitmap: 'copy 2 bitmap lost blocks not yet copied to the target',
    },
  },
  livenessRounds: 300,
};
