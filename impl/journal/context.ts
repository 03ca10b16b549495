/** What the journal's parts share: configuration, the world, and where they report. */
import type { Application, EventSink } from '../sim/system.ts';
import type { World } from '../sim/world.ts';
import type { Bounds } from './record.ts';

export interface JournalConfig extends Bounds {
  /** Slots in the local and the remote log (a power of two). */
  readonly logSlots: number;
  readonly hosts: number;
  /** Ticks without progress before the primary resends or the secondary asks again. */
  readonly resend_ticks: number;
}

export const DEFAULT_JOURNAL_CONFIG: JournalConfig = {
  volumes: 2,
  blocksPerVolume: 8,
  blockSize_bytes: 32,
  logSlots: 16,
  hosts: 2,
  resend_ticks: 4,
};

export interface JournalContext {
  readonly world: World;
  readonly config: JournalConfig;
  readonly app: Application;
  readonly emit: EventSink;
}

/** A record on its way to the secondary (the bytes of one log slot). */
export interface RecordMessage {
  readonly kind: 'record';
  readonly seq: number;
  readonly bytes: Uint8Array;
}

/** The secondary's word to the primary: a committed point, or a record to send again. */
export type ToPrimary =
  | { readonly kind: 'ack'; readonly point: number; readonly seq: number }
  | { readonly kind: 'refetch'; readonly seq: number };

/** Most records outstanding (logged, not yet trimmed): half the log, so stale slots stay apart. */
export function windowOf(config: JournalConfig): number {
  return config.logSlots / 2 - 1;
}

export const PRIMARY = 'primary';
export const SECONDARY = 'secondary';
export const TO_SECONDARY = 'primary->secondary';
export const TO_PRIMARY = 'secondary->primary';
