/** The flashcopy model on hand-written event sequences: a legal cycle, and the refusals that matter. */
import { describe, expect, it } from 'vitest';
import type { ProtocolEvent } from '../impl/sim/system.ts';
import { Lockstep, stateName } from '../models/lockstep.ts';
import { flashcopyMachine, flashcopyModelState } from '../models/flashcopy.ts';

type Fields = Record<string, number | string>;
const src = (type: string, fields: Fields = {}): ProtocolEvent => ({ type, node: 'source', ...fields });
const tgt = (type: string, fields: Fields = {}): ProtocolEvent => ({ type, node: 'target', ...fields });

/** Two writes, point 1 copied through both intermediates and committed, then a copy-2 block. */
const LEGAL: readonly ProtocolEvent[] = [
  src('write.through', { block: 0, held: 0 }),
  src('write.through', { block: 3, held: 0 }),
  src('cycle.started', { point: 1, blocks: '{0,3}' }),
  src('write.held', { block: 3 }),
  src('copy1.block', { point: 1, block: 3, cow: 1 }),
  tgt('mirror.applied', { point: 1, block: 3 }),
  src('mirror.acked', { point: 1, block: 3 }),
  src('write.through', { block: 3, held: 1 }),
  src('copy1.block', { point: 1, block: 0, cow: 0 }),
  tgt('mirror.applied', { point: 1, block: 0 }),
  src('mirror.acked', { point: 1, block: 0 }),
  src('copy1.complete', { point: 1, blocks: '{0,3}' }),
  tgt('point.committed', { point: 1, blocks: '{0,3}' }),
  src('commit.acknowledged', { point: 1 }),
  tgt('copy2.block', { block: 0 }),
];

function after(events: readonly ProtocolEvent[]): Lockstep<typeof flashcopyMachine> {
  const lock = new Lockstep(flashcopyMachine);
  events.forEach((e, i) => expect([i, e.type, lock.send(e)]).toEqual([i, e.type, null]));
  return lock;
}

describe('flashcopy model', () => {
  it('accepts a cycle end to end and maps onto the abstract state', () => {
    const lock = after(LEGAL);
    expect(stateName(lock.state)).toBe('source.idle, mirror.active, target.up');
    const out: number[] = [];
    flashcopyModelState(lock.state.context, out);
    // cyclePoint, copy1Bitmap, futureMap, committedPoint, copy2Bitmap
    expect(out).toEqual([1, 0, 0b1000, 1, 0b1000]);
  });

  it('refuses a write through while its old data is not at both intermediates', () => {
    const lock = after(LEGAL.slice(0, 5));
    expect(lock.send(src('write.through', { block: 3, held: 1 }))).not.toBeNull();
    expect(lock.send(tgt('mirror.applied', { point: 1, block: 3 }))).toBeNull();
    expect(lock.send(src('write.through', { block: 3, held: 1 }))).not.toBeNull();
    expect(lock.send(src('mirror.acked', { point: 1, block: 3 }))).toBeNull();
    expect(lock.send(src('write.through', { block: 3, held: 1 }))).toBeNull();
  });

  it('refuses an acknowledgement the second intermediate never gave', () => {
    const lock = after(LEGAL.slice(0, 5));
    expect(lock.send(src('mirror.acked', { point: 1, block: 3 }))).not.toBeNull();
  });

  it('refuses completing copy 1 with blocks left, and committing before copy 1 completes', () => {
    const lock = after(LEGAL.slice(0, 10));
    expect(lock.send(src('copy1.complete', { point: 1, blocks: '{0,3}' }))).not.toBeNull();
    expect(lock.send(tgt('point.committed', { point: 1, blocks: '{0,3}' }))).not.toBeNull();
  });

  it('refuses the next cycle before the commit is known, and a cycle that is not the future map', () => {
    const lock = after([...LEGAL.slice(0, 12), src('write.through', { block: 5, held: 0 })]);
    expect(lock.send(src('cycle.started', { point: 2, blocks: '{5}' }))).not.toBeNull();
    expect(lock.send(tgt('point.committed', { point: 1, blocks: '{0,3}' }))).toBeNull();
    expect(lock.send(src('commit.acknowledged', { point: 1 }))).toBeNull();
    // The future map holds block 3 (the held write) and block 5.
    expect(lock.send(src('cycle.started', { point: 2, blocks: '{5}' }))).not.toBeNull();
    expect(lock.send(src('cycle.started', { point: 2, blocks: '{3,5}' }))).toBeNull();
  });

  it('refuses overwriting a block of the second intermediate the target still depends on', () => {
    const lock = after([...LEGAL.slice(0, 14), src('cycle.started', { point: 2, blocks: '{3}' }), src('copy1.block', { point: 2, block: 3, cow: 0 })]);
    expect(lock.send(tgt('mirror.applied', { point: 2, block: 3 }))).not.toBeNull();
    expect(lock.send(tgt('copy2.cow', { block: 3 }))).toBeNull();
    expect(lock.send(tgt('mirror.applied', { point: 2, block: 3 }))).toBeNull();
  });

  it('refuses a stale mirrored write applied, and accepts it ignored', () => {
    const lock = after(LEGAL);
    expect(lock.send(tgt('mirror.applied', { point: 1, block: 0 }))).not.toBeNull();
    expect(lock.send(tgt('mirror.ignored', { point: 1, block: 0 }))).toBeNull();
  });

  it('a crashed source recovers into the phase it was in, with its mirror reset', () => {
    const lock = after([...LEGAL.slice(0, 5), src('mirror.suspended', { cause: 'link-down' })]);
    expect(stateName(lock.state)).toBe('source.copying, mirror.suspended, target.up');
    expect(lock.send(src('node.crashed'))).toBeNull();
    expect(stateName(lock.state)).toBe('source.down, mirror.active, target.up');
    expect(lock.send(src('write.through', { block: 1, held: 0 }))).not.toBeNull();
    expect(lock.send(src('node.recovered', { point: 1, phase: 'complete' }))).not.toBeNull();
    expect(lock.send(src('node.recovered', { point: 1, phase: 'copying' }))).toBeNull();
    expect(lock.send(src('copy1.block', { point: 1, block: 3, cow: 0 }))).toBeNull();
  });
});
