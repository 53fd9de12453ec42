// --auth oauth end to end: the v2 SDK client discovers, registers and signs in with Pinterest (the fake's consent clicked in Chromium), uses, refreshes and revokes its tokens; every refusal sends nothing to Pinterest.
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client, StreamableHTTPClientTransport, UnauthorizedError } from '@modelcontextprotocol/client';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type Emulator, PEOPLE, type PersonKey, startEmulator } from '../../fakes/pinterest/server.js';
import { SEED } from '../../fakes/pinterest/state.js';
import { loadConfig } from '../../src/config/index.js';
import { createLogger } from '../../src/core/logger.js';
import { createStore } from '../../src/core/store.js';
import { createApp } from '../../src/server/app.js';
import { httpApprovalSurface, httpOptions, serveHttp } from '../../src/transports/http.js';
import { SERVER_ENTRY, TOKEN, USD_ACCOUNT, textOf } from '../helpers/harness.js';
import { MODERN_VERSION } from '../helpers/era-clients.js';
import { freePort, startRedis, waitFor } from '../helpers/processes.js';
import { PageApprover } from '../helpers/approver.js';
import { MemoryProvider } from '../helpers/oauth-client.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const KEY = randomBytes(32).toString('base64');
const APP = { id: 'app-mcp-connector', secret: 'connector-secret-7d1f' };

let emulator: Emulator;
let redis: ChildProcess;
let REDIS_URL: string;
let browser: Browser;
/** The MCP client's own redirect target: a loopback page standing for the app, where the browser lands with the code. */
let clientApp: Server;
let CLIENT_REDIRECT: string;

interface Replica {
  publicUrl: string;
  /** `<public-url>/mcp`, what clients are given. */
  url: string;
  port: number;
  /** This replica's own /mcp, past any balancer. */
  direct: string;
  close(): Promise<void>;
}
let A: Replica;
/** A second replica of A (same public URL, same Redis), reached on its own port. */
let A2: Replica;
/** Another deployment on the same Redis, with its own public URL: its tokens are for another audience. */
let B: Replica;
/** A replica of A keeping 2025-era sessions (--stateful). */
let S: Replica;
/** A deployment with an approval page for an operator's approver (PINTEREST_MCP_APPROVER_TOKEN). */
let P: Replica;
const APPROVER = 'oauth-approver-token-0123456789abcdef';
/**
 * A deployment naming Bob an approver of Alice's ad account (--approvers), whose people sign in at the fake's page on
 * another site (`localhost`, where the server is at 127.0.0.1), as Pinterest's is: the way back is a cross-site navigation.
 */
let Q: Replica;
let CROSS_SITE_SIGN_IN: string;

/** The server in this process with --auth oauth, for `publicUrl`, on `port`. */
async function serveOAuth(publicUrl: string, port: number, store: string, args: string[] = [], env: Record<string, string> = {}): Promise<Replica> {
  const config = loadConfig(['--transport', 'http', '--port', String(port), '--auth', 'oauth', '--public-url', publicUrl, '--store', store, ...args], {
    PINTEREST_API_BASE_URL: emulator.url,
    PINTEREST_ACCESS_TOKEN: TOKEN,
    PINTEREST_MCP_RETRIES: '0',
    PINTEREST_MCP_TOKEN_KEY: KEY,
    PINTEREST_APP_ID: APP.id,
    PINTEREST_APP_SECRET: APP.secret,
    PINTEREST_OAUTH_URL: emulator.oauthUrl,
    ...env,
  });
  const logger = createLogger('silent');
  const app = await createApp(config, logger, httpApprovalSurface(config));
  const http = await serveHttp(app, httpOptions(config), logger);
  return {
    publicUrl,
    url: `${publicUrl}/mcp`,
    port: http.port,
    direct: `${http.url}/mcp`,
    async close() {
      await http.close();
      await app.close();
    },
  };
}

/** A person's way through the pages in Chromium, from an authorize URL to the client's redirect: Pinterest's consent, as `person`, Allow. */
async function signInInBrowser(authorizeUrl: string, person: PersonKey, signInPage = emulator.oauthUrl): Promise<URLSearchParams> {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    await page.goto(authorizeUrl);
    // This server's own consent page first: which app asks (its registered name, as its claim) and where it returns.
    expect(await page.textContent('h1'), `${page.url()}\n${await page.content()}`).toBe('Allow this app to use your Pinterest account here?');
    expect(await page.textContent('body')).toContain(new URL(CLIENT_REDIRECT).host);
    await Promise.all([page.waitForURL((url) => url.href.startsWith(signInPage)), page.click('button[value="allow"]')]);
    // Then Pinterest's: its consent page lists the scopes the toolsets need.
    expect(page.url().startsWith(signInPage), `${page.url()}\n${await page.content()}`).toBe(true);
    await page.check(`input[name="person"][value="${person}"]`);
    const landed = page.waitForURL((url) => url.href.startsWith(CLIENT_REDIRECT), { timeout: 10_000 }).catch(async (error: Error) => {
      throw new Error(`${error.message}\nat ${page.url()}:\n${(await page.content()).slice(0, 2000)}`);
    });
    await Promise.all([landed, page.click('button.allow')]);
    return new URL(page.url()).searchParams;
  } finally {
    await context.close();
  }
}

const clientFor = (era: 'legacy' | 'modern') =>
  new Client({ name: 'oauth-test', version: '1.0.0' }, era === 'modern' ? { versionNegotiation: { mode: { pin: MODERN_VERSION } } } : {});

