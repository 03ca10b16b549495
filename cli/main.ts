/**
 * The mirrorcheck command: verify, list, replay. Exit 0 when every property holds, 1 on a
 * violation (the counterexample's path is printed), 2 on a usage or input error (one line).
 */
import { readFileSync } from 'node:fs';
import { Command, CommanderError, Option } from 'commander';
import { initHash } from '../impl/sim/hash.ts';
import { CounterexampleError, parseCounterexample, replayCounterexample } from '../properties/counterexample.ts';
import { findMutant, UnknownNameError, type ProtocolSpec } from '../properties/protocol.ts';
import { findProtocol, PROTOCOLS } from '../properties/protocols.ts';
import { DEFAULT_VERIFY_OPTIONS, verify, type VerifyResult } from '../properties/verify.ts';
import { EXIT_OK, EXIT_USAGE, EXIT_VIOLATION, UsageError, wholeNumber } from './errors.ts';
import { key, saveCounterexample, summaryText, writeSummary } from './report.ts';

interface VerifyFlags {
  protocol?: string[];
  runs: number;
  seed: number;
  maxCommands: number;
  mutant?: string;
  reports: string;
}

/** Which protocols to run: the named ones, or all; with a mutant, the one protocol that has it. */
function selectProtocols(flags: VerifyFlags): ProtocolSpec[] {
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

function runVerify(flags: VerifyFlags, out: (s: string) => void): number {
  const specs = selectProtocols(flags);
  const results: VerifyResult[] = [];
  const saved: Record<string, string> = {};
  for (const spec of specs) {
    const start = performance.now();
    const r = verify(spec, flags.mutant ?? null, { runs: flags.runs, seed: flags.seed, maxCommands: flags.maxCommands });
    out(summaryText(r, (performance.now() - start) / 1000));
    if (r.failure !== null) {
      const path = saveCounterexample(r, flags.reports);
      saved[key(r)] = path;
      out(`  counterexample: ${path} (replay: mirrorcheck replay ${path})`);
    }
    results.push(r);
  }
  out(`summary: ${writeSummary(results, saved, flags.reports)}`);
  return results.some((r) => r.failure !== null) ? EXIT_VIOLATION : EXIT_OK;
}

function runList(json: boolean, out: (s: string) => void): number {
  const protocols = PROTOCOLS.map((p) => ({ name: p.name, title: p.title, mutants: p.mutants.map((m) => ({ name: m.name, mirrors: m.mirrors })) }));
  if (json) {
    out(JSON.stringify({ protocols }));
    return EXIT_OK;
  }
  for (const p of protocols) {
    out(`${p.name} — ${p.title}`);
    for (const m of p.mutants) out(`  ${m.name}: ${m.mirrors}`);
  }
  return EXIT_OK;
}

function runReplay(file: string, out: (s: string) => void): number {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new UsageError(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  const cx = parseCounterexample(text);
  const r = replayCounterexample(cx);
  for (const line of r.timeline) out(line);
  if (!r.reproduced) {
    out(`not reproduced: ${cx.protocol}${cx.mutant ? ` (mutant ${cx.mutant})` : ''} now passes this scenario`);
    return EXIT_OK;
  }
  out(r.identical ? `reproduced ${r.property}: timeline identical to the saved one` : `reproduced ${r.property}, but the timeline differs from the saved one`);
  return EXIT_VIOLATION;
}

function program(out: (s: string) => void, setCode: (n: number) => void): Command {
  const cli = new Command('mirrorcheck')
    .description('Formal-model test harness for consistent remote mirroring')
    .exitOverride()
    .configureOutput({ writeOut: (s) => process.stdout.write(s), writeErr: (s) => process.stderr.write(s) });
  cli.command('verify')
    .description('verify protocols (all by default) against their model and the consistency oracle')
    .addOption(new Option('--protocol <name>', 'protocol to verify (repeatable)').argParser((v: string, prev: string[] | undefined) => [...(prev ?? []), v]))
    .addOption(new Option('--runs <n>', 'runs per protocol').argParser(wholeNumber('--runs', 1, 10_000_000)).default(DEFAULT_VERIFY_OPTIONS.runs))
    .addOption(new Option('--seed <n>', 'fast-check seed').argParser(wholeNumber('--seed', 0, 2 ** 31 - 1)).default(DEFAULT_VERIFY_OPTIONS.seed))
    .addOption(new Option('--max-commands <n>', 'longest command sequence').argParser(wholeNumber('--max-commands', 1, 100_000)).default(DEFAULT_VERIFY_OPTIONS.maxCommands))
    .option('--mutant <name>', 'verify a mutant instead of the reference implementation')
    .option('--reports <dir>', 'where reports and counterexamples go', 'reports')
    .action((flags: VerifyFlags) => setCode(runVerify(flags, out)));
  cli.command('list')
    .description('list protocols and their mutants')
    .option('--json', 'print JSON')
    .action((flags: { json?: boolean }) => setCode(runList(flags.json ?? false, out)));
  cli.command('replay <file>')
    .description('reproduce a saved counterexample exactly')
    .action((file: string) => setCode(runReplay(file, out)));
  return cli;
}

/** Run the CLI; resolves to the exit code. */
export async function main(argv: readonly string[], out: (s: string) => void = (s) => console.log(s)): Promise<number> {
  await initHash();
  let code: number = EXIT_OK;
  try {
    await program(out, (n) => { code = n; }).parseAsync([...argv], { from: 'user' });
    return code;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? EXIT_OK : EXIT_USAGE;
    if (e instanceof UsageError || e instanceof UnknownNameError || e instanceof CounterexampleError) {
      process.stderr.write(`mirrorcheck: ${e.message}\n`);
      return EXIT_USAGE;
    }
    throw e;
  }
}
