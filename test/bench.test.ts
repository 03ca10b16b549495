import { beforeAll, describe, expect, it } from 'vitest';
import { advanceTo } from '../bench/scaling.ts';
import { WorkloadCursor } from '../bench/workload.ts';
import { initHash } from '../impl/sim/hash.ts';
import { PROTOCOLS } from '../properties/protocols.ts';
import { LockstepRun } from '../properties/runner.ts';

beforeAll(async () => {
  await initHash();
});

describe('bench workload', () => {
  it.each(PROTOCOLS.map((p) => [p.name, p] as const))('%s: the deterministic workload keeps acknowledging writes, checked, with no violation', (_, spec) => {
    const run = new LockstepRun(spec, null);
    const steps = advanceTo(run, new WorkloadCursor(spec.benchWorkload?.()), 1_000, 2_000);
    expect(run.oracle.historyLength).toBe(1_000);
    expect(steps).toBeLessThan(20_000);
    expect(run.oracle.durableFloor).toBeGreaterThan(900);
  });
});
