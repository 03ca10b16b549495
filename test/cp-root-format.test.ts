import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  addressOf, BLOCK_BYTES, checksumOk, dataOf, decodeRoot, encodeAddressBlock, encodeDataBlock, encodeRoot, indexOf, KIND_ADDRESS,
  KIND_DATA, kindOf, pointerAddress, pointerPoint, pointOf, ROOT_BYTES, rootFields, slotState, type RootNode,
} from '../impl/cp-root/block.ts';
import { DEFAULT_CP_ROOT_CONFIG as CONFIG } from '../impl/cp-root/context.ts';
import { decodeRecord, encodeRecord } from '../impl/cp-root/nvram.ts';
import { NEW_ADDRESS_BLOCK, planPoint } from '../impl/cp-root/point.ts';
import { Tree, walkTree } from '../impl/cp-root/tree.ts';
import { initHash } from '../impl/sim/hash.ts';

beforeAll(async () => {
  await initHash();
});

const data32 = (byte: number): Uint8Array => new Uint8Array(32).fill(byte);
const ZERO = new Uint8Array(32);
const flipped = (bytes: Uint8Array, bit: number): Uint8Array => {
  const out = bytes.slice();
  out[bit >> 3] = out[bit >> 3]! ^ (1 << (bit & 7));
  return out;
};

describe('block and root formats', () => {
  it('a data block names its kind, logical block, address and point, and holds the data', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 63 }), fc.nat({ max: 0xffff_ffff }), fc.nat({ max: 15 }), fc.uint8Array({ minLength: 32, maxLength: 32 }),
      (address, point, logical, data) => {
        const b = encodeDataBlock(address, point, logical, data);
        expect([b.length, kindOf(b), indexOf(b), addressOf(b), pointOf(b), checksumOk(b)]).toEqual([BLOCK_BYTES, KIND_DATA, logical, address, point, true]);
        expect(dataOf(b, 32)).toEqual(data);
        expect(dataOf(b, 32)).toBe(dataOf(b, 32));
      }), { seed: 1, numRuns: 100 });
  });

  it('an address block holds one pointer (address, point) per block of its volume', () => {
    const addr = Uint16Array.from([0, 5, 0, 0, 0, 0, 0, 9, 3, 0, 0, 0, 0, 0, 0, 0]);
    const pts = Uint32Array.from([0, 7, 0, 0, 0, 0, 0, 2, 4, 0, 0, 0, 0, 0, 0, 0]);
    const b = encodeAddressBlock(12, 7, 0, addr, pts, 0, 8);
    expect([kindOf(b), indexOf(b), addressOf(b), pointOf(b)]).toEqual([KIND_ADDRESS, 0, 12, 7]);
    expect([0, 1, 7].map((i) => [pointerAddress(b, i), pointerPoint(b, i)])).toEqual([[0, 0], [5, 7], [9, 2]]);
  });

  it('every single flipped bit of a data block, an address block or a root is detected', () => {
    const root = encodeRoot({ point: 3, lastSeq: 9, volAddr: [4, 0], volPoint: [3, 0] });
    for (const bytes of [encodeDataBlock(3, 2, 5, data32(7)), encodeAddressBlock(4, 3, 0, [0, 3], [0, 2], 0, 2), root]) {
      const missed: number[] = [];
      for (let bit = 0; bit < bytes.length * 8; bit++) if (checksumOk(flipped(bytes, bit))) missed.push(bit);
      expect(missed).toEqual([]);
    }
    for (let bit = 0; bit < ROOT_BYTES * 8; bit++) expect(decodeRoot(flipped(root, bit), 2)).toBeNull();
  });

  it('a root round-trips; a never-written slot is empty', () => {
    const r: RootNode = { point: 5, lastSeq: 21, volAddr: [17, 0], volPoint: [5, 0] };
    expect(decodeRoot(encodeRoot(r), 2)).toEqual(r);
    expect([slotState(new Uint8Array(ROOT_BYTES)), decodeRoot(new Uint8Array(ROOT_BYTES), 2)]).toEqual(['empty', null]);
    expect(slotState(encodeRoot(r))).toBe('intact');
  });

  it('a torn root (first half new, rest old) fails its checksum; its raw fields mix a new point with old pointers', () => {
    const older = encodeRoot({ point: 2, lastSeq: 6, volAddr: [3, 8], volPoint: [1, 2] });
    const newer = encodeRoot({ point: 4, lastSeq: 12, volAddr: [20, 22], volPoint: [4, 4] });
    const torn = older.slice();
    torn.set(newer.subarray(0, ROOT_BYTES / 2), 0);
    expect([slotState(torn), decodeRoot(torn, 2)]).toEqual(['torn', null]);
    expect(rootFields(torn, 2)).toEqual({ point: 4, lastSeq: 12, volAddr: [3, 8], volPoint: [1, 2] });
  });
});

describe('NVRAM records', () => {
  it('round-trip, and a stale slot (another sequence number) or a flipped bit reads as nothing', () => {
    const w = encodeRecord({ kind: 'write', seq: 33, volume: 1, block: 6, data: data32(9) });
    expect(decodeRecord(w, 33, 32)).toEqual({ kind: 'write', seq: 33, volume: 1, block: 6, data: data32(9) });
    expect(decodeRecord(encodeRecord({ kind: 'point', seq: 34, point: 7 }), 34, 32)).toEqual({ kind: 'point', seq: 34, point: 7 });
    expect(decodeRecord(w, 1, 32)).toBeNull();
    for (let bit = 0; bit < 64 * 8; bit++) expect(decodeRecord(flipped(w, bit), 33, 32)).toBeNull();
    expect(decodeRecord(new Uint8Array(64), 0, 32)).toBeNull();
  });
});

