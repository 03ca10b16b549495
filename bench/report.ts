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
  /** Largest over smallest per-step cost across history lengths, at most: "flat". */
  costSpread: 1.5,
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
  readonly costPerStepMicros: Record<string, number>;
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

/** Largest over smallest of the per-step costs (1 is perfectly flat). */
export function costSpread(costs: Record<string, number>): number {
  const values = Object.values(costs);
  return Math.max(...values) / Math.min(...values);
}

/** The lines printed for one protocol: throughput and scaling against their targets, then mutants. */
export function protocolTable(p: ProtocolResult): string[] {
  const spread = costSpread(p.costPerStepMicros);
  const lines = [
    `protocol ${p.name}`,
    `  ${'figure'.padEnd(34)}${'value'.padStart(14)}   target`,
    `  ${'checked steps/s'.padEnd(34)}${thousands(p.checkedStepsPerSec).padStart(14)}   >= ${thousands(TARGETS.checkedStepsPerSec)}  ${verdict(p.checkedStepsPerSec >= TARGETS.checkedStepsPerSec)}`,
    `  ${'bare implementation steps/s'.padEnd(34)}${thousands(p.bareStepsPerSec).padStart(14)}`,
    `  ${'checked / bare'.padEnd(34)}${p.checkedOverBare.toFixed(2).padStart(14)}   >= ${TARGETS.checkedOverBare}  ${verdict(p.checkedOverBare >= TARGETS.checkedOverBare)}`,
  ];
  for (const target of HISTORY_TARGETS) {
    const label = `checked cost/step at history ${thousands(target)}`;
    lines.push(`  ${label.padEnd(34)}${`${(p.costPerStepMicros[String(target)] ?? Number.NaN).toFixed(2)} µs`.padStart(14)}`);
  }
  lines.push(`  ${'cost spread (max/min)'.padEnd(34)}${spread.toFixed(2).padStart(14)}   <= ${TARGETS.costSpread} (flat)  ${verdict(spread <= TARGETS.costSpread)}`);
  lines.push('', `  ${'mutant'.padEnd(34)}${'caught'.padStart(7)}${'runs'.padStart(7)}${'seconds'.padStart(9)}   property`);
  for (const m of p.mutants) {
    lines.push(`  ${m.name.padEnd(34)}${(m.caught ? 'yes' : 'NO').padStart(7)}${String(m.runs).padStart(7)}${m.seconds.toFixed(2).padStart(9)}   ${m.property ?? '-'}`);
  }
  const caught = p.mutants.filter((m) => m.caught).length;
  lines.push(`  ${caught}/${p.mutants.length} mutants caught`);
  return lines;
}
