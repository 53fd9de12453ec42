// CLI: rewrite the generated sections (scopes per toolset, tools the sandbox lacks) of docs/getting-a-token.md (`npm run generate:docs [-- --check]`).
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { pinterestApi } from '../src/apis/index.js';
import { updateTokenGuide } from '../src/tools/scopes.js';
import { buildTools } from '../src/tools/registry.js';

const path = fileURLToPath(new URL('../docs/getting-a-token.md', import.meta.url));
const check = process.argv.includes('--check');

const doc = readFileSync(path, 'utf8');
const updated = updateTokenGuide(doc, buildTools(pinterestApi));
if (updated === doc) {
  console.error(`${path} is up to date`);
} else if (check) {
  console.error(`${path} is stale: run \`npm run generate:docs\``);
  process.exitCode = 1;
} else {
  writeFileSync(path, updated);
  console.error(`wrote ${path} (${updated.length} bytes)`);
}
