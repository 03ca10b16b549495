import { initHash } from '../impl/sim/hash.ts';
import { PROTOCOLS } from '../properties/protocols.ts';
import { LockstepRun } from '../properties/runner.ts';
import { cycleCommands } from './workload.ts';
await initHash();
const run = new LockstepRun(PROTOCOLS[0]!, null, { trace: true });
const stats: Record<string, [number, number]> = {};
for (let i = 0; i < 200; i++) for (const c of cycleCommands(i)) {
  const ok = run.apply(c);
  const s = (stats[c.kind + ('node' in c ? c.node : '') + ('link' in c ? c.link : '')] ??= [0, 0]);
  s[ok ? 0 : 1]++;
}
console.log(stats, run.oracle.historyLength);
console.log(run.timeline!.text().slice(0, 120).join('\n'));
