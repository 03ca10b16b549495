/**
 * The replication management application. It decides when the next consistency group is
 * complete (every control verified it complete), records its intent durably, has every control
 * switch its links in turn, then records the group committed on every control (only then is the
 * point reported committed), has every control release the blocks the group superseded, and
 * finally tells the primary it may forget the group.
 *
 * On an error while waiting for all links to be updated (a link-update error, a control down or
 * not ready), it records the failure, and for each control checks whether its links correspond to
 * the current group and, if so, reverts them to the previous group; then it retries the group.
 *
 * Durable record (one sealed block): committed group, group in progress (0 none), phase. Recovery
 * of a half-done commit REVERTS it (as the claim does on an error): a commit in progress at the
 * crash is finished as a failed one, and the group is committed again later. The failover image
 * follows the same rule (see system.ts), so both agree.
 */
import type { Disk } from '../sim/disk.ts';
import { InvariantViolation } from '../sim/invariant.ts';
import type { Link } from '../sim/link.ts';
import { sealFields, unsealFields } from '../sim/sealed.ts';
import type { SimNode } from '../sim/world.ts';
import type { Control } from './control.ts';
import { MANAGER, type CommandStatus, type PointerTableContext, type ReleasedMessage } from './context.ts';

export type ManagerPhase = 'idle' | 'switching' | 'reverting' | 'releasing';

/** The manager's durable record. */
export interface CommitRecord {
  readonly committed: number;
  /** Group being committed (switching) or reverted; 0 when none. */
  readonly pending: number;
}

/** Phase codes in the record (recovery treats a switching and a reverting record alike). */
export const IDLE = 0;
const SWITCHING = 1;
const REVERTING = 2;

const recordCache = new WeakMap<Uint8Array, CommitRecord>();

/** The record a block holds; a block never written means nothing committed, nothing pending. */
export function readCommitRecord(bytes: Uint8Array): CommitRecord {
  let r = recordCache.get(bytes);
  if (r === undefined) {
    const f = unsealFields(bytes, 3);
    r = f === null ? { committed: 0, pending: 0 } : { committed: f[0]!, pending: f[1]! };
    recordCache.set(bytes, r);
  }
  return r;
}

export class Manager {
  readonly node: SimNode;
  readonly record: Disk;
  // Volatile state, rebuilt by recovery.
  protected committed = 0;
  protected pending = 0;
  protected phase: ManagerPhase = 'idle';
  /** The control the current phase deals with next (index). */
  protected next = 0;

  constructor(protected readonly ctx: PointerTableContext, protected readonly controls: readonly Control[], protected readonly link: Link<ReleasedMessage>) {
    this.node = ctx.world.addNode(MANAGER, { crashed: () => this.crashed(), restarted: () => this.restarted() });
    this.record = ctx.world.addDisk(this.node, { name: 'manager-record', blockCount: 1, blockSize_bytes: 32 });
  }

  step(): boolean {
    if (!this.node.up) return false;
    let progress: boolean;
    switch (this.phase) {
      case 'idle': progress = this.startCommit(); break;
      case 'switching': progress = this.switchNext(); break;
      case 'reverting': progress = this.revertNext(); break;
      case 'releasing': progress = this.releaseNext(); break;
    }
    this.checkAgreement();
    return progress;
  }

  protected writeRecord(committed: number, pending: number, phase: number): void {
    this.record.write(0, sealFields([committed, pending, phase], 32));
    this.record.flush();
  }

  /** The next group is complete on every control: record the intent, then switch. */
  protected startCommit(): boolean {
    const g = this.committed + 1;
    if (this.controls.every((c) => c.readyFor(g))) {
      this.writeRecord(this.committed, g, SWITCHING);
      this.pending = g;
      this.phase = 'switching';
      this.next = 0;
      this.ctx.emit({ type: 'commit.started', node: MANAGER, group: g });
      return true;
    }
    // The primary still sends committed groups: it missed our word that they are released.
    if (this.committed > 0 && this.controls.some((c) => c.staleSeen)) {
      for (const c of this.controls) c.staleSeen = false;
      this.notifyPrimary();
      return true;
    }
    return false;
  }

  protected switchNext(): boolean {
    if (this.next === this.controls.length) return this.commit();
    const status = this.controls[this.next]!.switchLinks(this.pending);
    if (status !== 'ok') return this.fail(this.next, status);
    this.next++;
    return true;
  }

