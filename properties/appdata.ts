/**
 * Application write payloads. Each write's data is unique: its first four bytes are the write's
 * id, the rest a pattern derived from it, so an image can be read back as "which write is in each
 * block" and any corruption shows.
 */
import type { Image } from '../impl/sim/system.ts';

export function writeData(id: number, volume: number, block: number, size_bytes: number): Uint8Array {
  const data = new Uint8Array(size_bytes);
  data[0] = id >>> 24;
  data[1] = (id >>> 16) & 255;
  data[2] = (id >>> 8) & 255;
  data[3] = id & 255;
  data[4] = volume;
  data[5] = block;
  for (let i = 6; i < size_bytes; i++) data[i] = (Math.imul(id, 31) + i * 7) & 255;
  return data;
}

export function writeIdOf(data: Uint8Array): number {
  return ((data[0]! << 24) | (data[1]! << 16) | (data[2]! << 8) | data[3]!) >>> 0;
}

function isZero(data: Uint8Array): boolean {
  for (let i = 0; i < data.length; i++) if (data[i] !== 0) return false;
  return true;
}

/** One block as text: `-` never written, `wN` write N intact, `wN!` write N's id over other bytes. */
export function blockText(data: Uint8Array, volume: number, block: number): string {
  if (isZero(data)) return '-';
  const id = writeIdOf(data);
  const intact = writeData(id, volume, block, data.length);
  for (let i = 0; i < data.length; i++) if (intact[i] !== data[i]) return `w${id}!`;
  return `w${id}`;
}

/** An image as text, one volume per line part: `v0[w3 - w9] v1[- - w4]`. */
export function imageText(image: Image, blocksPerVolume: number): string {
  const parts: string[] = [];
  for (let v = 0; v * blocksPerVolume < image.length; v++) {
    const blocks: string[] = [];
    for (let b = 0; b < blocksPerVolume; b++) blocks.push(blockText(image[v * blocksPerVolume + b]!, v, b));
    parts.push(`v${v}[${blocks.join(' ')}]`);
  }
  return parts.join(' ');
}
