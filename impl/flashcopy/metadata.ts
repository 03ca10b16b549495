/**
 * A site's durable metadata (FlashCopy relations, their bitmaps, the cycle state): a record of a
 * few u32 fields kept in two sealed slots on a small metadata disk, written alternately
 * (ping-pong) with a generation number, each write flushed and read back.
 *
 * Fault model survived: a torn, lost, misdirected or bit-flipped write of a slot is caught by the
 * read-back (a sealed record that is not the one written) and the slot is written again before
 * the step ends, so the newest record is always intact and durable when anyone reads it. A
 * misdirected write lands in the other slot, which then holds the same (newest) record. Recovery
 * takes the intact slot with the higher generation.
 */
import type { Disk } from '../sim/disk.ts';
import { InvariantViolation } from '../sim/invariant.ts';
import { sealFields, unsealFields } from '../sim/sealed.ts';

/** Most writes of one record before the metadata disk counts as broken. */
const WRITE_ATTEMPTS = 3;

export class MetaStore {
  private generation = 0;
  private readonly fields: number[];

  constructor(readonly disk: Disk, readonly fieldCount: number) {
    if (disk.blockCount !== 2) throw new Error(`metadata ${disk.name}: wants two slots, has ${disk.blockCount}`);
    if ((fieldCount + 1) * 4 + 8 > disk.blockSize_bytes) throw new Error(`metadata ${disk.name}: ${fieldCount} fields do not fit`);
    this.fields = new Array<number>(fieldCount + 1).fill(0);
  }

  /** Write `values` as the next generation: durable and verified when this returns. */
  write(values: readonly number[]): void {
    if (values.length !== this.fieldCount) throw new Error(`metadata ${this.disk.name}: ${values.length} fields, want ${this.fieldCount}`);
    const generation = this.generation + 1;
    this.fields[0] = generation;
    for (let i = 0; i < values.length; i++) {
      const v = values[i]!;
      if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) throw new Error(`metadata ${this.disk.name}: field ${i} = ${v}`);
      this.fields[i + 1] = v;
    }
    const bytes = sealFields(this.fields, this.disk.blockSize_bytes);
    const slot = generation & 1;
    for (let attempt = 0; attempt < WRITE_ATTEMPTS; attempt++) {
      this.disk.write(slot, bytes);
      this.disk.flush();
      if (sameBytes(this.disk.read(slot), bytes)) {
        this.generation = generation;
        return;
      }
    }
    throw new InvariantViolation('FlashCopy metadata not durable after verified rewrites',
      `metadata ${this.disk.name}: slot ${slot} still wrong after ${WRITE_ATTEMPTS} verified writes`);
  }

  /** Recovery: the newest intact record (its generation becomes the current one), or null. */
  recover(): number[] | null {
    const newest = this.newest((slot) => this.disk.read(slot));
    this.generation = newest === null ? 0 : newest[0]!;
    return newest === null ? null : newest.slice(1);
  }

  /** The newest intact durable record, without changing anything (for failover images). */
  readDurable(): number[] | null {
    const newest = this.newest((slot) => this.disk.readDurable(slot));
    return newest === null ? null : newest.slice(1);
  }

  private newest(read: (slot: number) => Uint8Array): number[] | null {
    const a = unsealFields(read(0), this.fieldCount + 1);
    const b = unsealFields(read(1), this.fieldCount + 1);
    if (a === null) return b;
    if (b === null) return a;
    return b[0]! > a[0]! ? b : a;
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
