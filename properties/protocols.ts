/** Every protocol mirrorcheck knows, by name. */
import { cpRootSpec } from './cp-root.ts';
import { flashcopySpec } from './flashcopy.ts';
import { journalSpec } from './journal.ts';
import { pointerTableSpec } from './pointer-table.ts';
import { UnknownNameError, type ProtocolSpec } from './protocol.ts';
import { xrcSpec } from './xrc.ts';

export const PROTOCOLS: readonly ProtocolSpec[] = [
  journalSpec as unknown as ProtocolSpec,
  xrcSpec as unknown as ProtocolSpec,
  pointerTableSpec as unknown as ProtocolSpec,
  cpRootSpec as unknown as ProtocolSpec,
  flashcopySpec as unknown as ProtocolSpec,
];

export function findProtocol(name: string): ProtocolSpec {
  const spec = PROTOCOLS.find((p) => p.name === name);
  if (spec === undefined) {
    throw new UnknownNameError(`unknown protocol '${name}' (known: ${PROTOCOLS.map((p) => p.name).join(', ')})`);
  }
  return spec;
}
