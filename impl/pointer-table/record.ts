/**
 * The primary's durable update buffer record, one per 64-byte slot:
 *
 *   0  checksum  u64  xxHash64 of bytes 8..64
 *   8  kind      u8   1 data update, 2 group close
 *   9  volume    u8   (update)
 *  10  block     u16  (update)
 *  12  seq       u32  position in the primary's record order
 *  16  group     u32  consistency group the update belongs to / the group closed
 *  20  data      32 bytes (update); a close holds one u32 update count per control
 *  52  (zero)
 *
 * A slot never written, torn or from an older lap of the buffer fails the checksum or the seq.
 */
import { hash64 } from '../sim/hash.ts';

export const RECORD_BYTES = 64;
export const RECORD_DATA_BYTES = 32;

export type BufferRecord =
  | { readonly kind: 'update'; readonly seq: number; readonly group: number; readonly volume: number; readonly block: number; readonly data: Uint8Array }
  | { readonly kind: 'close'; readonly seq: number; readonly group: number; readonly counts: readonly number[] };

export function encodeRecord(record: BufferRecord): Uint8Array {
  const bytes = new Uint8Array(RECORD_BYTES);
  const view = new DataView(bytes.buffer);
  view.setUint32(12, record.seq);
  view.setUint32(16, record.group);
  if (record.kind === 'update') {
    if (record.data.length !== RECORD_DATA_BYTES) throw new Error(`buffer record: data of ${record.data.length} bytes`);
    bytes[8] = 1;
    bytes[9] = record.volume;
    view.setUint16(10, record.block);
    bytes.set(record.data, 20);
  } else {
    if (record.counts.length * 4 > RECORD_DATA_BYTES) throw new Error(`buffer record: ${record.counts.length} counts`);
    bytes[8] = 2;
    record.counts.forEach((n, i) => view.setUint32(20 + 4 * i, n));
  }
  view.setBigUint64(0, hash64(bytes.subarray(8)));
  return bytes;
}

/** The record in `bytes` if it is intact and has sequence number `seq`, else null. */
export function decodeRecord(bytes: Uint8Array, seq: number, controls: number): BufferRecord | null {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.getUint32(12) !== seq || view.getBigUint64(0) !== hash64(bytes.subarray(8))) return null;
  const group = view.getUint32(16);
  if (bytes[8] === 1) {
    return { kind: 'update', seq, group, volume: bytes[9]!, block: view.getUint16(10), data: bytes.slice(20, 20 + RECORD_DATA_BYTES) };
  }
  if (bytes[8] === 2) {
    const counts: number[] = [];
    for (let i = 0; i < controls; i++) counts.push(view.getUint32(20 + 4 * i));
    return { kind: 'close', seq, group, counts };
  }
  return null;
}
