import { describe, expect, it } from 'vitest';
import { findProtocol } from '../properties/protocols.ts';
import { verify } from '../properties/verify.ts';
import { standardSuite } from './support/standard-suite.ts';

standardSuite('flashcopy');

describe('flashcopy', () => {
  it.each(['bitmap-cleared-before-copy', 'mirror-ack-before-durable'])('%s is caught by the consistency oracle itself (the image), not only the model', (name) => {
    const r = verify(findProtocol('flashcopy'), name, { runs: 2000, seed: 1, maxCommands: 200 });
    expect(['always-consistent', 'always-monotone', 'always-durable']).toContain(r.failure!.violation.property);
  });
});
