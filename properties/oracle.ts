/**
 * The consistency oracle. It keeps its own history of acknowledged writes and the boundaries at
 * which consistency points were taken, and judges a failover image against them: never the
 * implementation's bookkeeping.
 *
 * Cost: an acknowledged write updates the running image digest in O(1); a boundary snapshots
 * the current image (O(volume size), independent of history length); a check digests the
 * failover image (block hashes are cached per immutable block array) and looks the digest up
 * among the boundaries still legal (k at or above the last judged k and the durable floor), with
 * an exact comparison when a digest matches. Boundaries below the floor are dropped: monotonicity
 * means they can never be legal again.
 */
import { hash32 } from '../impl/sim/hash.ts';
import type { AppWrite, Image, VolumeGeometry } from '../impl/sim/system.ts';

export type Verdict =
  | { readonly ok: true; readonly k: number }
  | { readonly ok: false; readonly property: 'always-consistent' | 'always-monotone' | 'always-durable'; readonly k: number; readonly expectedK: number; readonly expected: Image };

interface Boundary {
  readonly k: number;
  readonly digest: number;
  readonly image: Image;
}

const blockHashes = new WeakMap<Uint8Array, number>();

function blockHash(bytes: Uint8Array): number {
  let h = blockHashes.get(bytes);
  if (h === undefined) {
    h = hash32(bytes, 0x9e3779b1);
    blockHashes.set(bytes, h);
  }
  return h;
}

/** Position-mixed contribution of one block to an image digest (sum mod 2^32). */
function contribution(position: number, bytes: Uint8Array): number {
  return Math.imul(blockHash(bytes) ^ Math.imul(position + 1, 0x85ebca6b), 0xc2b2ae35) >>> 0;
}

export function imageDigest(image: Image): number {
  let d = 0;
  for (let i = 0; i < image.length; i++) d = (d + contribution(i, image[i]!)) >>> 0;
  return d;
}

export function sameImage(a: Image, b: Image): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (x === y) continue;
    if (x.length !== y.length) return false;
    for (let j = 0; j < x.length; j++) if (x[j] !== y[j]) return false;
  }
  return true;
}

export class ConsistencyOracle {
  /** Number of acknowledged writes (k of the current primary image). */
  historyLength = 0;
  /** Newest boundary declared. */
  newestBoundary = 0;
  /** The k the last check judged the failover image to stand at. */
  judgedK = 0;
  /** k of the newest point the secondary acknowledged as committed. */
  durableFloor = 0;
  private readonly image: Uint8Array[];
  private digest: number;
  private readonly blocksPerVolume: number;
  /** Boundaries that may still be legal, oldest first, and the same indexed by digest. */
  private live: Boundary[] = [];
  private liveStart = 0;
  private readonly liveByDigest = new Map<number, Boundary[]>();
  /** Every boundary's digest, newest k kept: names a rollback or a lost point after the fact. */
  private readonly everDigest = new Map<number, number>();
  private readonly pointK = new Map<number, number>();

  constructor(geometry: VolumeGeometry) {
    this.blocksPerVolume = geometry.blocksPerVolume;
    const zero = new Uint8Array(geometry.blockSize_bytes);
    this.image = new Array<Uint8Array>(geometry.volumes * geometry.blocksPerVolume).fill(zero);
    this.digest = imageDigest(this.image);
    this.addBoundary();
  }

  acknowledge(write: AppWrite): void {
    const i = write.volume * this.blocksPerVolume + write.block;
    this.digest = (this.digest - contribution(i, this.image[i]!) + contribution(i, write.data)) >>> 0;
    this.image[i] = write.data;
    this.historyLength++;
  }

  /** A consistency point was taken now; false if the same point was announced twice. */
  pointTaken(point: number): boolean {
    if (this.pointK.has(point)) return false;
    this.pointK.set(point, this.historyLength);
    this.addBoundary();
    return true;
  }

  /** k of a point, or undefined for a point never taken. */
  kOf(point: number): number | undefined {
    return this.pointK.get(point);
  }

  pointCommitted(point: number): boolean {
    const k = this.pointK.get(point);
    if (k === undefined) return false;
    this.durableFloor = Math.max(this.durableFloor, k);
    return true;
  }

  /** Every prefix is a boundary (xrc): declare one at the current history length. */
  boundaryNow(): void {
    this.addBoundary();
  }

  private addBoundary(): void {
    const last = this.live[this.live.length - 1];
    if (last !== undefined && last.k === this.historyLength) return;
    const b: Boundary = { k: this.historyLength, digest: this.digest, image: this.image.slice() };
    this.live.push(b);
    const same = this.liveByDigest.get(b.digest);
    if (same === undefined) this.liveByDigest.set(b.digest, [b]);
    else same.push(b);
    this.everDigest.set(b.digest, b.k);
    this.newestBoundary = b.k;
  }

  /** Judge a failover image: consistent, not older than the last one, not below the floor. */
  check(failover: Image): Verdict {
    const floor = Math.max(this.judgedK, this.durableFloor);
    this.prune(floor);
    const digest = imageDigest(failover);
    const candidates = this.liveByDigest.get(digest);
    if (candidates !== undefined) {
      for (const b of candidates) {
        if (b.k >= floor && sameImage(b.image, failover)) {
          this.judgedK = b.k;
          return { ok: true, k: b.k };
        }
      }
    }
    const expected = this.live[this.liveStart]!;
    const old = this.everDigest.get(digest);
    if (old === undefined || old >= floor) {
      return { ok: false, property: 'always-consistent', k: -1, expectedK: expected.k, expected: expected.image };
    }
    const property = old < this.judgedK ? 'always-monotone' : 'always-durable';
    return { ok: false, property, k: old, expectedK: expected.k, expected: expected.image };
  }

  /** Drop live boundaries below `k` except the newest of them (the image may still stand there). */
  private prune(k: number): void {
    while (this.liveStart + 1 < this.live.length && this.live[this.liveStart + 1]!.k <= k) {
      const b = this.live[this.liveStart]!;
      const same = this.liveByDigest.get(b.digest)!;
      same.splice(same.indexOf(b), 1);
      if (same.length === 0) this.liveByDigest.delete(b.digest);
      this.liveStart++;
    }
    if (this.liveStart > 1024 && this.liveStart * 2 > this.live.length) {
      this.live = this.live.slice(this.liveStart);
      this.liveStart = 0;
    }
  }
}
