/**
 * The secondary's durable transaction block: the newest committed point (and its last sequence
 * number) and the validated point being applied. A pending transaction (point > committed) is
 * redone in full by recovery; the writes it names were validated and made durable before it.
 */
import { sealFields, unsealFields } from '../sim/sealed.ts';
import { checkSignatures, decode, sequenceOf, type Bounds } from './record.ts';

export interface Transaction {
  readonly committedPoint: number;
  /** Sequence number of the committed point's record. */
  readonly committedSeq: number;
  /** The validated point being applied; equal to committedPoint when none is. */
  readonly point: number;
  readonly first: number;
  readonly last: number;
  readonly seq: number;
}

const FIELDS = 6;

export function sealTransaction(t: Transaction): Uint8Array {
  return sealFields([t.committedPoint, t.committedSeq, t.point, t.first, t.last, t.seq], 32);
}

/** The durable transaction; a block never written (or unreadable) means nothing committed. */
export function readTransaction(bytes: Uint8Array): Transaction {
  const f = unsealFields(bytes, FIELDS);
  if (f === null) return { committedPoint: 0, committedSeq: 0, point: 0, first: 0, last: 0, seq: 0 };
  return { committedPoint: f[0]!, committedSeq: f[1]!, point: f[2]!, first: f[3]!, last: f[4]!, seq: f[5]! };
}

/** The writes a pending transaction redoes, in sequence order; a bad slot is an error. */
export function redoWrites(t: Transaction, readSlot: (seq: number) => Uint8Array, bounds: Bounds): { index: number; data: Uint8Array }[] {
  const out: { index: number; data: Uint8Array }[] = [];
  for (let seq = t.first; seq <= t.last; seq++) {
    const bytes = readSlot(seq);
    if (sequenceOf(bytes) !== seq || checkSignatures(bytes) !== null) {
      throw new Error(`redo: record ${seq} of point ${t.point} is not intact`);
    }
    const record = decode(bytes);
    if (record.kind !== 'write') throw new Error(`redo: record ${seq} is not a write`);
    out.push({ index: record.volume * bounds.blocksPerVolume + record.block, data: record.data });
  }
  return out;
}