  /** Every control switched: the group is committed on every control, durably. */
  protected commit(): boolean {
    const g = this.pending;
    this.writeRecord(g, 0, IDLE);
    this.committed = g;
    this.pending = 0;
    this.phase = 'releasing';
    this.next = 0;
    this.ctx.app.pointCommitted(g);
    this.ctx.emit({ type: 'group.committed', node: MANAGER, group: g });
    return true;
  }

  /** An error while waiting for all links: record it, then revert control by control. */
  protected fail(control: number, why: CommandStatus): boolean {
    this.writeRecord(this.committed, this.pending, REVERTING);
    this.phase = 'reverting';
    this.next = 0;
    this.ctx.emit({ type: 'commit.failed', node: MANAGER, group: this.pending, control: control + 1, why });
    return true;
  }

  protected revertNext(): boolean {
    if (this.next === this.controls.length) {
      const g = this.pending;
      this.writeRecord(this.committed, 0, IDLE);
      this.pending = 0;
      this.phase = 'idle';
      this.ctx.emit({ type: 'commit.reverted', node: MANAGER, group: g });
      return true;
    }
    // A control that is down keeps its durable links: wait for it to come back.
    if (!this.revertControl(this.controls[this.next]!)) return false;
    this.next++;
    return true;
  }

  /** Revert the control's links if they correspond to the current group; false while it is down. */
  protected revertControl(control: Control): boolean {
    const current = control.currentGroup();
    if (current === null) return false;
    if (current === this.pending) control.revertTo(this.pending - 1);
    else this.ctx.emit({ type: 'revert.skipped', node: MANAGER, control: control.index + 1, group: current });
    return true;
  }

  protected releaseNext(): boolean {
    if (this.next === this.controls.length) {
      this.notifyPrimary();
      this.phase = 'idle';
      return true;
    }
    if (this.controls[this.next]!.release(this.committed) !== 'ok') return false;
    this.next++;
    return true;
  }

  protected notifyPrimary(): void {
    this.link.send({ kind: 'released', group: this.committed }, this.ctx.world.now_tick);
    this.ctx.emit({ type: 'primary.notified', node: MANAGER, group: this.committed });
  }

  /**
   * Controls are at most one group apart during a commit and agree after it; a control's
   * committed group is durable whenever the manager looks.
   */
  protected checkAgreement(): void {
    const during = this.pending !== 0;
    for (const c of this.controls) {
      const durable = c.durableCommittedGroup();
      const current = c.currentGroup() ?? durable;
      if (during ? current !== this.pending && current !== this.pending - 1 : current !== this.committed) {
        const where = this.controls.map((x) => `${x.name} at ${x.currentGroup() ?? x.durableCommittedGroup()}`).join(', ');
        throw during
          ? new InvariantViolation('controls more than one group apart', `controls more than one group apart during the commit of group ${this.pending}: ${where}`)
          : new InvariantViolation('controls disagree after commit', `controls disagree with committed group ${this.committed}: ${where}`);
      }
      if (current !== durable) throw new InvariantViolation('link switch not durable', `${c.name}: links switched to group ${current} but its durable pointer table says group ${durable}`);
    }
  }

  /** Volatile state in the model's terms (only meaningful while up). */
  abstract(out: number[], at: number): void {
    const up = this.node.up;
    out[at] = up ? this.committed : Number.NaN;
    out[at + 1] = up ? this.pending : Number.NaN;
  }

  protected crashed(): void {
    this.ctx.emit({ type: 'node.crashed', node: MANAGER });
  }

  /** A commit in progress at the crash is reverted; a committed group is released again. */
  protected restarted(): void {
    const r = readCommitRecord(this.record.read(0));
    this.committed = r.committed;
    this.pending = r.pending;
    this.phase = r.pending !== 0 ? 'reverting' : 'releasing';
    this.next = 0;
    this.ctx.emit({ type: 'node.recovered', node: MANAGER, group: r.committed, pending: r.pending });
    this.checkAgreement();
  }

  /** The durable record, as the failover's recovery reads it. */
  durableRecord(): CommitRecord {
    return readCommitRecord(this.record.readDurable(0));
  }
}