/** An SDK client signed in as `person` to `replica` through the whole flow; the provider keeps its tokens. */
async function signedInClient(replica: Replica, person: PersonKey, era: 'legacy' | 'modern' = 'legacy', signInPage = emulator.oauthUrl) {
  const provider = new MemoryProvider(CLIENT_REDIRECT);
  const first = clientFor(era);
  const transport = new StreamableHTTPClientTransport(new URL(replica.url), { authProvider: provider });
  const refused = await first.connect(transport).then(() => undefined, (error: unknown) => error);
  expect(refused, String((refused as Error)?.message)).toBeInstanceOf(UnauthorizedError);
  expect(provider.authorizationUrl).toBeDefined();
  const params = await signInInBrowser(provider.authorizationUrl!.href, person, signInPage);
  expect(params.get('state')).toBe(provider.lastState);
  expect(params.get('iss')).toBe(replica.publicUrl); // RFC 9207
  await transport.finishAuth(params);
  const client = clientFor(era);
  await client.connect(new StreamableHTTPClientTransport(new URL(replica.url), { authProvider: provider }));
  return { client, provider };
}

/** A client registered by hand (open registration, public, PKCE). */
async function register(replica: Replica, redirectUris = [CLIENT_REDIRECT]): Promise<string> {
  const res = await fetch(`${replica.publicUrl}/oauth/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ redirect_uris: redirectUris, token_endpoint_auth_method: 'none', grant_types: ['authorization_code', 'refresh_token'], response_types: ['code'], application_type: 'native' }),
  });
  const body = (await res.json()) as { client_id: string };
  expect(res.status, JSON.stringify(body)).toBe(201);
  return body.client_id;
}

const pkce = () => {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
};

function authorizeUrl(replica: Replica, clientId: string, challenge: string, extra: Record<string, string> = {}): string {
  const params = new URLSearchParams({
    client_id: clientId,
    redirect_uri: CLIENT_REDIRECT,
    response_type: 'code',
    scope: 'mcp',
    code_challenge: challenge,
    code_challenge_method: 'S256',
    resource: `${replica.publicUrl}/mcp`,
    state: 'st',
    ...extra,
  });
  return `${replica.publicUrl}/oauth/authorize?${params.toString()}`;
}

async function token(replica: Replica, fields: Record<string, string>): Promise<{ status: number; body: Record<string, string> }> {
  const res = await fetch(`${replica.publicUrl}/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields).toString(),
  });
  return { status: res.status, body: (await res.json()) as Record<string, string> };
}

/** A code for `person` through a hand-registered client, and what redeems it. */
async function codeFor(replica: Replica, person: PersonKey, extra: Record<string, string> = {}) {
  const clientId = await register(replica);
  const { verifier, challenge } = pkce();
  const params = await signInInBrowser(authorizeUrl(replica, clientId, challenge, extra), person);
  const code = params.get('code')!;
  expect(code, params.toString()).toBeTruthy();
  return { clientId, verifier, code, redeem: (v = verifier) => token(replica, { grant_type: 'authorization_code', code, code_verifier: v, redirect_uri: CLIENT_REDIRECT, client_id: clientId }) };
}

const INIT = { jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } } };

/** A raw initialize on `url` with `authorization`, and what reached the fake API meanwhile. */
async function mcpWith(url: string, authorization?: string) {
  const before = emulator.requests.length;
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...(authorization ? { authorization } : {}) },
    body: JSON.stringify(INIT),
  });
  return { status: res.status, challenge: res.headers.get('www-authenticate') ?? '', body: await res.text(), sent: emulator.requests.slice(before) };
}

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM}: install it (apt-get install -y chromium) or set CHROMIUM_PATH`);
  clientApp = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/plain' }).end('back at the app'));
  await new Promise<void>((resolve) => clientApp.listen(0, '127.0.0.1', resolve));
  CLIENT_REDIRECT = `http://127.0.0.1:${(clientApp.address() as AddressInfo).port}/callback`;
  const redisPort = await freePort();
  redis = await startRedis(redisPort);
  const store = (REDIS_URL = `redis://127.0.0.1:${redisPort}`);
  const [portA, portA2, portB, portS, portP, portQ] = [await freePort(), await freePort(), await freePort(), await freePort(), await freePort(), await freePort()];
  const publicA = `http://127.0.0.1:${portA}`;
  const publicB = `http://localhost:${portB}`;
  const publicP = `http://127.0.0.1:${portP}`;
  const publicQ = `http://127.0.0.1:${portQ}`;
  emulator = await startEmulator({
    oauth: { apps: [{ ...APP, redirectUris: [`${publicA}/oauth/callback`, `${publicB}/oauth/callback`, `${publicP}/oauth/callback`, `${publicQ}/oauth/callback`] }] },
  });
  CROSS_SITE_SIGN_IN = emulator.oauthUrl.replace('//127.0.0.1:', '//localhost:');
  A = await serveOAuth(publicA, portA, store);
  A2 = await serveOAuth(publicA, portA2, store);
  B = await serveOAuth(publicB, portB, store);
  S = await serveOAuth(publicA, portS, store, ['--stateful']);
  P = await serveOAuth(publicP, portP, store, [], { PINTEREST_MCP_APPROVER_TOKEN: APPROVER });
  Q = await serveOAuth(publicQ, portQ, store, ['--approvers', `${USD_ACCOUNT}=${PEOPLE.bob.id}`], { PINTEREST_OAUTH_URL: CROSS_SITE_SIGN_IN });
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'] });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  for (const replica of [A, A2, B, S, P, Q]) await replica?.close();
  await emulator?.close();
  redis?.kill('SIGKILL');
  clientApp?.closeAllConnections();
  await new Promise((resolve) => clientApp?.close(resolve));
});

