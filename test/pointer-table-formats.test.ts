import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_POINTER_TABLE_CONFIG, physicalBlocksOf } from '../impl/pointer-table/context.ts';
import { decodeRecord, encodeRecord, RECORD_BYTES, RECORD_DATA_BYTES, type BufferRecord } from '../impl/pointer-table/record.ts';
import { ControlStorage } from '../impl/pointer-table/storage.ts';
import {
  decodeFreeList, decodeHeader, decodeLink, EMPTY_BLOCK, encodeFreeList, encodeHeader, encodeLink, newestLinks, type Link,
} from '../impl/pointer-table/table.ts';
import { initHash } from '../impl/sim/hash.ts';
import { World } from '../impl/sim/world.ts';

beforeAll(async () => {
  await initHash();
});

const u32 = fc.nat({ max: 0xffff_ffff });
const update = fc.record({
  kind: fc.constant('update' as const), seq: u32, group: u32, volume: fc.nat({ max: 255 }), block: fc.nat({ max: 0xffff }),
  data: fc.uint8Array({ minLength: RECORD_DATA_BYTES, maxLength: RECORD_DATA_BYTES }),
});
const close = fc.record({ kind: fc.constant('close' as const), seq: u32, group: u32, counts: fc.array(u32, { minLength: 3, maxLength: 3 }) });
const link = fc.record({ virtual: u32, group: u32, seq: u32, physical: u32, dataHash: u32 });

describe('primary update buffer record', () => {
  it('round-trips updates and closes', () => {
    fc.assert(fc.property(fc.oneof(update, close), (r: BufferRecord) => {
      const bytes = encodeRecord(r);
      expect(bytes.length).toBe(RECORD_BYTES);
      expect(decodeRecord(bytes, r.seq, 3)).toEqual(r);
    }), { seed: 1, numRuns: 200 });
  });

  it('rejects a flipped bit, a torn slot, another seq and an empty slot', () => {
    fc.assert(fc.property(fc.oneof(update, close), fc.nat({ max: RECORD_BYTES * 8 - 1 }), (r: BufferRecord, bit) => {
      const bytes = encodeRecord(r);
      const flipped = bytes.slice();
      flipped[bit >> 3]! ^= 1 << (bit & 7);
      expect(decodeRecord(flipped, r.seq, 3)).toBeNull();
      const torn = bytes.slice();
      torn.fill(0xa5, RECORD_BYTES / 2);
      expect(decodeRecord(torn, r.seq, 3)).toBeNull();
      expect(decodeRecord(bytes, (r.seq + 1) >>> 0, 3)).toBeNull();
    }), { seed: 2, numRuns: 200 });
    expect(decodeRecord(new Uint8Array(RECORD_BYTES), 0, 3)).toBeNull();
  });
});

describe('pointer-table entries, header and free list', () => {
  it('round-trip; an empty or torn entry is no link', () => {
    fc.assert(fc.property(link, (l: Link) => {
      const bytes = encodeLink(l);
      expect(decodeLink(bytes)).toEqual(l);
      const torn = bytes.slice();
      torn.fill(0xa5, 16);
      expect(decodeLink(torn)).toBeNull();
    }), { seed: 3, numRuns: 200 });
    expect(decodeLink(EMPTY_BLOCK)).toBeNull();
  });

  it('a header never written means group 0', () => {
    expect(decodeHeader(new Uint8Array(32))).toBe(0);
    expect(decodeHeader(encodeHeader(7))).toBe(7);
  });

  it('the free list round-trips and a free list never written means every block free', () => {
    fc.assert(fc.property(fc.uint8Array({ minLength: 20, maxLength: 20, max: 1 }), (free) => {
      const out = new Uint8Array(20);
      decodeFreeList(encodeFreeList(free), out);
      expect([...out]).toEqual([...free]);
    }), { seed: 4, numRuns: 100 });
    const out = new Uint8Array(20);
    decodeFreeList(new Uint8Array(32), out);
    expect([...out]).toEqual(new Array(20).fill(1));
  });

  it('newest links: the latest group, then the latest update, at or below the group asked for', () => {
    const l = (virtual: number, group: number, seq: number): Link => ({ virtual, group, seq, physical: seq, dataHash: 0 });
    const links = [l(0, 1, 1), l(0, 2, 5), l(0, 2, 3), l(1, 3, 6), null, l(0, 3, 7)];
    const out = new Int32Array(3);
    newestLinks(links, 2, out);
    expect([...out]).toEqual([1, -1, -1]);
    newestLinks(links, 3, out);
    expect([...out]).toEqual([5, 3, -1]);
    newestLinks(links, 0, out);
    expect([...out]).toEqual([-1, -1, -1]);
  });
});

describe('control storage invariants', () => {
  function storage(): ControlStorage {
    const world = new World();
    const node = world.addNode('control-1', { crashed: () => {}, restarted: () => {} });
    return new ControlStorage(world, node, 'control-1', DEFAULT_POINTER_TABLE_CONFIG);
  }
  const data = new Uint8Array(32).fill(9);

  it('has one physical block per virtual block plus one per update in the window', () => {
    expect(storage().physicalBlocks).toBe(physicalBlocksOf(DEFAULT_POINTER_TABLE_CONFIG));
  });

  it('never stores over a linked block, never links a block twice, never releases one twice', () => {
    const s = storage();
    s.allocate(0);
    s.writeData(0, data);
    s.link({ virtual: 0, group: 1, seq: 1, physical: 0, dataHash: 0 });
    s.check();
    expect(() => s.allocate(0)).toThrow(/never be stored over a linked block/);
    expect(() => s.link({ virtual: 1, group: 1, seq: 2, physical: 0, dataHash: 0 })).toThrow(/linked twice/);
    expect(() => s.release(0)).toThrow(/released while linked/);
    s.unlink(0);
    s.release(0);
    expect(() => s.release(0)).toThrow(/released twice/);
    s.check();
  });

  it('sees a leaked block and a block both free and linked', () => {
    const s = storage();
    s.allocate(3);
    expect(() => s.check()).toThrow(/physical block 3 leaked/);
    s.writeData(3, data);
    s.link({ virtual: 0, group: 1, seq: 1, physical: 3, dataHash: 0 });
    s.free[3] = 1;
    expect(() => s.check()).toThrow(/both free and linked/);
  });

  it('recovery rebuilds from durable state and refuses a durable link to a durably free block', () => {
    const s = storage();
    s.allocate(2);
    s.writeData(2, data);
    s.link({ virtual: 1, group: 1, seq: 4, physical: 2, dataHash: 0 });
    s.writeCommittedGroup(1);
    s.load();
    expect(s.committedGroup).toBe(1);
    expect(s.links[0]).toEqual({ virtual: 1, group: 1, seq: 4, physical: 2, dataHash: 0 });
    expect(s.free[2]).toBe(0);
    s.check();
    s.freeList.write(0, encodeFreeList(new Uint8Array(s.physicalBlocks).fill(1)));
    s.freeList.flush();
    expect(() => s.load()).toThrow(/both free and linked/);
  });
});
