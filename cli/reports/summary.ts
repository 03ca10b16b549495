/**
 * The verification summary as data (summary.json), for people (summary.md) and for CI
 * (junit.xml: one test case per protocol and property). Shard summaries merge into one.
 */
import { coveragePercent, type Coverage, type VerifyResult } from '../../properties/verify.ts';
import type { PropertyName } from '../../properties/violation.ts';

export const SUMMARY_FORMAT = 'mirrorcheck-summary/1';
export const PROPERTIES: readonly PropertyName[] = [
  'always-consistent', 'always-monotone', 'always-durable', 'always-conformant', 'always-invariant', 'eventually-current',
];

export interface PropertyStatus {
  status: 'held' | 'violated';
  anomaly?: string;
  message?: string;
  /** Paths of the counterexample files (JSON, text timeline, HTML page). */
  counterexample?: string;
  timeline?: string;
  html?: string;
}

export interface ProtocolSummary {
  protocol: string;
  mutant: string | null;
  runs: number;
  steps: number;
  faults: Record<string, number>;
  situations: Record<string, number>;
  coverage: (Coverage & { statesPercent: number; transitionsPercent: number }) | null;
  violations: number;
  properties: Record<string, PropertyStatus>;
}

export interface Summary {
  format: typeof SUMMARY_FORMAT;
  seed: number;
  /** Runs asked for per protocol (null under a time budget). */
  runsRequested: number | null;
  maxCommands: number;
  /** The shards this summary covers, e.g. ["1/2", "2/2"]. */
  shards: string[];
  /** Stopped by the time budget before every run was done. */
  stopped: boolean;
  protocols: ProtocolSummary[];
}

export interface SavedFiles {
  readonly counterexample: string;
  readonly timeline: string;
  readonly html: string;
}

function withPercent(c: Coverage | null): ProtocolSummary['coverage'] {
  if (c === null) return null;
  const p = coveragePercent(c);
  return { ...c, statesPercent: p.states, transitionsPercent: p.transitions };
}

export function protocolSummary(r: VerifyResult, files: SavedFiles | null): ProtocolSummary {
  const properties: Record<string, PropertyStatus> = {};
  for (const p of PROPERTIES) properties[p] = { status: 'held' };
  if (r.failure !== null) {
    const v = r.failure.violation;
    properties[v.property] = {
      status: 'violated', anomaly: v.anomaly, message: v.message,
      counterexample: files?.counterexample, timeline: files?.timeline, html: files?.html,
    };
  }
  const t = r.totals;
  return {
    protocol: r.protocol, mutant: r.mutant, runs: t.runs, steps: t.steps, faults: { ...t.faults }, situations: { ...t.situations },
    coverage: withPercent(t.coverage), violations: t.violations, properties,
  };
}

export function summaryOf(results: readonly VerifyResult[], saved: ReadonlyMap<VerifyResult, SavedFiles>, runsRequested: number | null): Summary {
  const first = results[0];
  const shard = first?.options.shard;
  return {
    format: SUMMARY_FORMAT,
    seed: first?.options.seed ?? 0,
    runsRequested,
    maxCommands: first?.options.maxCommands ?? 0,
    shards: shard === undefined ? ['1/1'] : [`${shard.index}/${shard.count}`],
    stopped: results.some((r) => r.stopped),
    protocols: results.map((r) => protocolSummary(r, saved.get(r) ?? null)),
  };
}

function title(p: ProtocolSummary): string {
  return p.mutant === null ? p.protocol : `${p.protocol} (mutant ${p.mutant})`;
}