describe('discovery', () => {
  it('a request without a token gets 401 whose challenge names the resource metadata and the scope; nothing reaches Pinterest', async () => {
    const answer = await mcpWith(A.url);
    expect(answer.status).toBe(401);
    expect(answer.challenge).toMatch(/^Bearer error="invalid_token"/);
    expect(answer.challenge).toContain(`resource_metadata="${A.publicUrl}/.well-known/oauth-protected-resource/mcp"`);
    expect(answer.challenge).toContain('scope="mcp"');
    expect(answer.sent).toEqual([]);
  });

  it('serves the protected resource metadata at both well-known paths, naming this server as the authorization server', async () => {
    for (const path of ['/.well-known/oauth-protected-resource/mcp', '/.well-known/oauth-protected-resource']) {
      const metadata = await (await fetch(`${A.publicUrl}${path}`)).json();
      expect(metadata, path).toMatchObject({ resource: `${A.publicUrl}/mcp`, authorization_servers: [A.publicUrl], scopes_supported: ['mcp'] });
    }
  });

  it('serves the authorization server metadata: code with PKCE S256, registration, revocation, iss in responses, and no OIDC extras', async () => {
    const metadata = (await (await fetch(`${A.publicUrl}/.well-known/oauth-authorization-server`)).json()) as Record<string, unknown>;
    expect(metadata).toMatchObject({
      issuer: A.publicUrl,
      authorization_endpoint: `${A.publicUrl}/oauth/authorize`,
      token_endpoint: `${A.publicUrl}/oauth/token`,
      registration_endpoint: `${A.publicUrl}/oauth/register`,
      revocation_endpoint: `${A.publicUrl}/oauth/revoke`,
      response_types_supported: ['code'],
      code_challenge_methods_supported: ['S256'],
      authorization_response_iss_parameter_supported: true,
    });
    expect(metadata.grant_types_supported).toEqual(expect.arrayContaining(['authorization_code', 'refresh_token']));
    expect(metadata.token_endpoint_auth_methods_supported).toContain('none');
    expect(metadata.userinfo_endpoint).toBeUndefined();
    expect(metadata.end_session_endpoint).toBeUndefined();
    // Served as the public URL says, whatever Host the request came with (a replica on its own port).
    const fromReplica = (await (await fetch(`http://127.0.0.1:${A2.port}/.well-known/oauth-authorization-server`)).json()) as Record<string, unknown>;
    expect(fromReplica.token_endpoint).toBe(`${A.publicUrl}/oauth/token`);
  });
});

describe('signing in with Pinterest through the SDK client', () => {
  for (const era of ['legacy', 'modern'] as const) {
    it(`${era} era: discovery from the 401, registration, PKCE and Pinterest's consent; then tools/list and a read as the person`, async () => {
      const { client, provider } = await signedInClient(A, 'alice', era);
      try {
        const tokens = provider.tokens()!;
        expect(tokens.token_type.toLowerCase()).toBe('bearer');
        expect(tokens.refresh_token).toBeTruthy();
        // The client holds this server's tokens, never Pinterest's (the fake's start pina_ / pinr_).
        expect(JSON.stringify(tokens)).not.toMatch(/pina_|pinr_/);
        const { tools } = await client.listTools();
        expect(tools.map((t) => t.name)).toContain('ad_accounts_get');
        const before = emulator.requests.length;
        const result = await client.callTool({ name: 'ad_accounts_get', arguments: { ad_account_id: USD_ACCOUNT } });
        expect(result.isError, textOf(result as never)).toBeFalsy();
        const sent = emulator.requests.slice(before);
        expect(sent).toHaveLength(1);
        // The person's own Pinterest token went, not the deployment's; the MCP token never reaches Pinterest.
        expect(sent[0].headers.authorization).toMatch(/^Bearer pina_/);
        expect(JSON.stringify(sent[0])).not.toContain(tokens.access_token);
      } finally {
        await client.close();
      }
    });
  }

  it("keeps every token sealed: the code was exchanged once with the app's credentials, and the store holds neither a Pinterest token nor this server's own tokens in clear", async () => {
    const before = emulator.requests.length;
    const { client, provider } = await signedInClient(A, 'bob');
    await client.close();
    const exchanged = emulator.requests.slice(before).filter((r) => r.operationId === 'oauth/token');
    expect(exchanged).toHaveLength(1);
    expect(exchanged[0].headers.authorization).toBe(`Basic ${Buffer.from(`${APP.id}:${APP.secret}`).toString('base64')}`);
    expect(exchanged[0].body).toMatchObject({ grant_type: 'authorization_code', redirect_uri: `${A.publicUrl}/oauth/callback` });
    const named = emulator.requests.slice(before).filter((r) => r.path === '/user_account');
    expect(named).toHaveLength(1);
    // Redis holds the vault's record for Bob, sealed (a JWE), and no Pinterest token anywhere in clear.
    const store = await createStore(REDIS_URL);
    try {
      const all: [string, unknown][] = [];
      for await (const entry of store.iterator!(store.namespace as never)) all.push(entry as [string, unknown]);
      const vaulted = all.find(([key]) => key === `p:${PEOPLE.bob.id}:tokens:pinterest`);
      expect(String(vaulted?.[1])).toMatch(/^eyJ[\w-]+\.\.[\w-]+\.[\w-]+\.[\w-]+$/);
      expect(JSON.stringify(all)).not.toMatch(/pina_|pinr_/);
      // oidc-provider's records carry the token itself (jti): sealed too, so reading the store gives no MCP access.
      const { access_token: access, refresh_token: refresh } = provider.stored!;
      expect(access.length).toBeGreaterThan(20);
      expect(JSON.stringify(all)).not.toContain(access);
      expect(JSON.stringify(all)).not.toContain(refresh!);
    } finally {
      await store.disconnect();
    }
  });

  it('refreshes through the SDK when the access token is refused, rotating the refresh token (the old one is then refused)', async () => {
    const { client, provider } = await signedInClient(A, 'alice');
    try {
      const first = provider.tokens()!;
      provider.saveTokens({ ...first, access_token: 'not-a-token' });
      const { tools } = await client.listTools();
      expect(tools.length).toBeGreaterThan(0);
      const second = provider.tokens()!;
      expect(second.access_token).not.toBe('not-a-token');
      expect(second.refresh_token).toBeTruthy();
      expect(second.refresh_token).not.toBe(first.refresh_token);
      const clientId = [...provider.information.values()][0].client_id;
      const replay = await token(A, { grant_type: 'refresh_token', refresh_token: first.refresh_token!, client_id: clientId });
      expect(replay).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
      // Reusing a rotated refresh token revokes the grant: the current access token is refused too, on every replica.
      expect((await mcpWith(A2.direct, `Bearer ${second.access_token}`)).status).toBe(401);
    } finally {
      await client.close();
    }
  });

  it('a revoked access token is refused on every replica at once, with nothing sent to Pinterest', async () => {
    const { client, provider } = await signedInClient(A, 'alice');
    await client.close();
    const { access_token: accessToken } = provider.tokens()!;
    expect((await mcpWith(A2.direct, `Bearer ${accessToken}`)).status).toBe(200);
    const clientId = [...provider.information.values()][0].client_id;
    const revoked = await fetch(`${A.publicUrl}/oauth/revoke`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token: accessToken, client_id: clientId }).toString(),
    });
    expect(revoked.status).toBe(200);
    for (const replica of [A, A2]) {
      const answer = await mcpWith(replica.direct, `Bearer ${accessToken}`);
      expect(answer.status).toBe(401);
      expect(answer.challenge).toContain('resource_metadata=');
      expect(answer.sent).toEqual([]);
    }
  });

  it('an access token lives its hour, past the 10-minute sign-in session, and is then refused on every replica with nothing sent to Pinterest', async () => {
    const { client, provider } = await signedInClient(A, 'bob');
    await client.close();
    const { access_token: accessToken } = provider.tokens()!;
    expect((await mcpWith(A2.direct, `Bearer ${accessToken}`)).status).toBe(200);
    const start = Date.now();
    // The replicas run in this process: their clock moves with this one. Half an hour on, the session is long gone
    // (oidc-provider would otherwise end tokens with it), and the token still works.
    vi.useFakeTimers({ toFake: ['Date'], now: start + 30 * 60_000 });
    try {
      expect((await mcpWith(A.direct, `Bearer ${accessToken}`)).status).toBe(200);
      // An hour and a minute on: expired.
      vi.setSystemTime(start + 61 * 60_000);
      for (const replica of [A, A2]) {
        const answer = await mcpWith(replica.direct, `Bearer ${accessToken}`);
        expect(answer.status).toBe(401);
        expect(answer.challenge).toContain('resource_metadata=');
        expect(answer.sent).toEqual([]);
      }
    } finally {
      vi.useRealTimers();
    }
  });
});

