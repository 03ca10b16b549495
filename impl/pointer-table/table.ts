/**
 * The durable formats of a secondary storage control, each a sealed 32-byte block (u32 fields and
 * an xxHash64 checksum; impl/sim/sealed.ts):
 *
 * - pointer-table header (table disk block 0): the control's committed consistency group;
 * - pointer-table entry (table disk block 1 + slot): one link — virtual block, consistency group,
 *   the update's seq, physical block, xxHash32 of the data the physical block must hold. A link
 *   whose group is above the committed group is pending; at or below it, committed;
 * - free list (free disk block 0): one bit per physical block, set when the block is NOT free.
 *
 * An all-zero or torn block fails the checksum: an empty entry, a header never written (group 0),
 * a free list never written (every block free).
 */
import { sealFields, unsealFields } from '../sim/sealed.ts';

export const TABLE_BLOCK_BYTES = 32;
export const EMPTY_BLOCK = new Uint8Array(TABLE_BLOCK_BYTES);

/** One link of the consistency-group pointer table: virtual block -> physical block. */
export interface Link {
  readonly virtual: number;
  readonly group: number;
  readonly seq: number;
  readonly physical: number;
  readonly dataHash: number;
}

export function encodeLink(link: Link): Uint8Array {
  return sealFields([link.virtual, link.group, link.seq, link.physical, link.dataHash >>> 0], TABLE_BLOCK_BYTES);
}

// Decoding is a pure function of the (immutable, shared) block array: cache it by identity, so
// recomputing a failover image costs nothing for entries that did not change.
const linkCache = new WeakMap<Uint8Array, Link | null>();

/** The link an entry block holds, or null for an empty or damaged entry. */
export function decodeLink(bytes: Uint8Array): Link | null {
  const cached = linkCache.get(bytes);
  if (cached !== undefined) return cached;
  const f = unsealFields(bytes, 5);
  const link = f === null ? null : { virtual: f[0]!, group: f[1]!, seq: f[2]!, physical: f[3]!, dataHash: f[4]! };
  linkCache.set(bytes, link);
  return link;
}

export function encodeHeader(committedGroup: number): Uint8Array {
  return sealFields([committedGroup], TABLE_BLOCK_BYTES);
}

const headerCache = new WeakMap<Uint8Array, number>();

/** The committed group a header block records; 0 for a header never written. */
export function decodeHeader(bytes: Uint8Array): number {
  let group = headerCache.get(bytes);
  if (group === undefined) {
    group = unsealFields(bytes, 1)?.[0] ?? 0;
    headerCache.set(bytes, group);
  }
  return group;
}

/** The free list as a block: bit p set when physical block p is allocated (not free). */
export function encodeFreeList(free: Uint8Array): Uint8Array {
  if (free.length > 32) throw new Error(`free list of ${free.length} blocks does not fit one word`);
  let allocated = 0;
  for (let p = 0; p < free.length; p++) if (free[p] === 0) allocated |= 1 << p;
  return sealFields([allocated >>> 0], TABLE_BLOCK_BYTES);
}

/** Fill `free` (1 = free) from a free-list block; a block never written means all free. */
export function decodeFreeList(bytes: Uint8Array, free: Uint8Array): void {
  const allocated = unsealFields(bytes, 1)?.[0] ?? 0;
  for (let p = 0; p < free.length; p++) free[p] = (allocated >>> p) & 1 ? 0 : 1;
}

/** Whether link `a` is newer than link `b` (later group, or later update within the group). */
export function newer(a: Link, b: Link): boolean {
  return a.group > b.group || (a.group === b.group && a.seq > b.seq);
}

/**
 * For each virtual block, the slot of its newest link with group <= `upTo` (-1 when none):
 * the control's image as of group `upTo`. `out` has one entry per virtual block.
 */
export function newestLinks(links: readonly (Link | null)[], upTo: number, out: Int32Array): void {
  out.fill(-1);
  for (let t = 0; t < links.length; t++) {
    const link = links[t];
    if (link === null || link === undefined || link.group > upTo) continue;
    if (link.virtual >= out.length) throw new Error(`pointer table slot ${t}: virtual block ${link.virtual} out of range`);
    const best = out[link.virtual]!;
    if (best < 0 || newer(link, links[best]!)) out[link.virtual] = t;
  }
}
