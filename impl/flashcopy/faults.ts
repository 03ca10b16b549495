/**
 * The flashcopy protocol's own faults, on top of the shared ones (drawn by `protocol-fault`
 * commands; each is a no-op when it does not apply):
 * - a partition between the intermediates: both inter-site links at once (healed by the shared
 *   heal commands, or when faults stop);
 * - a crash of either site, power-cycled: the site loses its volatile state and recovers at once;
 * - a crash between the two halves of a mirrored write: a mirrored write is in flight (its local
 *   half done), its remote half never happens, and the chosen site crashes and recovers.
 * Structurally these are `ProtocolFault`s (properties/protocol.ts).
 */
import type { ReplicationSystem } from '../sim/system.ts';
import { SOURCE, TARGET, TO_SOURCE, TO_TARGET } from './context.ts';
import type { FlashCopySystem } from './system.ts';

const SITES = [SOURCE, TARGET] as const;
const site = (target: number): string => SITES[target % SITES.length]!;
const cacheText = (pick: number): string => (pick === 0 ? 'unflushed writes lost' : `unflushed writes lost/kept/torn by 0x${pick.toString(16)}`);

/** Crash a site and run its recovery at once; false when it was already down. */
function powerCycle(system: FlashCopySystem, name: string, outcome: number): boolean {
  if (!system.world.crash(name, outcome)) return false;
  system.world.restart(name);
  return true;
}

export interface FlashCopyFault {
  readonly name: string;
  inject(system: ReplicationSystem, target: number, pick: number): boolean;
  describe(target: number, pick: number): string;
}

export const FLASHCOPY_FAULTS: readonly FlashCopyFault[] = [
  {
    name: 'intermediates-partition',
    inject(system) {
      const s = system as FlashCopySystem;
      if (s.toTarget.partitioned && s.toSource.partitioned) return false;
      s.toTarget.partitioned = true;
      s.toSource.partitioned = true;
      return true;
    },
    describe: () => `partition between the intermediates (${TO_TARGET} and ${TO_SOURCE})`,
  },
  {
    name: 'site-power-cycle',
    inject: (system, target, pick) => powerCycle(system as FlashCopySystem, site(target), pick),
    describe: (target, pick) => `power-cycle the ${site(target)} site (crash: ${cacheText(pick)}; then recovery)`,
  },
  {
    name: 'crash-between-mirror-halves',
    inject(system, target, pick) {
      const s = system as FlashCopySystem;
      const name = site(target);
      const flight = s.toTarget.messages();
      const mirrored: number[] = [];
      flight.forEach((m, i) => { if (m.kind === 'mirror') mirrored.push(i); });
      if (mirrored.length === 0 || !s.world.node(name).up) return false;
      const index = mirrored[pick % mirrored.length]!;
      const m = s.toTarget.drop(index);
      if (m === undefined || m.kind !== 'mirror') throw new Error('crash-between-mirror-halves: dropped the wrong message');
      s.world.note(`mirrored write of block ${m.block} (point ${m.point}) never reaches the second intermediate`);
      return powerCycle(s, name, pick);
    },
    describe: (target, pick) =>
      `crash of the ${site(target)} site between the two halves of a mirrored write (${cacheText(pick)}; then recovery)`,
  },
];
