#!/usr/bin/env node
// Entry point for `npx mirrorcheck`: runs the TypeScript CLI through tsx's loader.
import { register } from 'tsx/esm/api';

// A closed pipe (`mirrorcheck list | head`) is not an error worth a stack trace.
process.stdout.on('error', (e) => {
  if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw e;
});
register();
const { main } = await import('../cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
