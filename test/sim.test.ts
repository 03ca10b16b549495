import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Disk, type DiskFaultNote, type DiskOptions } from '../impl/sim/disk.ts';
import { Link } from '../impl/sim/link.ts';
import { World } from '../impl/sim/world.ts';

const SIZE = 8;
const fill = (byte: number): Uint8Array => new Uint8Array(SIZE).fill(byte);
/** New 0x22 over old 0x11, torn at half the block. */
const TORN = Uint8Array.from([0x22, 0x22, 0x22, 0x22, 0x11, 0x11, 0x11, 0x11]);

function disk(options: Partial<DiskOptions> = {}): { d: Disk; notes: DiskFaultNote[] } {
  const notes: DiskFaultNote[] = [];
  const d = new Disk({ name: 'd', blockCount: 4, blockSize_bytes: SIZE, ...options }, (n) => notes.push(n));
  return { d, notes };
}

/** Every block as `read` (or `readDurable`) sees it. */
const all = (d: Disk, durable = false): Uint8Array[] => [0, 1, 2, 3].map((b) => (durable ? d.readDurable(b) : d.read(b)));
const O = fill(0x11);
const N = fill(0x22);

/** Old contents 0x11 durable in every block. */
function durableOld(d: Disk): void {
  for (let b = 0; b < 4; b++) d.write(b, fill(0x11));
  d.flush();
}

describe('Disk cache and crash', () => {
  it('reads see cached writes, readDurable does not until flush', () => {
    const { d } = disk();
    d.write(1, fill(7));
    expect([d.read(1), d.readDurable(1), d.unflushed]).toEqual([fill(7), fill(0), 1]);
    d.flush();
    expect([d.read(1), d.readDurable(1), d.unflushed]).toEqual([fill(7), fill(7), 0]);
  });

  it('crash(0) loses every unflushed write', () => {
    const { d, notes } = disk();
    durableOld(d);
    d.write(0, N);
    d.write(2, N);
    d.crash(0);
    expect(all(d)).toEqual([O, O, O, O]);
    expect(d.unflushed).toBe(0);
    expect(notes.map((n) => `${n.kind}:${n.block}`)).toEqual(['lost-on-crash:0', 'lost-on-crash:2']);
  });

  it('crash bits decide each cached block in write order: 0 lost, 1/3 persist, 2 torn', () => {
    const { d, notes } = disk();
    durableOld(d);
    const order = [3, 0, 2, 1];
    for (const b of order) d.write(b, N);
    d.crash(1 | (0 << 2) | (2 << 4) | (3 << 6)); // fates of blocks 3, 0, 2, 1
    expect(all(d, true)).toEqual([O, N, TORN, N]);
    expect(notes.map((n) => `${n.kind}:${n.block}`)).toEqual(['lost-on-crash:0', 'torn-on-crash:2']);
  });

  it('crash outcome property: every cached block ends as its two bits say', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 255 }), fc.constantFrom([0, 1, 2, 3], [2, 3, 1, 0], [1, 3, 0, 2]), (outcome, order) => {
      const { d } = disk();
      durableOld(d);
      for (const b of order) d.write(b, N);
      d.crash(outcome);
      const want = [O, N, TORN, N];
      order.forEach((b, i) => expect(d.readDurable(b)).toEqual(want[(outcome >> (2 * i)) & 3]));
    }), { seed: 1, numRuns: 200 });
  });

  it('durableVersion changes exactly when durable contents change', () => {
    const { d } = disk();
    d.write(0, fill(1));
    const v = [d.durableVersion];
    d.flush();
    v.push(d.durableVersion);
    d.flush();
    v.push(d.durableVersion);
    expect(v).toEqual([0, 1, 1]);
    const after = (outcome: number): number => (d.write(1, fill(2)), d.crash(outcome), d.durableVersion);
    expect([after(0), after(1), after(2), after(3)]).toEqual([1, 2, 3, 4]);
    d.arm({ kind: 'lost', pick: 0 });
    d.write(3, fill(4));
    d.flush();
    expect(d.durableVersion).toBe(4);
  });

  it('out-of-range blocks and wrong lengths throw', () => {
    const { d } = disk();
    expect(() => d.write(4, fill(1))).toThrow(/out of range/);
    expect(() => d.write(-1, fill(1))).toThrow(/out of range/);
    expect(() => d.read(4)).toThrow(/out of range/);
    expect(() => d.readDurable(1.5)).toThrow(/out of range/);
    expect(() => d.write(0, new Uint8Array(SIZE + 1))).toThrow(/9 bytes/);
  });
});

