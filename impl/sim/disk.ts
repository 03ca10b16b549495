/**
 * Simulated disk.
 *
 * Fault model (all off unless a command arms one):
 * - Writes land in a volatile write cache; `flush()` is a barrier that makes them durable.
 * - `crash(outcome)` decides the fate of each cached block from two bits of `outcome` (in write
 *   order): 0 lost, 1 persisted, 2 torn (first half new, rest old), 3 persisted. Outcome 0 is a
 *   plain power loss: every unflushed write is lost.
 * - One armed fault changes the next write: `torn` (first half new, rest old), `lost` (reported
 *   done, never stored), `misdirected` (stored at another block), `flip` (one bit inverted).
 *
 * Block contents are immutable `Uint8Array`s shared by reference: a write stores a copy, a read
 * returns the stored array, which callers must not mutate. The true (intended) contents are never
 * mixed with a fault: each fault is written to `faultLog` with the block it hit, for reports.
 */
export type WriteFaultKind = 'torn' | 'lost' | 'misdirected' | 'flip';

/** A fault armed on a disk: it applies to the next write. `pick` chooses a bit or a block. */
export interface ArmedWriteFault {
  readonly kind: WriteFaultKind;
  readonly pick: number;
}

/** What a fault did, for the timeline. */
export interface DiskFaultNote {
  readonly disk: string;
  readonly kind: WriteFaultKind | 'torn-on-crash' | 'lost-on-crash';
  readonly block: number;
  readonly detail?: string;
}

export interface DiskOptions {
  readonly name: string;
  readonly blockCount: number;
  readonly blockSize_bytes: number;
  /** Where a misdirected write to `block` lands; defaults to the next block. */
  readonly misdirect?: (block: number, pick: number) => number;
}

export class Disk {
  readonly name: string;
  readonly blockCount: number;
  readonly blockSize_bytes: number;
  /** Bumped whenever the durable contents change: lets checkers skip unchanged disks. */
  durableVersion = 0;
  private readonly durable: Uint8Array[];
  private readonly cache = new Map<number, Uint8Array>();
  private armed: ArmedWriteFault | null = null;
  private readonly misdirect: (block: number, pick: number) => number;
  private readonly onFault: (note: DiskFaultNote) => void;

  constructor(options: DiskOptions, onFault: (note: DiskFaultNote) => void = () => {}) {
    this.name = options.name;
    this.blockCount = options.blockCount;
    this.blockSize_bytes = options.blockSize_bytes;
    const zero = new Uint8Array(options.blockSize_bytes);
    this.durable = new Array<Uint8Array>(options.blockCount).fill(zero);
    this.misdirect = options.misdirect ?? ((block) => (block + 1) % this.blockCount);
    this.onFault = onFault;
  }

  /** Queue a write in the volatile cache (or apply an armed fault to it). */
  write(block: number, data: Uint8Array): void {
    this.checkBlock(block);
    if (data.length !== this.blockSize_bytes) throw new Error(`disk ${this.name}: write of ${data.length} bytes`);
    const fault = this.armed;
    if (fault === null) {
      this.cache.set(block, data.slice());
      return;
    }
    this.armed = null;
    this.applyWriteFault(fault, block, data);
  }

  private applyWriteFault(fault: ArmedWriteFault, block: number, data: Uint8Array): void {
    const bytes = data.slice();
    switch (fault.kind) {
      case 'lost':
        this.onFault({ disk: this.name, kind: 'lost', block });
        return;
      case 'torn': {
        const half = this.blockSize_bytes >> 1;
        bytes.set(this.read(block).subarray(half), half);
        this.onFault({ disk: this.name, kind: 'torn', block, detail: `bytes ${half}.. kept old` });
        break;
      }
      case 'flip': {
        const bit = fault.pick % (this.blockSize_bytes * 8);
        bytes[bit >> 3]! ^= 1 << (bit & 7);
        this.onFault({ disk: this.name, kind: 'flip', block, detail: `bit ${bit}` });
        break;
      }
      case 'misdirected': {
        const target = this.misdirect(block, fault.pick);
        this.checkBlock(target);
        this.onFault({ disk: this.name, kind: 'misdirected', block, detail: `landed on block ${target}` });
        this.cache.set(target, bytes);
        return;
      }
    }
    this.cache.set(block, bytes);
  }

  /** The block as a reader sees it now: cached if unflushed, else durable. Do not mutate. */
  read(block: number): Uint8Array {
    this.checkBlock(block);
    return this.cache.get(block) ?? this.durable[block]!;
  }

  /** The block as a crash would leave it if the cache were lost now. Do not mutate. */
  readDurable(block: number): Uint8Array {
    this.checkBlock(block);
    return this.durable[block]!;
  }

  /** Barrier: every cached write becomes durable. */
  flush(): void {
    if (this.cache.size === 0) return;
    for (const [block, data] of this.cache) this.durable[block] = data;
    this.cache.clear();
    this.durableVersion++;
  }

  /** Number of writes waiting in the volatile cache. */
  get unflushed(): number {
    return this.cache.size;
  }

  /** Arm a fault for the next write; replaces one already armed. */
  arm(fault: ArmedWriteFault): void {
    this.armed = fault;
  }

  /** Remove an armed fault that has not bitten yet. */
  disarm(): void {
    this.armed = null;
  }

  /** Power loss: each cached write is lost, persisted or torn as `outcome` says; faults disarm. */
  crash(outcome: number): void {
    let bits = outcome >>> 0;
    let changed = false;
    for (const [block, data] of this.cache) {
      const fate = bits & 3;
      bits >>>= 2;
      if (fate === 1 || fate === 3) {
        this.durable[block] = data;
        changed = true;
      } else if (fate === 2) {
        const torn = this.durable[block]!.slice();
        const half = this.blockSize_bytes >> 1;
        torn.set(data.subarray(0, half), 0);
        this.durable[block] = torn;
        changed = true;
        this.onFault({ disk: this.name, kind: 'torn-on-crash', block });
      } else {
        this.onFault({ disk: this.name, kind: 'lost-on-crash', block });
      }
    }
    this.cache.clear();
    this.armed = null;
    if (changed) this.durableVersion++;
  }

  private checkBlock(block: number): void {
    if (!Number.isInteger(block) || block < 0 || block >= this.blockCount) {
      throw new Error(`disk ${this.name}: block ${block} out of range 0..${this.blockCount - 1}`);
    }
  }
}
