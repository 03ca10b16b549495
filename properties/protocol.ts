/** What the harness needs to know about one protocol: how to build it, its model, its faults. */
import type { AnyStateMachine, SnapshotFrom } from 'xstate';
import type { Application, EventSink, ProtocolEvent, ReplicationSystem, VolumeGeometry } from '../impl/sim/system.ts';
import type { Command } from './commands.ts';

export interface MutantInfo {
  readonly name: string;
  /** The real failure this mutant mirrors. */
  readonly mirrors: string;
}

/** A fault of the protocol's own (a skewed timer, a link-update error, a torn root...). */
export interface ProtocolFault {
  /** Name in the summary's fault counts and the timeline, e.g. 'timer-step-back'. */
  readonly name: string;
  /** Inject it into the running system; false when it does not apply now (a no-op). */
  inject(system: ReplicationSystem, target: number, pick: number): boolean;
  /** The command as a person reads it, e.g. 'controller 2 timer steps back 3 ticks'. */
  describe(target: number, pick: number): string;
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
  /** The protocol's own faults, drawn by `protocol-fault` commands (by index modulo the length). */
  readonly protocolFaults?: readonly ProtocolFault[];
  /**
   * Where the boundaries are: 'points' (declared by Application.pointTaken; the default) or
   * 'every-write' (every acknowledged prefix is one, as for xrc's timestamp order).
   */
  readonly boundaries?: 'points' | 'every-write';
  /** Names of the interesting situations a run mix must reach, reported in the summary. */
  readonly situations: readonly string[];
  /** The situation an event reaches, given the model state before it (e.g. a crash mid-apply). */
  situation(event: ProtocolEvent, stateBefore: SnapshotFrom<M>): string | null;
  /**
   * Anomaly names in the protocol's terms: for refused protocol steps by event type
   * ("record.applied": "out-of-order apply"), and for a state-mapping mismatch by abstract key
   * ("committedGroup": "controls committed different groups").
   */
  readonly anomalies?: { readonly refused?: Readonly<Record<string, string>>; readonly state?: Readonly<Record<string, string>> };
  /** Steps the world may take after healing before a newest point that is not reached is a liveness failure. */
  readonly livenessRounds: number;
  /**
   * One period of a deterministic workload that keeps this protocol making progress, replayed
   * cyclically by the bench's per-step cost figure (bench/scaling.ts). Without it the bench uses
   * its default workload, written for a primary and a secondary at node indexes 0 and 1.
   */
  readonly benchWorkload?: () => readonly Command[];
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
