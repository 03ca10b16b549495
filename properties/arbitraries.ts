/**
 * fast-check arbitraries: a fault profile drawn per run (swarm testing: each fault kind on or off
 * with its own weight), then a command sequence whose mix follows the profile.
 */
import fc from 'fast-check';
import { PROFILE_KINDS, STORAGE_FAULTS, type Command, type ProfileKind } from './commands.ts';
import type { LockstepRun } from './runner.ts';

/** How often each fault kind is drawn in one run (0: never); drawn per run, swarm-style. */
export type FaultProfile = Readonly<Record<ProfileKind, number>>;

export const profileArbitrary: fc.Arbitrary<FaultProfile> = fc.record(
  Object.fromEntries(PROFILE_KINDS.map((k) => [k, fc.constantFrom(0, 0, 1, 2, 4)])) as Record<ProfileKind, fc.Arbitrary<number>>,
);

/** A command as fast-check sees it: always applicable (a no-op when it no longer means anything). */
export class CommandStep implements fc.Command<object, LockstepRun> {
  constructor(readonly data: Command) {}
  check(): boolean {
    return true;
  }
  run(_model: object, real: LockstepRun): void {
    real.apply(this.data);
  }
  toString(): string {
    return JSON.stringify(this.data);
  }
}

const small = fc.nat({ max: 7 });
const pick = fc.nat({ max: 63 });

export function commandArbitraries(profile: FaultProfile): fc.Arbitrary<CommandStep>[] {
  const w = (weight: number, arb: fc.Arbitrary<Command>) => ({ weight, arbitrary: arb });
  // Protocol progress outweighs faults (each fault kind weighs 0..4 against ~170), so runs reach
  // committed points while faults still hit them.
  const entries = [
    w(40, fc.record({ kind: fc.constant('write' as const), host: small, volume: small, block: small })),
    w(8, fc.constant({ kind: 'point' as const })),
    w(64, fc.record({ kind: fc.constant('step' as const), node: small })),
    w(8, fc.record({ kind: fc.constant('tick' as const), ticks: fc.integer({ min: 1, max: 6 }) })),
    w(56, fc.record({ kind: fc.constant('deliver' as const), link: small, pick })),
    w(profile.drop, fc.record({ kind: fc.constant('drop' as const), link: small, pick })),
    w(profile.duplicate, fc.record({ kind: fc.constant('duplicate' as const), link: small, pick })),
    w(profile.delay, fc.record({ kind: fc.constant('delay' as const), link: small, pick, ticks: fc.integer({ min: 1, max: 8 }) })),
    w(profile.partition, fc.record({ kind: fc.constant('partition' as const), link: small })),
    w(profile.partition * 2, fc.record({ kind: fc.constant('heal' as const), link: small })),
    w(profile.crash, fc.record({
      kind: fc.constant('crash' as const), node: small,
      outcome: profile['cache-tear'] > 0 ? fc.nat() : fc.constant(0),
    })),
    w(profile.crash * 2, fc.record({ kind: fc.constant('restart' as const), node: small })),
    ...STORAGE_FAULTS.map((kind) => w(profile[kind], fc.record({ kind: fc.constant(kind), disk: small, pick: fc.nat({ max: 1023 }) }))),
    w(profile.protocol, fc.record({ kind: fc.constant('protocol-fault' as const), fault: fc.nat({ max: 15 }), target: small, pick: fc.nat({ max: 1023 }) })),
  ];
  return [fc.oneof(...entries.filter((e) => e.weight > 0)).map((c) => new CommandStep(c), (v) => (v as CommandStep).data)];
}

export type Scenario = [FaultProfile, Iterable<fc.Command<object, LockstepRun>>];

/** The plain commands of a generated (or shrunk) sequence; fast-check wraps each in a CommandWrapper. */
export function commandsOf(sequence: Iterable<fc.Command<object, LockstepRun>>): Command[] {
  const out: Command[] = [];
  for (const c of sequence) {
    const inner = (c as unknown as { cmd?: CommandStep }).cmd ?? (c as unknown as CommandStep);
    out.push(inner.data);
  }
  return out;
}

/** The replay path fast-check prints into a shrunk command sequence's text, or null. */
export function replayPathOf(sequence: Iterable<unknown>): string | null {
  const m = /replayPath="([^"]*)"/.exec(String(sequence));
  return m === null ? null : m[1]!;
}

export function scenarioArbitrary(maxCommands: number, replayPath?: string): fc.Arbitrary<Scenario> {
  return profileArbitrary.chain((profile) =>
    fc.tuple(fc.constant(profile), fc.commands(commandArbitraries(profile), { maxCommands, size: 'max', replayPath })),
  );
}
