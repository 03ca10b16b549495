/**
 * The journal's primary site: hosts of one consistency host group, the primary volumes, and the
 * local log. A host write is intercepted, appended to the local log as a durable write record,
 * then (one step later) written to the primary volume and acknowledged. A consistency point
 * quiesces the hosts, waits for in-flight writes, appends the point record, and resumes.
 * Records are shipped in sequence order and resent on a timer or on request; the log is trimmed
 * only when the secondary acknowledges a committed point.
 */
import type { Disk } from '../sim/disk.ts';
import type { Link } from '../sim/link.ts';
import { sealFields, unsealFields } from '../sim/sealed.ts';
import type { AppWrite } from '../sim/system.ts';
import type { SimNode } from '../sim/world.ts';
import { PRIMARY, windowOf, type JournalContext, type RecordMessage, type ToPrimary } from './context.ts';
import { checkSignatures, decode, encode, sequenceOf, type LogRecord } from './record.ts';

interface InFlightWrite {
  readonly host: number;
  readonly seq: number;
  readonly write: AppWrite;
}

export class Primary {
  readonly node: SimNode;
  protected readonly localLog: Disk;
  protected readonly meta: Disk;
  protected readonly volume: Disk;
  protected readonly link: Link<RecordMessage>;
  // Volatile state, rebuilt by recovery.
  protected nextSeq = 1;
  protected trimmedSeq = 0;
  protected ackedPoint = 0;
  protected lastPoint = 0;
  protected lastPointSeq = 0;
  protected quiescing = 0;
  protected inFlight: InFlightWrite[] = [];
  protected shipSeq = 1;
  protected lastShip_tick = 0;

  constructor(protected readonly ctx: JournalContext, link: Link<RecordMessage>) {
    const { world, config } = ctx;
    this.node = world.addNode(PRIMARY, { crashed: () => this.crashed(), restarted: () => this.restarted() });
    const blocks = config.volumes * config.blocksPerVolume;
    this.localLog = world.addDisk(this.node, { name: 'local-log', blockCount: config.logSlots, blockSize_bytes: 64 });
    this.meta = world.addDisk(this.node, { name: 'local-meta', blockCount: 1, blockSize_bytes: 32 });
    this.volume = world.addDisk(this.node, { name: 'primary-volumes', blockCount: blocks, blockSize_bytes: config.blockSize_bytes });
    this.link = link;
  }

  /** Number of records logged and not yet trimmed. */
  protected get outstanding(): number {
    return this.nextSeq - 1 - this.trimmedSeq;
  }

  write(host: number, write: AppWrite): boolean {
    if (!this.node.up || this.quiescing !== 0) return false;
    if (this.inFlight.some((w) => w.host === host)) return false;
    if (this.outstanding >= windowOf(this.ctx.config) - 1) return false;
    const seq = this.nextSeq;
    this.append({ kind: 'write', seq, volume: write.volume, block: write.block, data: write.data });
    this.inFlight.push({ host, seq, write });
    this.ctx.emit({ type: 'write.logged', node: PRIMARY, seq });
    return true;
  }

  requestPoint(): boolean {
    if (!this.node.up || this.quiescing !== 0) return false;
    if (this.outstanding >= windowOf(this.ctx.config)) return false;
    this.quiescing = this.lastPoint + 1;
    this.ctx.emit({ type: 'point.quiesce', node: PRIMARY, point: this.quiescing });
    return true;
  }

  step(): boolean {
    if (!this.node.up) return false;
    if (this.inFlight.length > 0) return this.completeWrite();
    if (this.quiescing !== 0) return this.recordPoint();
    if (this.shipSeq < this.nextSeq) return this.ship();
    const now = this.ctx.world.clockOf(this.node);
    if (this.outstanding > 0 && now - this.lastShip_tick >= this.ctx.config.resend_ticks) {
      this.shipSeq = this.trimmedSeq + 1;
      this.lastShip_tick = now;
      return this.ship();
    }
    return false;
  }

  /** Append a record to the local log and make it durable. */
  protected append(record: LogRecord): void {
    if (this.outstanding >= windowOf(this.ctx.config)) throw new Error('primary: local log full');
    this.localLog.write(record.seq % this.ctx.config.logSlots, encode(record));
    this.localLog.flush();
    this.nextSeq = record.seq + 1;
  }

