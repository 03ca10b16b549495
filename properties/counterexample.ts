/**
 * Counterexample files: everything needed to reproduce a violation (protocol, mutant, property,
 * seed, path, replayPath, options, the fault profile and commands) and a readable timeline,
 * sealed with an xxHash64 checksum so a truncated or edited file is refused, not trusted.
 */
import fc from 'fast-check';
import { z } from 'zod';
import { hash64 } from '../impl/sim/hash.ts';
import { PROFILE_KINDS, type Command } from './commands.ts';
import { commandsOf, type FaultProfile } from './arbitraries.ts';
import { findMutant } from './protocol.ts';
import { findProtocol } from './protocols.ts';
import { failureOf, runCommands, scenarioProperty, type VerifyResult } from './verify.ts';

export const FORMAT = 'mirrorcheck-counterexample/1';

const commandSchema = z.object({ kind: z.string() }).catchall(z.number());
const bodySchema = z.object({
  format: z.literal(FORMAT),
  protocol: z.string(),
  mutant: z.string().nullable(),
  property: z.string(),
  anomaly: z.string(),
  message: z.string(),
  /** The failing run's index under `baseSeed`, and its own seed (which reproduces it). */
  run: z.number().int().nonnegative(),
  baseSeed: z.number().int(),
  seed: z.number().int(),
  path: z.string(),
  replayPath: z.string().nullable(),
  options: z.object({ runs: z.number().int().positive(), maxCommands: z.number().int().positive() }),
  profile: z.object(Object.fromEntries(PROFILE_KINDS.map((k) => [k, z.number().int().nonnegative()]))),
  commands: z.array(commandSchema),
  timeline: z.array(z.string()),
  expected: z.string().nullable(),
  actual: z.string().nullable(),
});
const fileSchema = bodySchema.extend({ checksum: z.string().regex(/^[0-9a-f]{16}$/) });

export type CounterexampleBody = z.infer<typeof bodySchema>;
export type Counterexample = z.infer<typeof fileSchema>;

/** A counterexample file that cannot be used: the reason fits on one line. */
export class CounterexampleError extends Error {}

function checksumOf(body: CounterexampleBody): string {
  const canonical = JSON.stringify(bodySchema.parse(body));
  return hash64(new TextEncoder().encode(canonical)).toString(16).padStart(16, '0');
}

export function toCounterexample(result: VerifyResult): Counterexample {
  const f = result.failure;
  if (f === null) throw new Error('no failure to save');
  const body: CounterexampleBody = {
    format: FORMAT, protocol: result.protocol, mutant: result.mutant,
    property: f.violation.property, anomaly: f.violation.anomaly, message: f.violation.message,
    run: f.run, baseSeed: result.options.seed, seed: f.seed, path: f.path, replayPath: f.replayPath,
    options: { runs: result.options.runs, maxCommands: result.options.maxCommands },
    profile: { ...f.profile }, commands: f.commands as unknown as CounterexampleBody['commands'], timeline: f.timeline,
    expected: f.violation.expected ?? null, actual: f.violation.actual ?? null,
  };
  return { ...body, checksum: checksumOf(body) };
}

/** Parse and check a counterexample file's text; throws CounterexampleError with a one-line reason. */
export function parseCounterexample(text: string): Counterexample {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new CounterexampleError('not valid JSON (truncated or not a counterexample file)');
  }
  const parsed = fileSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new CounterexampleError(`not a mirrorcheck counterexample: ${issue.path.join('.') || '(root)'}: ${issue.message}`);
  }
  const { checksum, ...body } = parsed.data;
  if (checksumOf(body) !== checksum) throw new CounterexampleError('checksum mismatch: the file was edited or damaged');
  try {
    const spec = findProtocol(body.protocol);
    if (body.mutant !== null) findMutant(spec, body.mutant);
  } catch (e) {
    throw new CounterexampleError((e as Error).message);
  }
  return parsed.data;
}

export interface ReplayResult {
  /** The violation happened again. */
  readonly reproduced: boolean;
  /** The replayed timeline equals the saved one, byte for byte. */
  readonly identical: boolean;
  readonly timeline: string[];
  readonly property: string | null;
}

/**
 * Rebuild the run from seed, path and replayPath with fast-check, check it is the saved command
 * sequence, and run it again with a timeline.
 */
export function replayCounterexample(cx: Counterexample): ReplayResult {
  const spec = findProtocol(cx.protocol);
  const property = scenarioProperty(spec, cx.mutant, cx.options.maxCommands, cx.replayPath ?? undefined, () => {});
  const details = fc.check(property, { seed: cx.seed, path: cx.path, numRuns: 1, endOnFailure: true });
  let commands: Command[];
  let profile: FaultProfile;
  if (details.failed) {
    [profile] = details.counterexample![0];
    commands = commandsOf(details.counterexample![0][1]);
    if (JSON.stringify(commands) !== JSON.stringify(cx.commands) || JSON.stringify(profile) !== JSON.stringify(cx.profile)) {
      throw new CounterexampleError('seed, path and replayPath do not generate the saved commands (file edited, or another mirrorcheck version)');
    }
    const failure = failureOf(spec, cx.mutant, cx.run, cx.seed, details);
    return { reproduced: true, identical: sameLines(failure.timeline, cx.timeline), timeline: failure.timeline, property: failure.violation.property };
  }
  const { run, violation } = runCommands(spec, cx.mutant, cx.commands as unknown as Command[], { trace: true });
  const timeline = run.timeline!.text();
  return { reproduced: violation !== null, identical: sameLines(timeline, cx.timeline), timeline, property: violation?.property ?? null };
}

function sameLines(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((line, i) => line === b[i]);
}
