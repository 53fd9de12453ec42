// Build step: bundles the server entry into one file (dist/index.js), so start-up reads one module instead of hundreds.
import { build } from 'esbuild';

await build({
  entryPoints: ['src/index.ts'],
  outfile: 'dist/index.js',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  logLevel: 'warning',
  minify: process.env.BUNDLE_MINIFY !== '0',
  keepNames: true, // readable class names in logs (pino prints err.type from the constructor)
  // Optional stores (native sqlite3), the HTTP agent (undici) and the demo's fake API load on demand from their own
  // files: code that is only imported lazily would still cost parse time inside the bundle.
  external: ['@keyv/redis', '@keyv/sqlite', 'undici', './emulator/server.js'],
  // jsonc-parser's main file is UMD, whose inner require('./impl/…') esbuild cannot follow: bundle its ES module build.
  alias: { 'jsonc-parser': 'jsonc-parser/lib/esm/main.js' },
  // Some dependencies are CommonJS and call require(); give the ESM bundle one.
  banner: { js: "import { createRequire as __createRequire } from 'node:module';\nconst require = __createRequire(import.meta.url);" },
});
