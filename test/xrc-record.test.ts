import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { initHash } from '../impl/sim/hash.ts';
import type { Application, ProtocolEvent } from '../impl/sim/system.ts';
import { DEFAULT_XRC_CONFIG } from '../impl/xrc/context.ts';
import { emptyControl, journaledSets, readControl, sealControl, type Control } from '../impl/xrc/journal.ts';
import {
  decodeRecordSet, decodeReport, encodeRecordSet, encodeReport, HEADER_BYTES, KIND_RECORD_SET, KIND_REPORT, kindAt, recordLength,
  SLOT_BYTES, validate, type RecordSet,
} from '../impl/xrc/record.ts';
import { XrcSystem } from '../impl/xrc/system.ts';
import { writeData } from '../properties/appdata.ts';

const BOUNDS = DEFAULT_XRC_CONFIG;

beforeAll(async () => {
  await initHash();
});

const recordSet = fc.record({
  controller: fc.nat({ max: BOUNDS.controllers - 1 }),
  seq: fc.integer({ min: 1, max: 0xffff_ffff }),
  ts: fc.nat({ max: 0xffff_ffff }),
  volume: fc.nat({ max: BOUNDS.volumes - 1 }),
  block: fc.nat({ max: BOUNDS.blocksPerVolume - 1 }),
  data: fc.uint8Array({ minLength: BOUNDS.blockSize_bytes, maxLength: BOUNDS.blockSize_bytes }),
});

const set = (controller: number, seq: number, ts: number, block = 0): RecordSet =>
  ({ controller, seq, ts, volume: controller, block, data: new Uint8Array(BOUNDS.blockSize_bytes).fill(seq) });

describe('self-describing record sets', () => {
  it('round-trip through a 64-byte slot with every header field', () => {
    fc.assert(fc.property(recordSet, (r) => {
      const bytes = encodeRecordSet(r);
      expect(bytes.length).toBe(SLOT_BYTES);
      expect(kindAt(bytes)).toBe(KIND_RECORD_SET);
      expect(recordLength(bytes)).toBe(HEADER_BYTES + BOUNDS.blockSize_bytes);
      expect(validate(bytes, 0, BOUNDS)).toBeNull();
      expect(decodeRecordSet(bytes)).toEqual(r);
    }), { seed: 1, numRuns: 200 });
  });

  it('detect any flipped bit of header or data, and a torn slot', () => {
    fc.assert(fc.property(recordSet, fc.nat({ max: (HEADER_BYTES + BOUNDS.blockSize_bytes) * 8 - 1 }), (r, bit) => {
      const bytes = encodeRecordSet(r);
      bytes[bit >> 3]! ^= 1 << (bit & 7);
      expect(validate(bytes, 0, BOUNDS)).not.toBeNull();
    }), { seed: 2, numRuns: 300 });
    const old = encodeRecordSet(set(0, 1, 10));
    const torn = encodeRecordSet(set(0, 2, 20));
    torn.set(old.subarray(32), 32);
    expect(validate(torn, 0, BOUNDS)).toBe('checksum');
    expect(validate(new Uint8Array(SLOT_BYTES), 0, BOUNDS)).toBe('empty');
  });

  it('reject fields out of bounds even with a good checksum', () => {
    expect(validate(encodeRecordSet({ ...set(0, 1, 5), volume: BOUNDS.volumes }), 0, BOUNDS)).toBe('bounds');
    expect(validate(encodeRecordSet({ ...set(0, 1, 5), block: BOUNDS.blocksPerVolume }), 0, BOUNDS)).toBe('bounds');
    expect(validate(encodeRecordSet({ ...set(0, 1, 5), data: new Uint8Array(8) }), 0, BOUNDS)).toBe('bounds');
    expect(validate(encodeRecordSet(set(0, 0, 5)), 0, BOUNDS)).toBe('bounds');
  });

  it('completeness reports are header-only records, parsed back to back with record sets', () => {
    const report = encodeReport({ controller: 2, lastSeq: 7, complete: 5003 });
    expect(report.length).toBe(HEADER_BYTES);
    const first = encodeRecordSet(set(1, 3, 4000));
    const wire = new Uint8Array(recordLength(first) + report.length);
    wire.set(first.subarray(0, recordLength(first)));
    wire.set(report, recordLength(first));
    const at = recordLength(wire, 0);
    expect(validate(wire, 0, BOUNDS)).toBeNull();
    expect(validate(wire, at, BOUNDS)).toBeNull();
    expect(kindAt(wire, at)).toBe(KIND_REPORT);
    expect(decodeReport(wire, at)).toEqual({ controller: 2, lastSeq: 7, complete: 5003 });
    expect(validate(wire.subarray(0, wire.length - 1), at, BOUNDS)).toBe('bounds');
  });
});

