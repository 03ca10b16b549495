/**
 * Simulated one-way link from one node to another.
 *
 * Network semantics (named options): `ordered` links deliver only their oldest deliverable
 * message (FIFO); unordered links may deliver any message in flight (reordering). Faults are
 * explicit commands, never spontaneous:
 * - drop: a message in flight vanishes; duplicate: a copy joins the flight;
 * - delay: a message cannot be delivered for `delay_ticks` more ticks;
 * - partition: while partitioned, sends are lost and nothing is delivered (one-way: each
 *   direction is its own link); heal: the link works again, messages still in flight survive.
 * The flight holds at most `capacity` messages; a send beyond it is lost (a full queue), counted.
 */
export interface LinkOptions {
  readonly name: string;
  readonly from: string;
  readonly to: string;
  readonly ordered: boolean;
  readonly capacity: number;
}

interface Flight<M> {
  readonly message: M;
  notBefore_tick: number;
}

export class Link<M> {
  readonly name: string;
  readonly from: string;
  readonly to: string;
  readonly ordered: boolean;
  readonly capacity: number;
  partitioned = false;
  /** Messages lost because the flight was full or the link partitioned. */
  lostOnSend = 0;
  private flight: Flight<M>[] = [];

  constructor(options: LinkOptions) {
    this.name = options.name;
    this.from = options.from;
    this.to = options.to;
    this.ordered = options.ordered;
    this.capacity = options.capacity;
  }

  get inFlight(): number {
    return this.flight.length;
  }

  /** Messages in flight, oldest first (read-only view for reports). */
  messages(): readonly M[] {
    return this.flight.map((f) => f.message);
  }

  send(message: M, now_tick: number): boolean {
    if (this.partitioned || this.flight.length >= this.capacity) {
      this.lostOnSend++;
      return false;
    }
    this.flight.push({ message, notBefore_tick: now_tick });
    return true;
  }

  /** Index of the message `pick` names among deliverable ones, or -1. */
  private choose(pick: number, now_tick: number): number {
    if (this.partitioned) return -1;
    const n = this.flight.length;
    if (n === 0) return -1;
    if (this.ordered) {
      return this.flight[0]!.notBefore_tick <= now_tick ? 0 : -1;
    }
    const start = pick % n;
    for (let i = 0; i < n; i++) {
      const index = (start + i) % n;
      if (this.flight[index]!.notBefore_tick <= now_tick) return index;
    }
    return -1;
  }

  /** The message `deliver(pick)` would deliver now, without delivering it. */
  peek(pick: number, now_tick: number): M | undefined {
    const index = this.choose(pick, now_tick);
    return index < 0 ? undefined : this.flight[index]!.message;
  }

  /** The message `drop`, `duplicate` or `delay` with this pick would act on. */
  at(pick: number): M | undefined {
    return this.flight.length === 0 ? undefined : this.flight[pick % this.flight.length]!.message;
  }

  /** Remove and return the message `pick` names, or undefined when none can be delivered. */
  deliver(pick: number, now_tick: number): M | undefined {
    const index = this.choose(pick, now_tick);
    if (index < 0) return undefined;
    return this.flight.splice(index, 1)[0]!.message;
  }

  drop(pick: number): M | undefined {
    if (this.flight.length === 0) return undefined;
    return this.flight.splice(pick % this.flight.length, 1)[0]!.message;
  }

  duplicate(pick: number, now_tick: number): M | undefined {
    if (this.flight.length === 0 || this.flight.length >= this.capacity) return undefined;
    const original = this.flight[pick % this.flight.length]!;
    this.flight.push({ message: original.message, notBefore_tick: now_tick });
    return original.message;
  }

  delay(pick: number, delay_ticks: number, now_tick: number): M | undefined {
    if (this.flight.length === 0) return undefined;
    const f = this.flight[pick % this.flight.length]!;
    f.notBefore_tick = Math.max(f.notBefore_tick, now_tick + delay_ticks);
    return f.message;
  }

  /** Drop everything in flight (used when the receiving side is rebuilt from scratch). */
  clear(): void {
    this.flight = [];
  }
}
