/**
 * The second storage server: remote disks that mirror the first server's blocks at the same
 * addresses, and two root slots used alternately: a new root goes to the slot that does not hold
 * the accepted root, so a torn root write leaves the previous root intact in the other slot. The
 * slots sit two blocks apart (blocks 0 and 2), as redundant superblocks are kept apart: a write
 * misdirected to a neighbouring block lands on an unused block, never on the other root.
 *
 * Fault model it claims to survive on the root disk: torn, lost, misdirected and flipped writes
 * (each root write is flushed and read back; a slot that does not hold the root is written again)
 * and a crash with the root write still cached (lost, kept or torn). Not on the block disk.
 *
 * A batch is written where it says and acknowledged once flushed; it must never touch a block a
 * root this server may still use reaches. A root is taken only for the next point and only when
 * its tree is well formed and every block it reaches is durable here; it is acknowledged only once
 * its slot holds it durably. Recovery and the failover image use the newest intact root's tree.
 */
import type { Disk } from '../sim/disk.ts';
import type { Link } from '../sim/link.ts';
import { InvariantViolation } from '../sim/invariant.ts';
import type { Image } from '../sim/system.ts';
import type { SimNode } from '../sim/world.ts';
import { addressOf, BLOCK_BYTES, decodeRoot, sameBytes, slotState, type RootNode } from './block.ts';
import { logicalBlocksOf, SECOND, type CpRootContext, type ToFirst, type ToSecond } from './context.ts';
import { MALFORMED_TREE, Tree, walkTree, type WalkTarget } from './tree.ts';

interface RootWrite {
  readonly point: number;
  readonly slot: number;
  readonly bytes: Uint8Array;
}

interface BatchKey {
  readonly point: number;
  readonly batch: number;
}

/** Disk block of each root slot: apart, so a misdirected root write never lands on the other root. */
const SLOT_BLOCK = [0, 2] as const;

/** Most batches stored and not yet flushed (a point has at most a handful; two points overlap). */
const PENDING_ACKS_LIMIT = 32;

export class SecondServer {
  readonly node: SimNode;
  readonly roots: Disk;
  readonly blocks: Disk;
  protected readonly zero: Uint8Array;
  // Volatile state, rebuilt by recovery.
  protected accepted = 0;
  /** The slot holding the accepted root (0 before any: root 1 goes to slot 1). */
  protected acceptedSlot = 0;
  protected writing: RootWrite | null = null;
  /** Blocks reached by the accepted root and by the root being written: never overwritten. */
  protected liveAccepted: Uint8Array;
  protected liveWriting: Uint8Array;
  protected pendingAcks: BatchKey[] = [];
  protected storedPoint = 0;
  private readonly scratch: Uint8Array;
  /** The failover walk's tree, reused: the failover image is read after every change on disk. */
  private readonly scratchTree: Tree;
  private readonly readDurable = (address: number): Uint8Array => this.blocks.readDurable(address);

  constructor(protected readonly ctx: CpRootContext, protected readonly link: Link<ToFirst>) {
    const { world, config } = ctx;
    this.node = world.addNode(SECOND, { crashed: () => this.crashed(), restarted: () => this.restarted() });
    // The root slots come first: a crash's cache outcome decides the fate of a root write first.
    this.roots = world.addDisk(this.node, { name: 'remote-roots', blockCount: 4, blockSize_bytes: 64 });
    this.blocks = world.addDisk(this.node, { name: 'remote-blocks', blockCount: config.physicalBlocks, blockSize_bytes: BLOCK_BYTES });
    this.zero = new Uint8Array(config.blockSize_bytes);
    this.liveAccepted = new Uint8Array(config.physicalBlocks);
    this.liveWriting = new Uint8Array(config.physicalBlocks);
    this.scratch = new Uint8Array(config.physicalBlocks);
    this.scratchTree = Tree.empty(config);
  }

  /** Whether a consistency point is under way here: batches not yet covered by a root, or a root being written. */
  get inPoint(): boolean {
    return this.node.up && (this.writing !== null || this.pendingAcks.length > 0 || this.storedPoint > this.accepted);
  }

  receive(message: ToSecond): void {
    if (message.kind === 'batch') this.storeBatch(message);
    else this.receiveRoot(message.point, message.bytes);
  }

  /** The slot root `point` goes to: the one not holding the accepted root. */
  protected slotOf(_point: number): number {
    return 1 - this.acceptedSlot;
  }

