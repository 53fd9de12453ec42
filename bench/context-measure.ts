// Measures what tools/list costs in context: tool count, JSON bytes and o200k tokens, through a real MCP client.
import { Client, InMemoryTransport } from '@modelcontextprotocol/client';
import { encode } from 'gpt-tokenizer/encoding/o200k_base';
import { CONFIGURED_APIS, everyApiOn, loadConfig } from '../src/config/index.js';
import { createLogger } from '../src/core/logger.js';
import { createStdioApp } from '../src/transports/stdio.js';

export interface ListingSize {
  label: string;
  tools: number;
  bytes: number;
  tokens: number;
}

/** The budgets of issue 4 (o200k tokens of the tools/list result JSON). */
export const BUDGETS = { default: 12_000, all: 45_000, discover: 1_500 } as const;

export const MODES: Record<keyof typeof BUDGETS, string[]> = {
  default: [],
  all: ['--toolsets', 'all'],
  discover: ['--mode', 'discover'],
};

/**
 * Listings measured for information only (no budget): the default with the toolsets of the APIs that are off until set
 * up (`turnedOnBy`) named, which a key alone no longer adds (`--toolsets default,whop`).
 */
const withNamedApis = ['default', ...CONFIGURED_APIS.flatMap((api) => api.turnedOnBy?.toolsets ?? [])].join(',');
export const UNBUDGETED: Record<string, string[]> = { [withNamedApis]: ['--toolsets', withNamedApis] };

/**
 * Which APIs are on while measuring: none of those that are off until set up (the common case: no Whop key), or every
 * API (the largest listings: every tool of `--toolsets all`).
 */
export const API_SETS = {
  'without optional API keys': {},
  'every API on': everyApiOn('bench-context-key'),
} as const satisfies Record<string, Record<string, string>>;

export async function measureListing(label: string, args: string[], env: Record<string, string> = {}): Promise<ListingSize> {
  const app = await createStdioApp(loadConfig(args, { PINTEREST_API_BASE_URL: 'http://127.0.0.1:9/v5', ...env }), createLogger('silent'));
  const server = app.createServer();
  const [a, b] = InMemoryTransport.createLinkedPair();
  await server.connect(b);
  const client = new Client({ name: 'measure', version: '1' });
  await client.connect(a);
  const result = await client.listTools();
  const json = JSON.stringify(result);
  await client.close();
  await app.close();
  return { label, tools: result.tools.length, bytes: Buffer.byteLength(json), tokens: encode(json).length };
}
