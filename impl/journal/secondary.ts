/**
 * The journal's secondary site: the remote log (a consecutive region of slots, one per sequence
 * number), a durable transaction block, and the remote volumes. Records are stored in their slot
 * whatever order they arrive in; the scanner looks for a complete consistency point; every record
 * of the point is validated (bounds, signatures, sequence); a validated transaction is made durable
 * before any write is applied; writes are applied in sequence order; then the point is committed
 * and acknowledged. A record that fails validation is asked for again, never applied.
 */
import type { Disk } from '../sim/disk.ts';
import type { Link } from '../sim/link.ts';
import type { Image } from '../sim/system.ts';
import type { SimNode } from '../sim/world.ts';
import { SECONDARY, windowOf, type JournalContext, type RecordMessage, type ToPrimary } from './context.ts';
import { checkBounds, checkSignatures, decode, kindOf, sequenceOf, type Invalid } from './record.ts';
import { readTransaction, redoWrites, sealTransaction, type Transaction } from './transaction.ts';

export class Secondary {
  readonly node: SimNode;
  readonly remoteLog: Disk;
  readonly txnDisk: Disk;
  readonly volumes: Disk;
  protected readonly link: Link<ToPrimary>;
  // Volatile state, rebuilt by recovery.
  protected txn: Transaction = { committedPoint: 0, committedSeq: 0, point: 0, first: 0, last: 0, seq: 0 };
  protected scanSeq = 1;
  protected applySeq = 0;
  protected lastProgress_tick = 0;

  constructor(protected readonly ctx: JournalContext, link: Link<ToPrimary>) {
    const { world, config } = ctx;
    const slots = config.logSlots;
    this.node = world.addNode(SECONDARY, { crashed: () => this.crashed(), restarted: () => this.restarted() });
    this.remoteLog = world.addDisk(this.node, {
      name: 'remote-log', blockCount: slots, blockSize_bytes: 64,
      // A misdirected record lands half the log away: in a slot already applied or not yet used.
      misdirect: (block) => (block + slots / 2) % slots,
    });
    this.txnDisk = world.addDisk(this.node, { name: 'remote-txn', blockCount: 1, blockSize_bytes: 32 });
    this.volumes = world.addDisk(this.node, {
      name: 'remote-volumes', blockCount: config.volumes * config.blocksPerVolume, blockSize_bytes: config.blockSize_bytes,
    });
    this.link = link;
  }

  /** Whether a transaction is durable and not yet fully applied. */
  protected get applying(): boolean {
    return this.txn.point > this.txn.committedPoint;
  }

  receive(message: RecordMessage): void {
    const seq = message.seq;
    if (seq <= this.txn.committedSeq) {
      // An old duplicate; if it is a point record, our acknowledgment may have been lost.
      if (kindOf(message.bytes) === 2) this.acknowledge();
      return;
    }
    if (seq > this.txn.committedSeq + windowOf(this.ctx.config)) return;
    const slot = seq % this.ctx.config.logSlots;
    const current = this.remoteLog.read(slot);
    if (sequenceOf(current) === seq && checkSignatures(current) === null) return;
    this.remoteLog.write(slot, message.bytes);
    this.lastProgress_tick = this.ctx.world.clockOf(this.node);
    this.ctx.emit({ type: 'record.stored', node: SECONDARY, seq });
  }

  step(): boolean {
    if (!this.node.up) return false;
    if (this.applying) return this.applyNext();
    return this.scan();
  }

  /** Advance over arrived records until a point record is found, then validate its set. */
  protected scan(): boolean {
    const slots = this.ctx.config.logSlots;
    for (let n = 0; n < slots; n++) {
      const bytes = this.remoteLog.read(this.scanSeq % slots);
      if (sequenceOf(bytes) !== this.scanSeq) return this.waitFor(this.scanSeq);
      const kind = kindOf(bytes);
      if (kind === 2) return this.validatePoint(bytes);
      if (kind !== 1) return this.reject(this.scanSeq, 'bounds');
      this.scanSeq++;
    }
    return true;
  }

  /** The record `seq` has not arrived: after a quiet spell, ask for it again. */
  protected waitFor(seq: number): boolean {
    const now = this.ctx.world.clockOf(this.node);
    if (now - this.lastProgress_tick < this.ctx.config.resend_ticks) return false;
    this.lastProgress_tick = now;
    this.link.send({ kind: 'refetch', seq }, this.ctx.world.now_tick);
    return true;
  }

  /** Every record of the point: value bounds, signatures, and sequence without gap or repeat. */
  protected validatePoint(pointBytes: Uint8Array): boolean {
    const point = decode(pointBytes);
    if (point.kind !== 'point') throw new Error('validatePoint: not a point record');
    if (point.first !== this.txn.committedSeq + 1) return this.reject(point.seq, 'bounds');
    for (let seq = point.first; seq <= point.seq; seq++) {
      const problem = this.validate(this.remoteLog.read(seq % this.ctx.config.logSlots), seq, seq === point.seq ? 2 : 1);
      if (problem !== null) return this.reject(seq, problem);
    }
    this.ctx.emit({ type: 'point.validated', node: SECONDARY, point: point.point });
    this.beginTransaction({ ...this.txn, point: point.point, first: point.first, last: point.last, seq: point.seq });
    return true;
  }

