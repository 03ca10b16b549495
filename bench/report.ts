/**
 * The benchmark's results as data (the stable shape of `reports/bench.json`), the targets they
 * are held to, and the readable table printed to the console.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/** History lengths (acknowledged writes) at which the per-step cost is measured. */
export const HISTORY_TARGETS = [100, 10_000, 100_000] as const;

export const TARGETS = {
  /** Checked steps per second, at least. */
  checkedStepsPerSec: 50_000,
  /** Checked speed over bare speed, at least. */
  checkedOverBare: 0.5,
  /**
   * Largest over smallest per-step cost across history lengths, at most: "flat". Run-to-run noise
   * is about ±30% on a small machine; a cost growing with the history, even as log n, would be at
   * least 2.5 times higher at 10^5 than at 10^2 (an O(n) replay about 1000 times).
   */
  costSpread: 2,
} as const;

export interface MutantResult {
  readonly name: string;
  readonly caught: boolean;
  /** Runs until the failing one (or the whole budget when not caught). */
  readonly runs: number;
  /** Wall time including shrinking and rebuilding the timeline. */
  readonly seconds: number;
  /** The violated property, or null when not caught. */
  readonly property: string | null;
}

export interface ProtocolResult {
  readonly name: string;
  readonly checkedStepsPerSec: number;
  readonly bareStepsPerSec: number;
  readonly checkedOverBare: number;
  /** Mean checked cost per step (µs) by history length; null when the workload stalled on this protocol. */
  readonly costPerStepMicros: Record<string, number | null>;
  readonly mutants: MutantResult[];
}

export interface BenchReport {
  readonly machine: { readonly node: string; readonly cpus: number };
  readonly protocols: ProtocolResult[];
}

export function writeReport(path: string, report: BenchReport): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${JSON.stringify(report, null, 2)}\n`);
}

const verdict = (ok: boolean): string => (ok ? 'ok  ' : 'MISS');
const thousands = (n: number): string => Math.round(n).toLocaleString('en-US');
const micros = (x: number | null | undefined): string => (x === null || x === undefined ? '-' : `${x.toFixed(2)} µs`);

/** Largest over smallest of the per-step costs (1 is perfectly flat); NaN when one is missing. */
export function costSpread(costs: Record<string, number | null>): number {
  const values = Object.values(costs);
  if (values.length === 0 || values.some((v) => v === null)) return Number.NaN;
  const known = values as number[];
  return Math.max(...known) / Math.min(...known);
}

/** What the table shows beyond the JSON: the spread behind each median, and a violation if any. */
export interface TableNotes {
  /** Per target: the history range the window covered and each round's window mean (µs). */
  readonly scaling: Record<string, { readonly historyStart: number; readonly historyEnd: number; readonly roundMicros: readonly number[] }>;
  /** A violation seen while measuring throughput (the reference should produce none). */
  readonly violation: string | null;
  /** Why the per-step cost could not be measured (the workload stalled), or null. */
  readonly scalingProblem: string | null;
}

/** The lines printed for one protocol: throughput and scaling against their targets, then mutants. */
export function protocolTable(p: ProtocolResult, notes: TableNotes): string[] {
  const spread = costSpread(p.costPerStepMicros);
  const lines = [
    `protocol ${p.name}`,
    `  ${'figure'.padEnd(34)}${'value'.padStart(14)}   target`,
    `  ${'checked steps/s'.padEnd(34)}${thousands(p.checkedStepsPerSec).padStart(14)}   >= ${thousands(TARGETS.checkedStepsPerSec)}  ${verdict(p.checkedStepsPerSec >= TARGETS.checkedStepsPerSec)}`,
    `  ${'bare implementation steps/s'.padEnd(34)}${thousands(p.bareStepsPerSec).padStart(14)}`,
    `  ${'checked / bare'.padEnd(34)}${p.checkedOverBare.toFixed(2).padStart(14)}   >= ${TARGETS.checkedOverBare}  ${verdict(p.checkedOverBare >= TARGETS.checkedOverBare)}`,
  ];
  if (notes.violation !== null) lines.push(`  VIOLATION while measuring: ${notes.violation}`);
  if (notes.scalingProblem !== null) lines.push(`  per-step cost not measured: ${notes.scalingProblem}`);
  for (const target of HISTORY_TARGETS) {
    const label = `checked cost/step at history ${thousands(target)}`;
    const n = notes.scaling[String(target)];
    const detail = n === undefined ? ''
      : `   window: history ${n.historyStart}..${n.historyEnd}; rounds ${n.roundMicros.map((m) => m.toFixed(2)).join(', ')}`;
    lines.push(`  ${label.padEnd(34)}${micros(p.costPerStepMicros[String(target)]).padStart(14)}${detail}`);
  }
  lines.push(`  ${'cost spread (max/min of medians)'.padEnd(34)}${spread.toFixed(2).padStart(14)}   <= ${TARGETS.costSpread} (flat)  ${verdict(spread <= TARGETS.costSpread)}`);
  lines.push('', `  ${'mutant'.padEnd(34)}${'caught'.padStart(7)}${'runs'.padStart(7)}${'seconds'.padStart(9)}   property`);
  for (const m of p.mutants) {
    lines.push(`  ${m.name.padEnd(34)}${(m.caught ? 'yes' : 'NO').padStart(7)}${String(m.runs).padStart(7)}${m.seconds.toFixed(2).padStart(9)}   ${m.property ?? '-'}`);
  }
  const caught = p.mutants.filter((m) => m.caught).length;
  lines.push(`  ${caught}/${p.mutants.length} mutants caught`);
  return lines;
}
