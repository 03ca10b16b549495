import { describe, expect, it } from 'vitest';
import { setup } from 'xstate';
import type { ProtocolEvent } from '../impl/sim/system.ts';
import { journalMachine, journalModelState } from '../models/journal.ts';
import { countingAcceptance, Lockstep, stateName, type AcceptanceContext } from '../models/lockstep.ts';

type Fields = Record<string, number>;
const p = (type: string, fields: Fields = {}): ProtocolEvent => ({ type, node: 'primary', ...fields });
const s = (type: string, fields: Fields = {}): ProtocolEvent => ({ type, node: 'secondary', ...fields });

/** One write, one consistency point, shipped, applied, committed, acknowledged and trimmed. */
const LEGAL: readonly ProtocolEvent[] = [
  p('write.logged', { seq: 1 }),
  p('write.acknowledged', { seq: 1 }),
  p('point.quiesce', { point: 1 }),
  p('point.recorded', { point: 1, first: 1, last: 1, seq: 2 }),
  p('record.shipped', { seq: 1 }),
  p('record.shipped', { seq: 2 }),
  s('record.stored', { seq: 1 }),
  s('record.stored', { seq: 2 }),
  s('point.validated', { point: 1 }),
  s('txn.durable', { point: 1, seq: 1 }),
  s('record.applied', { seq: 1 }),
  s('point.committed', { point: 1 }),
  s('point.acknowledged', { point: 1 }),
  p('ack.received', { point: 1 }),
  p('log.trimmed', { seq: 2, point: 1 }),
];

/** A lockstep runner after `events`, each of which must be accepted. */
function after(events: readonly ProtocolEvent[]): Lockstep<typeof journalMachine> {
  const lock = new Lockstep(journalMachine);
  events.forEach((e, i) => expect([i, e.type, lock.send(e)]).toEqual([i, e.type, null]));
  return lock;
}

const IDLE = 'primary.accepting, secondary.scanning';

describe('journal model: a legal run', () => {
  it('accepts one point end to end and ends in the mapped state', () => {
    const lock = after(LEGAL);
    expect(stateName(lock.state)).toBe(IDLE);
    expect(lock.state.context.accepted).toBe(LEGAL.length);
    const mapped: number[] = [];
    journalModelState(lock.state.context, mapped);
    // recordedPoint, loggedSeq, trimmedSeq, committedPoint, txnPoint
    expect(mapped).toEqual([1, 2, 2, 1, 1]);
    expect(lock.state.context.points).toEqual([]);
    lock.stop();
  });

  it('records coverage of the states and transitions taken when asked', () => {
    const lock = new Lockstep(journalMachine, true);
    for (const e of LEGAL.slice(0, 4)) expect(lock.send(e)).toBeNull();
    expect([...lock.coverage!.transitions]).toEqual([
      'primary.accepting --write.logged[nextSequence]--> accepting',
      'primary.* --write.acknowledged[writeInFlight]--> *',
      'primary.accepting --point.quiesce[nextPoint]--> quiescing',
      'primary.quiescing --point.recorded[quiescedPointRecord]--> accepting',
    ]);
    expect([...lock.coverage!.states].sort()).toEqual(['primary.accepting', 'primary.quiescing', 'secondary.scanning']);
    expect(new Lockstep(journalMachine).coverage).toBeNull();
  });
});

