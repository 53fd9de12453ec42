// Build step: bundles the server (dist/index.js and the chunks it loads) and the demo's fake API (dist/fake-api.js),
// so start-up reads a few files instead of hundreds and the package ships nothing else of the source.
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { build } from 'esbuild';

rmSync('dist', { recursive: true, force: true });

/** Writes `value` to `dist/<name>.json` and returns the expression that reads it back (every chunk sits in dist/ itself). */
function jsonFile(name, value) {
  mkdirSync('dist', { recursive: true });
  writeFileSync(`dist/${name}.json`, JSON.stringify(value));
  return `JSON.parse(readFileSync(new URL(${JSON.stringify(`./${name}.json`)}, import.meta.url), 'utf8'))`;
}

/**
 * A generated catalog (`export const name: Catalog = {…};`, see scripts/catalog-generator.ts) becomes two JSON files
 * beside the bundle (`dist/<api>-operations.json`, `dist/<api>-schemas.json`) that the module reads and parses, its
 * component schemas behind a getter: V8 parses JSON far faster than it compiles an object literal of half a megabyte,
 * and a file spares the JavaScript scanner the pass over the same text as a string literal (about 1% of the
 * instructions of a start-up to tools/list; bench:startup and the README's Development section have the figures).
 * Fails the build if a catalog's shape changes.
 */
const catalogsAsJson = {
  name: 'catalogs-as-json',
  setup(builder) {
    builder.onLoad({ filter: /catalog\.generated\.ts$/ }, (args) => {
      const match = /^export const (\w+): Catalog = (\{[\s\S]*\});\s*$/m.exec(readFileSync(args.path, 'utf8'));
      if (!match) throw new Error(`${args.path}: not the generated catalog shape (export const name: Catalog = {...};)`);
      const { source, operations, schemas, ...rest } = JSON.parse(match[2]);
      if (Object.keys(rest).length) throw new Error(`${args.path}: unexpected catalog keys ${Object.keys(rest).join(', ')}`);
      const api = match[1].replace(/Catalog$/, '');
      // The component schemas are parsed when a tool's input is first built (SchemaBuilder), not at start-up.
      return {
        contents: `import { readFileSync } from 'node:fs'; let schemas; export const ${match[1]} = { source: ${JSON.stringify(source)}, operations: ${jsonFile(`${api}-operations`, operations)}, get schemas() { return (schemas ??= ${jsonFile(`${api}-schemas`, schemas)}); } };`,
        loader: 'js',
      };
    });
    // The response shapes (`export const name: ResponseCatalog = {…};`) become `dist/<api>-responses.json` the same
    // way, read by their chunk, which describe_tool's first output schema or the first `fields` loads (the demo's fake
    // reads it at its start).
    builder.onLoad({ filter: /responses\.generated\.ts$/ }, (args) => {
      const match = /^export const (\w+): ResponseCatalog = (\{[\s\S]*\});\s*$/m.exec(readFileSync(args.path, 'utf8'));
      if (!match) throw new Error(`${args.path}: not the generated response shape (export const name: ResponseCatalog = {...};)`);
      const { responses, schemas, ...rest } = JSON.parse(match[2]);
      if (Object.keys(rest).length) throw new Error(`${args.path}: unexpected response catalog keys ${Object.keys(rest).join(', ')}`);
      const api = match[1].replace(/Responses$/, '');
      return { contents: `import { readFileSync } from 'node:fs'; export const ${match[1]} = ${jsonFile(`${api}-responses`, { responses, schemas })};`, loader: 'js' };
    });
  },
};

/**
 * zod's namespace re-exports every locale (`z.locales`, some 40 modules and 300 KB), which a bundler cannot drop
 * because the namespace is used as a whole; nothing here uses a locale but English, zod's default, so the locale index
 * becomes English alone. Start-up compiled 300 KB less (bench:startup; the README's Development section).
 */
const zodEnglishOnly = {
  name: 'zod-english-only',
  setup(builder) {
    builder.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, (args) =>
      /[\\/]zod[\\/]v4[\\/](classic|core|mini)[\\/]/.test(args.importer) ? { path: 'zod-locales', namespace: 'zod-english-only', pluginData: args.resolveDir } : undefined,
    );
    builder.onLoad({ filter: /.*/, namespace: 'zod-english-only' }, (args) => ({
      contents: "export { default as en } from '../locales/en.js';",
      resolveDir: args.pluginData,
      loader: 'js',
    }));
  },
};

/**
 * pino's transports run in a worker (thread-stream, which loads worker_threads at start); this server writes its log
 * to stderr synchronously and never starts a transport, so the module becomes one that says so if ever used.
 */
const pinoWithoutTransports = {
  name: 'pino-without-transports',
  setup(builder) {
    builder.onResolve({ filter: /^thread-stream$/ }, () => ({ path: 'thread-stream', namespace: 'pino-without-transports' }));
    builder.onLoad({ filter: /.*/, namespace: 'pino-without-transports' }, () => ({
      contents: "module.exports = class ThreadStream { constructor() { throw new Error('pino transports are not part of this build: the log goes to stderr'); } };",
      loader: 'js',
    }));
  },
};

/** V8 scans and compiles a one-byte (ASCII) source faster than a two-byte one; a stray character in a regular expression would make the whole chunk two-byte. */
function assertAscii(dir) {
  for (const name of readdirSync(dir).filter((f) => f.endsWith('.js'))) {
    const text = readFileSync(`${dir}/${name}`, 'latin1');
    const at = text.search(/[^\x00-\x7f]/);
    if (at >= 0) throw new Error(`${dir}/${name} has a non-ASCII character at ${at} (…${text.slice(Math.max(0, at - 40), at + 10)}…): write it as a \\u escape in the source`);
  }
}

const shared = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  logLevel: 'warning',
  // Whitespace and syntax only: V8 compiled the identifier-mangled bundle slower at start-up than the readable one
  // (bench:startup). Names stay as written (no keepNames: its 2,400 __name() calls ran at every start; only the few
  // identifiers esbuild renames to avoid a clash get a numeric suffix).
  minifyWhitespace: process.env.BUNDLE_MINIFY !== '0',
  minifySyntax: process.env.BUNDLE_MINIFY !== '0',
  // Licence notices go to a .LEGAL.txt beside each bundle file (shipped with it), which keeps the code itself ASCII.
  legalComments: 'external',
  plugins: [catalogsAsJson, zodEnglishOnly, pinoWithoutTransports],
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
  // (jsonc-parser, which finds a --config file's duplicate keys, is required from its package when one is read.)
  external: ['@keyv/redis', 'undici', 'oidc-provider'],
});
// The fake Pinterest API (fakes/, outside the product): what `--demo` serves, and what benchmarks start.
await build({ ...shared, entryPoints: ['fakes/pinterest/server.ts'], outfile: 'dist/fake-api.js' });
// (An unminified build keeps our comments, whose dashes and quotes are not ASCII: only the shipped build is checked.)
if (process.env.BUNDLE_MINIFY !== '0') assertAscii('dist');
