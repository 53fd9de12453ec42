// What a stdio server loads before its first tool call: Node's own modules that only a call, an approval or HTTP needs stay unloaded (start-up is a tracked target).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, expect, it } from 'vitest';
import { startStdio } from '../helpers/harness.js';

const dir = mkdtempSync(join(tmpdir(), 'startup-footprint-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/**
 * Built-in modules whose loading at start-up cost measurable time (bench:startup, callgrind) and that a server answering
 * tools/list does not use: Node's fetch implementation (loaded by the first mention of the global Response, Request,
 * Headers or fetch: 165 million instructions), the HTTP stack and child processes (the approval page opens on first
 * approval). (worker_threads is loaded: pino reads its isMainThread; its transports, which start workers, are not built in.)
 */
const NOT_AT_START = ['internal/deps/undici/undici', 'http', 'https', 'child_process'];

it('answers initialize and tools/list without loading what only a call, an approval or HTTP needs', async () => {
  const out = join(dir, 'modules.json');
  const preload = join(dir, 'record-modules.mjs');
  writeFileSync(preload, `import { writeFileSync } from 'node:fs';\nprocess.on('exit', () => writeFileSync(${JSON.stringify(out)}, JSON.stringify(process.moduleLoadList)));\n`);
  const h = await startStdio({ env: { NODE_OPTIONS: `--import=${pathToFileURL(preload).href}` } });
  await h.client.listTools();
  await h.close();
  await h.stderrEnded; // the server has exited, and the preload has written what it loaded
  const loaded = (JSON.parse(readFileSync(out, 'utf8')) as string[]).filter((m) => m.startsWith('NativeModule ')).map((m) => m.slice('NativeModule '.length));
  expect(loaded).toContain('fs'); // the list is the server's own: it read its files
  expect(NOT_AT_START.filter((m) => loaded.includes(m))).toEqual([]);
});
