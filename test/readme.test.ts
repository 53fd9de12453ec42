// The README stays true: its quick start is two commands, CI runs its test command, and it documents every flag.
import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { OPTIONS } from '../src/config.js';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const quickStart = readme.split('## Quick start')[1].split('```')[1];

it('has a quick start of exactly two commands, and CI runs the test one verbatim', () => {
  const commands = quickStart.split('\n').map((l) => l.replace(/#.*$/, '').trim()).filter((l) => l && l !== 'sh');
  expect(commands).toEqual(['npm ci && npm run demo', 'npm ci && npm test']);
  expect(readFileSync(new URL('../.ci/run', import.meta.url), 'utf8')).toContain('\nnpm ci && npm test\n');
});

it('documents every flag in its configuration table', () => {
  const missing = Object.keys(OPTIONS).filter((flag) => flag !== 'help' && !readme.includes(`\`--${flag}\``));
  expect(missing).toEqual([]);
  for (const option of Object.values(OPTIONS)) if (option.env) expect(readme).toContain(option.env);
});
