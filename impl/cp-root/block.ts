/**
 * The on-disk formats of the copy-on-write block tree. Every physical block (64 bytes) names
 * itself, so a block left over from another point or another address is recognised:
 *
 *   0  checksum  u64  xxHash64 of bytes 8..64
 *   8  kind      u8   1 data block, 2 address block
 *   9  index     u8   data: logical block (volume * blocksPerVolume + block); address: volume
 *  10  address   u16  where the block belongs
 *  12  point     u32  the consistency point that wrote it
 *  16  payload   48 bytes: data: the application block (32 bytes), then zeros;
 *                address: one pointer per block of the volume, 6 bytes each (u16 address, u32 point)
 *
 * The root node (64 bytes, one per root slot) spreads over both halves of its slot so that a torn
 * write (first half new, rest old) mixes a new point number with old pointers:
 *
 *   0  checksum  u64  xxHash64 of bytes 8..64
 *   8  magic     u32  'CPRT'
 *  12  point     u32
 *  16  lastSeq   u32  NVRAM sequence number of the point's marker (replay starts after it)
 *  32  pointers  6 bytes per volume (u16 address, u32 point) to the address blocks
 *
 * A pointer to address 0 is null: a volume or block never written reads as zeros.
 */
import { hash64 } from '../sim/hash.ts';

export const BLOCK_BYTES = 64;
export const ROOT_BYTES = 64;
export const KIND_DATA = 1;
export const KIND_ADDRESS = 2;
const PAYLOAD = 16;
const POINTER_BYTES = 6;
const ROOT_MAGIC = 0x43505254;
const ROOT_POINTERS = 32;

/** A root node: the point it ends and a pointer to each volume's address block. */
export interface RootNode {
  readonly point: number;
  readonly lastSeq: number;
  readonly volAddr: readonly number[];
  readonly volPoint: readonly number[];
}

export const EMPTY_ROOT_POINT = 0;

function view(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function seal(bytes: Uint8Array): Uint8Array {
  view(bytes).setBigUint64(0, hash64(bytes.subarray(8)));
  return bytes;
}

/** Checksums already verified, by array identity (disk blocks are immutable arrays). */
const intact = new WeakMap<Uint8Array, boolean>();

/** Whether the block's checksum matches its content (cached per array). */
export function checksumOk(bytes: Uint8Array): boolean {
  let ok = intact.get(bytes);
  if (ok === undefined) {
    ok = view(bytes).getBigUint64(0) === hash64(bytes.subarray(8));
    intact.set(bytes, ok);
  }
  return ok;
}

function header(bytes: Uint8Array, kind: number, index: number, address: number, point: number): DataView {
  const v = view(bytes);
  bytes[8] = kind;
  bytes[9] = index;
  v.setUint16(10, address);
  v.setUint32(12, point);
  return v;
}

export function encodeDataBlock(address: number, point: number, logical: number, data: Uint8Array): Uint8Array {
  if (data.length > 32) throw new Error(`data block of ${data.length} bytes`);
  const bytes = new Uint8Array(BLOCK_BYTES);
  header(bytes, KIND_DATA, logical, address, point);
  bytes.set(data, PAYLOAD);
  return seal(bytes);
}

/** An address block for `volume`: pointers to its data blocks, taken from the tree's arrays. */
export function encodeAddressBlock(address: number, point: number, volume: number,
  dataAddr: ArrayLike<number>, dataPoint: ArrayLike<number>, first: number, count: number): Uint8Array {
  if (count * POINTER_BYTES > BLOCK_BYTES - PAYLOAD) throw new Error(`address block of ${count} pointers`);
  const bytes = new Uint8Array(BLOCK_BYTES);
  const v = header(bytes, KIND_ADDRESS, volume, address, point);
  for (let i = 0; i < count; i++) {
    v.setUint16(PAYLOAD + i * POINTER_BYTES, dataAddr[first + i]!);
    v.setUint32(PAYLOAD + i * POINTER_BYTES + 2, dataPoint[first + i]!);
  }
  return seal(bytes);
}

const u16 = (bytes: Uint8Array, at: number): number => (bytes[at]! << 8) | bytes[at + 1]!;

/** Big-endian u32 at `at`, read without a DataView (these readers run on every tree walk). */
function u32(bytes: Uint8Array, at: number): number {
  return ((bytes[at]! << 24) | (bytes[at + 1]! << 16) | (bytes[at + 2]! << 8) | bytes[at + 3]!) >>> 0;
}

export const kindOf = (bytes: Uint8Array): number => bytes[8]!;
export const indexOf = (bytes: Uint8Array): number => bytes[9]!;
export const addressOf = (bytes: Uint8Array): number => u16(bytes, 10);
export const pointOf = (bytes: Uint8Array): number => u32(bytes, 12);

export function pointerAddress(bytes: Uint8Array, i: number): number {
  return u16(bytes, PAYLOAD + i * POINTER_BYTES);
}

export function pointerPoint(bytes: Uint8Array, i: number): number {
  return u32(bytes, PAYLOAD + i * POINTER_BYTES + 2);
}

const payloads = new WeakMap<Uint8Array, Uint8Array>();

/** The application data of a data block: one stable view per block array (cheap to hash again). */
export function dataOf(bytes: Uint8Array, size_bytes: number): Uint8Array {
  let data = payloads.get(bytes);
  if (data === undefined) {
    data = bytes.subarray(PAYLOAD, PAYLOAD + size_bytes);
    payloads.set(bytes, data);
  }
  return data;
}

export function encodeRoot(root: RootNode): Uint8Array {
  const bytes = new Uint8Array(ROOT_BYTES);
  const v = view(bytes);
  if (ROOT_POINTERS + root.volAddr.length * POINTER_BYTES > ROOT_BYTES) throw new Error('root: too many volumes');
  v.setUint32(8, ROOT_MAGIC);
  v.setUint32(12, root.point);
  v.setUint32(16, root.lastSeq);
  root.volAddr.forEach((a, i) => {
    v.setUint16(ROOT_POINTERS + i * POINTER_BYTES, a);
    v.setUint32(ROOT_POINTERS + i * POINTER_BYTES + 2, root.volPoint[i]!);
  });
  return seal(bytes);
}

/** The fields of a root slot, read without checking the checksum (null for a never-written slot). */
export function rootFields(bytes: Uint8Array, volumes: number): RootNode | null {
  if (u32(bytes, 8) !== ROOT_MAGIC) return null;
  const volAddr: number[] = [];
  const volPoint: number[] = [];
  for (let i = 0; i < volumes; i++) {
    volAddr.push(u16(bytes, ROOT_POINTERS + i * POINTER_BYTES));
    volPoint.push(u32(bytes, ROOT_POINTERS + i * POINTER_BYTES + 2));
  }
  return { point: u32(bytes, 12), lastSeq: u32(bytes, 16), volAddr, volPoint };
}

/** What a root slot holds: nothing yet, a torn or corrupted root, or an intact one. */
export type SlotState = 'empty' | 'torn' | 'intact';

export function slotState(bytes: Uint8Array): SlotState {
  if (checksumOk(bytes)) return u32(bytes, 8) === ROOT_MAGIC ? 'intact' : 'torn';
  for (let i = 0; i < bytes.length; i++) if (bytes[i] !== 0) return 'torn';
  return 'empty';
}

/** The root in a slot when it is intact (checksum and magic), else null. */
export function decodeRoot(bytes: Uint8Array, volumes: number): RootNode | null {
  return slotState(bytes) === 'intact' ? rootFields(bytes, volumes) : null;
}

/** Byte equality (a root read back against the one written; a block against its copy). */
export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
