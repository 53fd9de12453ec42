// Build step (`npm run build`): writes every tool's compact listing schema next to the compiled listing module.
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../config.js';
import { createLogger } from '../logger.js';
import { createApp } from '../server.js';
import { LISTING_CACHE, type ListingCache, compactSchema, fullInputSchema, listingStamp } from './listing.js';

const app = await createApp(loadConfig(['--toolsets', 'all'], {}), createLogger('silent'));
const cache: ListingCache = {
  stamp: listingStamp(app.tools),
  schemas: Object.fromEntries(app.tools.map((t) => [t.name, compactSchema(fullInputSchema(t))])),
};
writeFileSync(LISTING_CACHE, JSON.stringify(cache));
await app.close();
process.stderr.write(`wrote ${fileURLToPath(LISTING_CACHE)} (${app.tools.length} tools)\n`);