  /** A root slot's root if intact (its checksum holds), else null. */
  protected readRoot(bytes: Uint8Array): RootNode | null {
    return decodeRoot(bytes, this.ctx.config.volumes);
  }

  protected storeBatch(m: Extract<ToSecond, { kind: 'batch' }>): void {
    if (m.point <= (this.writing?.point ?? this.accepted)) {
      // A late copy of a batch whose root is already here: it must not land on a reused block.
      this.ctx.emit({ type: 'batch.refused', node: SECOND, point: m.point, batch: m.batch });
      return;
    }
    for (let at = 0; at < m.bytes.length; at += BLOCK_BYTES) {
      const block = m.bytes.subarray(at, at + BLOCK_BYTES);
      const a = addressOf(block);
      if (a === 0 || a >= this.ctx.config.physicalBlocks) {
        throw new InvariantViolation('batch block out of range', `second: batch ${m.batch} of point ${m.point} names block ${a}`);
      }
      if (this.liveAccepted[a] !== 0 || this.liveWriting[a] !== 0) {
        const root = this.liveWriting[a] !== 0 ? this.writing!.point : this.accepted;
        throw new InvariantViolation('live block overwritten', `second: batch ${m.batch} of point ${m.point} overwrites block ${a}, which root ${root} still reaches`);
      }
      // A copy of a block already here (a resent batch) is not written again.
      if (!sameBytes(this.blocks.read(a), block)) this.blocks.write(a, block);
    }
    if (!this.pendingAcks.some((k) => k.point === m.point && k.batch === m.batch)) {
      if (this.pendingAcks.length >= PENDING_ACKS_LIMIT) throw new InvariantViolation('unflushed batch backlog overflow', 'second: too many batches awaiting a flush');
      this.pendingAcks.push({ point: m.point, batch: m.batch });
    }
    this.storedPoint = Math.max(this.storedPoint, m.point);
    this.ctx.emit({ type: 'batch.stored', node: SECOND, point: m.point, batch: m.batch });
  }

  protected receiveRoot(point: number, bytes: Uint8Array): void {
    if (point <= this.accepted) {
      this.acknowledge();
      return;
    }
    if (this.writing !== null && point === this.writing.point) return;
    if (this.writing !== null || point !== this.accepted + 1) {
      throw new InvariantViolation('root out of sequence', `second: root ${point} arrived while root ${this.writing?.point ?? this.accepted} is the newest`);
    }
    const root = decodeRoot(bytes, this.ctx.config.volumes);
    if (root === null || root.point !== point) throw new InvariantViolation('corrupt root in transit', `second: root message ${point} is not an intact root`);
    this.checkTree(root);
    const slot = this.slotOf(point);
    this.roots.write(SLOT_BLOCK[slot]!, bytes);
    this.writing = { point, slot, bytes };
    this.ctx.emit({ type: 'root.received', node: SECOND, point, slot });
  }

  /** Before a root is accepted: its tree is well formed and every block it reaches is durable here. */
  protected checkTree(root: RootNode): void {
    this.liveWriting.fill(0);
    const check = (a: number, bytes: Uint8Array): void => {
      if (this.blocks.read(a) !== bytes) throw new Error(`block ${a} has a write not yet flushed`);
    };
    try {
      walkTree(root, this.ctx.config, { read: this.readDurable, reached: this.liveWriting, check }, this.zero);
    } catch (e) {
      // A pointer out of range or a block referenced twice: the tree is malformed; anything else
      // (a block not flushed, or durable with other content): the root reaches a non-durable block.
      const malformed = e instanceof InvariantViolation && e.anomaly === MALFORMED_TREE;
      throw new InvariantViolation(malformed ? 'malformed tree accepted' : 'root reaches a non-durable block',
        `second: root ${root.point} reaches a block that is not durable and intact here: ${(e as Error).message}`);
    }
  }

  step(): boolean {
    if (!this.node.up) return false;
    if (this.pendingAcks.length > 0) return this.flushBatches();
    if (this.writing !== null) return this.flushRoot(this.writing);
    return false;
  }

  protected flushBatches(): boolean {
    this.blocks.flush();
    for (const k of this.pendingAcks) this.link.send({ kind: 'batch-durable', point: k.point, batch: k.batch }, this.ctx.world.now_tick);
    this.ctx.emit({ type: 'batches.durable', node: SECOND, count: this.pendingAcks.length });
    this.pendingAcks = [];
    return true;
  }