  /** The oldest in-flight write reaches the primary volume and is acknowledged to its host. */
  protected completeWrite(): boolean {
    const w = this.inFlight.shift()!;
    this.volume.write(w.write.volume * this.ctx.config.blocksPerVolume + w.write.block, w.write.data);
    this.ctx.app.acknowledged(w.write);
    this.ctx.emit({ type: 'write.acknowledged', node: PRIMARY, seq: w.seq });
    return true;
  }

  /** Hosts are quiet: append the point record naming every write since the previous point. */
  protected recordPoint(): boolean {
    const seq = this.nextSeq;
    const point = this.quiescing;
    const first = this.lastPointSeq + 1;
    this.append({ kind: 'point', seq, point, first, last: seq - 1 });
    this.lastPoint = point;
    this.lastPointSeq = seq;
    this.quiescing = 0;
    this.ctx.app.pointTaken(point);
    this.ctx.emit({ type: 'point.recorded', node: PRIMARY, point, first, last: seq - 1, seq });
    return true;
  }

  protected ship(): boolean {
    const seq = this.shipSeq;
    const bytes = this.localLog.read(seq % this.ctx.config.logSlots);
    this.link.send({ kind: 'record', seq, bytes }, this.ctx.world.now_tick);
    this.shipSeq = seq + 1;
    this.lastShip_tick = this.ctx.world.clockOf(this.node);
    this.ctx.emit({ type: 'record.shipped', node: PRIMARY, seq });
    return true;
  }

  receive(message: ToPrimary): void {
    if (message.kind === 'refetch') {
      if (message.seq > this.trimmedSeq && message.seq < this.shipSeq) this.shipSeq = message.seq;
      return;
    }
    this.ctx.emit({ type: 'ack.received', node: PRIMARY, point: message.point });
    if (message.seq > this.trimmedSeq && message.point > this.ackedPoint) this.trim(message.seq, message.point);
  }

  /** The secondary committed `point` ending at `seq`: its records may go. */
  protected trim(seq: number, point: number): void {
    this.meta.write(0, sealFields([seq, point], 32));
    this.meta.flush();
    this.trimmedSeq = seq;
    this.ackedPoint = point;
    if (this.shipSeq <= seq) this.shipSeq = seq + 1;
    this.ctx.emit({ type: 'log.trimmed', node: PRIMARY, seq, point });
  }

  /** Volatile state in the model's terms (only meaningful while up). */
  abstract(out: number[]): void {
    const up = this.node.up;
    out[0] = up ? this.lastPoint : Number.NaN;
    out[1] = up ? this.nextSeq - 1 : Number.NaN;
    out[2] = up ? this.trimmedSeq : Number.NaN;
  }

  protected crashed(): void {
    this.inFlight = [];
    this.quiescing = 0;
    this.ctx.emit({ type: 'node.crashed', node: PRIMARY });
  }

  /** Rebuild from the trim pointer and the log; finish and acknowledge logged writes. */
  protected restarted(): void {
    const [trimmed, acked] = unsealFields(this.meta.read(0), 2) ?? [0, 0];
    this.trimmedSeq = trimmed!;
    this.ackedPoint = acked!;
    this.lastPoint = this.ackedPoint;
    this.lastPointSeq = this.trimmedSeq;
    const slots = this.ctx.config.logSlots;
    const logged: AppWrite[] = [];
    let seq = this.trimmedSeq + 1;
    for (let n = 0; n < slots; n++, seq++) {
      const bytes = this.localLog.read(seq % slots);
      if (sequenceOf(bytes) !== seq || checkSignatures(bytes) !== null) break;
      const record = decode(bytes);
      if (record.kind === 'point') {
        this.lastPoint = record.point;
        this.lastPointSeq = seq;
        logged.length = 0;
      } else {
        logged.push({ volume: record.volume, block: record.block, data: record.data });
      }
    }
    this.nextSeq = seq;
    this.shipSeq = this.trimmedSeq + 1;
    this.lastShip_tick = this.ctx.world.clockOf(this.node);
    this.ctx.emit({ type: 'node.recovered', node: PRIMARY, seq: this.nextSeq - 1, point: this.lastPoint });
    for (const write of logged) {
      this.volume.write(write.volume * this.ctx.config.blocksPerVolume + write.block, write.data);
      this.ctx.app.acknowledged(write);
    }
  }
}
