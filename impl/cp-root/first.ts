/**
 * The first storage server. A host write is queued in NVRAM (durable at once) and acknowledged.
 * A consistency point fixes its contents when it is taken (a marker in NVRAM: every write
 * acknowledged before it, none after), then its new blocks go out in batches, each written to the
 * local disk and sent to the second server at the same addresses. When every batch is durable on
 * both sides and the second server holds the previous root, the new root is written locally (the
 * local commit: NVRAM is free up to the marker) and only the root is sent. The next point may be
 * taken while that root is in flight; a block is allocated only when no root either server may
 * still use reaches it (both local root slots). Recovery rebuilds the trees from the local root
 * slots and replays NVRAM: a taken point is rebuilt exactly, later writes go into the next point.
 */
import type { Disk } from '../sim/disk.ts';
import type { Link } from '../sim/link.ts';
import type { AppWrite } from '../sim/system.ts';
import { InvariantViolation } from '../sim/invariant.ts';
import type { SimNode } from '../sim/world.ts';
import { BLOCK_BYTES, decodeRoot, encodeAddressBlock, encodeDataBlock, encodeRoot, KIND_DATA } from './block.ts';
import { FIRST, logicalBlocksOf, type CpRootContext, type ToFirst, type ToSecond } from './context.ts';
import { Nvram } from './nvram.ts';
import { NEW_ADDRESS_BLOCK, planPoint, type AddressPlacement, type PlannedBlock, type PointPlan } from './point.ts';
import { Tree, walkTree } from './tree.ts';

/** A record queued in NVRAM since the newest local root: a write (logical >= 0) or a point marker (-1). */
interface Queued { readonly seq: number; readonly logical: number }

export class FirstServer {
  readonly node: SimNode;
  protected readonly nvram: Nvram;
  protected readonly localBlocks: Disk;
  protected readonly localRoots: Disk;
  protected readonly zero: Uint8Array;
  // Volatile state, rebuilt by recovery.
  protected nextSeq = 1;
  protected queue: Queued[] = [];
  protected takenPoint = 0;
  protected plan: PointPlan | null = null;
  /** The trees of the two local root slots: the newest, and the one before it. */
  protected newest: Tree;
  protected older: Tree;
  protected ackedPoint = 0;
  protected lastSend_tick = 0;
  protected placeAddress: AddressPlacement = NEW_ADDRESS_BLOCK;

  constructor(protected readonly ctx: CpRootContext, protected readonly link: Link<ToSecond>) {
    const { world, config } = ctx;
    this.node = world.addNode(FIRST, { crashed: () => this.crashed(), restarted: () => this.restarted() });
    this.nvram = new Nvram(world.addDisk(this.node, { name: 'nvram', blockCount: config.nvramSlots, blockSize_bytes: 64 }), config.nvramSlots, config.blockSize_bytes);
    this.localRoots = world.addDisk(this.node, { name: 'local-roots', blockCount: 2, blockSize_bytes: 64 });
    this.localBlocks = world.addDisk(this.node, { name: 'local-blocks', blockCount: config.physicalBlocks, blockSize_bytes: BLOCK_BYTES });
    this.zero = new Uint8Array(config.blockSize_bytes);
    this.newest = Tree.empty(config);
    this.older = Tree.empty(config);
  }

  /** NVRAM records live since the newest local root (writes and at most one marker). */
  protected get live(): number {
    return this.nextSeq - 1 - this.newest.lastSeq;
  }

  /** Whether a consistency point is under way here: blocks being sent, or a root not yet acknowledged. */
  get inPoint(): boolean {
    return this.node.up && (this.plan !== null || this.newest.point > this.ackedPoint);
  }

  write(_host: number, write: AppWrite): boolean {
    // One slot stays free for the next point's marker.
    if (!this.node.up || this.live >= this.ctx.config.nvramSlots - 1) return false;
    const seq = this.nextSeq++;
    this.nvram.append({ kind: 'write', seq, volume: write.volume, block: write.block, data: write.data });
    this.queue.push({ seq, logical: write.volume * this.ctx.config.blocksPerVolume + write.block });
    this.ctx.app.acknowledged(write);
    this.ctx.emit({ type: 'write.acknowledged', node: FIRST, seq, volume: write.volume, block: write.block });
    return true;
  }