describe('Disk armed write faults', () => {
  it('torn: first half new, rest old; the following write is intact', () => {
    const { d, notes } = disk();
    durableOld(d);
    d.arm({ kind: 'torn', pick: 0 });
    d.write(1, N);
    d.write(2, fill(0x33));
    expect(all(d)).toEqual([O, TORN, fill(0x33), O]);
    expect(notes).toEqual([{ disk: 'd', kind: 'torn', block: 1, detail: 'bytes 4.. kept old' }]);
  });

  it('lost: reported done, never stored', () => {
    const { d, notes } = disk();
    durableOld(d);
    d.arm({ kind: 'lost', pick: 0 });
    d.write(0, N);
    d.write(0, fill(0x33));
    d.arm({ kind: 'lost', pick: 0 });
    d.write(1, fill(0x44));
    d.flush();
    expect(all(d, true)).toEqual([fill(0x33), O, O, O]);
    expect(notes).toEqual([{ disk: 'd', kind: 'lost', block: 0 }, { disk: 'd', kind: 'lost', block: 1 }]);
  });

  it('misdirected (default): lands on the next block, wrapping', () => {
    const { d, notes } = disk();
    durableOld(d);
    d.arm({ kind: 'misdirected', pick: 5 });
    d.write(3, N);
    expect(all(d)).toEqual([N, O, O, O]);
    expect(notes).toEqual([{ disk: 'd', kind: 'misdirected', block: 3, detail: 'landed on block 0' }]);
    d.write(3, fill(0x33));
    expect(all(d)).toEqual([N, O, O, fill(0x33)]);
  });

  it('misdirected with the misdirect option uses block and pick', () => {
    const { d, notes } = disk({ misdirect: (block, pick) => (block + pick) % 4 });
    durableOld(d);
    d.arm({ kind: 'misdirected', pick: 2 });
    d.write(1, N);
    expect(all(d)).toEqual([O, O, O, N]);
    expect(notes).toEqual([{ disk: 'd', kind: 'misdirected', block: 1, detail: 'landed on block 3' }]);
  });

  it('flip inverts exactly bit pick mod size*8, once', () => {
    fc.assert(fc.property(fc.nat(10_000), fc.integer({ min: 0, max: 3 }), (pick, block) => {
      const { d, notes } = disk();
      const data = Uint8Array.from([0, 0xff, 0x5a, 0xa5, 1, 2, 3, 4]);
      d.arm({ kind: 'flip', pick });
      d.write(block, data);
      const bit = pick % (SIZE * 8);
      const diff = Array.from(d.read(block), (g, i) => g ^ data[i]!);
      expect(diff).toEqual(Array.from(data, (_, i) => (i === bit >> 3 ? 1 << (bit & 7) : 0)));
      expect(notes).toEqual([{ disk: 'd', kind: 'flip', block, detail: `bit ${bit}` }]);
      d.write(block, data);
      expect(d.read(block)).toEqual(data);
    }), { seed: 1, numRuns: 200 });
  });

  it('disarm and crash remove an armed fault', () => {
    const { d, notes } = disk();
    d.arm({ kind: 'lost', pick: 0 });
    d.disarm();
    d.write(0, fill(1));
    d.flush();
    d.arm({ kind: 'lost', pick: 0 });
    d.crash(0);
    d.write(1, fill(2));
    expect([d.read(0), d.read(1)]).toEqual([fill(1), fill(2)]);
    expect(notes).toEqual([]);
  });
});

const link = (ordered: boolean, capacity = 8): Link<string> => new Link<string>({ name: 'l', from: 'a', to: 'b', ordered, capacity });

