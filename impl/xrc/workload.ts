/**
 * A deterministic workload that keeps xrc committing, for the bench's per-step cost figure (node
 * indexes: 0..2 controllers, 3 data mover, 4 secondary; link 0 to the secondary, 1 back). Each
 * write goes to the next controller and is stamped and acknowledged; after every third write the
 * data mover reads all three controllers (an interval), the group is delivered, journaled,
 * shadowed and committed, the confirmation comes back and the data mover relays it, so the
 * controllers release their record sets. Now and then the clock ticks.
 */
import type { Command } from '../../properties/commands.ts';

const MOVER_NODE = 3;
const SECONDARY_NODE = 4;
const TO_SECONDARY_LINK = 0;
const TO_MOVER_LINK = 1;
/** Writes per interval: one on each controller. */
const WRITES_PER_INTERVAL = 3;
/** Cycles after which the pattern repeats: lcm of controllers (3), blocks (64) and ticks (16). */
const PERIOD_CYCLES = 192;

export function xrcWorkload(): readonly Command[] {
  const out: Command[] = [];
  const step = (node: number): Command => ({ kind: 'step', node });
  const deliver = (link: number): Command => ({ kind: 'deliver', link, pick: 0 });
  for (let i = 0; i < PERIOD_CYCLES; i++) {
    const controller = i % WRITES_PER_INTERVAL;
    out.push({ kind: 'write', host: controller, volume: controller, block: (i * 5 + (i >> 3)) % 8 }, step(controller));
    if (controller === WRITES_PER_INTERVAL - 1) {
      out.push(step(MOVER_NODE), deliver(TO_SECONDARY_LINK));
      for (let n = 0; n < WRITES_PER_INTERVAL + 2; n++) out.push(step(SECONDARY_NODE));
      out.push(deliver(TO_MOVER_LINK), step(MOVER_NODE));
    }
    if (i % 16 === 15) out.push({ kind: 'tick', ticks: 1 });
  }
  return out;
}