describe("each request runs with its person's own Pinterest credential", () => {
  const accountIds = async (client: Client) => {
    const result = await client.callTool({ name: 'ad_accounts_list', arguments: {} });
    expect(result.isError, textOf(result as never)).toBeFalsy();
    return ((result.structuredContent as { items: { id: string }[] }).items ?? []).map((a) => a.id);
  };

  it('Alice and Bob each see their own ad accounts, through one deployment', async () => {
    const alice = await signedInClient(A, 'alice');
    const bob = await signedInClient(A, 'bob', 'modern');
    try {
      expect(await accountIds(alice.client)).toEqual([PEOPLE.alice.adAccounts.usd]);
      expect(await accountIds(bob.client)).toEqual([PEOPLE.bob.adAccounts.jpy]);
    } finally {
      await alice.client.close();
      await bob.client.close();
    }
  });

  it("a person's refused Pinterest token is renewed once, across two replicas and concurrent calls, then every call goes through", async () => {
    const { client, provider } = await signedInClient(A, 'alice');
    const other = clientFor('legacy');
    await other.connect(new StreamableHTTPClientTransport(new URL(A2.direct), { authProvider: provider }));
    try {
      emulator.expireTokens(); // Pinterest stops accepting every access token it issued; refresh tokens still work
      const before = emulator.requests.length;
      const calls = Array.from({ length: 6 }, (_, i) => (i % 2 ? other : client).callTool({ name: 'ad_accounts_get', arguments: { ad_account_id: USD_ACCOUNT } }));
      const results = await Promise.all(calls);
      for (const result of results) expect(result.isError, textOf(result as never)).toBeFalsy();
      const refreshes = emulator.requests.slice(before).filter((r) => r.operationId === 'oauth/token');
      expect(refreshes).toHaveLength(1);
      expect(refreshes[0].body).toMatchObject({ grant_type: 'refresh_token' });
      expect(refreshes[0].headers.authorization).toBe(`Basic ${Buffer.from(`${APP.id}:${APP.secret}`).toString('base64')}`);
    } finally {
      await client.close();
      await other.close();
    }
  });
});

