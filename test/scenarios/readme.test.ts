// The README stays true: its quick start is two commands, CI runs its test command, and it documents every setting.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { pinterestApi } from '../../src/apis/index.js';
import { SETTINGS, loadConfig } from '../../src/config/index.js';
import { toolsOfClass } from '../../src/apis/classification.js';
import { buildTools } from '../../src/tools/registry.js';
import { DEFAULT_TOOLSETS, TOOLSETS } from '../../src/apis/toolsets.js';
import { tempDir } from '../helpers/temp.js';

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
const quickStart = readme.split('## Quick start')[1].split('```')[1];
const configurationTable = readme.split('## Configuration')[1].split('\n## ')[0];

it('has a quick start of exactly two commands, and CI runs the test one verbatim', () => {
  const commands = quickStart.split('\n').map((l) => l.replace(/#.*$/, '').trim()).filter((l) => l && l !== 'sh');
  expect(commands).toEqual(['npm ci && npm run demo', 'npm ci && npm test']);
  expect(readFileSync(new URL('../../.ci/run', import.meta.url), 'utf8')).toContain('\nnpm ci && npm test\n');
});

it('documents every setting (its flag and its environment variable) in its configuration table', () => {
  const settings = Object.values(SETTINGS) as { flag?: string; env?: string }[];
  const missingFlags = settings.flatMap((s) => (s.flag && !configurationTable.includes(`\`--${s.flag}\``) ? [s.flag] : []));
  const missingEnv = settings.flatMap((s) => (s.env && !configurationTable.includes(`\`${s.env}\``) ? [s.env] : []));
  expect(missingFlags).toEqual([]);
  expect(missingEnv).toEqual([]);
});

it('lists the tools of each held write class exactly as the classification table has them', () => {
  const section = readme.split('## Money and confirmations')[1].split('## Configuration')[0];
  for (const cls of ['spend', 'access', 'entity', 'data', 'destructive'] as const) {
    const row = section.split('\n').find((line) => line.startsWith(`| ${cls} |`));
    expect(row, cls).toBeDefined();
    const named = [...row!.split(" | ")[1].matchAll(/`([a-z_]+)`/g)].map((m) => m[1]).sort();
    expect(named, cls).toEqual(toolsOfClass(cls));
  }
  // Every class has its row, saying when it is held and why.
  for (const cls of ['spend', 'access', 'entity', 'data', 'destructive', 'neutral', 'unclassified']) {
    const cells = section.split('\n').find((line) => line.startsWith(`| ${cls} |`))?.split(' | ');
    expect(cells, cls).toHaveLength(4);
    expect(cells![3].replace(/ \|$/, '').length, cls).toBeGreaterThan(10);
  }
});

it('states the catalog: its version, how many operations are tools, which are not and why, and every toolset', () => {
  const { operations, source } = pinterestApi.catalog;
  const tools = buildTools(pinterestApi);
  expect(readme).toContain(`REST API v5 (v${source.version}`);
  expect(readme).toContain(`one tool per API operation (${tools.length} of ${operations.length})`);
  const notTools = readme.split('- **Not tools**:')[1].split('\n- **')[0];
  expect([...notTools.matchAll(/`([a-z_/]+)`/g)].map((m) => m[1]).sort()).toEqual(Object.keys(pinterestApi.excluded).sort());
  const toolsets = readme.split('### Toolsets and context size')[1].split('\n\n')[1];
  const listed = [...toolsets.matchAll(/`([a-z_]+)`(\*?)/g)].map((m) => m[1] + m[2]);
  const expected = Object.keys(TOOLSETS).map((name) => name + ((DEFAULT_TOOLSETS as readonly string[]).includes(name) ? '*' : ''));
  expect(listed.sort()).toEqual(expected.sort());
  const defaults = tools.filter((t) => (DEFAULT_TOOLSETS as readonly string[]).includes(t.toolset)).length;
  expect(readme).toContain(`the default selection (${defaults} tools, plus `);
});

it('points a new user to the token guide, --version and --help, and names what the first minutes show', () => {
  const quick = readme.split('## Quick start')[1].split('\n## ')[0];
  expect(quick).toContain('[docs/getting-a-token.md](docs/getting-a-token.md)');
  expect(existsSync(new URL('../../docs/getting-a-token.md', import.meta.url))).toBe(true);
  expect(quick).toMatch(/--version` prints the version; `--help` every flag, variable and toolset/);
  expect(quick).toMatch(/instructions\]\(src\/server\/instructions\.ts\) at initialize/);
  expect(configurationTable).toMatch(/\*\*Config file\.\*\* `--config settings\.json`/);
  expect(configurationTable).toMatch(/\*\*Start-up line\.\*\*/);
  // The config file example is one the server accepts, meaning what it says.
  const file = join(tempDir('readme-'), 'settings.json');
  writeFileSync(file, configurationTable.split('```json')[1].split('```')[0]);
  const config = loadConfig(['--config', file], {});
  expect(config.toolsets).toEqual(['default', 'pins']);
  expect(config.excludeTools).toEqual(['campaigns_create']);
  expect(config.caps).toEqual({ daily_budget: { byCurrency: { USD: '50', JPY: '7500' } }, bid: { byCurrency: { USD: '2' } } });
  const toolsets = readme.split('### Toolsets and context size')[1].split('\n## ')[0];
  expect(toolsets).toMatch(/`--toolsets default,pins` adds to the default selection/);
  expect(toolsets).toMatch(/through `call_tool`, with the `confirmation_token` or\n`approval_id` inside `arguments`/);
});
