// Tests of the fake Whop ads API alone, driven over HTTP with fetch.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WHOP_SEED, WHOP_TEST_KEY, startWhopEmulator, type WhopEmulator, type WhopEmulatorOptions } from '../../fakes/whop/server.js';
import { ResponseValidator } from '../../fakes/intake/validate.js';
import { whopResponses } from '../../src/apis/whop/responses.generated.js';

const responses = new ResponseValidator(whopResponses);

let whop: WhopEmulator;

interface Answer {
  status: number;
  body: any; // arbitrary JSON; assertions narrow it
  headers: Headers;
}

/** One request; a success answer must also conform to the operation's documented response shape. */
async function call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Answer> {
  const init: RequestInit = {
    method,
    headers: { authorization: `Bearer ${WHOP_TEST_KEY}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
  };
  if (body !== undefined) init.body = typeof body === 'string' ? body : JSON.stringify(body);
  const res = await fetch(whop.url + path, init);
  const text = await res.text();
  const parsed = text ? JSON.parse(text) : undefined;
  const op = whop.requests[whop.requests.length - 1]?.op;
  if (res.status === 200 && op) expect(responses.validate(op, parsed), `${op} answer`).toEqual([]);
  return { status: res.status, body: parsed, headers: res.headers };
}

const get = (path: string) => call('GET', path);
const post = (path: string, body?: unknown, headers?: Record<string, string>) => call('POST', path, body, headers);
const lastRequest = () => whop.requests[whop.requests.length - 1];

async function restart(options?: WhopEmulatorOptions): Promise<void> {
  await whop?.close();
  whop = await startWhopEmulator(options);
}

beforeEach(async () => {
  whop = await startWhopEmulator();
});

afterEach(async () => {
  await whop.close();
});

describe('fake Whop basics', () => {
  it('listens on 127.0.0.1 under /api/v1 and starts with the seed', () => {
    expect(whop.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/api\/v1$/);
    expect(whop.campaigns.get(WHOP_SEED.campaign)).toMatchObject({ status: 'active', budget_optimization: 'ad_group', budget_amount: null });
    expect(whop.adGroups.get(WHOP_SEED.adGroup)).toMatchObject({ status: 'active', budget_amount: 50, budget_type: 'daily', ad_campaign: { id: WHOP_SEED.campaign } });
    expect(whop.ads.get(WHOP_SEED.ad)).toMatchObject({ status: 'active', ad_group: { id: WHOP_SEED.adGroup } });
    expect(whop.audiences.get(WHOP_SEED.audience)).toMatchObject({ status: 'ready', audience_type: 'custom' });
  });

  it('starts empty with seed: false', async () => {
    await restart({ seed: false });
    expect(whop.campaigns.size + whop.adGroups.size + whop.ads.size + whop.audiences.size).toBe(0);
    expect((await get('/ad_campaigns')).body.data).toEqual([]);
  });

  it('refuses a missing or unknown key with 401 in Whop error shape', async () => {
    const missing = await fetch(`${whop.url}/ad_campaigns`);
    expect(missing.status).toBe(401);
    expect(await missing.json()).toEqual({ error: { type: 'unauthorized', message: expect.any(String) } });
    const wrong = await call('GET', '/ad_campaigns', undefined, { authorization: 'Bearer nope' });
    expect(wrong.status).toBe(401);
    expect(wrong.body.error.type).toBe('unauthorized');
    expect(lastRequest()).toMatchObject({ op: 'ad_campaigns/list', status: 401 });
  });

  it('answers an unknown route 404 and records it without an operation', async () => {
    const answer = await get('/ad_sets');
    expect(answer.status).toBe(404);
    expect(answer.body.error.type).toBe('not_found');
    expect(lastRequest()).toMatchObject({ path: '/ad_sets', status: 404, valid: false });
    expect(lastRequest().op).toBeUndefined();
  });

  it('refuses unknown properties, a missing JSON content type and bad parameters, recording them invalid', async () => {
    const unknown = await post('/ad_groups', { ad_campaign_id: WHOP_SEED.campaign, daily_budget: 40 });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error).toEqual({ type: 'invalid_request', message: expect.stringContaining("unknown property 'daily_budget'") });
    expect(lastRequest()).toMatchObject({ valid: false, op: 'ad_groups/create' });

    const res = await fetch(`${whop.url}/ad_groups`, {
      method: 'POST',
      headers: { authorization: `Bearer ${WHOP_TEST_KEY}`, 'content-type': 'text/plain' },
      body: JSON.stringify({ ad_campaign_id: WHOP_SEED.campaign }),
    });
    expect(res.status).toBe(400);
    expect((await res.json()).error.message).toMatch(/Content-Type must be application\/json/);

    const query = await get('/ads?colour=red');
    expect(query.status).toBe(400);
    expect(query.body.error.message).toMatch(/unknown query parameter 'colour'/);
    expect(whop.adGroups.size).toBe(1);
  });

  it('refuses negative money and more decimals than cents', async () => {
    const negative = await post('/ad_groups', { ad_campaign_id: WHOP_SEED.campaign, budget_amount: -5 });
    expect(negative.status).toBe(400);
    const fractions = await post('/ad_groups', { ad_campaign_id: WHOP_SEED.campaign, minimum_daily_spend: 10.005 });
    expect(fractions.status).toBe(400);
    expect(fractions.body.error.message).toMatch(/minimum_daily_spend must have at most 2 decimals/);
    const inline = await post('/ads', { ad_group: { ad_campaign_id: WHOP_SEED.campaign, budget_amount: 0.001 } });
    expect(inline.status).toBe(400);
    expect(inline.body.error.message).toMatch(/ad_group\.budget_amount/);
    expect(whop.adGroups.size).toBe(1);
    expect((await post('/ad_groups', { ad_campaign_id: WHOP_SEED.campaign, budget_amount: 10.25 })).status).toBe(200);
  });
});

describe('campaign -> ad group -> ad lifecycle', () => {
  it('creates, lists with cursors, pauses, merges updates and cascades deletes', async () => {
    const campaign = await post('/ad_campaigns', { title: 'Summer', objective: 'traffic', platform: 'meta' });
    expect(campaign.status).toBe(200);
    expect(campaign.body).toMatchObject({ status: 'draft', budget_amount: null, budget_optimization: 'ad_group', budget_type: 'daily', spend_currency: 'USD', special_ad_categories: [] });
    expect(campaign.body.id).toMatch(/^adcamp_/);
    const campaignId: string = campaign.body.id;

    const missing = await post('/ad_groups', { ad_campaign_id: 'adcamp_missing' });
    expect(missing.status).toBe(404);
    expect(missing.body.error.type).toBe('not_found');

    const group = await post('/ad_groups', { ad_campaign_id: campaignId, title: 'Group', budget_amount: 12.5, placements: 'automatic' });
    expect(group.status).toBe(200);
    expect(group.body).toMatchObject({ status: 'active', budget_amount: 12.5, ad_campaign: { id: campaignId }, placements: [] });
    const groupId: string = group.body.id;
    expect(whop.adGroups.get(groupId)?.budget_amount).toBe(12.5);

    const first = await post('/ads', { ad_group_id: groupId, title: 'First', headlines: ['Hi'] });
    const second = await post('/ads', { ad_group_id: groupId, title: 'Second' });
    expect(first.body).toMatchObject({ status: 'active', ad_group: { id: groupId }, ad_campaign: { id: campaignId }, headlines: ['Hi'] });
    expect(second.status).toBe(200);
    expect((await post('/ads', { title: 'nowhere' })).status).toBe(400);
    expect((await post('/ads', { ad_group_id: groupId, ad_group: { ad_campaign_id: campaignId } })).status).toBe(400);

    // Newest first, one per page: the second ad, then the first, then nothing more.
    const page1 = await get(`/ads?ad_campaign_id=${campaignId}&first=1`);
    expect(page1.body.data.map((a: { id: string }) => a.id)).toEqual([second.body.id]);
    expect(page1.body.page_info).toMatchObject({ has_next_page: true, has_previous_page: false });
    const page2 = await get(`/ads?ad_campaign_id=${campaignId}&first=1&after=${page1.body.page_info.end_cursor}`);
    expect(page2.body.data.map((a: { id: string }) => a.id)).toEqual([first.body.id]);
    expect(page2.body.page_info).toMatchObject({ has_next_page: false, has_previous_page: true });
    const ascending = await get(`/ads?ad_group_id=${groupId}&direction=asc`);
    expect(ascending.body.data.map((a: { id: string }) => a.id)).toEqual([first.body.id, second.body.id]);
    expect((await get('/ads?first=101')).status).toBe(400);
    expect((await get(`/ad_groups?query=grou`)).body.data.map((g: { id: string }) => g.id)).toEqual([groupId]);

    const paused = await post(`/ad_groups/${groupId}/pause`);
    expect(paused.body.status).toBe('paused');
    expect(whop.ads.get(first.body.id)?.delivery_status).toBe('draft'); // the campaign is not launched yet
    expect((await post(`/ad_groups/${groupId}/pause`)).status).toBe(400);
    expect((await get('/ad_groups?status=paused')).body.data.map((g: { id: string }) => g.id)).toEqual([groupId]);
    expect((await post(`/ad_groups/${groupId}/unpause`)).body.status).toBe('active');
    expect((await post(`/ad_groups/${groupId}/unpause`)).status).toBe(400);

    const updated = await call('PATCH', `/ad_groups/${groupId}`, { title: 'Renamed' });
    expect(updated.body).toMatchObject({ title: 'Renamed', budget_amount: 12.5, status: 'active' });
    const rebudget = await call('PATCH', `/ad_groups/${groupId}`, { budget_amount: 20 });
    expect(rebudget.body).toMatchObject({ title: 'Renamed', budget_amount: 20 });

    expect((await post(`/ad_campaigns/${campaignId}/pause`)).status).toBe(400); // a draft is not active
    const launched = await call('PATCH', `/ad_campaigns/${campaignId}`, { status: 'active' });
    expect(launched.body).toMatchObject({ status: 'active', title: 'Summer', delivery_status: 'active' });
    expect(whop.ads.get(first.body.id)?.delivery_status).toBe('active');
    expect((await post(`/ad_campaigns/${campaignId}/pause`)).body.status).toBe('paused');
    expect(whop.ads.get(first.body.id)?.delivery_status).toBe('campaign_paused');
    expect((await post(`/ad_campaigns/${campaignId}/unpause`)).body.status).toBe('active');
    expect((await post(`/ad_campaigns/${campaignId}/retry_payment`)).status).toBe(400);
    whop.campaigns.get(campaignId)!.status = 'payment_failed';
    expect((await post(`/ad_campaigns/${campaignId}/retry_payment`)).body.status).toBe('active');

    const deleted = await call('DELETE', `/ad_campaigns/${campaignId}`);
    expect(deleted).toMatchObject({ status: 200, body: true });
    expect(whop.campaigns.has(campaignId)).toBe(false);
    expect(whop.adGroups.has(groupId)).toBe(false);
    expect(whop.ads.has(first.body.id) || whop.ads.has(second.body.id)).toBe(false);
    expect((await get(`/ads/${first.body.id}`)).status).toBe(404);
    expect(whop.ads.has(WHOP_SEED.ad)).toBe(true);
  });

  it('reports an ad of a paused ad group as not delivering', async () => {
    expect(whop.ads.get(WHOP_SEED.ad)?.delivery_status).toBe('active');
    await post(`/ad_groups/${WHOP_SEED.adGroup}/pause`);
    expect(whop.ads.get(WHOP_SEED.ad)?.delivery_status).toBe('ad_group_paused');
    expect((await get(`/ads/${WHOP_SEED.ad}`)).body.status).toBe('active');
  });

  it('creates an ad with an inline ad group', async () => {
    const ad = await post('/ads', { ad_group: { ad_campaign_id: WHOP_SEED.campaign, title: 'Inline', budget_amount: 30 }, title: 'Ad' });
    expect(ad.status).toBe(200);
    const group = whop.adGroups.get(ad.body.ad_group.id);
    expect(group).toMatchObject({ title: 'Inline', budget_amount: 30, ad_campaign: { id: WHOP_SEED.campaign } });
    expect(whop.adGroups.size).toBe(2);
  });

  it('keeps campaign budgets where the campaign owns them', async () => {
    expect((await post('/ad_campaigns', { title: 'x', objective: 'sales', platform: 'meta', budget_optimization: 'ad_campaign' })).status).toBe(400);
    expect((await post('/ad_campaigns', { title: 'x', objective: 'sales', platform: 'meta', budget_amount: 10 })).status).toBe(400);
    const owner = await post('/ad_campaigns', { title: 'x', objective: 'sales', platform: 'meta', budget_optimization: 'ad_campaign', budget_amount: 99.99 });
    expect(owner.body).toMatchObject({ budget_amount: 99.99, budget_optimization: 'ad_campaign' });
    expect((await post('/ad_groups', { ad_campaign_id: owner.body.id, budget_amount: 5 })).status).toBe(400);
  });
});

describe('idempotency', () => {
  const body = { title: 'Once', objective: 'sales', platform: 'meta' };

  it('replays a repeated key with the same body, applying it once', async () => {
    const before = whop.campaigns.size;
    const a = await post('/ad_campaigns', body, { 'idempotency-key': 'k-1' });
    const b = await post('/ad_campaigns', body, { 'idempotency-key': 'k-1' });
    expect(a.status).toBe(200);
    expect(b.status).toBe(200);
    expect(b.body.id).toBe(a.body.id);
    expect(whop.campaigns.size).toBe(before + 1);
    expect(whop.requests.map((r) => r.replayed ?? false)).toEqual([false, true]);
    const c = await post('/ad_campaigns', body, { 'idempotency-key': 'k-2' });
    expect(c.body.id).not.toBe(a.body.id);
  });

  it('refuses the same key with another body with 409', async () => {
    await post('/ad_campaigns', body, { 'idempotency-key': 'k-1' });
    const other = await post('/ad_campaigns', { ...body, title: 'Twice' }, { 'idempotency-key': 'k-1' });
    expect(other.status).toBe(409);
    expect(other.body.error.type).toBe('conflict');
    expect([...whop.campaigns.values()].some((c) => c.title === 'Twice')).toBe(false);
  });
});

describe('currencies', () => {
  it('takes whole yen only on a JPY account and reports spend in yen', async () => {
    await restart({ currency: 'jpy' });
    const refused = await post('/ad_groups', { ad_campaign_id: WHOP_SEED.campaign, budget_amount: 1000.5 });
    expect(refused.status).toBe(400);
    expect(refused.body.error.message).toMatch(/at most 0 decimals in JPY/);
    expect(lastRequest().valid).toBe(false);
    expect(whop.adGroups.size).toBe(1);
    const accepted = await post('/ad_groups', { ad_campaign_id: WHOP_SEED.campaign, budget_amount: 1000 });
    expect(accepted.status).toBe(200);
    expect(accepted.body.spend_currency).toBe('JPY');
    const ad = await get(`/ads/${WHOP_SEED.ad}`);
    expect(Number.isInteger(ad.body.spend)).toBe(true);
    const report = await get(`/ad_reports?from=2024-01-01&to=2024-01-02&ad_ids=${WHOP_SEED.ad}`);
    expect(report.body.summary).toMatchObject({ spend: ad.body.spend, spend_currency: 'jpy' });
    expect((await get(`/ad_reports?from=2024-01-01&to=2024-01-02&ad_ids=${WHOP_SEED.ad}&currency=USD`)).status).toBe(400);
  });
});

describe('ad reports', () => {
  it('sums the scope, its breakdown rows and its daily rows alike', async () => {
    const group = await post('/ad_groups', { ad_campaign_id: WHOP_SEED.campaign, title: 'Second group' });
    await post('/ads', { ad_group_id: group.body.id });
    await post('/ads', { ad_group_id: group.body.id });
    const report = await get(`/ad_reports?from=2024-03-01&to=2024-03-07&ad_campaign_ids=${WHOP_SEED.campaign}&breakdown=ad_group&granularity=daily`);
    expect(report.status).toBe(200);
    const { summary, breakdown, granularity } = report.body;
    expect(breakdown.map((row: { id: string }) => row.id).sort()).toEqual([WHOP_SEED.adGroup, group.body.id].sort());
    expect(granularity).toHaveLength(7);
    expect(granularity.map((row: { stat_date: string }) => row.stat_date)).toEqual(['2024-03-01', '2024-03-02', '2024-03-03', '2024-03-04', '2024-03-05', '2024-03-06', '2024-03-07']);
    const total = (rows: { impressions: number; clicks: number; spend: number }[], key: 'impressions' | 'clicks' | 'spend') =>
      rows.reduce((sum, row) => sum + row[key], 0);
    for (const key of ['impressions', 'clicks'] as const) {
      expect(total(breakdown.map((b: { summary: never }) => b.summary), key)).toBe(summary[key]);
      expect(total(granularity, key)).toBe(summary[key]);
    }
    expect(total(breakdown.map((b: { summary: never }) => b.summary), 'spend')).toBeCloseTo(summary.spend, 6);
    expect(total(granularity, 'spend')).toBeCloseTo(summary.spend, 6);
    expect(summary.spend_currency).toBe('usd');
    // The campaign object carries the same totals as its report.
    const campaign = await get(`/ad_campaigns/${WHOP_SEED.campaign}`);
    expect(campaign.body).toMatchObject({ impressions: summary.impressions, clicks: summary.clicks, spend: summary.spend, spend_currency: 'USD' });
    expect(campaign.body.click_through_rate).toBeCloseTo(summary.clicks / summary.impressions, 5);
    expect(summary.impressions).toBeGreaterThan(0);
  });

  it('needs exactly one scope and known ids', async () => {
    expect((await get('/ad_reports?from=2024-01-01&to=2024-01-02')).status).toBe(400);
    expect((await get(`/ad_reports?from=2024-01-01&to=2024-01-02&ad_ids=${WHOP_SEED.ad}&company_id=${WHOP_SEED.account}`)).status).toBe(400);
    expect((await get('/ad_reports?from=2024-01-01&to=2024-01-02&ad_ids=ad_missing')).status).toBe(404);
    expect((await get(`/ad_reports?from=2024-01-05&to=2024-01-02&ad_ids=${WHOP_SEED.ad}`)).status).toBe(400);
  });
});

describe('targeting, reach and audiences', () => {
  it('browses fixed lists on a blank query and searches interests by name', async () => {
    const browse = await get('/ad_groups/targeting_options?platform=meta');
    const types = new Set(browse.body.data.map((o: { type: string }) => o.type));
    expect(types.has('languages') && types.has('behaviors')).toBe(true);
    expect(types.has('interests') || types.has('locations')).toBe(false);
    const search = await get('/ad_groups/targeting_options?platform=meta&types=interests&query=MOVIE');
    expect(search.body.data.map((o: { name: string }) => o.name)).toEqual(['Movies']);
  });

  it('estimates reach deterministically, wider for more countries, storing nothing', async () => {
    const one = await post('/ad_groups/estimate_reach', { platform: 'meta', regions: { include: { countries: ['US'] } } });
    const again = await post('/ad_groups/estimate_reach', { platform: 'meta', regions: { include: { countries: ['US'] } } });
    const two = await post('/ad_groups/estimate_reach', { platform: 'meta', regions: { include: { countries: ['US', 'GB'] } } });
    expect(again.body).toEqual(one.body);
    expect(one.body.users_lower_bound).toBeLessThan(one.body.users_upper_bound);
    expect(two.body.users_lower_bound).toBeGreaterThan(one.body.users_lower_bound);
    expect(whop.adGroups.size).toBe(1);
  });

  it('creates custom and lookalike audiences, lists and deletes them', async () => {
    const custom = await post('/audiences', { account_id: WHOP_SEED.account, name: 'List', column_mapping: { email: 'Email' }, file_id: 'file_1' });
    expect(custom.body).toMatchObject({ audience_type: 'custom', status: 'processing', name: 'List' });
    const ladder = await post('/audiences', { account_id: WHOP_SEED.account, audience_type: 'lookalike', source_audience_id: WHOP_SEED.audience, count: 3, percentage: 6 });
    expect(ladder.body.data.map((a: { lookalike_ratio: number }) => a.lookalike_ratio)).toEqual([0.02, 0.04, 0.06]);
    expect((await post('/audiences', { account_id: WHOP_SEED.account, audience_type: 'lookalike', source_audience_id: WHOP_SEED.audience, count: 4, percentage: 6 })).status).toBe(400);
    expect((await get('/audiences')).status).toBe(400); // account_id is required
    const lookalikes = await get(`/audiences?account_id=${WHOP_SEED.account}&audience_type=lookalike`);
    expect(lookalikes.body.data).toHaveLength(3);
    expect((await call('DELETE', `/audiences/${custom.body.id}`)).body).toEqual({ success: true });
    expect((await call('DELETE', `/audiences/${custom.body.id}`)).status).toBe(404);
  });
});

describe('failNext', () => {
  it('answers the next requests with the error before applying anything', async () => {
    whop.failNext(2, 503);
    const body = { title: 'Later', objective: 'sales', platform: 'meta' };
    const a = await post('/ad_campaigns', body);
    const b = await post('/ad_campaigns', body);
    expect([a.status, b.status]).toEqual([503, 503]);
    expect(a.body.error).toEqual({ type: expect.any(String), message: expect.any(String) });
    expect([...whop.campaigns.values()].some((c) => c.title === 'Later')).toBe(false);
    expect((await post('/ad_campaigns', body)).status).toBe(200);
    expect([...whop.campaigns.values()].filter((c) => c.title === 'Later')).toHaveLength(1);
  });

  it('answers 429 with retry-after 0 and a Whop rate-limit body', async () => {
    whop.failNext(1, 429);
    const limited = await get('/ad_campaigns');
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('0');
    expect(limited.body.error).toMatchObject({ type: 'rate_limit_exceeded', message: expect.stringMatching(/Try again in \d+ seconds?/) });
    expect((await get('/ad_campaigns')).status).toBe(200);
  });
});