describe('narrowing headers in the OAuth mode', () => {
  it('X-MCP-Toolsets and X-MCP-Readonly narrow a signed-in person\'s client as any other; a bad value gets 400, and only after the token is checked', async () => {
    const { client, provider } = await signedInClient(A, 'alice', 'modern');
    const narrowed = clientFor('modern');
    const headers = { 'X-MCP-Toolsets': 'campaigns', 'X-MCP-Readonly': 'true' };
    await narrowed.connect(new StreamableHTTPClientTransport(new URL(A.url), { authProvider: provider, requestInit: { headers } }));
    try {
      const names = (await narrowed.listTools()).tools.map((t) => t.name);
      expect(names).toContain('campaigns_list');
      expect(names).not.toContain('campaigns_create');
      expect(names).not.toContain('ad_accounts_get');
      expect((await client.listTools()).tools.map((t) => t.name)).toEqual(expect.arrayContaining(['campaigns_create', 'ad_accounts_get']));
      const before = emulator.requests.length;
      const refused = await narrowed.callTool({ name: 'ad_accounts_get', arguments: { ad_account_id: USD_ACCOUNT } });
      expect(refused.isError).toBe(true);
      expect(textOf(refused as never)).toMatch(/X-MCP-Toolsets/);
      expect(emulator.requests.length).toBe(before);
      const bad = async (authorization?: string) =>
        fetch(A.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', 'x-mcp-toolsets': 'pins', ...(authorization ? { authorization } : {}) },
          body: JSON.stringify(INIT),
        });
      expect((await bad()).status).toBe(401);
      const answer = await bad(`Bearer ${provider.tokens()!.access_token}`);
      expect(answer.status).toBe(400);
      expect(await answer.text()).toMatch(/this deployment offers/);
    } finally {
      await narrowed.close();
      await client.close();
    }
  });
});

describe("each person's approvals", () => {
  const PENDING = 'pinterest-api-mcp://approvals/pending';
  const pendingIds = async (client: Client) => {
    const read = await client.readResource({ uri: PENDING });
    const text = read.contents[0] && 'text' in read.contents[0] ? read.contents[0].text : '{}';
    return (JSON.parse(text) as { approvals: { approval_id: string }[] }).approvals.map((a) => a.approval_id);
  };

  it("a held write is listed only to the person who asked for it, and once approved is sent with that person's Pinterest credential, not the deployment's", async () => {
    const alice = await signedInClient(P, 'alice');
    const bob = await signedInClient(P, 'bob', 'modern');
    try {
      const read = await alice.client.callTool({ name: 'ad_accounts_list', arguments: {} });
      expect(read.isError, textOf(read as never)).toBeFalsy();
      const alicesCredential = emulator.requests.filter((r) => r.operationId === 'ad_accounts/list').at(-1)!.headers.authorization;
      expect(alicesCredential).toMatch(/^Bearer /);
      expect(alicesCredential).not.toBe(`Bearer ${TOKEN}`);

      const held = await alice.client.callTool({ name: 'ad_groups_update', arguments: { ad_account_id: USD_ACCOUNT, body: [{ id: SEED.adGroups.usd, budget: '41' }] } });
      expect(held.structuredContent, textOf(held as never)).toMatchObject({ status: 'approval_required' });
      const id = (held.structuredContent as { approval_id: string }).approval_id;
      expect(await pendingIds(alice.client)).toContain(id);
      expect(await pendingIds(bob.client)).not.toContain(id);

      const writesBefore = emulator.requests.filter((r) => r.method !== 'GET').length;
      const approver = new PageApprover(P.direct.replace(/\/mcp$/, ''));
      expect((await approver.signIn(APPROVER)).status).toBe(303);
      expect((await approver.decide(id, 'approve')).status).toBe(303);
      const sent = emulator.requests.filter((r) => r.method !== 'GET').slice(writesBefore);
      expect(sent.map((r) => r.operationId)).toEqual(['ad_groups/update']);
      expect(sent[0].headers.authorization).toBe(alicesCredential);
    } finally {
      await alice.client.close();
      await bob.client.close();
    }
  });
});

