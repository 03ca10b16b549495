/**
 * Verification of one protocol (reference or mutant) with fast-check: generate scenarios, run
 * each in lockstep, shrink a failure, and rebuild the shrunk run with a timeline.
 */
import fc from 'fast-check';
import { FAULT_KINDS, type Command } from './commands.ts';
import { commandsOf, replayPathOf, scenarioArbitrary, type FaultProfile, type Scenario } from './arbitraries.ts';
import type { ProtocolSpec } from './protocol.ts';
import { compiledFactory } from '../models/lockstep.ts';
import { LockstepRun, type RunOptions } from './runner.ts';
import type { TraceEntry } from './timeline.ts';
import { Violation, type ViolationData } from './violation.ts';

export interface VerifyOptions {
  readonly runs: number;
  /** Base seed; run r uses its own seed derived from it (`runSeed`), so every run replays alone. */
  readonly seed: number;
  readonly maxCommands: number;
  /** Run only the runs r with r mod count = index - 1 (1-based index): disjoint shards. */
  readonly shard?: { readonly index: number; readonly count: number };
}

export const DEFAULT_VERIFY_OPTIONS: VerifyOptions = { runs: 1000, seed: 1, maxCommands: 200 };

/** How the caller follows and stops a verification (the CLI's progress line and time budget). */
export interface VerifyControl {
  /** Asked before each run; true stops cleanly with the runs done so far. */
  readonly shouldStop?: () => boolean;
  /** Told after each run. */
  readonly onRun?: (runsDone: number, violations: number) => void;
}

/** The seed of run `run` under base seed `seed` (a fixed integer mix; 31 bits, as fast-check wants). */
export function runSeed(seed: number, run: number): number {
  let x = (seed ^ Math.imul(run + 1, 0x9e3779b9)) >>> 0;
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b) >>> 0;
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35) >>> 0;
  return (x ^ (x >>> 16)) & 0x7fffffff;
}

export interface Totals {
  runs: number;
  steps: number;
  /** Faults that took effect, by kind (shared kinds and the protocol's own). */
  faults: Record<string, number>;
  /** Runs that reached each situation. */
  situations: Record<string, number>;
  violations: number;
  /** Model coverage: states and transitions of the machine visited by these runs (null when the model is not compiled). */
  coverage: Coverage | null;
}

export interface Coverage {
  /** Every state and transition of the machine. */
  readonly allStates: readonly string[];
  readonly allTransitions: readonly string[];
  /** Those the runs visited, sorted. */
  states: string[];
  transitions: string[];
}

/** Visited share of states and transitions, in percent. */
export function coveragePercent(c: Coverage): { states: number; transitions: number } {
  const pct = (n: number, d: number) => (d === 0 ? 100 : Math.round((1000 * n) / d) / 10);
  return { states: pct(c.states.length, c.allStates.length), transitions: pct(c.transitions.length, c.allTransitions.length) };
}

export interface Failure {
  readonly violation: ViolationData;
  /** Index of the failing run, and its own seed (the one that reproduces it). */
  readonly run: number;
  readonly seed: number;
  readonly path: string;
  readonly replayPath: string | null;
  readonly profile: FaultProfile;
  readonly commands: Command[];
  readonly timeline: string[];
  /** The traced run as data, and the model states and transitions it took (for reports). */
  readonly trace: readonly TraceEntry[];
  readonly runCoverage: { readonly states: readonly string[]; readonly transitions: readonly string[] } | null;
}

export interface VerifyResult {
  readonly protocol: string;
  readonly mutant: string | null;
  readonly options: VerifyOptions;
  readonly totals: Totals;
  readonly failure: Failure | null;
  /** Stopped early by the caller (time budget) before all runs were done. */
  readonly stopped: boolean;
}

export function emptyTotals(spec: ProtocolSpec): Totals {
  const shape = compiledFactory(spec.machine)?.shape ?? null;
  return {
    runs: 0,
    steps: 0,
    faults: Object.fromEntries([...FAULT_KINDS, ...(spec.protocolFaults ?? []).map((f) => f.name)].map((k) => [k, 0])),
    situations: Object.fromEntries(spec.situations.map((s) => [s, 0])),
    violations: 0,
    coverage: shape === null ? null : { allStates: shape.states, allTransitions: shape.transitions, states: [], transitions: [] },
  };
}

/** Visited states and transitions of a whole verification, merged run by run. */
class CoverageUnion {
  readonly states = new Set<string>();
  readonly transitions = new Set<string>();
  add(run: LockstepRun): void {
    const c = run.lockstep.coverage;
    if (c === null) return;
    for (const s of c.states) this.states.add(s);
    for (const t of c.transitions) this.transitions.add(t);
  }
  into(totals: Totals): void {
    if (totals.coverage === null) return;
    totals.coverage.states = [...this.states].sort();
    totals.coverage.transitions = [...this.transitions].sort();
  }
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
    const run = new LockstepRun(spec, mutant, { coverage: true });
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
export function failureOf(spec: ProtocolSpec, mutant: string | null, run: number, seed: number, details: fc.RunDetails<[Scenario]>): Failure {
  const [profile, sequence] = details.counterexample![0];
  const commands = commandsOf(sequence);
  const { run: traced, violation } = runCommands(spec, mutant, commands, { trace: true, coverage: true });
  if (violation === null) {
    const why = details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance);
    throw new Error(`the shrunk counterexample did not fail again when traced (${why})`);
  }
  return {
    violation, run, seed, path: details.counterexamplePath!, replayPath: replayPathOf(sequence), profile, commands,
    timeline: traced.timeline!.text(),
    trace: traced.timeline!.entries,
    runCoverage: traced.lockstep.coverage === null ? null
      : { states: [...traced.lockstep.coverage.states], transitions: [...traced.lockstep.coverage.transitions] },
  };
}

export function verify(spec: ProtocolSpec, mutant: string | null, options: VerifyOptions = DEFAULT_VERIFY_OPTIONS,
  control: VerifyControl = {}): VerifyResult {
  const totals = emptyTotals(spec);
  const coverage = new CoverageUnion();
  let failing = false;
  const property = scenarioProperty(spec, mutant, options.maxCommands, undefined, (run, passed) => {
    if (failing) return;
    accumulate(totals, run);
    coverage.add(run);
    failing = !passed;
  });
  const result = (failure: Failure | null, stopped: boolean): VerifyResult => {
    coverage.into(totals);
    return { protocol: spec.name, mutant, options, totals, failure, stopped };
  };
  const shard = options.shard ?? { index: 1, count: 1 };
  for (let r = shard.index - 1; r < options.runs; r += shard.count) {
    if (control.shouldStop?.() === true) return result(null, true);
    const seed = runSeed(options.seed, r);
    const details = fc.check(property, { seed, numRuns: 1 });
    if (details.failed) {
      if (!(details.errorInstance instanceof Violation)) throw details.errorInstance;
      totals.violations = 1;
      control.onRun?.(totals.runs, 1);
      return result(failureOf(spec, mutant, r, seed, details), false);
    }
    control.onRun?.(totals.runs, 0);
  }
  return result(null, false);
}
