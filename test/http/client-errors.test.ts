// The shared client as the model sees it: missing credentials, sandbox limits, API errors, and secrets kept out.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, TOKEN, USD_ACCOUNT, startInProcess, startStdio } from '../helpers/harness.js';

describe('credentials', () => {
  it('starts and lists tools without a token; calls say how to set one and send nothing', async () => {
    const h = await startInProcess({ env: { PINTEREST_ACCESS_TOKEN: '' } });
    try {
      expect((await h.client.listTools()).tools.length).toBeGreaterThan(10);
      const result = await h.call('ad_accounts_list', {});
      expect(result.isError).toBe(true);
      expect(result.text).toMatch(/PINTEREST_ACCESS_TOKEN/);
      expect(h.emulator.requests).toHaveLength(0);
    } finally {
      await h.close();
    }
  });
});

describe('sandbox', () => {
  it('refuses operations the sandbox does not serve, before sending', async () => {
    const h = await startInProcess({ args: ['--toolsets', 'all'], env: { PINTEREST_SANDBOX: '1' } });
    try {
      const refused = await h.call('audience_insights_get', { ad_account_id: USD_ACCOUNT, audience_insight_type: 'YOUR_TOTAL_AUDIENCE' });
      expect(refused.isError).toBe(true);
      expect(refused.text).toMatch(/not available in the Pinterest sandbox/);
      expect(h.emulator.requests).toHaveLength(0);
      const served = await h.call('ad_accounts_get', { ad_account_id: USD_ACCOUNT });
      expect(served.isError, served.text).toBeFalsy();
    } finally {
      await h.close();
    }
  });
});

describe('API errors and secrets (built server over stdio, debug logs)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startStdio({ args: ['--toolsets', 'all', '--log-level', 'debug'] });
  });
  afterAll(() => h?.close());

  it('maps a Pinterest error to an isError result with status, code, message and a hint', async () => {
    h.emulator.inject({ operationId: 'campaigns/list', status: 403, body: { code: 29, message: 'You are not permitted to access that resource.' } });
    const result = await h.call('campaigns_list', { ad_account_id: USD_ACCOUNT });
    expect(result.isError).toBe(true);
    expect(result.text).toMatch(/Pinterest API error 403 \(code 29\): You are not permitted to access that resource\./);
    expect(result.text).toMatch(/ads:read/);
    expect(result.structuredContent).toMatchObject({ error: 'http', status: 403, code: 29 });
  });

  it('maps a 404 for an unknown account', async () => {
    const result = await h.call('ad_accounts_get', { ad_account_id: '123' });
    expect(result.isError).toBe(true);
    expect(result.text).toMatch(/Pinterest API error 404/);
  });

  it('never shows the access token in results or logs', async () => {
    const results = [
      await h.call('ad_accounts_get', { ad_account_id: USD_ACCOUNT }),
      await h.call('campaigns_list', { ad_account_id: 'bad' }),
      await h.call('ad_groups_update', { ad_account_id: USD_ACCOUNT, body: [{ id: '2680059592701', budget: '11' }] }),
    ];
    expect(h.stderr()).toContain('api call'); // debug logs were written, so their absence of the token means something
    for (const r of results) expect(JSON.stringify(r)).not.toContain(TOKEN);
    expect(h.stderr()).not.toContain(TOKEN);
  });
});

describe('stdio hygiene', () => {
  it('writes nothing but JSON-RPC messages to stdout, even at debug level', async () => {
    const { spawn } = await import('node:child_process');
    const { startEmulator } = await import('../../fakes/pinterest/server.js');
    const { SERVER_ENTRY } = await import('../helpers/harness.js');
    const emulator = await startEmulator();
    const child = spawn(process.execPath, [SERVER_ENTRY, '--log-level', 'debug'], {
      env: { PATH: process.env.PATH ?? '', PINTEREST_API_BASE_URL: emulator.url, PINTEREST_ACCESS_TOKEN: TOKEN },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const send = (msg: object) => child.stdin.write(`${JSON.stringify({ jsonrpc: '2.0', ...msg })}\n`);
    send({ id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 't', version: '1' } } });
    send({ method: 'notifications/initialized' });
    send({ id: 2, method: 'tools/list' });
    send({ id: 3, method: 'tools/call', params: { name: 'ad_accounts_get', arguments: { ad_account_id: USD_ACCOUNT } } });
    await new Promise<void>((resolve) => {
      const check = () => (stdout.includes('"id":3') ? resolve() : setTimeout(check, 20));
      check();
    });
    child.stdin.end();
    await new Promise((resolve) => child.once('exit', resolve));
    await emulator.close();
    const lines = stdout.split('\n').filter(Boolean);
    expect(lines.length).toBe(3);
    for (const line of lines) expect(JSON.parse(line)).toMatchObject({ jsonrpc: '2.0' });
    expect(stderr).toContain('api call'); // the debug logs went to stderr
  });
});
