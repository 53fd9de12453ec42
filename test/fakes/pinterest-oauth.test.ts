// The fake Pinterest's sign-in of people, over HTTP with fetch (redirects by hand) and once in headless Chromium.
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { PEOPLE, PINTEREST_SCOPES, SEED, startEmulator, type Emulator, type PersonKey } from '../../fakes/pinterest/server.js';
import { ResponseValidator } from '../../fakes/intake/validate.js';
import { pinterestResponses } from '../../src/apis/pinterest/responses.generated.js';

const OTHER_APP = { id: 'app-other', secret: 'other-secret', redirectUris: ['https://other.example/cb'] };
const ALL_SCOPES = 'ads:read,ads:write,boards:read,user_accounts:read';
const BOB_ACCOUNT = PEOPLE.bob.adAccounts.jpy;
const USD = SEED.adAccounts.usd;
const USD_AD_GROUP = SEED.adGroups.usd;
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

const responses = new ResponseValidator(pinterestResponses);
let emulator: Emulator;
/** The app's redirect URI: a loopback server standing for the app, where the browser lands. */
let callbackServer: Server;
let CALLBACK: string;
let APP: { id: string; secret: string; redirectUris: string[] };
/** The fake's clock: undefined follows the real time; a test sets it to move past a code's minute. */
let clockMs: number | undefined;

const basic = (app: { id: string; secret: string } = APP) => `Basic ${Buffer.from(`${app.id}:${app.secret}`).toString('base64')}`;

function authorizeUrl(params: Record<string, string>): string {
  return `${emulator.oauthUrl}?${new URLSearchParams(params).toString()}`;
}

const validParams = (overrides: Record<string, string> = {}) => ({
  client_id: APP.id,
  redirect_uri: CALLBACK,
  response_type: 'code',
  scope: ALL_SCOPES,
  state: 'st-1',
  ...overrides,
});

/** The authorize page, without following redirects. */
function authorize(params: Record<string, string>): Promise<Response> {
  return fetch(authorizeUrl(params), { redirect: 'manual' });
}

/** The consent form's hidden field of an authorize page. */
function consentOf(html: string): string {
  const match = /name="consent" value="([^"]+)"/.exec(html);
  if (!match) throw new Error(`no consent form in ${html}`);
  return match[1];
}

function decide(fields: Record<string, string>): Promise<Response> {
  return fetch(`${emulator.origin}/oauth/consent`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields).toString(),
    redirect: 'manual',
  });
}

/** A person's whole click-through: the page, then Allow; gives the redirect's URL. */
async function signIn(person: PersonKey, params: Record<string, string> = {}): Promise<URL> {
  const page = await authorize(validParams(params));
  expect(page.status).toBe(200);
  const answer = await decide({ consent: consentOf(await page.text()), person, decision: 'allow' });
  expect(answer.status).toBe(302);
  return new URL(answer.headers.get('location') ?? '');
}

async function codeFor(person: PersonKey, params: Record<string, string> = {}): Promise<string> {
  return (await signIn(person, params)).searchParams.get('code') ?? '';
}

interface TokenAnswer {
  status: number;
  body: any; // arbitrary JSON; assertions narrow it
}

async function token(fields: Record<string, string>, authorization = basic()): Promise<TokenAnswer> {
  const res = await fetch(`${emulator.url}/oauth/token`, {
    method: 'POST',
    headers: { authorization, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields).toString(),
  });
  return { status: res.status, body: await res.json() };
}

const exchange = (code: string, redirectUri = CALLBACK, authorization = basic()) =>
  token({ grant_type: 'authorization_code', code, redirect_uri: redirectUri }, authorization);

async function tokensFor(person: PersonKey, params: Record<string, string> = {}): Promise<{ access_token: string; refresh_token: string; scope: string }> {
  const answer = await exchange(await codeFor(person, params));
  expect(answer.status, JSON.stringify(answer.body)).toBe(200);
  return answer.body;
}

