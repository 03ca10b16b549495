import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  checkBounds, checkSignatures, DATA_BYTES, decode, encode, kindOf, sequenceOf, SLOT_BYTES, type LogRecord,
} from '../impl/journal/record.ts';
import { readTransaction, redoWrites, sealTransaction, type Transaction } from '../impl/journal/transaction.ts';
import { initHash } from '../impl/sim/hash.ts';
import { sealFields, unsealFields } from '../impl/sim/sealed.ts';

const BOUNDS = { volumes: 2, blocksPerVolume: 4, blockSize_bytes: 8 };

beforeAll(async () => {
  await initHash();
});

const u32 = fc.nat({ max: 0xffff_ffff });
const writeRecord = fc.record({
  kind: fc.constant('write' as const),
  seq: u32,
  volume: fc.nat({ max: 255 }),
  block: fc.nat({ max: 0xffff }),
  data: fc.uint8Array({ minLength: 0, maxLength: DATA_BYTES }),
});
const pointRecord = fc.record({ kind: fc.constant('point' as const), seq: u32, point: u32, first: u32, last: u32 });

const data8 = (byte: number): Uint8Array => new Uint8Array(8).fill(byte);
const write = (seq: number, volume: number, block: number, data = data8(seq)): LogRecord => ({ kind: 'write', seq, volume, block, data });
const point = (seq: number, p: number, first: number, last: number): LogRecord => ({ kind: 'point', seq, point: p, first, last });

describe('log record encoding', () => {
  it('round-trips write and point records', () => {
    fc.assert(fc.property(fc.oneof(writeRecord, pointRecord), (r) => {
      const bytes = encode(r);
      expect(bytes.length).toBe(SLOT_BYTES);
      expect(checkSignatures(bytes)).toBeNull();
      expect(sequenceOf(bytes)).toBe(r.seq);
      expect(kindOf(bytes)).toBe(r.kind === 'write' ? 1 : 2);
      expect(decode(bytes)).toEqual(r);
    }), { seed: 1, numRuns: 200 });
  });

  it('decodes a record in a slot of a larger buffer (byteOffset)', () => {
    const log = new Uint8Array(3 * SLOT_BYTES);
    const r = write(7, 1, 3);
    log.set(encode(r), SLOT_BYTES);
    const slot = log.subarray(SLOT_BYTES, 2 * SLOT_BYTES);
    expect([checkSignatures(slot), checkBounds(slot, BOUNDS), sequenceOf(slot)]).toEqual([null, null, 7]);
    expect(decode(slot)).toEqual(r);
  });

  it('refuses data longer than a slot holds', () => {
    expect(() => encode(write(1, 0, 0, new Uint8Array(DATA_BYTES + 1)))).toThrow(/33 bytes/);
  });

  it('an all-zero slot is empty', () => {
    expect(checkSignatures(new Uint8Array(SLOT_BYTES))).toBe('empty');
  });

  it('a torn record (second half from another record) fails checkSignatures', () => {
    fc.assert(fc.property(writeRecord, writeRecord, fc.integer({ min: 1, max: SLOT_BYTES - 1 }), (a, b, cut) => {
      const ea = encode(a);
      const eb = encode(b);
      fc.pre(!ea.subarray(cut).every((x, i) => x === eb[cut + i]));
      const torn = ea.slice();
      torn.set(eb.subarray(cut), cut);
      expect(checkSignatures(torn)).not.toBeNull();
    }), { seed: 1, numRuns: 200 });
    const tornAt = (cut: number): Uint8Array => {
      const torn = encode(write(5, 0, 1));
      torn.set(encode(write(6, 1, 2)).subarray(cut), cut);
      return torn;
    };
    // Cut at 16: the content mixes both records. Cut at 32: content bytes 32..55 are zero padding
    // in both, so the content is record 5's and only the tail (from record 6) disagrees.
    expect([checkSignatures(tornAt(16)), checkSignatures(tornAt(32))]).toEqual(['head-signature', 'tail-signature']);
  });

  it('every single flipped bit of a write or point record is detected', () => {
    for (const r of [write(9, 1, 3), point(12, 2, 9, 11)]) {
      const good = encode(r);
      expect([checkSignatures(good), checkBounds(good, BOUNDS)]).toEqual([null, null]);
      const missed: number[] = [];
      for (let bit = 0; bit < SLOT_BYTES * 8; bit++) {
        const bad = good.slice();
        bad[bit >> 3] = bad[bit >> 3]! ^ (1 << (bit & 7));
        if (checkSignatures(bad) === null && checkBounds(bad, BOUNDS) === null) missed.push(bit);
      }
      expect(missed).toEqual([]);
    }
  });

  it('a flipped tail signature is reported as such', () => {
    const bad = encode(write(3, 0, 0));
    bad[60] = bad[60]! ^ 4;
    expect(checkSignatures(bad)).toBe('tail-signature');
    const head = encode(write(3, 0, 0));
    head[2] = head[2]! ^ 4;
    expect(checkSignatures(head)).toBe('head-signature');
  });
});

