/**
 * The secondary processor. It takes in time-interval groups: record sets are accepted per
 * controller in sequence order (duplicates dropped, a gap asks for a resend), and completeness
 * reports raise what it knows each controller to be complete to. The consistency time is the
 * minimum of that over every controller; the consistency group is every record set stamped after
 * the previous consistency time and up to this one, in timestamp order. The group is journaled
 * (record sets verified durable, then the control block names it), shadowed to the secondary
 * volumes one record set per step, and committed; then the data mover hears the confirmation.
 */
import type { Disk } from '../sim/disk.ts';
import { invariant } from '../sim/invariant.ts';
import type { Link } from '../sim/link.ts';
import type { Image } from '../sim/system.ts';
import type { SimNode } from '../sim/world.ts';
import { pointOf, SECONDARY, type GroupMessage, type ToMover, type XrcContext } from './context.ts';
import { emptyControl, hasPending, journaledSets, readControl, recoverImage, sealControl, writeVerified, type Control } from './journal.ts';
import {
  controllerAt, decodeRecordSet, KIND_RECORD_SET, kindAt, recordLength, seqAt, SLOT_BYTES, stampAt, validate, type RecordSet,
} from './record.ts';

/** A record set received and not yet in a consistency group. */
export interface Buffered {
  readonly set: RecordSet;
  /** Its journal slot image. */
  readonly bytes: Uint8Array;
  /** Order of arrival. */
  readonly arrival: number;
}

export class Secondary {
  readonly node: SimNode;
  readonly volumes: Disk;
  readonly journalDisk: Disk;
  readonly controlDisk: Disk;
  // Volatile state, rebuilt by recovery.
  protected control: Control;
  protected nextSeq: number[];
  protected known: number[];
  protected buffer: Buffered[] = [];
  /** The journaled group being shadowed, in timestamp order; empty when none is. */
  protected group: readonly RecordSet[] = [];
  protected shadowIndex = 0;
  protected arrivals = 0;
  protected lastRequest_tick = -1;

  constructor(protected readonly ctx: XrcContext, protected readonly link: Link<ToMover>) {
    const { world, config } = ctx;
    this.node = world.addNode(SECONDARY, { crashed: () => this.crashed(), restarted: () => this.restarted() });
    this.volumes = world.addDisk(this.node, {
      name: 'secondary-volumes', blockCount: config.volumes * config.blocksPerVolume, blockSize_bytes: config.blockSize_bytes,
    });
    this.journalDisk = world.addDisk(this.node, { name: 'secondary-journal', blockCount: config.journalSlots, blockSize_bytes: SLOT_BYTES });
    this.controlDisk = world.addDisk(this.node, { name: 'secondary-control', blockCount: 1, blockSize_bytes: 64 });
    this.control = emptyControl(config.controllers);
    this.nextSeq = new Array<number>(config.controllers).fill(1);
    this.known = new Array<number>(config.controllers).fill(0);
  }

  /** Take in a time-interval group: record sets in sequence order per controller, then reports. */
  receive(message: GroupMessage): void {
    const bytes = message.bytes;
    const limit = this.ctx.config.controllers * (this.ctx.config.readBatch + 1);
    let gap = false;
    let fresh = 0;
    let duplicates = 0;
    let at = 0;
    for (let n = 0; n < limit && at < bytes.length; n++) {
      const problem = validate(bytes, at, this.ctx.config);
      if (problem !== null) {
        this.ctx.emit({ type: 'group.rejected', node: SECONDARY, group: message.group, why: problem });
        gap = true;
        break;
      }
      const c = controllerAt(bytes, at);
      if (kindAt(bytes, at) === KIND_RECORD_SET) {
        const seq = seqAt(bytes, at);
        if (seq < this.nextSeq[c]!) duplicates++;
        else if (seq > this.nextSeq[c]!) gap = true;
        else {
          this.accept(bytes, at);
          fresh++;
        }
      } else {
        this.acceptReport(c, seqAt(bytes, at), stampAt(bytes, at));
      }
      at += recordLength(bytes, at);
    }
    if (gap) this.requestResend('gap');
    else if (fresh === 0 && duplicates > 0) this.confirm();
  }

