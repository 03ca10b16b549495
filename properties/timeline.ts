/**
 * The readable timeline of a run: one line per command — what it did, the protocol events it
 * caused, the faults that bit — ending at the violated property with the expected and the actual
 * failover image. In the liveness phase only commands with an effect get a line.
 */
import type { ProtocolEvent } from '../impl/sim/system.ts';
import type { World, WorldNote } from '../impl/sim/world.ts';
import type { Command } from './commands.ts';
import type { ProtocolSpec } from './protocol.ts';
import type { ViolationData } from './violation.ts';

function fieldsText(o: object, skip: readonly string[]): string {
  const parts: string[] = [];
  for (const [k, v] of Object.entries(o)) {
    if (skip.includes(k) || v instanceof Uint8Array) continue;
    parts.push(`${k}=${v}`);
  }
  return parts.join(' ');
}

export function eventText(e: ProtocolEvent): string {
  const f = fieldsText(e, ['type', 'node']);
  return `${e.node}: ${e.type}${f ? ` ${f}` : ''}`;
}

export function messageText(m: unknown): string {
  if (m === null || typeof m !== 'object') return String(m);
  const kind = (m as { kind?: unknown }).kind;
  const f = fieldsText(m, ['kind']);
  return `${kind ?? 'message'}${f ? ` ${f}` : ''}`;
}

export function describeCommand(
  c: Command, world: World, spec: ProtocolSpec, nodeName: (i: number) => string, linkName: (i: number) => string, nextWriteId: number,
): string {
  const now = world.now_tick;
  switch (c.kind) {
    case 'write': {
      const g = spec.geometry;
      return `host ${c.host} writes w${nextWriteId} to v${c.volume % g.volumes} block ${c.block % g.blocksPerVolume}`;
    }
    case 'point': return 'request a consistency point';
    case 'step': return `step ${nodeName(c.node)}`;
    case 'tick': return `clock +${c.ticks} tick${c.ticks === 1 ? '' : 's'}`;
    case 'deliver': {
      const m = world.mustLink(linkName(c.link)).peek(c.pick, now);
      return m === undefined ? `deliver on ${linkName(c.link)}: nothing deliverable` : `deliver ${messageText(m)} on ${linkName(c.link)}`;
    }
    case 'drop':
    case 'duplicate': {
      const m = world.mustLink(linkName(c.link)).at(c.pick);
      return `${c.kind} ${m === undefined ? 'nothing' : messageText(m)} on ${linkName(c.link)}`;
    }
    case 'delay': {
      const m = world.mustLink(linkName(c.link)).at(c.pick);
      return `delay ${m === undefined ? 'nothing' : messageText(m)} on ${linkName(c.link)} by ${c.ticks} ticks`;
    }
    case 'partition':
    case 'heal': return `${c.kind} ${linkName(c.link)}`;
    case 'crash':
      return `crash ${nodeName(c.node)} (${c.outcome === 0 ? 'unflushed writes lost' : `unflushed writes lost/kept/torn by 0x${c.outcome.toString(16)}`})`;
    case 'restart': return `restart ${nodeName(c.node)}`;
    case 'protocol-fault': {
      const faults = spec.protocolFaults ?? [];
      return faults.length === 0 ? 'protocol fault: none defined' : faults[c.fault % faults.length]!.describe(c.target, c.pick);
    }
    default: {
      const disks = spec.faultDisks;
      return disks.length === 0 ? `${c.kind} write fault: no disk takes it` : `arm ${c.kind} write on disk ${disks[c.disk % disks.length]}`;
    }
  }
}

/** One command of a traced run, as data: for reports that draw it (sequence diagrams). */
export interface TraceEntry {
  readonly index: number;
  readonly liveness: boolean;
  readonly text: string;
  readonly events: readonly ProtocolEvent[];
  readonly notes: readonly WorldNote[];
  /** A message that crossed a link: delivered, or dropped/duplicated/delayed in flight. */
  readonly message?: { readonly from: string; readonly to: string; readonly label: string; readonly fate: 'delivered' | 'dropped' | 'duplicated' | 'delayed' };
  /** A node that crashed or restarted. */
  readonly node?: { readonly name: string; readonly what: 'crash' | 'restart' };
  readonly effect: boolean;
}

