/** `mirrorcheck merge <dir>...`: shard reports into one summary (sums, coverage unions). */
import { join } from 'node:path';
import { z } from 'zod';
import { EXIT_OK, EXIT_VIOLATION, readInput, UsageError } from './errors.ts';
import { writeSummaryFiles } from './report.ts';
import { mergeSummaries, SUMMARY_FORMAT, type Summary } from './reports/summary.ts';
import { coverageShortfalls } from './verify.ts';

const summarySchema = z.object({
  format: z.literal(SUMMARY_FORMAT),
  seed: z.number(),
  shards: z.array(z.string()),
  protocols: z.array(z.object({ protocol: z.string(), runs: z.number(), steps: z.number() }).passthrough()),
}).passthrough();

function readSummary(dir: string): Summary {
  const path = join(dir, 'summary.json');
  const text = readInput(path);
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new UsageError(`${path} is not valid JSON (truncated?)`);
  }
  const parsed = summarySchema.safeParse(raw);
  if (!parsed.success) throw new UsageError(`${path} is not a mirrorcheck summary: ${parsed.error.issues[0]!.path.join('.')}: ${parsed.error.issues[0]!.message}`);
  return raw as Summary;
}

export function runMerge(dirs: readonly string[], flags: { out: string; minTransitionCoverage?: number; json?: boolean }, out: (s: string) => void): number {
  const parts = dirs.map(readSummary);
  const seeds = new Set(parts.map((p) => p.seed));
  if (seeds.size > 1) throw new UsageError(`shards ran with different seeds (${[...seeds].join(', ')}): they do not make one verification`);
  const shards = parts.flatMap((p) => p.shards);
  if (new Set(shards).size !== shards.length) throw new UsageError(`the same shard appears twice (${shards.join(', ')})`);
  const merged = mergeSummaries(parts);
  const path = writeSummaryFiles(merged, flags.out);
  const shortfalls = coverageShortfalls(merged, flags.minTransitionCoverage);
  const violated = merged.protocols.some((p) => p.violations > 0);
  if (flags.json === true) out(JSON.stringify(merged));
  else {
    for (const p of merged.protocols) {
      out(`${p.protocol}${p.mutant === null ? '' : ` (mutant ${p.mutant})`}: ${p.runs} runs, ${p.steps} steps, ${p.violations} violations` +
        (p.coverage === null ? '' : `, transition coverage ${p.coverage.transitionsPercent}%`));
    }
    for (const s of shortfalls) out(`COVERAGE ${s}`);
    out(`merged ${parts.length} shard reports (${merged.shards.join(', ')}): ${path}`);
  }
  return violated || shortfalls.length > 0 ? EXIT_VIOLATION : EXIT_OK;
}
