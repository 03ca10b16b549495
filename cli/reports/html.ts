/** A self-contained HTML page for one counterexample: no network, no scripts. */
import { compiledFactory } from '../../models/lockstep.ts';
import type { ProtocolSpec } from '../../properties/protocol.ts';
import type { VerifyResult } from '../../properties/verify.ts';
import { esc, sequenceDiagram, stateDiagram } from './diagrams.ts';

const STYLE = `
body{font:14px/1.45 system-ui,sans-serif;margin:24px;color:#222;max-width:1400px}
h1{font-size:20px} h2{font-size:16px;margin-top:28px;border-bottom:1px solid #ddd}
.verdict{background:#fdecea;border-left:4px solid #c62828;padding:10px 14px}
code,pre{font:12px/1.4 ui-monospace,Menlo,monospace} pre{background:#f7f7f7;padding:10px;overflow-x:auto}
.viol{color:#c62828;font-weight:bold} .live{color:#555}
table.img td{border:1px solid #ccc;padding:2px 6px;font:12px ui-monospace,monospace;text-align:center}
table.img td.diff{background:#ffe0b2;font-weight:bold} table.img th{font-weight:normal;color:#666;padding-right:8px;text-align:right}
.lane{font:bold 13px sans-serif;text-anchor:middle} .lifeline{stroke:#bbb;stroke-dasharray:4 3}
.step{font:11px monospace;fill:#777} .msg{font:11px monospace;text-anchor:middle;fill:#333}
.delivered{stroke:#333;stroke-width:1.5} .duplicated{stroke:#1565c0;stroke-width:1.5} .delayed{stroke:#999;stroke-dasharray:5 3}
.dropped{stroke:#c62828;stroke-dasharray:4 3;stroke-width:1.5} .cross{fill:#c62828;font-weight:bold;text-anchor:middle}
.crash{fill:#c62828} .restart{fill:#2e7d32} .marktext{fill:#fff;font:bold 11px sans-serif;text-anchor:middle}
.fault{font:11px monospace;fill:#e65100} .event{font:10px monospace;fill:#666} .evdot{fill:#666}
.violation{font:bold 12px sans-serif;fill:#c62828}
.region{font:bold 13px sans-serif} .state{fill:#fff;stroke:#999} .visited{fill:#e3f2fd;stroke:#1565c0;stroke-width:2}
.sname{font:bold 12px sans-serif;text-anchor:middle} .tlabel{font:10px monospace;text-anchor:middle;fill:#888}
.untaken{fill:none;stroke:#ccc} .taken{fill:none;stroke:#c62828;stroke-width:2.5} .takentext{fill:#c62828;font-weight:bold}
.stay{font:10px monospace;fill:#888} .stay.takentext{fill:#c62828;font-weight:bold}
`;

/** "v0[w1 - w3] v1[- w2]" as a table row per volume, cells differing from `other` highlighted. */
function imageTable(label: string, image: string, other: string): string {
  const vols = [...image.matchAll(/v(\d+)\[([^\]]*)\]/g)];
  const others = new Map([...other.matchAll(/v(\d+)\[([^\]]*)\]/g)].map((m) => [m[1], m[2]!.split(' ')]));
  const rows = vols.map((m) => {
    const cells = m[2]!.split(' ').map((c, i) => `<td class="${others.get(m[1])?.[i] !== c ? 'diff' : ''}">${esc(c)}</td>`).join('');
    return `<tr><th>${esc(label)} v${m[1]}</th>${cells}</tr>`;
  });
  return rows.join('\n');
}

function nodesOf(spec: ProtocolSpec): string[] {
  const system = spec.create({ acknowledged() {}, pointTaken() {}, pointCommitted() {} }, () => {}, null);
  return [...system.world.nodes.keys()];
}

export function counterexamplePage(spec: ProtocolSpec, r: VerifyResult, jsonPath: string): string {
  const f = r.failure!;
  const v = f.violation;
  const title = `${r.protocol}${r.mutant === null ? '' : ` (mutant ${r.mutant})`}: ${v.property}`;
  const timeline = f.timeline.map((l) => `<span class="${l.startsWith('VIOLATED') ? 'viol' : l.startsWith('L') ? 'live' : ''}">${esc(l)}</span>`).join('\n');
  const shape = compiledFactory(spec.machine)?.shape ?? null;
  const states = shape === null || f.runCoverage === null ? '<p>(model not compiled: no state diagram)</p>'
    : stateDiagram(shape.states, shape.transitions, new Set(f.runCoverage.states), new Set(f.runCoverage.transitions));
  const images = v.expected !== undefined && v.actual !== undefined
    ? `<h2>Failover image</h2><table class="img">${imageTable('expected', v.expected.replace(/^P_\d+ = /, ''), v.actual)}\n${imageTable('actual', v.actual, v.expected.replace(/^P_\d+ = /, ''))}</table>
<p><code>-</code> never written, <code>wN</code> write N intact, <code>wN!</code> write N's id over other bytes. Expected: ${esc(v.expected.split(' = ')[0] ?? '')}.</p>` : '';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title><style>${STYLE}</style></head>
<body>
<h1>${esc(title)}</h1>
<div class="verdict"><b>${esc(v.anomaly)}</b> — ${esc(v.message)}</div>
<p>Run ${f.run} (seed ${f.seed}, base seed ${r.options.seed}); ${f.commands.length} commands after shrinking.
Replay: <code>npx mirrorcheck replay ${esc(jsonPath)}</code></p>
${images}
<h2>Sequence diagram</h2>
<p>Lanes are nodes; arrows are messages crossing links (dashed red: dropped); boxes mark crashes and restarts; ⚡ a fault that hit a disk; grey text the protocol events each node emitted.</p>
${sequenceDiagram(f.trace, nodesOf(spec), `VIOLATED ${v.property}: ${v.anomaly}`)}
<h2>Model: ${esc(spec.name)} state diagram</h2>
<p>States this run visited are blue; transitions it took are red (↺ a step that stays in its state, * one taken from any state of the region).</p>
${states}
<h2>Timeline</h2>
<pre>${timeline}</pre>
<h2>Reproduce</h2>
<pre>${esc(JSON.stringify({ protocol: r.protocol, mutant: r.mutant, property: v.property, run: f.run, seed: f.seed, path: f.path, replayPath: f.replayPath }, null, 2))}</pre>
</body></html>
`;
}