  /** Flush the root slot and read it back: accept the root only when the slot holds it. */
  protected flushRoot(w: RootWrite): boolean {
    this.roots.flush();
    const back = this.roots.readDurable(SLOT_BLOCK[w.slot]!);
    if (!sameBytes(back, w.bytes)) {
      this.ctx.emit({ type: 'root.rewritten', node: SECOND, point: w.point, why: slotState(back) === 'torn' ? 'torn' : 'stale' });
      this.roots.write(SLOT_BLOCK[w.slot]!, w.bytes);
      return true;
    }
    this.accept(w);
    return true;
  }

  protected accept(w: RootWrite): void {
    this.accepted = w.point;
    this.acceptedSlot = w.slot;
    const live = this.liveAccepted;
    this.liveAccepted = this.liveWriting;
    this.liveWriting = live;
    this.liveWriting.fill(0);
    this.writing = null;
    this.ctx.emit({ type: 'root.accepted', node: SECOND, point: w.point });
    this.acknowledge();
  }

  /** Tell the first server (and the application) which root is durably here. */
  protected acknowledge(): void {
    if (this.accepted === 0) return;
    this.link.send({ kind: 'root-ack', point: this.accepted }, this.ctx.world.now_tick);
    this.ctx.app.pointCommitted(this.accepted);
    this.ctx.emit({ type: 'point.acknowledged', node: SECOND, point: this.accepted });
  }

  /** The newest intact root among the slots as `read` sees them, its slot, and how many slots are torn. */
  protected newestRoot(read: (slot: number) => Uint8Array): { root: RootNode | null; slot: number; torn: number } {
    let root: RootNode | null = null;
    let slot = 0;
    let torn = 0;
    for (let s = 0; s < 2; s++) {
      const bytes = read(s);
      if (slotState(bytes) === 'torn') torn++;
      const r = this.readRoot(bytes);
      if (r !== null && (root === null || r.point > root.point)) {
        root = r;
        slot = s;
      }
    }
    return { root, slot, torn };
  }

  /** Volatile state in the model's terms: acceptedPoint, writingPoint. */
  abstract(out: number[]): void {
    const up = this.node.up;
    out[4] = up ? this.accepted : Number.NaN;
    out[5] = up ? (this.writing?.point ?? this.accepted) : Number.NaN;
  }

  protected crashed(): void {
    this.writing = null;
    this.pendingAcks = [];
    this.ctx.emit({ type: 'node.crashed', node: SECOND });
  }

  protected restarted(): void {
    const { root, slot, torn } = this.newestRoot((s) => this.roots.read(SLOT_BLOCK[s]!));
    this.acceptedSlot = slot;
    this.liveAccepted.fill(0);
    this.liveWriting.fill(0);
    this.walkRecovered(root, slot, (s) => this.roots.read(SLOT_BLOCK[s]!), { read: (a) => this.blocks.read(a), reached: this.liveAccepted });
    this.accepted = root?.point ?? 0;
    this.storedPoint = this.accepted;
    this.ctx.emit({ type: 'node.recovered', node: SECOND, point: this.accepted, torn });
  }

  /** The tree of the newest intact durable root, read from durable blocks (nothing is changed). */
  failoverImage(): Image {
    const readSlot = (s: number) => this.roots.readDurable(SLOT_BLOCK[s]!);
    const { root, slot } = this.newestRoot(readSlot);
    const image = new Array<Uint8Array>(logicalBlocksOf(this.ctx.config));
    this.scratch.fill(0);
    this.walkRecovered(root, slot, readSlot, { read: this.readDurable, reached: this.scratch, image }, this.scratchTree);
    return image;
  }

  /**
   * Walk the tree of the root recovery chose from `slot`. When the walk fails and that slot does not
   * hold an intact root, the anomaly is the torn root taken for the newest (same message).
   */
  private walkRecovered(root: RootNode | null, slot: number, readSlot: (slot: number) => Uint8Array, target: WalkTarget, into?: Tree): Tree {
    try {
      return walkTree(root, this.ctx.config, target, this.zero, into);
    } catch (e) {
      if (root === null || slotState(readSlot(slot)) === 'intact') throw e;
      throw new InvariantViolation('torn root taken for the newest', (e as Error).message);
    }
  }

  failoverStamp(): number {
    return this.roots.durableVersion + this.blocks.durableVersion;
  }
}
