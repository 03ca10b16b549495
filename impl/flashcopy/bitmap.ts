/**
 * FlashCopy bitmaps: one bit per block of a volume (bit i = block i), held in a plain number so
 * the per-step path allocates nothing. The text form `{0,3,5}` is what events and messages carry,
 * so a timeline reads as block lists rather than as integers.
 */

/** Most blocks a bitmap may describe (bit 31 would make the number negative). */
export const MAX_BITMAP_BLOCKS = 16;

const textOfMask = new Map<number, string>();
const maskOfText = new Map<string, number>();

/** The bit of block `block`. */
export function bitOf(block: number): number {
  return 1 << block;
}

/** The lowest block set in `mask`, or -1 when none is. */
export function lowestBlock(mask: number): number {
  return mask === 0 ? -1 : 31 - Math.clz32(mask & -mask);
}

/** `{0,3,5}` for a mask with blocks 0, 3 and 5 set; `{}` for none. Cached per mask. */
export function bitmapText(mask: number): string {
  let text = textOfMask.get(mask);
  if (text === undefined) {
    if (mask < 0 || mask >= 2 ** MAX_BITMAP_BLOCKS || !Number.isInteger(mask)) throw new Error(`bitmap: bad mask ${mask}`);
    const blocks: number[] = [];
    for (let b = 0; b < MAX_BITMAP_BLOCKS; b++) if ((mask & (1 << b)) !== 0) blocks.push(b);
    text = `{${blocks.join(',')}}`;
    textOfMask.set(mask, text);
    maskOfText.set(text, mask);
  }
  return text;
}

/** The mask a text form names; NaN for text that is not one (a corrupted message). */
export function bitmapOf(text: string): number {
  const known = maskOfText.get(text);
  if (known !== undefined) return known;
  const m = /^\{(\d+(?:,\d+)*)?\}$/.exec(text);
  if (m === null) return Number.NaN;
  let mask = 0;
  for (const part of (m[1] ?? '').split(',')) {
    if (part === '') continue;
    const b = Number(part);
    if (b >= MAX_BITMAP_BLOCKS) return Number.NaN;
    mask |= 1 << b;
  }
  return bitmapText(mask) === text ? mask : Number.NaN;
}
