/**
 * The mirrorcheck command: verify, list, replay, merge, promote. Exit 0 when every property
 * holds, 1 on a violation (the counterexample's path is printed) or coverage below the floor,
 * 2 on a usage or input error (one line, no stack trace).
 */
import { Command, CommanderError, Option } from 'commander';
import { initHash } from '../impl/sim/hash.ts';
import { CounterexampleError, parseCounterexample, replayCounterexample } from '../properties/counterexample.ts';
import { UnknownNameError } from '../properties/protocol.ts';
import { PROTOCOLS } from '../properties/protocols.ts';
import { DEFAULT_VERIFY_OPTIONS } from '../properties/verify.ts';
import { duration, EXIT_OK, EXIT_USAGE, EXIT_VIOLATION, percent, readInput, shardOf, UsageError, wholeNumber } from './errors.ts';
import { runMerge } from './merge.ts';
import { runPromote } from './promote.ts';
import { runVerify, type VerifyFlags } from './verify.ts';

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
  const text = readInput(file);
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

const repeatable = (v: string, prev: string[] | undefined) => [...(prev ?? []), v];

function program(out: (s: string) => void, setCode: (n: number) => void): Command {
  const cli = new Command('mirrorcheck')
    .description('Formal-model test harness for consistent remote mirroring')
    .exitOverride()
    .configureOutput({ writeOut: (s) => process.stdout.write(s), writeErr: (s) => process.stderr.write(s) });
  cli.command('verify')
    .description('verify protocols (all by default) against their model and the consistency oracle')
    .addOption(new Option('--protocol <name>', 'protocol to verify (repeatable)').argParser(repeatable))
    .addOption(new Option('--runs <n>', `runs per protocol (default ${DEFAULT_VERIFY_OPTIONS.runs})`).argParser(wholeNumber('--runs', 1, 10_000_000)))
    .addOption(new Option('--time-budget <duration>', 'instead of --runs: run until this much time has passed (90s, 5m, 1h)').argParser(duration('--time-budget')))
    .addOption(new Option('--seed <n>', 'base seed').argParser(wholeNumber('--seed', 0, 2 ** 31 - 1)).default(DEFAULT_VERIFY_OPTIONS.seed))
    .addOption(new Option('--max-commands <n>', 'longest command sequence').argParser(wholeNumber('--max-commands', 1, 100_000)).default(DEFAULT_VERIFY_OPTIONS.maxCommands))
    .addOption(new Option('--shard <i/n>', 'run only shard i of n (disjoint runs; merge the reports)').argParser(shardOf))
    .addOption(new Option('--min-transition-coverage <pct>', 'fail (exit 1) when a model\'s transition coverage is below this').argParser(percent('--min-transition-coverage')))
    .option('--mutant <name>', 'verify a mutant instead of the reference implementation')
    .option('--reports <dir>', 'where reports and counterexamples go', 'reports')
    .option('--json', 'print the summary as JSON (no progress)')
    .action((flags: VerifyFlags) => setCode(runVerify(flags, out)));
  cli.command('list')
    .description('list protocols and their mutants')
    .option('--json', 'print JSON')
    .action((flags: { json?: boolean }) => setCode(runList(flags.json ?? false, out)));
  cli.command('replay <file>')
    .description('reproduce a saved counterexample exactly')
    .action((file: string) => setCode(runReplay(file, out)));
  cli.command('merge <dir...>')
    .description('merge the reports of verify shards into one summary')
    .option('--out <dir>', 'where the merged summary goes', 'reports')
    .addOption(new Option('--min-transition-coverage <pct>', 'fail (exit 1) below this transition coverage').argParser(percent('--min-transition-coverage')))
    .option('--json', 'print the merged summary as JSON')
    .action((dirs: string[], flags: { out: string; minTransitionCoverage?: number; json?: boolean }) => setCode(runMerge(dirs, flags, out)));
  cli.command('promote <counterexample>')
    .description('save a counterexample as a scenario the test suite replays against the reference')
    .option('--name <name>', 'scenario file name (default from mutant, property and run)')
    .option('--scenarios <dir>', 'scenarios folder', 'scenarios')
    .action((file: string, flags: { name?: string; scenarios: string }) => setCode(runPromote(file, flags, out)));
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
