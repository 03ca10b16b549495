import { beforeAll, describe, expect, it } from 'vitest';
import { initHash } from '../impl/sim/hash.ts';
import type { AppWrite, Image } from '../impl/sim/system.ts';
import { blockText, imageText, writeData } from '../properties/appdata.ts';
import { ConsistencyOracle, imageDigest, sameImage } from '../properties/oracle.ts';

const GEOMETRY = { volumes: 2, blocksPerVolume: 4, blockSize_bytes: 8 };
const BLOCKS = GEOMETRY.volumes * GEOMETRY.blocksPerVolume;

beforeAll(async () => {
  await initHash();
});

/** Write number `id` (1-based position in the history) to one block. */
function w(id: number, volume: number, block: number): AppWrite {
  return { volume, block, data: writeData(id, volume, block, GEOMETRY.blockSize_bytes) };
}

const zeroImage = (): Uint8Array[] => Array.from({ length: BLOCKS }, () => new Uint8Array(GEOMETRY.blockSize_bytes));

/** P_k for `writes`, built by hand (fresh arrays, so comparison is by contents). */
function image(writes: readonly AppWrite[]): Uint8Array[] {
  const out = zeroImage();
  for (const x of writes) out[x.volume * GEOMETRY.blocksPerVolume + x.block] = x.data.slice();
  return out;
}

/** History: w1 v0b0, point 1 (k=1), w2 v1b0, w3 v0b1, point 2 (k=3), w4 v1b3, point 3 (k=4). */
const W = [w(1, 0, 0), w(2, 1, 0), w(3, 0, 1), w(4, 1, 3)];

function oracleWithPoints(): ConsistencyOracle {
  const o = new ConsistencyOracle(GEOMETRY);
  o.acknowledge(W[0]!);
  expect(o.pointTaken(1)).toBe(true);
  o.acknowledge(W[1]!);
  o.acknowledge(W[2]!);
  expect(o.pointTaken(2)).toBe(true);
  o.acknowledge(W[3]!);
  expect(o.pointTaken(3)).toBe(true);
  return o;
}

const P = (k: number): Uint8Array[] => image(W.slice(0, k));

describe('ConsistencyOracle verdicts', () => {
  it('judges the initial zero image consistent at k=0', () => {
    const o = new ConsistencyOracle(GEOMETRY);
    expect(o.check(zeroImage())).toEqual({ ok: true, k: 0 });
    expect([o.historyLength, o.newestBoundary, o.judgedK]).toEqual([0, 0, 0]);
  });

  it('accepts P_k at each boundary, in order', () => {
    const o = oracleWithPoints();
    expect([o.kOf(1), o.kOf(2), o.kOf(3), o.kOf(4)]).toEqual([1, 3, 4, undefined]);
    expect([o.historyLength, o.newestBoundary]).toEqual([4, 4]);
    expect(o.check(P(0))).toEqual({ ok: true, k: 0 });
    expect(o.check(P(1))).toEqual({ ok: true, k: 1 });
    expect(o.check(P(3))).toEqual({ ok: true, k: 3 });
    expect(o.check(P(4))).toEqual({ ok: true, k: 4 });
    expect(o.judgedK).toBe(4);
  });

  it('accepts P_1 right after pointTaken(1)', () => {
    const o = new ConsistencyOracle(GEOMETRY);
    o.acknowledge(W[0]!);
    o.pointTaken(1);
    expect(o.check(P(1))).toEqual({ ok: true, k: 1 });
  });

  it('refuses a torn consistency group (writes of two points mixed) as always-consistent', () => {
    const o = oracleWithPoints();
    // w1 and w3 but not w2: between boundaries k=1 and k=3, and not an intermediate prefix either.
    const torn = image([W[0]!, W[2]!]);
    const v = o.check(torn);
    expect(v).toMatchObject({ ok: false, property: 'always-consistent', k: -1, expectedK: 0 });
    expect(v.ok ? null : sameImage(v.expected, P(0))).toBe(true);
    expect(o.judgedK).toBe(0);
  });

  it('refuses an intermediate prefix that is not a boundary', () => {
    const o = oracleWithPoints();
    expect(o.check(P(2))).toMatchObject({ ok: false, property: 'always-consistent', k: -1 });
  });

  it('refuses going back to an older boundary as always-monotone', () => {
    const o = oracleWithPoints();
    expect(o.check(P(3))).toEqual({ ok: true, k: 3 });
    const v = o.check(P(1));
    expect(v).toMatchObject({ ok: false, property: 'always-monotone', k: 1, expectedK: 3 });
    expect(v.ok ? null : sameImage(v.expected, P(3))).toBe(true);
    expect(o.check(P(3))).toEqual({ ok: true, k: 3 });
  });

  it('refuses an image older than a committed point as always-durable', () => {
    const o = oracleWithPoints();
    expect(o.pointCommitted(2)).toBe(true);
    expect(o.pointCommitted(9)).toBe(false);
    expect(o.durableFloor).toBe(3);
    expect(o.check(P(1))).toMatchObject({ ok: false, property: 'always-durable', k: 1, expectedK: 3 });
    expect(o.check(P(0))).toMatchObject({ ok: false, property: 'always-durable', k: 0, expectedK: 3 });
    expect(o.check(P(3))).toEqual({ ok: true, k: 3 });
  });

  it('refuses a boundary image with one corrupted byte although every other block matches', () => {
    const o = oracleWithPoints();
    const bad = P(3);
    const block = bad[1]!.slice();
    block[6] = block[6]! ^ 0x40;
    bad[1] = block;
    expect(bad.filter((b, i) => sameImage([b], [P(3)[i]!])).length).toBe(BLOCKS - 1);
    expect(o.check(bad)).toMatchObject({ ok: false, property: 'always-consistent', k: -1 });
  });

  it('treats two points with no writes between as one boundary', () => {
    const o = new ConsistencyOracle(GEOMETRY);
    o.acknowledge(W[0]!);
    o.pointTaken(1);
    o.pointTaken(2);
    expect(o.pointTaken(2)).toBe(false);
    expect([o.kOf(1), o.kOf(2)]).toEqual([1, 1]);
    expect(o.check(P(1))).toEqual({ ok: true, k: 1 });
    expect(o.check(P(1))).toEqual({ ok: true, k: 1 });
    o.pointCommitted(2);
    expect(o.check(P(1))).toEqual({ ok: true, k: 1 });
  });

  it('compares exactly when digests collide: a different image with a boundary digest is refused', () => {
    const o = new ConsistencyOracle(GEOMETRY);
    o.acknowledge(W[0]!);
    o.pointTaken(1);
    const [x, y] = digestCollision(P(1));
    const forged = zeroImage();
    forged[0] = x;
    forged[1] = y;
    expect(imageDigest(forged)).toBe(imageDigest(P(1)));
    expect(sameImage(forged, P(1))).toBe(false);
    expect(o.check(forged)).toMatchObject({ ok: false, property: 'always-consistent', k: -1 });
    expect(o.check(P(1))).toEqual({ ok: true, k: 1 });
  });
});

