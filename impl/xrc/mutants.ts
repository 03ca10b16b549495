/**
 * xrc mutants: each overrides the one step it breaks and names the real failure it mirrors.
 * The reference classes stay free of bug switches.
 */
import { Controller, type ControllerRead } from './controller.ts';
import { DataMover } from './mover.ts';
import type { Control } from './journal.ts';
import type { RecordSet } from './record.ts';
import { Secondary, type Buffered } from './secondary.ts';
import type { XrcParts } from './system.ts';

export interface XrcMutant {
  readonly name: string;
  readonly mirrors: string;
  readonly parts: XrcParts;
}

/** Consistency time taken as the maximum over the controllers. */
class MaxConsistencyTime extends Secondary {
  protected override consistencyTime(): number {
    let ct = 0;
    for (const k of this.known) ct = Math.max(ct, k);
    return ct;
  }
}

/** Consistency time taken as the minimum over only the controllers that sent record sets. */
class SendersOnlyConsistencyTime extends Secondary {
  protected override consistencyTime(): number {
    let ct = Number.POSITIVE_INFINITY;
    for (let c = 0; c < this.known.length; c++) {
      if (this.buffer.some((b) => b.set.controller === c)) ct = Math.min(ct, this.known[c]!);
    }
    return ct === Number.POSITIVE_INFINITY ? 0 : ct;
  }
}

/** Journals the group in timestamp order but shadows it in the order the record sets arrived. */
class ArrivalOrderShadow extends Secondary {
  private arrivalOrder: RecordSet[] = [];
  protected override journalGroup(sets: readonly Buffered[], ct: number): boolean {
    if (!super.journalGroup(sets, ct)) return false;
    this.arrivalOrder = [...sets].sort((a, b) => a.arrival - b.arrival).map((b) => b.set);
    return true;
  }
  protected override shadowNext(): boolean {
    const saved = this.group;
    this.group = this.arrivalOrder.length === saved.length ? this.arrivalOrder : saved;
    super.shadowNext();
    this.group = saved;
    return true;
  }
}

/** Stamps writes from the controller's own (possibly skewed) clock, not the common timer's order. */
class OwnClock extends Controller {
  protected override stampWrite(): number {
    return this.timer.register(Math.max(this.timer.reading(this.index), this.lastStamp + 1));
  }
}

/** Shadows straight from memory: the group is never journaled (nor named in the control block). */
class NoJournalBeforeShadow extends Secondary {
  protected override journal(_sets: readonly Buffered[], _control: Control): boolean {
    return true;
  }
}

/** Releases record sets as soon as the data mover has read them, not when the secondary confirms. */
class DiscardOnRead extends Controller {
  override read(from: number, max: number, out: Uint8Array[], result: ControllerRead): ControllerRead | null {
    const r = super.read(from, max, out, result);
    if (r !== null && r.last >= r.first) this.release(r.last);
    return r;
  }
}

/** The interval test excludes its upper edge: a record set stamped exactly at the consistency time is never shadowed. */
class EdgeDropped extends Secondary {
  protected override inInterval(ts: number, from: number, to: number): boolean {
    return ts > from && ts < to;
  }
}

/** Reports itself complete up to its own reading: a write in progress, or one after a step back, lands inside that time. */
class ReportFromOwnReading extends Controller {
  protected override completeness(): number {
    return Math.max(this.lastStamp, this.timer.reading(this.index));
  }
}

const mutant = (name: string, mirrors: string, parts: Partial<XrcParts>): XrcMutant => ({
  name, mirrors, parts: { Controller, DataMover, Secondary, ...parts },
});

export const XRC_MUTANTS: readonly XrcMutant[] = [
  mutant('consistency-time-max', 'consistency time taken as the maximum over the controllers: a group holds record sets of a fast controller while a slower one has earlier ones still to come', { Secondary: MaxConsistencyTime }),
  mutant('consistency-time-senders-only', 'consistency time taken as the minimum over only the controllers that sent data: an idle or late controller is ignored and its earlier write is missing', { Secondary: SendersOnlyConsistencyTime }),
  mutant('shadow-in-arrival-order', 'record sets of a consistency group shadowed in network arrival order instead of timestamp order', { Secondary: ArrivalOrderShadow }),
  mutant('controller-own-clock', 'a controller stamps writes from its own skewed clock instead of the common system timer: a dependent write on another controller can be stamped earlier than the write it depends on', { Controller: OwnClock }),
  mutant('no-journal-before-shadow', 'no journal before shadowing: the group reaches the secondary volumes while its journal writes are still volatile, so a crash mid-shadow leaves a mix', { Secondary: NoJournalBeforeShadow }),
  mutant('discard-on-read', 'record sets discarded by the controller when the data mover reads them instead of when the secondary confirms them', { Controller: DiscardOnRead }),
  mutant('interval-edge-dropped', 'an interval edge counted not at all: the record set stamped exactly at the consistency time falls out of both groups', { Secondary: EdgeDropped }),
  mutant('report-from-own-reading', 'a controller reports itself complete up to its own timer reading rather than the newest stamp handed out: a write in progress, or one after the reading steps back, is stamped inside an interval already declared complete', { Controller: ReportFromOwnReading }),
];
