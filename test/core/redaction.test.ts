// Redaction at the edge: upstreams that echo requests (JSON, HTML, text dumps) on every path; no secret in results, logs, audit or MCP logs.
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { type CallToolResult, LoggingMessageNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import escapeHtml from 'escape-html';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EchoSpelling, type FaultProxy, startFaultProxy } from '../../fakes/fault-proxy.js';
import { type Emulator, startEmulator } from '../../fakes/pinterest/server.js';
import { type WhopEmulator, WHOP_SEED, startWhopEmulator } from '../../fakes/whop/server.js';
import { createLogger, requestLog } from '../../src/core/logger.js';
import { MIN_SECRET_LENGTH, REDACTED, Redactor, partLength, redactor } from '../../src/core/redact.js';
import { MODEL_APPROVAL, USD_ACCOUNT, startStdio } from '../helpers/harness.js';
import { callText, connect, spawnServer } from '../helpers/http.js';
import { tempDir } from '../helpers/temp.js';

const ACCESS = 'pina_access-9f8e7d6c5b4a3921';
const WHOP_KEY = 'whop_key-4d3c2b1a0f9e';
const HTTP_TOKEN = 'mcp-bearer-8a7b6c5d4e3f';
const OAUTH = { appId: '1234567', appSecret: 'app-secret-5f2b9c1d', refreshToken: 'pinr_refresh-7e4a0b33' };
/** What the token endpoint hands out when it rotates both tokens. */
const ROTATED = { access: 'pina_rotated-1a2b3c4d5e6f', refresh: 'pinr_rotated-6f5e4d3c2b1a' };
const BASIC = Buffer.from(`${OAUTH.appId}:${OAUTH.appSecret}`).toString('base64');
const SECRETS = [ACCESS, WHOP_KEY, HTTP_TOKEN, OAUTH.appSecret, OAUTH.refreshToken, ROTATED.access, ROTATED.refresh, BASIC];

const AD_GROUP = '2680059592701';
const READ_PATH = `/ad_accounts/${USD_ACCOUNT}`;
const AD_GROUPS_PATH = `/ad_accounts/${USD_ACCOUNT}/ad_groups`;
const REPORT_BODY = { level: 'CAMPAIGN', columns: ['SPEND_IN_MICRO_DOLLAR'], start_date: '2026-11-01', end_date: '2026-11-10', granularity: 'TOTAL', report_format: 'JSON' };

/** Fails naming the secret and where it leaked; each secret is looked for raw and in its encoded spellings. */
function expectNoSecret(text: string, where: string): void {
  for (const secret of SECRETS) {
    for (const form of new Set([secret, encodeURIComponent(secret), new URLSearchParams({ s: secret }).toString().slice(2)])) {
      expect(text.includes(form), `${where} holds the secret ${secret}:\n${text.slice(0, 2000)}`).toBe(false);
    }
  }
}

/**
 * expectNoSecret, and also no secret written as character references, base64-encoded at any offset (well inside the
 * characters made of its bytes), or cut to its first or last 12 characters.
 */
