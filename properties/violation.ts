/** A property violation as data, with the domain name of the anomaly it shows. */
export type PropertyName =
  | 'always-consistent'
  | 'always-monotone'
  | 'always-durable'
  | 'always-conformant'
  | 'always-invariant'
  | 'eventually-current';

/** Default anomaly names by property; a protocol's runner may give a more precise one. */
export const ANOMALY: Record<PropertyName, string> = {
  'always-consistent': 'inconsistent failover image (matches no consistency point)',
  'always-monotone': 'rollback (failover image older than one already reached)',
  'always-durable': 'lost acknowledged point',
  'always-conformant': 'protocol step the model does not allow',
  'always-invariant': 'implementation invariant broken',
  'eventually-current': 'replication stuck after healing',
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
