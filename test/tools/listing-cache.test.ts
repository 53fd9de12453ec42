// What `npm run build` precomputes beside the bundle must equal what the server computes from source: every listed
// tool's schema (dist/listings.json) and the --help text (dist/help.txt, which `--help` prints).
import { Client } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { expect, it } from 'vitest';
import { everyApiOn, helpText, loadConfig } from '../../src/config/index.js';
import { createLogger } from '../../src/core/logger.js';
import { compactSchema, fullInputSchema, listingStamp } from '../../src/tools/listing.js';
import { createStdioApp } from '../../src/transports/stdio.js';

const dist = resolve(import.meta.dirname, '../../dist');

it('dist/listings.json matches the listings computed from source, API tools and workflows', async () => {
  const cache = JSON.parse(readFileSync(resolve(dist, 'listings.json'), 'utf8')) as { stamp: string; schemas: Record<string, unknown> };
  const app = await createStdioApp(loadConfig(['--toolsets', 'all'], everyApiOn('listing-cache-test')), createLogger('silent'));
  try {
    expect(cache.stamp).toBe(listingStamp());
    const listed = app.listTools();
    expect(Object.keys(cache.schemas).sort()).toEqual(listed.map((t) => t.name).sort());
    for (const tool of app.tools) expect(cache.schemas[tool.name], tool.name).toEqual(compactSchema(fullInputSchema(tool)));
    const workflows = listed.filter((t) => !app.tools.some((tool) => tool.name === t.name));
    expect(workflows.map((t) => t.name)).toContain('analytics_run_report');
    for (const tool of workflows) expect(cache.schemas[tool.name], tool.name).toEqual(tool.inputSchema);
  } finally {
    await app.close();
  }
});

it('under --approval model (confirmation_token on held writes) and without a Whop key the built server lists what the source computes', async () => {
  const args = ['--approval', 'model', '--toolsets', 'all'];
  const env = { PINTEREST_API_BASE_URL: 'http://127.0.0.1:9/v5', PINTEREST_ACCESS_TOKEN: 'pina_listing_cache_test' };
  const client = new Client({ name: 'listing-cache-test', version: '1' });
  await client.connect(new StdioClientTransport({ command: process.execPath, args: [resolve(dist, 'index.js'), ...args, '--log-level', 'silent'], env: { PATH: process.env.PATH ?? '', ...env } }));
  const app = await createStdioApp(loadConfig(args, env), createLogger('silent'));
  try {
    const built = (await client.listTools()).tools;
    const computed = app.listTools();
    // Held writes take confirmation_token in this flow: the default's cached schemas must not stand in for theirs.
    expect(computed.filter((t) => (t.inputSchema.properties ?? {}).confirmation_token).length).toBeGreaterThan(0);
    expect(built.map((t) => [t.name, t.inputSchema])).toEqual(computed.map((t) => [t.name, t.inputSchema]));
  } finally {
    await client.close();
    await app.close();
  }
});

it('--help prints the help text computed from source (dist/help.txt), and --version the version', () => {
  const run = (arg: string) => execFileSync(process.execPath, [resolve(dist, 'index.js'), arg], { encoding: 'utf8', env: { PATH: process.env.PATH } });
  expect(readFileSync(resolve(dist, 'help.txt'), 'utf8')).toBe(helpText());
  expect(run('--help')).toBe(helpText());
  expect(run('--version')).toMatch(/^\d+\.\d+\.\d+\n$/);
});
