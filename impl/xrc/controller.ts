/**
 * A primary storage controller (subsystem). A host write waits in the controller's queue; one
 * step later it is stamped from the common system timer, written to the primary volume and, as a
 * record set, to the controller's sidefile, made durable, and acknowledged to the host. Record
 * sets stay in the sidefile until the secondary confirms them (relayed by the data mover).
 *
 * On a read by the data mover the controller hands over its unconfirmed record sets in sequence
 * order and reports the time it is complete to: no record set it will ever stamp later can be at
 * or before that time. Stamps always exceed the timer's newest stamp, so the report is the larger
 * of its own newest stamp and the smaller of its reading and the timer's newest stamp; an idle
 * controller thereby reports "nothing up to t" and a stepped-back reading holds t back.
 */
import type { Disk } from '../sim/disk.ts';
import { invariant } from '../sim/invariant.ts';
import { sealFields, unsealFields } from '../sim/sealed.ts';
import type { AppWrite } from '../sim/system.ts';
import type { SimNode } from '../sim/world.ts';
import { controllerName, pointOf, type XrcContext } from './context.ts';
import { controllerAt, encodeRecordSet, KIND_RECORD_SET, kindAt, seqAt, SLOT_BYTES, stampAt, validate } from './record.ts';
import type { CommonTimer } from './timer.ts';

interface QueuedWrite {
  readonly host: number;
  readonly write: AppWrite;
}

/** What one read by the data mover returned (record sets are pushed to the caller's array). */
export interface ControllerRead {
  /** Sequence numbers of the record sets handed over (first > last: none). */
  first: number;
  last: number;
  /** Complete up to this time: every record set stamped at or before it is at or below `last`. */
  complete: number;
  /** Newest sequence number confirmed and released. */
  released: number;
}

export class Controller {
  readonly node: SimNode;
  readonly name: string;
  protected readonly volume: Disk;
  protected readonly sidefile: Disk;
  protected readonly meta: Disk;
  // Volatile state, rebuilt by recovery.
  protected queue: QueuedWrite[] = [];
  lastSeq = 0;
  lastStamp = 0;
  released = 0;

  constructor(
    protected readonly ctx: XrcContext,
    readonly index: number,
    protected readonly timer: CommonTimer,
    /** Called when a host's write leaves the queue (acknowledged, or lost in a crash). */
    private readonly hostDone: (host: number) => void,
  ) {
    const { world, config } = ctx;
    this.name = controllerName(index);
    this.node = world.addNode(this.name, { crashed: () => this.crashed(), restarted: () => this.restarted() });
    this.volume = world.addDisk(this.node, { name: `volume-${index}`, blockCount: config.blocksPerVolume, blockSize_bytes: config.blockSize_bytes });
    this.sidefile = world.addDisk(this.node, { name: `sidefile-${index}`, blockCount: config.sidefileSlots, blockSize_bytes: SLOT_BYTES });
    this.meta = world.addDisk(this.node, { name: `controller-meta-${index}`, blockCount: 1, blockSize_bytes: 32 });
  }

  /** A host write arrives; false when the controller is down or its queue or sidefile is full. */
  accept(host: number, write: AppWrite): boolean {
    if (!this.node.up || this.queue.length >= this.ctx.config.hosts) return false;
    if (this.lastSeq + this.queue.length - this.released >= this.ctx.config.sidefileSlots) return false;
    this.queue.push({ host, write });
    this.ctx.emit({ type: 'write.received', node: this.name, controller: this.index, host });
    return true;
  }

  step(): boolean {
    if (!this.node.up || this.queue.length === 0) return false;
    this.completeWrite(this.queue.shift()!);
    return true;
  }

  /** The stamp for the next write: from the common timer. */
  protected stampWrite(): number {
    return this.timer.stamp(this.index);
  }

