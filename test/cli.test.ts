import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { captureStderr, runCli as run, stderr as errors } from './support/cli.ts';

captureStderr();

describe('mirrorcheck command', () => {
  it('list --json prints protocols and mutants', async () => {
    const { code, out } = await run('list', '--json');
    expect(code).toBe(0);
    const parsed = JSON.parse(out.join('')) as { protocols: { name: string; mutants: { name: string; mirrors: string }[] }[] };
    const journal = parsed.protocols.find((p) => p.name === 'journal')!;
    expect(journal.mutants.length).toBeGreaterThanOrEqual(7);
    expect(journal.mutants[0]).toEqual({ name: expect.any(String), mirrors: expect.any(String) });
  });

  it.each([
    [['verify', '--runs', 'abc'], /--runs wants a whole number/],
    [['verify', '--runs', '0'], /--runs must be between/],
    [['verify', '--seed', '-3'], /./],
    [['verify', '--protocol', 'nope'], /unknown protocol 'nope'/],
    [['verify', '--mutant', 'nope'], /unknown mutant 'nope'/],
    [['verify', '--protocol', 'journal', '--mutant', 'nope'], /unknown mutant 'nope' for journal/],
    [['verify', '--frobnicate'], /unknown option/],
    [['explode'], /unknown command/],
    [['replay', '/no/such/file.json'], /cannot read/],
  ])('%j is a usage error: exit 2, one line', async (argv, reason) => {
    const { code } = await run(...(argv as string[]));
    expect(code).toBe(2);
    const text = errors.join('');
    expect(text).toMatch(reason as RegExp);
    expect(text.trim().split('\n')).toHaveLength(1);
  });

  it('verify exits 0 when all holds and writes the summary', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mc-'));
    const { code, out } = await run('verify', '--runs', '50', '--reports', dir);
    expect(code).toBe(0);
    expect(out.join('\n')).toMatch(/journal: all properties hold/);
    expect(JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8')).protocols[0].runs).toBe(50);
  });

  it('verify exits 1 on a mutant with the counterexample path; replay reproduces it; a damaged file exits 2', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mc-'));
    const { code, out } = await run('verify', '--mutant', 'point-range-off-by-one', '--runs', '2000', '--reports', dir);
    expect(code).toBe(1);
    const path = /counterexample: (\S+\.json)/.exec(out.join('\n'))![1]!;
    const again = await run('replay', path);
    expect(again.code).toBe(1);
    expect(again.out.at(-1)).toMatch(/timeline identical/);
    const text = readFileSync(path, 'utf8');
    const truncated = join(dir, 'truncated.json');
    writeFileSync(truncated, text.slice(0, 200));
    expect((await run('replay', truncated)).code).toBe(2);
    const tampered = join(dir, 'tampered.json');
    writeFileSync(tampered, text.replace(/"seed": (\d+),/, (_m, n: string) => `"seed": ${Number(n) + 1},`));
    expect((await run('replay', tampered)).code).toBe(2);
    expect(errors.join('')).toMatch(/checksum mismatch/);
  });

  it('runs as the installed bin (npx mirrorcheck)', () => {
    const text = execFileSync(process.execPath, ['bin/mirrorcheck.js', 'list', '--json'], { encoding: 'utf8' });
    expect(JSON.parse(text).protocols[0].name).toBe('journal');
  });
});
