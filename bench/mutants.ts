/**
 * Time to catch each mutant: fast-check verification with a fixed seed and budget, timed end to
 * end (generation, runs, shrinking, and rebuilding the counterexample's timeline).
 */
import type { ProtocolSpec } from '../properties/protocol.ts';
import { verify, type VerifyOptions } from '../properties/verify.ts';
import type { MutantResult } from './report.ts';

export const MUTANT_BUDGET: VerifyOptions = { runs: 2000, seed: 1, maxCommands: 200 };

export function catchMutant(spec: ProtocolSpec, mutant: string, options: VerifyOptions = MUTANT_BUDGET): MutantResult {
  const start = performance.now();
  const result = verify(spec, mutant, options);
  const seconds = (performance.now() - start) / 1000;
  return {
    name: mutant,
    caught: result.failure !== null,
    runs: result.totals.runs,
    seconds,
    property: result.failure?.violation.property ?? null,
  };
}

/** Every mutant of the protocol, in catalogue order; `progress` hears each as it finishes. */
export function catchMutants(spec: ProtocolSpec, progress: (m: MutantResult) => void = () => {}): MutantResult[] {
  return spec.mutants.map((m) => {
    const r = catchMutant(spec, m.name);
    progress(r);
    return r;
  });
}
