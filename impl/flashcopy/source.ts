/**
 * The source site: the updatable source volume, the first intermediate, the source-site half of
 * the mirror, and the cycle's durable metadata.
 *
 * Each cycle starts an incremental FlashCopy from the source to the first intermediate (copy 1):
 * its start is the consistency point, and its bitmap is the previous cycle's future FlashCopy
 * map (the blocks updated since the previous point). Copy 1 copies each marked block (local
 * half) and the mirror carries it to the second intermediate (remote half); a block's bit is
 * cleared only when the target site acknowledges it, so a clear bit means "the point's data is at
 * both intermediates". Copy 1 is complete when its bitmap is empty; the source site then asks the
 * target site to start copy 2, whose start commits the point, and the commit starts the next cycle.
 *
 * An update write whose old data is already at both intermediates goes through and is marked in
 * the future map; otherwise it is held and its block copied first (copy-on-write). The source
 * volume and the metadata are durable before a write is acknowledged. Volatile (lost on a crash):
 * held writes and the mirror's state; recovery rebuilds the rest from the metadata.
 */
import type { Disk } from '../sim/disk.ts';
import { InvariantViolation } from '../sim/invariant.ts';
import type { Link } from '../sim/link.ts';
import type { AppWrite } from '../sim/system.ts';
import type { SimNode } from '../sim/world.ts';
import { bitmapText, bitOf, lowestBlock } from './bitmap.ts';
import { blocksOf, COMPLETE, COPYING, IDLE, PHASE_NAMES, SOURCE, type FlashCopyContext, type ToSource, type ToTarget } from './context.ts';
import { MetaStore } from './metadata.ts';
import { Mirror } from './mirror.ts';

interface HeldWrite {
  readonly host: number;
  readonly block: number;
  readonly write: AppWrite;
}

export class SourceSite {
  readonly node: SimNode;
  readonly sourceVolume: Disk;
  readonly firstIntermediate: Disk;
  readonly meta: MetaStore;
  readonly mirror: Mirror;
  // The cycle state, durable in `meta` (fields in this order).
  protected point = 0;
  protected phase = IDLE;
  /** Copy 1's bitmap: blocks of the point not yet at both intermediates. */
  protected remaining = 0;
  /** The blocks copy 1 of this point started with (copy 2 will carry them to the target). */
  protected copyMask = 0;
  /** The future FlashCopy map: blocks updated since the point. */
  protected future = 0;
  // Volatile.
  protected held: HeldWrite[] = [];
  protected lastRequest_tick = 0;
  private readonly fields = [0, 0, 0, 0, 0];

  constructor(protected readonly ctx: FlashCopyContext, protected readonly link: Link<ToTarget>, MirrorPart: typeof Mirror = Mirror) {
    const { world, config } = ctx;
    const blocks = blocksOf(config);
    this.node = world.addNode(SOURCE, { crashed: () => this.crashed(), restarted: () => this.restarted() });
    this.sourceVolume = world.addDisk(this.node, { name: 'source', blockCount: blocks, blockSize_bytes: config.blockSize_bytes });
    this.firstIntermediate = world.addDisk(this.node, { name: 'intermediate-1', blockCount: blocks, blockSize_bytes: config.blockSize_bytes });
    this.meta = new MetaStore(world.addDisk(this.node, { name: 'source-meta', blockCount: 2, blockSize_bytes: 32 }), 5);
    this.mirror = new MirrorPart(ctx, this.node, link, this.firstIntermediate);
  }

  /** A host's update write: through now when its old data is at both intermediates, else held. */
  write(host: number, write: AppWrite): boolean {
    if (!this.node.up) return false;
    for (const h of this.held) if (h.host === host) return false;
    const block = write.volume * this.ctx.config.blocksPerVolume + write.block;
    if (this.oldDataMirrored(block)) {
      this.writeThrough(write, block, 0);
      return true;
    }
    if (this.held.length >= this.ctx.config.hosts) throw new Error('source: more held writes than hosts');
    this.held.push({ host, block, write });
    this.ctx.emit({ type: 'write.held', node: SOURCE, block });
    return true;
  }

  /** Whether the point's data of `block` is at both intermediates (or the block is not in copy 1). */
  protected oldDataMirrored(block: number): boolean {
    return (this.remaining & bitOf(block)) === 0;
  }

  /** The update reaches the source volume, is marked in the future map, and is acknowledged. */
  protected writeThrough(write: AppWrite, block: number, held: number): void {
    this.sourceVolume.write(block, write.data);
    this.sourceVolume.flush();
    this.markFuture(block);
    this.ctx.app.acknowledged(write);
    this.ctx.emit({ type: 'write.through', node: SOURCE, block, held });
  }

  protected markFuture(block: number): void {
    if ((this.future & bitOf(block)) !== 0) return;
    this.future |= bitOf(block);
    this.persist();
  }

  /** The next cycle now, if one may start (the harness's consistency-point request). */
  requestPoint(): boolean {
    return this.node.up && this.phase === IDLE && this.future !== 0 && this.startCycle();
  }

  step(): boolean {
    if (!this.node.up) return false;
    if (this.releaseHeldWrite() || this.copyOnWrite()) return true;
    if (this.mirror.step(this.point)) return true;
    switch (this.phase) {
      case COPYING: return this.remaining === 0 ? this.completeCopy() : this.backgroundCopy();
      case COMPLETE: return this.resendCommitRequest();
      default: return this.future !== 0 && this.startCycle();
    }
  }

