/**
 * Inline SVG diagrams for counterexample pages (no network, no scripts): a sequence diagram of a
 * traced run (messages crossing links, nodes crashing and restarting, faults hitting disks) and
 * a model state diagram with the run's transitions marked.
 */
import type { TraceEntry } from '../../properties/timeline.ts';

export function esc(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

const LANE_W = 270;
const ROW_H = 34;
const LEFT = 60;
const TOP = 40;

/** Rows worth drawing: commands that did something (or caused events or faults). */
function drawn(trace: readonly TraceEntry[]): TraceEntry[] {
  return trace.filter((e) => e.effect || e.events.length > 0 || e.notes.length > 0);
}

export function sequenceDiagram(trace: readonly TraceEntry[], nodes: readonly string[], violation: string): string {
  const rows = drawn(trace);
  const x = (node: string) => LEFT + LANE_W / 2 + Math.max(0, nodes.indexOf(node)) * LANE_W;
  const width = LEFT + nodes.length * LANE_W + 20;
  const height = TOP + (rows.length + 2) * ROW_H;
  const out: string[] = [`<svg xmlns="http://www.w3.org/2000/svg" class="seq" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">`,
    '<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="#333"/></marker></defs>'];
  for (const n of nodes) {
    out.push(`<text x="${x(n)}" y="20" class="lane">${esc(n)}</text>`);
    out.push(`<line x1="${x(n)}" y1="${TOP - 10}" x2="${x(n)}" y2="${height - 10}" class="lifeline"/>`);
  }
  rows.forEach((e, i) => {
    const y = TOP + (i + 1) * ROW_H;
    out.push(`<g><title>${esc(e.text)}</title><text x="8" y="${y + 4}" class="step">${e.liveness ? 'L' : '#'}${e.index}</text>`);
    if (e.message !== undefined) out.push(messageArrow(e.message, x(e.message.from), x(e.message.to), y));
    if (e.node !== undefined && e.effect) {
      const cls = e.node.what === 'crash' ? 'crash' : 'restart';
      out.push(`<rect x="${x(e.node.name) - 34}" y="${y - 10}" width="68" height="16" rx="3" class="${cls}"/>`);
      out.push(`<text x="${x(e.node.name)}" y="${y + 2}" class="marktext">${e.node.what}</text>`);
    }
    e.notes.forEach((note, k) => {
      const nx = note.node === undefined ? LEFT : x(note.node) + 8;
      out.push(`<text x="${nx}" y="${y + 22 + k * 10}" class="fault">⚡ ${esc(clip(note.text, 48))}</text>`);
    });
    const byNode = new Map<string, string[]>();
    for (const ev of e.events) byNode.set(ev.node, [...(byNode.get(ev.node) ?? []), ev.type]);
    for (const [node, types] of byNode) {
      out.push(`<circle cx="${x(node)}" cy="${y}" r="3" class="evdot"/>`);
      out.push(`<text x="${x(node) + 7}" y="${y + 12}" class="event">${esc(clip(types.join(', '), 40))}</text>`);
    }
    out.push('</g>');
  });
  out.push(`<text x="8" y="${TOP + (rows.length + 1.6) * ROW_H}" class="violation">${esc(clip(violation, 160))}</text>`, '</svg>');
  return out.join('\n');
}

function messageArrow(m: NonNullable<TraceEntry['message']>, x1: number, x2: number, y: number): string {
  const label = `<text x="${(x1 + x2) / 2}" y="${y - 6}" class="msg">${esc(clip(m.label, 36))}${m.fate === 'delivered' ? '' : ` (${m.fate})`}</text>`;
  if (m.fate === 'dropped') {
    const mid = (x1 + x2) / 2;
    return `<line x1="${x1}" y1="${y}" x2="${mid}" y2="${y}" class="dropped"/><text x="${mid}" y="${y + 5}" class="cross">✕</text>${label}`;
  }
  return `<line x1="${x1}" y1="${y}" x2="${x2}" y2="${y}" class="${m.fate}" marker-end="url(#arrow)"/>${label}`;
}

interface ParsedTransition {
  readonly id: string;
  readonly region: string;
  readonly source: string;
  readonly label: string;
  readonly target: string;
}

export function parseTransition(id: string): ParsedTransition {
  const m = /^(?:([^ .]+)\.)?(\S+) --(.+)--> (\S+)$/.exec(id);
  if (m === null) return { id, region: '', source: '?', label: id, target: '?' };
  return { id, region: m[1] ?? '', source: m[2]!, label: m[3]!, target: m[4]! };
}

/** One box per region, states side by side; moves drawn as arcs, stays listed under their state. */
export function stateDiagram(allStates: readonly string[], allTransitions: readonly string[], visited: ReadonlySet<string>, taken: ReadonlySet<string>): string {
  const regions = [...new Set(allStates.map((s) => (s.includes('.') ? s.split('.')[0]! : '')))];
  const parsed = allTransitions.map(parseTransition);
  const parts: string[] = [];
  let yOffset = 10;
  let width = 400;
  for (const region of regions) {
    const states = allStates.filter((s) => (region === '' ? !s.includes('.') : s.startsWith(`${region}.`))).map((s) => (region === '' ? s : s.slice(region.length + 1)));
    const mine = parsed.filter((t) => t.region === region);
    const sx = (s: string) => 40 + states.indexOf(s) * 300;
    const stays = (s: string) => mine.filter((t) => t.source === s && t.target === s);
    const anyState = mine.filter((t) => t.source === '*');
    const listHeight = Math.max(anyState.length, ...states.map((s) => stays(s).length)) * 13;
    const h = 200 + listHeight;
    width = Math.max(width, 80 + states.length * 300);
    parts.push(`<g transform="translate(0,${yOffset})"><text x="10" y="16" class="region">${esc(region || 'machine')}</text>`);
    mine.filter((t) => t.source !== '*' && t.target !== t.source).forEach((t, i) => {
      const [a, b] = [sx(t.source) + 90, sx(t.target) + 90];
      const up = a < b;
      const bend = (up ? -1 : 1) * (30 + (i % 4) * 14);
      const y0 = up ? 60 : 96;
      parts.push(`<path d="M${a},${y0} Q${(a + b) / 2},${y0 + bend} ${b},${y0}" class="${taken.has(t.id) ? 'taken' : 'untaken'}" marker-end="url(#arrow)"><title>${esc(t.id)}</title></path>`);
      parts.push(`<text x="${(a + b) / 2}" y="${y0 + bend / 2 + (up ? -2 : 10)}" class="tlabel ${taken.has(t.id) ? 'takentext' : ''}">${esc(clip(t.label, 44))}</text>`);
    });
    for (const s of states) {
      const id = region === '' ? s : `${region}.${s}`;
      parts.push(`<rect x="${sx(s)}" y="60" width="180" height="36" rx="8" class="${visited.has(id) ? 'visited' : 'state'}"/>`);
      parts.push(`<text x="${sx(s) + 90}" y="83" class="sname">${esc(s)}</text>`);
      stays(s).forEach((t, k) => parts.push(`<text x="${sx(s)}" y="${150 + k * 13}" class="stay ${taken.has(t.id) ? 'takentext' : ''}">↺ ${esc(clip(t.label, 46))}</text>`));
    }
    anyState.forEach((t, k) => parts.push(`<text x="${40 + states.length * 300}" y="${150 + k * 13}" class="stay ${taken.has(t.id) ? 'takentext' : ''}">* ${esc(clip(t.label, 40))}</text>`));
    parts.push('</g>');
    yOffset += h;
    width = Math.max(width, 340 + states.length * 300);
  }
  return `<svg xmlns="http://www.w3.org/2000/svg" class="states" width="${width}" height="${yOffset}" viewBox="0 0 ${width} ${yOffset}">\n` +
    '<defs><marker id="arrow2" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="#555"/></marker></defs>\n' +
    `${parts.join('\n').replace(/url\(#arrow\)/g, 'url(#arrow2)')}\n</svg>`;
}
