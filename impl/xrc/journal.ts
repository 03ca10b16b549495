/**
 * The secondary's durable bookkeeping: a control block (sealed, on its own disk) naming the newest
 * committed consistency group and the group journaled for shadowing, and the journal slots that
 * hold the journaled group's record sets in timestamp order. Journal slots are read back after
 * the flush and rewritten until intact, and only then does the control block name the group; a
 * pending group (pending > committed) is shadowed again in full by recovery.
 */
import type { Disk } from '../sim/disk.ts';
import { invariant } from '../sim/invariant.ts';
import { sealFields, unsealFields } from '../sim/sealed.ts';
import type { Image } from '../sim/system.ts';
import { decodeRecordSet, validate, type Bounds, type RecordSet } from './record.ts';

export interface Control {
  readonly committedGroup: number;
  /** Consistency time of the committed group: everything stamped up to it is on the volumes. */
  readonly committedCt: number;
  /** Newest sequence number committed, per controller. */
  readonly committedSeq: readonly number[];
  /** The journaled group (equal to the committed one when none is pending). */
  readonly pendingGroup: number;
  readonly pendingCt: number;
  readonly pendingSeq: readonly number[];
  /** Journal slots the pending group fills. */
  readonly count: number;
}

export const CONTROL_BYTES = 64;

export function emptyControl(controllers: number): Control {
  const zeros = new Array<number>(controllers).fill(0);
  return { committedGroup: 0, committedCt: 0, committedSeq: zeros, pendingGroup: 0, pendingCt: 0, pendingSeq: zeros, count: 0 };
}

export function hasPending(c: Control): boolean {
  return c.pendingGroup > c.committedGroup;
}

export function sealControl(c: Control): Uint8Array {
  return sealFields([c.committedGroup, c.committedCt, c.pendingGroup, c.pendingCt, c.count, ...c.committedSeq, ...c.pendingSeq], CONTROL_BYTES);
}

/** The durable control block; one never written (or unreadable) means nothing committed. */
export function readControl(bytes: Uint8Array, controllers: number): Control {
  const f = unsealFields(bytes, 5 + 2 * controllers);
  if (f === null) return emptyControl(controllers);
  return {
    committedGroup: f[0]!, committedCt: f[1]!, pendingGroup: f[2]!, pendingCt: f[3]!, count: f[4]!,
    committedSeq: f.slice(5, 5 + controllers), pendingSeq: f.slice(5 + controllers),
  };
}

/** Decoded journal slots by their (immutable) stored bytes: a failover image reuses the same data arrays. */
const decodedSlots = new WeakMap<Uint8Array, RecordSet>();

/** The pending group's record sets from the journal, in timestamp order; a bad slot is an error. */
export function journaledSets(c: Control, readSlot: (slot: number) => Uint8Array, bounds: Bounds): RecordSet[] {
  const out: RecordSet[] = [];
  let ts = c.committedCt;
  for (let slot = 0; slot < c.count; slot++) {
    const bytes = readSlot(slot);
    let r = decodedSlots.get(bytes);
    if (r === undefined) {
      invariant(validate(bytes, 0, bounds) === null, 'journaled group lost', () => `journal slot ${slot} of group ${c.pendingGroup} is not intact`);
      r = decodeRecordSet(bytes);
      decodedSlots.set(bytes, r);
    }
    invariant(r.seq <= c.pendingSeq[r.controller]!, 'journaled group lost', () => `journal slot ${slot} of group ${c.pendingGroup} holds a later record set`);
    // Equal stamps (which the common timer never hands out) would be one unit, kept in journal order.
    invariant(r.ts >= ts && r.ts > c.committedCt && r.ts <= c.pendingCt, 'journaled group out of timestamp order',
      () => `journal slot ${slot} of group ${c.pendingGroup}: stamp ${r.ts} out of order`);
    ts = r.ts;
    out.push(r);
  }
  return out;
}

/** Rounds of read-back and rewrite before journaling gives up for this step. */
const VERIFY_ROUNDS = 4;

/**
 * Write `slots` to the journal, flush, read every slot back and rewrite any a write fault spoiled
 * (torn, lost, misdirected, flipped), a bounded number of rounds; true once all read back intact.
 */
export function writeVerified(journal: Disk, slots: readonly Uint8Array[], repaired: (slot: number) => void): boolean {
  slots.forEach((bytes, slot) => journal.write(slot, bytes));
  journal.flush();
  for (let round = 0; round < VERIFY_ROUNDS; round++) {
    let bad = 0;
    for (let slot = 0; slot < slots.length; slot++) {
      if (sameBytes(journal.read(slot), slots[slot]!)) continue;
      journal.write(slot, slots[slot]!);
      repaired(slot);
      bad++;
    }
    if (bad === 0) return true;
    journal.flush();
  }
  return false;
}

/** The secondary's recovery run on a copy of its durable state: the volumes plus the pending group shadowed again. */
export function recoverImage(volumes: Disk, controlDisk: Disk, journal: Disk, bounds: Bounds): Image {
  const image: Uint8Array[] = [];
  for (let i = 0; i < volumes.blockCount; i++) image.push(volumes.readDurable(i));
  const control = readControl(controlDisk.readDurable(0), bounds.controllers);
  if (hasPending(control)) {
    for (const r of journaledSets(control, (slot) => journal.readDurable(slot), bounds)) image[r.volume * bounds.blocksPerVolume + r.block] = r.data;
  }
  return image;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
