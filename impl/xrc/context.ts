/** What xrc's parts share: configuration, names, messages, the world, and where they report. */
import type { Application, EventSink } from '../sim/system.ts';
import type { World } from '../sim/world.ts';
import type { Bounds } from './record.ts';

export interface XrcConfig extends Bounds {
  readonly hosts: number;
  /** Record sets a controller keeps (in its sidefile) until the secondary confirms them. */
  readonly sidefileSlots: number;
  /** Most record sets the data mover reads from one controller in one interval. */
  readonly readBatch: number;
  /** Journal slots: the most record sets one consistency group holds. */
  readonly journalSlots: number;
  /** Ticks without progress before the data mover resends what is unconfirmed. */
  readonly resend_ticks: number;
  /** Common-timer units per world tick (stamps are unique: at most this many writes a tick). */
  readonly tickUnits: number;
  /** Furthest a controller's reading of the timer may be stepped back, in ticks. */
  readonly maxStepBack_ticks: number;
}

/** Three controllers, one primary volume each, 8 blocks of 32 bytes: small and fast. */
export const DEFAULT_XRC_CONFIG: XrcConfig = {
  volumes: 3,
  controllers: 3,
  blocksPerVolume: 8,
  blockSize_bytes: 32,
  hosts: 3,
  sidefileSlots: 16,
  readBatch: 8,
  journalSlots: 16,
  resend_ticks: 4,
  tickUnits: 1000,
  maxStepBack_ticks: 24,
};

export interface XrcContext {
  readonly world: World;
  readonly config: XrcConfig;
  readonly app: Application;
  readonly emit: EventSink;
}

/**
 * A time-interval group on its way to the secondary: the record sets the data mover read in one
 * interval and the completeness reports of the controllers it read, as self-describing records
 * back to back in `bytes`. `contents` is for people reading a timeline.
 */
export interface GroupMessage {
  readonly kind: 'group';
  readonly group: number;
  readonly contents: string;
  readonly bytes: Uint8Array;
}

/** The secondary's word to the data mover: a committed consistency group, or "send from here". */
export type ToMover =
  | { readonly kind: 'confirm'; readonly ct: number; readonly seqs: readonly number[] }
  | { readonly kind: 'resend'; readonly seqs: readonly number[] };

export const MOVER = 'mover';
export const SECONDARY = 'secondary';
export const TO_SECONDARY = 'mover->secondary';
export const TO_MOVER = 'secondary->mover';

const CONTROLLER_NAMES = ['controller-0', 'controller-1', 'controller-2', 'controller-3', 'controller-4', 'controller-5'];

/** The node name of primary storage controller `index`. */
export function controllerName(index: number): string {
  const name = CONTROLLER_NAMES[index];
  if (name === undefined) throw new Error(`xrc: no controller ${index}`);
  return name;
}

/**
 * The point the application hears for an acknowledged write (`pointTaken`), and for the newest
 * record set of a committed group (`pointCommitted`): its stamp and controller, so the point is
 * unique even if two controllers ever stamped alike. The harness turns it into a durable floor.
 */
export function pointOf(ts: number, controller: number): number {
  return ts * 8 + controller;
}

/** A timer value as people read it: tick.units (e.g. 5.003). */
export function timeText(ts: number, tickUnits: number): string {
  const units = ts % tickUnits;
  return `${Math.floor(ts / tickUnits)}.${String(units).padStart(String(tickUnits - 1).length, '0')}`;
}
