// CLI: regenerate the committed Whop catalog files from the SDK's ad resources (`npm run generate:whop [dir]`).
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DEFAULT_WHOP_REFERENCE_DIR, WHOP_OUTPUT_PATHS, WHOP_RESOURCE_FILES, generateWhopFiles } from './whop-catalog-generator.js';

const dir = resolve(process.argv[2] ?? process.env.WHOP_REFERENCE_DIR ?? DEFAULT_WHOP_REFERENCE_DIR);
const sources = Object.fromEntries(WHOP_RESOURCE_FILES.map((name) => [name, readFileSync(join(dir, name), 'utf8')]));
const files = generateWhopFiles(sources);
for (const [key, path] of Object.entries(WHOP_OUTPUT_PATHS)) {
  writeFileSync(path, files[key as keyof typeof WHOP_OUTPUT_PATHS]);
  console.error(`wrote ${path} (${files[key as keyof typeof WHOP_OUTPUT_PATHS].length} bytes)`);
}
