#!/usr/bin/env node
// Command-line entry point: `--version` and `--help` are answered without loading the server; anything else starts it
// (serve.ts, its own chunk of the bundle, so these two answers cost no more than starting Node).
import { existsSync, readFileSync } from 'node:fs';
import module from 'node:module';
import { VERSION } from '../core/version.js';

/**
 * The --help text that `npm run build` writes beside the bundle (scripts/precompute.ts): helpText() itself, which
 * would otherwise load the settings table, the toolsets and every write class. From source it is absent, and
 * serve.ts computes the same text.
 */
const HELP_TEXT = new URL('./help.txt', import.meta.url);

const [only, ...rest] = process.argv.slice(2);
if (rest.length === 0 && only === '--version') process.stdout.write(`${VERSION}\n`);
else if (rest.length === 0 && only === '--help' && existsSync(HELP_TEXT)) process.stdout.write(readFileSync(HELP_TEXT, 'utf8'));
else {
  // Node 22.1+ keeps the compiled server chunk in its on-disk compile cache (the OS's temp folder; NODE_DISABLE_COMPILE_CACHE=1
  // turns it off), so later starts skip most of compiling it. Node 20 has no such cache, and the call is absent there.
  (module as { enableCompileCache?: () => unknown }).enableCompileCache?.();
  await import('./serve.js');
}
