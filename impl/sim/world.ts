/**
 * The deterministic world a protocol implementation runs in: one virtual clock, named nodes,
 * disks and links. Nothing here reads wall-clock time or randomness; every fault is applied by an
 * explicit call, and each leaves a note (`drainNotes`) so a timeline can show it.
 */
import { Disk, type DiskFaultNote, type DiskOptions } from './disk.ts';
import { Link, type LinkOptions } from './link.ts';

/** A node's reaction to power loss and to restart. */
export interface NodeHooks {
  /** Volatile state is gone: drop it. Disks are crashed by the world. */
  crashed(): void;
  /** Run recovery from the node's durable state. */
  restarted(): void;
}

export class SimNode {
  up = true;
  /** Offset of this node's clock reading from the world's, in ticks (clock skew). */
  skew_ticks = 0;
  readonly disks: Disk[] = [];
  constructor(
    readonly name: string,
    readonly hooks: NodeHooks,
  ) {}
}

type Receiver = (message: unknown) => void;

/** Something the world did that a timeline should show: a fault that bit, a message lost. */
export interface WorldNote {
  readonly text: string;
  /** The node it happened on (the disk's owner, the message's destination), when there is one. */
  readonly node?: string;
}

export class World {
  now_tick = 0;
  readonly nodes = new Map<string, SimNode>();
  readonly disks = new Map<string, Disk>();
  readonly links = new Map<string, Link<unknown>>();
  private readonly receivers = new Map<string, Receiver>();
  private notes: WorldNote[] = [];
  private readonly diskOwner = new Map<string, string>();

  private readonly noteDiskFault = (n: DiskFaultNote): void => {
    const text = `${n.kind} write on disk ${n.disk} block ${n.block}${n.detail ? ` (${n.detail})` : ''}`;
    this.notes.push({ text, node: this.diskOwner.get(n.disk) });
  };

  addNode(name: string, hooks: NodeHooks): SimNode {
    if (this.nodes.has(name)) throw new Error(`world: node ${name} exists`);
    const node = new SimNode(name, hooks);
    this.nodes.set(name, node);
    return node;
  }

  addDisk(node: SimNode, options: DiskOptions): Disk {
    if (this.disks.has(options.name)) throw new Error(`world: disk ${options.name} exists`);
    const disk = new Disk(options, this.noteDiskFault);
    this.disks.set(options.name, disk);
    this.diskOwner.set(options.name, node.name);
    node.disks.push(disk);
    return disk;
  }

  /** A one-way link; `receive` runs on delivery when the destination node is up. */
  addLink<M>(options: LinkOptions, receive: (message: M) => void): Link<M> {
    if (this.links.has(options.name)) throw new Error(`world: link ${options.name} exists`);
    const link = new Link<M>(options);
    this.links.set(options.name, link as Link<unknown>);
    this.receivers.set(options.name, receive as Receiver);
    return link;
  }

  node(name: string): SimNode {
    const node = this.nodes.get(name);
    if (node === undefined) throw new Error(`world: no node ${name}`);
    return node;
  }

  /** The node's own clock reading (world time plus its skew). */
  clockOf(node: SimNode): number {
    return this.now_tick + node.skew_ticks;
  }

  advance(ticks: number): void {
    this.now_tick += ticks;
  }

  /** Deliver one message; returns false when nothing could be delivered. */
  deliver(linkName: string, pick: number): boolean {
    const link = this.mustLink(linkName);
    const message = link.deliver(pick, this.now_tick);
    if (message === undefined) return false;
    if (!this.node(link.to).up) {
      this.notes.push({ text: `message on ${linkName} lost: ${link.to} is down`, node: link.to });
      return true;
    }
    this.receivers.get(linkName)!(message);
    return true;
  }

  /** Power loss on a node: disks lose or tear their caches as `outcome` says. */
  crash(name: string, outcome: number): boolean {
    const node = this.node(name);
    if (!node.up) return false;
    node.up = false;
    node.disks.forEach((disk, i) => disk.crash(rotate(outcome, i * 7)));
    node.hooks.crashed();
    return true;
  }

  restart(name: string): boolean {
    const node = this.node(name);
    if (node.up) return false;
    node.up = true;
    node.hooks.restarted();
    return true;
  }

  mustLink(name: string): Link<unknown> {
    const link = this.links.get(name);
    if (link === undefined) throw new Error(`world: no link ${name}`);
    return link;
  }

  mustDisk(name: string): Disk {
    const disk = this.disks.get(name);
    if (disk === undefined) throw new Error(`world: no disk ${name}`);
    return disk;
  }

  note(text: string, node?: string): void {
    this.notes.push({ text, node });
  }

  /** Notes left since the last call (fault effects, lost messages), oldest first. */
  drainNotes(): WorldNote[] {
    if (this.notes.length === 0) return EMPTY;
    const out = this.notes;
    this.notes = [];
    return out;
  }
}

const EMPTY: WorldNote[] = [];

function rotate(value: number, by: number): number {
  const s = by % 32;
  return s === 0 ? value >>> 0 : ((value << s) | (value >>> (32 - s))) >>> 0;
}