  /** Stamp, store durably (volume and sidefile), then acknowledge. */
  protected completeWrite(w: QueuedWrite): void {
    const reading = this.timer.reading(this.index);
    const ts = this.stampWrite();
    invariant(ts > this.lastStamp, 'write stamped out of order', () => `${this.name}: stamp ${ts} not after its newest ${this.lastStamp}`);
    const seq = this.lastSeq + 1;
    invariant(seq - this.released <= this.ctx.config.sidefileSlots, 'unconfirmed record set overwritten', () => `${this.name}: sidefile overrun at ${seq}`);
    const { volume, block, data } = w.write;
    this.sidefile.write(seq % this.ctx.config.sidefileSlots, encodeRecordSet({ controller: this.index, seq, ts, volume, block, data }));
    this.volume.write(block, data);
    this.sidefile.flush();
    this.volume.flush();
    this.lastSeq = seq;
    this.lastStamp = ts;
    this.hostDone(w.host);
    this.ctx.app.acknowledged(w.write);
    this.ctx.app.pointTaken(pointOf(ts, this.index));
    this.ctx.emit({ type: 'write.stamped', node: this.name, controller: this.index, host: w.host, seq, ts, reading });
  }

  /** The time this controller is complete to now (see the file header). */
  protected completeness(): number {
    return Math.max(this.lastStamp, Math.min(this.timer.reading(this.index), this.timer.newestStamp));
  }

  /**
   * The data mover reads record sets from `from` on (never below what is still kept), at most
   * `max`, into `out`; null when the controller is down.
   */
  read(from: number, max: number, out: Uint8Array[], result: ControllerRead): ControllerRead | null {
    if (!this.node.up) return null;
    const first = Math.max(from, this.released + 1);
    const last = Math.min(this.lastSeq, first + max - 1);
    for (let seq = first; seq <= last; seq++) {
      const bytes = this.sidefile.read(seq % this.ctx.config.sidefileSlots);
      invariant(seqAt(bytes) === seq && validate(bytes, 0, this.ctx.config) === null, 'unconfirmed record set lost',
        () => `${this.name}: sidefile slot of ${seq} is not intact`);
      out.push(bytes);
    }
    result.first = first;
    result.last = last;
    result.complete = last < this.lastSeq ? stampAt(this.sidefile.read(last % this.ctx.config.sidefileSlots)) : this.completeness();
    result.released = this.released;
    return result;
  }

  /** The secondary confirmed record sets up to `seq`: they may go. */
  release(seq: number): boolean {
    if (!this.node.up || seq <= this.released) return false;
    invariant(seq <= this.lastSeq, 'confirmation of a record set never stamped', () => `${this.name}: confirmation of ${seq} beyond newest record set ${this.lastSeq}`);
    this.meta.write(0, sealFields([seq], 32));
    this.meta.flush();
    this.released = seq;
    this.ctx.emit({ type: 'sets.released', node: this.name, controller: this.index, seq });
    return true;
  }

  /** Volatile state in the model's terms (only meaningful while up). */
  abstract(out: number[], at: number, controllers: number): void {
    const up = this.node.up;
    out[at + this.index] = up ? this.lastSeq : Number.NaN;
    out[at + controllers + this.index] = up ? this.released : Number.NaN;
  }

  protected crashed(): void {
    for (const w of this.queue) this.hostDone(w.host);
    this.queue = [];
    this.ctx.emit({ type: 'node.crashed', node: this.name, controller: this.index });
  }

  /** The newest record set in the sidefile is the newest ever stamped (its slot is never reused early). */
  protected restarted(): void {
    this.released = unsealFields(this.meta.read(0), 1)?.[0] ?? 0;
    this.lastSeq = 0;
    this.lastStamp = 0;
    for (let slot = 0; slot < this.ctx.config.sidefileSlots; slot++) {
      const bytes = this.sidefile.read(slot);
      if (kindAt(bytes) !== KIND_RECORD_SET || validate(bytes, 0, this.ctx.config) !== null || controllerAt(bytes) !== this.index) continue;
      if (seqAt(bytes) > this.lastSeq) {
        this.lastSeq = seqAt(bytes);
        this.lastStamp = stampAt(bytes);
      }
    }
    invariant(this.lastSeq >= this.released, 'unconfirmed record set lost', () => `${this.name}: released ${this.released} beyond newest record set ${this.lastSeq}`);
    this.ctx.emit({ type: 'node.recovered', node: this.name, controller: this.index, seq: this.lastSeq, released: this.released });
  }
}
