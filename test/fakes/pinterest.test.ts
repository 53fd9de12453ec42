// Tests of the fake Pinterest API alone, driven over HTTP with fetch.
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { SEED, startEmulator, type Emulator } from '../../fakes/pinterest/server.js';
import { RequestValidator, ResponseValidator } from '../../fakes/intake/validate.js';
import { pinterestCatalog } from '../../src/apis/pinterest/catalog.generated.js';
import { pinterestResponses } from '../../src/apis/pinterest/responses.generated.js';
import { EVENTUALLY, gate } from '../helpers/waiting.js';

const TOKEN = 'test-token';
const OAUTH = { appId: 'app-123', appSecret: 'secret-xyz', refreshToken: 'refresh-abc' };
const USD = SEED.adAccounts.usd;

let emulator: Emulator;
const responses = new ResponseValidator(pinterestResponses);

interface Answer {
  status: number;
  body: any; // arbitrary JSON; assertions narrow it
  headers: Headers;
}

async function call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Answer> {
  const init: RequestInit = {
    method,
    headers: { authorization: `Bearer ${TOKEN}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
  };
  if (body !== undefined) init.body = typeof body === 'string' ? body : JSON.stringify(body);
  const res = await fetch(emulator.url + path, init);
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined, headers: res.headers };
}

const get = (path: string, headers?: Record<string, string>) => call('GET', path, undefined, headers);

function lastRequest() {
  return emulator.requests[emulator.requests.length - 1];
}

beforeAll(async () => {
  emulator = await startEmulator({ oauth: OAUTH });
});

afterAll(async () => {
  await emulator.close();
});

beforeEach(() => {
  emulator.reset();
});

describe('emulator basics', () => {
  it('binds 127.0.0.1 and serves the API under /v5', () => {
    expect(emulator.origin).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(emulator.url).toBe(`${emulator.origin}/v5`);
  });

  it('compiles request validators for every catalog operation', () => {
    const validator = new RequestValidator(pinterestCatalog);
    expect(() => validator.compileAll()).not.toThrow();
  });

  it('answers unknown routes with 404 and records them without an operation', async () => {
    const res = await get('/no/such/route');
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ code: 404, message: 'Not found' });
    expect(lastRequest()).toMatchObject({ operationId: null, path: '/no/such/route', status: 404, valid: false });
  });

  it('prefers literal segments over parameters when routing', async () => {
    const res = await get(
      `/ad_accounts/${USD}/campaigns/analytics?start_date=2024-01-01&end_date=2024-01-07&campaign_ids=${SEED.campaigns.usdActive}&columns=SPEND_IN_DOLLAR,IMPRESSION_1&granularity=DAY`,
    );
    expect(res.status).toBe(200);
    expect(lastRequest().operationId).toBe('campaigns/analytics');
    await get(`/ad_accounts/${USD}/campaigns/${SEED.campaigns.usdActive}`);
    expect(lastRequest().operationId).toBe('campaigns/get');
  });

  it('rejects a missing or unknown bearer token with 401', async () => {
    const none = await fetch(`${emulator.url}/ad_accounts/${USD}`);
    expect(none.status).toBe(401);
    expect(await none.json()).toEqual({ code: 2, message: 'Authentication failed.' });
    const wrong = await get(`/ad_accounts/${USD}`, { authorization: 'Bearer nope' });
    expect(wrong.status).toBe(401);
    expect(emulator.requests.map((r) => r.status)).toEqual([401, 401]);
    expect(emulator.requests[0].operationId).toBe('ad_accounts/get');
  });

  it('records method, path, raw and parsed query, headers and body', async () => {
    await get(`/ad_accounts/${USD}/campaigns?entity_statuses=ACTIVE&entity_statuses=PAUSED&page_size=5`);
    const rec = lastRequest();
    expect(rec).toMatchObject({
      operationId: 'campaigns/list',
      method: 'GET',
      path: `/ad_accounts/${USD}/campaigns`,
      rawQuery: 'entity_statuses=ACTIVE&entity_statuses=PAUSED&page_size=5',
      query: { entity_statuses: ['ACTIVE', 'PAUSED'], page_size: '5' },
      valid: true,
      problems: [],
      status: 200,
    });
    expect(rec.headers.authorization).toBe(`Bearer ${TOKEN}`);
  });
});

describe('ad accounts and campaigns', () => {
  it('returns each seeded ad account with its currency', async () => {
    const expected: [string, string, string][] = [
      [SEED.adAccounts.usd, 'USD', 'US'],
      [SEED.adAccounts.jpy, 'JPY', 'JP'],
      [SEED.adAccounts.eur, 'EUR', 'DE'],
    ];
    for (const [id, currency, country] of expected) {
      const res = await get(`/ad_accounts/${id}`);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ id, currency, country });
      expect(responses.validate('ad_accounts/get', res.body)).toEqual([]);
    }
    expect((await get(`/ad_accounts/${SEED.adAccounts.usd}`)).body.name).toBe('Acme US');
  });

  it('answers 404 for an unknown ad account', async () => {
    const res = await get('/ad_accounts/123456/campaigns');
    expect(res.status).toBe(404);
  });

  it('seeds an active and a paused CBO campaign per account', () => {
    const usd = [...emulator.state.campaigns.values()].filter((c) => c.ad_account_id === USD);
    expect(usd.map((c) => c.status).sort()).toEqual(['ACTIVE', 'PAUSED']);
    const paused = emulator.state.campaigns.get(SEED.campaigns.usdPaused)!;
    expect(paused).toMatchObject({ is_campaign_budget_optimization: true, daily_spend_cap: 50_000_000 });
    expect(emulator.state.adGroups.get(SEED.adGroups.usd)).toMatchObject({
      budget_in_micro_currency: 10_000_000,
      bid_in_micro_currency: 1_500_000,
      budget_type: 'DAILY',
    });
    expect(emulator.state.adGroups.get(SEED.adGroups.jpy)?.budget_in_micro_currency).toBe(5_000_000_000);
    expect(emulator.state.keywords.get(SEED.keywords.usd)?.bid).toBe(2_000_000);
    expect(emulator.state.productGroupPromotions.get(SEED.productGroupPromotions.usd)?.bid_in_micro_currency).toBe(1_000_000);
  });

  it('creates a campaign that defaults to ACTIVE and reads it back', async () => {
    const created = await call('POST', `/ad_accounts/${USD}/campaigns`, [
      { ad_account_id: USD, name: 'Launch', objective_type: 'AWARENESS', daily_spend_cap: 25_000_000 },
    ]);
    expect(created.status).toBe(200);
    expect(responses.validate('campaigns/create', created.body)).toEqual([]);
    const item = created.body.items[0];
    expect(item.exceptions).toEqual([]);
    expect(item.data).toMatchObject({ name: 'Launch', status: 'ACTIVE', ad_account_id: USD, daily_spend_cap: 25_000_000 });
    expect(item.data.id).toMatch(/^\d+$/);

    const read = await get(`/ad_accounts/${USD}/campaigns/${item.data.id}`);
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({ id: item.data.id, status: 'ACTIVE', name: 'Launch' });
    expect(responses.validate('campaigns/get', read.body)).toEqual([]);
    expect(emulator.state.campaigns.get(item.data.id)?.daily_spend_cap).toBe(25_000_000);
  });

  it('updates campaigns in a batch and reports unknown ids per item', async () => {
    const res = await call('PATCH', `/ad_accounts/${USD}/campaigns`, [
      { id: SEED.campaigns.usdPaused, ad_account_id: USD, daily_spend_cap: 80_000_000, status: 'ACTIVE' },
      { id: '999999999', ad_account_id: USD, status: 'PAUSED' },
    ]);
    expect(res.status).toBe(200);
    expect(res.body.items[0].data).toMatchObject({ daily_spend_cap: 80_000_000, status: 'ACTIVE', summary_status: 'RUNNING' });
    expect(res.body.items[1]).toEqual({ data: null, exceptions: [{ code: 2, message: 'Not found' }] });
    expect(emulator.state.campaigns.get(SEED.campaigns.usdPaused)?.daily_spend_cap).toBe(80_000_000);
  });

  it('applies a batch ad group update partially when one id is unknown', async () => {
    const res = await call('PATCH', `/ad_accounts/${USD}/ad_groups`, [
      { id: SEED.adGroups.usd, budget_in_micro_currency: 12_000_000 },
      { id: '424242424242', budget_in_micro_currency: 1 },
    ]);
    expect(res.status).toBe(200);
    // `data: null` on a failed item is what the API sends, although its schema does not mark data nullable.
    expect(responses.validate('ad_groups/update', { items: [res.body.items[0]] })).toEqual([]);
    expect(res.body.items).toHaveLength(2);
    expect(res.body.items[0].data).toMatchObject({ id: SEED.adGroups.usd, budget_in_micro_currency: 12_000_000 });
    expect(res.body.items[0].exceptions).toEqual([]);
    expect(res.body.items[1]).toEqual({ data: null, exceptions: [{ code: 2, message: 'Not found' }] });
    expect(emulator.state.adGroups.get(SEED.adGroups.usd)?.budget_in_micro_currency).toBe(12_000_000);
    expect(lastRequest().valid).toBe(true);
  });

  it('rejects an ad group whose campaign is not in the account, per item', async () => {
    const res = await call('POST', `/ad_accounts/${USD}/ad_groups`, [
      { name: 'ok', campaign_id: SEED.campaigns.usdActive, billable_event: 'CLICKTHROUGH' },
      { name: 'foreign', campaign_id: SEED.campaigns.jpyActive, billable_event: 'CLICKTHROUGH' },
    ]);
    expect(res.status).toBe(200);
    expect(res.body.items[0].data).toMatchObject({ status: 'ACTIVE', campaign_id: SEED.campaigns.usdActive });
    expect(res.body.items[1].data).toBeNull();
    expect(res.body.items[1].exceptions[0].code).toBe(2);
  });

  it('creates keywords and answers with the keywords/errors shape', async () => {
    const res = await call('POST', `/ad_accounts/${USD}/keywords`, {
      parent_id: SEED.adGroups.usd,
      keywords: [{ value: 'linen shirt', match_type: 'EXACT', bid: 1_200_000 }],
    });
    expect(res.status).toBe(200);
    expect(responses.validate('keywords/create', res.body)).toEqual([]);
    expect(res.body.errors).toEqual([]);
    expect(res.body.keywords[0]).toMatchObject({ value: 'linen shirt', bid: 1_200_000, parent_id: SEED.adGroups.usd });
    const listed = await get(`/ad_accounts/${USD}/keywords?ad_group_id=${SEED.adGroups.usd}`);
    expect(listed.body.items).toHaveLength(2);
  });

  it('lists product group promotions wrapped as response items', async () => {
    const res = await get(`/ad_accounts/${USD}/product_group_promotions`);
    expect(res.status).toBe(200);
    expect(responses.validate('product_group_promotions/list', res.body)).toEqual([]);
    expect(res.body.items[0].data).toMatchObject({ id: SEED.productGroupPromotions.usd, bid_in_micro_currency: 1_000_000 });
  });

  it('paginates lists with an opaque bookmark', async () => {
    const first = await get(`/ad_accounts/${USD}/campaigns?page_size=1`);
    expect(first.status).toBe(200);
    expect(first.body.items).toHaveLength(1);
    expect(typeof first.body.bookmark).toBe('string');
    const second = await get(`/ad_accounts/${USD}/campaigns?page_size=1&bookmark=${encodeURIComponent(first.body.bookmark)}`);
    expect(second.body.items).toHaveLength(1);
    expect(second.body.bookmark).toBeNull();
    expect(second.body.items[0].id).not.toBe(first.body.items[0].id);
    expect(responses.validate('campaigns/list', second.body)).toEqual([]);
  });

  it('filters lists by ids and entity status', async () => {
    const active = await get(`/ad_accounts/${USD}/campaigns?entity_statuses=ACTIVE`);
    expect(active.body.items.map((c: { id: string }) => c.id)).toEqual([SEED.campaigns.usdActive]);
    const byId = await get(`/ad_accounts/${USD}/ads?ad_group_ids=${SEED.adGroups.usd}`);
    expect(byId.body.items.map((a: { id: string }) => a.id)).toEqual([SEED.ads.usd]);
    expect(responses.validate('ads/list', byId.body)).toEqual([]);
  });
});

describe('request validation', () => {
  it('rejects an enum violation with 400 and records valid=false', async () => {
    const res = await get(`/ad_accounts/${USD}/campaigns?entity_statuses=SLEEPING`);
    expect(res.status).toBe(400);
    expect(res.body.code).toBe(1);
    expect(res.body.message).toContain('entity_statuses');
    const rec = lastRequest();
    expect(rec.valid).toBe(false);
    expect(rec.status).toBe(400);
    expect(rec.problems.length).toBeGreaterThan(0);
  });

  it('rejects a missing required query parameter', async () => {
    const res = await get(`/ad_accounts/${USD}/reports`);
    expect(res.status).toBe(400);
    expect(lastRequest().problems).toContain("missing required query parameter 'token'");
  });

  it('rejects unknown query parameters, out-of-range values and bad path ids', async () => {
    expect((await get(`/ad_accounts/${USD}/campaigns?colour=red`)).status).toBe(400);
    expect(lastRequest().problems).toContain("unknown query parameter 'colour'");
    expect((await get(`/ad_accounts/${USD}/campaigns?page_size=500`)).status).toBe(400);
    expect((await get('/ad_accounts/not-a-number')).status).toBe(400);
  });

  it('accepts an explode:false array parameter as one comma-joined value', async () => {
    const res = await get(
      `/ad_accounts/${USD}/analytics?start_date=2024-01-01&end_date=2024-01-07&granularity=DAY&columns=SPEND_IN_DOLLAR,IMPRESSION_1`,
    );
    expect(res.status).toBe(200);
    expect(lastRequest()).toMatchObject({ operationId: 'ad_account/analytics', valid: true });
    const metrics = await get(`/ad_accounts/${USD}/keywords/metrics?country_code=US&keywords=shoes,shirts`);
    expect(metrics.status).toBe(200);
    const repeated = await get(`/ad_accounts/${USD}/keywords/metrics?country_code=US&keywords=shoes&keywords=shirts`);
    expect(repeated.status).toBe(400);
  });

  it('decodes the nested deepObject parameters of reports/stats, one bracket per level', async () => {
    const report = 'parameters[catalog_type]=RETAIL&parameters[report][report_type]=FEED_INGESTION_ISSUES';
    const ok = await get(`/catalogs/reports/stats?${report}&parameters[report][feed_id]=123`);
    expect(ok.status).toBe(200);
    expect(ok.body).not.toHaveProperty('code');
    const missing = await get(`/catalogs/reports/stats?${report}`);
    expect(missing.status).toBe(400);
    const flat = await get('/catalogs/reports/stats?parameters=RETAIL');
    expect(flat.status).toBe(400);
  });

  it('rejects invalid bodies and bodies that are not application/json', async () => {
    const bad = await call('POST', `/ad_accounts/${USD}/campaigns`, [{ ad_account_id: USD, objective_type: 'NOPE' }]);
    expect(bad.status).toBe(400);
    expect(lastRequest().problems.some((p) => p.includes("required property 'name'"))).toBe(true);
    const text = await call(
      'POST',
      `/ad_accounts/${USD}/campaigns`,
      JSON.stringify([{ ad_account_id: USD, name: 'x', objective_type: 'AWARENESS' }]),
      { 'content-type': 'text/plain' },
    );
    expect(text.status).toBe(400);
    expect(lastRequest().problems[0]).toContain('Content-Type must be application/json');
    expect(emulator.state.campaigns.size).toBe(6);
  });
});

describe('async reports', () => {
  it('goes IN_PROGRESS then FINISHED and serves the report file', async () => {
    const created = await call('POST', `/ad_accounts/${USD}/reports`, {
      start_date: '2024-01-01',
      end_date: '2024-01-07',
      granularity: 'DAY',
      level: 'CAMPAIGN',
      columns: ['SPEND_IN_MICRO_DOLLAR', 'IMPRESSION_1', 'CLICKTHROUGH_1'],
    });
    expect(created.status).toBe(200);
    expect(created.body).toMatchObject({ report_status: 'IN_PROGRESS', message: null });
    const token: string = created.body.token;
    expect(token).toBeTruthy();

    const first = await get(`/ad_accounts/${USD}/reports?token=${token}`);
    expect(first.body.report_status).toBe('IN_PROGRESS');
    const early = await fetch(`${emulator.origin}/files/report-${token}.json`);
    expect(early.status).toBe(404);

    const second = await get(`/ad_accounts/${USD}/reports?token=${token}`);
    expect(second.body.report_status).toBe('FINISHED');
    expect(second.body.url).toBe(`${emulator.origin}/files/report-${token}.json`);
    expect(responses.validate('analytics/get_report', second.body)).toEqual([]);

    const file = await fetch(second.body.url); // no Authorization header: the URL itself is the credential
    expect(file.status).toBe(200);
    const text = await file.text();
    expect(second.body.size).toBe(Buffer.byteLength(text));
    const rows = JSON.parse(text) as Record<string, Record<string, unknown>[]>;
    expect(Object.keys(rows).sort()).toEqual([SEED.campaigns.usdActive, SEED.campaigns.usdPaused].sort());
    expect(rows[SEED.campaigns.usdActive][0]).toMatchObject({
      SPEND_IN_MICRO_DOLLAR: expect.any(Number),
      IMPRESSION_1: expect.any(Number),
      CLICKTHROUGH_1: expect.any(Number),
    });
  });

  it('honours reportPollsUntilReady', async () => {
    const slow = await startEmulator({ reportPollsUntilReady: 3 });
    try {
      const headers = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' };
      const create = await fetch(`${slow.url}/ad_accounts/${USD}/reports`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ start_date: '2024-01-01', end_date: '2024-01-02', granularity: 'DAY', level: 'CAMPAIGN', columns: ['IMPRESSION_1'] }),
      });
      const { token } = (await create.json()) as { token: string };
      const statuses: string[] = [];
      for (let i = 0; i < 4; i++) {
        const res = await fetch(`${slow.url}/ad_accounts/${USD}/reports?token=${token}`, { headers });
        statuses.push(((await res.json()) as { report_status: string }).report_status);
      }
      expect(statuses).toEqual(['IN_PROGRESS', 'IN_PROGRESS', 'IN_PROGRESS', 'FINISHED']);
    } finally {
      await slow.close();
    }
  });
});

describe('fault injection', () => {
  it('answers an injected 429 with Retry-After, then succeeds', async () => {
    emulator.inject({ operationId: 'ad_accounts/get', status: 429, headers: { 'Retry-After': '1' } });
    const limited = await get(`/ad_accounts/${USD}`);
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('1');
    expect(limited.body).toEqual({ code: 8, message: 'Rate limit exceeded' });
    const okay = await get(`/ad_accounts/${USD}`);
    expect(okay.status).toBe(200);
    expect(emulator.requests.map((r) => r.status)).toEqual([429, 200]);
  });

  it('matches faults by method and honours times', async () => {
    emulator.inject({ method: 'GET', status: 503, times: 2 });
    expect((await get(`/ad_accounts/${USD}`)).status).toBe(503);
    expect((await get('/user_account')).status).toBe(503);
    expect((await get('/user_account')).status).toBe(200);
    emulator.inject({ operationId: 'pins/get', status: 500 });
    emulator.clearFaults();
    expect((await get(`/pins/${SEED.pins.spring1}`)).status).toBe(200);
  });

  it('delays answers by latencyMs and by a fault delayMs', async () => {
    const slow = await startEmulator({ latencyMs: 60 });
    try {
      const started = Date.now();
      const res = await fetch(`${slow.url}/user_account`, { headers: { authorization: `Bearer ${TOKEN}` } });
      expect(res.status).toBe(200);
      expect(Date.now() - started).toBeGreaterThanOrEqual(50);
    } finally {
      await slow.close();
    }
    emulator.inject({ operationId: 'user_account/get', delayMs: 60 });
    const started = Date.now();
    expect((await get('/user_account')).status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(50);
  });

  it('holds an answer until the test releases it, and marks a request whose client gave up first as abandoned', async () => {
    const held = gate();
    emulator.inject({ operationId: 'user_account/get', hold: held.promise });
    const giveUp = new AbortController();
    const asking = fetch(`${emulator.url}/user_account`, { headers: { authorization: `Bearer ${TOKEN}` }, signal: giveUp.signal });
    await vi.waitFor(() => expect(emulator.requests).toHaveLength(1), EVENTUALLY);
    giveUp.abort();
    await expect(asking).rejects.toThrow(/abort/i);
    await vi.waitFor(() => expect(lastRequest()).toMatchObject({ operationId: 'user_account/get', abandoned: true }), EVENTUALLY);
    held.open();
    // Answered requests, and those a fault dropped, are not abandoned.
    expect((await get('/user_account')).status).toBe(200);
    emulator.inject({ operationId: 'user_account/get', drop: 'before' });
    await expect(get('/user_account')).rejects.toThrow();
    expect(emulator.requests.slice(1).map((r) => r.abandoned)).toEqual([undefined, undefined]);
  });

  it("drop 'before' leaves the state untouched", async () => {
    emulator.inject({ operationId: 'campaigns/update', drop: 'before' });
    await expect(
      call('PATCH', `/ad_accounts/${USD}/campaigns`, [{ id: SEED.campaigns.usdPaused, ad_account_id: USD, daily_spend_cap: 1 }]),
    ).rejects.toThrow();
    expect(emulator.state.campaigns.get(SEED.campaigns.usdPaused)?.daily_spend_cap).toBe(50_000_000);
    expect(lastRequest()).toMatchObject({ operationId: 'campaigns/update', status: 0 });
  });

  it("drop 'after' applies the request, then drops the answer", async () => {
    emulator.inject({ operationId: 'campaigns/update', drop: 'after', delayMs: 10 });
    await expect(
      call('PATCH', `/ad_accounts/${USD}/campaigns`, [{ id: SEED.campaigns.usdPaused, ad_account_id: USD, daily_spend_cap: 1 }]),
    ).rejects.toThrow();
    expect(emulator.state.campaigns.get(SEED.campaigns.usdPaused)?.daily_spend_cap).toBe(1);
    const next = await get(`/ad_accounts/${USD}/campaigns/${SEED.campaigns.usdPaused}`);
    expect(next.body.daily_spend_cap).toBe(1);
  });

  it('reset() re-seeds state and clears requests and faults', async () => {
    await call('PATCH', `/ad_accounts/${USD}/campaigns`, [{ id: SEED.campaigns.usdPaused, ad_account_id: USD, daily_spend_cap: 7 }]);
    emulator.inject({ status: 500, times: 5 });
    const state = emulator.state;
    emulator.reset();
    expect(emulator.state).toBe(state);
    expect(emulator.requests).toHaveLength(0);
    expect(emulator.state.campaigns.get(SEED.campaigns.usdPaused)?.daily_spend_cap).toBe(50_000_000);
    expect((await get(`/ad_accounts/${USD}`)).status).toBe(200);
  });
});

describe('synthesized and other operations', () => {
  it('answers user_account/get with the owner user', async () => {
    const res = await get('/user_account');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ username: 'acme_user', account_type: 'BUSINESS' });
    expect(responses.validate('user_account/get', res.body)).toEqual([]);
  });

  it('synthesizes a schema-conformant body for stateless operations', async () => {
    const res = await get(`/ad_accounts/${USD}/audiences/123456789`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: '123456789', ad_account_id: USD });
    expect(responses.validate('audiences/get', res.body)).toEqual([]);
    const again = await get(`/ad_accounts/${USD}/audiences/123456789`);
    expect(again.body).toEqual(res.body);
    const list = await get('/terms/related?terms=shoes');
    expect(list.status).toBe(200);
    expect(responses.validate('terms_related/list', list.body)).toEqual([]);
  });

  it('answers 204 without a body where documented', async () => {
    const res = await fetch(`${emulator.url}/ad_accounts/${USD}/leads/subscriptions/123`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    expect(res.status).toBe(204);
    expect(await res.text()).toBe('');
  });

  it('creates, updates, lists and deletes boards and pins', async () => {
    const board = await call('POST', '/boards', { name: 'Autumn' });
    expect(board.status).toBe(201);
    expect(responses.validate('boards/create', board.body)).toEqual([]);
    const pin = await call('POST', '/pins', {
      board_id: board.body.id,
      title: 'Wool scarf',
      media_source: { source_type: 'image_url', url: 'https://example.com/a.jpg' },
    });
    expect(pin.status).toBe(201);
    expect(responses.validate('pins/create', pin.body)).toEqual([]);
    const pins = await get(`/boards/${board.body.id}/pins`);
    expect(pins.body.items.map((p: { id: string }) => p.id)).toEqual([pin.body.id]);
    expect((await call('PATCH', `/boards/${board.body.id}`, { description: 'Cosy' })).body.description).toBe('Cosy');
    const del = await call('DELETE', `/pins/${pin.body.id}`);
    expect(del.status).toBe(204);
    expect((await get(`/pins/${pin.body.id}`)).status).toBe(404);
    const boards = await get('/boards');
    expect(boards.body.items).toHaveLength(3);
    expect(responses.validate('boards/list', boards.body)).toEqual([]);
  });
});

describe('oauth', () => {
  const basic = `Basic ${Buffer.from(`${OAUTH.appId}:${OAUTH.appSecret}`).toString('base64')}`;

  async function requestToken(authorization: string, refreshToken = OAUTH.refreshToken): Promise<Response> {
    return fetch(`${emulator.url}/oauth/token`, {
      method: 'POST',
      headers: { authorization, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshToken }).toString(),
    });
  }

  it('issues an accepted token for Basic app credentials and a refresh token', async () => {
    const res = await requestToken(basic);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { access_token: string; token_type: string; expires_in: number; scope: string };
    expect(body).toMatchObject({ token_type: 'bearer', expires_in: expect.any(Number), scope: expect.any(String) });
    expect(lastRequest()).toMatchObject({ operationId: 'oauth/token', body: { grant_type: 'refresh_token' }, valid: true });

    const ok = await get(`/ad_accounts/${USD}`, { authorization: `Bearer ${body.access_token}` });
    expect(ok.status).toBe(200);
    emulator.expireTokens();
    const expired = await get(`/ad_accounts/${USD}`, { authorization: `Bearer ${body.access_token}` });
    expect(expired.status).toBe(401);
    expect((await get(`/ad_accounts/${USD}`)).status).toBe(200); // configured tokens never expire
  });

  it('rejects wrong app credentials or refresh token with 401', async () => {
    const wrongSecret = `Basic ${Buffer.from(`${OAUTH.appId}:nope`).toString('base64')}`;
    expect((await requestToken(wrongSecret)).status).toBe(401);
    expect((await requestToken(basic, 'other-refresh')).status).toBe(401);
  });
});
