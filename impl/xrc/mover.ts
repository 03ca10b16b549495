/**
 * The primary data mover. Each interval it reads every controller that is up — the record sets
 * it has not read yet and the time the controller is complete to — and sends what it read, with
 * the completeness reports, as one time-interval group of self-describing records. It relays the
 * secondary's confirmations to the controllers, which only then release their record sets.
 *
 * All of its state is volatile (its buffers): a crash loses it, and restart simply reads again
 * from what the controllers still keep. When confirmations stop coming while record sets are
 * unconfirmed, or the secondary asks, it rewinds and sends again; the secondary drops duplicates.
 */
import type { Link } from '../sim/link.ts';
import type { SimNode } from '../sim/world.ts';
import { MOVER, timeText, type GroupMessage, type ToMover, type XrcContext } from './context.ts';
import type { Controller, ControllerRead } from './controller.ts';
import { encodeReport, recordLength } from './record.ts';

export class DataMover {
  readonly node: SimNode;
  // Volatile state (its buffers), lost in a crash.
  /** Next sequence number to read from each controller (the controller never hands out released ones). */
  protected cursor: number[];
  /** Newest sequence number the secondary confirmed, per controller. */
  protected confirmed: number[];
  /** Newest confirmation passed on to each controller. */
  protected relayed: number[];
  /** Newest completeness report sent, per controller (a report is sent again only when it moves). */
  protected sentComplete: number[];
  protected nextGroup = 1;
  protected lastProgress_tick = 0;
  private readonly sets: Uint8Array[] = [];
  private readonly reads: ControllerRead[];

  constructor(protected readonly ctx: XrcContext, protected readonly controllers: readonly Controller[], protected readonly link: Link<GroupMessage>) {
    this.node = ctx.world.addNode(MOVER, { crashed: () => this.crashed(), restarted: () => this.restarted() });
    const n = controllers.length;
    this.cursor = new Array<number>(n).fill(0);
    this.confirmed = new Array<number>(n).fill(0);
    this.relayed = new Array<number>(n).fill(0);
    this.sentComplete = new Array<number>(n).fill(0);
    this.reads = controllers.map(() => ({ first: 0, last: 0, complete: 0, released: 0 }));
  }

  step(): boolean {
    if (!this.node.up) return false;
    if (this.relay()) return true;
    const rewound = this.stalled() && this.rewind();
    return this.readInterval() || rewound;
  }

  /** Pass confirmations on to the controllers that are up. */
  protected relay(): boolean {
    let any = false;
    for (let c = 0; c < this.controllers.length; c++) {
      if (this.confirmed[c]! <= this.relayed[c]! || !this.controllers[c]!.node.up) continue;
      this.controllers[c]!.release(this.confirmed[c]!);
      this.relayed[c] = this.confirmed[c]!;
      any = true;
    }
    return any;
  }

  private unconfirmed(): number {
    let n = 0;
    for (let c = 0; c < this.controllers.length; c++) n += Math.max(0, this.cursor[c]! - 1 - this.confirmed[c]!);
    return n;
  }

  private stalled(): boolean {
    return this.unconfirmed() > 0 && this.ctx.world.now_tick - this.lastProgress_tick >= this.ctx.config.resend_ticks;
  }

  /** Send everything unconfirmed again, reports included. */
  protected rewind(): boolean {
    for (let c = 0; c < this.controllers.length; c++) {
      this.cursor[c] = this.confirmed[c]! + 1;
      this.sentComplete[c] = 0;
    }
    this.lastProgress_tick = this.ctx.world.now_tick;
    this.ctx.emit({ type: 'resend.started', node: MOVER });
    return true;
  }

  /** Read every controller that is up; send what is new as one time-interval group. */
  protected readInterval(): boolean {
    const wasIdle = this.unconfirmed() === 0;
    const sets = this.sets;
    sets.length = 0;
    const reports: Uint8Array[] = [];
    const parts: string[] = [];
    for (let c = 0; c < this.controllers.length; c++) {
      const before = sets.length;
      const r = this.controllers[c]!.read(this.cursor[c]!, this.ctx.config.readBatch, sets, this.reads[c]!);
      if (r === null) continue;
      this.confirmed[c] = Math.max(this.confirmed[c]!, r.released);
      this.relayed[c] = Math.max(this.relayed[c]!, r.released);
      if (r.last < r.first && r.complete <= this.sentComplete[c]!) continue;
      this.cursor[c] = Math.max(this.cursor[c]!, r.last + 1, r.first);
      this.sentComplete[c] = r.complete;
      reports.push(encodeReport({ controller: c, lastSeq: r.last, complete: r.complete }));
      this.ctx.emit({ type: 'sets.read', node: MOVER, controller: c, first: r.first, last: r.last, complete: r.complete });
      const span = r.last < r.first ? '' : r.first === r.last ? `#${r.first} ` : `#${r.first}-${r.last} `;
      parts.push(`c${c} ${span}complete to ${timeText(r.complete, this.ctx.config.tickUnits)}`);
      if (sets.length - before > this.ctx.config.readBatch) throw new Error(`mover: read ${sets.length - before} record sets from controller ${c}`);
    }
    if (reports.length === 0) return false;
    if (wasIdle) this.lastProgress_tick = this.ctx.world.now_tick;
    const group = this.nextGroup++;
    this.link.send({ kind: 'group', group, contents: parts.join(', '), bytes: this.groupBytes(sets, reports) }, this.ctx.world.now_tick);
    this.ctx.emit({ type: 'group.sent', node: MOVER, group, sets: sets.length, reports: reports.length });
    return true;
  }

  /** Record sets, then reports, back to back. */
  private groupBytes(sets: readonly Uint8Array[], reports: readonly Uint8Array[]): Uint8Array {
    let size = 0;
    for (const s of sets) size += recordLength(s);
    for (const r of reports) size += r.length;
    const bytes = new Uint8Array(size);
    let at = 0;
    for (const s of sets) {
      const n = recordLength(s);
      bytes.set(s.subarray(0, n), at);
      at += n;
    }
    for (const r of reports) {
      bytes.set(r, at);
      at += r.length;
    }
    return bytes;
  }

  receive(message: ToMover): void {
    if (message.kind === 'resend') {
      for (let c = 0; c < this.controllers.length; c++) {
        this.cursor[c] = Math.max(this.confirmed[c]! + 1, Math.min(this.cursor[c]!, message.seqs[c]!));
        this.sentComplete[c] = 0;
      }
      this.lastProgress_tick = this.ctx.world.now_tick;
      this.ctx.emit({ type: 'resend.started', node: MOVER });
      return;
    }
    let progress = false;
    for (let c = 0; c < this.controllers.length; c++) {
      if (message.seqs[c]! > this.confirmed[c]!) {
        this.confirmed[c] = message.seqs[c]!;
        progress = true;
      }
    }
    if (progress) this.lastProgress_tick = this.ctx.world.now_tick;
    this.ctx.emit({ type: 'confirm.received', node: MOVER, ct: message.ct });
  }

  protected crashed(): void {
    this.ctx.emit({ type: 'node.crashed', node: MOVER, unconfirmed: this.unconfirmed() });
  }

  /** Nothing durable: read again from whatever the controllers still keep. */
  protected restarted(): void {
    this.cursor.fill(0);
    this.confirmed.fill(0);
    this.relayed.fill(0);
    this.sentComplete.fill(0);
    this.lastProgress_tick = this.ctx.world.now_tick;
    this.ctx.emit({ type: 'node.recovered', node: MOVER });
  }
}