  protected accept(bytes: Uint8Array, at: number): void {
    const slot = new Uint8Array(SLOT_BYTES);
    slot.set(bytes.subarray(at, at + recordLength(bytes, at)));
    const set = decodeRecordSet(slot);
    invariant(set.ts > this.control.pendingCt, 'write stamped inside a consistent interval',
      () => `record set c${set.controller}#${set.seq} stamped ${set.ts}, at or before consistency time ${this.control.pendingCt} already formed`);
    invariant(this.buffer.length < this.ctx.config.controllers * this.ctx.config.sidefileSlots, 'unbounded buffer', () => 'secondary: buffer overrun');
    this.buffer.push({ set, bytes: slot, arrival: this.arrivals++ });
    this.nextSeq[set.controller] = set.seq + 1;
    this.ctx.emit({ type: 'set.received', node: SECONDARY, controller: set.controller, seq: set.seq, ts: set.ts });
  }

  /** A report counts once every record set up to the sequence number it names has arrived. */
  protected acceptReport(c: number, lastSeq: number, complete: number): void {
    if (lastSeq >= this.nextSeq[c]! || complete <= this.known[c]!) return;
    this.known[c] = complete;
    this.ctx.emit({ type: 'report.accepted', node: SECONDARY, controller: c, seq: lastSeq, complete });
  }

  /** Ask the data mover to send again from the next record set missing (at most once a tick). */
  protected requestResend(reason: 'gap' | 'recovery'): void {
    const now = this.ctx.world.now_tick;
    if (now === this.lastRequest_tick) return;
    this.lastRequest_tick = now;
    this.link.send({ kind: 'resend', seqs: this.nextSeq.slice() }, now);
    this.ctx.emit({ type: 'resend.requested', node: SECONDARY, reason });
  }

  /** Whether a journaled group is being shadowed (not yet committed). */
  get isShadowing(): boolean {
    return this.group.length > 0;
  }

  step(): boolean {
    if (!this.node.up) return false;
    if (this.group.length > 0) return this.shadowIndex < this.group.length ? this.shadowNext() : this.commit();
    return this.formGroup();
  }

  /** The minimum, over every controller, of the time it is known complete to. */
  protected consistencyTime(): number {
    let ct = Number.POSITIVE_INFINITY;
    for (const k of this.known) ct = Math.min(ct, k);
    return ct;
  }

  /** Whether a record set stamped `ts` falls in the interval (from, to]. */
  protected inInterval(ts: number, from: number, to: number): boolean {
    return ts > from && ts <= to;
  }

  /** The buffered record sets of the interval (from, to], in timestamp order. */
  protected selectGroup(from: number, to: number): Buffered[] {
    return this.buffer.filter((b) => this.inInterval(b.set.ts, from, to)).sort((a, b) => a.set.ts - b.set.ts);
  }

  protected formGroup(): boolean {
    const from = this.control.committedCt;
    let ct = this.consistencyTime();
    if (!(ct > from)) return false;
    let sets = this.selectGroup(from, ct);
    if (sets.length === 0) return false;
    if (sets.length > this.ctx.config.journalSlots) {
      sets = sets.slice(0, this.ctx.config.journalSlots);
      ct = sets[sets.length - 1]!.set.ts;
    }
    if (!this.journalGroup(sets, ct)) return true;
    this.buffer = this.buffer.filter((b) => b.set.ts > ct);
    return true;
  }

