/**
 * `npm run bench`: for every protocol, checked vs bare throughput, per-step cost as the history
 * grows, and the runs and time it takes to catch each mutant. Prints a table and writes
 * `reports/bench.json` (shape: `BenchReport` in report.ts, kept stable).
 */
import { cpus } from 'node:os';
import { initHash } from '../impl/sim/hash.ts';
import { PROTOCOLS } from '../properties/protocols.ts';
import type { ProtocolSpec } from '../properties/protocol.ts';
import { catchMutants } from './mutants.ts';
import { HISTORY_TARGETS, protocolTable, writeReport, type BenchReport, type ProtocolResult } from './report.ts';
import { measureScaling } from './scaling.ts';
import { measureThroughput } from './throughput.ts';

const REPORT_PATH = 'reports/bench.json';

const log = (line: string): void => { process.stderr.write(`${line}\n`); };

function benchProtocol(spec: ProtocolSpec): ProtocolResult {
  log(`[${spec.name}] throughput (checked vs bare)...`);
  const throughput = measureThroughput(spec);
  if (throughput.violation !== null) {
    const { scenario, data } = throughput.violation;
    console.log(`VIOLATION in the reference ${spec.name} (generated scenario ${scenario}, step ${data.step}): ${data.property}: ${data.message}`);
    process.exitCode = 1;
  }
  log(`[${spec.name}] per-step cost as the history grows...`);
  const scaling = measureScaling(spec);
  const costPerStepMicros: Record<string, number> = {};
  for (const target of HISTORY_TARGETS) {
    const point = scaling.get(target)!;
    costPerStepMicros[String(target)] = round(point.micros, 3);
    log(`  history ${point.historyStart} -> ${point.historyEnd}: ${point.micros.toFixed(2)} µs/step`);
  }
  log(`[${spec.name}] catching mutants...`);
  const mutants = catchMutants(spec, (m) => log(`  ${m.name}: ${m.caught ? `caught after ${m.runs} runs` : 'NOT caught'} (${m.seconds.toFixed(2)} s)`));
  return {
    name: spec.name,
    checkedStepsPerSec: Math.round(throughput.checkedStepsPerSec),
    bareStepsPerSec: Math.round(throughput.bareStepsPerSec),
    checkedOverBare: round(throughput.checkedStepsPerSec / throughput.bareStepsPerSec, 3),
    costPerStepMicros,
    mutants: mutants.map((m) => ({ ...m, seconds: round(m.seconds, 3) })),
  };
}

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

await initHash();
const started = performance.now();
const report: BenchReport = { machine: { node: process.version, cpus: cpus().length }, protocols: [] };
for (const spec of PROTOCOLS) report.protocols.push(benchProtocol(spec));
writeReport(REPORT_PATH, report);

console.log(`mirrorcheck bench — node ${report.machine.node}, ${report.machine.cpus} cpus`);
for (const p of report.protocols) console.log(['', ...protocolTable(p)].join('\n'));
console.log(`\nwrote ${REPORT_PATH} (${((performance.now() - started) / 1000).toFixed(1)} s)`);