describe('the approval page in the OAuth mode: each person signs in with Pinterest and decides their own approvals', () => {
  const writes = () => emulator.requests.filter((r) => r.method !== 'GET');
  const lastListCredential = () => emulator.requests.filter((r) => r.operationId === 'ad_accounts/list').at(-1)!.headers.authorization;

  /** A held write by `client` on `account`'s ad group, and its approval id. */
  async function held(client: Client, account: string, adGroup: string, budget: string): Promise<string> {
    const answer = await client.callTool({ name: 'ad_groups_update', arguments: { ad_account_id: account, body: [{ id: adGroup, budget }] } });
    expect(answer.structuredContent, textOf(answer as never)).toMatchObject({ status: 'approval_required' });
    return (answer.structuredContent as { approval_id: string }).approval_id;
  }

  /**
   * `person`'s browser at `replica`'s approval page (at `path`), signed out: "Sign in with Pinterest" goes to
   * Pinterest's consent (at `signInPage`), which asks only what names the person; Allow brings the browser back signed in.
   */
  async function signInOnPage(replica: Replica, person: PersonKey, path: string, signInPage: string) {
    const context = await browser.newContext();
    const page = await context.newPage();
    const first = await page.goto(`${replica.publicUrl}${path}`);
    expect(first?.status()).toBe(401);
    await Promise.all([page.waitForURL((url) => url.href.startsWith(signInPage)), page.click('a.sign-in')]);
    expect(await page.locator('ul.scopes code').allTextContents()).toEqual(['user_accounts:read']);
    await page.check(`input[name="person"][value="${person}"]`);
    const back = page.waitForURL(`${replica.publicUrl}${path}`, { timeout: 10_000 }).catch(async (error: Error) => {
      throw new Error(`${error.message}\nat ${page.url()}:\n${(await page.content()).slice(0, 2000)}`);
    });
    await Promise.all([back, page.click('button.allow')]);
    await page.waitForSelector(path === '/approvals' ? 'h1:text("Pending approvals")' : 'button.approve');
    return { context, page };
  }

  /**
   * A form token for `action` as the page mints them for the browser's session (an HMAC under the session cookie), for
   * a form the page never showed: so that a refusal comes from whose approval it is, not from the form check.
   */
  async function formTokenFor(context: Awaited<ReturnType<typeof signInOnPage>>['context'], action: string): Promise<string> {
    const session = (await context.cookies()).find((cookie) => cookie.name === 'pmcp_approver')!.value;
    const nonce = randomBytes(12).toString('base64url');
    return `${nonce}.${createHmac('sha256', session).update(`${action}:${nonce}`).digest('base64url')}`;
  }

  it("Alice signs in through Pinterest, sees and approves only her own approval (sent once with her credential), and Bob's answers 404 with nothing decided or sent", async () => {
    const alice = await signedInClient(P, 'alice');
    const bob = await signedInClient(P, 'bob', 'modern');
    let signedIn: Awaited<ReturnType<typeof signInOnPage>> | undefined;
    try {
      await alice.client.callTool({ name: 'ad_accounts_list', arguments: {} });
      const alicesCredential = lastListCredential();
      expect(alicesCredential).toMatch(/^Bearer /);
      expect(alicesCredential).not.toBe(`Bearer ${TOKEN}`);
      const hers = await held(alice.client, USD_ACCOUNT, SEED.adGroups.usd, '42');
      const his = await held(bob.client, PEOPLE.bob.adAccounts.jpy, PEOPLE.bob.adGroups.jpy, '5000');

      signedIn = await signInOnPage(P, 'alice', '/approvals', emulator.oauthUrl);
      const { page, context } = signedIn;
      expect(await page.content()).toContain(`Signed in as pinterest:${PEOPLE.alice.id}`);
      const listed = await page.locator('table a').evaluateAll((links) => links.map((a) => a.getAttribute('href')));
      expect(listed).toEqual([`/approvals/${hers}`]);

      const before = emulator.requests.length;
      expect((await page.goto(`${P.publicUrl}/approvals/${his}`))?.status()).toBe(404);
      for (const decision of ['approve', 'reject']) {
        const answer = await context.request.post(`${P.publicUrl}/approvals/${his}/${decision}`, {
          headers: { origin: P.publicUrl },
          form: { csrf: await formTokenFor(context, `${decision}:${his}`) },
          maxRedirects: 0,
        });
        expect(answer.status(), decision).toBe(404);
      }
      expect(emulator.requests.slice(before)).toEqual([]);
      // Bob's approval is still his to decide.
      const still = await bob.client.callTool({
        name: 'ad_groups_update',
        arguments: { ad_account_id: PEOPLE.bob.adAccounts.jpy, body: [{ id: PEOPLE.bob.adGroups.jpy, budget: '5000' }], approval_id: his },
      });
      expect(still.structuredContent, textOf(still as never)).toMatchObject({ status: 'approval_pending' });
      expect((still.structuredContent as { page: string }).page).toBe(`${P.publicUrl}/approvals/${his}`);

      const writesBefore = writes().length;
      await page.goto(`${P.publicUrl}/approvals/${hers}`);
      await page.click('button.approve');
      await page.waitForSelector('text=Approved and sent once');
      const sent = writes().slice(writesBefore);
      expect(sent.map((r) => r.operationId)).toEqual(['ad_groups/update']);
      expect(sent[0].headers.authorization).toBe(alicesCredential);
    } finally {
      await signedIn?.context.close();
      await alice.client.close();
      await bob.client.close();
    }
  });

  it('a sign-in finishes only in the browser that started it: its way back opened elsewhere is refused before the code is exchanged; a declined consent signs no one in', async () => {
    /** A browser without a browser: its cookies for the page, redirects by hand. */
    const mine = new PageApprover(P.publicUrl);
    const started = await mine.get('/approvals/sign-in/start');
    expect(started.status).toBe(303);
    const authorize = new URL(started.location!);
    expect(authorize.href.startsWith(emulator.oauthUrl)).toBe(true);
    expect(authorize.searchParams.get('redirect_uri')).toBe(`${P.publicUrl}/oauth/callback`);
    expect(authorize.searchParams.get('scope')).toBe('user_accounts:read');
    /** Pinterest's consent at `location` answered (allowed as Alice, or denied), and the page's way back our callback sends the browser on. */
    const consent = async (location: string, decision: 'allow' | 'deny') => {
      const html = await (await fetch(location)).text();
      const id = /name="consent" value="([^"]+)"/.exec(html)![1];
      const answered = await fetch(new URL('/oauth/consent', authorize), {
        method: 'POST',
        redirect: 'manual',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ consent: id, decision, person: 'alice' }).toString(),
      });
      const callback = await fetch(answered.headers.get('location')!, { redirect: 'manual' });
      expect(callback.status).toBe(303);
      return callback.headers.get('location')!;
    };
    const back = await consent(started.location!, 'allow');
    expect(back.startsWith('/approvals/sign-in/back?')).toBe(true);

    const exchanges = () => emulator.requests.filter((r) => r.operationId === 'oauth/token').length;
    const before = exchanges();
    const other = new PageApprover(P.publicUrl);
    const elsewhere = await other.get(back);
    expect(elsewhere.status).toBe(400);
    expect(elsewhere.html).toContain('started in another browser');
    expect((await other.get('/approvals')).status).toBe(401);
    expect(exchanges()).toBe(before);

    const own = await mine.get(back);
    expect(own.status, own.html).toBe(200);
    expect(own.html).toContain(`Signed in as pinterest:${PEOPLE.alice.id}`);
    expect(exchanges()).toBe(before + 1);
    expect((await mine.get('/approvals')).status).toBe(200);
    // Its state is used up: the same way back again signs no one in.
    expect((await new PageApprover(P.publicUrl).get(back)).status).toBe(400);

    const declining = new PageApprover(P.publicUrl);
    const refused = await declining.get(await consent((await declining.get('/approvals/sign-in/start')).location!, 'deny'));
    expect(refused.status).toBe(403);
    expect(refused.html).toContain('declined');
    expect((await declining.get('/approvals')).status).toBe(401);
  });

  it("--approvers naming Bob for Alice's ad account: Bob, signing in from Pinterest's other site, sees and approves it, and it goes out with Alice's credential", async () => {
    const alice = await signedInClient(Q, 'alice', 'legacy', CROSS_SITE_SIGN_IN);
    let signedIn: Awaited<ReturnType<typeof signInOnPage>> | undefined;
    try {
      await alice.client.callTool({ name: 'ad_accounts_list', arguments: {} });
      const alicesCredential = lastListCredential();
      const answer = await alice.client.callTool({ name: 'ad_groups_update', arguments: { ad_account_id: USD_ACCOUNT, body: [{ id: SEED.adGroups.usd, budget: '43' }] } });
      const hers = (answer.structuredContent as { approval_id: string }).approval_id;
      // The held answer sends the person to the page, which they sign in to with Pinterest.
      expect((answer.structuredContent as { page: string }).page).toBe(`${Q.publicUrl}/approvals/${hers}`);
      expect(textOf(answer as never)).toContain(`approval page, ${Q.publicUrl}/approvals/${hers}: the user signs in there with Pinterest`);

      // Bob opens the link signed out, signs in, and lands on that approval.
      signedIn = await signInOnPage(Q, 'bob', `/approvals/${hers}`, CROSS_SITE_SIGN_IN);
      const { page } = signedIn;
      await page.goto(`${Q.publicUrl}/approvals`);
      expect(await page.locator('table a').evaluateAll((links) => links.map((a) => a.getAttribute('href')))).toContain(`/approvals/${hers}`);
      const writesBefore = writes().length;
      await page.goto(`${Q.publicUrl}/approvals/${hers}`);
      await page.click('button.approve');
      await page.waitForSelector('text=Approved and sent once');
      const sent = writes().slice(writesBefore);
      expect(sent.map((r) => r.operationId)).toEqual(['ad_groups/update']);
      expect(sent[0].headers.authorization).toBe(alicesCredential);
      expect(await page.content()).toContain(`pinterest:${PEOPLE.bob.id}`);
    } finally {
      await signedIn?.context.close();
      await alice.client.close();
    }
  });
});

