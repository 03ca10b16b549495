/**
 * An implementation invariant that failed, with the anomaly it shows in domain terms
 * ("leaked block", "block both free and linked"). The runner reports it as `always-invariant`
 * with this anomaly; a plain Error is reported with a generic one.
 */
export class InvariantViolation extends Error {
  constructor(readonly anomaly: string, message: string) {
    super(message);
  }
}

/** Assert `condition`; otherwise throw an InvariantViolation naming the anomaly. */
export function invariant(condition: boolean, anomaly: string, message: () => string): asserts condition {
  if (!condition) throw new InvariantViolation(anomaly, message());
}
