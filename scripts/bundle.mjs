// Build step: bundles the server (dist/index.js and the chunks it loads) and the demo's fake API (dist/fake-api.js),
// so start-up reads a few files instead of hundreds and the package ships nothing else of the source.
import { readFileSync, rmSync } from 'node:fs';
import { build } from 'esbuild';

rmSync('dist', { recursive: true, force: true });

/**
 * A generated catalog (`export const name: Catalog = {…};`, see scripts/catalog-generator.ts) becomes
 * `JSON.parse('…')`: V8 scans a string far faster than it compiles an object literal of half a megabyte
 * (bench:startup measured it; the README's Performance section has the figures). Fails the build if a catalog's shape changes.
 */
const catalogsAsJson = {
  name: 'catalogs-as-json',
  setup(builder) {
    builder.onLoad({ filter: /catalog\.generated\.ts$/ }, (args) => {
      const match = /^export const (\w+): Catalog = (\{[\s\S]*\});\s*$/m.exec(readFileSync(args.path, 'utf8'));
      if (!match) throw new Error(`${args.path}: not the generated catalog shape (export const name: Catalog = {...};)`);
      const json = JSON.stringify(JSON.parse(match[2]));
      return { contents: `export const ${match[1]} = JSON.parse(${JSON.stringify(json)});`, loader: 'js' };
    });
  },
};

const shared = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  logLevel: 'warning',
  // Whitespace and syntax only: V8 compiled the identifier-mangled bundle slower at start-up than the readable one
  // (bench:startup), and keeping names keeps stack traces and pino's err.type readable.
  minifyWhitespace: process.env.BUNDLE_MINIFY !== '0',
  minifySyntax: process.env.BUNDLE_MINIFY !== '0',
  keepNames: true,
  plugins: [catalogsAsJson],
  // Some dependencies are CommonJS and call require(); give the ESM bundle one.
  banner: { js: "import { createRequire as __createRequire } from 'node:module';\nconst require = __createRequire(import.meta.url);" },
};
await build({
  ...shared,
  entryPoints: { index: 'src/cli/index.ts' },
  outdir: 'dist',
  // Each dynamic import() is a chunk loaded when used: the server itself (not for --version and --help), the HTTP
  // transport (not for stdio). Chunks sit beside index.js so that URLs relative to a module (listings.json, help.txt,
  // fake-api.js, ../prompts) resolve the same from any of them.
  splitting: true,
  chunkNames: '[name]-[hash]',
  // The Redis store's client and the HTTP agent (undici) load on demand from their own packages. (The sqlite store is
  // node:sqlite, built into Node; its adapter is a chunk.) The demo's fake API is its own bundle.
  external: ['@keyv/redis', 'undici'],
  // jsonc-parser's main file is UMD, whose inner require('./impl/…') esbuild cannot follow: bundle its ES module build.
  alias: { 'jsonc-parser': 'jsonc-parser/lib/esm/main.js' },
});
// The fake Pinterest API (fakes/, outside the product): what `--demo` serves, and what benchmarks start.
await build({ ...shared, entryPoints: ['fakes/pinterest/server.ts'], outfile: 'dist/fake-api.js' });
