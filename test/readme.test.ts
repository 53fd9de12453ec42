// The README stays true: its quick start is two commands, CI runs its test command, and it documents every setting.
import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { SETTINGS } from '../src/config.js';
import { toolsOfClass } from '../src/guards/classification.js';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const quickStart = readme.split('## Quick start')[1].split('```')[1];
const configurationTable = readme.split('## Configuration')[1].split('\n## ')[0];

it('has a quick start of exactly two commands, and CI runs the test one verbatim', () => {
  const commands = quickStart.split('\n').map((l) => l.replace(/#.*$/, '').trim()).filter((l) => l && l !== 'sh');
  expect(commands).toEqual(['npm ci && npm run demo', 'npm ci && npm test']);
  expect(readFileSync(new URL('../.ci/run', import.meta.url), 'utf8')).toContain('\nnpm ci && npm test\n');
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
  for (const cls of ['spend', 'entity', 'destructive'] as const) {
    const row = section.split('\n').find((line) => line.startsWith(`| ${cls} |`));
    expect(row, cls).toBeDefined();
    const named = [...row!.split(" | ")[1].matchAll(/`([a-z_]+)`/g)].map((m) => m[1]).sort();
    expect(named, cls).toEqual(toolsOfClass(cls));
  }
});
