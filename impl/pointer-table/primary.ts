/**
 * The primary site: the primary storage controls of the three volumes, sharing one open
 * consistency group. A host write is made durable in the update buffer (tagged with the open
 * group), written to the primary volume and acknowledged. Closing the group (the consistency
 * point) appends a close record naming how many updates each secondary control gets. Records are
 * sent in order, each update to the control of its volume and a close to every control, and sent
 * again while a closed group is not released; the buffer forgets a group only when the manager
 * reports it committed and released on every control.
 */
import type { Disk } from '../sim/disk.ts';
import { InvariantViolation } from '../sim/invariant.ts';
import type { Link } from '../sim/link.ts';
import { sealFields, unsealFields } from '../sim/sealed.ts';
import type { AppWrite } from '../sim/system.ts';
import type { SimNode } from '../sim/world.ts';
import { PRIMARY, type PointerTableContext, type ReleasedMessage, type ToControl } from './context.ts';
import { decodeRecord, encodeRecord, type BufferRecord } from './record.ts';

export class Primary {
  readonly node: SimNode;
  protected readonly buffer: Disk;
  protected readonly meta: Disk;
  protected readonly volumes: Disk;
  // Volatile state, rebuilt by recovery.
  protected nextSeq = 1;
  protected trimmedSeq = 0;
  protected trimmedGroup = 0;
  protected openGroup = 1;
  /** Updates of the open group per control. */
  protected readonly counts: number[];
  /** Seq of the newest close record. */
  protected lastCloseSeq = 0;
  protected shipSeq = 1;
  protected lastShip_tick = 0;

  constructor(protected readonly ctx: PointerTableContext, protected readonly links: readonly Link<ToControl>[]) {
    const { world, config } = ctx;
    this.node = world.addNode(PRIMARY, { crashed: () => this.crashed(), restarted: () => this.restarted() });
    this.buffer = world.addDisk(this.node, { name: 'primary-buffer', blockCount: config.bufferSlots, blockSize_bytes: 64 });
    this.meta = world.addDisk(this.node, { name: 'primary-meta', blockCount: 1, blockSize_bytes: 32 });
    this.volumes = world.addDisk(this.node, { name: 'primary-volumes', blockCount: config.volumes * config.blocksPerVolume, blockSize_bytes: config.blockSize_bytes });
    this.counts = new Array<number>(config.controls).fill(0);
  }

  /** Records in the buffer not yet released. */
  protected get outstanding(): number {
    return this.nextSeq - 1 - this.trimmedSeq;
  }

  write(_host: number, write: AppWrite): boolean {
    // One slot always stays for the close record, so a full buffer can still close its group.
    if (!this.node.up || this.outstanding >= this.ctx.config.window - 1) return false;
    const seq = this.nextSeq;
    const group = this.openGroup;
    this.append({ kind: 'update', seq, group, volume: write.volume, block: write.block, data: write.data });
    this.volumes.write(write.volume * this.ctx.config.blocksPerVolume + write.block, write.data);
    this.volumes.flush();
    this.counts[write.volume]!++;
    this.ctx.app.acknowledged(write);
    this.ctx.emit({ type: 'update.logged', node: PRIMARY, seq, group, control: write.volume + 1 });
    return true;
  }

  /** Close the open group: every write acknowledged so far is in it, none after. */
  requestPoint(): boolean {
    if (!this.node.up || this.outstanding >= this.ctx.config.window) return false;
    const seq = this.nextSeq;
    const group = this.openGroup;
    this.append({ kind: 'close', seq, group, counts: this.counts.slice() });
    this.lastCloseSeq = seq;
    this.openGroup = group + 1;
    this.counts.fill(0);
    this.ctx.app.pointTaken(group);
    this.ctx.emit({ type: 'group.closed', node: PRIMARY, group, seq });
    return true;
  }

  protected append(record: BufferRecord): void {
    if (this.outstanding >= this.ctx.config.window) throw new InvariantViolation('update buffer overrun', 'primary: update buffer window full');
    this.buffer.write(record.seq % this.ctx.config.bufferSlots, encodeRecord(record));
    this.buffer.flush();
    this.nextSeq = record.seq + 1;
  }

