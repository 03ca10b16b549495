/**
 * A secondary storage control's storage: physical block storage, the free list and the
 * consistency-group pointer table, each on its own disk, with their volatile mirror and the
 * invariants that tie them: no physical block both free and linked, none linked twice, none
 * leaked (every block is exactly one of free or linked, outside the middle of one operation).
 *
 * Write order (what makes recovery sound after any crash, the cache lost, kept or torn):
 * - storing: the block leaves the free list durably, then its data is written and flushed, then
 *   the link is written (it becomes durable by the next table flush, at the latest when the group
 *   is verified complete). A crash leaves a block allocated but unlinked (reclaimed by recovery)
 *   or a link whose data check fails (a pending link: dropped, the update comes again);
 * - releasing: the links are cleared durably, then the blocks return to the free list.
 * Fault model of the physical block disk (the one the protocol claims to survive write faults
 * on): writes go only to free blocks, and a misdirected write lands on another free block.
 */
import type { Disk } from '../sim/disk.ts';
import { InvariantViolation } from '../sim/invariant.ts';
import type { SimNode, World } from '../sim/world.ts';
import type { PointerTableConfig } from './context.ts';
import { physicalBlocksOf } from './context.ts';
import {
  decodeFreeList, decodeHeader, decodeLink, EMPTY_BLOCK, encodeFreeList, encodeHeader, encodeLink, newestLinks, TABLE_BLOCK_BYTES, type Link,
} from './table.ts';

export class ControlStorage {
  readonly blocks: Disk;
  readonly table: Disk;
  readonly freeList: Disk;
  readonly physicalBlocks: number;
  /** The pointer table by slot (volatile mirror of the durable entries). */
  readonly links: (Link | null)[];
  /** Slot linking each physical block, or -1. */
  readonly linkOf: Int16Array;
  /** 1 when the physical block is free. */
  readonly free: Uint8Array;
  committedGroup = 0;
  // For the failover image: durable links by slot, the newest slot per virtual block, the
  // physical block per virtual block (-1 none) and the table version and group it was built for.
  private readonly durable: (Link | null)[];
  private readonly newest: Int32Array;
  private readonly durableMap: Int32Array;
  private durableMapVersion = -1;
  private durableMapGroup = -1;

  constructor(world: World, node: SimNode, readonly name: string, config: PointerTableConfig) {
    const n = physicalBlocksOf(config);
    this.physicalBlocks = n;
    this.links = new Array<Link | null>(n).fill(null);
    this.linkOf = new Int16Array(n).fill(-1);
    this.free = new Uint8Array(n).fill(1);
    this.durable = new Array<Link | null>(n).fill(null);
    this.newest = new Int32Array(config.blocksPerVolume);
    this.durableMap = new Int32Array(config.blocksPerVolume);
    this.blocks = world.addDisk(node, {
      name: `${name}-blocks`, blockCount: n, blockSize_bytes: config.blockSize_bytes,
      misdirect: (block, pick) => this.otherFreeBlock(block, pick),
    });
    this.table = world.addDisk(node, { name: `${name}-table`, blockCount: 1 + n, blockSize_bytes: TABLE_BLOCK_BYTES });
    this.freeList = world.addDisk(node, { name: `${name}-free`, blockCount: 1, blockSize_bytes: TABLE_BLOCK_BYTES });
  }

  /** Where a misdirected write lands: another free block chosen by `pick` (itself when none). */
  private otherFreeBlock(block: number, pick: number): number {
    let count = 0;
    for (let p = 0; p < this.physicalBlocks; p++) if (this.free[p] === 1 && p !== block) count++;
    if (count === 0) return block;
    let nth = pick % count;
    for (let p = 0; p < this.physicalBlocks; p++) {
      if (this.free[p] === 1 && p !== block && nth-- === 0) return p;
    }
    return block;
  }

  /** The first free physical block, or -1. */
  firstFree(): number {
    for (let p = 0; p < this.physicalBlocks; p++) if (this.free[p] === 1) return p;
    return -1;
  }

  /** Take block `p` off the free list, durably, before anything is written to it. */
  allocate(p: number): void {
    if (this.free[p] !== 1) throw new InvariantViolation('update stored over a linked block', `${this.name}: physical block ${p} is not free (linked by slot ${this.linkOf[p]}): an update must never be stored over a linked block`);
    if (this.linkOf[p]! >= 0) throw new InvariantViolation('block both free and linked', `${this.name}: physical block ${p} both free and linked (slot ${this.linkOf[p]})`);
    this.free[p] = 0;
    this.persistFree();
  }

  /** Store an update's data in an allocated, unlinked block, durably. */
  writeData(p: number, data: Uint8Array): void {
    if (this.free[p] !== 0 || this.linkOf[p]! >= 0) throw new InvariantViolation('data written to an unallocated block', `${this.name}: data written to physical block ${p}, which is not allocated for it`);
    this.blocks.write(p, data);
    this.blocks.flush();
  }

