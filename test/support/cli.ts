/** Run the CLI in-process, capturing what it prints and what it writes to stderr. */
import { afterEach, beforeEach, vi } from 'vitest';
import { main } from '../../cli/main.ts';

/** Lines written to stderr during the current test (reset before each). */
export const stderr: string[] = [];

export function captureStderr(): void {
  beforeEach(() => {
    stderr.length = 0;
    vi.spyOn(process.stderr, 'write').mockImplementation((s: string | Uint8Array) => {
      stderr.push(String(s));
      return true;
    });
  });
  afterEach(() => {
    vi.restoreAllMocks();
  });
}

export async function runCli(...argv: string[]): Promise<{ code: number; out: string[] }> {
  const out: string[] = [];
  const code = await main(argv, (s) => out.push(s));
  return { code, out };
}
