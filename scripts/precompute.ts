// Build step (`npm run build`): writes what start-up reads instead of computing it, beside the bundle: every tool's
// compact listing schema (`dist/listings.json`), the held writes' with confirmation_token (`dist/listings-confirmation.json`)
// and the --help text (`dist/help.txt`, answered by src/cli/index.ts).
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { everyApiOn, helpText, loadConfig } from '../src/config/index.js';
import { createLogger } from '../src/core/logger.js';
import type { JsonSchema } from '../src/tools/listing.js';
import { type ListingCache, listingStamp } from '../src/tools/listing.js';
import { createStdioApp } from '../src/transports/stdio.js';

const dist = resolve(import.meta.dirname, '../dist');

/** Every listed tool's schema, the API tools' and the workflows' (computed here: from source there is no cache). */
async function listedSchemas(args: string[]): Promise<Record<string, JsonSchema>> {
  // Every API on, so every tool is listed: a tool's schema is the same whichever APIs are on, so one cache serves them all.
  const app = await createStdioApp(loadConfig(['--toolsets', 'all', ...args], everyApiOn('precompute-listing')), createLogger('silent'));
  try {
    return Object.fromEntries(app.listTools().map((tool) => [tool.name, tool.inputSchema as JsonSchema]));
  } finally {
    await app.close();
  }
}
const schemas = await listedSchemas([]);
// The model-held token flow lists confirmation_token on held writes: only the schemas that differ are kept.
const withToken = await listedSchemas(['--approval', 'model']);
const stamp = listingStamp();
const cache: ListingCache = { stamp, schemas };
const confirmation: ListingCache = {
  stamp,
  schemas: Object.fromEntries(Object.entries(withToken).filter(([name, schema]) => JSON.stringify(schema) !== JSON.stringify(schemas[name]))),
};
writeFileSync(resolve(dist, 'listings.json'), JSON.stringify(cache));
writeFileSync(resolve(dist, 'listings-confirmation.json'), JSON.stringify(confirmation));
writeFileSync(resolve(dist, 'help.txt'), helpText());
process.stderr.write(
  `wrote dist/listings.json (${Object.keys(cache.schemas).length} tools), dist/listings-confirmation.json (${Object.keys(confirmation.schemas).length} with confirmation_token) and dist/help.txt\n`,
);
