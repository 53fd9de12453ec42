// Build step: bundles the server (dist/index.js) and the demo's fake API (dist/fake-api.js), each into one file, so
// start-up reads one module instead of hundreds and the package ships nothing else of the source.
import { rmSync } from 'node:fs';
import { build } from 'esbuild';

rmSync('dist', { recursive: true, force: true });
const shared = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  logLevel: 'warning',
  minify: process.env.BUNDLE_MINIFY !== '0',
  keepNames: true, // readable class names in logs (pino prints err.type from the constructor)
  // Some dependencies are CommonJS and call require(); give the ESM bundle one.
  banner: { js: "import { createRequire as __createRequire } from 'node:module';\nconst require = __createRequire(import.meta.url);" },
};
await build({
  ...shared,
  entryPoints: ['src/cli.ts'],
  outfile: 'dist/index.js',
  // The Redis store's client and the HTTP agent (undici) load on demand from their own files: code that is only
  // imported lazily would still cost parse time inside the bundle. (The sqlite store is node:sqlite, built into Node.)
  // The demo's fake API is its own bundle.
  external: ['@keyv/redis', 'undici'],
  // jsonc-parser's main file is UMD, whose inner require('./impl/…') esbuild cannot follow: bundle its ES module build.
  alias: { 'jsonc-parser': 'jsonc-parser/lib/esm/main.js' },
});
// The fake Pinterest API (fakes/, outside the product): what `--demo` serves, and what benchmarks start.
await build({ ...shared, entryPoints: ['fakes/pinterest/server.ts'], outfile: 'dist/fake-api.js' });