  protected validate(bytes: Uint8Array, seq: number, kind: number): Invalid | 'sequence' | null {
    const problem = checkSignatures(bytes) ?? checkBounds(bytes, this.ctx.config);
    if (problem !== null) return problem;
    return sequenceOf(bytes) === seq && kindOf(bytes) === kind ? null : 'sequence';
  }

  protected reject(seq: number, why: string): boolean {
    this.ctx.emit({ type: 'record.rejected', node: SECONDARY, seq, why });
    this.link.send({ kind: 'refetch', seq }, this.ctx.world.now_tick);
    this.scanSeq = Math.min(this.scanSeq, seq);
    this.lastProgress_tick = this.ctx.world.clockOf(this.node);
    return true;
  }

  /** The records are durable, then the validated transaction is; only then may writes apply. */
  protected beginTransaction(txn: Transaction): void {
    this.remoteLog.flush();
    this.txnDisk.write(0, sealTransaction(txn));
    this.txnDisk.flush();
    this.txn = txn;
    this.applySeq = txn.first;
    this.ctx.emit({ type: 'txn.durable', node: SECONDARY, point: txn.point, seq: txn.last });
  }

  /** Apply the next write of the transaction in sequence order, or commit when all are applied. */
  protected applyNext(): boolean {
    if (this.applySeq > this.txn.last) return this.commit();
    const record = decode(this.remoteLog.read(this.applySeq % this.ctx.config.logSlots));
    if (record.kind !== 'write') throw new Error(`secondary: slot of ${this.applySeq} is not a write`);
    this.volumes.write(record.volume * this.ctx.config.blocksPerVolume + record.block, record.data);
    this.ctx.emit({ type: 'record.applied', node: SECONDARY, seq: this.applySeq });
    this.applySeq++;
    return true;
  }

  protected commit(): boolean {
    this.volumes.flush();
    const txn = { ...this.txn, committedPoint: this.txn.point, committedSeq: this.txn.seq };
    this.txnDisk.write(0, sealTransaction(txn));
    this.txnDisk.flush();
    this.txn = txn;
    this.scanSeq = txn.seq + 1;
    this.ctx.emit({ type: 'point.committed', node: SECONDARY, point: txn.point });
    this.acknowledge();
    return true;
  }

  /** Tell the primary (and the application) that the newest point is committed. */
  protected acknowledge(): void {
    const { committedPoint, committedSeq } = this.txn;
    if (committedPoint === 0) return;
    this.link.send({ kind: 'ack', point: committedPoint, seq: committedSeq }, this.ctx.world.now_tick);
    this.ctx.app.pointCommitted(committedPoint);
    this.ctx.emit({ type: 'point.acknowledged', node: SECONDARY, point: committedPoint });
  }

  /** Volatile state in the model's terms (only meaningful while up). */
  abstract(out: number[]): void {
    const up = this.node.up;
    out[3] = up ? this.txn.committedPoint : Number.NaN;
    out[4] = up ? this.txn.point : Number.NaN;
  }

  protected crashed(): void {
    this.ctx.emit({ type: 'node.crashed', node: SECONDARY });
  }

  /** Read the durable transaction; redo a pending one in full, then commit it. */
  protected restarted(): void {
    this.txn = readTransaction(this.txnDisk.read(0));
    this.lastProgress_tick = this.ctx.world.clockOf(this.node);
    this.ctx.emit({ type: 'node.recovered', node: SECONDARY, point: this.txn.committedPoint });
    if (this.applying) {
      for (const w of redoWrites(this.txn, (seq) => this.remoteLog.read(seq % this.ctx.config.logSlots), this.ctx.config)) {
        this.volumes.write(w.index, w.data);
      }
      this.ctx.emit({ type: 'txn.redone', node: SECONDARY, point: this.txn.point });
      this.applySeq = this.txn.last + 1;
      this.commit();
      return;
    }
    this.scanSeq = this.txn.committedSeq + 1;
  }

  /** Recovery run on a copy of the durable state: volumes plus the redo of a pending transaction. */
  failoverImage(): Image {
    const image: Uint8Array[] = [];
    for (let i = 0; i < this.volumes.blockCount; i++) image.push(this.volumes.readDurable(i));
    const txn = readTransaction(this.txnDisk.readDurable(0));
    if (txn.point > txn.committedPoint) {
      const slots = this.ctx.config.logSlots;
      for (const w of redoWrites(txn, (seq) => this.remoteLog.readDurable(seq % slots), this.ctx.config)) image[w.index] = w.data;
    }
    return image;
  }

  failoverStamp(): number {
    return this.volumes.durableVersion + this.txnDisk.durableVersion + this.remoteLog.durableVersion;
  }
}