  /** Take a point now: its contents are every write queued so far. */
  requestPoint(): boolean {
    if (!this.node.up || this.plan !== null || this.live >= this.ctx.config.nvramSlots) return false;
    const point = this.takenPoint + 1;
    const seq = this.nextSeq++;
    this.nvram.append({ kind: 'point', seq, point });
    this.queue.push({ seq, logical: -1 });
    this.takenPoint = point;
    this.ctx.app.pointTaken(point);
    const plan = this.planFor(point, seq);
    this.ctx.emit({ type: 'point.taken', node: FIRST, point, seq, first: this.newest.lastSeq + 1, last: seq - 1, blocks: plan.blocks.length });
    return true;
  }

  step(): boolean {
    if (!this.node.up) return false;
    const plan = this.plan;
    if (plan !== null && plan.sent < plan.batches) return this.sendBatch(plan, plan.sent);
    if (plan !== null && this.canCommit(plan)) return this.commit(plan);
    if (this.ctx.world.clockOf(this.node) - this.lastSend_tick < this.ctx.config.resend_ticks) return false;
    return this.resend();
  }

  /** The blocks that no allocation may take: every block either local root slot reaches. */
  protected pinnedBlocks(): Uint8Array {
    const pinned = new Uint8Array(this.ctx.config.physicalBlocks);
    this.newest.mark(pinned);
    this.older.mark(pinned);
    return pinned;
  }

  protected planFor(point: number, markerSeq: number): PointPlan {
    const dirty = new Int32Array(logicalBlocksOf(this.ctx.config)).fill(-1);
    for (const q of this.queue) if (q.seq < markerSeq && q.logical >= 0) dirty[q.logical] = q.seq;
    this.plan = planPoint(this.newest, point, markerSeq, dirty, this.pinnedBlocks(), this.ctx.config, this.placeAddress);
    return this.plan;
  }

  /** The data a data block of the point holds: the write with that sequence number, from NVRAM. */
  protected dataFor(_logical: number, seq: number): Uint8Array {
    const record = this.nvram.read(seq);
    if (record?.kind !== 'write') throw new InvariantViolation('point data lost from NVRAM', `first: NVRAM record ${seq} is not a write`);
    return record.data;
  }

  protected encode(plan: PointPlan, b: PlannedBlock): Uint8Array {
    if (b.kind === KIND_DATA) return encodeDataBlock(b.address, plan.point, b.index, this.dataFor(b.index, b.seq));
    const per = this.ctx.config.blocksPerVolume;
    return encodeAddressBlock(b.address, plan.point, b.index, plan.tree.dataAddr, plan.tree.dataPoint, b.index * per, per);
  }

  /** Write one batch of new blocks to the local disk and send it to the second server. */
  protected sendBatch(plan: PointPlan, batch: number): boolean {
    const blocks = plan.batch(batch);
    const bytes = new Uint8Array(blocks.length * BLOCK_BYTES);
    blocks.forEach((b, i) => {
      const block = this.encode(plan, b);
      this.localBlocks.write(b.address, block);
      bytes.set(block, i * BLOCK_BYTES);
    });
    plan.batchBytes[batch] = bytes;
    plan.sent = Math.max(plan.sent, batch + 1);
    this.send({ kind: 'batch', point: plan.point, batch, blocks: plan.addresses(batch), bytes });
    this.ctx.emit({ type: 'batch.sent', node: FIRST, point: plan.point, batch, blocks: blocks.length });
    return true;
  }

  /** The root may be written once every batch is durable remotely and the second holds the previous root. */
  protected canCommit(plan: PointPlan): boolean {
    return plan.allAcked && this.ackedPoint === plan.point - 1;
  }

  /** The local commit: blocks durable, tree checked, root written to the older slot; then only the root is sent. */
  protected commit(plan: PointPlan): boolean {
    this.localBlocks.flush();
    const root = plan.tree.rootNode();
    walkTree(root, this.ctx.config, { read: (a) => this.localBlocks.read(a), reached: new Uint8Array(this.ctx.config.physicalBlocks) }, this.zero);
    this.localRoots.write(plan.point % 2, encodeRoot(root));
    this.localRoots.flush();
    this.older = this.newest;
    this.newest = plan.tree;
    while (this.queue.length > 0 && this.queue[0]!.seq <= plan.markerSeq) this.queue.shift();
    this.plan = null;
    this.ctx.emit({ type: 'root.written', node: FIRST, point: plan.point, blocks: plan.blocks.length });
    this.sendRoot();
    return true;
  }

  protected sendRoot(): void {
    this.send({ kind: 'root', point: this.newest.point, bytes: this.localRoots.read(this.newest.point % 2) });
    this.ctx.emit({ type: 'root.sent', node: FIRST, point: this.newest.point });
  }

