/** A property violation as data, with the domain name of the anomaly it shows. */
export type PropertyName =
  | 'always-consistent'
  | 'always-monotone'
  | 'always-durable'
  | 'always-conformant'
  | 'always-invariant'
  | 'eventually-current';

/**
 * Default anomaly names by property, in domain terms; a protocol names refused steps more
 * precisely (`ProtocolSpec.anomalies`) and an InvariantViolation carries its own.
 */
export const ANOMALY: Record<PropertyName, string> = {
  'always-consistent': 'torn consistency group',
  'always-monotone': 'rollback',
  'always-durable': 'lost acknowledged point',
  'always-conformant': 'protocol step out of order',
  'always-invariant': 'implementation invariant broken',
  'eventually-current': 'replication stalled after healing',
};

export interface ViolationData {
  readonly property: PropertyName;
  readonly anomaly: string;
  readonly message: string;
  /** Index of the command at which it was seen (-1: in the liveness phase). */
  readonly step: number;
  readonly expected?: string;
  readonly actual?: string;
}

export class Violation extends Error {
  constructor(readonly data: ViolationData) {
    super(`${data.property}: ${data.message}`);
  }
}
