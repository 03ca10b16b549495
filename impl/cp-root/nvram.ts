/**
 * The first server's NVRAM: battery-backed temporary storage that queues acknowledged writes
 * between consistency points. It is a ring of 64-byte record slots on a disk whose every write is
 * flushed in the same call (the battery keeps it: no volatile cache, no torn record).
 *
 *   0  checksum  u64  xxHash64 of bytes 8..64
 *   8  kind      u8   1 write, 2 point marker (the point's contents end here)
 *   9  volume    u8
 *  10  block     u16
 *  12  seq       u32  sequence number (slot = seq mod slots; a stale slot holds another seq)
 *  16  point     u32  for a marker
 *  24  data      32 bytes, for a write
 */
import type { Disk } from '../sim/disk.ts';
import { hash64 } from '../sim/hash.ts';

export const RECORD_BYTES = 64;
const DATA_AT = 24;

export type NvramRecord =
  | { readonly kind: 'write'; readonly seq: number; readonly volume: number; readonly block: number; readonly data: Uint8Array }
  | { readonly kind: 'point'; readonly seq: number; readonly point: number };

export function encodeRecord(r: NvramRecord): Uint8Array {
  const bytes = new Uint8Array(RECORD_BYTES);
  const v = new DataView(bytes.buffer);
  v.setUint32(12, r.seq);
  if (r.kind === 'write') {
    if (r.data.length > 32) throw new Error(`nvram: write of ${r.data.length} bytes`);
    bytes[8] = 1;
    bytes[9] = r.volume;
    v.setUint16(10, r.block);
    bytes.set(r.data, DATA_AT);
  } else {
    bytes[8] = 2;
    v.setUint32(16, r.point);
  }
  v.setBigUint64(0, hash64(bytes.subarray(8)));
  return bytes;
}

/** The record with sequence number `seq` in these bytes, or null (stale slot, never written, corrupted). */
export function decodeRecord(bytes: Uint8Array, seq: number, size_bytes: number): NvramRecord | null {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (v.getUint32(12) !== seq || v.getBigUint64(0) !== hash64(bytes.subarray(8))) return null;
  if (bytes[8] === 1) {
    return { kind: 'write', seq, volume: bytes[9]!, block: v.getUint16(10), data: bytes.slice(DATA_AT, DATA_AT + size_bytes) };
  }
  if (bytes[8] === 2) return { kind: 'point', seq, point: v.getUint32(16) };
  return null;
}

/** The NVRAM ring on its disk. */
export class Nvram {
  constructor(readonly disk: Disk, readonly slots: number, private readonly size_bytes: number) {}

  /** Append a record: durable when this returns (battery-backed). */
  append(r: NvramRecord): void {
    this.disk.write(r.seq % this.slots, encodeRecord(r));
    this.disk.flush();
  }

  read(seq: number): NvramRecord | null {
    return decodeRecord(this.disk.read(seq % this.slots), seq, this.size_bytes);
  }
}
