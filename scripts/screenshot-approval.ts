// Writes the README's picture of the approval page (docs/approval-page.png): the demo server over HTTP, one held write, headless Chromium.
//
// Run on request only (`npm run screenshot:approval`, which builds first); tests never write into the tree.
// Chromium: /usr/bin/chromium, or CHROMIUM_PATH. Output: docs/approval-page.png, or the path given as the argument.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { chromium } from 'playwright-core';

const root = resolve(import.meta.dirname, '..');
const entry = resolve(root, 'dist/index.js');
const output = resolve(process.argv[2] ?? resolve(root, 'docs/approval-page.png'));
const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
if (!existsSync(entry)) throw new Error('dist/index.js is missing: run `npm run build` first (npm run screenshot:approval does)');
if (!existsSync(chromiumPath)) throw new Error(`Chromium not found at ${chromiumPath}: install it or set CHROMIUM_PATH`);

// Stateful HTTP, so that the page can name the client that asked (its initialize is remembered per session).
// The demo's seeded USD account and its active campaign (fakes/pinterest/state.ts).
const ACCOUNT = '549755885175';
const CAMPAIGN = '687195134101';
const approverToken = randomBytes(24).toString('hex');

const server = spawn(process.execPath, [entry, '--demo', '--transport', 'http', '--port', '0', '--stateful'], {
  env: { PATH: process.env.PATH ?? '', PINTEREST_MCP_LOG_LEVEL: 'info', PINTEREST_MCP_APPROVER_TOKEN: `you=${approverToken}` },
  stdio: ['ignore', 'ignore', 'pipe'],
});
let log = '';
try {
  const mcpUrl = await new Promise<string>((done, fail) => {
    const timer = setTimeout(() => fail(new Error(`the demo server did not start:\n${log}`)), 20_000);
    server.stderr.on('data', (chunk: Buffer) => {
      log += chunk.toString('utf8');
      const match = /"url":"(http:[^"]+\/mcp)","mode"/.exec(log);
      if (match) {
        clearTimeout(timer);
        done(match[1]);
      }
    });
    server.once('exit', (code) => fail(new Error(`the demo server exited with ${code}:\n${log}`)));
  });
  const base = new URL(mcpUrl).origin;

  // An assistant asks for a new ad group: the guard holds it for a person.
  const client = new Client({ name: 'example-assistant', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(mcpUrl)));
  const held = await client.callTool({
    name: 'ad_groups_create',
    arguments: {
      ad_account_id: ACCOUNT,
      body: [
        {
          campaign_id: CAMPAIGN,
          name: 'Winter sale – US women 25-44',
          budget: '20.00',
          bid: '1.50',
          billable_event: 'CLICKTHROUGH',
          targeting_spec: { GEO: ['US'], GENDER: ['female'], AGE_BUCKET: ['25-34', '35-44'] },
        },
      ],
    },
  });
  const approvalId = (held.structuredContent as { approval_id?: string } | undefined)?.approval_id;
  if (!approvalId) throw new Error(`the write was not held for approval: ${JSON.stringify(held)}`);
  await client.close();

  const browser = await chromium.launch({ executablePath: chromiumPath, args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'] });
  try {
    const page = await (await browser.newContext({ viewport: { width: 1100, height: 900 }, deviceScaleFactor: 1 })).newPage();
    await page.goto(`${base}/approvals`);
    await page.getByLabel('Approver token').fill(approverToken);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${base}/approvals`);
    await page.goto(`${base}/approvals/${approvalId}`);
    await page.screenshot({ path: output, fullPage: true });
    process.stdout.write(`wrote ${output}\n`);
  } finally {
    await browser.close();
  }
} finally {
  server.kill();
}