describe('the secondary control block and journal', () => {
  const pending: Control = { ...emptyControl(3), committedGroup: 4, committedCt: 100, pendingGroup: 5, pendingCt: 300, count: 2, pendingSeq: [2, 1, 0] };

  it('round-trips, and reads as nothing committed when torn or never written', () => {
    expect(readControl(sealControl(pending), 3)).toEqual(pending);
    const torn = sealControl(pending);
    torn[0]! ^= 1;
    expect(readControl(torn, 3)).toEqual(emptyControl(3));
    expect(readControl(new Uint8Array(64), 3)).toEqual(emptyControl(3));
  });

  it('yields the journaled group in timestamp order and refuses a spoiled or out-of-order journal', () => {
    const slots = [encodeRecordSet(set(0, 2, 150)), encodeRecordSet(set(1, 1, 300))];
    expect(journaledSets(pending, (s) => slots[s]!, BOUNDS).map((r) => r.ts)).toEqual([150, 300]);
    const flipped = slots.map((s) => s.slice());
    flipped[1]![30]! ^= 4;
    expect(() => journaledSets(pending, (s) => flipped[s]!, BOUNDS)).toThrow(/not intact/);
    const reversed = [slots[1]!, slots[0]!];
    expect(() => journaledSets(pending, (s) => reversed[s]!, BOUNDS)).toThrow(/out of order/);
    const late = [encodeRecordSet(set(0, 2, 90)), slots[1]!];
    expect(() => journaledSets(pending, (s) => late[s]!, BOUNDS)).toThrow(/out of order/);
  });
});

describe('time stamps from the common system timer', () => {
  function system(): { s: XrcSystem; acked: number[]; events: ProtocolEvent[] } {
    const acked: number[] = [];
    const events: ProtocolEvent[] = [];
    const app: Application = { acknowledged: (w) => acked.push(w.data[3]!), pointTaken: () => {}, pointCommitted: () => {} };
    return { s: new XrcSystem(app, (e) => events.push(e)), acked, events };
  }
  const stamps = (events: readonly ProtocolEvent[]) => events.filter((e) => e.type === 'write.stamped').map((e) => e['ts'] as number);

  it('a dependent write on another controller is stamped after the write it depends on, whatever the readings', () => {
    fc.assert(fc.property(fc.array(fc.record({ c: fc.nat({ max: 2 }), skew: fc.integer({ min: -24, max: 8 }), ticks: fc.nat({ max: 3 }) }), { maxLength: 40 }), (plan) => {
      const { s, acked, events } = system();
      plan.forEach(({ c, skew, ticks }, i) => {
        s.timer.skew_ticks[c] = skew;
        s.world.advance(ticks);
        const block = i % BOUNDS.blocksPerVolume;
        expect(s.write(0, { volume: c, block, data: writeData(i + 1, c, block, BOUNDS.blockSize_bytes) })).toBe(true);
        expect(s.write(0, { volume: c, block, data: writeData(999, c, block, BOUNDS.blockSize_bytes) })).toBe(false);
        expect(s.step(`controller-${c}`)).toBe(true);
      });
      const ts = stamps(events);
      expect(acked).toEqual(plan.map((_, i) => (i + 1) & 255));
      for (let i = 1; i < ts.length; i++) expect(ts[i]!).toBeGreaterThan(ts[i - 1]!);
    }), { seed: 3, numRuns: 200 });
  });

  it('an unskewed reading is the stamp itself; a reading behind the newest stamp is lifted past it', () => {
    const { s, events } = system();
    s.world.advance(2);
    s.write(0, { volume: 1, block: 0, data: writeData(1, 1, 0, 32) });
    s.step('controller-1');
    s.timer.skew_ticks[0] = -2;
    s.write(1, { volume: 0, block: 0, data: writeData(2, 0, 0, 32) });
    s.step('controller-0');
    const [a, b] = events.filter((e) => e.type === 'write.stamped');
    expect(a!['ts']).toBe(a!['reading']);
    expect(b!['reading']).toBeLessThan(a!['ts'] as number);
    expect(b!['ts']).toBe((a!['ts'] as number) + 1);
  });
});
