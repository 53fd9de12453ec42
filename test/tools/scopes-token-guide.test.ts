// docs/getting-a-token.md stays true: its generated scope table and sandbox list match the catalog, and it names every credential variable.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { pinterestApi, whopApi } from '../../src/apis/index.js';
import {
  extractGenerated,
  markers,
  sandboxLacks,
  scopesByToolset,
  tokenGuideSections,
  tokenGuideTables,
  updateTokenGuide,
} from '../../src/tools/scopes.js';
import type { OperationFacts } from '../../src/apis/types.js';
import { SETTINGS } from '../../src/config/index.js';
import { type ToolDef, buildTools } from '../../src/tools/registry.js';
import { DEFAULT_TOOLSETS, TOOLSETS } from '../../src/apis/toolsets.js';

const PINTEREST_OAUTH_SCHEME = pinterestApi.oauthScheme;
const doc = readFileSync(new URL('../../docs/getting-a-token.md', import.meta.url), 'utf8');
const tools = buildTools(pinterestApi);
const STALE = 'docs/getting-a-token.md differs from the catalog: run `npm run generate:docs`';

/** The text between one pair of markers in the document. */
function section(text: string, name: 'scopes' | 'sandbox'): string {
  const { start, end } = markers(name);
  return text.split(start)[1].split(end)[0];
}

/** The scope table's rows: toolset, default mark, and the scopes named in each cell. */
function tableRows(text: string) {
  return section(text, 'scopes')
    .split('\n')
    .filter((line) => /^\| `[a-z_]+` \|/.test(line))
    .map((line) => {
      const [toolset, isDefault, read, write] = line.slice(2, -2).split(' | ');
      const scopes = (cell: string) => [...cell.matchAll(/`([a-z_]+:[a-z_]+)`/g)].map((m) => m[1]);
      return { toolset: toolset.replaceAll('`', ''), isDefault: isDefault.trim() === 'yes', read: scopes(read), write: scopes(write) };
    });
}

function oauthScopes(op: OperationFacts): string[] {
  return op.auth.filter((a) => a.scheme === PINTEREST_OAUTH_SCHEME).flatMap((a) => a.scopes);
}

const pinterestToolsets = Object.keys(TOOLSETS).filter((name) => tools.some((tool) => tool.toolset === name));

it('has generated sections equal to tokenGuideTables of the catalog', () => {
  expect(extractGenerated(doc), STALE).toBe(tokenGuideTables(tools));
  expect(updateTokenGuide(doc, tools), STALE).toBe(doc);
});

it('has one row per Pinterest toolset, in the order of TOOLSETS, and no row for whop', () => {
  const rows = tableRows(doc);
  expect(rows.map((row) => row.toolset)).toEqual(pinterestToolsets);
  expect(pinterestToolsets).toEqual(Object.keys(TOOLSETS).filter((name) => name !== 'whop'));
});

it('names every scope of the catalog in the table, and each tool’s scopes in its own row and column', () => {
  const table = section(doc, 'scopes');
  const catalogScopes = new Set(pinterestApi.catalog.operations.flatMap(oauthScopes));
  expect(catalogScopes.size).toBeGreaterThan(10);
  for (const scope of catalogScopes) expect(table, scope).toContain(`\`${scope}\``);

  // Every Pinterest operation has a single pinterest_oauth2 requirement, whose scopes are all required.
  const rows = new Map(tableRows(doc).map((row) => [row.toolset, row]));
  for (const tool of tools) {
    const row = rows.get(tool.toolset)!;
    const cell = tool.writes ? row.write : row.read;
    for (const scope of oauthScopes(tool.op)) expect(cell, `${tool.name} needs ${scope}`).toContain(scope);
  }
});

it('marks exactly the DEFAULT_TOOLSETS as default, and the default scope= line covers their tools', () => {
  const rows = tableRows(doc);
  expect(rows.filter((row) => row.isDefault).map((row) => row.toolset)).toEqual([...DEFAULT_TOOLSETS]);

  const lines = [...section(doc, 'scopes').matchAll(/^scope=(.+)$/gm)].map((m) => m[1].split(','));
  expect(lines).toHaveLength(2);
  const [every, readOnly] = lines;
  const defaults = tools.filter((tool) => DEFAULT_TOOLSETS.includes(tool.toolset));
  expect(every).toEqual([...new Set(defaults.flatMap((tool) => oauthScopes(tool.op)))].sort());
  expect(readOnly).toEqual([...new Set(defaults.filter((tool) => !tool.writes).flatMap((tool) => oauthScopes(tool.op)))].sort());
});

