import { beforeAll, describe, expect, it } from 'vitest';
import { CpRootSystem } from '../impl/cp-root/system.ts';
import { initHash } from '../impl/sim/hash.ts';
import type { ProtocolEvent } from '../impl/sim/system.ts';
import { copyOnWriteBlocks, cpRootMachine, cpRootModelState } from '../models/cp-root.ts';
import { Lockstep, stateName } from '../models/lockstep.ts';

beforeAll(async () => {
  await initHash();
});

type Fields = Record<string, number>;
const f = (type: string, fields: Fields = {}): ProtocolEvent => ({ type, node: 'first', ...fields });
const s = (type: string, fields: Fields = {}): ProtocolEvent => ({ type, node: 'second', ...fields });

/** Two writes to volume 0, one point: three new blocks in one batch, root written, sent, accepted, acknowledged. */
const LEGAL: readonly ProtocolEvent[] = [
  f('write.acknowledged', { seq: 1, volume: 0, block: 0 }),
  f('write.acknowledged', { seq: 2, volume: 0, block: 3 }),
  f('point.taken', { point: 1, seq: 3, first: 1, last: 2, blocks: 3 }),
  f('batch.sent', { point: 1, batch: 0, blocks: 3 }),
  s('batch.stored', { point: 1, batch: 0 }),
  s('batches.durable', { count: 1 }),
  f('batch.acked', { point: 1, batch: 0 }),
  f('root.written', { point: 1, blocks: 3 }),
  f('root.sent', { point: 1 }),
  s('root.received', { point: 1, slot: 1 }),
  s('root.accepted', { point: 1 }),
  s('point.acknowledged', { point: 1 }),
  f('root.acked', { point: 1 }),
];

function after(events: readonly ProtocolEvent[]): Lockstep<typeof cpRootMachine> {
  const lock = new Lockstep(cpRootMachine);
  events.forEach((e, i) => expect([i, e.type, lock.send(e)]).toEqual([i, e.type, null]));
  return lock;
}

describe('cp-root model', () => {
  it('accepts one point end to end and maps to the implementation\'s terms', () => {
    const lock = after(LEGAL);
    expect(stateName(lock.state)).toBe('first.idle, second.idle');
    const mapped: number[] = [];
    cpRootModelState(lock.state.context, mapped);
    // takenPoint, nvramSeq, localRootPoint, ackedPoint, acceptedPoint, writingPoint
    expect(mapped).toEqual([1, 3, 1, 1, 1, 1]);
  });

  it('counts copy-on-write blocks: each modified data block plus one address block per volume', () => {
    expect([copyOnWriteBlocks(0), copyOnWriteBlocks(0b1), copyOnWriteBlocks(0b1001), copyOnWriteBlocks(0x101)]).toEqual([0, 2, 3, 4]);
  });

  it('refuses a root written before its batches are durable, and a point missing queued writes', () => {
    const early = new Lockstep(cpRootMachine);
    for (const e of LEGAL.slice(0, 4)) expect(early.send(e)).toBeNull();
    expect(early.send(f('root.written', { point: 1, blocks: 3 }))?.state).toBe('first.building, second.idle');
    const short = new Lockstep(cpRootMachine);
    for (const e of LEGAL.slice(0, 2)) expect(short.send(e)).toBeNull();
    expect(short.send(f('point.taken', { point: 1, seq: 3, first: 1, last: 2, blocks: 2 }))).not.toBeNull();
  });

  it('refuses an acknowledgment of a root the second does not hold yet, and a root never sent', () => {
    const lock = after(LEGAL.slice(0, 10));
    expect(stateName(lock.state)).toBe('first.idle, second.writing');
    expect(lock.send(s('point.acknowledged', { point: 1 }))).not.toBeNull();
    expect(after(LEGAL.slice(0, 8)).send(s('root.received', { point: 1, slot: 1 }))).not.toBeNull();
  });

  it('lets the second recover to either the held root or the one it was writing, nothing else', () => {
    const crash = [...LEGAL.slice(0, 10), s('node.crashed')];
    expect(after(crash).send(s('node.recovered', { point: 0, torn: 1 }))).toBeNull();
    expect(after(crash).send(s('node.recovered', { point: 1, torn: 0 }))).toBeNull();
    expect(after(crash).send(s('node.recovered', { point: 2, torn: 0 }))).not.toBeNull();
  });
});

const noApp = { acknowledged: () => {}, pointTaken: () => {}, pointCommitted: () => {} };

/** A system with point 1 (one write to v0 block 0) committed on both servers. */
function committedOne(): CpRootSystem {
  const sys = new CpRootSystem(noApp, () => {});
  const data = new Uint8Array(32).fill(1);
  expect(sys.write(0, { volume: 0, block: 0, data })).toBe(true);
  expect(sys.requestPoint()).toBe(true);
  const deliver = (link: string) => expect(sys.world.deliver(link, 0)).toBe(true);
  sys.step('first');
  deliver('first->second');
  sys.step('second');
  deliver('second->first');
  sys.step('first');
  deliver('first->second');
  sys.step('second');
  deliver('second->first');
  const out: number[] = [];
  sys.abstractState(out);
  expect(out).toEqual([1, 2, 1, 1, 1, 1]);
  return sys;
}

describe('cp-root second server invariants', () => {
  it('the failover image is the tree of the newest intact root', () => {
    const image = committedOne().failoverImage();
    expect(image[0]).toEqual(new Uint8Array(32).fill(1));
    expect(image.slice(1).every((b) => b.every((x) => x === 0))).toBe(true);
  });

  it('a batch that would overwrite a block the accepted root reaches is an invariant violation', () => {
    const sys = committedOne();
    const live = new Uint8Array(64);
    live.set(sys.second.blocks.readDurable(1));
    expect(() => sys.second.receive({ kind: 'batch', point: 2, batch: 0, blocks: '1', bytes: live }))
      .toThrow(/batch 0 of point 2 overwrites block 1, which root 1 still reaches/);
  });

  it('a root whose blocks are not durable here is refused as an invariant violation', () => {
    const sys = committedOne();
    const root = sys.world.disks.get('local-roots')!.read(1).slice();
    const other = new CpRootSystem(noApp, () => {});
    expect(() => other.second.receive({ kind: 'root', point: 1, bytes: root })).toThrow(/root 1 reaches a block that is not durable and intact here/);
  });

  it('a lost root write is found by reading the slot back and written again before the root is accepted', () => {
    const events: string[] = [];
    const traced = new CpRootSystem(noApp, (e) => events.push(`${e.type}${e['why'] ? ` ${e['why']}` : ''}`));
    traced.requestPoint();
    traced.step('first');
    traced.world.mustDisk('remote-roots').arm({ kind: 'lost', pick: 0 });
    traced.world.deliver('first->second', 0);
    traced.step('second');
    traced.step('second');
    expect(events).toEqual(['point.taken', 'root.written', 'root.sent', 'root.received', 'root.rewritten stale', 'root.accepted', 'point.acknowledged']);
  });
});
