import { beforeAll, describe, expect, it } from 'vitest';
import { initHash } from '../impl/sim/hash.ts';
import { loadScenarios, runScenario } from '../properties/scenario.ts';

beforeAll(async () => {
  await initHash();
});

const scenarios = loadScenarios('scenarios');

describe('saved scenarios', () => {
  it('there are scenarios to replay', () => {
    expect(scenarios.length).toBeGreaterThan(0);
  });

  it.each(scenarios.map((s) => [s.file, s.scenario] as const))('%s: the reference passes and reaches what it must', (_file, scenario) => {
    const outcome = runScenario(scenario);
    expect(outcome.violation, outcome.timeline.join('\n')).toBeNull();
    expect(outcome.missing, outcome.timeline.join('\n')).toEqual([]);
  });
});
