/**
 * The liveness phase of a run: faults stop (armed disk faults disarmed), links heal, nodes
 * restart, then every node steps and every deliverable message is delivered, round after round,
 * with the clock moving one tick a round. The newest consistency point must be reached within
 * the protocol's `livenessRounds`, or `eventually-current` is violated. Every step is a checked
 * command, so the oracle and the model keep watching.
 */
import type { World } from '../impl/sim/world.ts';
import type { LockstepRun } from './runner.ts';

export function driveToQuiescence(run: LockstepRun, world: World, nodes: readonly string[], links: readonly string[]): void {
  run.timeline?.phase('liveness: faults stop, links heal, nodes restart');
  for (const disk of world.disks.values()) disk.disarm();
  links.forEach((name, i) => { if (world.mustLink(name).partitioned) run.apply({ kind: 'heal', link: i }); });
  nodes.forEach((name, i) => { if (!world.node(name).up) run.apply({ kind: 'restart', node: i }); });
  const rounds = run.spec.livenessRounds;
  const oracle = run.oracle;
  for (let round = 0; round < rounds; round++) {
    let progress = false;
    for (let i = 0; i < nodes.length; i++) progress = run.apply({ kind: 'step', node: i }) || progress;
    for (let i = 0; i < links.length; i++) {
      const link = world.mustLink(links[i]!);
      for (let n = link.inFlight; n > 0 && link.peek(0, world.now_tick) !== undefined; n--) {
        progress = run.apply({ kind: 'deliver', link: i, pick: 0 }) || progress;
      }
    }
    run.apply({ kind: 'tick', ticks: 1 });
    if (!progress && oracle.judgedK >= oracle.newestBoundary) return;
  }
  if (oracle.judgedK < oracle.newestBoundary) {
    run.fail('eventually-current', -1,
      `after ${rounds} rounds without faults the failover image stands at P_${oracle.judgedK}, newest point is P_${oracle.newestBoundary}`);
  }
}
