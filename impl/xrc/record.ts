/**
 * xrc's self-describing records. A record set carries one write with the header the secondary
 * needs to re-create the write sequence without any other context; a completeness report says
 * "controller c has given you every record set stamped up to t; its newest was sequence s" (an
 * idle controller reports that too). Both share one 20-byte header:
 *
 *   0  checksum      u32  xxHash32 of bytes 4 .. 20+length (header fields and data)
 *   4  kind          u8   1 record set, 2 completeness report
 *   5  controller    u8   primary storage controller that stamped it
 *   6  volume        u8
 *   7  (zero)        u8
 *   8  block         u16
 *  10  length_bytes  u16  bytes of data that follow (0 for a report)
 *  12  sequence      u32  the controller's record-set sequence number (report: newest sequence)
 *  16  timestamp     u32  from the common system timer (report: complete up to this time)
 *  20  data          length_bytes
 *
 * A record set occupies one 64-byte slot in a controller's sidefile and in the secondary's
 * journal (zero padded). A torn, flipped or stale slot fails the checksum or the identity check.
 * Fields are read and written byte by byte (big-endian): no DataView or BigInt per record.
 */
import { hash32 } from '../sim/hash.ts';

export const HEADER_BYTES = 20;
export const SLOT_BYTES = 64;
export const KIND_RECORD_SET = 1;
export const KIND_REPORT = 2;

/** A decoded record set: one time-stamped write. */
export interface RecordSet {
  readonly controller: number;
  readonly seq: number;
  readonly ts: number;
  readonly volume: number;
  readonly block: number;
  readonly data: Uint8Array;
}

/** A decoded completeness report. */
export interface Report {
  readonly controller: number;
  readonly lastSeq: number;
  readonly complete: number;
}

export interface Bounds {
  readonly volumes: number;
  readonly blocksPerVolume: number;
  readonly blockSize_bytes: number;
  readonly controllers: number;
}

/** Why a record failed validation, or null when it is intact. */
export type Invalid = 'empty' | 'checksum' | 'bounds';

const CHECKSUM_SEED = 0x5852_4331;

function putU16(bytes: Uint8Array, at: number, v: number): void {
  bytes[at] = v >>> 8;
  bytes[at + 1] = v & 255;
}

function putU32(bytes: Uint8Array, at: number, v: number): void {
  bytes[at] = v >>> 24;
  bytes[at + 1] = (v >>> 16) & 255;
  bytes[at + 2] = (v >>> 8) & 255;
  bytes[at + 3] = v & 255;
}

function checksum(bytes: Uint8Array, at: number, length: number): number {
  return hash32(bytes.subarray(at + 4, at + HEADER_BYTES + length), CHECKSUM_SEED);
}

function header(bytes: Uint8Array, kind: number, controller: number, seq: number, ts: number): void {
  if (controller > 255 || seq > 0xffff_ffff || ts > 0xffff_ffff || seq < 0 || ts < 0) {
    throw new Error(`record: field out of range (controller ${controller}, seq ${seq}, ts ${ts})`);
  }
  bytes[4] = kind;
  bytes[5] = controller;
  putU32(bytes, 12, seq);
  putU32(bytes, 16, ts);
}

/** A record set in a fresh 64-byte slot image. */
export function encodeRecordSet(r: RecordSet): Uint8Array {
  if (r.data.length > SLOT_BYTES - HEADER_BYTES) throw new Error(`record set data of ${r.data.length} bytes`);
  const bytes = new Uint8Array(SLOT_BYTES);
  header(bytes, KIND_RECORD_SET, r.controller, r.seq, r.ts);
  bytes[6] = r.volume;
  putU16(bytes, 8, r.block);
  putU16(bytes, 10, r.data.length);
  bytes.set(r.data, HEADER_BYTES);
  putU32(bytes, 0, checksum(bytes, 0, r.data.length));
  return bytes;
}

/** A completeness report (header only). */
export function encodeReport(r: Report): Uint8Array {
  const bytes = new Uint8Array(HEADER_BYTES);
  header(bytes, KIND_REPORT, r.controller, r.lastSeq, r.complete);
  putU32(bytes, 0, checksum(bytes, 0, 0));
  return bytes;
}

function u16(bytes: Uint8Array, at: number): number {
  return (bytes[at]! << 8) | bytes[at + 1]!;
}

function u32(bytes: Uint8Array, at: number): number {
  return ((bytes[at]! << 24) | (bytes[at + 1]! << 16) | (bytes[at + 2]! << 8) | bytes[at + 3]!) >>> 0;
}

export function kindAt(bytes: Uint8Array, at = 0): number {
  return bytes[at + 4]!;
}

export function controllerAt(bytes: Uint8Array, at = 0): number {
  return bytes[at + 5]!;
}

export function seqAt(bytes: Uint8Array, at = 0): number {
  return u32(bytes, at + 12);
}

export function stampAt(bytes: Uint8Array, at = 0): number {
  return u32(bytes, at + 16);
}

/** Bytes the record starting at `at` occupies on the wire (header plus data). */
export function recordLength(bytes: Uint8Array, at = 0): number {
  return HEADER_BYTES + u16(bytes, at + 10);
}

/** Check the record at `at`: present, checksum over header and data, fields within bounds. */
export function validate(bytes: Uint8Array, at: number, bounds: Bounds): Invalid | null {
  if (at + HEADER_BYTES > bytes.length) return 'bounds';
  const kind = kindAt(bytes, at);
  if (kind === 0) return 'empty';
  const length = u16(bytes, at + 10);
  if (at + HEADER_BYTES + length > bytes.length) return 'bounds';
  if (u32(bytes, at) !== checksum(bytes, at, length)) return 'checksum';
  if (controllerAt(bytes, at) >= bounds.controllers) return 'bounds';
  if (kind === KIND_REPORT) return length === 0 ? null : 'bounds';
  if (kind !== KIND_RECORD_SET) return 'bounds';
  const ok = length === bounds.blockSize_bytes && bytes[at + 6]! < bounds.volumes && u16(bytes, at + 8) < bounds.blocksPerVolume &&
    seqAt(bytes, at) > 0;
  return ok ? null : 'bounds';
}

/** Decode a record set already known valid (the data is copied). */
export function decodeRecordSet(bytes: Uint8Array, at = 0): RecordSet {
  if (kindAt(bytes, at) !== KIND_RECORD_SET) throw new Error('decodeRecordSet: not a record set');
  const length = u16(bytes, at + 10);
  return {
    controller: controllerAt(bytes, at), seq: seqAt(bytes, at), ts: stampAt(bytes, at),
    volume: bytes[at + 6]!, block: u16(bytes, at + 8), data: bytes.slice(at + HEADER_BYTES, at + HEADER_BYTES + length),
  };
}

/** Decode a report already known valid. */
export function decodeReport(bytes: Uint8Array, at = 0): Report {
  if (kindAt(bytes, at) !== KIND_REPORT) throw new Error('decodeReport: not a report');
  return { controller: controllerAt(bytes, at), lastSeq: seqAt(bytes, at), complete: stampAt(bytes, at) };
}
