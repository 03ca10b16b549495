/**
 * What the cp-root parts share: configuration, the world, where they report, and the messages
 * between the first storage server (NVRAM, local disks) and the second (remote disks).
 */
import type { Application, EventSink } from '../sim/system.ts';
import type { World } from '../sim/world.ts';

export interface CpRootConfig {
  readonly volumes: number;
  /** Data blocks per volume: one address block per volume points to all of them. */
  readonly blocksPerVolume: number;
  /** Application block size (the data a data block holds). */
  readonly blockSize_bytes: number;
  /** Physical blocks on the local and the remote block disks (address 0 is the null pointer). */
  readonly physicalBlocks: number;
  /** NVRAM record slots (a ring): writes queued since the newest local root, and point markers. */
  readonly nvramSlots: number;
  /** Most blocks one batch message carries. */
  readonly batchBlocks: number;
  readonly hosts: number;
  /** Ticks without an acknowledgment before the first server sends a batch or a root again. */
  readonly resend_ticks: number;
}

export const DEFAULT_CP_ROOT_CONFIG: CpRootConfig = {
  volumes: 2,
  blocksPerVolume: 8,
  blockSize_bytes: 32,
  physicalBlocks: 64,
  nvramSlots: 32,
  batchBlocks: 4,
  hosts: 2,
  resend_ticks: 4,
};

export interface CpRootContext {
  readonly world: World;
  readonly config: CpRootConfig;
  readonly app: Application;
  readonly emit: EventSink;
}

/**
 * First to second: a batch of new blocks of a consistency point (each 64-byte block names its own
 * address; `blocks` lists them for people), or the root node that ends the point.
 */
export type ToSecond =
  | { readonly kind: 'batch'; readonly point: number; readonly batch: number; readonly blocks: string; readonly bytes: Uint8Array }
  | { readonly kind: 'root'; readonly point: number; readonly bytes: Uint8Array };

/** Second to first: a batch is durable on the remote disks, or a root is durably accepted. */
export type ToFirst =
  | { readonly kind: 'batch-durable'; readonly point: number; readonly batch: number }
  | { readonly kind: 'root-ack'; readonly point: number };

export const FIRST = 'first';
export const SECOND = 'second';
export const TO_SECOND = 'first->second';
export const TO_FIRST = 'second->first';

/** Logical block count of the replicated volumes. */
export function logicalBlocksOf(config: CpRootConfig): number {
  return config.volumes * config.blocksPerVolume;
}
