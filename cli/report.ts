/** Files a verification leaves under reports/: summaries, JUnit, and each counterexample three ways. */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { toCounterexample } from '../properties/counterexample.ts';
import type { ProtocolSpec } from '../properties/protocol.ts';
import type { VerifyResult } from '../properties/verify.ts';
import { counterexamplePage } from './reports/html.ts';
import { junitXml, summaryMarkdown, type ProtocolSummary, type SavedFiles, type Summary } from './reports/summary.ts';

export function summaryText(p: ProtocolSummary, seconds: number | null): string {
  const faults = Object.entries(p.faults).filter(([, n]) => n > 0).map(([k, n]) => `${k} ${n}`).join(', ') || 'none';
  const situations = Object.entries(p.situations).map(([k, n]) => `${k} ${n}`).join(', ');
  const title = p.mutant === null ? p.protocol : `${p.protocol} (mutant ${p.mutant})`;
  const violated = Object.entries(p.properties).find(([, st]) => st.status === 'violated');
  const verdict = violated === undefined ? 'all properties hold' : `VIOLATION of ${violated[0]}: ${violated[1].anomaly}`;
  const cov = p.coverage === null ? 'not measured (model not compiled)'
    : `states ${p.coverage.statesPercent}%, transitions ${p.coverage.transitionsPercent}% (${p.coverage.transitions.length}/${p.coverage.allTransitions.length})`;
  return [
    `${title}: ${verdict}`,
    `  runs ${p.runs}, steps ${p.steps}${seconds === null ? '' : `, ${seconds.toFixed(1)} s`}`,
    `  faults injected: ${faults}`,
    `  situations reached (runs): ${situations}`,
    `  model coverage: ${cov}`,
    `  violations: ${p.violations}`,
  ].join('\n');
}

/** Write the counterexample as JSON (replayable), as a text timeline, and as an HTML page. */
export function saveCounterexample(spec: ProtocolSpec, r: VerifyResult, dir: string): SavedFiles {
  const cx = toCounterexample(r);
  mkdirSync(dir, { recursive: true });
  const shard = r.options.shard === undefined ? '' : `-shard${r.options.shard.index}of${r.options.shard.count}`;
  const base = join(dir, `counterexample-${r.protocol}${r.mutant === null ? '' : `-${r.mutant}`}-seed${r.options.seed}${shard}`);
  const files = { counterexample: `${base}.json`, timeline: `${base}.txt`, html: `${base}.html` };
  writeFileSync(files.counterexample, `${JSON.stringify(cx, null, 2)}\n`);
  writeFileSync(files.timeline, `${cx.timeline.join('\n')}\n`);
  writeFileSync(files.html, counterexamplePage(spec, r, files.counterexample));
  return files;
}

/** summary.json, summary.md and junit.xml; returns the summary.json path. */
export function writeSummaryFiles(summary: Summary, dir: string): string {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, 'summary.json');
  writeFileSync(path, `${JSON.stringify(summary, null, 2)}\n`);
  writeFileSync(join(dir, 'summary.md'), summaryMarkdown(summary));
  const timelineOf = (p: string) => {
    try {
      return readFileSync(p, 'utf8');
    } catch {
      return '';
    }
  };
  writeFileSync(join(dir, 'junit.xml'), junitXml(summary, timelineOf));
  return path;
}
