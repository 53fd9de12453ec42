// The offline demo (`npm run demo`, the README's first command) runs end to end and shows the money path.
import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';

it('lists tools, previews "$50/day", confirms once and shows the micro amounts Pinterest received', async () => {
  const root = resolve(import.meta.dirname, '../..');
  const { stdout } = await promisify(execFile)(resolve(root, 'node_modules/.bin/tsx'), ['scripts/demo.ts'], {
    cwd: root,
    env: { PATH: process.env.PATH ?? '' }, // no Pinterest token: the demo needs none
  });
  expect(stdout).toMatch(/Connected: \d+ tools listed/);
  expect(stdout).toMatch(/Confirmation required: campaigns_create .*\(USD\)/);
  expect(stdout).toMatch(/becomes 50000000 micro-units/);
  expect(stdout).toMatch(/Pinterest received and stored campaign \d+: daily_spend_cap 50000000 micro-units/);
  expect(stdout).toMatch(/Refused: this confirmation_token is unknown, already used or expired/);
});
