/** What the flashcopy protocol's parts share: configuration, the world, messages, and names. */
import type { Application, EventSink, VolumeGeometry } from '../sim/system.ts';
import type { World } from '../sim/world.ts';

export interface FlashCopyConfig extends VolumeGeometry {
  readonly hosts: number;
  /** Ticks without mirror progress before the mirror suspends, resyncs, or a commit request is resent. */
  readonly resend_ticks: number;
  /** Messages a link holds in flight. */
  readonly linkCapacity: number;
}

/**
 * One source volume of eight blocks (so every block a generated write names exists), two hosts.
 * Each of the four volumes (source, first intermediate, second intermediate, target) has this
 * geometry.
 */
export const DEFAULT_FLASHCOPY_CONFIG: FlashCopyConfig = {
  volumes: 1,
  blocksPerVolume: 8,
  blockSize_bytes: 32,
  hosts: 2,
  resend_ticks: 4,
  linkCapacity: 64,
};

export interface FlashCopyContext {
  readonly world: World;
  readonly config: FlashCopyConfig;
  readonly app: Application;
  readonly emit: EventSink;
}

/**
 * From the source site to the target site: the remote half of a mirrored write (first
 * intermediate to second intermediate, for copy 1 of `point`), or the request that starts copy 2
 * once copy 1 of `point` is complete (`blocks`: the bitmap copy 1 carried, in text form).
 */
export type ToTarget =
  | { readonly kind: 'mirror'; readonly point: number; readonly block: number; readonly data: Uint8Array }
  | { readonly kind: 'complete'; readonly point: number; readonly blocks: string };

/** From the target site: the second intermediate holds `block` of `point`; or `point` is committed. */
export type ToSource =
  | { readonly kind: 'mirrored'; readonly point: number; readonly block: number }
  | { readonly kind: 'committed'; readonly point: number };

/** The source site's cycle phase, as kept in its durable metadata. */
export const IDLE = 0;
export const COPYING = 1;
export const COMPLETE = 2;
export const PHASE_NAMES = ['idle', 'copying', 'complete'] as const;

export const SOURCE = 'source';
export const TARGET = 'target';
export const TO_TARGET = 'source->target';
export const TO_SOURCE = 'target->source';

/** Number of blocks in each volume. */
export function blocksOf(config: FlashCopyConfig): number {
  return config.volumes * config.blocksPerVolume;
}
