/**
 * A full garbage collection on demand, for the benchmark only: windows that start from a
 * collected heap see the same collector phase, so their means compare. Node exposes `gc` only
 * under --expose-gc; the flag is set at run time and the function taken from a fresh context.
 * Without it (an engine that refuses), collection is skipped and the medians absorb the noise.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

let gc: (() => void) | null | undefined;

function resolveGc(): (() => void) | null {
  const existing = (globalThis as { gc?: () => void }).gc;
  if (typeof existing === 'function') return existing;
  try {
    setFlagsFromString('--expose-gc');
    const fromContext: unknown = runInNewContext('typeof gc === "function" ? gc : null');
    return typeof fromContext === 'function' ? (fromContext as () => void) : null;
  } catch {
    return null;
  }
}

/** Collect garbage now if the engine allows it; whether it did. */
export function collectGarbage(): boolean {
  if (gc === undefined) gc = resolveGc();
  if (gc === null) return false;
  gc();
  return true;
}
