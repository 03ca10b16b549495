/**
 * The commands that move a world, as plain data. Nodes, links and disks are named by index into
 * the run's lists (taken modulo their length) and messages by a pick among those in flight, so a
 * command keeps a meaning when shrinking removes others; one that no longer applies is a no-op.
 */
export const STORAGE_FAULTS = ['torn', 'lost', 'misdirected', 'flip'] as const;
export type StorageFault = (typeof STORAGE_FAULTS)[number];

export type Command =
  | { readonly kind: 'write'; readonly host: number; readonly volume: number; readonly block: number }
  | { readonly kind: 'point' }
  | { readonly kind: 'step'; readonly node: number }
  | { readonly kind: 'tick'; readonly ticks: number }
  | { readonly kind: 'deliver' | 'drop' | 'duplicate'; readonly link: number; readonly pick: number }
  | { readonly kind: 'delay'; readonly link: number; readonly pick: number; readonly ticks: number }
  | { readonly kind: 'partition' | 'heal'; readonly link: number }
  | { readonly kind: 'crash'; readonly node: number; readonly outcome: number }
  | { readonly kind: 'restart'; readonly node: number }
  | { readonly kind: StorageFault; readonly disk: number; readonly pick: number }
  /** One of the protocol's own faults (`ProtocolSpec.protocolFaults`, by index), on a target. */
  | { readonly kind: 'protocol-fault'; readonly fault: number; readonly target: number; readonly pick: number };

/** Command kinds that are faults, counted by kind in the summary when they take effect. */
export const FAULT_KINDS = [
  'drop', 'duplicate', 'delay', 'partition', 'heal', 'crash', 'restart', 'cache-tear', ...STORAGE_FAULTS,
] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

/**
 * Fault kinds a run's profile weighs; heal follows partition and restart follows crash;
 * `protocol` weighs the protocol's own faults together.
 */
export const PROFILE_KINDS = ['drop', 'duplicate', 'delay', 'partition', 'crash', 'cache-tear', ...STORAGE_FAULTS, 'protocol'] as const;
export type ProfileKind = (typeof PROFILE_KINDS)[number];
