/**
 * The target site: the second intermediate (the mirror's secondary), the target volume, and the
 * durable metadata of copy 2 — the committed point and the relation's bitmap (blocks the target
 * still reads through the relation from the second intermediate, not yet physically copied).
 *
 * The remote half of a mirrored write lands on the second intermediate only for the cycle being
 * copied (point = committed + 1; anything else is a stale duplicate, ignored). A block the target
 * still depends on is first copied to the target (copy-on-write) so the committed image stays
 * intact. The request that starts copy 2 commits the point: the relation's bitmap gains the
 * blocks copy 1 carried, durably, and the commit is acknowledged. Background copy 2 moves marked
 * blocks to the target, the copy durable before its bit clears. Everything is durable within the
 * step that writes it, so a crash loses nothing; recovery rereads the metadata.
 *
 * The failover image is the target's logical image through the committed relation: a block still
 * marked reads from the second intermediate, any other from the target — durable state only.
 */
import type { Disk } from '../sim/disk.ts';
import { InvariantViolation } from '../sim/invariant.ts';
import type { Link } from '../sim/link.ts';
import type { Image } from '../sim/system.ts';
import type { SimNode } from '../sim/world.ts';
import { bitmapOf, bitmapText, bitOf, lowestBlock } from './bitmap.ts';
import { blocksOf, TARGET, type FlashCopyContext, type ToSource, type ToTarget } from './context.ts';
import { MetaStore } from './metadata.ts';

export class TargetSite {
  readonly node: SimNode;
  readonly secondIntermediate: Disk;
  readonly targetVolume: Disk;
  readonly meta: MetaStore;
  /** Durable in `meta`: the newest committed point and copy 2's bitmap. */
  protected committedPoint = 0;
  protected dependency = 0;
  private readonly fields = [0, 0];
  private readonly image: Uint8Array[];

  constructor(protected readonly ctx: FlashCopyContext, protected readonly link: Link<ToSource>) {
    const { world, config } = ctx;
    const blocks = blocksOf(config);
    this.node = world.addNode(TARGET, { crashed: () => this.crashed(), restarted: () => this.restarted() });
    this.secondIntermediate = world.addDisk(this.node, { name: 'intermediate-2', blockCount: blocks, blockSize_bytes: config.blockSize_bytes });
    this.targetVolume = world.addDisk(this.node, { name: 'target', blockCount: blocks, blockSize_bytes: config.blockSize_bytes });
    this.meta = new MetaStore(world.addDisk(this.node, { name: 'target-meta', blockCount: 2, blockSize_bytes: 32 }), 2);
    this.image = new Array<Uint8Array>(blocks);
  }

  receive(message: ToTarget): void {
    if (message.kind === 'mirror' && !(message.block >= 0 && message.block < this.image.length)) {
      throw new InvariantViolation('mirror write to a block outside the volume', `target: mirrored block ${message.block}`);
    }
    if (message.kind === 'mirror') this.receiveMirror(message.point, message.block, message.data);
    else this.receiveCommitRequest(message.point, message.blocks);
  }

  /** Whether a mirrored write belongs to the cycle being copied. */
  protected ofCopiedCycle(point: number): boolean {
    return point === this.committedPoint + 1;
  }

  /** The remote half of a mirrored write. */
  protected receiveMirror(point: number, block: number, data: Uint8Array): void {
    if (!this.ofCopiedCycle(point)) {
      this.ctx.emit({ type: 'mirror.ignored', node: TARGET, point, block });
      return;
    }
    this.protectTarget(block);
    this.writeSecondIntermediate(block, data);
    this.ctx.emit({ type: 'mirror.applied', node: TARGET, point, block });
    this.link.send({ kind: 'mirrored', point, block }, this.ctx.world.now_tick);
  }

  /** The target still reads this block from the second intermediate: copy it over first. */
  protected protectTarget(block: number): void {
    if ((this.dependency & bitOf(block)) !== 0) this.copyToTarget(block, 'copy2.cow');
  }

  protected writeSecondIntermediate(block: number, data: Uint8Array): void {
    this.secondIntermediate.write(block, data);
    this.secondIntermediate.flush();
  }

  /** One block of copy 2 to the target, durable before its bit clears. */
  protected copyToTarget(block: number, type: 'copy2.cow' | 'copy2.block'): void {
    if ((this.dependency & bitOf(block)) === 0) {
      throw new InvariantViolation('copy 2 of a block the target does not depend on', `target: copy 2 of block ${block}, which the target does not depend on`);
    }
    this.targetVolume.write(block, this.secondIntermediate.read(block));
    this.targetVolume.flush();
    this.dependency &= ~bitOf(block);
    this.persist();
    this.ctx.emit({ type, node: TARGET, block });
  }

  /** Copy 1 of `point` is complete: start copy 2, which commits the point. */
  protected receiveCommitRequest(point: number, blocks: string): void {
    if (point === this.committedPoint && point > 0) {
      this.ctx.emit({ type: 'commit.reacknowledged', node: TARGET, point });
      this.link.send({ kind: 'committed', point }, this.ctx.world.now_tick);
      return;
    }
    if (point !== this.committedPoint + 1) return;
    const mask = bitmapOf(blocks);
    if (Number.isNaN(mask)) throw new InvariantViolation('commit request with a corrupt bitmap', `target: commit request names blocks ${blocks}`);
    this.commit(point, mask);
  }

  protected commit(point: number, mask: number): void {
    this.dependency = this.relationAfterCommit(mask);
    this.committedPoint = point;
    this.persist();
    this.ctx.app.pointCommitted(point);
    this.ctx.emit({ type: 'point.committed', node: TARGET, point, blocks: bitmapText(mask) });
    this.link.send({ kind: 'committed', point }, this.ctx.world.now_tick);
  }

  /** Copy 2's bitmap once it restarts: the blocks still not copied, and every block copy 1 changed. */
  protected relationAfterCommit(mask: number): number {
    return this.dependency | mask;
  }

  /** Background copy 2: one marked block to the target. */
  step(): boolean {
    if (!this.node.up || this.dependency === 0) return false;
    this.copyToTarget(lowestBlock(this.dependency), 'copy2.block');
    return true;
  }

  protected persist(): void {
    this.fields[0] = this.committedPoint;
    this.fields[1] = this.dependency;
    this.meta.write(this.fields);
  }

  /** Volatile state in the model's terms (only meaningful while up): committed point, copy 2's bitmap. */
  abstract(out: number[]): void {
    const up = this.node.up;
    out[3] = up ? this.committedPoint : Number.NaN;
    out[4] = up ? this.dependency : Number.NaN;
  }

  protected crashed(): void {
    this.ctx.emit({ type: 'node.crashed', node: TARGET });
  }

  protected restarted(): void {
    const f = this.meta.recover() ?? [0, 0];
    this.committedPoint = f[0]!;
    this.dependency = f[1]!;
    this.ctx.emit({ type: 'node.recovered', node: TARGET, point: this.committedPoint });
  }

  /** The target's logical image through the committed relation, from durable state alone. */
  failoverImage(): Image {
    const f = this.meta.readDurable() ?? [0, 0];
    const dependency = f[1]!;
    const image = this.image.slice();
    for (let b = 0; b < image.length; b++) {
      image[b] = (dependency & bitOf(b)) !== 0 ? this.secondIntermediate.readDurable(b) : this.targetVolume.readDurable(b);
    }
    return image;
  }

  failoverStamp(): number {
    return this.secondIntermediate.durableVersion + this.targetVolume.durableVersion + this.meta.disk.durableVersion;
  }
}
