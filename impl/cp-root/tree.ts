/**
 * The copy-on-write block tree in memory (one root, an address block per volume, data blocks)
 * and the walk that reads a tree from a disk. The walk is the one reader of trees: the first
 * server's recovery, the second server's acceptance of a root, and its failover image all use it,
 * and it refuses a tree that is not well formed: a pointer out of range, a block referenced twice,
 * a block that does not carry the address, point and kind its pointer expects, or a bad checksum.
 */
import {
  addressOf, checksumOk, dataOf, indexOf, KIND_ADDRESS, KIND_DATA, kindOf, pointerAddress, pointerPoint, pointOf, type RootNode,
} from './block.ts';
import type { CpRootConfig } from './context.ts';
import { InvariantViolation } from '../sim/invariant.ts';

/** A tree that is not well formed: a pointer out of range, or a block referenced twice. */
export const MALFORMED_TREE = 'malformed tree';
/** A pointer whose block does not carry the address, point and kind it expects, or a bad checksum. */
export const STALE_TREE_BLOCK = 'tree reaches a stale or corrupt block';

/** A tree: the root's fields plus every data pointer (address 0: never written). */
export class Tree {
  point = 0;
  lastSeq = 0;
  readonly volAddr: Uint16Array;
  readonly volPoint: Uint32Array;
  readonly dataAddr: Uint16Array;
  readonly dataPoint: Uint32Array;

  constructor(volumes: number, blocksPerVolume: number) {
    this.volAddr = new Uint16Array(volumes);
    this.volPoint = new Uint32Array(volumes);
    this.dataAddr = new Uint16Array(volumes * blocksPerVolume);
    this.dataPoint = new Uint32Array(volumes * blocksPerVolume);
  }

  static empty(config: CpRootConfig): Tree {
    return new Tree(config.volumes, config.blocksPerVolume);
  }

  clone(): Tree {
    const t = new Tree(this.volAddr.length, this.dataAddr.length / this.volAddr.length);
    t.point = this.point;
    t.lastSeq = this.lastSeq;
    t.volAddr.set(this.volAddr);
    t.volPoint.set(this.volPoint);
    t.dataAddr.set(this.dataAddr);
    t.dataPoint.set(this.dataPoint);
    return t;
  }

  /** Back to the empty tree of point 0. */
  clear(): void {
    this.point = 0;
    this.lastSeq = 0;
    this.volAddr.fill(0);
    this.volPoint.fill(0);
    this.dataAddr.fill(0);
    this.dataPoint.fill(0);
  }

  rootNode(): RootNode {
    return { point: this.point, lastSeq: this.lastSeq, volAddr: [...this.volAddr], volPoint: [...this.volPoint] };
  }

  /** Set `marks[a] = 1` for every block the tree reaches. */
  mark(marks: Uint8Array): void {
    for (const a of this.volAddr) if (a !== 0) marks[a] = 1;
    for (const a of this.dataAddr) if (a !== 0) marks[a] = 1;
  }
}

/** Where a walk reads blocks, and what it fills in. */
export interface WalkTarget {
  /** The block at an address, as the reader sees it (durable or not). */
  read(address: number): Uint8Array;
  /** Set to 1 for every block reached; must come in all zero (a 1 already there is a reuse). */
  readonly reached: Uint8Array;
  /** When given: the application data of every logical block (zeros where never written). */
  readonly image?: Uint8Array[];
  /** When given: called on every block reached, e.g. to assert it is durable. */
  readonly check?: (address: number, bytes: Uint8Array) => void;
}

/** Throws when the block at `address` is not the one a pointer (kind, index, point) expects. */
function expectBlock(root: number, bytes: Uint8Array, address: number, kind: number, index: number, point: number): void {
  if (kindOf(bytes) === kind && indexOf(bytes) === index && addressOf(bytes) === address && pointOf(bytes) === point && checksumOk(bytes)) return;
  const what = kind === KIND_DATA ? `data block of logical ${index}` : `address block of volume ${index}`;
  const holds = checksumOk(bytes) ? `kind ${kindOf(bytes)} point ${pointOf(bytes)} address ${addressOf(bytes)}` : 'a bad checksum';
  throw new InvariantViolation(STALE_TREE_BLOCK, `tree of root ${root}: block ${address} (${what}, point ${point}) holds ${holds}`);
}

function reach(root: number, address: number, config: CpRootConfig, reached: Uint8Array): void {
  if (address >= config.physicalBlocks) throw new InvariantViolation(MALFORMED_TREE, `tree of root ${root}: pointer to block ${address} out of range`);
  if (reached[address] !== 0) throw new InvariantViolation(MALFORMED_TREE, `tree of root ${root}: block ${address} referenced twice`);
  reached[address] = 1;
}

/**
 * Read the tree of `root` (null: the empty tree of point 0) into a Tree (`into`, reused, or a new
 * one); throws when it is not well formed. Two loops, no recursion: the tree has a fixed height.
 */
export function walkTree(root: RootNode | null, config: CpRootConfig, target: WalkTarget, zero: Uint8Array, into?: Tree): Tree {
  const tree = into ?? Tree.empty(config);
  tree.clear();
  const perVolume = config.blocksPerVolume;
  const image = target.image;
  for (let l = 0; image !== undefined && l < config.volumes * perVolume; l++) image[l] = zero;
  if (root === null) return tree;
  tree.point = root.point;
  tree.lastSeq = root.lastSeq;
  for (let v = 0; v < config.volumes; v++) {
    const a = root.volAddr[v]!;
    if (a === 0) continue;
    reach(root.point, a, config, target.reached);
    const block = target.read(a);
    expectBlock(root.point, block, a, KIND_ADDRESS, v, root.volPoint[v]!);
    target.check?.(a, block);
    tree.volAddr[v] = a;
    tree.volPoint[v] = root.volPoint[v]!;
    for (let b = 0; b < perVolume; b++) {
      const d = pointerAddress(block, b);
      if (d === 0) continue;
      const logical = v * perVolume + b;
      reach(root.point, d, config, target.reached);
      const data = target.read(d);
      expectBlock(root.point, data, d, KIND_DATA, logical, pointerPoint(block, b));
      target.check?.(d, data);
      tree.dataAddr[logical] = d;
      tree.dataPoint[logical] = pointerPoint(block, b);
      if (image !== undefined) image[logical] = dataOf(data, config.blockSize_bytes);
    }
  }
  return tree;
}