/** For diagrams: the message a link command acts on and where it goes, or the node it hits. */
export function markOf(c: Command, world: World, nodeName: (i: number) => string, linkName: (i: number) => string):
  { message?: TraceEntry['message']; node?: TraceEntry['node'] } {
  if (c.kind === 'deliver' || c.kind === 'drop' || c.kind === 'duplicate' || c.kind === 'delay') {
    const link = world.mustLink(linkName(c.link));
    const m = c.kind === 'deliver' ? link.peek(c.pick, world.now_tick) : link.at(c.pick);
    if (m === undefined) return {};
    const fate = c.kind === 'deliver' ? 'delivered' : c.kind === 'drop' ? 'dropped' : c.kind === 'duplicate' ? 'duplicated' : 'delayed';
    return { message: { from: link.from, to: link.to, label: messageText(m), fate } };
  }
  if (c.kind === 'crash' || c.kind === 'restart') return { node: { name: nodeName(c.node), what: c.kind } };
  return {};
}

export class Timeline {
  readonly lines: string[] = [];
  readonly entries: TraceEntry[] = [];
  private inLiveness = false;
  private head = '';
  private parts: string[] = [];
  private interesting = false;
  private entry: { index: number; text: string; events: ProtocolEvent[]; notes: WorldNote[]; effect: boolean;
    message?: TraceEntry['message']; node?: TraceEntry['node'] } | null = null;

  constructor(readonly blocksPerVolume: number) {}

  begin(index: number, text: string): void {
    this.flush();
    this.head = `${this.inLiveness ? 'L' : '#'}${index} ${text}`;
    this.entry = { index, text, events: [], notes: [], effect: true };
  }

  /** What the command did to a message or a node, for diagrams. */
  mark(detail: { message?: TraceEntry['message']; node?: TraceEntry['node'] }): void {
    if (this.entry === null) return;
    if (detail.message !== undefined) this.entry.message = detail.message;
    if (detail.node !== undefined) this.entry.node = detail.node;
  }

  /** The command changed nothing (refused, nothing to do, nothing in flight). */
  noEffect(): void {
    this.parts.push('(no effect)');
    if (this.entry !== null) this.entry.effect = false;
  }

  event(e: ProtocolEvent): void {
    this.parts.push(`=> ${eventText(e)}`);
    this.entry?.events.push(e);
    this.interesting = true;
  }

  notes(notes: readonly WorldNote[]): void {
    for (const n of notes) {
      this.parts.push(`!! ${n.text}`);
      this.entry?.notes.push(n);
    }
    if (notes.length > 0) this.interesting = true;
  }

  phase(text: string): void {
    this.flush();
    this.inLiveness = true;
    this.lines.push(`-- ${text} --`);
  }

  violation(v: ViolationData): void {
    this.interesting = true;
    this.flush();
    this.lines.push(`VIOLATED ${v.property} (${v.anomaly}): ${v.message}`);
    if (v.expected !== undefined) this.lines.push(`  expected ${v.expected}`);
    if (v.actual !== undefined) this.lines.push(`  actual   ${v.actual}`);
  }

  private flush(): void {
    const keep = !this.inLiveness || this.interesting;
    if (this.head !== '' && keep) {
      this.lines.push(this.parts.length === 0 ? this.head : `${this.head}  ${this.parts.join('  ')}`);
      if (this.entry !== null) this.entries.push({ ...this.entry, liveness: this.inLiveness });
    }
    this.head = '';
    this.parts = [];
    this.entry = null;
    this.interesting = false;
  }

  /** All lines so far (the pending one included). */
  text(): string[] {
    this.flush();
    return this.lines;
  }
}