describe('journal model: refusals name the state', () => {
  it('refuses write.logged out of sequence', () => {
    const lock = after([p('write.logged', { seq: 1 })]);
    const e = p('write.logged', { seq: 3 });
    expect(lock.send(e)).toEqual({ state: IDLE, event: e });
    expect(lock.send(p('write.logged', { seq: 1 }))).not.toBeNull();
    expect(lock.send(p('write.logged', { seq: 2 }))).toBeNull();
  });

  it('refuses point.recorded while a write is in flight', () => {
    const lock = after([p('write.logged', { seq: 1 }), p('point.quiesce', { point: 1 })]);
    const e = p('point.recorded', { point: 1, first: 1, last: 1, seq: 2 });
    expect(lock.send(e)).toEqual({ state: 'primary.quiescing, secondary.scanning', event: e });
    expect(lock.send(p('write.acknowledged', { seq: 1 }))).toBeNull();
    expect(lock.send(e)).toBeNull();
  });

  it('refuses write.logged while quiescing', () => {
    const lock = after([p('point.quiesce', { point: 1 })]);
    const e = p('write.logged', { seq: 1 });
    expect(lock.send(e)).toEqual({ state: 'primary.quiescing, secondary.scanning', event: e });
    expect(lock.state.context.logged).toBe(0);
  });

  it('refuses record.applied before txn.durable', () => {
    const lock = after(LEGAL.slice(0, 9));
    const e = s('record.applied', { seq: 1 });
    expect(lock.send(e)).toEqual({ state: IDLE, event: e });
    expect(lock.send(s('txn.durable', { point: 1, seq: 1 }))).toBeNull();
    expect(lock.send(e)).toBeNull();
  });

  it('refuses record.applied out of sequence order', () => {
    const lock = after([
      p('write.logged', { seq: 1 }), p('write.logged', { seq: 2 }),
      p('write.acknowledged', { seq: 1 }), p('write.acknowledged', { seq: 2 }),
      p('point.quiesce', { point: 1 }), p('point.recorded', { point: 1, first: 1, last: 2, seq: 3 }),
      s('point.validated', { point: 1 }), s('txn.durable', { point: 1, seq: 2 }),
    ]);
    const applying = 'primary.accepting, secondary.applying';
    const e = s('record.applied', { seq: 2 });
    expect(lock.send(e)).toEqual({ state: applying, event: e });
    expect(lock.send(s('point.committed', { point: 1 }))).toEqual({ state: applying, event: s('point.committed', { point: 1 }) });
    expect(lock.send(s('record.applied', { seq: 1 }))).toBeNull();
    expect(lock.send(e)).toBeNull();
    expect(lock.send(s('record.applied', { seq: 3 }))).not.toBeNull();
    expect(lock.send(s('point.committed', { point: 1 }))).toBeNull();
  });

  it('refuses point.acknowledged before point.committed', () => {
    const lock = after(LEGAL.slice(0, 11));
    const e = s('point.acknowledged', { point: 1 });
    expect(lock.send(e)).toEqual({ state: 'primary.accepting, secondary.applying', event: e });
    expect(lock.send(s('point.committed', { point: 1 }))).toBeNull();
    expect(lock.send(e)).toBeNull();
  });

  it('refuses log.trimmed beyond the acknowledged point', () => {
    const lock = after(LEGAL.slice(0, 12));
    const e = p('log.trimmed', { seq: 2, point: 1 });
    expect(lock.send(e)).toEqual({ state: IDLE, event: e });
    expect(lock.send(s('point.acknowledged', { point: 1 }))).toBeNull();
    expect(lock.send(p('log.trimmed', { seq: 2, point: 2 }))).not.toBeNull();
    expect(lock.send(p('log.trimmed', { seq: 3, point: 1 }))).not.toBeNull();
    expect(lock.send(e)).toBeNull();
    expect(lock.state.context.trimmedSeq).toBe(2);
  });

  it('refuses trimming into a committed point that is not yet acknowledged', () => {
    const second = [
      p('write.logged', { seq: 3 }), p('write.acknowledged', { seq: 3 }), p('point.quiesce', { point: 2 }),
      p('point.recorded', { point: 2, first: 3, last: 3, seq: 4 }), s('point.validated', { point: 2 }),
      s('txn.durable', { point: 2, seq: 3 }), s('record.applied', { seq: 3 }), s('point.committed', { point: 2 }),
    ];
    const lock = after([...LEGAL.slice(0, 14), ...second]);
    expect(lock.send(p('log.trimmed', { seq: 4, point: 1 }))).not.toBeNull();
    expect(lock.send(p('log.trimmed', { seq: 3, point: 1 }))).not.toBeNull();
    expect(lock.send(p('log.trimmed', { seq: 2, point: 1 }))).toBeNull();
  });

  it('refuses an unknown event type and an event with a missing field', () => {
    const lock = new Lockstep(journalMachine);
    const e = p('write.teleported', { seq: 1 });
    expect(lock.send(e)).toEqual({ state: IDLE, event: e });
    expect(lock.send(p('write.logged'))).toEqual({ state: IDLE, event: p('write.logged') });
    expect(lock.state.context.accepted).toBe(0);
  });
});

describe('countingAcceptance', () => {
  interface TinyContext extends AcceptanceContext {
    hits: number;
  }
  const config = {
    id: 'tiny',
    initial: 'outer',
    context: (): TinyContext => ({ accepted: 0, hits: 0 }),
    states: {
      outer: {
        initial: 'a',
        on: { reset: '.a' },
        states: {
          a: { on: { go: 'b' } },
          b: {
            on: {
              stay: { actions: 'hit' },
              pick: [{ guard: 'left', target: 'a' }, { target: 'c', actions: ['hit', 'hit'] }],
            },
          },
          c: {},
        },
      },
    },
  } as const;
  const tiny = () => setup({
    types: { context: {} as TinyContext, events: {} as ProtocolEvent },
    guards: { left: ({ event }) => event['side'] === 'left' },
    actions: { hit: ({ context }) => { context.hits++; } },
  }).createMachine(countingAcceptance(config));

  it('counts string-target, object and array transitions in nested states and keeps their actions', () => {
    const lock = new Lockstep(tiny());
    const ev = (type: string, side = ''): ProtocolEvent => ({ type, node: 'n', side });
    const steps = [ev('go'), ev('stay'), ev('pick', 'left'), ev('go'), ev('pick', 'right'), ev('reset')];
    const seen = steps.map((e) => {
      const refused = lock.send(e);
      return `${refused === null ? 'ok' : 'refused'} ${stateName(lock.state)} ${lock.state.context.accepted}/${lock.state.context.hits}`;
    });
    expect(seen).toEqual([
      'ok outer.b 1/0', 'ok outer.b 2/1', 'ok outer.a 3/1', 'ok outer.b 4/1', 'ok outer.c 5/3', 'ok outer.a 6/3',
    ]);
    expect(lock.send(ev('stay'))).toEqual({ state: 'outer.a', event: ev('stay') });
    expect(lock.state.context.accepted).toBe(6);
  });

  it('returns a new config and leaves the original untouched', () => {
    const before = JSON.stringify(config);
    const out = countingAcceptance(config);
    expect(JSON.stringify(config)).toBe(before);
    const b = out.states.outer.states.b.on as unknown as { stay: { actions: unknown[] }; pick: { actions: unknown[] }[] };
    expect(b.stay.actions.length).toBe(2);
    expect(b.stay.actions[0]).toBe('hit');
    expect(b.pick.map((t) => t.actions.length)).toEqual([1, 3]);
    expect(out.states.outer.states.a.on.go).toMatchObject({ target: 'b' });
  });
});