describe('the demo, offline (--demo --transport http --auth oauth, the built server)', () => {
  it('Bob signs in at the demo fake\'s own page and sees his own ad account', async () => {
    const port = await freePort();
    const publicUrl = `http://127.0.0.1:${port}`;
    const child = spawn(process.execPath, [SERVER_ENTRY, '--demo', '--transport', 'http', '--auth', 'oauth', '--public-url', publicUrl, '--port', String(port)], {
      env: { PATH: process.env.PATH ?? '', PINTEREST_MCP_LOG_LEVEL: 'info' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    try {
      const started = await waitFor(child, /"url":"(http:\/\/127\.0\.0\.1:\d+)[^"]*","msg":"demo mode[\s\S]*ready on http \(auth oauth/, 'the demo');
      const fake = /^http:\/\/127\.0\.0\.1:\d+/.exec(started)![0];
      const demo: Replica = { publicUrl, url: `${publicUrl}/mcp`, port, direct: `${publicUrl}/mcp`, close: async () => {} };
      const { client } = await signedInClient(demo, 'bob', 'modern', `${fake}/oauth/`);
      try {
        const result = await client.callTool({ name: 'ad_accounts_list', arguments: {} });
        expect(result.isError, textOf(result as never)).toBeFalsy();
        expect((result.structuredContent as { items: { id: string }[] }).items.map((a) => a.id)).toEqual([PEOPLE.bob.adAccounts.jpy]);
      } finally {
        await client.close();
      }
    } finally {
      child.kill('SIGTERM');
      if (child.exitCode === null) await once(child, 'exit');
    }
  });
});

describe('sessions (--stateful)', () => {
  it('a session continues only with a token of the person who opened it', async () => {
    const alice = await signedInClient(A, 'alice');
    const bob = await signedInClient(A, 'bob');
    await alice.client.close();
    await bob.client.close();
    const post = (token: string, body: unknown, session?: string) =>
      fetch(S.direct, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', authorization: `Bearer ${token}`, ...(session ? { 'mcp-session-id': session } : {}) },
        body: JSON.stringify(body),
      });
    const opened = await post(alice.provider.tokens()!.access_token, INIT);
    expect(opened.status).toBe(200);
    const session = opened.headers.get('mcp-session-id')!;
    expect(session).toBeTruthy();
    await opened.text();
    const list = { jsonrpc: '2.0', id: 2, method: 'tools/list', params: {} };
    const before = emulator.requests.length;
    const foreign = await post(bob.provider.tokens()!.access_token, list, session);
    expect(foreign.status).toBe(404);
    expect(emulator.requests.slice(before)).toEqual([]);
    const own = await post(alice.provider.tokens()!.access_token, list, session);
    expect(own.status).toBe(200);
    expect(await own.text()).toContain('ad_accounts_get');
  });
});

describe("this server's consent page (before Pinterest's)", () => {
  it('Cancel ends the authorization with access_denied back to the client: Pinterest is never asked, no code is issued', async () => {
    const clientId = await register(A);
    const { challenge } = pkce();
    const issued = emulator.codesIssued;
    const before = emulator.requests.length;
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      await page.goto(authorizeUrl(A, clientId, challenge));
      expect(await page.textContent('body')).toContain(clientId);
      // Never framed: a page that only takes a click must not sit under another site's click.
      const headers = (await page.goto(page.url()))!.headers();
      expect(headers['x-frame-options']).toBe('DENY');
      expect(headers['content-security-policy']).toContain("frame-ancestors 'none'");
      await Promise.all([page.waitForURL((url) => url.href.startsWith(CLIENT_REDIRECT)), page.click('button[value="deny"]')]);
      const back = new URL(page.url()).searchParams;
      expect(back.get('error')).toBe('access_denied');
      expect(back.get('code')).toBeNull();
    } finally {
      await context.close();
    }
    expect(emulator.codesIssued).toBe(issued);
    expect(emulator.requests.slice(before)).toEqual([]);
  });

  it("an answer posted from another origin is refused, and the person is not sent on to Pinterest", async () => {
    const clientId = await register(A);
    const { challenge } = pkce();
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      await page.goto(authorizeUrl(A, clientId, challenge));
      const action = await page.getAttribute('form', 'action');
      const uid = await page.getAttribute('input[name="uid"]', 'value');
      // The same browser (its interaction cookie) posting Continue, as another site's page would make it do.
      const answer = await page.request.post(`${A.publicUrl}${action}`, {
        headers: { origin: 'https://elsewhere.example', 'content-type': 'application/x-www-form-urlencoded' },
        data: `uid=${uid}&decision=allow`,
        maxRedirects: 0,
      });
      expect(answer.status()).toBe(403);
      expect(answer.headers().location).toBeUndefined();
    } finally {
      await context.close();
    }
  });
});

