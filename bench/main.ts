/**
 * `npm run bench`: for every protocol, checked vs bare throughput, per-step cost as the history
 * grows, and the runs and time it takes to catch each mutant. Prints a table (progress goes to
 * stderr) and writes `reports/bench.json` (shape: `BenchReport` in report.ts, kept stable).
 * A violation in a reference implementation sets a failing exit code.
 */
import { cpus } from 'node:os';
import { initHash } from '../impl/sim/hash.ts';
import { PROTOCOLS } from '../properties/protocols.ts';
import type { ProtocolSpec } from '../properties/protocol.ts';
import { Violation } from '../properties/violation.ts';
import { catchMutants } from './mutants.ts';
import { HISTORY_TARGETS, protocolTable, writeReport, type BenchReport, type ProtocolResult, type TableNotes } from './report.ts';
import { measureScaling, WorkloadStalled } from './scaling.ts';
import { measureThroughput } from './throughput.ts';

const REPORT_PATH = 'reports/bench.json';

const log = (line: string): void => { process.stderr.write(`${line}\n`); };

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

/** Per-step cost by history length; null figures and a reason when the workload cannot run. */
function scalingFigures(spec: ProtocolSpec): {
  costPerStepMicros: Record<string, number | null>; scaling: TableNotes['scaling']; scalingProblem: string | null;
} {
  const costPerStepMicros: Record<string, number | null> = {};
  const scaling: Record<string, TableNotes['scaling'][string]> = {};
  try {
    const points = measureScaling(spec);
    for (const target of HISTORY_TARGETS) {
      const point = points.get(target)!;
      costPerStepMicros[String(target)] = round(point.micros, 3);
      scaling[String(target)] = point;
    }
    return { costPerStepMicros, scaling, scalingProblem: null };
  } catch (e) {
    let scalingProblem: string;
    if (e instanceof Violation) {
      scalingProblem = `VIOLATION in the reference under the workload: ${e.message}`;
      process.exitCode = 1;
    } else if (e instanceof WorkloadStalled) {
      scalingProblem = e.message;
    } else {
      throw e;
    }
    log(`  ${scalingProblem}`);
    for (const target of HISTORY_TARGETS) costPerStepMicros[String(target)] = null;
    return { costPerStepMicros, scaling, scalingProblem };
  }
}

function benchProtocol(spec: ProtocolSpec): { result: ProtocolResult; notes: TableNotes } {
  log(`[${spec.name}] throughput (checked vs bare)...`);
  const throughput = measureThroughput(spec);
  let violation: string | null = null;
  if (throughput.violation !== null) {
    const { scenario, data } = throughput.violation;
    violation = `reference ${spec.name}, generated scenario ${scenario}, step ${data.step}: ${data.property}: ${data.message}`;
    log(`  VIOLATION ${violation}`);
    process.exitCode = 1;
  }
  log(`[${spec.name}] per-step cost as the history grows...`);
  const { costPerStepMicros, scaling, scalingProblem } = scalingFigures(spec);
  log(`[${spec.name}] catching mutants...`);
  const mutants = catchMutants(spec, (m) => log(`  ${m.name}: ${m.caught ? `caught after ${m.runs} runs` : 'NOT caught'} (${m.seconds.toFixed(2)} s)`));
  const result: ProtocolResult = {
    name: spec.name,
    checkedStepsPerSec: Math.round(throughput.checkedStepsPerSec),
    bareStepsPerSec: Math.round(throughput.bareStepsPerSec),
    checkedOverBare: round(throughput.checkedStepsPerSec / throughput.bareStepsPerSec, 3),
    costPerStepMicros,
    mutants: mutants.map((m) => ({ ...m, seconds: round(m.seconds, 3) })),
  };
  return { result, notes: { scaling, violation, scalingProblem } };
}

await initHash();
const started = performance.now();
const report: BenchReport = { machine: { node: process.version, cpus: cpus().length }, protocols: [] };
const tables: string[][] = [];
for (const spec of PROTOCOLS) {
  const { result, notes } = benchProtocol(spec);
  report.protocols.push(result);
  tables.push(protocolTable(result, notes));
}
writeReport(REPORT_PATH, report);

console.log(`mirrorcheck bench — node ${report.machine.node}, ${report.machine.cpus} cpus`);
for (const lines of tables) console.log(['', ...lines].join('\n'));
console.log(`\nwrote ${REPORT_PATH} (${((performance.now() - started) / 1000).toFixed(1)} s)`);