/** Blocks of a small tree: volume 0 block 1 at address 3, volume 0's address block at 4; volume 1 empty. */
function smallTree(): { root: RootNode; disk: Map<number, Uint8Array> } {
  const dataAddr = new Uint16Array(16);
  const dataPoint = new Uint32Array(16);
  dataAddr[1] = 3;
  dataPoint[1] = 2;
  const disk = new Map<number, Uint8Array>([[3, encodeDataBlock(3, 2, 1, data32(5))], [4, encodeAddressBlock(4, 2, 0, dataAddr, dataPoint, 0, 8)]]);
  return { root: { point: 2, lastSeq: 4, volAddr: [4, 0], volPoint: [2, 0] }, disk };
}

const walk = (root: RootNode | null, disk: Map<number, Uint8Array>, image?: Uint8Array[]) =>
  walkTree(root, CONFIG, { read: (a) => disk.get(a) ?? new Uint8Array(BLOCK_BYTES), reached: new Uint8Array(64), image }, ZERO);

describe('tree walk: a tree is well formed before anyone uses it', () => {
  it('reads the image and marks every block reached', () => {
    const { root, disk } = smallTree();
    const image: Uint8Array[] = [];
    const reached = new Uint8Array(64);
    const tree = walkTree(root, CONFIG, { read: (a) => disk.get(a)!, reached, image }, ZERO);
    expect([tree.point, tree.volAddr[0], tree.dataAddr[1], tree.dataPoint[1]]).toEqual([2, 4, 3, 2]);
    expect([...reached.keys()].filter((a) => reached[a] === 1)).toEqual([3, 4]);
    expect(image.length).toBe(16);
    expect(image[1]).toEqual(data32(5));
    expect(image.filter((b) => b === ZERO).length).toBe(15);
    expect(walk(null, disk).point).toBe(0);
  });

  it('refuses a block referenced twice, a pointer out of range, a stale block, a corrupted block', () => {
    const { root, disk } = smallTree();
    const addr = new Uint16Array(16);
    const pts = new Uint32Array(16);
    addr[1] = 4;
    pts[1] = 2;
    const loop = new Map(disk).set(4, encodeAddressBlock(4, 2, 0, addr, pts, 0, 8));
    expect(() => walk(root, loop)).toThrow(/block 4 referenced twice/);
    expect(() => walk({ ...root, volAddr: [64, 0] }, disk)).toThrow(/block 64 out of range/);
    const stale = new Map(disk).set(3, encodeDataBlock(3, 1, 1, data32(5)));
    expect(() => walk(root, stale)).toThrow(/block 3 \(data block of logical 1, point 2\) holds kind 1 point 1/);
    const corrupt = new Map(disk).set(3, flipped(disk.get(3)!, 200));
    expect(() => walk(root, corrupt)).toThrow(/block 3 .* holds a bad checksum/);
  });
});

describe('point plan: copy-on-write allocation', () => {
  const dirtyOf = (entries: [number, number][]) => {
    const dirty = new Int32Array(16).fill(-1);
    for (const [l, seq] of entries) dirty[l] = seq;
    return dirty;
  };

  it('writes one new block per modified data block and one per volume above them, never a pinned one', () => {
    const { root, disk } = smallTree();
    const base = walk(root, disk);
    const pinned = new Uint8Array(64);
    base.mark(pinned);
    pinned[1] = 1;
    const plan = planPoint(base, 3, 9, dirtyOf([[1, 7], [2, 8], [9, 5]]), pinned, CONFIG, NEW_ADDRESS_BLOCK);
    expect(plan.blocks.map((b) => [b.kind, b.index, b.address])).toEqual([
      [KIND_DATA, 1, 2], [KIND_DATA, 2, 5], [KIND_ADDRESS, 0, 6], [KIND_DATA, 9, 7], [KIND_ADDRESS, 1, 8]]);
    expect([plan.batches, plan.tree.point, plan.tree.lastSeq, plan.tree.volAddr[0], plan.tree.dataAddr[1]]).toEqual([2, 3, 9, 6, 2]);
    expect([base.volAddr[0], base.dataAddr[1]]).toEqual([4, 3]);
  });

  it('an address block placed where the base tree still has it is refused (no block both free and reachable)', () => {
    const { root, disk } = smallTree();
    const base = walk(root, disk);
    const inPlace = (v: number, b: Tree, allocate: () => number) => b.volAddr[v] || allocate();
    expect(() => planPoint(base, 3, 9, dirtyOf([[1, 7]]), new Uint8Array(64), CONFIG, inPlace))
      .toThrow(/point 3 writes block 4 in place, but root 2 still reaches it/);
  });

  it('runs out of blocks loudly', () => {
    const pinned = new Uint8Array(64).fill(1);
    expect(() => planPoint(Tree.empty(CONFIG), 1, 2, dirtyOf([[0, 1]]), pinned, CONFIG, NEW_ADDRESS_BLOCK)).toThrow(/no free block for point 1/);
  });
});
