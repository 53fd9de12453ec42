// Streamable HTTP transport: MCP over /mcp, stateless and stateful, Host/Origin/bearer checks, limits, health, shutdown.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../../src/config/index.js';
import { type Emulator, startEmulator } from '../../fakes/pinterest/server.js';
import { assertSafeBinding, isLoopbackHost } from '../../src/transports/http.js';
import { SERVER_ENTRY, TOKEN, USD_ACCOUNT } from '../helpers/harness.js';
import { callOnce } from '../helpers/era-clients.js';
import { INIT, MCP_HEADERS, type Served, callText, connect, raw, serve, spawnServer } from '../helpers/http.js';
import { NODE_SQLITE } from '../helpers/sqlite.js';
import { tempDir } from '../helpers/temp.js';
import { EVENTUALLY, gate } from '../helpers/waiting.js';

const HTTP_TOKEN = 'http-bearer-3c9d7e21';

describe('stateless HTTP (default)', () => {
  let emulator: Emulator;
  let served: Served;
  let client: Client;
  beforeAll(async () => {
    emulator = await startEmulator();
    served = await serve(emulator);
    client = await connect(served.url);
  });
  afterAll(async () => {
    await client?.close();
    await served?.close();
    await emulator?.close();
  });

  it('lists tools and calls one with the SDK client', async () => {
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name)).toContain('ad_accounts_get');
    const result = await callText(client, 'ad_accounts_get', { ad_account_id: USD_ACCOUNT });
    expect(result.isError, result.text).toBeFalsy();
    expect(result.structuredContent).toMatchObject({ id: USD_ACCOUNT, currency: 'USD' });
  });

  it('serves concurrent calls from many clients', async () => {
    const clients = await Promise.all(Array.from({ length: 8 }, () => connect(served.url)));
    try {
      const results = await Promise.all(clients.flatMap((c) => [1, 2, 3].map(() => callText(c, 'ad_accounts_get', { ad_account_id: USD_ACCOUNT }))));
      expect(results.every((r) => !r.isError)).toBe(true);
    } finally {
      await Promise.all(clients.map((c) => c.close()));
    }
  });

  it('answers GET and DELETE on /mcp with 405 (no sessions, no streams)', async () => {
    for (const method of ['GET', 'DELETE']) {
      const res = await raw(served.url, { method, headers: { accept: 'text/event-stream' } });
      expect(res.status).toBe(405);
      expect(res.headers.allow).toBe('POST');
      expect(JSON.parse(res.body).error.message).toMatch(/stateless/);
    }
  });

  it('refuses a foreign Origin with 403 and accepts its own loopback origin', async () => {
    const body = JSON.stringify(INIT);
    const evil = await raw(served.url, { method: 'POST', headers: { ...MCP_HEADERS, origin: 'http://evil.example' }, body });
    expect(evil.status).toBe(403);
    expect(evil.body).toMatch(/Origin not allowed/);
    const port = new URL(served.url).port;
    for (const origin of [`http://127.0.0.1:${port}`, `http://localhost:${port}`]) {
      const own = await raw(served.url, { method: 'POST', headers: { ...MCP_HEADERS, origin }, body });
      expect(own.status).toBe(200);
      expect(own.headers['access-control-allow-origin']).toBe(origin);
    }
    const otherPort = await raw(served.url, { method: 'POST', headers: { ...MCP_HEADERS, origin: 'http://localhost:1' }, body });
    expect(otherPort.status).toBe(403);
  });

  it('lets a browser client on an allowed Origin send the 2026-07-28 headers, and no others', async () => {
    const origin = `http://127.0.0.1:${new URL(served.url).port}`;
    const preflight = await raw(served.url, {
      method: 'OPTIONS',
      headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'mcp-method, mcp-name, mcp-param-region, x-evil' },
    });
    expect(preflight.status).toBe(204);
    const allowed = String(preflight.headers['access-control-allow-headers']).toLowerCase().split(/,\s*/);
    expect(allowed).toEqual(expect.arrayContaining(['mcp-protocol-version', 'mcp-method', 'mcp-name', 'mcp-param-region', 'authorization']));
    expect(allowed).not.toContain('x-evil');
  });

  it('refuses a Host header that is not this server (DNS rebinding) with 403', async () => {
    const port = new URL(served.url).port;
    const body = JSON.stringify(INIT);
    const rebound = await raw(served.url, { method: 'POST', headers: { ...MCP_HEADERS, host: `attacker.example:${port}` }, body });
    expect(rebound.status).toBe(403);
    expect(rebound.body).toMatch(/Host header not allowed/);
    for (const host of [`localhost:${port}`, `127.0.0.1:${port}`]) {
      const ok = await raw(served.url, { method: 'POST', headers: { ...MCP_HEADERS, host }, body });
      expect(ok.status).toBe(200);
    }
  });

  it('refuses a body over the limit with 413 and bad JSON with 400', async () => {
    const big = JSON.stringify({ ...INIT, params: { ...INIT.params, padding: 'x'.repeat(1_100_000) } });
    const declared = await raw(served.url, { method: 'POST', headers: MCP_HEADERS, body: big });
    expect(declared.status).toBe(413);
    const bad = await raw(served.url, { method: 'POST', headers: MCP_HEADERS, body: '{"jsonrpc":' });
    expect(bad.status).toBe(400);
    expect(JSON.parse(bad.body).error.code).toBe(-32700);
  });

  it('answers /healthz and /readyz without auth and without secrets; other paths are 404', async () => {
    for (const path of ['/healthz', '/readyz']) {
      const health = await raw(served.url.replace('/mcp', path), {});
      expect(health.status).toBe(200);
      expect(JSON.parse(health.body)).toEqual({ status: 'ok', name: 'pinterest-api-mcp', version: expect.any(String), mode: 'stateless', store: 'memory' });
      expect(health.body).not.toContain(TOKEN);
    }
    expect((await raw(served.url.replace('/mcp', '/other'), {})).status).toBe(404);
  });
});

