import { initHash } from '../impl/sim/hash.ts';
import { PROTOCOLS } from '../properties/protocols.ts';
import { verify } from '../properties/verify.ts';
await initHash();
const spec = PROTOCOLS[0]!;
const runs = (m: string | null) => verify(spec, m, { runs: 2000, seed: 1, maxCommands: 200 }).totals.runs;
const order = process.argv.slice(2).map((x) => (x === 'ref' ? null : x));
for (const m of order) console.log(m, runs(m));
