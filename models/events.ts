/** The event vocabulary models share: every protocol event is a ProtocolEvent (type, node, fields). */
import type { ProtocolEvent } from '../impl/sim/system.ts';

export type { ProtocolEvent };

/** A numeric field of an event; NaN when absent, so every guard comparing it fails. */
export function num(event: { readonly [k: string]: unknown }, field: string): number {
  const v = event[field];
  return typeof v === 'number' ? v : Number.NaN;
}

export function fromNode(event: { readonly [k: string]: unknown }, node: string): boolean {
  return event['node'] === node;
}
