/**
 * Each check of the lockstep runner can fail: hand-made bad states injected into a reference
 * journal run (the mutants show the same through real bugs).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { initHash } from '../impl/sim/hash.ts';
import type { Command } from '../properties/commands.ts';
import { findProtocol } from '../properties/protocols.ts';
import { LockstepRun } from '../properties/runner.ts';
import { Violation, type ViolationData } from '../properties/violation.ts';

const spec = findProtocol('journal');
const W = (block: number): Command => ({ kind: 'write', host: 0, volume: 0, block });
const P: Command = { kind: 'step', node: 0 };
const S: Command = { kind: 'step', node: 1 };
const D: Command = { kind: 'deliver', link: 0, pick: 0 };
const A: Command = { kind: 'deliver', link: 1, pick: 0 };
/** One write, one point, shipped, committed on the secondary and acknowledged. */
const COMMIT: Command[] = [W(0), P, { kind: 'point' }, P, P, P, D, D, S, S, S, A];

beforeAll(async () => {
  await initHash();
});

function violationOf(f: () => void): ViolationData {
  try {
    f();
  } catch (e) {
    if (e instanceof Violation) return e.data;
    throw e;
  }
  throw new Error('no violation');
}

describe('lockstep runner checks', () => {
  it('the reference run of the fixture passes and commits its point', () => {
    const run = new LockstepRun(spec, null);
    COMMIT.forEach((c) => run.apply(c));
    run.finish();
    expect(run.situations.has('point-committed')).toBe(true);
    expect(run.oracle.judgedK).toBe(1);
  });

  it('always-conformant: implementation state that does not map onto the model', () => {
    const run = new LockstepRun(spec, null);
    const real = run.system.abstractState.bind(run.system);
    run.system.abstractState = (out) => { real(out); out[3] = 7; };
    const v = violationOf(() => run.apply(W(0)));
    expect(v.property).toBe('always-conformant');
    expect(v.message).toBe('implementation has committedPoint=7, model has committedPoint=0');
  });

  it('always-monotone: a failover image that goes back to an older boundary', () => {
    const run = new LockstepRun(spec, null);
    const initial = run.system.failoverImage();
    const real = run.system.failoverImage.bind(run.system);
    let stale = false;
    run.system.failoverImage = () => (stale ? initial : real());
    COMMIT.forEach((c) => run.apply(c));
    stale = true;
    run.system.failoverStamp = () => -1;
    const v = violationOf(() => run.apply(P));
    expect(v.property).toBe('always-monotone');
    expect(v.actual).toMatch(/^v0\[- - -/);
  });

  it('always-durable: the acknowledged point is ahead of what the secondary could recover', () => {
    const run = new LockstepRun(spec, null);
    COMMIT.slice(0, 8).forEach((c) => run.apply(c));
    // The secondary has not committed anything; pretend it acknowledged point 1.
    const v = violationOf(() => {
      (run as unknown as { oracle: { pointCommitted(p: number): boolean } }).oracle.pointCommitted(1);
      run.apply(P);
    });
    expect(v.property).toBe('always-durable');
  });

  it('always-consistent: a failover image that matches no boundary', () => {
    const run = new LockstepRun(spec, null);
    const real = run.system.failoverImage.bind(run.system);
    run.system.failoverImage = () => { const img = [...real()]; img[3] = new Uint8Array(32).fill(9); return img; };
    const v = violationOf(() => run.apply(W(0)));
    expect(v.property).toBe('always-consistent');
  });

  it('eventually-current: a secondary that never steps again', () => {
    const run = new LockstepRun(spec, null);
    COMMIT.slice(0, 8).forEach((c) => run.apply(c));
    const real = run.system.step.bind(run.system);
    run.system.step = (node) => (node === 'secondary' ? false : real(node));
    const v = violationOf(() => run.finish());
    expect(v.property).toBe('eventually-current');
  });

  it('always-invariant: an exception inside the implementation', () => {
    const run = new LockstepRun(spec, null);
    run.system.step = () => { throw new Error('secondary: slot of 3 is not a write'); };
    const v = violationOf(() => run.apply(S));
    expect(v.property).toBe('always-invariant');
    expect(v.message).toBe('secondary: slot of 3 is not a write');
  });
});
