/** Unit tests of flashcopy's binary formats and invariants: bitmaps, metadata slots, the failover image. */
import { beforeAll, describe, expect, it } from 'vitest';
import { bitmapOf, bitmapText, lowestBlock } from '../impl/flashcopy/bitmap.ts';
import { MetaStore } from '../impl/flashcopy/metadata.ts';
import { FlashCopySystem } from '../impl/flashcopy/system.ts';
import { Disk, type WriteFaultKind } from '../impl/sim/disk.ts';
import { initHash } from '../impl/sim/hash.ts';
import type { AppWrite, Application, ProtocolEvent } from '../impl/sim/system.ts';
import { writeData, writeIdOf } from '../properties/appdata.ts';

beforeAll(async () => {
  await initHash();
});

const metaDisk = () => new Disk({ name: 'meta', blockCount: 2, blockSize_bytes: 32 });

describe('flashcopy bitmaps', () => {
  it('round-trips masks through their text form', () => {
    for (const mask of [0, 1, 0b101001, 0xff, 0xffff]) expect(bitmapOf(bitmapText(mask))).toBe(mask);
    expect(bitmapText(0b101001)).toBe('{0,3,5}');
    expect(bitmapText(0)).toBe('{}');
  });

  it('rejects text that is not a bitmap', () => {
    for (const text of ['', '{', '{3,0}', '{0,0}', '{16}', '{a}', '0,3']) expect(bitmapOf(text)).toBeNaN();
  });

  it('finds the lowest block set', () => {
    expect(lowestBlock(0)).toBe(-1);
    expect(lowestBlock(0b1000)).toBe(3);
    expect(lowestBlock(0b1010_0000)).toBe(5);
  });
});

describe('flashcopy metadata slots', () => {
  it('alternates slots by generation and recovers the newest record', () => {
    const disk = metaDisk();
    const store = new MetaStore(disk, 3);
    store.write([1, 2, 3]);
    store.write([4, 5, 6]);
    expect(disk.readDurable(0)).not.toEqual(disk.readDurable(1));
    expect(new MetaStore(disk, 3).recover()).toEqual([4, 5, 6]);
    expect(store.readDurable()).toEqual([4, 5, 6]);
  });

  it('a disk never written recovers as no record', () => {
    expect(new MetaStore(metaDisk(), 2).recover()).toBeNull();
  });

  it.each<WriteFaultKind>(['torn', 'lost', 'misdirected', 'flip'])('a %s write is caught by the read-back and rewritten', (kind) => {
    const disk = metaDisk();
    const store = new MetaStore(disk, 2);
    store.write([7, 8]);
    disk.arm({ kind, pick: 37 });
    store.write([9, 10]);
    expect(new MetaStore(disk, 2).recover()).toEqual([9, 10]);
    expect(store.readDurable()).toEqual([9, 10]);
  });

  it('falls back to the older slot when the newest is corrupted behind its back', () => {
    const disk = metaDisk();
    const store = new MetaStore(disk, 2);
    store.write([1, 1]);
    store.write([2, 2]);
    disk.arm({ kind: 'flip', pick: 5 });
    disk.write(0, disk.read(0));
    disk.flush();
    expect(new MetaStore(disk, 2).recover()).toEqual([1, 1]);
  });

  it('refuses values that are not u32 and records that do not fit', () => {
    expect(() => new MetaStore(metaDisk(), 2).write([-1, 0])).toThrow(/field 0/);
    expect(() => new MetaStore(metaDisk(), 6)).toThrow(/do not fit/);
  });
});

/** A system with a recording application; `write(block)` issues a unique write to the source. */
function system() {
  const acked: number[] = [];
  const points: string[] = [];
  const events: ProtocolEvent[] = [];
  const app: Application = {
    acknowledged: (w: AppWrite) => acked.push(writeIdOf(w.data)),
    pointTaken: (p) => points.push(`taken ${p} at ${acked.length}`),
    pointCommitted: (p) => points.push(`committed ${p}`),
  };
  const s = new FlashCopySystem(app, (e) => events.push(e));
  let id = 0;
  const write = (block: number, host = 0) => s.write(host, { volume: 0, block, data: writeData(++id, 0, block, 32) });
  const deliverAll = () => {
    for (const link of [s.toTarget, s.toSource]) for (let n = 0; n < 64 && link.inFlight > 0; n++) s.world.deliver(link.name, 0);
  };
  /** Step and deliver until the point commits and the source knows it. */
  const cycle = () => {
    for (let n = 0; n < 20; n++) {
      s.step('source');
      deliverAll();
    }
  };
  return { s, acked, points, events, write, deliverAll, cycle };
}

const ids = (image: readonly Uint8Array[]) => image.map((b) => writeIdOf(b));

describe('flashcopy failover image', () => {
  it('is the target read through the committed relation, including blocks not yet copied', () => {
    const { s, points, write, cycle } = system();
    write(0);
    write(3, 1);
    cycle();
    expect(points).toEqual(['taken 1 at 2', 'committed 1']);
    // Nothing copied to the target yet: every block of point 1 is read from the second intermediate.
    expect(s.target.targetVolume.readDurable(0).every((x) => x === 0)).toBe(true);
    expect(ids(s.failoverImage())).toEqual([1, 0, 0, 2, 0, 0, 0, 0]);
    s.step('target');
    s.step('target');
    expect(s.step('target')).toBe(false);
    expect(ids(s.failoverImage())).toEqual([1, 0, 0, 2, 0, 0, 0, 0]);
  });

  it('stays at the committed point while the next cycle overwrites the second intermediate', () => {
    const { s, write, cycle, deliverAll } = system();
    write(0);
    cycle();
    write(0);
    write(1, 1);
    s.step('source'); // the commit is known: point 2 starts
    s.step('source');
    s.step('source');
    deliverAll(); // block 0 of point 2 reaches the second intermediate, after a copy-on-write to the target
    expect(writeIdOf(s.target.secondIntermediate.readDurable(0))).toBe(2);
    expect(ids(s.failoverImage())).toEqual([1, 0, 0, 0, 0, 0, 0, 0]);
    cycle();
    expect(ids(s.failoverImage())).toEqual([2, 3, 0, 0, 0, 0, 0, 0]);
  });

  it('is computed without changing any durable state', () => {
    const { s, write, cycle } = system();
    write(2);
    cycle();
    const stamp = s.failoverStamp();
    s.failoverImage();
    s.failoverImage();
    expect(s.failoverStamp()).toBe(stamp);
  });
});

describe('flashcopy update writes', () => {
  it('holds a write whose old data is not yet at both intermediates, copies it first, then lets it through', () => {
    const { s, acked, events, write, deliverAll } = system();
    write(4);
    s.step('source'); // point 1 starts with block 4
    expect(write(4)).toBe(true);
    expect(acked).toEqual([1]);
    expect(s.write(0, { volume: 0, block: 5, data: writeData(9, 0, 5, 32) })).toBe(false); // host 0 is busy
    s.step('source'); // copy-on-write: local half of block 4
    expect(acked).toEqual([1]);
    deliverAll();
    s.step('source');
    expect(acked).toEqual([1, 2]);
    expect(events.map((e) => e.type)).toEqual([
      'write.through', 'cycle.started', 'write.held', 'copy1.block', 'mirror.applied', 'mirror.acked', 'write.through',
    ]);
    expect(events[3]).toMatchObject({ block: 4, cow: 1 });
  });
});