  /** Link an allocated block into an empty table slot (durable at the next table flush). */
  link(link: Link): number {
    const p = link.physical;
    const t = this.links.indexOf(null);
    if (t < 0) throw new InvariantViolation('pointer table overflow', `${this.name}: pointer table full`);
    if (this.linkOf[p]! >= 0) throw new InvariantViolation('block linked twice', `${this.name}: physical block ${p} linked twice (slots ${this.linkOf[p]} and ${t})`);
    if (this.free[p] === 1) throw new InvariantViolation('block both free and linked', `${this.name}: physical block ${p} linked while on the free list`);
    this.links[t] = link;
    this.linkOf[p] = t;
    this.table.write(1 + t, encodeLink(link));
    return t;
  }

  /** Clear a table slot (durable at the next table flush); its block is then allocated, unlinked. */
  unlink(t: number): Link {
    const link = this.links[t];
    if (link === null || link === undefined) throw new Error(`${this.name}: slot ${t} is empty`);
    this.links[t] = null;
    this.linkOf[link.physical] = -1;
    this.table.write(1 + t, EMPTY_BLOCK);
    return link;
  }

  /** Return an unlinked block to the free list (volatile; `persistFree` makes it durable). */
  release(p: number): void {
    if (this.free[p] === 1) throw new InvariantViolation('block released twice', `${this.name}: physical block ${p} released twice`);
    if (this.linkOf[p]! >= 0) throw new InvariantViolation('linked block released', `${this.name}: physical block ${p} released while linked (slot ${this.linkOf[p]})`);
    this.free[p] = 1;
  }

  persistFree(): void {
    this.freeList.write(0, encodeFreeList(this.free));
    this.freeList.flush();
  }

  /** Switch (or revert) every link at once: the header names the committed group, durably. */
  writeCommittedGroup(group: number): void {
    this.table.write(0, encodeHeader(group));
    this.table.flush();
    this.committedGroup = group;
  }

  /** Every physical block is exactly one of free or linked, and each link names its own block. */
  check(): void {
    for (let p = 0; p < this.physicalBlocks; p++) {
      const t = this.linkOf[p]!;
      const free = this.free[p] === 1;
      if (free && t >= 0) throw new InvariantViolation('block both free and linked', `${this.name}: physical block ${p} both free and linked (slot ${t})`);
      if (!free && t < 0) throw new InvariantViolation('leaked block', `${this.name}: physical block ${p} leaked (neither free nor linked)`);
      if (t >= 0 && this.links[t]?.physical !== p) throw new InvariantViolation('slot links the wrong block', `${this.name}: slot ${t} does not link physical block ${p}`);
    }
  }

  /**
   * Recovery, first part: rebuild the volatile mirror from the durable header, free list and
   * entries. A durable link to a block the durable free list calls free means the write order
   * was broken: an invariant error. Returns nothing; the caller validates pending links.
   */
  load(): void {
    this.committedGroup = decodeHeader(this.table.readDurable(0));
    decodeFreeList(this.freeList.readDurable(0), this.free);
    this.linkOf.fill(-1);
    for (let t = 0; t < this.links.length; t++) {
      const link = decodeLink(this.table.readDurable(1 + t));
      this.links[t] = link;
      if (link === null) continue;
      const p = link.physical;
      if (p >= this.physicalBlocks) throw new InvariantViolation('durable link out of range', `${this.name}: durable slot ${t} links physical block ${p}, out of range`);
      if (this.linkOf[p]! >= 0) throw new InvariantViolation('block linked twice', `${this.name}: durable pointer table links physical block ${p} twice (slots ${this.linkOf[p]} and ${t})`);
      if (this.free[p] === 1) throw new InvariantViolation('block both free and linked', `${this.name}: durable state has physical block ${p} both free and linked (slot ${t})`);
      this.linkOf[p] = t;
    }
  }

  /** Durable committed group, read as recovery would (for checks while the control runs). */
  durableCommittedGroup(): number {
    return decodeHeader(this.table.readDurable(0));
  }

  /** The volume as of `upTo`, from durable state alone, into `image` at `at`. */
  durableImage(upTo: number, image: Uint8Array[], at: number, zero: Uint8Array): void {
    // Which physical block each virtual block maps to depends only on the durable table and
    // `upTo`: rebuilt when either changed. The blocks themselves are read every time.
    if (this.table.durableVersion !== this.durableMapVersion || upTo !== this.durableMapGroup) {
      const links = this.durable;
      for (let t = 0; t < links.length; t++) links[t] = decodeLink(this.table.readDurable(1 + t));
      newestLinks(links, upTo, this.newest);
      for (let v = 0; v < this.newest.length; v++) {
        const t = this.newest[v]!;
        this.durableMap[v] = t < 0 ? -1 : links[t]!.physical;
      }
      this.durableMapVersion = this.table.durableVersion;
      this.durableMapGroup = upTo;
    }
    for (let v = 0; v < this.durableMap.length; v++) {
      const p = this.durableMap[v]!;
      image[at + v] = p < 0 ? zero : this.blocks.readDurable(p);
    }
  }
}