async function api(accessToken: string, method: string, path: string, body?: unknown): Promise<TokenAnswer> {
  const res = await fetch(emulator.url + path, {
    method,
    headers: { authorization: `Bearer ${accessToken}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    body: body !== undefined ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

const accountIds = async (accessToken: string) => ((await api(accessToken, 'GET', '/ad_accounts')).body.items as { id: string }[]).map((a) => a.id);

beforeAll(async () => {
  callbackServer = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/plain' }).end('back at the app'));
  await new Promise<void>((resolve) => callbackServer.listen(0, '127.0.0.1', resolve));
  CALLBACK = `http://127.0.0.1:${(callbackServer.address() as AddressInfo).port}/oauth/pinterest/callback`;
  APP = { id: 'app-people', secret: 'people-secret', redirectUris: [CALLBACK, 'https://connector.example/cb'] };
  emulator = await startEmulator({ clock: () => clockMs ?? Date.now(), oauth: { apps: [APP, OTHER_APP] } });
});

afterAll(async () => {
  await emulator?.close();
  callbackServer?.closeAllConnections();
  await new Promise((resolve) => callbackServer?.close(resolve));
});

beforeEach(() => {
  clockMs = undefined;
  emulator.reset();
});

describe('the authorize page', () => {
  it('knows every scope of the description, and no other', () => {
    const description = JSON.parse(readFileSync('reference/pinterest/openapi-5.23.0.json', 'utf8'));
    const scopes = Object.keys(description.components.securitySchemes.pinterest_oauth2.flows.authorizationCode.scopes);
    expect([...PINTEREST_SCOPES].sort()).toEqual(scopes.sort());
    expect(description.components.securitySchemes.pinterest_oauth2.flows.authorizationCode.authorizationUrl).toBe('https://www.pinterest.com/oauth/');
    expect(new URL(emulator.oauthUrl).pathname).toBe('/oauth/');
  });

  it('lists both people and the scopes asked for, in a plain form that needs no script', async () => {
    const res = await authorize(validParams());
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await res.text();
    for (const expected of ['Alice (US, USD)', 'Bob (Japan, JPY)', 'ads:read', 'ads:write', 'user_accounts:read', APP.id, new URL(CALLBACK).host]) {
      expect(html).toContain(expected);
    }
    expect(html).toContain('<form method="post" action="/oauth/consent">');
    expect(html).not.toContain('<script');
    // The pages are www.pinterest.com's, not the API's.
    expect(emulator.requests).toEqual([]);
  });

  it('refuses an unknown client_id or an unregistered redirect_uri with a 400 page, never a redirect', async () => {
    const cases = [
      validParams({ client_id: 'nobody' }),
      validParams({ redirect_uri: `${CALLBACK}/` }),
      validParams({ redirect_uri: 'https://evil.example/cb' }),
      validParams({ redirect_uri: OTHER_APP.redirectUris[0] }),
      { client_id: APP.id, response_type: 'code', scope: ALL_SCOPES },
    ];
    for (const params of cases) {
      const res = await authorize(params);
      expect(res.status, JSON.stringify(params)).toBe(400);
      expect(res.headers.get('location')).toBeNull();
      expect(await res.text()).toMatch(/client_id|redirect_uri/);
    }
    expect(emulator.codesIssued).toBe(0);
  });

  it('sends a wrong response_type or scope back to the registered redirect_uri with the state', async () => {
    const wrongType = await authorize(validParams({ response_type: 'token' }));
    expect(wrongType.status).toBe(302);
    expect(wrongType.headers.get('location')).toBe(`${CALLBACK}?error=unsupported_response_type&state=st-1`);
    const wrongScope = await authorize(validParams({ scope: 'ads:read,ads:everything' }));
    expect(wrongScope.headers.get('location')).toBe(`${CALLBACK}?error=invalid_scope&state=st-1`);
  });

  it('Deny redirects with error=access_denied and the state, and hands out no code', async () => {
    const consent = consentOf(await (await authorize(validParams({ state: 'deny-me' }))).text());
    const answer = await decide({ consent, decision: 'deny' });
    expect(answer.status).toBe(302);
    expect(answer.headers.get('location')).toBe(`${CALLBACK}?error=access_denied&state=deny-me`);
    expect(emulator.codesIssued).toBe(0);
    // The form was answered: it cannot be answered again.
    expect((await decide({ consent, decision: 'allow', person: 'alice' })).status).toBe(400);
    expect(emulator.codesIssued).toBe(0);
  });

  it('Allow without a person keeps the form open; an answered form cannot be answered twice', async () => {
    const consent = consentOf(await (await authorize(validParams())).text());
    expect((await decide({ consent, decision: 'allow' })).status).toBe(400);
    const allowed = await decide({ consent, decision: 'allow', person: 'alice' });
    expect(allowed.status).toBe(302);
    const again = await decide({ consent, decision: 'allow', person: 'bob' });
    expect(again.status).toBe(400);
    expect(again.headers.get('location')).toBeNull();
    expect(emulator.codesIssued).toBe(1);
  });
});

describe('the code', () => {
  it('Allow for Alice redirects to the redirect_uri with a code and the state', async () => {
    const back = await signIn('alice', { state: 'xyz=1&2' });
    expect(`${back.origin}${back.pathname}`).toBe(CALLBACK);
    expect(back.searchParams.get('state')).toBe('xyz=1&2');
    expect(back.searchParams.get('code')).toMatch(/^[A-Za-z0-9_-]{20,}$/);
    expect(emulator.codesIssued).toBe(1);
  });

  it("gives Pinterest's token answer once; a replay is refused and revokes what the code gave", async () => {
    const code = await codeFor('alice');
    const first = await exchange(code);
    expect(first.status).toBe(200);
    expect(first.body).toEqual({
      response_type: 'authorization_code',
      access_token: expect.stringMatching(/^pina_/),
      token_type: 'bearer',
      expires_in: 30 * 24 * 3600,
      scope: 'ads:read ads:write boards:read user_accounts:read',
      refresh_token: expect.stringMatching(/^pinr_/),
      refresh_token_expires_in: 60 * 24 * 3600,
      refresh_token_expires_at: expect.any(Number),
    });
    expect(responses.validate('oauth/token', first.body)).toEqual([]);
    expect(emulator.requests.at(-1)).toMatchObject({ operationId: 'oauth/token', valid: true, status: 200 });
    expect((await api(first.body.access_token, 'GET', '/user_account')).status).toBe(200);

    const replay = await exchange(code);
    expect(replay.status).toBe(400);
    expect(replay.body.message).toMatch(/already used/);
    expect((await api(first.body.access_token, 'GET', '/user_account')).status).toBe(401);
    expect((await token({ grant_type: 'refresh_token', refresh_token: first.body.refresh_token })).status).toBe(401);
  });

  it("needs the app's Basic credentials, the authorization request's redirect_uri, and lasts a minute", async () => {
    const code = await codeFor('alice');
    expect((await exchange(code, CALLBACK, basic({ id: APP.id, secret: 'wrong' }))).status).toBe(401);
    expect((await token({ grant_type: 'authorization_code', code, redirect_uri: CALLBACK }, '')).status).toBe(401);
    // Another app cannot use it, and the attempt uses it up.
    const stolen = await exchange(code, CALLBACK, basic(OTHER_APP));
    expect(stolen.status).toBe(400);
    expect((await exchange(code)).status).toBe(400);

    const other = await codeFor('alice');
    const wrongRedirect = await exchange(other, APP.redirectUris[1]);
    expect(wrongRedirect.status).toBe(400);
    expect(wrongRedirect.body.message).toMatch(/redirect_uri does not match/);

    const late = await codeFor('alice');
    clockMs = Date.now() + 61_000;
    expect((await exchange(late)).status).toBe(400);
    clockMs = undefined;
    expect((await exchange(await codeFor('alice'))).status).toBe(200);
  });
});

describe("each person's data", () => {
  it('a person sees their own user account and only their own ad accounts', async () => {
    const alice = await tokensFor('alice');
    const bob = await tokensFor('bob');
    expect((await api(alice.access_token, 'GET', '/user_account')).body).toMatchObject({ id: PEOPLE.alice.id, username: PEOPLE.alice.username });
    expect((await api(bob.access_token, 'GET', '/user_account')).body).toMatchObject({ id: PEOPLE.bob.id, username: PEOPLE.bob.username });
    expect(await accountIds(alice.access_token)).toEqual([USD]);
    expect(await accountIds(bob.access_token)).toEqual([BOB_ACCOUNT]);
    const bobs = await api(bob.access_token, 'GET', `/ad_accounts/${BOB_ACCOUNT}`);
    expect(bobs.body).toMatchObject({ currency: 'JPY', country: 'JP', owner: { id: PEOPLE.bob.id } });
    expect(responses.validate('ad_accounts/get', bobs.body)).toEqual([]);
    const campaigns = await api(bob.access_token, 'GET', `/ad_accounts/${BOB_ACCOUNT}/campaigns`);
    expect(campaigns.body.items.map((c: { id: string }) => c.id)).toEqual([PEOPLE.bob.campaigns.jpyActive]);
  });

  it('static tokens see what they always saw: the seed user and the three seeded accounts', async () => {
    expect((await api('test-token', 'GET', '/user_account')).body).toMatchObject({ id: SEED.user.id, username: SEED.user.username });
    expect(await accountIds('test-token')).toEqual([SEED.adAccounts.usd, SEED.adAccounts.jpy, SEED.adAccounts.eur]);
    expect((await api('test-token', 'GET', `/ad_accounts/${BOB_ACCOUNT}`)).status).toBe(403);
  });

  it("another person's ad account answers 403 (code 29) to reads and writes, and nothing changes", async () => {
    const alice = await tokensFor('alice');
    const bob = await tokensFor('bob');
    const budget = emulator.state.adGroups.get(USD_AD_GROUP)?.budget_in_micro_currency;
    const refusals = [
      await api(bob.access_token, 'GET', `/ad_accounts/${USD}`),
      await api(bob.access_token, 'GET', `/ad_accounts/${USD}/campaigns`),
      await api(bob.access_token, 'PATCH', `/ad_accounts/${USD}/ad_groups`, [{ id: USD_AD_GROUP, budget_in_micro_currency: 1 }]),
      await api(alice.access_token, 'GET', `/ad_accounts/${BOB_ACCOUNT}`),
      await api(alice.access_token, 'GET', `/ad_accounts/${SEED.adAccounts.eur}`),
      await api(alice.access_token, 'GET', `/boards?ad_account_id=${BOB_ACCOUNT}`),
    ];
    for (const refused of refusals) {
      expect(refused.status).toBe(403);
      expect(refused.body).toEqual({ code: 29, message: 'You are not permitted to access that resource.' });
    }
    expect(emulator.state.adGroups.get(USD_AD_GROUP)?.budget_in_micro_currency).toBe(budget);
    // An account that does not exist is still not found, and a person's own account answers.
    expect((await api(alice.access_token, 'GET', '/ad_accounts/123456789')).status).toBe(404);
    const own = await api(alice.access_token, 'PATCH', `/ad_accounts/${USD}/ad_groups`, [{ id: USD_AD_GROUP, budget_in_micro_currency: 11_000_000 }]);
    expect(own.status).toBe(200);
    expect(emulator.state.adGroups.get(USD_AD_GROUP)?.budget_in_micro_currency).toBe(11_000_000);
  });

  it('an ad account a person creates is theirs alone', async () => {
    const bob = await tokensFor('bob');
    const created = await api(bob.access_token, 'POST', '/ad_accounts', { name: 'Bob DE', country: 'DE', owner_user_id: PEOPLE.bob.id });
    expect(created.status).toBe(200);
    expect(created.body).toMatchObject({ currency: 'EUR', owner: { id: PEOPLE.bob.id, username: PEOPLE.bob.username } });
    expect(await accountIds(bob.access_token)).toEqual([BOB_ACCOUNT, created.body.id]);
    expect(await accountIds('test-token')).not.toContain(created.body.id);
  });

  it("a token without an operation's scope answers 401 (code 3)", async () => {
    const reader = await tokensFor('alice', { scope: 'ads:read,user_accounts:read' });
    expect((await api(reader.access_token, 'GET', `/ad_accounts/${USD}/ad_groups`)).status).toBe(200);
    const write = await api(reader.access_token, 'PATCH', `/ad_accounts/${USD}/ad_groups`, [{ id: USD_AD_GROUP, budget_in_micro_currency: 1 }]);
    expect(write.status).toBe(401);
    expect(write.body.code).toBe(3);
    const boards = await api(reader.access_token, 'GET', '/boards');
    expect(boards.status).toBe(401);
  });
});

describe('refresh', () => {
  it('gives a new access token and rotates the refresh token; the old access token stays valid until it expires', async () => {
    const alice = await tokensFor('alice');
    const refreshed = await token({ grant_type: 'refresh_token', refresh_token: alice.refresh_token, continuous_refresh: 'true' });
    expect(refreshed.status).toBe(200);
    expect(refreshed.body).toMatchObject({
      response_type: 'refresh_token',
      token_type: 'bearer',
      scope: alice.scope,
      refresh_token_expires_in: 60 * 24 * 3600,
      refresh_token_expires_at: expect.any(Number),
    });
    expect(responses.validate('oauth/token', refreshed.body)).toEqual([]);
    expect(refreshed.body.access_token).not.toBe(alice.access_token);
    expect(refreshed.body.refresh_token).not.toBe(alice.refresh_token);
    expect(await accountIds(refreshed.body.access_token)).toEqual([USD]);
    // Pinterest's access tokens are valid until they expire, whatever refresh happened since.
    expect(await accountIds(alice.access_token)).toEqual([USD]);
    // The refresh token was rotated: the old one is refused, so a second refresh of it shows.
    expect((await token({ grant_type: 'refresh_token', refresh_token: alice.refresh_token })).status).toBe(401);

    emulator.expireTokens();
    expect((await api(alice.access_token, 'GET', '/user_account')).status).toBe(401);
    expect((await api(refreshed.body.access_token, 'GET', '/user_account')).status).toBe(401);
    const again = await token({ grant_type: 'refresh_token', refresh_token: refreshed.body.refresh_token });
    expect(again.status).toBe(200);
    expect((await api(again.body.access_token, 'GET', '/user_account')).body.id).toBe(PEOPLE.alice.id);
  });

  it('may narrow the scope, never widen it, and only for the app it was issued to', async () => {
    const alice = await tokensFor('alice', { scope: 'ads:read,user_accounts:read' });
    expect((await token({ grant_type: 'refresh_token', refresh_token: alice.refresh_token }, basic(OTHER_APP))).status).toBe(401);
    const wider = await token({ grant_type: 'refresh_token', refresh_token: alice.refresh_token, scope: 'ads:read,ads:write' });
    expect(wider.status).toBe(400);
    expect(wider.body.message).toMatch(/ads:write was not granted/);
    const narrower = await token({ grant_type: 'refresh_token', refresh_token: alice.refresh_token, scope: 'ads:read' });
    expect(narrower.status).toBe(200);
    expect(narrower.body.scope).toBe('ads:read');
    expect((await api(narrower.body.access_token, 'GET', '/user_account')).status).toBe(401);
  });

  it("a person's withdrawn access refuses their refresh with 401 and their tokens", async () => {
    const bob = await tokensFor('bob');
    const alice = await tokensFor('alice');
    emulator.revokePerson(PEOPLE.bob.id);
    expect((await token({ grant_type: 'refresh_token', refresh_token: bob.refresh_token })).status).toBe(401);
    expect((await api(bob.access_token, 'GET', '/user_account')).status).toBe(401);
    expect((await api(alice.access_token, 'GET', '/user_account')).status).toBe(200);
  });

  it("the app's own refresh token still works beside people's, as the seed user", async () => {
    const both = await startEmulator({ acceptedTokens: [], oauth: { appId: APP.id, appSecret: APP.secret, refreshToken: 'app-refresh', apps: [APP] } });
    try {
      const res = await fetch(`${both.url}/oauth/token`, {
        method: 'POST',
        headers: { authorization: basic(), 'content-type': 'application/x-www-form-urlencoded' },
        body: 'grant_type=refresh_token&refresh_token=app-refresh',
      });
      const body = (await res.json()) as { access_token: string; refresh_token?: string };
      expect(res.status).toBe(200);
      expect(body.refresh_token).toBeUndefined();
      const list = await fetch(`${both.url}/ad_accounts`, { headers: { authorization: `Bearer ${body.access_token}` } });
      expect(((await list.json()) as { items: { id: string }[] }).items.map((a) => a.id)).toEqual([SEED.adAccounts.usd, SEED.adAccounts.jpy, SEED.adAccounts.eur]);
    } finally {
      await both.close();
    }
  });
});

describe('the authorize page in headless Chromium', () => {
  let browser: Browser;

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM}: install it (apt-get install -y chromium) or set CHROMIUM_PATH`);
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
  });
  afterAll(async () => {
    await browser?.close();
  });

  /** Opens the authorize page in a fresh context; the person lands on the app's callback server. */
  async function openPage(state: string) {
    const context = await browser.newContext();
    const page = await context.newPage();
    const opened = await page.goto(authorizeUrl(validParams({ state })));
    expect(opened?.status()).toBe(200);
    return { page, context };
  }

  it('a person picks Bob and clicks Allow; the code it lands with gives tokens for Bob', async () => {
    const { page, context } = await openPage('in-browser');
    try {
      await page.getByLabel('Bob (Japan, JPY)').check();
      await Promise.all([page.waitForURL(`${CALLBACK}**`), page.getByRole('button', { name: 'Allow' }).click()]);
      const landed = new URL(page.url());
      expect(landed.searchParams.get('state')).toBe('in-browser');
      const answer = await exchange(landed.searchParams.get('code') ?? '');
      expect(answer.status).toBe(200);
      expect(await accountIds(answer.body.access_token)).toEqual([BOB_ACCOUNT]);
    } finally {
      await context.close();
    }
  });

  it('Deny needs no person and lands with error=access_denied', async () => {
    const { page, context } = await openPage('no-thanks');
    try {
      await Promise.all([page.waitForURL(`${CALLBACK}**`), page.getByRole('button', { name: 'Deny' }).click()]);
      expect(page.url()).toBe(`${CALLBACK}?error=access_denied&state=no-thanks`);
    } finally {
      await context.close();
    }
  });
});
