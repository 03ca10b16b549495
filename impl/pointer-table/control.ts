/**
 * A secondary storage control. Each data update it receives is stored once, in a free physical
 * block, and remembered as a pending link of its consistency group; a group is complete on this
 * control when every update the primary counted for it is linked and its data checks out; the
 * replication management application then has it switch its links to the group (one durable
 * header write), revert them on an error elsewhere, and release superseded blocks once the group
 * is committed on every control.
 *
 * Volatile (rebuilt by recovery): the mirror of the table and free list, the expected update
 * count of each closed group (the primary sends closes again), how far this control has verified
 * its groups complete, and an armed link-update error (the protocol's own fault).
 */
import { hash32 } from '../sim/hash.ts';
import { InvariantViolation } from '../sim/invariant.ts';
import type { SimNode } from '../sim/world.ts';
import { controlName, type CommandStatus, type PointerTableContext, type ToControl, type UpdateMessage } from './context.ts';
import { ControlStorage } from './storage.ts';
import { newestLinks, type Link } from './table.ts';

export class Control {
  readonly node: SimNode;
  readonly name: string;
  readonly storage: ControlStorage;
  /** Updates the primary counted for each closed group not yet switched to. */
  protected readonly expected = new Map<number, number>();
  /** Every group up to this one is verified complete here. */
  protected completeGroup = 0;
  /** An update or close of an already committed group arrived: the primary may have missed a release. */
  staleSeen = false;
  protected linkUpdateError = false;
  /** Scratch: newest link slot per virtual block. */
  protected readonly newest: Int32Array;

  constructor(protected readonly ctx: PointerTableContext, readonly index: number) {
    this.name = controlName(index);
    this.node = ctx.world.addNode(this.name, { crashed: () => this.crashed(), restarted: () => this.restarted() });
    this.storage = new ControlStorage(ctx.world, this.node, this.name, ctx.config);
    this.newest = new Int32Array(ctx.config.blocksPerVolume);
  }

  receive(m: ToControl): void {
    if (m.group <= this.storage.committedGroup) {
      this.staleSeen = true;
      return;
    }
    if (m.kind === 'close') {
      if (this.expected.get(m.group) === m.count) return;
      // Closed groups above the committed one are all in the primary's window.
      if (this.expected.size >= this.ctx.config.window) throw new InvariantViolation('group closes beyond the window', `${this.name}: more open group closes than the window holds`);
      this.expected.set(m.group, m.count);
      this.ctx.emit({ type: 'close.received', node: this.name, group: m.group, count: m.count });
      return;
    }
    for (const link of this.storage.links) if (link !== null && link.seq === m.seq) return;
    this.store(m);
  }

  /** Store the update once, in a free physical block, and link it as pending. */
  protected store(m: UpdateMessage): void {
    const p = this.chooseBlock(m.block);
    if (p < 0) throw new InvariantViolation('free blocks exhausted', `${this.name}: no free physical block for update seq ${m.seq}: the window bound is broken`);
    this.storage.allocate(p);
    this.storage.writeData(p, m.data);
    this.storage.link({ virtual: m.block, group: m.group, seq: m.seq, physical: p, dataHash: hash32(m.data) });
    this.ctx.emit({ type: 'update.stored', node: this.name, seq: m.seq, group: m.group, block: m.block, physical: p });
    this.storage.check();
  }

  /** The physical block a new update of virtual block `_virtual` goes to: a free one. */
  protected chooseBlock(_virtual: number): number {
    return this.storage.firstFree();
  }

  protected countLinks(group: number): number {
    let n = 0;
    for (const link of this.storage.links) if (link !== null && link.group === group) n++;
    return n;
  }

  /** Verify the next group complete: every counted update linked, every block's data intact. */
  step(): boolean {
    if (!this.node.up) return false;
    const g = this.completeGroup + 1;
    const expected = this.expected.get(g);
    if (expected === undefined || !this.isComplete(g, expected)) return false;
    let bad = 0;
    const links = this.storage.links;
    for (let t = 0; t < links.length; t++) {
      const link = links[t];
      if (link === null || link === undefined || link.group !== g || this.dataIntact(link)) continue;
      this.storage.unlink(t);
      this.storage.release(link.physical);
      bad++;
      this.ctx.emit({ type: 'update.discarded', node: this.name, seq: link.seq, group: g, physical: link.physical });
    }
    this.storage.table.flush();
    if (bad > 0) {
      this.storage.persistFree();
      this.storage.check();
      return true;
    }
    this.completeGroup = g;
    this.ctx.emit({ type: 'group.complete', node: this.name, group: g });
    return true;
  }

  /** The linked physical block holds the data the update carried (a write fault shows here). */
  protected dataIntact(link: Link): boolean {
    return hash32(this.storage.blocks.read(link.physical)) === link.dataHash;
  }

  /** Every update of the group is linked here (more would be an update stored twice). */
  protected isComplete(group: number, expected: number): boolean {
    const n = this.countLinks(group);
    if (n > expected) throw new InvariantViolation('update stored twice', `${this.name}: ${n} links for group ${group}, the primary sent ${expected} updates`);
    return n === expected;
  }

