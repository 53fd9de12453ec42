// The layers of src/ point down: a module imports only from its own folder or from a lower level (README "Layout").
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { codeWords } from './helpers/code-words.js';
import { APIS } from '../src/apis/index.js';

const root = resolve(import.meta.dirname, '..');
const src = join(root, 'src');

/** Each top-level folder of src/ and its level, lowest first. Siblings on one level do not import each other. */
export const LEVELS: Record<string, number> = {
  core: 0,
  money: 1,
  apis: 2,
  config: 3,
  http: 4,
  tools: 4,
  guard: 5,
  calls: 6,
  approval: 7,
  server: 8,
  transports: 9,
  cli: 10,
};

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sourceFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));
}

/** The part of src/ a file belongs to: its top-level folder. */
const partOf = (file: string): string => relative(src, file).split('/')[0];

interface Edge {
  from: string;
  to: string;
  specifier: string;
}

/** Every relative import of every module below `dir` (static, type-only, re-exports and dynamic `import()`), resolved to a file. */
function edges(dir = src): Edge[] {
  return sourceFiles(dir).flatMap((file) =>
    ts
      .preProcessFile(readFileSync(file, 'utf8'), true, true)
      .importedFiles.map((i) => i.fileName)
      .filter((s) => s.startsWith('.'))
      .map((specifier) => ({ from: file, to: resolve(dirname(file), specifier).replace(/\.js$/, '.ts'), specifier })),
  );
}

/** The imports that point up a level, or across to a sibling on the same level. */
function upward(list: Edge[]): string[] {
  return list
    .filter((e) => e.to.startsWith(src + '/'))
    .filter((e) => partOf(e.from) !== partOf(e.to) && LEVELS[partOf(e.to)] >= LEVELS[partOf(e.from)])
    .map((e) => `${relative(root, e.from)} (${partOf(e.from)}) -> ${relative(root, e.to)} (${partOf(e.to)})`);
}

describe('architecture', () => {
  const all = edges();

  it('reads the imports it checks (the parser sees static, type-only and dynamic imports)', () => {
    expect(all.length).toBeGreaterThan(200);
    const cli = all.filter((e) => partOf(e.from) === 'cli').map((e) => e.specifier);
    expect(cli).toContain('../transports/http.js'); // a dynamic import()
  });

  it('names a level for every part of src/', () => {
    const parts = [...new Set(sourceFiles(src).map(partOf))].sort();
    expect(parts.filter((p) => LEVELS[p] === undefined)).toEqual([]);
  });

  it('imports nothing from outside src/ (fakes, tests, scripts stay out of the product)', () => {
    const outside = all.filter((e) => !e.to.startsWith(src + '/')).map((e) => `${relative(root, e.from)} -> ${e.specifier}`);
    expect(outside).toEqual([]);
  });

  it('points down: each import is of its own folder or of a lower level', () => {
    expect(upward(all)).toEqual([]);
  });

  it('keeps the fakes (outside the product) on types, catalogs and helpers: fakes/ imports nothing of src/ above apis', () => {
    const fromFakes = edges(join(root, 'fakes'));
    expect(fromFakes.filter((e) => e.to.startsWith(src + '/')).length).toBeGreaterThan(10);
    const above = fromFakes
      .filter((e) => e.to.startsWith(src + '/') && !(LEVELS[partOf(e.to)] <= LEVELS.apis))
      .map((e) => `${relative(root, e.from)} -> ${relative(root, e.to)} (${partOf(e.to)})`);
    expect(above).toEqual([]);
  });

  it('would catch an import that points up, or across to a sibling', () => {
    const edge = (from: string, to: string): Edge => ({ from: join(src, from), to: join(src, to), specifier: to });
    expect(upward([edge('core/json.ts', 'server/app.ts'), edge('http/client.ts', 'tools/registry.ts'), edge('guard/guard.ts', 'core/json.ts')])).toEqual([
      'src/core/json.ts (core) -> src/server/app.ts (server)',
      'src/http/client.ts (http) -> src/tools/registry.ts (tools)',
    ]);
  });
});

/** How each API could be named in code: its id as a string, a tool name with its prefix, an identifier that starts with its id. */
const API_NAMES = APIS.map((api) => {
  const lower = api.id.toLowerCase();
  const capital = lower.charAt(0).toUpperCase() + lower.slice(1);
  return {
    id: lower,
    prefix: api.toolPrefix,
    // `whop`, `whopNamed`, `Whop`, `WHOP_CURRENCY`, `whop_x`; not `whopper`.
    identifier: new RegExp(`^(?:${lower}|${capital})(?=$|[A-Z_0-9])|^${lower.toUpperCase()}(?=$|_)`),
  };
});

/**
 * Where a module names an API in code (comments and prose inside longer strings do not count): a string that is an
 * API's id (`=== 'whop'`), a string that starts with an API's tool prefix (`'whop_ads_get'`), or an identifier that
 * starts with an API's id (`WHOP_CURRENCY_SOURCES`, `whopNamed`, `config.pinterest`). One entry per name and line.
 */
function apiNamings(file: string, text: string): string[] {
  const found = new Set<string>();
  for (const word of codeWords(file, text) ?? []) {
    if (word.kind === 'literal' && API_NAMES.some((api) => word.text.toLowerCase() === api.id || (api.prefix !== '' && word.text.startsWith(api.prefix)))) {
      found.add(`${file}:${word.line} ${JSON.stringify(word.text)}`);
    } else if (word.kind === 'identifier' && API_NAMES.some((api) => api.identifier.test(word.text))) {
      found.add(`${file}:${word.line} ${word.text}`);
    }
  }
  return [...found];
}

describe('no generic module names an API', () => {
  const generic = sourceFiles(src).filter((file) => !relative(src, file).startsWith('apis/'));

  it('finds no API id, tool prefix or identifier named after an API in src/ outside src/apis (all API knowledge is in its adapter)', () => {
    const named = generic.flatMap((file) => apiNamings(relative(root, file), readFileSync(file, 'utf8')));
    expect(named).toEqual([]);
    expect(generic.length).toBeGreaterThan(50);
  });

  it('would catch a comparison with an id, a tool name, a table and a hook named after an API, but not prose or comments', () => {
    const code = [
      "if (tool.api.id === 'whop') return [];",
      "const reader = { tool: 'whop_ads_get' };",
      'export const PINTEREST_STATUS = 1;',
      'function whopNamed() {}',
      "const text = 'Pinterest Ads API v5 as tools'; // compare with 'whop' here",
      "const whopper = 'pinterest-api-mcp';",
    ].join('\n');
    expect(apiNamings('x.ts', code)).toEqual(['x.ts:1 "whop"', 'x.ts:2 "whop_ads_get"', 'x.ts:3 PINTEREST_STATUS', 'x.ts:4 whopNamed']);
  });
});
