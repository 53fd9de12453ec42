// The built server the check scripts (check:clients, check:node) run: its entry and the demo's fake API in dist/.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Emulator, EmulatorOptions } from '../../fakes/pinterest/server.js';

export const root = resolve(import.meta.dirname, '../..');
/** The built server (`npm run build`). */
export const entry = join(root, 'dist/index.js');
const emulatorModule = join(root, 'dist/fake-api.js');

/** False, after saying so on stderr, when the build is missing: the scripts check what `npm run build` made. */
export function isBuilt(): boolean {
  for (const file of [entry, emulatorModule]) {
    if (!existsSync(file)) {
      process.stderr.write(`${file} is missing: run \`npm run build\` first.\n`);
      return false;
    }
  }
  return true;
}

/** The built fake Pinterest API's start function (the bundle the demo serves). */
export async function builtEmulator(): Promise<(options?: EmulatorOptions) => Promise<Emulator>> {
  return ((await import(pathToFileURL(emulatorModule).href)) as { startEmulator: (options?: EmulatorOptions) => Promise<Emulator> }).startEmulator;
}
