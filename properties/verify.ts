/**
 * Verification of one protocol (reference or mutant) with fast-check: generate scenarios, run
 * each in lockstep, shrink a failure, and rebuild the shrunk run with a timeline.
 */
import fc from 'fast-check';
import { FAULT_KINDS, type Command } from './commands.ts';
import { commandsOf, replayPathOf, scenarioArbitrary, type FaultProfile, type Scenario } from './arbitraries.ts';
import type { ProtocolSpec } from './protocol.ts';
import { LockstepRun, type RunOptions } from './runner.ts';
import { Violation, type ViolationData } from './violation.ts';

export interface VerifyOptions {
  readonly runs: number;
  readonly seed: number;
  readonly maxCommands: number;
}

export const DEFAULT_VERIFY_OPTIONS: VerifyOptions = { runs: 1000, seed: 1, maxCommands: 200 };

export interface Totals {
  runs: number;
  steps: number;
  /** Faults that took effect, by kind (shared kinds and the protocol's own). */
  faults: Record<string, number>;
  /** Runs that reached each situation. */
  situations: Record<string, number>;
  violations: number;
}

export interface Failure {
  readonly violation: ViolationData;
  readonly seed: number;
  readonly path: string;
  readonly replayPath: string | null;
  readonly profile: FaultProfile;
  readonly commands: Command[];
  readonly timeline: string[];
}

export interface VerifyResult {
  readonly protocol: string;
  readonly mutant: string | null;
  readonly options: VerifyOptions;
  readonly totals: Totals;
  readonly failure: Failure | null;
}

export function emptyTotals(spec: ProtocolSpec): Totals {
  return {
    runs: 0,
    steps: 0,
    faults: Object.fromEntries([...FAULT_KINDS, ...(spec.protocolFaults ?? []).map((f) => f.name)].map((k) => [k, 0])),
    situations: Object.fromEntries(spec.situations.map((s) => [s, 0])),
    violations: 0,
  };
}

function accumulate(totals: Totals, run: LockstepRun): void {
  totals.runs++;
  totals.steps += run.steps;
  for (const [k, n] of Object.entries(run.faults)) totals.faults[k] = (totals.faults[k] ?? 0) + n;
  for (const s of run.situations) totals.situations[s] = (totals.situations[s] ?? 0) + 1;
}

/** Run a command list to the end (liveness included); the violation, if any. */
export function runCommands(spec: ProtocolSpec, mutant: string | null, commands: Iterable<Command>, options: RunOptions = {}):
  { run: LockstepRun; violation: ViolationData | null } {
  const run = new LockstepRun(spec, mutant, options);
  try {
    for (const c of commands) run.apply(c);
    run.finish();
    return { run, violation: null };
  } catch (e) {
    if (e instanceof Violation) return { run, violation: e.data };
    throw e;
  }
}

/** The property every run must satisfy; `onRun` sees each finished run (pass or fail). */
export function scenarioProperty(spec: ProtocolSpec, mutant: string | null, maxCommands: number, replayPath: string | undefined,
  onRun: (run: LockstepRun, passed: boolean) => void): fc.IPropertyWithHooks<[Scenario]> {
  return fc.property(scenarioArbitrary(maxCommands, replayPath), ([, sequence]) => {
    const run = new LockstepRun(spec, mutant);
    let passed = false;
    try {
      fc.modelRun(() => ({ model: {}, real: run }), sequence);
      run.finish();
      passed = true;
    } finally {
      onRun(run, passed);
    }
  });
}

/** The shrunk failure of a fast-check report, rebuilt with its timeline. */
export function failureOf(spec: ProtocolSpec, mutant: string | null, seed: number, details: fc.RunDetails<[Scenario]>): Failure {
  const [profile, sequence] = details.counterexample![0];
  const commands = commandsOf(sequence);
  const { run, violation } = runCommands(spec, mutant, commands, { trace: true });
  if (violation === null) {
    const why = details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance);
    throw new Error(`the shrunk counterexample did not fail again when traced (${why})`);
  }
  return {
    violation, seed, path: details.counterexamplePath!, replayPath: replayPathOf(sequence), profile, commands,
    timeline: run.timeline!.text(),
  };
}

export function verify(spec: ProtocolSpec, mutant: string | null, options: VerifyOptions = DEFAULT_VERIFY_OPTIONS): VerifyResult {
  const totals = emptyTotals(spec);
  let failing = false;
  const property = scenarioProperty(spec, mutant, options.maxCommands, undefined, (run, passed) => {
    if (failing) return;
    accumulate(totals, run);
    failing = !passed;
  });
  const details = fc.check(property, { seed: options.seed, numRuns: options.runs });
  if (!details.failed) return { protocol: spec.name, mutant, options, totals, failure: null };
  totals.violations = 1;
  if (!(details.errorInstance instanceof Violation)) throw details.errorInstance;
  return { protocol: spec.name, mutant, options, totals, failure: failureOf(spec, mutant, options.seed, details) };
}
