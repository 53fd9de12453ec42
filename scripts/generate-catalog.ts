// CLI: regenerate the committed catalog files from the OpenAPI description (`npm run generate:catalog [path]`).
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { DEFAULT_SPEC_PATH, OUTPUT_PATHS, generateFiles } from './catalog-generator.js';

const specPath = resolve(process.argv[2] ?? process.env.PINTEREST_OPENAPI_PATH ?? DEFAULT_SPEC_PATH);
const files = generateFiles(readFileSync(specPath, 'utf8'));
for (const [key, path] of Object.entries(OUTPUT_PATHS)) {
  writeFileSync(path, files[key as keyof typeof OUTPUT_PATHS]);
  console.error(`wrote ${path} (${files[key as keyof typeof OUTPUT_PATHS].length} bytes)`);
}
