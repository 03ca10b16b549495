/**
 * xrc's own faults, drawn by `protocol-fault` commands:
 * - timer-skew: one controller's reading of the common timer runs 1..8 ticks fast;
 * - timer-step-back: one controller's reading steps back 1..8 ticks (at most `maxStepBack_ticks`
 *   behind in all);
 * - mover-crash: the data mover crashes, losing its buffers, and restarts at once;
 * - secondary-crash-mid-shadow: the secondary crashes while a consistency group is being
 *   shadowed (its unflushed volume writes lost, kept or torn as `pick` says) and restarts.
 */
import type { ProtocolFault } from '../../properties/protocol.ts';
import type { ReplicationSystem } from '../sim/system.ts';
import { DEFAULT_XRC_CONFIG, MOVER, SECONDARY } from './context.ts';
import type { XrcSystem } from './system.ts';

const xrc = (system: ReplicationSystem): XrcSystem => system as XrcSystem;
const ticks = (pick: number): number => 1 + (pick % 8);
const controllerOf = (system: XrcSystem, target: number): number => target % system.config.controllers;

/** The cache outcome of a crash drawn from `pick`: never a plain power loss, so something may persist or tear. */
export function crashOutcome(pick: number): number {
  return Math.imul(pick + 1, 0x9e3779b1) >>> 0 || 1;
}

export const XRC_FAULTS: readonly ProtocolFault[] = [
  {
    name: 'timer-skew',
    inject(system, target, pick) {
      const s = xrc(system);
      const c = controllerOf(s, target);
      if (s.timer.skew_ticks[c] === ticks(pick)) return false;
      s.timer.skew_ticks[c] = ticks(pick);
      return true;
    },
    describe: (target, pick) => `controller ${target % DEFAULT_XRC_CONFIG.controllers}'s reading of the common timer runs ${ticks(pick)} tick${ticks(pick) === 1 ? '' : 's'} fast`,
  },
  {
    name: 'timer-step-back',
    inject(system, target, pick) {
      const s = xrc(system);
      const c = controllerOf(s, target);
      const skew = Math.max(-s.config.maxStepBack_ticks, s.timer.skew_ticks[c]! - ticks(pick));
      if (skew === s.timer.skew_ticks[c]) return false;
      s.timer.skew_ticks[c] = skew;
      return true;
    },
    describe: (target, pick) => `controller ${target % DEFAULT_XRC_CONFIG.controllers}'s reading of the common timer steps back ${ticks(pick)} tick${ticks(pick) === 1 ? '' : 's'}`,
  },
  {
    name: 'mover-crash',
    inject(system) {
      if (!system.world.crash(MOVER, 0)) return false;
      system.world.restart(MOVER);
      return true;
    },
    describe: () => 'the data mover crashes, losing its buffers, and restarts',
  },
  {
    name: 'secondary-crash-mid-shadow',
    inject(system, _target, pick) {
      if (!xrc(system).shadowing) return false;
      system.world.crash(SECONDARY, crashOutcome(pick));
      system.world.restart(SECONDARY);
      return true;
    },
    describe: (_target, pick) =>
      `the secondary crashes mid-shadow (unflushed writes lost/kept/torn by 0x${crashOutcome(pick).toString(16)}) and restarts`,
  },
];

