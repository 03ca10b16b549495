import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { PROTOCOLS } from '../properties/protocols.ts';

describe('every registered protocol', () => {
  it.each(PROTOCOLS.map((p) => p.name))('%s runs the standard suite from its own test file', (name) => {
    const text = readFileSync(`test/${name}.test.ts`, 'utf8');
    expect(text).toContain(`standardSuite('${name}')`);
  });

  it('protocol and mutant names are unique', () => {
    const names = PROTOCOLS.map((p) => p.name);
    expect(new Set(names).size).toBe(names.length);
    for (const p of PROTOCOLS) expect(new Set(p.mutants.map((m) => m.name)).size, p.name).toBe(p.mutants.length);
  });
});
