// The build-time listing cache must equal what the server computes from source, tool by tool.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.js';
import { createLogger } from '../../src/core/logger.js';
import { compactSchema, fullInputSchema, listingStamp } from '../../src/tools/listing.js';
import { createStdioApp } from '../../src/transports/stdio.js';

const cachePath = resolve(import.meta.dirname, '../../dist/listings.json');

it('dist/listings.json matches the listings computed from source', async () => {
  const cache = JSON.parse(readFileSync(cachePath, 'utf8')) as { stamp: string; schemas: Record<string, unknown> };
  const app = await createStdioApp(loadConfig(['--toolsets', 'all'], {}), createLogger('silent'));
  try {
    expect(cache.stamp).toBe(listingStamp(app.tools));
    expect(Object.keys(cache.schemas).sort()).toEqual(app.tools.map((t) => t.name).sort());
    for (const tool of app.tools) expect(cache.schemas[tool.name], tool.name).toEqual(compactSchema(fullInputSchema(tool)));
  } finally {
    await app.close();
  }
});
