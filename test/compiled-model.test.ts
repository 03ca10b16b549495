/**
 * The compiled model interpreter must behave exactly as XState's actor: same acceptance, same
 * state value, same context after every event, on the events of real runs (reference and every
 * mutant, so refused events are included), and the same verification results end to end.
 */
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ProtocolEvent } from '../impl/sim/system.ts';
import { initHash } from '../impl/sim/hash.ts';
import { compileMachine } from '../models/compiled.ts';
import { Lockstep } from '../models/lockstep.ts';
import { commandsOf, scenarioArbitrary } from '../properties/arbitraries.ts';
import { PROTOCOLS } from '../properties/protocols.ts';
import { runCommands } from '../properties/verify.ts';

beforeAll(async () => {
  await initHash();
});

const text = (v: unknown) => JSON.stringify(v, (_k, x: unknown) => (x instanceof Map ? [...x.entries()] : x));

describe.each(PROTOCOLS.map((p) => [p.name, p] as const))('compiled model of %s', (_name, spec) => {
  it('is compiled (the machine stays within the supported subset)', () => {
    expect(compileMachine(spec.machine)).not.toBeNull();
    expect(new Lockstep(spec.machine).isCompiled).toBe(true);
    expect(new Lockstep(spec.machine, false, 'xstate').isCompiled).toBe(false);
  });

  it('agrees with the XState actor event by event on real runs', () => {
    const scenarios = fc.sample(scenarioArbitrary(200), { seed: 5, numRuns: 60 });
    let events = 0;
    let refusals = 0;
    for (const mutant of [null, ...spec.mutants.map((m) => m.name)]) {
      for (const [, sequence] of scenarios) {
        const stream: ProtocolEvent[] = [];
        runCommands(spec, mutant, commandsOf(sequence), { onEvent: (e) => stream.push(e) });
        const compiled = new Lockstep(spec.machine);
        const actor = new Lockstep(spec.machine, false, 'xstate');
        for (const e of stream) {
          const a = compiled.send(e);
          const b = actor.send(e);
          expect(a).toEqual(b);
          expect(text(compiled.state.value)).toBe(text(actor.state.value));
          expect(text(compiled.state.context)).toBe(text(actor.state.context));
          events++;
          if (a !== null) refusals++;
        }
        actor.stop();
      }
    }
    expect(events).toBeGreaterThan(10_000);
    expect(refusals).toBeGreaterThan(0);
  });
});
