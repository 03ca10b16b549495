/**
 * `mirrorcheck verify`: every selected protocol (all by default) or one mutant, with a run budget
 * or a time budget, optionally one shard of the runs; progress on a terminal; reports written.
 */
import { findMutant, type ProtocolSpec } from '../properties/protocol.ts';
import { findProtocol, PROTOCOLS } from '../properties/protocols.ts';
import { verify, type VerifyResult } from '../properties/verify.ts';
import { EXIT_OK, EXIT_VIOLATION, UsageError } from './errors.ts';
import { saveCounterexample, summaryText, writeSummaryFiles } from './report.ts';
import { summaryOf, type SavedFiles, type Summary } from './reports/summary.ts';

export interface VerifyFlags {
  protocol?: string[];
  runs?: number;
  timeBudget?: number;
  seed: number;
  maxCommands: number;
  mutant?: string;
  reports: string;
  shard?: { index: number; count: number };
  minTransitionCoverage?: number;
  json?: boolean;
}

/** Which protocols to run: the named ones, or all; with a mutant, the one protocol that has it. */
export function selectProtocols(flags: Pick<VerifyFlags, 'protocol' | 'mutant'>): ProtocolSpec[] {
  const named = (flags.protocol ?? []).map(findProtocol);
  if (flags.mutant === undefined) return named.length > 0 ? named : [...PROTOCOLS];
  if (named.length > 1) throw new UsageError('--mutant goes with at most one --protocol');
  if (named.length === 1) {
    findMutant(named[0]!, flags.mutant);
    return named;
  }
  const owners = PROTOCOLS.filter((p) => p.mutants.some((m) => m.name === flags.mutant));
  if (owners.length === 0) throw new UsageError(`unknown mutant '${flags.mutant}' (see 'mirrorcheck list')`);
  if (owners.length > 1) throw new UsageError(`mutant '${flags.mutant}' exists in several protocols: add --protocol`);
  return owners;
}

/** A progress line rewritten in place on stdout; only when stdout is a terminal. */
function progress(enabled: boolean, name: string, total: number | null): { tick(done: number, violations: number): void; end(): void } {
  let last = 0;
  return {
    tick(done, violations) {
      if (!enabled) return;
      const now = performance.now();
      if (now - last < 100) return;
      last = now;
      process.stdout.write(`\r${name}: ${done}${total === null ? '' : `/${total}`} runs, ${violations} violation${violations === 1 ? '' : 's'}  `);
    },
    end() {
      if (enabled) process.stdout.write('\r\x1b[2K');
    },
  };
}

/** Coverage below the floor, as messages (empty when all is well). */
export function coverageShortfalls(summary: Summary, floor: number | undefined): string[] {
  if (floor === undefined) return [];
  return summary.protocols.flatMap((p) => {
    if (p.coverage === null) return [`${p.protocol}: model coverage not measured (model not compiled)`];
    if (p.coverage.transitionsPercent >= floor) return [];
    return [`${p.protocol}: transition coverage ${p.coverage.transitionsPercent}% is below --min-transition-coverage ${floor}%`];
  });
}

export function runVerify(flags: VerifyFlags, out: (s: string) => void): number {
  if (flags.runs !== undefined && flags.timeBudget !== undefined) throw new UsageError('--runs and --time-budget exclude each other');
  const specs = selectProtocols(flags);
  const runs = flags.timeBudget === undefined ? (flags.runs ?? 1000) : Number.MAX_SAFE_INTEGER;
  const showProgress = process.stdout.isTTY === true && flags.json !== true;
  const start = performance.now();
  const results: VerifyResult[] = [];
  const saved = new Map<VerifyResult, SavedFiles>();
  const texts: string[] = [];
  specs.forEach((spec, i) => {
    const deadline = flags.timeBudget === undefined ? Infinity : start + (flags.timeBudget * (i + 1)) / specs.length;
    const bar = progress(showProgress, spec.name, flags.timeBudget === undefined ? runs : null);
    const began = performance.now();
    const r = verify(spec, flags.mutant ?? null, { runs, seed: flags.seed, maxCommands: flags.maxCommands, shard: flags.shard },
      { shouldStop: () => performance.now() >= deadline, onRun: (done, v) => bar.tick(done, v) });
    bar.end();
    if (r.failure !== null) saved.set(r, saveCounterexample(spec, r, flags.reports));
    results.push(r);
    const summary = summaryOf([r], saved, null).protocols[0]!;
    texts.push(summaryText(summary, (performance.now() - began) / 1000));
    if (r.failure !== null) texts.push(`  counterexample: ${saved.get(r)!.counterexample} (report: ${saved.get(r)!.html})`);
    if (flags.json !== true) out(texts.splice(0).join('\n'));
  });
  const summary = summaryOf(results, saved, flags.timeBudget === undefined ? runs : null);
  const path = writeSummaryFiles(summary, flags.reports);
  const shortfalls = coverageShortfalls(summary, flags.minTransitionCoverage);
  if (flags.json === true) out(JSON.stringify(summary));
  else {
    for (const s of shortfalls) out(`COVERAGE ${s}`);
    out(`summary: ${path} (also summary.md, junit.xml)`);
  }
  return results.some((r) => r.failure !== null) || shortfalls.length > 0 ? EXIT_VIOLATION : EXIT_OK;
}