export function summaryMarkdown(s: Summary): string {
  const out = [`# mirrorcheck summary`, '', `seed ${s.seed}, shards ${s.shards.join(', ')}${s.stopped ? ', stopped by the time budget' : ''}`, ''];
  for (const p of s.protocols) {
    out.push(`## ${title(p)}`, '', `${p.runs} runs, ${p.steps} steps, ${p.violations} violation${p.violations === 1 ? '' : 's'}`, '');
    out.push('| property | status | anomaly |', '| --- | --- | --- |');
    for (const [name, st] of Object.entries(p.properties)) {
      out.push(`| ${name} | ${st.status === 'held' ? 'held' : '**violated**'} | ${st.anomaly ?? ''}${st.html ? ` ([report](${st.html}))` : ''} |`);
    }
    const faults = Object.entries(p.faults).filter(([, n]) => n > 0).map(([k, n]) => `${k} ${n}`).join(', ') || 'none';
    out.push('', `Faults injected: ${faults}`, '');
    out.push(`Situations reached (runs): ${Object.entries(p.situations).map(([k, n]) => `${k} ${n}`).join(', ')}`, '');
    if (p.coverage !== null) {
      out.push(`Model coverage: states ${p.coverage.states.length}/${p.coverage.allStates.length} (${p.coverage.statesPercent}%), ` +
        `transitions ${p.coverage.transitions.length}/${p.coverage.allTransitions.length} (${p.coverage.transitionsPercent}%)`);
      const missed = p.coverage.allTransitions.filter((t) => !p.coverage!.transitions.includes(t));
      if (missed.length > 0) out.push('', 'Transitions never taken:', ...missed.map((t) => `- \`${t}\``));
      out.push('');
    }
  }
  return `${out.join('\n')}\n`;
}

function xml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

export function junitXml(s: Summary, timelineOf: (path: string) => string = () => ''): string {
  const suites = s.protocols.map((p) => {
    const cases = Object.entries(p.properties).map(([name, st]) => {
      const head = `    <testcase classname="mirrorcheck.${xml(title(p))}" name="${xml(name)}">`;
      if (st.status === 'held') return `${head}</testcase>`;
      const body = st.timeline ? timelineOf(st.timeline) : '';
      return `${head}\n      <failure type="${xml(st.anomaly ?? name)}" message="${xml(`${st.anomaly}: ${st.message}`)}">${xml(
        `${st.message}\ncounterexample: ${st.counterexample}\n${body}`)}</failure>\n    </testcase>`;
    });
    const failures = Object.values(p.properties).filter((st) => st.status === 'violated').length;
    return `  <testsuite name="mirrorcheck.${xml(title(p))}" tests="${cases.length}" failures="${failures}">\n${cases.join('\n')}\n  </testsuite>`;
  });
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="mirrorcheck">\n${suites.join('\n')}\n</testsuites>\n`;
}

/** Merge shard summaries: sums of disjoint runs, unions of coverage, the first counterexample per property. */
export function mergeSummaries(parts: readonly Summary[]): Summary {
  const byKey = new Map<string, ProtocolSummary>();
  for (const part of parts) {
    for (const p of part.protocols) {
      const key = `${p.protocol}/${p.mutant ?? ''}`;
      const into = byKey.get(key);
      if (into === undefined) {
        byKey.set(key, structuredClone(p));
        continue;
      }
      into.runs += p.runs;
      into.steps += p.steps;
      into.violations += p.violations;
      for (const [k, n] of Object.entries(p.faults)) into.faults[k] = (into.faults[k] ?? 0) + n;
      for (const [k, n] of Object.entries(p.situations)) into.situations[k] = (into.situations[k] ?? 0) + n;
      for (const [k, st] of Object.entries(p.properties)) if (st.status === 'violated' && into.properties[k]?.status !== 'violated') into.properties[k] = st;
      if (into.coverage !== null && p.coverage !== null) {
        const states = [...new Set([...into.coverage.states, ...p.coverage.states])].sort();
        const transitions = [...new Set([...into.coverage.transitions, ...p.coverage.transitions])].sort();
        into.coverage = withPercent({ allStates: into.coverage.allStates, allTransitions: into.coverage.allTransitions, states, transitions });
      }
    }
  }
  const first = parts[0]!;
  return {
    format: SUMMARY_FORMAT, seed: first.seed, runsRequested: first.runsRequested, maxCommands: first.maxCommands,
    shards: parts.flatMap((p) => p.shards).sort(), stopped: parts.some((p) => p.stopped), protocols: [...byKey.values()],
  };
}
