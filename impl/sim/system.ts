/**
 * The contract between the harness and a protocol implementation. The implementation is written
 * against these interfaces and the simulated world, never against fast-check.
 */
import type { World } from './world.ts';

/** One application write: whole-block, to a primary volume. */
export interface AppWrite {
  readonly volume: number;
  readonly block: number;
  readonly data: Uint8Array;
}

/** What the application (the harness) hears from the replication system. */
export interface Application {
  /** The primary acknowledged this write to the host that issued it. */
  acknowledged(write: AppWrite): void;
  /** A consistency point was taken: it holds every write acknowledged so far and none after. */
  pointTaken(point: number): void;
  /** The secondary acknowledged consistency point `point` as committed. */
  pointCommitted(point: number): void;
}

/** A protocol event: the implementation's account of one protocol step, checked by the model. */
export interface ProtocolEvent {
  readonly type: string;
  readonly node: string;
  readonly [field: string]: string | number | boolean;
}

export type EventSink = (event: ProtocolEvent) => void;

/** Geometry of the replicated volumes. */
export interface VolumeGeometry {
  readonly volumes: number;
  readonly blocksPerVolume: number;
  readonly blockSize_bytes: number;
}

/** A failover image: block contents indexed by `volume * blocksPerVolume + block`. */
export type Image = readonly Uint8Array[];

/** A protocol implementation running in a world, as the harness drives it. */
export interface ReplicationSystem {
  readonly world: World;
  /** Nodes that take internal steps, in a fixed order. */
  readonly stepNodes: readonly string[];
  /** Number of application hosts that may write. */
  readonly hosts: number;
  /** A host issues a write; false when it could not (host busy or primary down): a no-op. */
  write(host: number, write: AppWrite): boolean;
  /** Ask for a consistency point; false when none could be started. */
  requestPoint(): boolean;
  /** One internal step of a node; false when it had nothing to do or is down. */
  step(node: string): boolean;
  /** What the secondary's recovery yields from its durable state alone, run on a copy. */
  failoverImage(): Image;
  /** Changes whenever the durable state the failover image depends on may have changed. */
  failoverStamp(): number;
  /**
   * The implementation's state in the model's terms, for the conformance mapping: written into
   * `out` in the order of the protocol's `abstractKeys`, NaN where undefined now (a node down).
   */
  abstractState(out: number[]): void;
}
