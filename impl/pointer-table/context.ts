/**
 * What the pointer-table protocol's parts share (seed 002): configuration, node and link names,
 * the messages that cross the links, and where the parts report.
 *
 * Topology: one primary site (the primary storage controls of the three volumes behind one node,
 * sharing one consistency-group counter), three secondary storage controls (control-1..3, one
 * volume each) and the replication management application (`manager`) at the secondary site. The
 * primary sends data updates and group-close markers to each control over its own link; the
 * manager tells the primary, over a link of its own, which group it may forget. The manager
 * drives the controls through their command interface: each command returns at once with its
 * status (done, an error, or the control is down), so "an error while waiting for all links to be
 * updated" is a failed command.
 */
import type { Application, EventSink } from '../sim/system.ts';
import type { World } from '../sim/world.ts';

export interface PointerTableConfig {
  /** Secondary storage controls, one volume each. */
  readonly controls: number;
  readonly volumes: number;
  /** Virtual blocks per volume (and per control). */
  readonly blocksPerVolume: number;
  readonly blockSize_bytes: number;
  /** Slots of the primary's durable update buffer (a power of two). */
  readonly bufferSlots: number;
  /** Most records (updates and group closes) the primary keeps outstanding, not yet released. */
  readonly window: number;
  readonly hosts: number;
  /** Ticks without news before the primary sends its outstanding records again. */
  readonly resend_ticks: number;
}

export const DEFAULT_POINTER_TABLE_CONFIG: PointerTableConfig = {
  controls: 3,
  volumes: 3,
  blocksPerVolume: 4,
  blockSize_bytes: 32,
  bufferSlots: 32,
  window: 16,
  hosts: 2,
  resend_ticks: 4,
};

/**
 * Physical blocks (and pointer-table slots) per control: one committed link per virtual block
 * after a release, plus one per update the primary may still hold (every update of a group not
 * yet released on every control is still in the primary's window).
 */
export function physicalBlocksOf(config: PointerTableConfig): number {
  return config.blocksPerVolume + config.window;
}

export interface PointerTableContext {
  readonly world: World;
  readonly config: PointerTableConfig;
  readonly app: Application;
  readonly emit: EventSink;
}

/** A data update on its way to the control of its volume. */
export interface UpdateMessage {
  readonly kind: 'update';
  readonly seq: number;
  readonly group: number;
  readonly block: number;
  readonly data: Uint8Array;
}

/** The primary closed `group`: this control gets `count` updates of it. */
export interface CloseMessage {
  readonly kind: 'close';
  readonly seq: number;
  readonly group: number;
  readonly count: number;
}

export type ToControl = UpdateMessage | CloseMessage;

/** The manager's word to the primary: every group up to `group` is committed and released. */
export interface ReleasedMessage {
  readonly kind: 'released';
  readonly group: number;
}

/** What a control answers a manager command with. */
export type CommandStatus = 'ok' | 'control-down' | 'link-update-error' | 'not-ready';

export const PRIMARY = 'primary';
export const MANAGER = 'manager';
export const TO_PRIMARY = 'manager->primary';

/** Name of control `i` (0-based index). */
export function controlName(i: number): string {
  return `control-${i + 1}`;
}

/** Name of the link from the primary to control `i`. */
export function toControlLink(i: number): string {
  return `primary->${controlName(i)}`;
}