describe('bearer token and limits', () => {
  let emulator: Emulator;
  let served: Served;
  beforeAll(async () => {
    emulator = await startEmulator();
    served = await serve(emulator, [], {
      PINTEREST_MCP_HTTP_TOKEN: HTTP_TOKEN,
      PINTEREST_MCP_MAX_BODY_BYTES: '4096',
      PINTEREST_MCP_ALLOWED_ORIGINS: 'https://bots.example.com',
      PINTEREST_MCP_ALLOWED_HOSTS: 'mcp.internal',
    });
  });
  afterAll(async () => {
    await served?.close();
    await emulator?.close();
  });

  it('answers 401 without the token or with a wrong one, and serves with the right one', async () => {
    const body = JSON.stringify(INIT);
    const none = await raw(served.url, { method: 'POST', headers: MCP_HEADERS, body });
    expect(none.status).toBe(401);
    expect(none.headers['www-authenticate']).toMatch(/^Bearer/);
    for (const authorization of [`Bearer ${HTTP_TOKEN}x`, 'Bearer wrong', `Basic ${HTTP_TOKEN}`, HTTP_TOKEN]) {
      expect((await raw(served.url, { method: 'POST', headers: { ...MCP_HEADERS, authorization }, body })).status).toBe(401);
    }
    await expect(connect(served.url)).rejects.toThrow(/401|Unauthorized/);
    const client = await connect(served.url, { authorization: `Bearer ${HTTP_TOKEN}` });
    try {
      const result = await callText(client, 'ad_accounts_get', { ad_account_id: USD_ACCOUNT });
      expect(result.isError, result.text).toBeFalsy();
    } finally {
      await client.close();
    }
  });

  it('keeps /healthz open and free of the token', async () => {
    const health = await raw(served.url.replace('/mcp', '/healthz'), {});
    expect(health.status).toBe(200);
    expect(health.body).not.toContain(HTTP_TOKEN);
  });

  it('applies the configured body limit, also to bodies sent without a length', async () => {
    const headers = { ...MCP_HEADERS, authorization: `Bearer ${HTTP_TOKEN}` };
    const big = JSON.stringify({ ...INIT, params: { ...INIT.params, padding: 'x'.repeat(5000) } });
    expect((await raw(served.url, { method: 'POST', headers, body: big })).status).toBe(413);
    const chunked = await raw(served.url, { method: 'POST', headers: { ...headers, 'transfer-encoding': 'chunked' }, body: big });
    expect(chunked.status).toBe(413);
  });

  it('accepts the configured Origin and Host allow-lists', async () => {
    const headers = { ...MCP_HEADERS, authorization: `Bearer ${HTTP_TOKEN}` };
    const body = JSON.stringify(INIT);
    expect((await raw(served.url, { method: 'POST', headers: { ...headers, origin: 'https://bots.example.com' }, body })).status).toBe(200);
    expect((await raw(served.url, { method: 'POST', headers: { ...headers, host: 'mcp.internal' }, body })).status).toBe(200);
    expect((await raw(served.url, { method: 'POST', headers: { ...headers, host: 'mcp.internal:8443' }, body })).status).toBe(200);
    expect((await raw(served.url, { method: 'POST', headers: { ...headers, host: 'mcp.external' }, body })).status).toBe(403);
  });

  it('reads the token from PINTEREST_MCP_HTTP_TOKEN_FILE', () => {
    const file = join(tempDir('mcp-token-'), 'token');
    writeFileSync(file, `${HTTP_TOKEN}\n`);
    expect(loadConfig(['--transport', 'http'], { PINTEREST_MCP_HTTP_TOKEN_FILE: file }).http.token).toBe(HTTP_TOKEN);
    expect(() => loadConfig([], { PINTEREST_MCP_HTTP_TOKEN_FILE: join(file, 'missing') })).toThrow(/TOKEN_FILE cannot be read/);
  });
});