it('lists under each toolset exactly the tools the sandbox does not serve', () => {
  const listed = new Map(
    [...section(doc, 'sandbox').matchAll(/^- `([a-z_]+)` \(\d+\): (.+)$/gm)].map((m) => [m[1], [...m[2].matchAll(/`([a-z_0-9]+)`/g)].map((t) => t[1])]),
  );
  const expected = new Map<string, string[]>();
  for (const tool of tools.filter((t) => t.op.sandbox === 'disabled')) expected.set(tool.toolset, [...(expected.get(tool.toolset) ?? []), tool.name]);
  expect(expected.size).toBeGreaterThan(0);
  expect([...listed.keys()]).toEqual(pinterestToolsets.filter((name) => expected.has(name)));
  for (const [toolset, names] of expected) expect(listed.get(toolset), toolset).toEqual(names.sort());
});

it('mentions every credential variable, with its --help line where it quotes one', () => {
  for (const variable of ['PINTEREST_ACCESS_TOKEN', 'PINTEREST_APP_ID', 'PINTEREST_APP_SECRET', 'PINTEREST_REFRESH_TOKEN', 'PINTEREST_SANDBOX', 'WHOP_API_KEY']) {
    expect(doc, variable).toContain(`\`${variable}\``);
  }
  const settings = Object.values(SETTINGS) as { env?: string; help: string; secret?: true }[];
  for (const row of doc.split('## 3. What to set')[1].split('\n## ')[0].matchAll(/^\| `([A-Z_]+)` \| (yes|no) \| (.+) \|$/gm)) {
    const setting = settings.find((s) => s.env === row[1]);
    expect(setting, row[1]).toBeDefined();
    expect(row[3], row[1]).toBe(setting!.help);
    expect(row[2] === 'yes', `${row[1]} secret`).toBe(setting!.secret === true);
  }
});

describe('the check can fail', () => {
  it('notices a changed scope, a missing row and missing markers', () => {
    const generated = section(doc, 'scopes');
    const tampered = doc.replace(generated, generated.replace('`ads:write`', '`ads:read`'));
    expect(tampered).not.toBe(doc);
    expect(extractGenerated(tampered)).not.toBe(tokenGuideTables(tools));
    const rowless = doc.replace(/^\| `keywords` \|.*\n/m, '');
    expect(tableRows(rowless).map((row) => row.toolset)).not.toEqual(pinterestToolsets);
    expect(() => extractGenerated(doc.replace(markers('sandbox').end, ''))).toThrow(/generated:sandbox/);
    expect(updateTokenGuide(tampered, tools)).toBe(doc);
  });

  it('renders alternative requirements as "one of", and ignores schemes other than pinterest_oauth2', () => {
    const base = tools.find((tool) => tool.name === 'campaigns_list')!;
    const fake = (name: string, writes: boolean, auth: OperationFacts['auth']): ToolDef =>
      ({ ...base, name, writes, op: { ...base.op, auth } }) as ToolDef;
    const sample = [
      fake('a_read', false, [{ scheme: PINTEREST_OAUTH_SCHEME, scopes: ['ads:read'] }]),
      fake('b_read', false, [
        { scheme: PINTEREST_OAUTH_SCHEME, scopes: ['pins:read', 'boards:read'] },
        { scheme: PINTEREST_OAUTH_SCHEME, scopes: ['catalogs:read'] },
        { scheme: 'client_credentials', scopes: ['billing:read'] },
      ]),
      fake('c_read', false, [
        { scheme: PINTEREST_OAUTH_SCHEME, scopes: ['ads:read'] },
        { scheme: PINTEREST_OAUTH_SCHEME, scopes: ['ads:write'] },
      ]),
      fake('d_write', true, [{ scheme: 'conversion_token', scopes: [] }]),
    ];
    const [row] = scopesByToolset(sample);
    expect(row.read.all).toEqual(['ads:read']);
    // c_read is covered by a_read's ads:read; b_read is not covered.
    expect(row.read.oneOf).toEqual([{ tools: ['b_read'], alternatives: [['boards:read', 'pins:read'], ['catalogs:read']] }]);
    expect(row.write.noOAuth).toEqual(['d_write']);
    const text = tokenGuideSections(sample).scopes;
    expect(text).toContain('`ads:read`; one of (`boards:read` + `pins:read`) or (`catalogs:read`) for `b_read`');
    expect(text).not.toContain('billing:read');
    expect(text).toMatch(/^scope=ads:read,catalogs:read$/m);
  });

  it('leaves Whop tools out of both sections', () => {
    const both = [...tools, ...buildTools(whopApi)];
    expect(tokenGuideTables(both)).toBe(tokenGuideTables(tools));
    expect(sandboxLacks(both)).toEqual(sandboxLacks(tools));
  });
});
