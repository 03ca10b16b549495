/** Errors that end a command with exit code 2 and a one-line reason (usage or input errors). */
import { readFileSync } from 'node:fs';
export class UsageError extends Error {}

export const EXIT_OK = 0;
export const EXIT_VIOLATION = 1;
export const EXIT_USAGE = 2;

/** Parse a whole number within bounds, or throw a UsageError naming the option. */
export function wholeNumber(option: string, min: number, max: number): (text: string) => number {
  return (text: string) => {
    if (!/^\d+$/.test(text.trim())) throw new UsageError(`${option} wants a whole number, got '${text}'`);
    const n = Number(text);
    if (!Number.isSafeInteger(n) || n < min || n > max) throw new UsageError(`${option} must be between ${min} and ${max}, got ${text}`);
    return n;
  };
}

/** Parse a duration: "90s", "5m", "1.5h", "500ms", or a bare number of seconds; in milliseconds. */
export function duration(option: string): (text: string) => number {
  return (text: string) => {
    const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim());
    if (m === null) throw new UsageError(`${option} wants a duration like 90s, 5m or 1h, got '${text}'`);
    const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[(m[2] ?? 's') as 'ms' | 's' | 'm' | 'h'];
    const ms = Number(m[1]) * unit;
    if (ms <= 0 || ms > 7 * 24 * 3_600_000) throw new UsageError(`${option} must be more than 0 and at most a week, got '${text}'`);
    return ms;
  };
}

/** Parse "i/n" with 1 <= i <= n <= 10000. */
export function shardOf(text: string): { index: number; count: number } {
  const m = /^(\d+)\/(\d+)$/.exec(text.trim());
  const index = Number(m?.[1]);
  const count = Number(m?.[2]);
  if (m === null || index < 1 || count < 1 || index > count || count > 10_000) {
    throw new UsageError(`--shard wants i/n with 1 <= i <= n, got '${text}'`);
  }
  return { index, count };
}

/** Parse a percentage 0..100. */
export function percent(option: string): (text: string) => number {
  return (text: string) => {
    const n = Number(text.trim().replace(/%$/, ''));
    if (text.trim() === '' || !Number.isFinite(n) || n < 0 || n > 100) throw new UsageError(`${option} wants a percentage from 0 to 100, got '${text}'`);
    return n;
  };
}

/** A file's text, or a UsageError naming why it cannot be read (ENOENT, EACCES...). */
export function readInput(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    throw new UsageError(`cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}
