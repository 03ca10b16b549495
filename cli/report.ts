/** Text and files for people and CI: the verify summary and saved counterexamples. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { toCounterexample } from '../properties/counterexample.ts';
import type { VerifyResult } from '../properties/verify.ts';

export function summaryText(r: VerifyResult, seconds: number): string {
  const t = r.totals;
  const faults = Object.entries(t.faults).filter(([, n]) => n > 0).map(([k, n]) => `${k} ${n}`).join(', ') || 'none';
  const situations = Object.entries(t.situations).map(([k, n]) => `${k} ${n}`).join(', ');
  const title = r.mutant === null ? r.protocol : `${r.protocol} (mutant ${r.mutant})`;
  const verdict = r.failure === null ? 'all properties hold' : `VIOLATION of ${r.failure.violation.property}: ${r.failure.violation.anomaly}`;
  return [
    `${title}: ${verdict}`,
    `  runs ${t.runs}, steps ${t.steps}, seed ${r.options.seed}, ${seconds.toFixed(1)} s`,
    `  faults injected: ${faults}`,
    `  situations reached (runs): ${situations}`,
    `  violations: ${t.violations}`,
  ].join('\n');
}

/** Write the counterexample JSON and its timeline as text; returns the JSON file's path. */
export function saveCounterexample(r: VerifyResult, dir: string): string {
  const cx = toCounterexample(r);
  mkdirSync(dir, { recursive: true });
  const base = `counterexample-${r.protocol}${r.mutant === null ? '' : `-${r.mutant}`}-seed${r.options.seed}`;
  const path = join(dir, `${base}.json`);
  writeFileSync(path, `${JSON.stringify(cx, null, 2)}\n`);
  writeFileSync(join(dir, `${base}.txt`), `${cx.timeline.join('\n')}\n`);
  return path;
}

export function writeSummary(results: readonly VerifyResult[], counterexamples: Record<string, string>, dir: string): string {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, 'summary.json');
  const body = results.map((r) => ({
    protocol: r.protocol, mutant: r.mutant, seed: r.options.seed, ...r.totals,
    violation: r.failure === null ? null : { ...r.failure.violation, counterexample: counterexamples[key(r)] ?? null },
  }));
  writeFileSync(path, `${JSON.stringify({ results: body }, null, 2)}\n`);
  return path;
}

export function key(r: VerifyResult): string {
  return `${r.protocol}/${r.mutant ?? ''}`;
}
