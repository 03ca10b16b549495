/**
 * The checks every protocol must pass, shared by each protocol's test file
 * (`standardSuite('<name>')`); test/protocols.test.ts checks every registered protocol calls it.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { initHash } from '../../impl/sim/hash.ts';
import { findProtocol } from '../../properties/protocols.ts';
import { DEFAULT_VERIFY_OPTIONS, verify } from '../../properties/verify.ts';
import { ANOMALY } from '../../properties/violation.ts';

const BUDGET = { runs: 2000, seed: 1, maxCommands: 200 };
const GENERIC_ANOMALIES = [ANOMALY['always-conformant'], ANOMALY['always-invariant']];

export function standardSuite(name: string): void {
  const spec = findProtocol(name);

  beforeAll(async () => {
    await initHash();
  });

  describe(`${name}: standard checks`, () => {
    it('the reference implementation passes 2,000 runs with no violation', () => {
      const r = verify(spec, null, BUDGET);
      expect(r.failure?.violation ?? null).toBeNull();
      expect(r.totals.runs).toBe(2000);
      expect(r.totals.steps).toBeGreaterThan(100_000);
    });

    it('the default run mix reaches every interesting situation and every fault, its own included', () => {
      const r = verify(spec, null, DEFAULT_VERIFY_OPTIONS);
      for (const situation of spec.situations) expect(r.totals.situations[situation], situation).toBeGreaterThan(0);
      for (const [kind, n] of Object.entries(r.totals.faults)) expect(n, kind).toBeGreaterThan(0);
      for (const f of spec.protocolFaults ?? []) expect(r.totals.faults[f.name], f.name).toBeGreaterThan(0);
    });

    it('has at least seven mutants, each naming the failure it mirrors', () => {
      expect(spec.mutants.length).toBeGreaterThanOrEqual(7);
      for (const m of spec.mutants) expect(m.mirrors.length).toBeGreaterThan(20);
    });

    it.each(spec.mutants.map((m) => m.name))('catches mutant %s within 2,000 runs (seed 1)', (mutant) => {
      const r = verify(spec, mutant, BUDGET);
      expect(r.failure).not.toBeNull();
      expect(r.totals.runs).toBeLessThanOrEqual(2000);
      expect(r.failure!.timeline.at(-1)).toMatch(/^VIOLATED|^ {2}(expected|actual)/);
      // Named in the protocol's domain terms, not the runner's generic fallback.
      expect(GENERIC_ANOMALIES).not.toContain(r.failure!.violation.anomaly);
    });
  });
}
