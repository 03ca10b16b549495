/**
 * The synchronous mirror from the first intermediate (source site) to the second intermediate
 * (target site), as its source-site half sees it. A mirrored write has two halves: the local half
 * (the first intermediate written, by the source site's copy 1) and the remote half (the second
 * intermediate written, on delivery at the target site, then acknowledged). Between them the
 * block is out of sync.
 *
 * The mirror suspends when a send is refused (the inter-site path is down: a partition) or when
 * no acknowledgement has come for `resend_ticks`; while suspended, local halves go on and only
 * mark blocks out of sync. After `resend_ticks` it tries to resynchronise: it sends every
 * out-of-sync block again from the first intermediate; once all are acknowledged it is in sync.
 * Its state is volatile: a crash of the source site forgets it (copy 1's durable bitmap still
 * names every block not acknowledged, so recovery copies them again).
 */
import type { Disk } from '../sim/disk.ts';
import type { Link } from '../sim/link.ts';
import { InvariantViolation } from '../sim/invariant.ts';
import type { SimNode } from '../sim/world.ts';
import { bitmapText, bitOf, lowestBlock } from './bitmap.ts';
import { SOURCE, type FlashCopyContext, type ToTarget } from './context.ts';

export const ACTIVE = 0;
export const SUSPENDED = 1;
export const RESYNCING = 2;

export type SuspendCause = 'link-down' | 'no-ack';

export class Mirror {
  state = ACTIVE;
  /** Blocks whose local half is done and whose remote half is not acknowledged. */
  outOfSync = 0;
  protected cause: SuspendCause = 'no-ack';
  protected lastProgress_tick = 0;

  constructor(
    protected readonly ctx: FlashCopyContext,
    protected readonly node: SimNode,
    protected readonly link: Link<ToTarget>,
    protected readonly firstIntermediate: Disk,
  ) {}

  protected get now_tick(): number {
    return this.ctx.world.clockOf(this.node);
  }

  /** The local half of block `block` of copy `point` is done: send its remote half unless suspended. */
  localHalfDone(point: number, block: number, data: Uint8Array): void {
    if ((this.outOfSync & bitOf(block)) !== 0) {
      throw new InvariantViolation('block recopied while its mirror write is in flight', `mirror: block ${block} copied again while out of sync`);
    }
    this.outOfSync |= bitOf(block);
    if (this.state === SUSPENDED) return;
    if (!this.send(point, block, data)) this.suspend('link-down');
  }

  /** The target site holds the block: it is in sync. */
  acknowledged(block: number): void {
    this.outOfSync &= ~bitOf(block);
    this.lastProgress_tick = this.now_tick;
  }

  /** One step of the mirror's own work (suspend, resync, back in sync); false when none is due. */
  step(point: number): boolean {
    if (this.state === RESYNCING && this.outOfSync === 0) {
      this.state = ACTIVE;
      this.ctx.emit({ type: 'mirror.resynchronised', node: SOURCE, cause: this.cause });
      return true;
    }
    const quiet = this.now_tick - this.lastProgress_tick >= this.ctx.config.resend_ticks;
    if (!quiet) return false;
    if (this.state === SUSPENDED) return this.resync(point);
    if (this.outOfSync !== 0) {
      this.suspend('no-ack');
      return true;
    }
    return false;
  }

  /** Send every out-of-sync block again, read from the first intermediate. */
  protected resync(point: number): boolean {
    const blocks = this.outOfSync;
    let left = blocks;
    for (let n = 0; left !== 0 && n < 32; n++) {
      const block = lowestBlock(left);
      left &= ~bitOf(block);
      if (!this.send(point, block, this.firstIntermediate.read(block))) {
        this.suspend('link-down');
        return true;
      }
    }
    this.state = RESYNCING;
    this.lastProgress_tick = this.now_tick;
    this.ctx.emit({ type: 'mirror.resync', node: SOURCE, blocks: bitmapText(blocks) });
    return true;
  }

  protected send(point: number, block: number, data: Uint8Array): boolean {
    const sent = this.link.send({ kind: 'mirror', point, block, data }, this.ctx.world.now_tick);
    if (sent) this.lastProgress_tick = this.now_tick;
    return sent;
  }

  protected suspend(cause: SuspendCause): void {
    this.state = SUSPENDED;
    this.cause = cause;
    this.lastProgress_tick = this.now_tick;
    this.ctx.emit({ type: 'mirror.suspended', node: SOURCE, cause });
  }

  /** The source site crashed or recovered: the mirror starts over, in sync with nothing pending. */
  reset(): void {
    this.state = ACTIVE;
    this.outOfSync = 0;
    this.lastProgress_tick = this.now_tick;
  }
}
