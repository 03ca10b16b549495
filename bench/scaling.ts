/**
 * Scaling: the mean checked cost of one step at growing history lengths. One checked run follows
 * the deterministic workload; when the oracle's history (acknowledged writes) first reaches each
 * target, the next `window` steps are timed as a block. A flat cost shows the oracle's O(1)
 * amortized check: no replay of the history.
 */
import type { ProtocolSpec } from '../properties/protocol.ts';
import { LockstepRun } from '../properties/runner.ts';
import { HISTORY_TARGETS } from './report.ts';
import { workload } from './workload.ts';

export interface ScalingOptions {
  /** Steps timed at each target. */
  readonly window: number;
  /** Untimed steps of a throwaway run first, so the first window is not measured cold. */
  readonly warmup: number;
  /** Most steps the run may take in all, a guard against a workload that stops progressing. */
  readonly maxSteps: number;
}

export const DEFAULT_SCALING: ScalingOptions = { window: 5_000, warmup: 50_000, maxSteps: 2_000_000 };

export interface ScalingPoint {
  /** History length the window started at (the target, reached exactly: one write per step at most). */
  readonly historyStart: number;
  readonly historyEnd: number;
  readonly micros: number;
}

export class WorkloadStalled extends Error {}

/** Mean checked cost per step in microseconds, keyed by target history length. */
export function measureScaling(spec: ProtocolSpec, options: ScalingOptions = DEFAULT_SCALING): Map<number, ScalingPoint> {
  const warm = new LockstepRun(spec, null);
  const warmCommands = workload();
  for (let i = 0; i < options.warmup; i++) warm.apply(warmCommands.next().value);

  const run = new LockstepRun(spec, null);
  const commands = workload();
  const out = new Map<number, ScalingPoint>();
  let steps = 0;
  for (const target of HISTORY_TARGETS) {
    while (run.oracle.historyLength < target) {
      if (steps++ >= options.maxSteps) {
        throw new WorkloadStalled(`${spec.name}: history at ${run.oracle.historyLength} after ${options.maxSteps} steps, target ${target}`);
      }
      run.apply(commands.next().value);
    }
    const historyStart = run.oracle.historyLength;
    const start = performance.now();
    for (let i = 0; i < options.window; i++) run.apply(commands.next().value);
    const elapsed_ms = performance.now() - start;
    steps += options.window;
    out.set(target, { historyStart, historyEnd: run.oracle.historyLength, micros: (elapsed_ms * 1000) / options.window });
  }
  return out;
}