describe('refusals, each with nothing sent to Pinterest', () => {
  it("a token of another deployment (another audience) is refused, though it sits in the same store", async () => {
    const { client, provider } = await signedInClient(B, 'bob');
    await client.close();
    const answer = await mcpWith(A.url, `Bearer ${provider.tokens()!.access_token}`);
    expect(answer.status).toBe(401);
    expect(answer.challenge).toContain('not issued for this resource');
    expect(answer.sent).toEqual([]);
  });

  it('a token is not issued for another resource', async () => {
    const clientId = await register(A);
    const { challenge } = pkce();
    const issued = emulator.codesIssued;
    const res = await fetch(authorizeUrl(A, clientId, challenge, { resource: 'https://elsewhere.example/mcp' }), { redirect: 'manual' });
    const location = new URL(res.headers.get('location') ?? '');
    expect(location.href.startsWith(CLIENT_REDIRECT)).toBe(true);
    expect(location.searchParams.get('error')).toBe('invalid_target');
    expect(emulator.codesIssued).toBe(issued);
  });

  it('a replayed code is refused, and revokes what the first redemption issued', async () => {
    const { redeem } = await codeFor(A, 'alice');
    const first = await redeem();
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    expect((await mcpWith(A.url, `Bearer ${first.body.access_token}`)).status).toBe(200);
    const replay = await redeem();
    expect(replay).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
    const answer = await mcpWith(A2.direct, `Bearer ${first.body.access_token}`);
    expect(answer.status).toBe(401);
    expect(answer.sent).toEqual([]);
  });

  it('a wrong code_verifier is refused', async () => {
    const { redeem } = await codeFor(A, 'bob');
    const before = emulator.requests.length;
    expect(await redeem(pkce().verifier)).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
    expect(emulator.requests.slice(before)).toEqual([]);
  });

  it('an unregistered redirect URI is refused on a page of this server, never redirected to, and Pinterest is not asked', async () => {
    const clientId = await register(A);
    const { challenge } = pkce();
    const issued = emulator.codesIssued;
    const res = await fetch(authorizeUrl(A, clientId, challenge, { redirect_uri: 'http://127.0.0.1:9/evil' }), { redirect: 'manual' });
    expect(res.status).toBe(400);
    expect(res.headers.get('location')).toBeNull();
    expect(await res.text()).toContain('redirect_uri');
    expect(emulator.codesIssued).toBe(issued);
  });

  it('a request without PKCE is refused back to the client', async () => {
    const clientId = await register(A);
    const url = new URL(authorizeUrl(A, clientId, 'x'));
    url.searchParams.delete('code_challenge');
    url.searchParams.delete('code_challenge_method');
    const res = await fetch(url, { redirect: 'manual' });
    expect(new URL(res.headers.get('location') ?? '').searchParams.get('error')).toBe('invalid_request');
  });

  it('a token without the MCP scope gets 403 insufficient_scope naming the scope to ask for', async () => {
    const { redeem } = await codeFor(A, 'alice', { scope: 'openid' });
    const issued = await redeem();
    expect(issued.status, JSON.stringify(issued.body)).toBe(200);
    expect(issued.body.scope ?? '').not.toContain('mcp');
    const answer = await mcpWith(A.url, `Bearer ${issued.body.access_token}`);
    expect(answer.status).toBe(403);
    expect(answer.challenge).toMatch(/^Bearer error="insufficient_scope"/);
    expect(answer.challenge).toContain('scope="mcp"');
    expect(answer.challenge).toContain(`resource_metadata="${A.publicUrl}/.well-known/oauth-protected-resource/mcp"`);
    expect(answer.sent).toEqual([]);
  });

  it('garbage and a Pinterest token as bearer are refused alike', async () => {
    for (const bearer of ['Bearer garbage', `Bearer ${TOKEN}`, 'Basic abc']) {
      const answer = await mcpWith(A.url, bearer);
      expect(answer.status, bearer).toBe(401);
      expect(answer.sent).toEqual([]);
    }
  });
});