/** Blocks x, y with digest([x, y, 0...]) = digest(target) (meet in the middle over 2^17 + 2^17). */
function digestCollision(target: Image): [Uint8Array, Uint8Array] {
  const block = (tag: number, n: number): Uint8Array => {
    const b = new Uint8Array(GEOMETRY.blockSize_bytes);
    new DataView(b.buffer).setUint32(0, n);
    b[7] = tag;
    return b;
  };
  const base = zeroImage();
  const at = (x: Uint8Array, y: Uint8Array): number => {
    base[0] = x;
    base[1] = y;
    return imageDigest(base);
  };
  const zero = new Uint8Array(GEOMETRY.blockSize_bytes);
  const want = imageDigest(target);
  const byX = new Map<number, number>();
  for (let n = 0; n < 1 << 17; n++) byX.set(at(block(1, n), zero), n);
  const zz = at(zero, zero);
  for (let n = 0; n < 1 << 17; n++) {
    const y = block(2, n);
    // digest(x, y) = digest(x, 0) + digest(0, y) - digest(0, 0)  (mod 2^32)
    const needX = (want - at(zero, y) + zz) >>> 0;
    const xn = byX.get(needX);
    if (xn !== undefined) return [block(1, xn), y];
  }
  throw new Error('no digest collision found');
}

describe('imageDigest and sameImage', () => {
  it('equal contents in distinct arrays: equal digests and sameImage', () => {
    expect(imageDigest(P(3))).toBe(imageDigest(P(3)));
    expect(sameImage(P(3), P(3))).toBe(true);
    expect(imageDigest(P(3))).not.toBe(imageDigest(P(4)));
  });

  it('moving a block to another position changes the digest and the comparison', () => {
    const a = image([W[0]!]);
    const moved = zeroImage();
    moved[1] = a[0]!;
    expect(imageDigest(moved)).not.toBe(imageDigest(a));
    expect(sameImage(moved, a)).toBe(false);
    const swapped = P(4);
    [swapped[0], swapped[4]] = [swapped[4]!, swapped[0]!];
    expect(imageDigest(swapped)).not.toBe(imageDigest(P(4)));
  });

  it('sameImage refuses different lengths and block sizes', () => {
    expect(sameImage(P(1), P(1).slice(1))).toBe(false);
    expect(sameImage([new Uint8Array(8)], [new Uint8Array(4)])).toBe(false);
    expect(sameImage([], [])).toBe(true);
  });
});

describe('blockText and imageText', () => {
  it('names zero blocks, intact writes and corrupted writes', () => {
    expect(blockText(new Uint8Array(8), 0, 0)).toBe('-');
    expect(blockText(writeData(7, 1, 2, 8), 1, 2)).toBe('w7');
    const bad = writeData(7, 1, 2, 8);
    bad[7] = bad[7]! ^ 1;
    expect(blockText(bad, 1, 2)).toBe('w7!');
    expect(blockText(writeData(7, 1, 2, 8), 1, 3)).toBe('w7!');
    expect(blockText(writeData(0, 0, 0, 8), 0, 0)).toBe('w0');
  });

  it('prints one bracket per volume', () => {
    expect(imageText(zeroImage(), 4)).toBe('v0[- - - -] v1[- - - -]');
    const img = P(4);
    img[2] = writeData(9, 0, 3, 8);
    expect(imageText(img, 4)).toBe('v0[w1 w3 w9! -] v1[w2 - - w4]');
  });
});