describe('a 2026-07-28 answer larger than the socket takes at once', () => {
  let emulator: Emulator;
  let served: Served;
  beforeAll(async () => {
    emulator = await startEmulator();
    served = await serve(emulator, ['--max-result-chars', '10000000']);
  });
  afterAll(async () => {
    await served?.close();
    await emulator?.close();
  });

  it('arrives whole: the exchange waits for the socket to drain and goes on', async () => {
    // About 6 MB in one chunk (the JSON text and the structuredContent, 3 MB each): far more than a socket's buffers,
    // so the write is only taken in parts, whatever the client's pace.
    const notes = 'n'.repeat(3_000_000);
    emulator.inject({ operationId: 'ad_accounts/get', rewrite: (answer) => ({ status: 200, body: { ...(answer.body as object), notes } }) });
    const result = (await callOnce('modern', served.url, 'ad_accounts_get', { ad_account_id: USD_ACCOUNT })) as {
      isError?: boolean;
      content: { type: string; text: string }[];
      structuredContent: { id: string; notes: string };
    };
    expect(result.isError).toBeFalsy();
    expect(result.structuredContent.id).toBe(USD_ACCOUNT);
    expect(result.structuredContent.notes).toBe(notes);
    expect(JSON.parse(result.content[0].text)).toEqual(result.structuredContent);
    expect(emulator.requests.filter((r) => r.operationId === 'ad_accounts/get')).toHaveLength(1);
  });
});

describe('stateful HTTP (--stateful)', () => {
  let emulator: Emulator;
  let served: Served;
  beforeAll(async () => {
    emulator = await startEmulator();
    served = await serve(emulator, ['--stateful']);
  });
  afterAll(async () => {
    await served?.close();
    await emulator?.close();
  });

  it('keeps a session across calls and ends it on DELETE', async () => {
    const transport = new StreamableHTTPClientTransport(new URL(served.url));
    const client = new Client({ name: 'stateful', version: '1.0.0' });
    await client.connect(transport);
    const sessionId = transport.sessionId;
    expect(sessionId).toMatch(/^[0-9a-f-]{36}$/);
    const result = await callText(client, 'ad_accounts_get', { ad_account_id: USD_ACCOUNT });
    expect(result.isError, result.text).toBeFalsy();
    expect(transport.sessionId).toBe(sessionId);
    await transport.terminateSession();
    await client.close();
    const after = await raw(served.url, {
      method: 'POST',
      headers: { ...MCP_HEADERS, 'mcp-session-id': sessionId!, 'mcp-protocol-version': '2025-06-18' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/list' }),
    });
    expect(after.status).toBe(404);
  });

  it('requires initialize before a session exists', async () => {
    const res = await raw(served.url, { method: 'POST', headers: MCP_HEADERS, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }) });
    expect(res.status).toBe(400);
    expect(res.body).toMatch(/initialize/);
  });
});

