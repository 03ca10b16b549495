/**
 * Named deterministic scenarios (`scenarios/<protocol>/*.json`): a command list and what the
 * reference implementation must do with it — pass every property and reach the named situations.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import type { Command } from './commands.ts';
import { findProtocol } from './protocols.ts';
import { runCommands } from './verify.ts';

const scenarioSchema = z.object({
  name: z.string(),
  protocol: z.string(),
  description: z.string(),
  commands: z.array(z.object({ kind: z.string() }).catchall(z.number())),
  /** Situations the run must reach. */
  reaches: z.array(z.string()),
  /** Where a promoted counterexample came from. */
  source: z.object({
    mutant: z.string().nullable(), property: z.string(), anomaly: z.string(), run: z.number(), seed: z.number(),
    path: z.string(), replayPath: z.string().nullable(),
  }).optional(),
});

export type Scenario = z.infer<typeof scenarioSchema>;

export function loadScenarios(root: string): { file: string; scenario: Scenario }[] {
  const out: { file: string; scenario: Scenario }[] = [];
  for (const protocol of readdirSync(root, { withFileTypes: true })) {
    if (!protocol.isDirectory()) continue;
    for (const name of readdirSync(join(root, protocol.name)).sort()) {
      if (!name.endsWith('.json')) continue;
      const file = join(root, protocol.name, name);
      out.push({ file, scenario: scenarioSchema.parse(JSON.parse(readFileSync(file, 'utf8'))) });
    }
  }
  return out;
}

export interface ScenarioOutcome {
  readonly violation: string | null;
  readonly missing: string[];
  readonly timeline: string[];
}

/** Run a scenario against the reference implementation. */
export function runScenario(s: Scenario): ScenarioOutcome {
  const spec = findProtocol(s.protocol);
  const { run, violation } = runCommands(spec, null, s.commands as unknown as Command[], { trace: true });
  return {
    violation: violation === null ? null : `${violation.property}: ${violation.message}`,
    missing: s.reaches.filter((x) => !run.situations.has(x)),
    timeline: run.timeline!.text(),
  };
}
