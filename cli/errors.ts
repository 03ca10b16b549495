/** Errors that end a command with exit code 2 and a one-line reason (usage or input errors). */
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
