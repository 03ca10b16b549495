/**
 * The journal's binary log record, one per 64-byte log slot:
 *
 *   0  head signature  u64  xxHash64 of bytes 8..56 (the content)
 *   8  kind            u8   1 write record, 2 consistency-point record
 *   9  volume          u8
 *  10  block           u16
 *  12  length_bytes    u16  bytes of data (the block size) for a write; 16 for a point
 *  14  (zero)          u16
 *  16  sequence        u32
 *  20  data            32 bytes; a point record holds point, first, last, count (u32 each)
 *  52  (zero)          u32
 *  56  tail signature  u64  equal to the head signature
 *
 * A torn write leaves head and tail from different writes; a flipped bit breaks the content hash.
 */
import { hash64 } from '../sim/hash.ts';

export const SLOT_BYTES = 64;
export const DATA_BYTES = 32;
const CONTENT_START = 8;
const CONTENT_END = 56;

export type LogRecord =
  | { readonly kind: 'write'; readonly seq: number; readonly volume: number; readonly block: number; readonly data: Uint8Array }
  | { readonly kind: 'point'; readonly seq: number; readonly point: number; readonly first: number; readonly last: number };

/** Why a slot failed validation, or null when it holds a valid record. */
export type Invalid = 'head-signature' | 'tail-signature' | 'bounds' | 'empty';

export interface Bounds {
  readonly volumes: number;
  readonly blocksPerVolume: number;
  readonly blockSize_bytes: number;
}

export function encode(record: LogRecord): Uint8Array {
  const bytes = new Uint8Array(SLOT_BYTES);
  const view = new DataView(bytes.buffer);
  view.setUint32(16, record.seq);
  if (record.kind === 'write') {
    if (record.data.length > DATA_BYTES) throw new Error(`record data of ${record.data.length} bytes`);
    bytes[8] = 1;
    bytes[9] = record.volume;
    view.setUint16(10, record.block);
    view.setUint16(12, record.data.length);
    bytes.set(record.data, 20);
  } else {
    bytes[8] = 2;
    view.setUint16(12, 16);
    view.setUint32(20, record.point);
    view.setUint32(24, record.first);
    view.setUint32(28, record.last);
    view.setUint32(32, record.last - record.first + 1);
  }
  const signature = hash64(bytes.subarray(CONTENT_START, CONTENT_END));
  view.setBigUint64(0, signature);
  view.setBigUint64(CONTENT_END, signature);
  return bytes;
}

/** The sequence number field, read without validation (used to see whether a slot is filled). */
export function sequenceOf(bytes: Uint8Array): number {
  return ((bytes[16]! << 24) | (bytes[17]! << 16) | (bytes[18]! << 8) | bytes[19]!) >>> 0;
}

export function kindOf(bytes: Uint8Array): number {
  return bytes[8]!;
}

/** Check signatures against the content. */
export function checkSignatures(bytes: Uint8Array): Invalid | null {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const head = view.getBigUint64(0);
  const tail = view.getBigUint64(CONTENT_END);
  if (head === 0n && tail === 0n && bytes[8] === 0) return 'empty';
  const content = hash64(bytes.subarray(CONTENT_START, CONTENT_END));
  if (head !== content) return 'head-signature';
  if (tail !== content) return 'tail-signature';
  return null;
}

/** Check value bounds: kind, volume, block, length and the point's range. */
export function checkBounds(bytes: Uint8Array, bounds: Bounds): Invalid | null {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const kind = bytes[8];
  if (kind === 1) {
    const ok = bytes[9]! < bounds.volumes && view.getUint16(10) < bounds.blocksPerVolume &&
      view.getUint16(12) === bounds.blockSize_bytes;
    return ok ? null : 'bounds';
  }
  if (kind === 2) {
    const first = view.getUint32(24);
    const last = view.getUint32(28);
    const seq = view.getUint32(16);
    const ok = view.getUint16(12) === 16 && last + 1 === seq && first <= seq &&
      view.getUint32(32) === last - first + 1;
    return ok ? null : 'bounds';
  }
  return 'bounds';
}

/** Decode a slot already known valid. */
export function decode(bytes: Uint8Array): LogRecord {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const seq = view.getUint32(16);
  if (bytes[8] === 1) {
    const length = view.getUint16(12);
    return { kind: 'write', seq, volume: bytes[9]!, block: view.getUint16(10), data: bytes.slice(20, 20 + length) };
  }
  return { kind: 'point', seq, point: view.getUint32(20), first: view.getUint32(24), last: view.getUint32(28) };
}