describe('log record bounds', () => {
  it('accepts records inside the geometry', () => {
    expect(checkBounds(encode(write(1, 1, 3)), BOUNDS)).toBeNull();
    expect(checkBounds(encode(point(4, 1, 1, 3)), BOUNDS)).toBeNull();
    expect(checkBounds(encode(point(1, 1, 1, 0)), BOUNDS)).toBeNull();
  });

  it('refuses volume, block and length out of bounds', () => {
    expect(checkBounds(encode(write(1, 2, 0)), BOUNDS)).toBe('bounds');
    expect(checkBounds(encode(write(1, 0, 4)), BOUNDS)).toBe('bounds');
    expect(checkBounds(encode(write(1, 0, 0, new Uint8Array(4).fill(1))), BOUNDS)).toBe('bounds');
    expect(checkBounds(encode(write(1, 0, 0, new Uint8Array(9).fill(1))), BOUNDS)).toBe('bounds');
  });

  it('refuses a point whose last + 1 is not its own sequence number', () => {
    expect(checkBounds(encode(point(5, 1, 1, 3)), BOUNDS)).toBe('bounds');
    expect(checkBounds(encode(point(3, 1, 1, 3)), BOUNDS)).toBe('bounds');
    expect(checkBounds(encode(point(4, 1, 5, 3)), BOUNDS)).toBe('bounds');
  });

  it('refuses an unknown kind even with valid signatures', () => {
    const bytes = encode(write(1, 0, 0));
    bytes[8] = 3;
    expect(checkBounds(bytes, BOUNDS)).toBe('bounds');
  });
});

describe('sealed fields', () => {
  it('round-trip', () => {
    fc.assert(fc.property(fc.array(u32, { minLength: 1, maxLength: 6 }), (fields) => {
      expect(unsealFields(sealFields(fields, 32), fields.length)).toEqual(fields);
    }), { seed: 1, numRuns: 200 });
  });

  it('any flipped bit of fields or checksum makes unsealFields return null', () => {
    const fields = [1, 0xdeadbeef, 0, 42];
    const sealed = sealFields(fields, 32);
    const covered_bits = (fields.length * 4 + 8) * 8;
    const survived: number[] = [];
    for (let bit = 0; bit < covered_bits; bit++) {
      const bad = sealed.slice();
      bad[bit >> 3] = bad[bit >> 3]! ^ (1 << (bit & 7));
      if (unsealFields(bad, fields.length) !== null) survived.push(bit);
    }
    expect(survived).toEqual([]);
  });

  it('refuses too many fields for the block', () => {
    expect(() => sealFields([1, 2, 3, 4, 5, 6, 7], 32)).toThrow(/do not fit/);
  });
});

describe('transaction block', () => {
  const txn: Transaction = { committedPoint: 1, committedSeq: 4, point: 2, first: 5, last: 7, seq: 8 };

  it('an all-zero block is the empty transaction', () => {
    expect(readTransaction(new Uint8Array(32))).toEqual({ committedPoint: 0, committedSeq: 0, point: 0, first: 0, last: 0, seq: 0 });
  });

  it('round-trips and reads a corrupted block as empty', () => {
    const sealed = sealTransaction(txn);
    expect(readTransaction(sealed)).toEqual(txn);
    sealed[9] = sealed[9]! ^ 1;
    expect(readTransaction(sealed).point).toBe(0);
  });

  /** A log of 8 slots holding records 5..8 of `txn` (point 2 covers writes 5..7). */
  function log(): Uint8Array[] {
    const slots: Uint8Array[] = Array.from({ length: 8 }, () => new Uint8Array(SLOT_BYTES));
    slots[5 % 8] = encode(write(5, 1, 2));
    slots[6 % 8] = encode(write(6, 0, 3));
    slots[7 % 8] = encode(write(7, 1, 0));
    slots[8 % 8] = encode(point(8, 2, 5, 7));
    return slots;
  }

  it('redoWrites returns the writes in sequence order with their image index', () => {
    const slots = log();
    const read: number[] = [];
    const out = redoWrites(txn, (seq) => (read.push(seq), slots[seq % 8]!), BOUNDS);
    expect(read).toEqual([5, 6, 7]);
    expect(out).toEqual([{ index: 6, data: data8(5) }, { index: 3, data: data8(6) }, { index: 4, data: data8(7) }]);
  });

  it('redoWrites throws on a slot with the wrong sequence number, a bad signature or a point', () => {
    const stale = log();
    stale[6] = encode(write(14, 0, 3));
    expect(() => redoWrites(txn, (seq) => stale[seq % 8]!, BOUNDS)).toThrow(/record 6 of point 2 is not intact/);
    const torn = log();
    torn[7]![30] = torn[7]![30]! ^ 1;
    expect(() => redoWrites(txn, (seq) => torn[seq % 8]!, BOUNDS)).toThrow(/record 7 of point 2 is not intact/);
    expect(() => redoWrites({ ...txn, last: 8 }, (seq) => log()[seq % 8]!, BOUNDS)).toThrow(/record 8 is not a write/);
  });

  it('redoWrites of an empty range returns nothing', () => {
    expect(redoWrites({ ...txn, first: 5, last: 4 }, () => { throw new Error('read'); }, BOUNDS)).toEqual([]);
  });
});
