/**
 * Pointer-table mutants: each overrides the one step it breaks and names the real failure it
 * mirrors (PROTOCOLS.md, pointer-table's typical bugs). The reference classes stay free of bug
 * switches.
 */
import { hash32 } from '../sim/hash.ts';
import { InvariantViolation } from '../sim/invariant.ts';
import { Control } from './control.ts';
import { MANAGER, type CommandStatus, type UpdateMessage } from './context.ts';
import { IDLE, Manager } from './manager.ts';
import { Primary } from './primary.ts';
import type { PointerTableParts } from './system.ts';
import { encodeHeader, newestLinks } from './table.ts';

export interface PointerTableMutant {
  readonly name: string;
  readonly mirrors: string;
  readonly parts: PointerTableParts;
}

/** Releases the superseded blocks right after its own switch, before every control switched. */
class ReleaseOnLocalSwitch extends Control {
  override switchLinks(group: number): CommandStatus {
    const status = super.switchLinks(group);
    if (status === 'ok') this.ctx.emit({ type: 'blocks.released', node: this.name, group, count: this.releaseSuperseded(group) });
    return status;
  }
}

/** On an error, gives the commit up without reverting the controls that already switched. */
class NoRevertOnError extends Manager {
  protected override fail(control: number, why: CommandStatus): boolean {
    const g = this.pending;
    this.ctx.emit({ type: 'commit.failed', node: MANAGER, group: g, control: control + 1, why });
    this.writeRecord(this.committed, 0, IDLE);
    this.pending = 0;
    this.phase = 'idle';
    this.ctx.emit({ type: 'commit.reverted', node: MANAGER, group: g });
    return true;
  }
}

/** Writes an update over the physical block its virtual block already links to. */
class WriteInPlace extends Control {
  protected override store(m: UpdateMessage): void {
    const links = this.storage.links;
    let t = -1;
    for (let i = 0; i < links.length; i++) {
      const l = links[i];
      if (l !== null && l !== undefined && l.virtual === m.block && (t < 0 || l.seq > links[t]!.seq)) t = i;
    }
    if (t < 0) return super.store(m);
    const p = links[t]!.physical;
    this.storage.blocks.write(p, m.data);
    this.storage.blocks.flush();
    this.storage.unlink(t);
    this.storage.link({ virtual: m.block, group: m.group, seq: m.seq, physical: p, dataHash: hash32(m.data) });
    this.ctx.emit({ type: 'update.stored', node: this.name, seq: m.seq, group: m.group, block: m.block, physical: p });
  }
}

/** Declares a group complete as soon as its close arrives, whatever updates are still missing. */
class CompleteOnClose extends Control {
  protected override isComplete(_group: number, _expected: number): boolean {
    return true;
  }
}

/** Reverts every control one group back, whether or not its links correspond to the current group. */
class RevertTooFar extends Manager {
  protected override revertControl(control: Control): boolean {
    const current = control.currentGroup();
    if (current === null) return false;
    control.revertTo(current - 1);
    return true;
  }
}

/** Keeps the list of released blocks and frees it again at the next release. */
class ReleaseTwice extends Control {
  private readonly releaseList: number[] = [];
  protected override releaseSuperseded(group: number): number {
    for (const p of this.releaseList) this.storage.release(p);
    const links = this.storage.links;
    newestLinks(links, group, this.newest);
    for (let t = 0; t < links.length; t++) {
      const l = links[t];
      if (l !== null && l !== undefined && l.group <= group && this.newest[l.virtual] !== t) this.releaseList.push(l.physical);
    }
    return super.releaseSuperseded(group);
  }
}

/** Acknowledges a link switch while the new header is still only in the write cache. */
class SwitchNotDurable extends Control {
  override switchLinks(group: number): CommandStatus {
    if (!this.node.up) return 'control-down';
    if (this.linkUpdateError) {
      this.linkUpdateError = false;
      return 'link-update-error';
    }
    if (this.completeGroup < group) return 'not-ready';
    this.storage.table.write(0, encodeHeader(group));
    this.storage.committedGroup = group;
    this.expected.delete(group);
    this.ctx.emit({ type: 'links.switched', node: this.name, group });
    return 'ok';
  }
}

/** Declares a group complete without checking the data of its physical blocks. */
class SkipDataCheck extends Control {
  protected override dataIntact(): boolean {
    return true;
  }
}

/** Takes a block off the free list in memory only; the free list reaches disk at the next release. */
class LazyFreeList extends Control {
  protected override store(m: UpdateMessage): void {
    const p = this.chooseBlock(m.block);
    if (p < 0) throw new InvariantViolation('free blocks exhausted', `${this.name}: no free physical block for update seq ${m.seq}`);
    this.storage.free[p] = 0;
    this.storage.writeData(p, m.data);
    this.storage.link({ virtual: m.block, group: m.group, seq: m.seq, physical: p, dataHash: hash32(m.data) });
    this.ctx.emit({ type: 'update.stored', node: this.name, seq: m.seq, group: m.group, block: m.block, physical: p });
  }
}

/** Recovery trusts the intent record: a half-done commit is recorded committed without the missing switches. */
class RollForwardBlindly extends Manager {
  protected override restarted(): void {
    super.restarted();
    if (this.pending === 0) return;
    const g = this.pending;
    this.writeRecord(g, 0, IDLE);
    this.committed = g;
    this.pending = 0;
    this.phase = 'releasing';
    this.ctx.app.pointCommitted(g);
    this.ctx.emit({ type: 'group.committed', node: MANAGER, group: g });
  }
}

const mutant = (name: string, mirrors: string, parts: Partial<PointerTableParts>): PointerTableMutant => ({
  name, mirrors, parts: { Primary, Control, Manager, ...parts },
});

export const POINTER_TABLE_MUTANTS: readonly PointerTableMutant[] = [
  mutant('release-after-local-switch', 'a control releases the blocks its new links superseded right after its own switch, before the group is committed on every control: a revert can no longer restore the previous group', { Control: ReleaseOnLocalSwitch }),
  mutant('no-revert-on-error', 'on an error while waiting for all links, the management application abandons the commit without reverting the controls that already switched', { Manager: NoRevertOnError }),
  mutant('write-in-place', 'an update is written in place, over the physical block its virtual block links to, instead of into a free block', { Control: WriteInPlace }),
  mutant('commit-before-complete', 'a control declares a consistency group complete when its close marker arrives, before every update of the group is stored: the group is committed incomplete', { Control: CompleteOnClose }),
  mutant('revert-too-far', 'after an error every control is reverted one group back, including controls that never switched: they end a group too far back', { Manager: RevertTooFar }),
  mutant('release-twice', 'the release list is never cleared, so the next release frees the same physical blocks a second time (they may hold newer updates by then)', { Control: ReleaseTwice }),
  mutant('switch-not-durable', 'a control acknowledges its link switch while the new pointer-table header is only in its write cache: a crash loses a switch the group was committed on', { Control: SwitchNotDurable }),
  mutant('skip-data-check', 'a group is declared complete without checking the data of its physical blocks: a torn, lost or misdirected block write is committed', { Control: SkipDataCheck }),
  mutant('lazy-free-list', 'a block leaves the free list only in memory (the free list is written at the next release): after a crash the durable free list offers a block the pointer table links', { Control: LazyFreeList }),
  mutant('roll-forward-blindly', 'recovery of the management application rolls a half-done commit forward from its intent record without switching the controls that had not switched', { Manager: RollForwardBlindly }),
];