describe('binding rules', () => {
  it('treats only loopback addresses as loopback', () => {
    for (const host of ['127.0.0.1', '127.1.2.3', 'localhost', '::1', '[::1]', '::ffff:127.0.0.1']) expect(isLoopbackHost(host)).toBe(true);
    for (const host of ['0.0.0.0', '::', '10.0.0.5', 'example.com', '192.168.1.10']) expect(isLoopbackHost(host)).toBe(false);
    expect(() => assertSafeBinding({ host: '10.0.0.5' })).toThrow(/without a bearer token/);
    expect(() => assertSafeBinding({ host: '10.0.0.5', token: 'x' })).not.toThrow();
  });
});

describe('the built server process', () => {
  it('refuses to start on a non-loopback host without a token, with a clear message', async () => {
    const child = spawn(process.execPath, [SERVER_ENTRY, '--transport', 'http', '--host', '0.0.0.0', '--port', '0'], {
      env: { PATH: process.env.PATH ?? '', PINTEREST_ACCESS_TOKEN: TOKEN },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr!.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
    const [code] = (await once(child, 'exit')) as [number | null];
    expect(code).not.toBe(0);
    expect(stderr).toMatch(/refusing to serve HTTP on 0\.0\.0\.0 without a bearer token.*PINTEREST_MCP_HTTP_TOKEN/);
  });

  it('on SIGTERM stops accepting, finishes the call in flight, closes the store (sqlite where Node has it) and exits 0', async () => {
    const emulator = await startEmulator();
    const dir = tempDir('mcp-drain-');
    // The draining is the same on every store; a file store is the one with something to close (Node 22.13+ has it,
    // and npm run check:node runs this test there).
    const store = NODE_SQLITE ? `sqlite:${join(dir, 'store.sqlite')}` : 'memory';
    const { child, url, stderr } = await spawnServer(['--store', store], {
      PINTEREST_API_BASE_URL: emulator.url,
      PINTEREST_ACCESS_TOKEN: TOKEN,
      PINTEREST_MCP_RETRIES: '0',
    });
    // The call in flight is held by the fake API until the test has seen the server drain.
    const answer = gate();
    try {
      const client = await connect(url);
      emulator.inject({ operationId: 'ad_accounts/get', hold: answer.promise });
      const inFlight = callText(client, 'ad_accounts_get', { ad_account_id: USD_ACCOUNT });
      await vi.waitFor(() => expect(emulator.requests.some((r) => r.operationId === 'ad_accounts/get')).toBe(true), EVENTUALLY);
      const exited = once(child, 'exit') as Promise<[number | null, string | null]>;
      child.kill('SIGTERM');
      // Logged once the listener is closed, with the call still in flight.
      await vi.waitFor(() => expect(stderr()).toMatch(/"inFlight":1,.*"msg":"waiting for calls in flight"/), EVENTUALLY);
      // Draining: no new call is served (the listener is closed), but the call in flight completes.
      await expect(connect(url)).rejects.toThrow();
      answer.open();
      const result = await inFlight;
      expect(result.isError, result.text).toBeFalsy();
      const [code] = await exited;
      expect(code).toBe(0);
      expect(stderr()).toMatch(/"reason":"SIGTERM"/);
      await client.close().catch(() => {});
      await expect(fetch(url.replace('/mcp', '/healthz'))).rejects.toThrow();
    } finally {
      answer.open();
      child.kill('SIGKILL');
      await emulator.close();
    }
  });
});
