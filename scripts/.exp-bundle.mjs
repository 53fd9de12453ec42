import { readFileSync } from 'node:fs';
import { build } from 'esbuild';
const out = process.argv[2];
const catalogsAsJson = { name: 'c', setup(b) { b.onLoad({ filter: /catalog\.generated\.ts$/ }, (args) => { const m = /^export const (\w+): Catalog = (\{[\s\S]*\});\s*$/m.exec(readFileSync(args.path, 'utf8')); return { contents: `export const ${m[1]} = JSON.parse(${JSON.stringify(JSON.stringify(JSON.parse(m[2])))});`, loader: 'js' }; }); } };
const noLocales = { name: 'l', setup(b) { b.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, (a) => /zod\/v4\/(classic|core|mini)\//.test(a.importer) ? { path: 'zod-locales', namespace: 'stub' } : undefined); b.onLoad({ filter: /.*/, namespace: 'stub' }, () => ({ contents: `export { default as en } from ${JSON.stringify(process.cwd() + '/node_modules/zod/v4/locales/en.js')};`, loader: 'js', resolveDir: process.cwd() })); } };
const plugins = [catalogsAsJson]; if (process.env.EXP_LOCALES) plugins.push(noLocales);
await build({ bundle: true, platform: 'node', format: 'esm', target: 'node20', logLevel: 'warning', minifyWhitespace: !process.env.EXP_RAW, minifySyntax: !process.env.EXP_RAW, keepNames: true, plugins,
  banner: { js: "import { createRequire as __createRequire } from 'node:module';\nconst require = __createRequire(import.meta.url);" },
  entryPoints: { index: 'src/cli/index.ts' }, outdir: out, splitting: true, chunkNames: '[name]-[hash]', external: ['@keyv/redis', 'undici'], alias: { 'jsonc-parser': 'jsonc-parser/lib/esm/main.js' } });
