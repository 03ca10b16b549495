/** Reports and CI features of `mirrorcheck verify`, `merge` and `promote` (issue: reports and CI). */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadScenarios, runScenario } from '../properties/scenario.ts';
import { captureStderr, runCli, stderr as errors } from './support/cli.ts';

captureStderr();

async function run(...argv: string[]): Promise<{ code: number; out: string }> {
  const { code, out } = await runCli(...argv);
  return { code, out: out.join('\n') };
}
const temp = () => mkdtempSync(join(tmpdir(), 'mc-rep-'));
const json = (path: string) => JSON.parse(readFileSync(path, 'utf8'));

describe('verify reports', () => {
  it('writes summary.json, summary.md and junit.xml with every property of every protocol', async () => {
    const dir = temp();
    expect((await run('verify', '--runs', '100', '--reports', dir)).code).toBe(0);
    const s = json(join(dir, 'summary.json'));
    const journal = s.protocols.find((p: { protocol: string }) => p.protocol === 'journal');
    expect(journal.runs).toBe(100);
    expect(Object.keys(journal.properties)).toHaveLength(6);
    expect(journal.properties['always-consistent']).toEqual({ status: 'held' });
    expect(journal.coverage.transitionsPercent).toBeGreaterThan(50);
    expect(journal.coverage.allTransitions.length).toBeGreaterThan(10);
    expect(readFileSync(join(dir, 'summary.md'), 'utf8')).toMatch(/## journal\n/);
    const junit = readFileSync(join(dir, 'junit.xml'), 'utf8');
    expect(junit.match(/<testcase /g)!.length).toBe(6 * s.protocols.length);
    expect(junit).not.toMatch(/<failure/);
  });

  it('writes a counterexample as JSON, text and a self-contained HTML page, named in domain terms', async () => {
    const dir = temp();
    const { code } = await run('verify', '--mutant', 'point-range-off-by-one', '--runs', '2000', '--reports', dir);
    expect(code).toBe(1);
    const s = json(join(dir, 'summary.json'));
    const violated = s.protocols[0].properties['always-conformant'];
    expect(violated.status).toBe('violated');
    expect(violated.anomaly).toBe('point committed with writes unapplied');
    for (const f of [violated.counterexample, violated.timeline, violated.html]) expect(existsSync(f)).toBe(true);
    const html = readFileSync(violated.html, 'utf8');
    expect(html).toMatch(/<svg[^>]*class="seq"/);
    expect(html).toMatch(/<svg[^>]*class="states"/);
    expect(html).toMatch(/class="taken"/);
    expect(html).toContain('point committed with writes unapplied');
    // Self-contained: no scripts, no external resources (the SVG namespace is an identifier, not a fetch).
    expect(html).not.toMatch(/<script|<link|src=|@import/);
    expect(html.replaceAll('http://www.w3.org/2000/svg', '')).not.toMatch(/https?:/);
    const junit = readFileSync(join(dir, 'junit.xml'), 'utf8');
    expect(junit.match(/<failure /g)).toHaveLength(1);
  });

  it('names image anomalies in domain terms', async () => {
    const dir = temp();
    await run('verify', '--mutant', 'apply-before-transaction-durable', '--runs', '2000', '--reports', dir);
    const p = json(join(dir, 'summary.json')).protocols[0].properties['always-consistent'];
    expect(p.anomaly).toBe('torn consistency group');
  });

  it('--json prints the summary as JSON and nothing else', async () => {
    const { code, out } = await run('verify', '--runs', '20', '--json', '--reports', temp());
    expect(code).toBe(0);
    expect(JSON.parse(out).protocols[0].runs).toBe(20);
  });

  it('--min-transition-coverage fails the run below the floor (exit 1) and passes above it', async () => {
    const low = await run('verify', '--runs', '1', '--min-transition-coverage', '100', '--reports', temp());
    expect(low.code).toBe(1);
    expect(low.out).toMatch(/COVERAGE journal: transition coverage .* is below --min-transition-coverage 100%/);
    expect((await run('verify', '--runs', '300', '--min-transition-coverage', '50', '--reports', temp())).code).toBe(0);
  });

  it('--time-budget stops cleanly and still writes the summary', async () => {
    const dir = temp();
    const { code } = await run('verify', '--time-budget', '500ms', '--reports', dir);
    expect(code).toBe(0);
    const s = json(join(dir, 'summary.json'));
    expect(s.stopped).toBe(true);
    expect(s.runsRequested).toBeNull();
    expect(s.protocols[0].runs).toBeGreaterThan(0);
  });

  it.each([
    [['verify', '--shard', '3/2'], /--shard wants i\/n/],
    [['verify', '--shard', 'x'], /--shard wants i\/n/],
    [['verify', '--time-budget', 'soon'], /--time-budget wants a duration/],
    [['verify', '--runs', '5', '--time-budget', '1s'], /exclude each other/],
    [['verify', '--min-transition-coverage', '120'], /percentage from 0 to 100/],
    [['merge', '/no/such/dir'], /cannot read/],
    [['promote', '/no/such/file.json'], /cannot read/],
  ])('%j is a usage error (exit 2, one line)', async (argv, reason) => {
    expect((await run(...(argv as string[]))).code).toBe(2);
    expect(errors.join('')).toMatch(reason as RegExp);
    expect(errors.join('').trim().split('\n')).toHaveLength(1);
  });
});

describe('shards', () => {
  it('shards run disjoint runs whose merged summary equals the unsharded one', async () => {
    const [whole, a, b, merged] = [temp(), temp(), temp(), temp()];
    await run('verify', '--runs', '60', '--reports', whole);
    await run('verify', '--runs', '60', '--shard', '1/2', '--reports', a);
    await run('verify', '--runs', '60', '--shard', '2/2', '--reports', b);
    expect(json(join(a, 'summary.json')).protocols[0].runs).toBe(30);
    const { code } = await run('merge', a, b, '--out', merged);
    expect(code).toBe(0);
    const strip = (s: { protocols: object[] }) => JSON.stringify(s.protocols);
    expect(strip(json(join(merged, 'summary.json')))).toBe(strip(json(join(whole, 'summary.json'))));
    expect(json(join(merged, 'summary.json')).shards).toEqual(['1/2', '2/2']);
    expect((await run('merge', a, a, '--out', temp())).code).toBe(2);
    const other = temp();
    await run('verify', '--runs', '10', '--seed', '9', '--shard', '2/2', '--reports', other);
    expect((await run('merge', a, other, '--out', temp())).code).toBe(2);
  });
});

describe('promote', () => {
  it('saves a counterexample as a scenario the suite replays against the reference', async () => {
    const dir = temp();
    const scenarios = temp();
    await run('verify', '--mutant', 'skip-signature-check', '--runs', '2000', '--reports', dir);
    const cx = json(join(dir, 'summary.json')).protocols[0];
    const file = Object.values(cx.properties as Record<string, { counterexample?: string }>).find((p) => p.counterexample)!.counterexample!;
    const first = await run('promote', file, '--scenarios', scenarios, '--name', 'torn-point-record');
    expect(first.code).toBe(0);
    expect(first.out).toMatch(/the reference passes it/);
    const saved = loadScenarios(scenarios);
    expect(saved.map((s) => s.scenario.name)).toEqual(['torn-point-record']);
    expect(saved[0]!.scenario.source?.mutant).toBe('skip-signature-check');
    expect(runScenario(saved[0]!.scenario).violation).toBeNull();
    expect((await run('promote', file, '--scenarios', scenarios, '--name', 'torn-point-record')).code).toBe(2);
    const tampered = join(dir, 'tampered.json');
    writeFileSync(tampered, readFileSync(file, 'utf8').replace('"run": ', '"run": 1'));
    expect((await run('promote', tampered, '--scenarios', scenarios)).code).toBe(2);
  });
});
