// What a stdio server loads before its first tool call: neither the call machinery's chunk nor Node's own modules that only a call, an approval or HTTP needs (start-up is a tracked target).
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { beforeAll, expect, it } from 'vitest';
import { startStdio } from '../helpers/harness.js';
import { tempDir } from '../helpers/temp.js';

let dir = '';
beforeAll(() => {
  dir = tempDir('startup-footprint-');
});

/**
 * Built-in modules whose loading at start-up cost measurable time (bench:startup, callgrind) and that a server answering
 * tools/list does not use: Node's fetch implementation (loaded by the first mention of the global Response, Request,
 * Headers or fetch: 165 million instructions), the HTTP stack and child processes (the approval page opens on first
 * approval). (worker_threads is loaded: pino reads its isMainThread; its transports, which start workers, are not built in.)
 */
const NOT_AT_START = ['internal/deps/undici/undici', 'http', 'https', 'child_process'];

/**
 * Starts the built server with a preload that records, at exit, Node's built-in modules it loaded and every file of the
 * bundle it imported (through a module load hook), after `use` has run with its client.
 */
async function footprint(name: string, use: (h: Awaited<ReturnType<typeof startStdio>>) => Promise<void>): Promise<{ builtins: string[]; files: string[] }> {
  const out = join(dir, `${name}-modules.json`);
  const files = join(dir, `${name}-files.txt`);
  const hooks = join(dir, `${name}-hooks.mjs`);
  const preload = join(dir, `${name}-record.mjs`);
  writeFileSync(files, '');
  writeFileSync(hooks, `import { appendFileSync } from 'node:fs';\nexport async function load(url, context, next) {\n  if (url.startsWith('file:')) appendFileSync(${JSON.stringify(files)}, url + '\\n');\n  return next(url, context);\n}\n`);
  writeFileSync(
    preload,
    `import { register } from 'node:module';\nimport { writeFileSync } from 'node:fs';\nregister(${JSON.stringify(pathToFileURL(hooks).href)});\n` +
      `process.on('exit', () => writeFileSync(${JSON.stringify(out)}, JSON.stringify(process.moduleLoadList)));\n`,
  );
  const h = await startStdio({ env: { NODE_OPTIONS: `--import=${pathToFileURL(preload).href}` } });
  await use(h);
  await h.close();
  await h.stderrEnded; // the server has exited, and the preload has written what it loaded
  const builtins = (JSON.parse(readFileSync(out, 'utf8')) as string[]).filter((m) => m.startsWith('NativeModule ')).map((m) => m.slice('NativeModule '.length));
  const bundle = readFileSync(files, 'utf8').split('\n').filter((url) => url.includes('/dist/')).map((url) => url.slice(url.lastIndexOf('/') + 1));
  return { builtins, files: bundle };
}

/** The bundle's chunk of the call machinery (src/server/engine.ts): `engine-<hash>.js`. */
const isEngine = (file: string) => /^engine-[A-Z0-9]+\.js$/.test(file);

it('answers initialize and tools/list without loading the call machinery or what only a call, an approval or HTTP needs', async () => {
  const { builtins, files } = await footprint('list', async (h) => {
    await h.client.listTools();
  });
  expect(builtins).toContain('fs'); // the list is the server's own: it read its files
  expect(NOT_AT_START.filter((m) => builtins.includes(m))).toEqual([]);
  expect(files).toContain('index.js'); // the hook saw the bundle's files
  expect(files.filter(isEngine)).toEqual([]);
});

it('loads the call machinery with the first tool call', async () => {
  const { files } = await footprint('call', async (h) => {
    await h.client.listTools();
    const result = await h.client.callTool({ name: 'ad_accounts_list', arguments: {} });
    expect(result.isError).toBeFalsy();
  });
  expect(files.filter(isEngine)).toHaveLength(1);
});
