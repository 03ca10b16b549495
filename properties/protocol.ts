/** What the harness needs to know about one protocol: how to build it, its model, its faults. */
import type { AnyStateMachine, SnapshotFrom } from 'xstate';
import type { Application, EventSink, ProtocolEvent, ReplicationSystem, VolumeGeometry } from '../impl/sim/system.ts';

export interface MutantInfo {
  readonly name: string;
  /** The real failure this mutant mirrors. */
  readonly mirrors: string;
}

export interface ProtocolSpec<M extends AnyStateMachine = AnyStateMachine> {
  readonly name: string;
  readonly title: string;
  readonly geometry: VolumeGeometry;
  readonly mutants: readonly MutantInfo[];
  /** Build the implementation: the reference, or the named mutant. */
  create(app: Application, emit: EventSink, mutant: string | null): ReplicationSystem;
  readonly machine: M;
  /** Names of the values the implementation and the model must agree on, in order. */
  readonly abstractKeys: readonly string[];
  /** The model's side of the mapping, written into `out` in the order of `abstractKeys`. */
  modelState(snapshot: SnapshotFrom<M>, out: number[]): void;
  /** Disks the protocol claims to survive write faults on (torn, lost, misdirected, flipped). */
  readonly faultDisks: readonly string[];
  /** Names of the interesting situations a run mix must reach, reported in the summary. */
  readonly situations: readonly string[];
  /** The situation an event reaches, given the model state before it (e.g. a crash mid-apply). */
  situation(event: ProtocolEvent, stateBefore: SnapshotFrom<M>): string | null;
  /** Steps the world may take after healing before a newest point that is not reached is a liveness failure. */
  readonly livenessRounds: number;
}

export class UnknownNameError extends Error {}

/** The mutant's info, or an error naming the known ones. */
export function findMutant(spec: ProtocolSpec, name: string): MutantInfo {
  const m = spec.mutants.find((x) => x.name === name);
  if (m === undefined) {
    throw new UnknownNameError(`unknown mutant '${name}' for ${spec.name} (known: ${spec.mutants.map((x) => x.name).join(', ')})`);
  }
  return m;
}
