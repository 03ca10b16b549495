/**
 * One consistency point as the first server builds it: the new tree (copy-on-write: every
 * modified data block, and the address block above it, goes to a new, free location) and the
 * new blocks in the order they are sent, in batches, concurrently to the local and remote disks.
 */
import type { CpRootConfig } from './context.ts';
import { KIND_ADDRESS, KIND_DATA } from './block.ts';
import { Tree } from './tree.ts';
import { InvariantViolation } from '../sim/invariant.ts';

export interface PlannedBlock {
  readonly address: number;
  readonly kind: typeof KIND_DATA | typeof KIND_ADDRESS;
  /** Logical block for a data block, volume for an address block. */
  readonly index: number;
  /** NVRAM sequence number of the write whose data a data block holds (0 for an address block). */
  readonly seq: number;
}

export class PointPlan {
  /** Batches sent at least once. */
  sent = 0;
  readonly acked: boolean[];
  /** Each sent batch's bytes, kept for a resend. */
  readonly batchBytes: (Uint8Array | null)[];

  constructor(
    readonly point: number,
    /** NVRAM sequence number of the point's marker. */
    readonly markerSeq: number,
    readonly tree: Tree,
    readonly blocks: readonly PlannedBlock[],
    readonly batchBlocks: number,
  ) {
    const batches = Math.ceil(blocks.length / batchBlocks);
    this.acked = new Array<boolean>(batches).fill(false);
    this.batchBytes = new Array<Uint8Array | null>(batches).fill(null);
  }

  get batches(): number {
    return this.acked.length;
  }

  /** Every batch sent and acknowledged durable by the second server. */
  get allAcked(): boolean {
    return this.sent === this.batches && this.acked.every((a) => a);
  }

  batch(b: number): readonly PlannedBlock[] {
    return this.blocks.slice(b * this.batchBlocks, (b + 1) * this.batchBlocks);
  }

  /** The addresses a batch writes, for people reading a timeline. */
  addresses(b: number): string {
    return this.batch(b).map((x) => x.address).join(' ');
  }
}

/** How a plan places address blocks: the reference always allocates a new block. */
export type AddressPlacement = (volume: number, base: Tree, allocate: () => number) => number;

export const NEW_ADDRESS_BLOCK: AddressPlacement = (_volume, _base, allocate) => allocate();

/**
 * Plan point `point` on top of `base` (the newest local tree). `dirty[l]` is the sequence number of
 * the newest write to logical block l in the point, or -1. `pinned` marks the blocks no allocation
 * may take (every block a root either server may still use reaches); it is consumed.
 */
export function planPoint(base: Tree, point: number, markerSeq: number, dirty: Int32Array, pinned: Uint8Array,
  config: CpRootConfig, placeAddress: AddressPlacement): PointPlan {
  const tree = base.clone();
  tree.point = point;
  tree.lastSeq = markerSeq;
  const blocks: PlannedBlock[] = [];
  let cursor = 1;
  const allocate = (): number => {
    for (; cursor < config.physicalBlocks; cursor++) {
      if (pinned[cursor] === 0) {
        pinned[cursor] = 1;
        return cursor++;
      }
    }
    throw new InvariantViolation('no free block for a point', `first: no free block for point ${point}`);
  };
  const perVolume = config.blocksPerVolume;
  for (let v = 0; v < config.volumes; v++) {
    let touched = false;
    for (let b = 0; b < perVolume; b++) {
      const l = v * perVolume + b;
      if (dirty[l]! < 0) continue;
      touched = true;
      const address = allocate();
      tree.dataAddr[l] = address;
      tree.dataPoint[l] = point;
      blocks.push({ address, kind: KIND_DATA, index: l, seq: dirty[l]! });
    }
    if (!touched) continue;
    const address = placeAddress(v, base, allocate);
    tree.volAddr[v] = address;
    tree.volPoint[v] = point;
    blocks.push({ address, kind: KIND_ADDRESS, index: v, seq: 0 });
  }
  // No block both free and reachable: nothing the point writes may be reached by its base tree.
  const reached = new Uint8Array(config.physicalBlocks);
  base.mark(reached);
  for (const b of blocks) {
    if (reached[b.address] === 0) continue;
    // At the very place the base tree keeps the same block: written in place; elsewhere: a block
    // still reachable was handed out as free.
    const same = b.kind === KIND_DATA ? base.dataAddr[b.index] === b.address : base.volAddr[b.index] === b.address;
    throw new InvariantViolation(same ? 'block written in place' : 'reachable block freed',
      `first: point ${point} writes block ${b.address} in place, but root ${base.point} still reaches it`);
  }
  return new PointPlan(point, markerSeq, tree, blocks, config.batchBlocks);
}
