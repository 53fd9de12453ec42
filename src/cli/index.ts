#!/usr/bin/env node
// Command-line entry point: `--version` and `--help` are answered without loading the server; anything else starts it
// (serve.ts, its own chunk of the bundle, so these two answers cost no more than starting Node).
import { existsSync, readFileSync } from 'node:fs';
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
else await import('./serve.js');
