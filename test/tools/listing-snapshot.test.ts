// The whole tool listing, committed in a compact form (one block per tool): every schema or text change shows in review.
// After an intended change: `npx vitest run test/tools/listing-snapshot.test.ts -u`, and read the diff.
import { Client, InMemoryTransport } from '@modelcontextprotocol/client';
import { expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.js';
import { createLogger } from '../../src/core/logger.js';
import { createStdioApp } from '../../src/transports/stdio.js';

const ENV = { PINTEREST_API_BASE_URL: 'http://127.0.0.1:9/v5', WHOP_API_KEY: 'whop-listing-snapshot-key' };

async function listing(args: string[]) {
  const app = await createStdioApp(loadConfig(args, ENV), createLogger('silent'));
  const [a, b] = InMemoryTransport.createLinkedPair();
  await app.createServer().connect(b);
  const client = new Client({ name: 'snapshot', version: '1' });
  await client.connect(a);
  try {
    return { tools: (await client.listTools()).tools, instructions: client.getInstructions() ?? '' };
  } finally {
    await client.close();
    await app.close();
  }
}

/** One block per tool: name, title and annotations; the description; the input schema as one line of JSON. */
function compact(tools: Awaited<ReturnType<typeof listing>>['tools']): string {
  return tools
    .map((t) => {
      const hints = Object.entries(t.annotations ?? {})
        .filter(([key]) => key !== 'title')
        .map(([key, value]) => `${key}=${String(value)}`)
        .join(' ');
      return [`## ${t.name} — ${t.annotations?.title ?? t.title ?? ''}${hints ? `  [${hints}]` : ''}`, t.description ?? '', JSON.stringify(t.inputSchema)].join('\n');
    })
    .join('\n\n');
}

it('lists every tool as committed in test/tools/listing.snapshot.txt (all toolsets; the default, default,whop and discover selections by name)', async () => {
  const all = await listing(['--toolsets', 'all']);
  const byDefault = await listing([]);
  const withWhop = await listing(['--toolsets', 'default,whop']);
  const discover = await listing(['--mode', 'discover']);
  const text = [
    `# Tool listing: ${all.tools.length} tools with --toolsets all (WHOP_API_KEY set)`,
    '',
    `default selection (${byDefault.tools.length}; the key does not add whop): ${byDefault.tools.map((t) => t.name).join(' ')}`,
    `--toolsets default,whop (${withWhop.tools.length}): ${withWhop.tools.map((t) => t.name).join(' ')}`,
    `discover mode (${discover.tools.length}): ${discover.tools.map((t) => t.name).join(' ')}`,
    '',
    '# Instructions (default selection)',
    byDefault.instructions,
    '',
    compact(all.tools),
    '',
  ].join('\n');
  await expect(text).toMatchFileSnapshot('./listing.snapshot.txt');
});