  // ---- The replication management application's commands ----

  /** Ready to switch to `group`: up, the group verified complete, the previous one committed. */
  readyFor(group: number): boolean {
    return this.node.up && this.completeGroup >= group && this.storage.committedGroup === group - 1;
  }

  /** The protocol fault: the next link switch on this control fails. */
  armLinkUpdateError(): boolean {
    if (!this.node.up || this.linkUpdateError) return false;
    this.linkUpdateError = true;
    return true;
  }

  /** Switch every link to `group`: one durable header write. */
  switchLinks(group: number): CommandStatus {
    if (!this.node.up) return 'control-down';
    if (this.linkUpdateError) {
      this.linkUpdateError = false;
      return 'link-update-error';
    }
    if (this.completeGroup < group) return 'not-ready';
    if (this.storage.committedGroup !== group - 1) throw new InvariantViolation('link switch skips a group', `${this.name}: switch to group ${group} from group ${this.storage.committedGroup}`);
    this.storage.writeCommittedGroup(group);
    this.expected.delete(group);
    this.ctx.emit({ type: 'links.switched', node: this.name, group });
    return 'ok';
  }

  /** The group this control's links correspond to now, or null when it is down. */
  currentGroup(): number | null {
    return this.node.up ? this.storage.committedGroup : null;
  }

  /** Revert every link to `group` (the previous group): one durable header write. */
  revertTo(group: number): void {
    if (!this.node.up) throw new InvariantViolation('revert of a control that is down', `${this.name}: revert while down`);
    this.storage.writeCommittedGroup(group);
    this.ctx.emit({ type: 'links.reverted', node: this.name, group });
  }

  /** Group `group` is committed on every control: release the blocks its links superseded. */
  release(group: number): CommandStatus {
    if (!this.node.up) return 'control-down';
    if (this.storage.committedGroup < group) throw new InvariantViolation('blocks released before the switch', `${this.name}: release of group ${group} while at group ${this.storage.committedGroup}`);
    const freed = this.releaseSuperseded(group);
    this.storage.check();
    this.ctx.emit({ type: 'blocks.released', node: this.name, group, count: freed });
    return 'ok';
  }

  /** Clear every link superseded as of `group` (durably), then free its block. Idempotent. */
  protected releaseSuperseded(group: number): number {
    const links = this.storage.links;
    newestLinks(links, group, this.newest);
    const freed: number[] = [];
    for (let t = 0; t < links.length; t++) {
      const link = links[t];
      if (link === null || link === undefined || link.group > group || this.newest[link.virtual] === t) continue;
      freed.push(this.storage.unlink(t).physical);
    }
    if (freed.length === 0) return 0;
    this.storage.table.flush();
    for (const p of freed) this.storage.release(p);
    this.storage.persistFree();
    return freed.length;
  }

  /** Volatile state in the model's terms (only meaningful while up). */
  abstract(out: number[], at: number): void {
    out[at] = this.node.up ? this.storage.committedGroup : Number.NaN;
  }

  protected crashed(): void {
    this.expected.clear();
    this.completeGroup = 0;
    this.staleSeen = false;
    this.linkUpdateError = false;
    this.ctx.emit({ type: 'node.crashed', node: this.name });
  }

  /**
   * Recovery: reload the table and free list; drop pending links whose data does not check out
   * (the update comes again); reclaim blocks allocated but never linked (a crash between the
   * free-list write and the link); committed links must check out.
   */
  protected restarted(): void {
    const s = this.storage;
    s.load();
    const committed = s.committedGroup;
    let dropped = 0;
    for (let t = 0; t < s.links.length; t++) {
      const link = s.links[t];
      if (link === null || link === undefined) continue;
      if (hash32(s.blocks.read(link.physical)) === link.dataHash) continue;
      if (link.group <= committed) throw new InvariantViolation('committed block damaged', `${this.name}: committed link (slot ${t}, group ${link.group}) to physical block ${link.physical} has damaged data`);
      s.unlink(t);
      dropped++;
    }
    if (dropped > 0) s.table.flush();
    let reclaimed = 0;
    for (let p = 0; p < s.physicalBlocks; p++) {
      if (s.free[p] === 0 && s.linkOf[p]! < 0) {
        s.release(p);
        reclaimed++;
      }
    }
    if (reclaimed > 0) s.persistFree();
    s.check();
    this.completeGroup = committed;
    this.ctx.emit({ type: 'node.recovered', node: this.name, group: committed, reclaimed });
    for (const link of s.links) {
      if (link !== null && link.group > committed) this.ctx.emit({ type: 'update.recovered', node: this.name, seq: link.seq, group: link.group });
    }
  }

  /** This control's volume as of `upTo`, from durable state alone, into `image` at `at`. */
  durableImage(upTo: number, image: Uint8Array[], at: number, zero: Uint8Array): void {
    this.storage.durableImage(upTo, image, at, zero);
  }

  durableCommittedGroup(): number {
    return this.storage.durableCommittedGroup();
  }

  failoverStamp(): number {
    return this.storage.blocks.durableVersion + this.storage.table.durableVersion;
  }
}
