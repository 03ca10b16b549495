/**
 * Every flashcopy mutant is a real data bug, not only a step out of order: with the model
 * replaced by one that accepts every event (and no conformance mapping), the consistency oracle
 * and the liveness check alone still catch each one within the same budget, and the reference
 * still passes.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { setup } from 'xstate';
import { initHash } from '../impl/sim/hash.ts';
import type { Application, EventSink } from '../impl/sim/system.ts';
import { countingAcceptance } from '../models/lockstep.ts';
import { flashcopyMachine } from '../models/flashcopy.ts';
import { flashcopySpec } from '../properties/flashcopy.ts';
import type { ProtocolSpec } from '../properties/protocol.ts';
import { verify } from '../properties/verify.ts';

const BUDGET = { runs: 2000, seed: 1, maxCommands: 200 };

/** Every event type the flashcopy model knows. */
function eventTypes(): string[] {
  const types = new Set<string>();
  const regions = (flashcopyMachine.config.states ?? {}) as Record<string, { states?: Record<string, { on?: object }> }>;
  for (const region of Object.values(regions)) {
    for (const state of Object.values(region.states ?? {})) for (const t of Object.keys(state.on ?? {})) types.add(t);
  }
  return [...types];
}

const acceptAll = setup({ types: { context: {} as { accepted: number } }, guards: { always: () => true } }).createMachine(countingAcceptance({
  id: 'accept-all',
  initial: 'on',
  context: () => ({ accepted: 0 }),
  states: { on: { on: Object.fromEntries(eventTypes().map((t) => [t, { guard: 'always' }])) } },
}));

/** The flashcopy spec judged by the oracle alone. */
const oracleOnly = {
  ...flashcopySpec,
  machine: acceptAll,
  abstractKeys: [],
  modelState: () => {},
  create(app: Application, emit: EventSink, mutant: string | null) {
    const system = flashcopySpec.create(app, emit, mutant);
    system.abstractState = () => {};
    return system;
  },
  situation: () => null,
} as unknown as ProtocolSpec;

beforeAll(async () => {
  await initHash();
});

describe('flashcopy mutants against the oracle alone', () => {
  it('knows every event type the implementation emits', () => {
    expect(eventTypes().length).toBeGreaterThanOrEqual(19);
  });

  it('the reference passes', () => {
    expect(verify(oracleOnly, null, { ...BUDGET, runs: 500 }).failure).toBeNull();
  });

  it.each(flashcopySpec.mutants.map((m) => m.name))('%s is caught by an image or liveness property', (name) => {
    const r = verify(oracleOnly, name, BUDGET);
    expect(r.failure, name).not.toBeNull();
    expect(['always-consistent', 'always-monotone', 'always-durable', 'eventually-current']).toContain(r.failure!.violation.property);
  });
});
