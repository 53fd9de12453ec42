// Build step (`npm run build`): writes what start-up reads instead of computing it, beside the bundle: every tool's
// compact listing schema (`dist/listings.json`) and the --help text (`dist/help.txt`, answered by src/cli/index.ts).
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { everyApiOn, helpText, loadConfig } from '../src/config/index.js';
import { createLogger } from '../src/core/logger.js';
import type { JsonSchema } from '../src/tools/listing.js';
import { type ListingCache, listingStamp } from '../src/tools/listing.js';
import { createStdioApp } from '../src/transports/stdio.js';

const dist = resolve(import.meta.dirname, '../dist');
// Every API on, so every tool is listed: a tool's schema is the same whichever APIs are on, so one cache serves them all.
const app = await createStdioApp(loadConfig(['--toolsets', 'all'], everyApiOn('precompute-listing')), createLogger('silent'));
// Every listed tool's schema, the API tools' and the workflows' (computed here: from source there is no cache).
const cache: ListingCache = {
  stamp: listingStamp(),
  schemas: Object.fromEntries(app.listTools().map((tool) => [tool.name, tool.inputSchema as JsonSchema])),
};
writeFileSync(resolve(dist, 'listings.json'), JSON.stringify(cache));
await app.close();
writeFileSync(resolve(dist, 'help.txt'), helpText());
process.stderr.write(`wrote dist/listings.json (${Object.keys(cache.schemas).length} tools) and dist/help.txt\n`);
