import { describe, expect, it } from 'vitest';
import { findProtocol } from '../properties/protocols.ts';
import { verify } from '../properties/verify.ts';
import { standardSuite } from './support/standard-suite.ts';

standardSuite('xrc');

describe('xrc', () => {
  it('a controller on its own skewed clock breaks a dependent write: the image holds the second write without the first', () => {
    const r = verify(findProtocol('xrc'), 'controller-own-clock', { runs: 2000, seed: 1, maxCommands: 200 });
    expect(r.failure!.violation.property).toBe('always-consistent');
  });
});