  step(): boolean {
    if (!this.node.up) return false;
    if (this.shipSeq < this.nextSeq) return this.ship();
    // Send again only while a closed group waits for its release: the open group's updates go
    // again once it is closed.
    const now = this.ctx.world.clockOf(this.node);
    if (this.lastCloseSeq > this.trimmedSeq && now - this.lastShip_tick >= this.ctx.config.resend_ticks) {
      this.shipSeq = this.trimmedSeq + 1;
      return this.ship();
    }
    return false;
  }

  protected ship(): boolean {
    const seq = this.shipSeq;
    const record = decodeRecord(this.buffer.read(seq % this.ctx.config.bufferSlots), seq, this.ctx.config.controls);
    if (record === null) throw new InvariantViolation('buffered record damaged', `primary: buffer record ${seq} is not intact`);
    const now = this.ctx.world.now_tick;
    if (record.kind === 'update') {
      this.links[record.volume]!.send({ kind: 'update', seq, group: record.group, block: record.block, data: record.data }, now);
    } else {
      record.counts.forEach((count, i) => this.links[i]!.send({ kind: 'close', seq, group: record.group, count }, now));
    }
    this.shipSeq = seq + 1;
    this.lastShip_tick = this.ctx.world.clockOf(this.node);
    this.ctx.emit({ type: 'record.shipped', node: PRIMARY, seq });
    return true;
  }

  /** Every group up to `group` is committed and released on every control: forget it. */
  receive(message: ReleasedMessage): void {
    if (message.group <= this.trimmedGroup) return;
    let seq = this.trimmedSeq + 1;
    for (; seq <= this.lastCloseSeq; seq++) {
      const record = decodeRecord(this.buffer.read(seq % this.ctx.config.bufferSlots), seq, this.ctx.config.controls);
      if (record === null) throw new InvariantViolation('buffered record damaged', `primary: buffer record ${seq} is not intact`);
      if (record.kind === 'close' && record.group === message.group) break;
    }
    if (seq > this.lastCloseSeq) throw new InvariantViolation('release of a group never closed', `primary: released group ${message.group} was never closed`);
    this.meta.write(0, sealFields([seq, message.group], 32));
    this.meta.flush();
    this.trimmedSeq = seq;
    this.trimmedGroup = message.group;
    if (this.shipSeq <= seq) this.shipSeq = seq + 1;
    this.lastShip_tick = this.ctx.world.clockOf(this.node);
    this.ctx.emit({ type: 'buffer.trimmed', node: PRIMARY, group: message.group, seq });
  }

  /** Volatile state in the model's terms (only meaningful while up). */
  abstract(out: number[]): void {
    const up = this.node.up;
    out[0] = up ? this.openGroup - 1 : Number.NaN;
    out[1] = up ? this.nextSeq - 1 : Number.NaN;
    out[2] = up ? this.trimmedSeq : Number.NaN;
  }

  protected crashed(): void {
    this.ctx.emit({ type: 'node.crashed', node: PRIMARY });
  }

  /** Rebuild from the trim pointer and the buffer: open group, its counts, next seq. */
  protected restarted(): void {
    const [trimmedSeq, trimmedGroup] = unsealFields(this.meta.read(0), 2) ?? [0, 0];
    this.trimmedSeq = trimmedSeq!;
    this.trimmedGroup = trimmedGroup!;
    this.openGroup = this.trimmedGroup + 1;
    this.lastCloseSeq = this.trimmedSeq;
    this.counts.fill(0);
    const slots = this.ctx.config.bufferSlots;
    let seq = this.trimmedSeq + 1;
    for (let n = 0; n < slots; n++, seq++) {
      const record = decodeRecord(this.buffer.read(seq % slots), seq, this.ctx.config.controls);
      if (record === null) break;
      if (record.group !== this.openGroup) throw new InvariantViolation('buffer records out of group order', `primary: record ${seq} of group ${record.group} while group ${this.openGroup} is open`);
      if (record.kind === 'close') {
        this.openGroup++;
        this.lastCloseSeq = seq;
        this.counts.fill(0);
      } else {
        this.counts[record.volume]!++;
      }
    }
    this.nextSeq = seq;
    this.shipSeq = this.trimmedSeq + 1;
    this.lastShip_tick = this.ctx.world.clockOf(this.node);
    this.ctx.emit({ type: 'node.recovered', node: PRIMARY, seq: this.nextSeq - 1, group: this.openGroup - 1 });
  }
}
