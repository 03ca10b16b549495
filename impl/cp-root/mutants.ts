/**
 * cp-root mutants: each overrides the one step it breaks and names the real failure it mirrors.
 * The reference classes stay free of bug switches.
 */
import { rootFields, type RootNode } from './block.ts';
import type { CpRootContext, ToFirst, ToSecond } from './context.ts';
import { SECOND } from './context.ts';
import { FirstServer } from './first.ts';
import type { PointPlan } from './point.ts';
import { SecondServer } from './second.ts';
import type { CpRootParts } from './system.ts';
import type { Link } from '../sim/link.ts';

export interface CpRootMutant {
  readonly name: string;
  readonly mirrors: string;
  readonly parts: CpRootParts;
}

/** Builds the root as soon as every batch is sent, without waiting for the second to say they are durable. */
class RootBeforeBlocksDurable extends FirstServer {
  protected override canCommit(plan: PointPlan): boolean {
    return plan.sent === plan.batches && this.ackedPoint === plan.point - 1;
  }
}

/** Frees blocks once the local root moved on: only the newest local root pins blocks. */
class ReuseAfterLocalCommit extends FirstServer {
  protected override pinnedBlocks(): Uint8Array {
    const pinned = new Uint8Array(this.ctx.config.physicalBlocks);
    this.newest.mark(pinned);
    return pinned;
  }
}

/** Rewrites a volume's address block where it is instead of at a new location. */
class AddressBlockInPlace extends FirstServer {
  constructor(ctx: CpRootContext, link: Link<ToSecond>) {
    super(ctx, link);
    this.placeAddress = (volume, base, allocate) => (base.volAddr[volume] !== 0 ? base.volAddr[volume]! : allocate());
  }
}

/** Builds each data block from the newest NVRAM write to it when the block is sent, not from the point's own. */
class WriteHalfInPoint extends FirstServer {
  protected override dataFor(logical: number, seq: number): Uint8Array {
    for (let i = this.queue.length - 1; i >= 0; i--) {
      const q = this.queue[i]!;
      if (q.logical === logical) return super.dataFor(logical, q.seq);
    }
    return super.dataFor(logical, seq);
  }
}

/** After a crash, rebuilds the point in progress but drops the writes queued in NVRAM after it. */
class NvramNotReplayed extends FirstServer {
  protected override replay(): number {
    super.replay();
    const marker = this.plan?.markerSeq ?? this.newest.lastSeq;
    this.queue = this.queue.filter((q) => q.seq <= marker);
    return 0;
  }
}

/** Trusts a root slot's fields without its checksum: a torn root passes for the newest. */
class RootWithoutChecksum extends SecondServer {
  protected override readRoot(bytes: Uint8Array): RootNode | null {
    return rootFields(bytes, this.ctx.config.volumes);
  }
}

/** Keeps one root slot and overwrites it in place with every new root. */
class SingleRootSlot extends SecondServer {
  protected override slotOf(_point: number): number {
    return 0;
  }
}

/** Acknowledges a root when it arrives, before its slot write is flushed. */
class AcknowledgeBeforeDurable extends SecondServer {
  protected override receiveRoot(point: number, bytes: Uint8Array): void {
    const before = this.writing;
    super.receiveRoot(point, bytes);
    if (before !== null || this.writing === null) return;
    const message: ToFirst = { kind: 'root-ack', point };
    this.link.send(message, this.ctx.world.now_tick);
    this.ctx.app.pointCommitted(point);
    this.ctx.emit({ type: 'point.acknowledged', node: SECOND, point });
  }
}

const mutant = (name: string, mirrors: string, parts: Partial<CpRootParts>): CpRootMutant => ({
  name, mirrors, parts: { First: FirstServer, Second: SecondServer, ...parts },
});

export const CP_ROOT_MUTANTS: readonly CpRootMutant[] = [
  mutant('root-before-blocks-durable', 'the root is built and sent before the remote block writes are durable: the second may take a tree whose blocks it does not hold', { First: RootBeforeBlocksDurable }),
  mutant('reuse-block-after-local-commit', 'a block is freed after the local commit only and reused while the second server\'s current root still reaches it', { First: ReuseAfterLocalCommit }),
  mutant('address-block-in-place', 'an address block is updated in place instead of copy-on-write, changing a tree a durable root still reaches', { First: AddressBlockInPlace }),
  mutant('write-half-in-point', 'a write acknowledged during a point is put half into it: its data lands in the point being sent', { First: WriteHalfInPoint }),
  mutant('nvram-not-replayed', 'NVRAM is not replayed after a crash of the first server: writes acknowledged since the last point are lost', { First: NvramNotReplayed }),
  mutant('root-without-checksum', 'a root without a (checked) checksum is accepted after a torn write: new point number, old pointers', { Second: RootWithoutChecksum }),
  mutant('single-root-slot', 'a single root slot is overwritten in place: a torn root write leaves no intact root', { Second: SingleRootSlot }),
  mutant('acknowledge-before-root-durable', 'the second acknowledges a root before its slot write is flushed: a crash loses an acknowledged point', { Second: AcknowledgeBeforeDurable }),
];
