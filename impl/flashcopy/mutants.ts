/**
 * Flashcopy mutants: each overrides the one step it breaks and names the real failure it mirrors
 * (PROTOCOLS.md's typical bugs, plus two of the mirror's). The reference classes stay free of bug
 * switches.
 */
import { bitOf } from './bitmap.ts';
import { IDLE } from './context.ts';
import { Mirror } from './mirror.ts';
import { SourceSite } from './source.ts';
import type { FlashCopyParts } from './system.ts';
import { TargetSite } from './target.ts';

export interface FlashCopyMutant {
  readonly name: string;
  readonly mirrors: string;
  readonly parts: FlashCopyParts;
}

/** Declares copy 1 complete once every block has been sent, without waiting for the mirror's acknowledgements. */
class CompleteOnSend extends SourceSite {
  protected override backgroundCopy(): boolean {
    if ((this.remaining & ~this.mirror.outOfSync) === 0) return this.completeCopy();
    return super.backgroundCopy();
  }
}

/** Lets an update through once the old data is at the first intermediate, mirrored or not. */
class ThroughAtFirstIntermediate extends SourceSite {
  protected override oldDataMirrored(block: number): boolean {
    return (this.remaining & ~this.mirror.outOfSync & bitOf(block)) === 0;
  }
}

/** Starts the next cycle as soon as copy 2 is requested, not when its start commits the point. */
class CycleBeforeCommit extends SourceSite {
  protected override completeCopy(): boolean {
    super.completeCopy();
    this.phase = IDLE;
    if (this.future !== 0) this.startCycle();
    else this.persist();
    return true;
  }
}

/** Keeps the future FlashCopy map in memory only: the metadata never records it. */
class VolatileFutureMap extends SourceSite {
  protected override metaFields(): number[] {
    const fields = super.metaFields();
    fields[4] = 0;
    return fields;
  }
}

/** Clears copy 2's bit as soon as the target write is issued, before it is durable. */
class ClearBeforeCopied extends TargetSite {
  protected override copyToTarget(block: number, type: 'copy2.cow' | 'copy2.block'): void {
    this.targetVolume.write(block, this.secondIntermediate.read(block));
    this.dependency &= ~bitOf(block);
    this.persist();
    this.ctx.emit({ type, node: 'target', block });
  }
}

/** Mirrors onto the second intermediate without copying the block the target still depends on. */
class NoTargetCopyOnWrite extends TargetSite {
  protected override protectTarget(_block: number): void {}
}

/** Restarts copy 2's relation with only the new blocks: bits not yet copied are lost. */
class CommitReplacesBitmap extends TargetSite {
  protected override relationAfterCommit(mask: number): number {
    return mask;
  }
}

/** Acknowledges a mirrored write while it sits in the second intermediate's cache; flushes at commit. */
class AckBeforeDurable extends TargetSite {
  protected override writeSecondIntermediate(block: number, data: Uint8Array): void {
    this.secondIntermediate.write(block, data);
  }
  protected override commit(point: number, mask: number): void {
    this.secondIntermediate.flush();
    super.commit(point, mask);
  }
}

/** Applies a mirrored write whatever cycle it belongs to: a late duplicate overwrites newer data. */
class AnyCycleMirror extends TargetSite {
  protected override ofCopiedCycle(_point: number): boolean {
    return true;
  }
}

const mutant = (name: string, mirrors: string, parts: Partial<FlashCopyParts>): FlashCopyMutant => ({
  name, mirrors, parts: { Source: SourceSite, Mirror, Target: TargetSite, ...parts },
});

export const FLASHCOPY_MUTANTS: readonly FlashCopyMutant[] = [
  mutant('copy2-before-copy1-complete', 'the second FlashCopy (and the commit) starts before the first completes: blocks still on the wire are missing from the committed image', { Source: CompleteOnSend }),
  mutant('write-through-before-mirrored', 'a source write is let through when the old data is at the first intermediate but not yet mirrored to the second', { Source: ThroughAtFirstIntermediate }),
  mutant('new-cycle-before-commit', 'a new cycle starts before the start of the second copy commits the point', { Source: CycleBeforeCommit }),
  mutant('future-map-lost', 'the future FlashCopy map is volatile: a crash of the source site loses the blocks updated since the point', { Source: VolatileFutureMap }),
  mutant('bitmap-cleared-before-copy', 'a FlashCopy bitmap bit is cleared before its copy to the target is durable', { Target: ClearBeforeCopied }),
  mutant('no-target-copy-on-write', 'the second intermediate is overwritten while the target still depends on it (no copy-on-write to the target)', { Target: NoTargetCopyOnWrite }),
  mutant('commit-replaces-bitmap', 'restarting the incremental relation replaces its bitmap instead of merging: blocks not yet copied to the target are lost', { Target: CommitReplacesBitmap }),
  mutant('mirror-ack-before-durable', 'the mirror acknowledges a write before the second intermediate holds it durably: a crash between the halves loses it', { Target: AckBeforeDurable }),
  mutant('stale-mirror-applied', 'a delayed or duplicated mirrored write of an older cycle is applied over the second intermediate', { Target: AnyCycleMirror }),
];
