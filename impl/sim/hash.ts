/**
 * xxHash64 (xxhash-wasm) for signatures and checksums. Initialisation is asynchronous and happens
 * once per process (`await initHash()` at every entry point); hashing itself is synchronous.
 */
import xxhash from 'xxhash-wasm';

type Hasher = Awaited<ReturnType<typeof xxhash>>;
let hasher: Hasher | null = null;

export async function initHash(): Promise<void> {
  hasher ??= await xxhash();
}

/** xxHash64 of `bytes` as an unsigned 64-bit bigint. */
export function hash64(bytes: Uint8Array, seed = 0n): bigint {
  if (hasher === null) throw new Error('hash64 before initHash()');
  return hasher.h64Raw(bytes, seed);
}

/** xxHash32 of `bytes`. */
export function hash32(bytes: Uint8Array, seed = 0): number {
  if (hasher === null) throw new Error('hash32 before initHash()');
  return hasher.h32Raw(bytes, seed);
}
