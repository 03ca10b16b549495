/**
 * The common system timer every primary storage controller stamps writes from.
 *
 * Fault model: the timer itself is sound — its true time only moves forward (world ticks, plus
 * one unit for every stamp handed out within a tick, so two writes never share a true time) and
 * it never hands out a stamp at or before one it handed out already (the uniqueness a TOD clock
 * guarantees). What can go wrong is one controller's *reading* of it: a protocol fault skews a
 * controller's reading ahead or steps it back (`skew_ticks`). A reading never goes below zero.
 * The timer is not a node: it does not crash, and its newest stamp survives controller crashes.
 */
import type { World } from '../sim/world.ts';

export class CommonTimer {
  /** The newest stamp handed out; every later stamp is greater. */
  newestStamp = 0;
  /** Each controller's reading offset, in ticks (positive: fast; negative: stepped back). */
  readonly skew_ticks: number[];
  private tickSeen = 0;
  private stampsThisTick = 0;

  constructor(private readonly world: World, controllers: number, readonly tickUnits: number) {
    this.skew_ticks = new Array<number>(controllers).fill(0);
  }

  /** True time in timer units (from 1: a stamp of 0 would mean "nothing stamped"). */
  private trueTime(): number {
    if (this.world.now_tick !== this.tickSeen) {
      this.tickSeen = this.world.now_tick;
      this.stampsThisTick = 0;
    }
    return this.tickSeen * this.tickUnits + 1 + this.stampsThisTick;
  }

  /** Controller `c`'s reading of the timer now (skewed if a fault skewed it). */
  reading(c: number): number {
    return Math.max(0, this.trueTime() + this.skew_ticks[c]! * this.tickUnits);
  }

  /**
   * A stamp for a write at controller `c`: the controller's reading, lifted past the newest stamp
   * handed out when the reading is behind it, so stamps follow the order writes are stamped in.
   */
  stamp(c: number): number {
    return this.register(Math.max(this.reading(c), this.newestStamp + 1));
  }

  /** Record a stamp as handed out: true time moves on by one unit. */
  register(ts: number): number {
    this.trueTime();
    if (++this.stampsThisTick >= this.tickUnits - 1) throw new Error(`timer: more than ${this.tickUnits - 2} stamps in tick ${this.tickSeen}`);
    if (ts > this.newestStamp) this.newestStamp = ts;
    return ts;
  }
}