  /** A held write whose old data is now at both intermediates goes through. */
  protected releaseHeldWrite(): boolean {
    for (let i = 0; i < this.held.length; i++) {
      const h = this.held[i]!;
      if (!this.oldDataMirrored(h.block)) continue;
      this.held.splice(i, 1);
      this.writeThrough(h.write, h.block, 1);
      return true;
    }
    return false;
  }

  /** A held write's block is copied first, ahead of the background copy. */
  protected copyOnWrite(): boolean {
    for (const h of this.held) {
      const bit = bitOf(h.block);
      if ((this.remaining & bit) !== 0 && (this.mirror.outOfSync & bit) === 0) {
        this.localHalf(h.block, 1);
        return true;
      }
    }
    return false;
  }

  protected backgroundCopy(): boolean {
    const pending = this.remaining & ~this.mirror.outOfSync;
    if (pending === 0) return false;
    this.localHalf(lowestBlock(pending), 0);
    return true;
  }

  /** The local half of a mirrored write: the point's data to the first intermediate, then the mirror. */
  protected localHalf(block: number, cow: number): void {
    const data = this.sourceVolume.read(block);
    this.firstIntermediate.write(block, data);
    this.firstIntermediate.flush();
    this.ctx.emit({ type: 'copy1.block', node: SOURCE, point: this.point, block, cow });
    this.mirror.localHalfDone(this.point, block, data);
  }

  /** Copy 1 is complete: ask the target site to start copy 2 (which commits the point). */
  protected completeCopy(): boolean {
    this.phase = COMPLETE;
    this.persist();
    this.ctx.emit({ type: 'copy1.complete', node: SOURCE, point: this.point, blocks: bitmapText(this.copyMask) });
    this.requestCommit();
    return true;
  }

  protected requestCommit(): void {
    this.link.send({ kind: 'complete', point: this.point, blocks: bitmapText(this.copyMask) }, this.ctx.world.now_tick);
    this.lastRequest_tick = this.ctx.world.clockOf(this.node);
  }

  protected resendCommitRequest(): boolean {
    if (this.ctx.world.clockOf(this.node) - this.lastRequest_tick < this.ctx.config.resend_ticks) return false;
    this.ctx.emit({ type: 'commit.resent', node: SOURCE, point: this.point });
    this.requestCommit();
    return true;
  }

  /** Start copy 1 of the next point: its start is the consistency point. */
  protected startCycle(): boolean {
    if (this.phase !== IDLE || this.mirror.outOfSync !== 0) {
      throw new InvariantViolation('new cycle started while the previous one is running', 'source: cycle started while one is running');
    }
    this.point++;
    this.remaining = this.future;
    this.copyMask = this.future;
    this.future = 0;
    this.phase = COPYING;
    this.persist();
    this.ctx.app.pointTaken(this.point);
    this.ctx.emit({ type: 'cycle.started', node: SOURCE, point: this.point, blocks: bitmapText(this.copyMask) });
    return true;
  }

  receive(message: ToSource): void {
    if (message.kind === 'mirrored') {
      const bit = bitOf(message.block);
      if (message.point !== this.point || this.phase !== COPYING || (this.remaining & bit) === 0) return;
      this.remaining &= ~bit;
      this.persist();
      this.mirror.acknowledged(message.block);
      this.ctx.emit({ type: 'mirror.acked', node: SOURCE, point: message.point, block: message.block });
      return;
    }
    if (message.point !== this.point || this.phase !== COMPLETE) return;
    this.ctx.emit({ type: 'commit.acknowledged', node: SOURCE, point: message.point });
    this.phase = IDLE;
    // The commit starts the next cycle (when anything was updated since the point).
    if (this.future !== 0) this.startCycle();
    else this.persist();
  }

  /** The cycle state as metadata fields. */
  protected metaFields(): number[] {
    const f = this.fields;
    f[0] = this.point;
    f[1] = this.phase;
    f[2] = this.remaining;
    f[3] = this.copyMask;
    f[4] = this.future;
    return f;
  }

  protected persist(): void {
    this.meta.write(this.metaFields());
  }

  /** Volatile state in the model's terms (only meaningful while up): point, remaining, future. */
  abstract(out: number[]): void {
    const up = this.node.up;
    out[0] = up ? this.point : Number.NaN;
    out[1] = up ? this.remaining : Number.NaN;
    out[2] = up ? this.future : Number.NaN;
  }

  protected crashed(): void {
    this.held = [];
    this.mirror.reset();
    this.ctx.emit({ type: 'node.crashed', node: SOURCE });
  }

  /** Rebuild the cycle from the metadata; every block not acknowledged is copied again. */
  protected restarted(): void {
    const f = this.meta.recover() ?? [0, IDLE, 0, 0, 0];
    [this.point, this.phase, this.remaining, this.copyMask, this.future] = f as [number, number, number, number, number];
    if (this.phase > COMPLETE) throw new InvariantViolation('cycle metadata names no phase', `source: metadata names phase ${this.phase}`);
    this.held = [];
    this.mirror.reset();
    this.lastRequest_tick = this.ctx.world.clockOf(this.node) - this.ctx.config.resend_ticks;
    this.ctx.emit({ type: 'node.recovered', node: SOURCE, point: this.point, phase: PHASE_NAMES[this.phase]! });
  }
}