describe('Link', () => {
  it('an ordered link delivers FIFO whatever the pick, and waits on a delayed head', () => {
    const l = link(true);
    for (const m of ['a', 'b', 'c']) l.send(m, 0);
    expect(l.deliver(2, 0)).toBe('a');
    expect(l.delay(0, 5, 0)).toBe('b');
    expect([l.deliver(1, 4), l.deliver(0, 5), l.deliver(7, 5), l.deliver(0, 5)]).toEqual([undefined, 'b', 'c', undefined]);
  });

  it('an unordered link delivers the pick-th message mod count, skipping delayed ones', () => {
    const l = link(false);
    for (const m of ['a', 'b', 'c', 'd']) l.send(m, 0);
    expect(l.peek(5, 0)).toBe('b');
    expect(l.deliver(5, 0)).toBe('b');
    expect(l.messages()).toEqual(['a', 'c', 'd']);
    l.delay(2, 3, 0);
    expect([l.deliver(2, 2), l.deliver(1, 2), l.deliver(0, 2), l.deliver(0, 3)]).toEqual(['a', 'c', undefined, 'd']);
  });

  it('drop, duplicate and delay act on the pick-th message', () => {
    const l = link(false, 3);
    l.send('a', 0);
    l.send('b', 0);
    expect(l.at(3)).toBe('b');
    expect(l.duplicate(3, 0)).toBe('b');
    expect(l.messages()).toEqual(['a', 'b', 'b']);
    expect(l.duplicate(0, 0)).toBeUndefined();
    expect(l.drop(4)).toBe('b');
    expect(l.messages()).toEqual(['a', 'b']);
    expect(l.delay(0, 10, 1)).toBe('a');
    expect([l.deliver(0, 10), l.deliver(0, 10), l.deliver(0, 11)]).toEqual(['b', undefined, 'a']);
    expect([l.drop(0), l.at(0), l.delay(0, 1, 0), l.duplicate(0, 0)]).toEqual([undefined, undefined, undefined, undefined]);
  });

  it('a partition loses sends and delivers nothing; heal delivers what is still in flight', () => {
    const l = link(true);
    l.send('a', 0);
    l.partitioned = true;
    expect([l.send('b', 0), l.lostOnSend, l.deliver(0, 0), l.peek(0, 0), l.inFlight]).toEqual([false, 1, undefined, undefined, 1]);
    l.partitioned = false;
    expect([l.deliver(0, 0), l.inFlight]).toEqual(['a', 0]);
  });

  it('a full flight loses sends and counts them', () => {
    const l = link(true, 2);
    expect([l.send('a', 0), l.send('b', 0), l.send('c', 0), l.send('d', 0)]).toEqual([true, true, false, false]);
    expect([l.lostOnSend, l.messages()]).toEqual([2, ['a', 'b']]);
  });
});

describe('World', () => {
  function world() {
    const w = new World();
    const calls: string[] = [];
    const got: string[] = [];
    const a = w.addNode('a', { crashed: () => calls.push('a crashed'), restarted: () => calls.push('a restarted') });
    const b = w.addNode('b', { crashed: () => calls.push('b crashed'), restarted: () => calls.push('b restarted') });
    const disk = w.addDisk(b, { name: 'bd', blockCount: 4, blockSize_bytes: SIZE });
    const l = w.addLink<string>({ name: 'a->b', from: 'a', to: 'b', ordered: true, capacity: 4 }, (m) => got.push(m));
    return { w, a, b, disk, l, calls, got };
  }

  it('delivers to an up node, loses with a note when it is down', () => {
    const { w, l, got } = world();
    l.send('m1', 0);
    l.send('m2', 0);
    expect([w.deliver('a->b', 0), got]).toEqual([true, ['m1']]);
    w.crash('b', 0);
    expect([w.deliver('a->b', 0), got, l.inFlight]).toEqual([true, ['m1'], 0]);
    expect(w.drainNotes()).toEqual([{ text: 'message on a->b lost: b is down', node: 'b' }]);
    expect(w.deliver('a->b', 0)).toBe(false);
  });

  it('crash calls the hook and crashes the disks; restart calls restarted; repeats return false', () => {
    const { w, b, disk, calls } = world();
    disk.write(1, fill(5));
    disk.write(2, fill(6));
    expect(w.crash('b', 0b0001)).toBe(true);
    expect([b.up, disk.readDurable(1), disk.readDurable(2)]).toEqual([false, fill(5), fill(0)]);
    expect(w.drainNotes().map((n) => n.text)).toEqual(['lost-on-crash write on disk bd block 2']);
    expect([w.crash('b', 0), w.restart('a'), w.restart('b'), w.restart('b')]).toEqual([false, false, true, false]);
    expect(calls).toEqual(['b crashed', 'b restarted']);
  });

  it('notes armed faults on its disks and rejects unknown or duplicate names', () => {
    const { w, a, disk } = world();
    disk.arm({ kind: 'misdirected', pick: 0 });
    disk.write(3, fill(1));
    expect(w.drainNotes().map((n) => n.text)).toEqual(['misdirected write on disk bd block 3 (landed on block 0)']);
    expect(w.drainNotes()).toEqual([]);
    expect(() => w.addNode('a', { crashed() {}, restarted() {} })).toThrow(/exists/);
    expect(() => w.addDisk(a, { name: 'bd', blockCount: 1, blockSize_bytes: SIZE })).toThrow(/exists/);
    expect(() => w.deliver('nope', 0)).toThrow(/no link/);
    expect(() => w.node('c')).toThrow(/no node/);
  });
});