  /** Journal the group, then begin shadowing it. */
  protected journalGroup(sets: readonly Buffered[], ct: number): boolean {
    const pendingSeq = this.control.committedSeq.slice();
    for (const b of sets) pendingSeq[b.set.controller] = Math.max(pendingSeq[b.set.controller]!, b.set.seq);
    const control = { ...this.control, pendingGroup: this.control.committedGroup + 1, pendingCt: ct, pendingSeq, count: sets.length };
    if (!this.journal(sets, control)) return false;
    this.control = control;
    this.group = sets.map((b) => b.set);
    this.shadowIndex = 0;
    this.ctx.emit({ type: 'group.journaled', node: SECONDARY, group: control.pendingGroup, ct, sets: sets.length });
    return true;
  }

  /** Make the group durable: record sets written and verified, then the control block names it. */
  protected journal(sets: readonly Buffered[], control: Control): boolean {
    const repaired = (slot: number) => this.ctx.emit({ type: 'journal.repaired', node: SECONDARY, slot });
    if (!writeVerified(this.journalDisk, sets.map((b) => b.bytes), repaired)) return false;
    this.controlDisk.write(0, sealControl(control));
    this.controlDisk.flush();
    return true;
  }

  /** Shadow the next record set of the group, in timestamp order. */
  protected shadowNext(): boolean {
    const r = this.group[this.shadowIndex]!;
    this.volumes.write(r.volume * this.ctx.config.blocksPerVolume + r.block, r.data);
    this.ctx.emit({ type: 'set.shadowed', node: SECONDARY, controller: r.controller, seq: r.seq, ts: r.ts });
    this.shadowIndex++;
    return true;
  }

  protected commit(): boolean {
    this.volumes.flush();
    const c = this.control;
    const control = { ...c, committedGroup: c.pendingGroup, committedCt: c.pendingCt, committedSeq: c.pendingSeq, count: 0 };
    this.controlDisk.write(0, sealControl(control));
    this.controlDisk.flush();
    this.control = control;
    const newest = this.group[this.group.length - 1]!;
    this.group = [];
    this.ctx.emit({ type: 'group.committed', node: SECONDARY, group: control.committedGroup, ct: control.committedCt });
    this.ctx.app.pointCommitted(pointOf(newest.ts, newest.controller));
    this.confirm();
    return true;
  }

  /** Tell the data mover what is committed: the controllers may release it. */
  protected confirm(): void {
    if (this.control.committedGroup === 0) return;
    this.link.send({ kind: 'confirm', ct: this.control.committedCt, seqs: this.control.committedSeq }, this.ctx.world.now_tick);
  }

  /** Volatile state in the model's terms (only meaningful while up). */
  abstract(out: number[], at: number): void {
    const up = this.node.up;
    out[at] = up ? this.control.committedCt : Number.NaN;
    out[at + 1] = up ? this.control.pendingCt : Number.NaN;
  }

  protected crashed(): void {
    this.ctx.emit({ type: 'node.crashed', node: SECONDARY });
  }

  /** Read the control block; a pending group is shadowed again from its first record set. */
  protected restarted(): void {
    const controllers = this.ctx.config.controllers;
    this.control = readControl(this.controlDisk.read(0), controllers);
    this.buffer = [];
    this.nextSeq = this.control.pendingSeq.map((s) => s + 1);
    this.known = new Array<number>(controllers).fill(this.control.pendingCt);
    this.group = hasPending(this.control) ? journaledSets(this.control, (slot) => this.journalDisk.read(slot), this.ctx.config) : [];
    this.shadowIndex = 0;
    this.lastRequest_tick = -1;
    this.ctx.emit({ type: 'node.recovered', node: SECONDARY, ct: this.control.committedCt, pending: this.control.pendingCt });
    this.requestResend('recovery');
  }

  /** Recovery run on a copy of the durable state: the volumes plus the pending group shadowed again. */
  failoverImage(): Image {
    return recoverImage(this.volumes, this.controlDisk, this.journalDisk, this.ctx.config);
  }

  failoverStamp(): number {
    return this.volumes.durableVersion + this.journalDisk.durableVersion + this.controlDisk.durableVersion;
  }
}
