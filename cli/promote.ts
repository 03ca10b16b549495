/**
 * `mirrorcheck promote <counterexample>`: save a counterexample's commands as a scenario under
 * scenarios/<protocol>/, which the test suite replays against the reference implementation.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseCounterexample } from '../properties/counterexample.ts';
import { runScenario, type Scenario } from '../properties/scenario.ts';
import { EXIT_OK, EXIT_VIOLATION, readInput, UsageError } from './errors.ts';

export function runPromote(file: string, flags: { name?: string; scenarios: string }, out: (s: string) => void): number {
  const text = readInput(file);
  const cx = parseCounterexample(text);
  const name = (flags.name ?? `${cx.mutant ?? 'reference'}-${cx.property}-run${cx.run}`).replace(/[^A-Za-z0-9._-]+/g, '-');
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(name)) throw new UsageError(`--name '${flags.name}' is not a usable file name`);
  const scenario: Scenario = {
    name,
    protocol: cx.protocol,
    description: `Promoted counterexample: ${cx.anomaly} (${cx.property}) found ${cx.mutant === null ? 'in the reference' : `with mutant ${cx.mutant}`}; ` +
      `the reference implementation must pass it. ${cx.message}`,
    commands: cx.commands,
    reaches: [],
    source: { mutant: cx.mutant, property: cx.property, anomaly: cx.anomaly, run: cx.run, seed: cx.seed, path: cx.path, replayPath: cx.replayPath },
  };
  const dir = join(flags.scenarios, cx.protocol);
  const path = join(dir, `${name}.json`);
  if (existsSync(path)) throw new UsageError(`${path} exists: pick another --name`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(path, `${JSON.stringify(scenario, null, 1)}\n`);
  const outcome = runScenario(scenario);
  if (outcome.violation === null) {
    out(`promoted to ${path}: the reference passes it; the test suite replays it from now on`);
    return EXIT_OK;
  }
  out(`promoted to ${path}, but the reference fails it (${outcome.violation}): the test suite fails until it is fixed`);
  return EXIT_VIOLATION;
}
