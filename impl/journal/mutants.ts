/**
 * Journal mutants: each overrides the one step it breaks and names the real failure it mirrors.
 * The reference classes stay free of bug switches.
 */
import type { RecordMessage } from './context.ts';
import { Primary } from './primary.ts';
import { checkBounds, checkSignatures, decode, kindOf } from './record.ts';
import { Secondary } from './secondary.ts';
import type { JournalParts } from './system.ts';
import type { Transaction } from './transaction.ts';

export interface JournalMutant {
  readonly name: string;
  readonly mirrors: string;
  readonly parts: JournalParts;
}

/** Applies each write record the moment it arrives, before its point record is complete. */
class EagerApply extends Secondary {
  override receive(message: RecordMessage): void {
    super.receive(message);
    const b = message.bytes;
    if (message.seq > this.txn.committedSeq && kindOf(b) === 1 && checkSignatures(b) === null) {
      const r = decode(b);
      if (r.kind === 'write') {
        this.volumes.write(r.volume * this.ctx.config.blocksPerVolume + r.block, r.data);
        this.volumes.flush();
      }
    }
  }
}

/** Validates bounds and sequence but never the head and tail signatures. */
class NoSignatureCheck extends Secondary {
  protected override validate(bytes: Uint8Array, seq: number, kind: number) {
    const problem = checkBounds(bytes, this.ctx.config);
    if (problem !== null) return problem;
    return kindOf(bytes) === kind && seq >= 0 ? null : 'sequence';
  }
}

/** Applies the transaction's writes in the order they arrived over the network. */
class ArrivalOrderApply extends Secondary {
  private arrivals: number[] = [];
  private applied = new Set<number>();
  override receive(message: RecordMessage): void {
    super.receive(message);
    if (!this.arrivals.includes(message.seq)) this.arrivals.push(message.seq);
    if (this.arrivals.length > 64) this.arrivals.shift();
  }
  protected override applyNext(): boolean {
    const next = this.arrivals.find((s) => s >= this.txn.first && s <= this.txn.last && !this.applied.has(s));
    if (next === undefined) {
      this.applied.clear();
      this.applySeq = this.txn.last + 1;
      return this.commit();
    }
    this.applied.add(next);
    const saved = this.applySeq;
    this.applySeq = next;
    super.applyNext();
    this.applySeq = saved;
    return true;
  }
}

/** Applies with write-through volumes while the transaction is still only in memory. */
class ApplyBeforeDurable extends Secondary {
  protected override beginTransaction(txn: Transaction): void {
    this.txn = txn;
    this.applySeq = txn.first;
    this.ctx.emit({ type: 'txn.durable', node: 'secondary', point: txn.point, seq: txn.last });
  }
  protected override applyNext(): boolean {
    const r = super.applyNext();
    this.volumes.flush();
    return r;
  }
}

/** Trims the local log as soon as a point record is shipped, not when it is acknowledged. */
class TrimOnSend extends Primary {
  protected override ship(): boolean {
    const seq = this.shipSeq;
    super.ship();
    const r = decode(this.localLog.read(seq % this.ctx.config.logSlots));
    if (r.kind === 'point' && seq > this.trimmedSeq) this.trim(seq, r.point);
    return true;
  }
}

/** Trusts a slot's position: a record left from the previous lap of the log passes as current. */
class StaleSlotAccepted extends Secondary {
  protected override scan(): boolean {
    const slots = this.ctx.config.logSlots;
    for (let n = 0; n < slots; n++) {
      const bytes = this.remoteLog.read(this.scanSeq % slots);
      if (checkSignatures(bytes) !== null) return this.waitFor(this.scanSeq);
      if (kindOf(bytes) === 2) return this.validatePoint(bytes);
      this.scanSeq++;
    }
    return true;
  }
  protected override validate(bytes: Uint8Array, _seq: number, _kind: number) {
    return checkSignatures(bytes) ?? checkBounds(bytes, this.ctx.config);
  }
}

/** Stops applying one record early: the last write of every point is never applied. */
class OffByOneRange extends Secondary {
  protected override applyNext(): boolean {
    if (this.applySeq >= this.txn.last) return this.commit();
    return super.applyNext();
  }
}

/** Takes the consistency point without quiescing: writes still in flight fall into it. */
class NoQuiesce extends Primary {
  override requestPoint(): boolean {
    if (!super.requestPoint()) return false;
    return this.recordPoint();
  }
}

/** Acknowledges the point as committed before its transaction is durable. */
class EarlyAcknowledge extends Secondary {
  protected override beginTransaction(txn: Transaction): void {
    this.link.send({ kind: 'ack', point: txn.point, seq: txn.seq }, this.ctx.world.now_tick);
    this.ctx.app.pointCommitted(txn.point);
    this.ctx.emit({ type: 'point.acknowledged', node: 'secondary', point: txn.point });
    super.beginTransaction(txn);
  }
}

const mutant = (name: string, mirrors: string, parts: Partial<JournalParts>): JournalMutant => ({
  name, mirrors, parts: { Primary, Secondary, ...parts },
});

export const JOURNAL_MUTANTS: readonly JournalMutant[] = [
  mutant('apply-before-point-complete', 'secondary applies records before the consistency-point record and its whole set have arrived', { Secondary: EagerApply }),
  mutant('skip-signature-check', 'validation skips head/tail signatures, so a torn or bit-flipped record is applied', { Secondary: NoSignatureCheck }),
  mutant('apply-in-arrival-order', 'writes applied in network arrival order instead of sequence order', { Secondary: ArrivalOrderApply }),
  mutant('apply-before-transaction-durable', 'writes applied before the validated transaction is durable: a crash mid-apply leaves a mix', { Secondary: ApplyBeforeDurable }),
  mutant('trim-on-send', 'local log trimmed when records are sent rather than when the point is acknowledged', { Primary: TrimOnSend }),
  mutant('stale-slot-accepted', 'an old record left in a reused log slot is taken for the current one (duplicate old record applied)', { Secondary: StaleSlotAccepted }),
  mutant('point-range-off-by-one', 'off-by-one in the record set: the last write of each point is not applied', { Secondary: OffByOneRange }),
  mutant('point-without-quiesce', 'consistency point taken without quiescing: writes in flight fall into the point', { Primary: NoQuiesce }),
  mutant('acknowledge-before-durable', 'commit acknowledged to the primary before the transaction is durable', { Secondary: EarlyAcknowledge }),
];
