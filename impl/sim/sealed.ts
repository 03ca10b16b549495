/**
 * A sealed block: a few u32 fields followed by an xxHash64 checksum of them. Used for small
 * durable metadata (transactions, trim pointers, roots) whose torn or corrupted copies must be
 * recognised rather than trusted.
 */
import { hash64 } from './hash.ts';

export function sealFields(fields: readonly number[], blockSize_bytes: number): Uint8Array {
  const bytes = new Uint8Array(blockSize_bytes);
  if (fields.length * 4 + 8 > blockSize_bytes) throw new Error(`sealed block: ${fields.length} fields do not fit`);
  const view = new DataView(bytes.buffer);
  fields.forEach((f, i) => view.setUint32(i * 4, f));
  view.setBigUint64(fields.length * 4, hash64(bytes.subarray(0, fields.length * 4)));
  return bytes;
}

/** The fields, or null when the checksum does not match (torn, corrupted or never written). */
export function unsealFields(bytes: Uint8Array, count: number): number[] | null {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.getBigUint64(count * 4) !== hash64(bytes.subarray(0, count * 4))) return null;
  const fields: number[] = [];
  for (let i = 0; i < count; i++) fields.push(view.getUint32(i * 4));
  return fields;
}
