import { beforeAll, describe, expect, it } from 'vitest';
import { initHash } from '../impl/sim/hash.ts';
import { CounterexampleError, parseCounterexample, replayCounterexample, toCounterexample } from '../properties/counterexample.ts';
import { findProtocol } from '../properties/protocols.ts';
import { verify } from '../properties/verify.ts';

const spec = findProtocol('journal');
const OPTIONS = { runs: 2000, seed: 7, maxCommands: 200 };

beforeAll(async () => {
  await initHash();
});

describe('counterexamples', () => {
  it('replaying a saved counterexample gives the same failure byte for byte', () => {
    for (const mutant of ['skip-signature-check', 'apply-before-transaction-durable', 'stale-slot-accepted']) {
      const r = verify(spec, mutant, OPTIONS);
      const text = JSON.stringify(toCounterexample(r), null, 2);
      const cx = parseCounterexample(text);
      expect(cx.replayPath).not.toBeNull();
      const replayed = replayCounterexample(cx);
      expect(replayed.reproduced).toBe(true);
      expect(replayed.identical).toBe(true);
      expect(replayed.timeline.join('\n')).toBe(r.failure!.timeline.join('\n'));
    }
  });

  it('the same seed gives the same summary and the same counterexample twice', () => {
    const a = verify(spec, null, { runs: 300, seed: 11, maxCommands: 200 });
    const b = verify(spec, null, { runs: 300, seed: 11, maxCommands: 200 });
    expect(JSON.stringify(b.totals)).toBe(JSON.stringify(a.totals));
    const c = verify(spec, 'point-without-quiesce', OPTIONS);
    const d = verify(spec, 'point-without-quiesce', OPTIONS);
    expect(JSON.stringify(toCounterexample(d))).toBe(JSON.stringify(toCounterexample(c)));
  });

  it('a different seed gives a different run mix', () => {
    const a = verify(spec, null, { runs: 50, seed: 1, maxCommands: 200 });
    const b = verify(spec, null, { runs: 50, seed: 2, maxCommands: 200 });
    expect(JSON.stringify(b.totals)).not.toBe(JSON.stringify(a.totals));
  });

  it('refuses truncated, edited or foreign files with a one-line reason', () => {
    const r = verify(spec, 'trim-on-send', OPTIONS);
    const text = JSON.stringify(toCounterexample(r), null, 2);
    const edited = JSON.parse(text) as { timeline: string[]; mutant: string };
    edited.timeline[0] = 'something else';
    const foreign = { ...JSON.parse(text), mutant: 'no-such-mutant' };
    const cases = [text.slice(0, text.length / 2), JSON.stringify(edited), '{"format":"other"}', JSON.stringify(foreign), ''];
    for (const bad of cases) {
      expect(() => parseCounterexample(bad)).toThrow(CounterexampleError);
      try {
        parseCounterexample(bad);
      } catch (e) {
        expect((e as Error).message).not.toContain('\n');
      }
    }
  });
});
