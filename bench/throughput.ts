/**
 * Throughput: checked steps per second (implementation + model + oracle) against bare
 * implementation steps per second, on the same generated command lists. The commands are
 * generated up front with fast-check and not timed; only the apply loops are. Checked and bare
 * passes alternate so that drift (GC, thermal) affects both alike.
 */
import fc from 'fast-check';
import { commandsOf, scenarioArbitrary } from '../properties/arbitraries.ts';
import type { Command } from '../properties/commands.ts';
import type { ProtocolSpec } from '../properties/protocol.ts';
import { LockstepRun } from '../properties/runner.ts';
import { Violation, type ViolationData } from '../properties/violation.ts';

export interface ThroughputOptions {
  readonly seed: number;
  /** Generated scenarios in the set (each up to `maxCommands` commands). */
  readonly scenarios: number;
  readonly maxCommands: number;
  /** Least measured time per figure, in milliseconds. */
  readonly minMeasure_ms: number;
}

export const DEFAULT_THROUGHPUT: ThroughputOptions = { seed: 42, scenarios: 300, maxCommands: 200, minMeasure_ms: 1500 };

export interface ThroughputResult {
  readonly checkedStepsPerSec: number;
  readonly bareStepsPerSec: number;
  /** The first violation seen (the reference should produce none), with its scenario index. */
  readonly violation: { readonly scenario: number; readonly data: ViolationData } | null;
}

interface Tally {
  steps: number;
  elapsed_ms: number;
}

/** The command lists of the generated scenarios (fault profiles vary, swarm-style). */
export function generateScenarios(options: ThroughputOptions): Command[][] {
  const samples = fc.sample(scenarioArbitrary(options.maxCommands), { seed: options.seed, numRuns: options.scenarios });
  return samples.map(([, sequence]) => commandsOf(sequence));
}

/**
 * One pass over every scenario in one mode. A fresh run per scenario, built outside the timer;
 * a violation ends that scenario (its remaining commands are not applied) and is remembered.
 */
function pass(spec: ProtocolSpec, scenarios: readonly Command[][], bare: boolean, tally: Tally,
  onViolation: (scenario: number, data: ViolationData) => void): void {
  for (let s = 0; s < scenarios.length; s++) {
    const commands = scenarios[s]!;
    const run = new LockstepRun(spec, null, { bare });
    let applied = 0;
    const start = performance.now();
    try {
      for (; applied < commands.length; applied++) run.apply(commands[applied]!);
    } catch (e) {
      if (!(e instanceof Violation)) throw e;
      onViolation(s, e.data);
    }
    tally.elapsed_ms += performance.now() - start;
    tally.steps += applied;
  }
}

export function measureThroughput(spec: ProtocolSpec, options: ThroughputOptions = DEFAULT_THROUGHPUT): ThroughputResult {
  const scenarios = generateScenarios(options);
  let violation: ThroughputResult['violation'] = null;
  const onViolation = (scenario: number, data: ViolationData): void => { violation ??= { scenario, data }; };
  // Warm-up: one untimed-for-the-record pass in each mode, so the JIT has seen every path.
  pass(spec, scenarios, false, { steps: 0, elapsed_ms: 0 }, onViolation);
  pass(spec, scenarios, true, { steps: 0, elapsed_ms: 0 }, onViolation);
  const checked: Tally = { steps: 0, elapsed_ms: 0 };
  const bare: Tally = { steps: 0, elapsed_ms: 0 };
  for (let round = 0; round < 1000; round++) {
    if (checked.elapsed_ms < options.minMeasure_ms) pass(spec, scenarios, false, checked, onViolation);
    if (bare.elapsed_ms < options.minMeasure_ms) pass(spec, scenarios, true, bare, onViolation);
    if (checked.elapsed_ms >= options.minMeasure_ms && bare.elapsed_ms >= options.minMeasure_ms) break;
  }
  return {
    checkedStepsPerSec: (checked.steps * 1000) / checked.elapsed_ms,
    bareStepsPerSec: (bare.steps * 1000) / bare.elapsed_ms,
    violation,
  };
}
