// Build step (`npm run build`): writes every tool's compact listing schema beside the bundle (`dist/listings.json`).
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { loadConfig } from '../src/config/index.js';
import { createLogger } from '../src/core/logger.js';
import { type ListingCache, compactSchema, fullInputSchema, listingStamp } from '../src/tools/listing.js';
import { createStdioApp } from '../src/transports/stdio.js';

const app = await createStdioApp(loadConfig(['--toolsets', 'all'], {}), createLogger('silent'));
const cache: ListingCache = {
  stamp: listingStamp(app.tools),
  schemas: Object.fromEntries(app.tools.map((t) => [t.name, compactSchema(fullInputSchema(t))])),
};
const out = resolve(import.meta.dirname, '../dist/listings.json');
writeFileSync(out, JSON.stringify(cache));
await app.close();
process.stderr.write(`wrote ${out} (${app.tools.length} tools)\n`);