  protected send(message: ToSecond): void {
    this.link.send(message, this.ctx.world.now_tick);
    this.lastSend_tick = this.ctx.world.clockOf(this.node);
  }

  /** Nothing acknowledged for a while: send the unacknowledged batches and the root in flight again. */
  protected resend(): boolean {
    let any = false;
    const plan = this.plan;
    for (let b = 0; plan !== null && b < plan.sent; b++) {
      if (plan.acked[b]) continue;
      this.send({ kind: 'batch', point: plan.point, batch: b, blocks: plan.addresses(b), bytes: plan.batchBytes[b]! });
      this.ctx.emit({ type: 'batch.resent', node: FIRST, point: plan.point, batch: b });
      any = true;
    }
    if (this.newest.point > this.ackedPoint) {
      this.sendRoot();
      any = true;
    }
    return any;
  }

  receive(message: ToFirst): void {
    const plan = this.plan;
    if (message.kind === 'batch-durable') {
      if (plan === null || message.point !== plan.point || message.batch >= plan.sent || plan.acked[message.batch]) return;
      plan.acked[message.batch] = true;
      this.ctx.emit({ type: 'batch.acked', node: FIRST, point: message.point, batch: message.batch });
      return;
    }
    if (message.point <= this.ackedPoint || message.point > this.newest.point) return;
    this.ackedPoint = message.point;
    this.ctx.emit({ type: 'root.acked', node: FIRST, point: message.point });
  }

  /** Volatile state in the model's terms: takenPoint, nvramSeq, localRootPoint, ackedPoint. */
  abstract(out: number[]): void {
    const up = this.node.up;
    out[0] = up ? this.takenPoint : Number.NaN;
    out[1] = up ? this.nextSeq - 1 : Number.NaN;
    out[2] = up ? this.newest.point : Number.NaN;
    out[3] = up ? this.ackedPoint : Number.NaN;
  }

  protected crashed(): void {
    this.plan = null;
    this.queue = [];
    this.ctx.emit({ type: 'node.crashed', node: FIRST });
  }

  /** Rebuild both trees from the local root slots, then replay NVRAM from the newest root's marker. */
  protected restarted(): void {
    const { config } = this.ctx;
    const slots = [0, 1].map((s) => decodeRoot(this.localRoots.read(s), config.volumes));
    const [a, b] = slots;
    const newestSlot = (b?.point ?? -1) > (a?.point ?? -1) ? 1 : 0;
    const read = (address: number) => this.localBlocks.read(address);
    const walk = (s: number) => walkTree(slots[s] ?? null, config, { read, reached: new Uint8Array(config.physicalBlocks) }, this.zero);
    this.newest = walk(newestSlot);
    this.older = walk(1 - newestSlot);
    if (this.older.point >= this.newest.point) this.older = Tree.empty(config);
    const replayed = this.replay();
    this.ackedPoint = Math.max(0, this.newest.point - 1);
    this.lastSend_tick = this.ctx.world.clockOf(this.node) - config.resend_ticks;
    this.ctx.emit({ type: 'node.recovered', node: FIRST, point: this.newest.point, seq: this.nextSeq - 1, building: this.plan?.point ?? 0, replayed });
  }

  /** Read NVRAM after the newest root's marker; a point taken there is planned again. Returns the writes queued for the next point. */
  protected replay(): number {
    this.queue = [];
    this.takenPoint = this.newest.point;
    let markerSeq = 0;
    let seq = this.newest.lastSeq + 1;
    for (let n = 0; n < this.ctx.config.nvramSlots; n++, seq++) {
      const r = this.nvram.read(seq);
      if (r === null) break;
      if (r.kind === 'point') {
        if (markerSeq !== 0 || r.point !== this.newest.point + 1) {
          throw new InvariantViolation('NVRAM point marker out of sequence', `first: NVRAM marker of point ${r.point} after root ${this.newest.point}`);
        }
        markerSeq = seq;
        this.takenPoint = r.point;
      }
      this.queue.push({ seq, logical: r.kind === 'write' ? r.volume * this.ctx.config.blocksPerVolume + r.block : -1 });
    }
    this.nextSeq = seq;
    this.plan = null;
    if (markerSeq !== 0) this.planFor(this.takenPoint, markerSeq);
    return this.queue.filter((q) => q.seq > markerSeq && q.logical >= 0).length;
  }
}