function expectNoSpelling(text: string, where: string): void {
  const decoded = text.replace(/&#(?:[xX]([0-9a-fA-F]+)|([0-9]+));/g, (_, hex: string | undefined, decimal: string | undefined) =>
    String.fromCodePoint(hex ? Number.parseInt(hex, 16) : Number(decimal)),
  );
  expectNoSecret(decoded, `${where} (character references decoded)`);
  for (const secret of SECRETS) {
    const forms = [secret.slice(0, 12), secret.slice(-12)];
    for (const offset of [0, 1, 2]) {
      const bytes = Buffer.from(`${'\0'.repeat(offset)}${secret}`);
      forms.push(bytes.toString('base64').slice(4, -4), bytes.toString('base64url').slice(4, -4));
    }
    for (const form of forms) expect(decoded.includes(form), `${where} holds the secret ${secret} as ${form}:\n${text.slice(0, 2000)}`).toBe(false);
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

type Call = (name: string, args: Record<string, unknown>) => Promise<CallToolResult & { text: string }>;

/** The fakes, each behind a fault proxy that can echo what it receives. */
interface Upstreams {
  emulator: Emulator;
  whop: WhopEmulator;
  pinterest: FaultProxy;
  whopProxy: FaultProxy;
  auditPath: string;
  env: Record<string, string>;
  close(): Promise<void>;
}

async function startUpstreams(): Promise<Upstreams> {
  const emulator = await startEmulator({ acceptedTokens: [ACCESS], reportPollsUntilReady: 0 });
  const whop = await startWhopEmulator({ apiKeys: [WHOP_KEY] });
  const pinterest = await startFaultProxy({ upstream: emulator.url });
  const whopProxy = await startFaultProxy({ upstream: whop.url });
  const auditPath = join(tempDir('redaction-'), 'audit.jsonl');
  return {
    emulator,
    whop,
    pinterest,
    whopProxy,
    auditPath,
    env: {
      PINTEREST_API_BASE_URL: pinterest.url,
      PINTEREST_ACCESS_TOKEN: ACCESS,
      WHOP_API_BASE_URL: whopProxy.url,
      WHOP_API_KEY: WHOP_KEY,
      PINTEREST_MCP_AUDIT_LOG: auditPath,
      PINTEREST_MCP_LOG_LEVEL: 'trace',
      PINTEREST_MCP_RETRIES: '0', // each echo is the answer, not retried past
    },
    async close() {
      await Promise.all([pinterest.close(), whopProxy.close()]);
      await Promise.all([emulator.close(), whop.close()]);
    },
  };
}

/** Confirms a held write: the preview (sent through untouched), then the same call with its token. */
async function confirmed(call: Call, name: string, args: Record<string, unknown>) {
  const preview = await call(name, args);
  const token = (preview.structuredContent as { confirmation_token?: string } | undefined)?.confirmation_token;
  expect(token, preview.text).toMatch(/^cfm_/);
  return call(name, { ...args, confirmation_token: token });
}

/**
 * Every path of a tool call, with the upstream echoing the request (its Authorization header) back in the answer.
 * Returns every result; each must hold `[redacted]` where the echo put the secret.
 */
async function echoEveryPath(call: Call, up: Upstreams): Promise<string[]> {
  const results: string[] = [];
  const run = async (label: string, go: () => Promise<CallToolResult & { text: string }>, expectError: boolean) => {
    const result = await go();
    expect(result.isError === true, `${label}: ${result.text}`).toBe(expectError);
    expect(JSON.stringify(result), `${label}: the echo reached the result`).toContain(REDACTED);
    results.push(`${label}: ${JSON.stringify(result)}`);
  };
  const read = () => call('ad_accounts_get', { ad_account_id: USD_ACCOUNT });

  up.pinterest.inject({ kind: 'echo', status: 400, method: 'GET', path: READ_PATH });
  await run('read, JSON 400 echo', read, true);
  up.pinterest.inject({ kind: 'echo', status: 502, format: 'html', method: 'GET', path: READ_PATH });
  await run('read, HTML 502 echo', read, true);
  up.pinterest.inject({ kind: 'echo', status: 401, format: 'text', method: 'GET', path: READ_PATH });
  await run('read, text 401 dump', read, true);
  up.pinterest.inject({ kind: 'echo', status: 200, method: 'GET', path: READ_PATH });
  await run('read, JSON 200 echo (a success)', read, false);

  const rename = { ad_account_id: USD_ACCOUNT, body: [{ id: AD_GROUP, name: 'Renamed' }] };
  up.pinterest.inject({ kind: 'echo', status: 400, method: 'PATCH', path: AD_GROUPS_PATH });
  await run('write sent at once, JSON 400 echo', () => call('ad_groups_update', rename), true);

  const budget = { ad_account_id: USD_ACCOUNT, body: [{ id: AD_GROUP, budget: '12.50' }] };
  up.pinterest.inject({ kind: 'echo', status: 400, format: 'text', method: 'PATCH', path: AD_GROUPS_PATH });
  await run('confirmed write, text 400 dump', () => confirmed(call, 'ad_groups_update', budget), true);
  up.pinterest.inject({ kind: 'echo', status: 200, method: 'PATCH', path: AD_GROUPS_PATH });
  await run('confirmed write, JSON 200 echo', () => confirmed(call, 'ad_groups_update', budget), false);

  const whopCreate = { body: { ad_campaign_id: WHOP_SEED.campaign, title: 'Echoed', budget_amount: '10' } };
  up.whopProxy.inject({ kind: 'echo', status: 422, method: 'POST', path: '/ad_groups' });
  await run('Whop confirmed write, JSON 422 echo', () => confirmed(call, 'whop_ad_groups_create', whopCreate), true);

  // The report's status points at a file whose content repeats the request's credentials.
  up.pinterest.inject({
    kind: 'status',
    status: 200,
    method: 'GET',
    path: `${AD_GROUPS_PATH.replace('/ad_groups', '')}/reports`,
    body: { report_status: 'FINISHED', url: `${up.pinterest.origin}/files/echo.json`, size: 100 },
  });
  up.pinterest.inject({ kind: 'status', status: 200, method: 'GET', path: '/files/echo.json', body: { '626736533506': [{ SPEND_IN_MICRO_DOLLAR: 1_000_000, NOTE: `sent with Bearer ${ACCESS}` }] } });
  await run('report download, file echoing the token', () => call('analytics_run_report', { ad_account_id: USD_ACCOUNT, body: REPORT_BODY }), false);
  return results;
}

/** Collects the MCP log notifications a client receives, with logging enabled at its most verbose. */
async function collectLogs(client: Client): Promise<string[]> {
  const logs: string[] = [];
  client.setNotificationHandler(LoggingMessageNotificationSchema, (n) => {
    logs.push(JSON.stringify(n.params));
  });
  await client.setLoggingLevel('debug');
  return logs;
}

describe('redaction over stdio (built server)', () => {
  let up: Upstreams;
  beforeAll(async () => {
    up = await startUpstreams();
  });
  afterAll(() => up?.close());

  it('keeps every secret out of results, stderr, the audit log and MCP log notifications on every path', async () => {
    const h = await startStdio({ emulator: up.emulator, args: [...MODEL_APPROVAL, '--toolsets', 'all'], env: up.env });
    try {
      const logs = await collectLogs(h.client);
      const results = await echoEveryPath((name, args) => h.call(name, args), up);
      expect(results).toHaveLength(9);
      for (const result of results) expectNoSecret(result, 'a result');
      expect(h.stderr()).toContain('"level":'); // trace logs were written
      expectNoSecret(h.stderr(), 'stderr');
      expectNoSecret(logs.join('\n'), 'the MCP log notifications');
      const audit = readFileSync(up.auditPath, 'utf8');
      expect(audit.split('\n').filter(Boolean).length).toBeGreaterThanOrEqual(4);
      expectNoSecret(audit, 'the audit log');
      // The echoes did carry the secrets: the upstream saw them, the client never did.
      expect(up.pinterest.requests.some((r) => r.headers.authorization === `Bearer ${ACCESS}`)).toBe(true);
      expect(up.whopProxy.requests.some((r) => r.headers.authorization === `Bearer ${WHOP_KEY}`)).toBe(true);
    } finally {
      await h.close();
    }
  });
});

describe('redaction of encoded and cut echoes (built server over stdio)', () => {
  let up: Upstreams;
  beforeAll(async () => {
    up = await startUpstreams();
  });
  afterAll(() => up?.close());

  it('keeps the token out of results, stderr and MCP logs when the fake API echoes it base64-encoded, cut short or as character references', async () => {
    const h = await startStdio({ emulator: up.emulator, args: [...MODEL_APPROVAL], env: up.env });
    try {
      const logs = await collectLogs(h.client);
      const echoes: [EchoSpelling, 'json' | 'text' | 'html'][] = [
        ['base64', 'json'],
        ['base64url', 'text'],
        ['prefix', 'json'],
        ['suffix', 'text'],
        ['entities', 'json'], // an HTML page is cut to 300 characters before the Authorization line: JSON's message is whole
        ['base64', 'html'],
      ];
      const results: string[] = [];
      for (const [spelling, format] of echoes) {
        up.pinterest.inject({ kind: 'echo', status: 400, format, spelling, method: 'GET', path: READ_PATH });
        const result = await h.call('ad_accounts_get', { ad_account_id: USD_ACCOUNT });
        expect(result.isError, `${spelling} ${format}: ${result.text}`).toBe(true);
        expect(JSON.stringify(result), `${spelling} ${format}: the echo reached the result`).toContain(REDACTED);
        results.push(JSON.stringify(result));
      }
      // Each echo answered a request that carried the token; the fake API behind the proxy saw none of them.
      const echoed = up.pinterest.requests.filter((r) => r.fault === 'echo');
      expect(echoed.map((r) => r.headers.authorization)).toEqual(echoes.map(() => `Bearer ${ACCESS}`));
      expect(echoed.every((r) => !r.forwarded)).toBe(true);
      for (const result of results) expectNoSpelling(result, 'a result');
      expect(h.stderr()).toContain('"level":');
      expectNoSpelling(h.stderr(), 'stderr');
      expectNoSpelling(logs.join('\n'), 'the MCP log notifications');
    } finally {
      await h.close();
    }
  });
});

describe('redaction of OAuth secrets (built server over stdio)', () => {
  it('keeps the app secret, its Basic form, and configured and rotated tokens out of every answer and log', async () => {
    const emulator = await startEmulator({ acceptedTokens: [ROTATED.access], oauth: { ...OAUTH, expiresInSeconds: 3600 } });
    const proxy = await startFaultProxy({ upstream: emulator.url });
    const h = await startStdio({
      emulator,
      args: [...MODEL_APPROVAL],
      env: {
        PINTEREST_API_BASE_URL: proxy.url,
        PINTEREST_ACCESS_TOKEN: '',
        PINTEREST_APP_ID: OAUTH.appId,
        PINTEREST_APP_SECRET: OAUTH.appSecret,
        PINTEREST_REFRESH_TOKEN: OAUTH.refreshToken,
        PINTEREST_MCP_LOG_LEVEL: 'trace',
      },
    });
    try {
      const logs = await collectLogs(h.client);
      const read = () => h.call('ad_accounts_get', { ad_account_id: USD_ACCOUNT });
      const results: string[] = [];
      const expectRedacted = (result: CallToolResult & { text: string }, label: string) => {
        expect(JSON.stringify(result), `${label}: ${result.text}`).toContain(REDACTED);
        results.push(JSON.stringify(result));
      };

      // The token endpoint dumps the refresh request: Basic app credentials and the refresh token in the form body.
      proxy.inject({ kind: 'echo', status: 400, format: 'text', method: 'POST', path: '/oauth/token' });
      const refused = await read();
      expect(refused.text).toMatch(/could not be refreshed/);
      expectRedacted(refused, 'refresh refused with a dump');
      proxy.inject({ kind: 'echo', status: 400, method: 'POST', path: '/oauth/token' });
      expectRedacted(await read(), 'refresh refused with a JSON echo');
      // The Basic credentials base64-encoded again, and the form body with the refresh token encoded too.
      proxy.inject({ kind: 'echo', status: 400, format: 'text', spelling: 'base64', method: 'POST', path: '/oauth/token' });
      expectRedacted(await read(), 'refresh refused with a base64 dump');

      // Pinterest rotates both tokens; the rotated ones are secrets from then on.
      proxy.inject({
        kind: 'status',
        status: 200,
        method: 'POST',
        path: '/oauth/token',
        body: { access_token: ROTATED.access, refresh_token: ROTATED.refresh, token_type: 'bearer', expires_in: 3600 },
      });
      const ok = await read();
      expect(ok.isError, ok.text).toBeFalsy();
      proxy.inject({ kind: 'echo', status: 400, method: 'GET', path: READ_PATH });
      expectRedacted(await read(), 'read echoing the rotated access token');

      // A 401 makes the server refresh with the rotated refresh token, and the endpoint dumps that request.
      proxy.inject({ kind: 'status', status: 401, method: 'GET', path: READ_PATH, body: { code: 2, message: 'Authentication failed.' } });
      proxy.inject({ kind: 'echo', status: 400, format: 'text', method: 'POST', path: '/oauth/token' });
      expectRedacted(await read(), 'refresh with the rotated refresh token, dumped');
      const tokenRequests = proxy.requests.filter((r) => r.path === '/oauth/token');
      expect(tokenRequests.at(-1)!.body).toContain(`refresh_token=${ROTATED.refresh}`);

      for (const result of results) expectNoSecret(result, 'a result');
      expectNoSecret(h.stderr(), 'stderr');
      expectNoSecret(logs.join('\n'), 'the MCP log notifications');
      for (const result of results) expectNoSpelling(result, 'a result');
      expectNoSpelling(h.stderr(), 'stderr');
      expectNoSpelling(logs.join('\n'), 'the MCP log notifications');
    } finally {
      await h.close();
      await proxy.close();
      await emulator.close();
    }
  });
});

describe('redaction over Streamable HTTP (built server)', () => {
  let up: Upstreams;
  beforeAll(async () => {
    up = await startUpstreams();
  });
  afterAll(() => up?.close());

  it('keeps every secret, the HTTP bearer token included, out of results, stderr, audit and MCP logs', async () => {
    const served = await spawnServer([...MODEL_APPROVAL, '--toolsets', 'all'], { PINTEREST_MCP_HTTP_TOKEN: HTTP_TOKEN, ...up.env });
    let client: Client | undefined;
    try {
      // A refused bearer token is logged as refused, never spelled out.
      const wrong = await fetch(served.url, { method: 'POST', headers: { authorization: `Bearer ${HTTP_TOKEN}x` } });
      expect(wrong.status).toBe(401);
      client = await connect(served.url, { authorization: `Bearer ${HTTP_TOKEN}` });
      const logs = await collectLogs(client);
      const results = await echoEveryPath((name, args) => callText(client!, name, args), up);
      for (const result of results) expectNoSecret(result, 'a result');
      expectNoSecret(served.stderr(), 'stderr');
      expectNoSecret(logs.join('\n'), 'the MCP log notifications');
      expectNoSecret(readFileSync(up.auditPath, 'utf8'), 'the audit log');
    } finally {
      await client?.close();
      served.child.kill('SIGTERM');
      await once(served.child, 'exit');
    }
  });
});

describe('the redactor and the log streams', () => {
  const SECRET = 'pina_unit-0a1b2c3d4e5f';
  beforeAll(() => redactor.add(SECRET));

  it('replaces a secret raw, inside JSON strings, percent- and form-encoded, in text and in values (keys included)', () => {
    const odd = 'sec"ret/with+space s&=';
    redactor.add(odd);
    expect(redactor.text(`a ${SECRET} b`)).toBe(`a ${REDACTED} b`);
    expect(redactor.text(JSON.stringify({ message: `x ${odd} y` }))).toBe(JSON.stringify({ message: `x ${REDACTED} y` }));
    expect(redactor.text(`q=${encodeURIComponent(odd)}`)).toBe(`q=${REDACTED}`);
    expect(redactor.text(new URLSearchParams({ q: odd }).toString())).toBe(`q=${REDACTED}`);
    const value = { list: [`Bearer ${SECRET}`, 1, null], [SECRET]: true, untouched: { a: 'b' } };
    const redacted = redactor.value(value);
    expect(redacted).toEqual({ list: [`Bearer ${REDACTED}`, 1, null], [REDACTED]: true, untouched: { a: 'b' } });
    expect(redacted.untouched).toBe(value.untouched); // unchanged parts are not copied
    expect(value.list[0]).toBe(`Bearer ${SECRET}`); // the input is left as it was
  });

  it('redacts log lines on their way to stderr and to the log of the client that asked, whatever field holds the secret', () => {
    let written = '';
    const stream = new Writable({
      write(chunk, _encoding, done) {
        written += String(chunk);
        done();
      },
    });
    const received: unknown[] = [];
    const sink = (_level: string, data: Record<string, unknown>) => received.push(data);
    const logger = createLogger('info', stream);
    requestLog.run(sink, () => logger.warn({ upstream: `echo: authorization: Bearer ${SECRET}` }, `answer held ${SECRET}`));
    expect(received).toHaveLength(1);
    expect(written).toContain(REDACTED);
    expect(written).not.toContain(SECRET);
    expect(JSON.stringify(received)).toContain(REDACTED);
    expect(JSON.stringify(received)).not.toContain(SECRET);
  });
});

describe('the redactor: encodings, offsets, and secrets cut short', () => {
  const TOKEN = 'pina_AbCdEf-0123456789-XyZ987654321';
  const ODD = 'sec"ret/with+space s&=';
  /** Its base64 holds `+` and `/` at every offset. */
  const SLASHY = 'app-secret~~~???>>>';
  const base64 = (text: string, encoding: 'base64' | 'base64url' = 'base64') => Buffer.from(text, 'utf8').toString(encoding);
  const redactorOf = (...secrets: string[]) => {
    const own = new Redactor();
    own.add(...secrets);
    return own;
  };
  const r = redactorOf(TOKEN, ODD, SLASHY);

  it('redacts a cut secret from half its length on, at least MIN_SECRET_LENGTH and at most 12 characters', () => {
    expect(MIN_SECRET_LENGTH).toBe(8);
    expect([8, 12, 16, 17, 20, 24, 35, 200].map(partLength)).toEqual([8, 8, 8, 9, 10, 12, 12, 12]);
  });

  it('replaces base64 and base64url of a secret at every byte offset, keeping only the characters made of other bytes', () => {
    for (const encoding of ['base64', 'base64url'] as const) {
      for (const before of ['', 'a', 'ab', 'abc', '{"token":"']) {
        for (const after of ['', 'x', '"}']) {
          const encoded = base64(`${before}${TOKEN}${after}`, encoding);
          // The characters whose 6 bits all come from the secret's bytes: from the first after `before`'s bits to the last before `after`'s.
          const first = Math.ceil((8 * before.length) / 6);
          const last = Math.floor((8 * (before.length + TOKEN.length)) / 6);
          expect(r.text(`x ${encoded} y`), `${encoding} of ${before}TOKEN${after}`).toBe(`x ${encoded.slice(0, first)}${REDACTED}${encoded.slice(last)} y`);
        }
      }
    }
  });

  it('replaces a secret inside HTTP Basic credentials (as is or form-encoded first, RFC 6749) and inside a base64 JSON blob', () => {
    const basic = r.text(`authorization: Basic ${base64(`1234567:${TOKEN}`)}`);
    const visible = basic.slice('authorization: Basic '.length, basic.indexOf(REDACTED));
    expect(Buffer.from(visible, 'base64').toString()).toBe('1234567:'); // the app id stays readable, nothing of the secret
    expect(basic).toMatch(new RegExp(`${escapeRegExp(REDACTED)}.?=*$`)); // at most the last character, made of 2 of its bits
    const form = new URLSearchParams({ s: ODD }).toString().slice(2);
    expect(r.text(`Basic ${base64(`1234567:${form}`)}`)).toMatch(new RegExp(`^Basic MTIzNDU2Nzp${escapeRegExp(REDACTED)}.{0,4}$`));
    const blob = base64(JSON.stringify({ user: 'ads-bot', access_token: TOKEN, scope: 'ads:read' }), 'base64url');
    const redacted = r.text(`{"state":"${blob}"}`);
    expect(redacted).toContain(REDACTED);
    expect(Buffer.from(redacted.slice(10, redacted.indexOf(REDACTED)), 'base64url').toString()).toMatch(/^\{"user":"ads-bot","access_token":"[\s\S]?$/);
  });

  it('replaces base64 with + and / percent-encoded in a query or written \\/ in JSON', () => {
    for (const before of ['', 'a', 'ab']) {
      const encoded = base64(`${before}${SLASHY}`);
      expect(encoded).toMatch(/\+.*\//);
      expect(r.text(`?state=${encodeURIComponent(encoded)}`)).toContain(REDACTED);
      expect(r.text(`?state=${encodeURIComponent(encoded).replace(/%[0-9A-F]{2}/g, (hex) => hex.toLowerCase())}`)).toContain(REDACTED);
      expect(r.text(JSON.stringify(encoded).replaceAll('/', '\\/'))).toContain(REDACTED);
      expect(r.text(base64(`${before}${SLASHY}`, 'base64url'))).toContain(REDACTED);
    }
  });

  it('replaces HTML escapes: escape-html, and numeric character references for all or some characters', () => {
    expect(r.text(`<td>${escapeHtml(`<${ODD}>`)}</td>`)).toBe(`<td>&lt;${REDACTED}&gt;</td>`);
    expect(r.text(ODD.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`))).toBe(REDACTED); // the fault proxy's escaping
    const decimal = [...TOKEN].map((c) => `&#${c.codePointAt(0)};`).join('');
    const hex = [...TOKEN].map((c) => `&#X00${c.codePointAt(0)!.toString(16).toUpperCase()};`).join('');
    const mixed = [...TOKEN].map((c, i) => (i % 3 === 0 ? `&#x${c.codePointAt(0)!.toString(16)};` : i % 3 === 1 ? c : `&#${c.codePointAt(0)};`)).join('');
    const one = `&#112;${TOKEN.slice(1)}`;
    for (const spelled of [decimal, hex, mixed, one]) expect(r.text(`<p>token ${spelled}.</p>`), spelled).toBe(`<p>token ${REDACTED}.</p>`);
    expect(r.text(`${[...TOKEN.slice(0, 12)].map((c) => `&#${c.codePointAt(0)};`).join('')}...`)).toBe(`${REDACTED}...`); // a prefix, referenced
    const astral = 'key-\u{1F600}-0123456789';
    expect(redactorOf(astral).text(`a key-&#x1F600;-0123456789 b &#128512;`)).toBe(`a ${REDACTED} b &#128512;`);
  });

  it('replaces a prefix or suffix of at least partLength characters, in any spelling, and leaves a shorter one', () => {
    expect(partLength(TOKEN.length)).toBe(12);
    expect(r.text(`token ${TOKEN.slice(0, 12)}... refused`)).toBe(`token ${REDACTED}... refused`);
    expect(r.text(`token ${TOKEN.slice(0, 11)}... refused`)).toBe(`token ${TOKEN.slice(0, 11)}... refused`);
    expect(r.text(`token ending in ...${TOKEN.slice(-12)}.`)).toBe(`token ending in ...${REDACTED}.`);
    expect(r.text(`token ending in ...${TOKEN.slice(-11)}.`)).toBe(`token ending in ...${TOKEN.slice(-11)}.`);
    expect(r.text(`${TOKEN.slice(0, -1)}|${TOKEN.slice(1)}|${TOKEN.slice(0, 20)}...${TOKEN.slice(-15)}`)).toBe(`${REDACTED}|${REDACTED}|${REDACTED}...${REDACTED}`);
    // The suffix's start is found behind its last characters, also right after other text or another redaction.
    expect(r.text(`x${TOKEN.slice(-20)}`)).toBe(`x${REDACTED}`);
    expect(r.text(`${TOKEN}${TOKEN.slice(-20)}`)).toBe(`${REDACTED}${REDACTED}`);
    expect(partLength(ODD.length)).toBe(11);
    expect(r.text(JSON.stringify({ m: `${ODD.slice(0, 11)}…` }))).toBe(JSON.stringify({ m: `${REDACTED}…` }));
    expect(r.text(`q=${encodeURIComponent(ODD.slice(-11))}`)).toBe(`q=${REDACTED}`);
    expect(r.text(escapeHtml(ODD.slice(-11)))).toBe(REDACTED);
  });

  it('leaves ordinary text alone: common prefixes, short cuts, other base64 and references, a JSON listing', () => {
    const own = redactorOf(TOKEN, ODD, SLASHY, 'pinr_refresh-7e4a0b33', 'whop_key-4d3c2b1a0f9e');
    const listing = JSON.stringify({
      items: Array.from({ length: 40 }, (_, i) => ({
        id: `26800595927${String(i).padStart(2, '0')}`,
        name: `Spring sale ${i} <US & CA> "retargeting"`,
        tracking_urls: { impression: [`https://track.example.com/i?cid=${i}&src=pinterest%2Fads`] },
        bookmark: createHash('sha256').update(String(i)).digest('base64'),
      })),
    });
    const ordinary = [
      'Bearer ',
      'pina_',
      'authorization: Bearer pina_',
      'pinr_',
      TOKEN.slice(0, 11),
      TOKEN.slice(-11),
      'sec"ret',
      base64('an ordinary sentence, not a credential at all'),
      '<p>It&#39;s fine &amp; &#x27;quoted&#x27; &lt;b&gt;</p>',
      listing,
    ];
    for (const text of ordinary) expect(own.text(text)).toBe(text);
  });

  it('matches a secret shorter than MIN_SECRET_LENGTH only in its long enough spellings', () => {
    const own = redactorOf('p@ss:w');
    expect(own.text('login p@ss:w')).toBe('login p@ss:w');
    expect(own.text('redis://:p%40ss%3Aw@host')).toBe(`redis://:${REDACTED}@host`);
  });

  it('redacts many long secrets (several regexes, each small enough for V8 to optimise)', () => {
    const secrets = Array.from({ length: 30 }, (_, i) => `pina_${createHash('sha512').update(`token ${i}`).digest('base64url').slice(0, 60 + 2 * i)}`);
    const own = redactorOf(...secrets);
    for (const secret of secrets) {
      expect(own.text(`a ${secret} b`)).toBe(`a ${REDACTED} b`);
      // `Bearer ` is 7 bytes: its first 9 characters stay, then one made of its bits and the secret's.
      expect(own.text(`a ${secret.slice(-13)} b ${base64(`Bearer ${secret}`)}`)).toMatch(/^a \[redacted\] b QmVhcmVyI.\[redacted\].?=*$/);
    }
  });
});
