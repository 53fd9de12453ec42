// Analytics of the fake Pinterest API computed from its state: sync endpoints and async report files, over real HTTP.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SEED, startEmulator, type Emulator } from '../../fakes/pinterest/server.js';
import { addDays, utcDate } from '../../fakes/pinterest/analytics.js';
import { ResponseValidator } from '../../fakes/intake/validate.js';
import { pinterestResponses } from '../../src/apis/pinterest/responses.generated.js';

const TOKEN = 'test-token';
const USD = SEED.adAccounts.usd;
const JPY = SEED.adAccounts.jpy;
const USD_GROUPS = [SEED.adGroups.usd, SEED.adGroups.usdRetargeting, SEED.adGroups.usdBroad];
const WEEK_1 = { start_date: '2024-01-01', end_date: '2024-01-07' };

type Row = Record<string, any>; // arbitrary JSON; assertions narrow it

let emulator: Emulator;
const responses = new ResponseValidator(pinterestResponses);
/** The fake's time in milliseconds when a test sets it (to make changes on earlier days); else the real time. */
let clockMs: number | undefined;

async function call(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(emulator.url + path, {
    method,
    headers: { authorization: `Bearer ${TOKEN}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

/** GET an analytics endpoint: list parameters repeated, `columns` comma-joined (explode: false), as clients send them. */
async function analytics(path: string, params: Record<string, string | string[]>): Promise<{ status: number; body: any }> {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (key === 'columns') query.append(key, ([] as string[]).concat(value).join(','));
    else for (const v of ([] as string[]).concat(value)) query.append(key, v);
  }
  return call('GET', `${path}?${query}`);
}

async function rows(path: string, params: Record<string, string | string[]>): Promise<Row[]> {
  const res = await analytics(path, params);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  expect(Array.isArray(res.body)).toBe(true);
  return res.body as Row[];
}

const campaigns = (params: Record<string, string | string[]>, account: string = USD) => rows(`/ad_accounts/${account}/campaigns/analytics`, params);
const adGroups = (params: Record<string, string | string[]>, account: string = USD) => rows(`/ad_accounts/${account}/ad_groups/analytics`, params);

/** Creates an async report, polls it to FINISHED and downloads its file. */
async function report(body: Record<string, unknown>, account: string = USD): Promise<Record<string, Row[]>> {
  return download(await askReport(body, account), account);
}

/** Creates an async report; its token. */
async function askReport(body: Record<string, unknown>, account: string = USD): Promise<string> {
  const created = await call('POST', `/ad_accounts/${account}/reports`, body);
  expect(created.status, JSON.stringify(created.body)).toBe(200);
  return created.body.token as string;
}

/** Polls a report to FINISHED and downloads its file. */
async function download(token: string, account: string = USD): Promise<Record<string, Row[]>> {
  let url: string | null = null;
  for (let i = 0; i < 5 && !url; i++) url = (await call('GET', `/ad_accounts/${account}/reports?token=${token}`)).body.url;
  expect(url).toBeTruthy();
  const file = await fetch(url!);
  expect(file.status).toBe(200);
  return (await file.json()) as Record<string, Row[]>;
}

function sum(list: Row[], column: string): number {
  return list.reduce((n, r) => n + (r[column] as number), 0);
}

function today(): string {
  return utcDate(emulator.state.now());
}

beforeAll(async () => {
  emulator = await startEmulator({ clock: () => clockMs ?? Date.now() });
});

afterAll(async () => {
  await emulator.close();
});

beforeEach(() => {
  clockMs = undefined;
  emulator.reset();
});

describe('sync analytics rows', () => {
  it('carry the level id column, DATE unless TOTAL, and only the requested columns', async () => {
    const daily = await campaigns({ ...WEEK_1, campaign_ids: [SEED.campaigns.usdActive], columns: ['SPEND_IN_DOLLAR', 'IMPRESSION_1'], granularity: 'DAY' });
    expect(daily).toHaveLength(7);
    for (const row of daily) expect(Object.keys(row)).toEqual(['CAMPAIGN_ID', 'DATE', 'SPEND_IN_DOLLAR', 'IMPRESSION_1']);
    const total = await adGroups({ ...WEEK_1, ad_group_ids: [SEED.adGroups.usd], columns: ['CLICKTHROUGH_1', 'AD_GROUP_NAME', 'TOTAL_VIDEO_3SEC_VIEWS'], granularity: 'TOTAL' });
    expect(total).toEqual([{ AD_GROUP_ID: SEED.adGroups.usd, CLICKTHROUGH_1: expect.any(Number), AD_GROUP_NAME: 'US Prospecting', TOTAL_VIDEO_3SEC_VIEWS: 0 }]);
    expect(total[0].CLICKTHROUGH_1).toBeGreaterThan(0);
    const account = await rows(`/ad_accounts/${USD}/analytics`, { ...WEEK_1, columns: ['PAID_IMPRESSION'], granularity: 'TOTAL' });
    expect(account).toEqual([{ AD_ACCOUNT_ID: USD, PAID_IMPRESSION: expect.any(Number) }]);
  });

  it('give one DAY row per date of the range, in order, with real numbers', async () => {
    const daily = await campaigns({ start_date: '2024-01-30', end_date: '2024-02-02', campaign_ids: [SEED.campaigns.usdActive], columns: ['SPEND_IN_MICRO_DOLLAR'], granularity: 'DAY' });
    expect(daily.map((r) => r.DATE)).toEqual(['2024-01-30', '2024-01-31', '2024-02-01', '2024-02-02']);
    for (const row of daily) {
      expect(Number.isSafeInteger(row.SPEND_IN_MICRO_DOLLAR)).toBe(true);
      expect(row.SPEND_IN_MICRO_DOLLAR).toBeGreaterThan(0);
    }
    expect(new Set(daily.map((r) => r.SPEND_IN_MICRO_DOLLAR)).size).toBeGreaterThan(1); // not a constant placeholder
  });

  it('answer TOTAL as the sum of the DAY rows, rates derived from the sums', async () => {
    const columns = ['SPEND_IN_MICRO_DOLLAR', 'IMPRESSION_1', 'CLICKTHROUGH_1', 'TOTAL_ENGAGEMENT', 'CPC_IN_MICRO_DOLLAR', 'CTR'];
    const params = { ...WEEK_1, ad_group_ids: USD_GROUPS, columns };
    const daily = await adGroups({ ...params, granularity: 'DAY' });
    const total = await adGroups({ ...params, granularity: 'TOTAL' });
    expect(total.map((r) => r.AD_GROUP_ID)).toEqual(USD_GROUPS);
    for (const row of total) {
      const days = daily.filter((r) => r.AD_GROUP_ID === row.AD_GROUP_ID);
      expect(days).toHaveLength(7);
      for (const column of ['SPEND_IN_MICRO_DOLLAR', 'IMPRESSION_1', 'CLICKTHROUGH_1', 'TOTAL_ENGAGEMENT']) expect(row[column]).toBe(sum(days, column));
      expect(row.CPC_IN_MICRO_DOLLAR).toBe(Math.round(row.SPEND_IN_MICRO_DOLLAR / row.CLICKTHROUGH_1));
      expect(row.CTR).toBeCloseTo(row.CLICKTHROUGH_1 / row.IMPRESSION_1, 12);
    }
  });

  it('make a campaign the sum of its ad groups, and the account the sum of its campaigns', async () => {
    const columns = ['SPEND_IN_MICRO_DOLLAR', 'PAID_IMPRESSION', 'CLICKTHROUGH_1', 'OUTBOUND_CLICK_1', 'TOTAL_IMPRESSION'];
    const byGroup = await adGroups({ ...WEEK_1, ad_group_ids: USD_GROUPS, columns, granularity: 'DAY' });
    const byCampaign = await campaigns({ ...WEEK_1, campaign_ids: [SEED.campaigns.usdActive, SEED.campaigns.usdPaused], columns, granularity: 'DAY' });
    const account = await rows(`/ad_accounts/${USD}/analytics`, { ...WEEK_1, columns, granularity: 'DAY' });
    for (const date of ['2024-01-01', '2024-01-04', '2024-01-07']) {
      const campaignRow = byCampaign.find((r) => r.CAMPAIGN_ID === SEED.campaigns.usdActive && r.DATE === date)!;
      const pausedRow = byCampaign.find((r) => r.CAMPAIGN_ID === SEED.campaigns.usdPaused && r.DATE === date)!;
      const accountRow = account.find((r) => r.DATE === date)!;
      for (const column of columns) {
        expect(campaignRow[column]).toBe(sum(byGroup.filter((r) => r.DATE === date), column));
        expect(pausedRow[column]).toBe(0); // seeded PAUSED: no delivery
        expect(accountRow[column]).toBe(campaignRow[column] + pausedRow[column]);
      }
      expect(campaignRow.SPEND_IN_MICRO_DOLLAR).toBeGreaterThan(0);
    }
  });

  it('derive CPC, CPM, CTR and the dollar columns from spend, clicks and impressions', async () => {
    const columns = ['SPEND_IN_MICRO_DOLLAR', 'SPEND_IN_DOLLAR', 'CLICKTHROUGH_1', 'TOTAL_CLICKTHROUGH', 'IMPRESSION_1', 'TOTAL_IMPRESSION', 'CPC_IN_MICRO_DOLLAR', 'ECPC_IN_MICRO_DOLLAR', 'ECPC_IN_DOLLAR', 'CPM_IN_MICRO_DOLLAR', 'CPM_IN_DOLLAR', 'ECPM_IN_MICRO_DOLLAR', 'CTR', 'ECTR'];
    for (const row of await adGroups({ ...WEEK_1, ad_group_ids: USD_GROUPS, columns, granularity: 'DAY' })) {
      const spend = row.SPEND_IN_MICRO_DOLLAR;
      expect(spend % 10_000).toBe(0); // whole cents, as billed
      expect(row.SPEND_IN_DOLLAR).toBeCloseTo(spend / 1e6, 9);
      expect(row.CLICKTHROUGH_1).toBeLessThan(row.IMPRESSION_1);
      expect(row.TOTAL_CLICKTHROUGH).toBeGreaterThanOrEqual(row.CLICKTHROUGH_1);
      expect(row.TOTAL_IMPRESSION).toBeGreaterThanOrEqual(row.IMPRESSION_1);
      expect(row.CPC_IN_MICRO_DOLLAR).toBe(Math.round(spend / row.CLICKTHROUGH_1));
      expect(row.ECPC_IN_MICRO_DOLLAR).toBe(Math.round(spend / row.TOTAL_CLICKTHROUGH));
      expect(row.ECPC_IN_DOLLAR).toBeCloseTo(spend / row.TOTAL_CLICKTHROUGH / 1e6, 9);
      expect(row.CPM_IN_MICRO_DOLLAR).toBe(Math.round((spend * 1000) / row.IMPRESSION_1));
      expect(row.CPM_IN_DOLLAR).toBeCloseTo((spend * 1000) / row.IMPRESSION_1 / 1e6, 9);
      expect(row.ECPM_IN_MICRO_DOLLAR).toBe(Math.round((spend * 1000) / row.TOTAL_IMPRESSION));
      expect(row.CTR).toBeCloseTo(row.CLICKTHROUGH_1 / row.IMPRESSION_1, 12);
      expect(row.ECTR).toBeCloseTo(row.TOTAL_CLICKTHROUGH / row.TOTAL_IMPRESSION, 12);
    }
  });

  it('keep each day within the ad group budget, and some USD ad groups cost more than $1 a click, some less', async () => {
    const daily = await adGroups({ ...WEEK_1, ad_group_ids: USD_GROUPS, columns: ['SPEND_IN_MICRO_DOLLAR'], granularity: 'DAY' });
    for (const row of daily) {
      expect(row.SPEND_IN_MICRO_DOLLAR).toBeLessThanOrEqual(emulator.state.adGroups.get(row.AD_GROUP_ID)!.budget_in_micro_currency!);
    }
    const lastWeek = { start_date: addDays(today(), -7), end_date: addDays(today(), -1) };
    const cpc = await adGroups({ ...lastWeek, ad_group_ids: USD_GROUPS, columns: ['CPC_IN_MICRO_DOLLAR'], granularity: 'TOTAL' });
    expect(cpc.filter((r) => r.CPC_IN_MICRO_DOLLAR > 1_000_000).length).toBeGreaterThan(0);
    expect(cpc.filter((r) => r.CPC_IN_MICRO_DOLLAR > 0 && r.CPC_IN_MICRO_DOLLAR < 1_000_000).length).toBeGreaterThan(0);
  });

  it("states the JPY account's numbers in integer JPY micros", async () => {
    const columns = ['SPEND_IN_MICRO_DOLLAR', 'CPC_IN_MICRO_DOLLAR', 'CPM_IN_MICRO_DOLLAR', 'SPEND_IN_DOLLAR'];
    const jpy = await adGroups({ ...WEEK_1, ad_group_ids: [SEED.adGroups.jpy], columns, granularity: 'DAY' }, JPY);
    const usd = await adGroups({ ...WEEK_1, ad_group_ids: [SEED.adGroups.usd], columns, granularity: 'DAY' });
    expect(jpy).toHaveLength(7);
    for (const [i, row] of jpy.entries()) {
      for (const column of ['SPEND_IN_MICRO_DOLLAR', 'CPC_IN_MICRO_DOLLAR', 'CPM_IN_MICRO_DOLLAR']) expect(Number.isSafeInteger(row[column])).toBe(true);
      expect(row.SPEND_IN_MICRO_DOLLAR % 1_000_000).toBe(0); // whole yen
      expect(row.SPEND_IN_MICRO_DOLLAR).toBeLessThanOrEqual(5_000_000_000); // the ad group's ¥5,000 daily budget
      expect(row.SPEND_IN_MICRO_DOLLAR).toBeGreaterThan(1_000_000_000); // more than ¥1,000: not dollar-sized amounts
      expect(row.CPC_IN_MICRO_DOLLAR).toBeGreaterThan(50_000_000); // a click costs tens of yen (bid ¥150)
      expect(row.SPEND_IN_MICRO_DOLLAR).toBeGreaterThan(50 * usd[i].SPEND_IN_MICRO_DOLLAR);
      expect(row.SPEND_IN_DOLLAR).toBeCloseTo(row.SPEND_IN_MICRO_DOLLAR / 1e6, 6);
    }
  });

  it('give rows to a campaign created through the API, from its creation date on', async () => {
    const campaign = await call('POST', `/ad_accounts/${USD}/campaigns`, [{ ad_account_id: USD, name: 'Fresh', objective_type: 'CONSIDERATION' }]);
    const campaignId: string = campaign.body.items[0].data.id;
    const group = await call('POST', `/ad_accounts/${USD}/ad_groups`, [
      { name: 'Fresh group', campaign_id: campaignId, billable_event: 'CLICKTHROUGH', budget_in_micro_currency: 20_000_000, bid_in_micro_currency: 900_000 },
    ]);
    const groupId: string = group.body.items[0].data.id;
    const ad = await call('POST', `/ad_accounts/${USD}/ads`, [{ ad_group_id: groupId, creative_type: 'REGULAR', pin_id: SEED.pins.spring1 }]);
    expect(ad.status).toBe(200);
    const daily = await campaigns({ start_date: addDays(today(), -1), end_date: today(), campaign_ids: [campaignId], columns: ['SPEND_IN_MICRO_DOLLAR', 'CLICKTHROUGH_1'], granularity: 'DAY' });
    expect(daily.map((r) => r.DATE)).toEqual([addDays(today(), -1), today()]);
    expect(daily[0]).toMatchObject({ CAMPAIGN_ID: campaignId, SPEND_IN_MICRO_DOLLAR: 0, CLICKTHROUGH_1: 0 }); // before it existed
    expect(daily[1].SPEND_IN_MICRO_DOLLAR).toBeGreaterThan(0);
    expect(daily[1].SPEND_IN_MICRO_DOLLAR).toBeLessThanOrEqual(20_000_000);
    const groups = await adGroups({ start_date: today(), end_date: today(), ad_group_ids: [groupId], columns: ['SPEND_IN_MICRO_DOLLAR'], granularity: 'TOTAL' });
    expect(groups[0].SPEND_IN_MICRO_DOLLAR).toBe(daily[1].SPEND_IN_MICRO_DOLLAR);
  });

  it('stop delivery of a paused ad group from the day it was paused, keeping its history', async () => {
    const params = { start_date: addDays(today(), -2), end_date: today(), columns: ['SPEND_IN_MICRO_DOLLAR'], granularity: 'DAY' };
    const before = await adGroups({ ...params, ad_group_ids: [SEED.adGroups.usdBroad] });
    const campaignBefore = await campaigns({ ...params, campaign_ids: [SEED.campaigns.usdActive] });
    expect(before.every((r) => r.SPEND_IN_MICRO_DOLLAR > 0)).toBe(true);
    const paused = await call('PATCH', `/ad_accounts/${USD}/ad_groups`, [{ id: SEED.adGroups.usdBroad, status: 'PAUSED' }]);
    expect(paused.status).toBe(200);
    const after = await adGroups({ ...params, ad_group_ids: [SEED.adGroups.usdBroad] });
    expect(after.map((r) => r.SPEND_IN_MICRO_DOLLAR)).toEqual([before[0].SPEND_IN_MICRO_DOLLAR, before[1].SPEND_IN_MICRO_DOLLAR, 0]);
    const campaignAfter = await campaigns({ ...params, campaign_ids: [SEED.campaigns.usdActive] });
    expect(campaignAfter[2].SPEND_IN_MICRO_DOLLAR).toBe(campaignBefore[2].SPEND_IN_MICRO_DOLLAR - before[2].SPEND_IN_MICRO_DOLLAR);
    expect(campaignAfter[0].SPEND_IN_MICRO_DOLLAR).toBe(campaignBefore[0].SPEND_IN_MICRO_DOLLAR);
  });

  it('report nothing after today', async () => {
    const future = await campaigns({ start_date: addDays(today(), 1), end_date: addDays(today(), 3), campaign_ids: [SEED.campaigns.usdActive], columns: ['SPEND_IN_MICRO_DOLLAR', 'IMPRESSION_1'], granularity: 'TOTAL' });
    expect(future).toEqual([{ CAMPAIGN_ID: SEED.campaigns.usdActive, SPEND_IN_MICRO_DOLLAR: 0, IMPRESSION_1: 0 }]);
  });

  it('leave out ids that are unknown or of another ad account', async () => {
    const out = await campaigns({ ...WEEK_1, campaign_ids: ['999999999', SEED.campaigns.jpyActive, SEED.campaigns.usdActive], columns: ['IMPRESSION_1'], granularity: 'TOTAL' });
    expect(out.map((r) => r.CAMPAIGN_ID)).toEqual([SEED.campaigns.usdActive]);
    const none = await adGroups({ ...WEEK_1, ad_group_ids: [SEED.adGroups.jpy], columns: ['IMPRESSION_1'], granularity: 'TOTAL' });
    expect(none).toEqual([]);
  });

  it('choose ads by ad_ids, or by campaign_ids narrowed by pin_ids, and refuse neither', async () => {
    const path = `/ad_accounts/${USD}/ads/analytics`;
    const base = { ...WEEK_1, columns: ['SPEND_IN_MICRO_DOLLAR', 'PIN_ID'], granularity: 'TOTAL' };
    const byId = await rows(path, { ...base, ad_ids: [SEED.ads.usdBroad] });
    expect(byId).toEqual([{ AD_ID: SEED.ads.usdBroad, SPEND_IN_MICRO_DOLLAR: expect.any(Number), PIN_ID: SEED.pins.summer1 }]);
    const byCampaign = await rows(path, { ...base, campaign_ids: [SEED.campaigns.usdActive] });
    expect(byCampaign.map((r) => r.AD_ID)).toEqual([SEED.ads.usd, SEED.ads.usdRetargeting, SEED.ads.usdBroad]);
    const byPin = await rows(path, { ...base, campaign_ids: [SEED.campaigns.usdActive], pin_ids: [SEED.pins.summer1] });
    expect(byPin).toEqual([byId[0]]);
    const neither = await analytics(path, base);
    expect(neither.status).toBe(400);
    expect(neither.body).toMatchObject({ code: 1, message: expect.stringContaining('ad_ids') });
  });

  it('conform to the response schemas and repeat the same numbers for the same request', async () => {
    const params = { ...WEEK_1, columns: ['SPEND_IN_MICRO_DOLLAR', 'CTR'], granularity: 'DAY' };
    const cases: [string, string, Record<string, string[]>][] = [
      ['ad_account/analytics', `/ad_accounts/${USD}/analytics`, {}],
      ['campaigns/analytics', `/ad_accounts/${USD}/campaigns/analytics`, { campaign_ids: [SEED.campaigns.usdActive] }],
      ['ad_groups/analytics', `/ad_accounts/${USD}/ad_groups/analytics`, { ad_group_ids: USD_GROUPS }],
      ['ads/analytics', `/ad_accounts/${USD}/ads/analytics`, { ad_ids: [SEED.ads.usd] }],
    ];
    for (const [operationId, path, ids] of cases) {
      const first = await rows(path, { ...params, ...ids });
      expect(first.length).toBeGreaterThan(0);
      expect(responses.validate(operationId, first)).toEqual([]);
      emulator.reset();
      expect(await rows(path, { ...params, ...ids })).toEqual(first);
    }
  });
});

describe('granularity and dates', () => {
  it('keys WEEK rows by the Monday of each week and MONTH rows by the 1st, summing only dates in range', async () => {
    const columns = ['SPEND_IN_MICRO_DOLLAR', 'IMPRESSION_1'];
    const ids = [SEED.campaigns.usdActive];
    const weekRange = { start_date: '2024-01-03', end_date: '2024-01-20' }; // a Wednesday to a Saturday
    const weeks = await campaigns({ ...weekRange, campaign_ids: ids, columns, granularity: 'WEEK' });
    expect(weeks.map((r) => r.DATE)).toEqual(['2024-01-01', '2024-01-08', '2024-01-15']);
    const days = await campaigns({ ...weekRange, campaign_ids: ids, columns, granularity: 'DAY' });
    expect(weeks[0].SPEND_IN_MICRO_DOLLAR).toBe(sum(days.slice(0, 5), 'SPEND_IN_MICRO_DOLLAR')); // Jan 3..7 only
    const weekTotal = await campaigns({ ...weekRange, campaign_ids: ids, columns, granularity: 'TOTAL' });
    expect(sum(weeks, 'IMPRESSION_1')).toBe(weekTotal[0].IMPRESSION_1);

    const monthRange = { start_date: '2024-01-20', end_date: '2024-03-05' };
    const months = await campaigns({ ...monthRange, campaign_ids: ids, columns, granularity: 'MONTH' });
    expect(months.map((r) => r.DATE)).toEqual(['2024-01-01', '2024-02-01', '2024-03-01']);
    const monthTotal = await campaigns({ ...monthRange, campaign_ids: ids, columns, granularity: 'TOTAL' });
    expect(sum(months, 'SPEND_IN_MICRO_DOLLAR')).toBe(monthTotal[0].SPEND_IN_MICRO_DOLLAR);
    const march = await campaigns({ start_date: '2024-03-01', end_date: '2024-03-05', campaign_ids: ids, columns, granularity: 'TOTAL' });
    expect(months[2].SPEND_IN_MICRO_DOLLAR).toBe(march[0].SPEND_IN_MICRO_DOLLAR);
  });

  it('answers HOUR like DAY: one row per date', async () => {
    const params = { ...WEEK_1, campaign_ids: [SEED.campaigns.usdActive], columns: ['SPEND_IN_MICRO_DOLLAR'] };
    expect(await campaigns({ ...params, granularity: 'HOUR' })).toEqual(await campaigns({ ...params, granularity: 'DAY' }));
  });

  it('refuses an end_date before the start_date, an impossible date and a span over 90 days, with 400', async () => {
    const base = { columns: ['SPEND_IN_MICRO_DOLLAR'], granularity: 'DAY' };
    const backwards = await analytics(`/ad_accounts/${USD}/campaigns/analytics`, { ...base, campaign_ids: [SEED.campaigns.usdActive], start_date: '2024-01-07', end_date: '2024-01-01' });
    expect(backwards.status).toBe(400);
    expect(backwards.body).toEqual({ code: 1, message: 'end_date 2024-01-01 is before start_date 2024-01-07' });
    expect(emulator.requests.at(-1)?.valid).toBe(true); // refused by the analytics, not by request validation
    const impossible = await analytics(`/ad_accounts/${USD}/analytics`, { ...base, start_date: '2024-02-30', end_date: '2024-03-01' });
    expect(impossible.status).toBe(400);
    expect(impossible.body.message).toContain("start_date '2024-02-30' is not a valid date");
    const long = await analytics(`/ad_accounts/${USD}/ad_groups/analytics`, { ...base, ad_group_ids: [SEED.adGroups.usd], start_date: '2024-01-01', end_date: '2024-06-01' });
    expect(long.status).toBe(400);
    expect(long.body.message).toContain('90 days');
    const report = await call('POST', `/ad_accounts/${USD}/reports`, { level: 'CAMPAIGN', columns: ['SPEND_IN_MICRO_DOLLAR'], granularity: 'DAY', start_date: '2024-01-07', end_date: '2024-01-01' });
    expect(report.status).toBe(400);
    expect(report.body.code).toBe(1);
    expect(emulator.state.reports.size).toBe(0);
  });
});

describe('async reports', () => {
  const columns = ['SPEND_IN_MICRO_DOLLAR', 'IMPRESSION_1', 'CLICKTHROUGH_1', 'CPC_IN_MICRO_DOLLAR', 'CTR'];

  it('hold the same rows as the sync endpoint for the same request, keyed by entity id', async () => {
    const ids = [SEED.campaigns.usdActive, SEED.campaigns.usdPaused];
    const sync = await campaigns({ ...WEEK_1, campaign_ids: ids, columns, granularity: 'DAY' });
    const file = await report({ level: 'CAMPAIGN', ...WEEK_1, campaign_ids: ids, columns, granularity: 'DAY', report_format: 'JSON' });
    expect(Object.keys(file).sort()).toEqual([...ids].sort());
    for (const id of ids) expect(file[id]).toEqual(sync.filter((r) => r.CAMPAIGN_ID === id));
    expect(sum(file[SEED.campaigns.usdActive], 'SPEND_IN_MICRO_DOLLAR')).toBeGreaterThan(0);
  });

  it('compute ADVERTISER, AD_GROUP and PIN_PROMOTION levels like the account, ad group and ad endpoints', async () => {
    const valuesOf = (list: Row[]) => list.map((r) => columns.map((c) => r[c]));
    const advertiser = await report({ level: 'ADVERTISER', ...WEEK_1, columns, granularity: 'TOTAL' });
    expect(Object.keys(advertiser)).toEqual([USD]);
    expect(valuesOf(advertiser[USD])).toEqual(valuesOf(await rows(`/ad_accounts/${USD}/analytics`, { ...WEEK_1, columns, granularity: 'TOTAL' })));

    const groups = await report({ level: 'AD_GROUP', ...WEEK_1, columns, granularity: 'WEEK', campaign_ids: [SEED.campaigns.usdActive] });
    expect(Object.keys(groups).sort()).toEqual([...USD_GROUPS].sort());
    const syncGroups = await adGroups({ ...WEEK_1, ad_group_ids: USD_GROUPS, columns, granularity: 'WEEK' });
    for (const id of USD_GROUPS) expect(groups[id]).toEqual(syncGroups.filter((r) => r.AD_GROUP_ID === id));

    const ads = await report({ level: 'PIN_PROMOTION', ...WEEK_1, columns, granularity: 'DAY', ad_ids: [SEED.ads.usdRetargeting] });
    expect(Object.keys(ads)).toEqual([SEED.ads.usdRetargeting]);
    expect(ads[SEED.ads.usdRetargeting][0]).toHaveProperty('PIN_PROMOTION_ID', SEED.ads.usdRetargeting);
    const syncAds = await rows(`/ad_accounts/${USD}/ads/analytics`, { ...WEEK_1, ad_ids: [SEED.ads.usdRetargeting], columns, granularity: 'DAY' });
    expect(valuesOf(ads[SEED.ads.usdRetargeting])).toEqual(valuesOf(syncAds));
  });

  it('narrow a campaign-level report by ad group: the campaign counts only those ad groups', async () => {
    const file = await report({ level: 'CAMPAIGN', ...WEEK_1, columns, granularity: 'TOTAL', ad_group_ids: [SEED.adGroups.usdRetargeting] });
    expect(Object.keys(file)).toEqual([SEED.campaigns.usdActive]); // the paused campaign holds no such ad group
    const group = await adGroups({ ...WEEK_1, ad_group_ids: [SEED.adGroups.usdRetargeting], columns, granularity: 'TOTAL' });
    expect(file[SEED.campaigns.usdActive][0].SPEND_IN_MICRO_DOLLAR).toBe(group[0].SPEND_IN_MICRO_DOLLAR);
  });

  it('compute the JPY account in JPY micros, and template reports by campaign', async () => {
    const file = await report({ level: 'CAMPAIGN', ...WEEK_1, columns, granularity: 'TOTAL' }, JPY);
    expect(Object.keys(file).sort()).toEqual([SEED.campaigns.jpyActive, SEED.campaigns.jpyPaused].sort());
    const spend = file[SEED.campaigns.jpyActive][0].SPEND_IN_MICRO_DOLLAR;
    expect(Number.isSafeInteger(spend)).toBe(true);
    expect(spend).toBeGreaterThan(7 * 1_000_000_000);

    const created = await call('POST', `/ad_accounts/${USD}/templates/123/reports?start_date=2024-01-01&end_date=2024-01-03&granularity=DAY`);
    expect(created.status).toBe(200);
    let url: string | null = null;
    for (let i = 0; i < 3 && !url; i++) url = (await call('GET', `/ad_accounts/${USD}/reports?token=${created.body.token}`)).body.url;
    const template = (await (await fetch(url!)).json()) as Record<string, Row[]>;
    const sync = await campaigns({ start_date: '2024-01-01', end_date: '2024-01-03', campaign_ids: [SEED.campaigns.usdActive], columns: ['SPEND_IN_MICRO_DOLLAR', 'IMPRESSION_1', 'CLICKTHROUGH_1'], granularity: 'DAY' });
    expect(template[SEED.campaigns.usdActive]).toEqual(sync);
  });
});

describe('a fixed past: a change counts from the date it was made, by the fake\'s clock; earlier dates keep their numbers', () => {
  const DAY_MS = 86_400_000;
  const NOW = Date.UTC(2024, 2, 15, 12); // midday UTC: a fixed date makes every figure below reproducible
  const TODAY = '2024-03-15';
  const YESTERDAY = addDays(TODAY, -1);
  const columns = ['SPEND_IN_MICRO_DOLLAR', 'IMPRESSION_1', 'CLICKTHROUGH_1', 'CPC_IN_MICRO_DOLLAR'];
  const month = { start_date: addDays(TODAY, -30), end_date: TODAY };
  const closedWeek = { start_date: addDays(TODAY, -7), end_date: YESTERDAY };
  const ACTIVE = SEED.campaigns.usdActive;

  /** The USD account's figures: ad groups and the active campaign by day over the last 30 days and today; the closed week's totals at every level. */
  async function figures() {
    const week = { ...closedWeek, columns, granularity: 'TOTAL' };
    return {
      groupDays: await adGroups({ ...month, ad_group_ids: USD_GROUPS, columns, granularity: 'DAY' }),
      campaignDays: await campaigns({ ...month, campaign_ids: [ACTIVE], columns, granularity: 'DAY' }),
      week: {
        account: await rows(`/ad_accounts/${USD}/analytics`, week),
        campaigns: await campaigns({ ...week, campaign_ids: [ACTIVE, SEED.campaigns.usdPaused] }),
        adGroups: await adGroups({ ...week, ad_group_ids: USD_GROUPS }),
        ads: await rows(`/ad_accounts/${USD}/ads/analytics`, { ...week, campaign_ids: [ACTIVE] }),
        report: await report({ level: 'AD_GROUP', ...week, report_format: 'JSON' }),
      },
    };
  }

  /** The figures of a fresh store whose records were changed directly (no history): as if they had been so all along. */
  async function allAlong(change: () => void) {
    emulator.reset();
    change();
    return figures();
  }

  const between = (list: Row[], from: string, to: string) => list.filter((r) => r.DATE >= from && r.DATE <= to);
  const on = (list: Row[], date: string) => between(list, date, date);
  const spendOf = (list: Row[], date: string) => on(list, date).reduce((n, r) => n + (r.SPEND_IN_MICRO_DOLLAR as number), 0);

  async function patch(path: 'campaigns' | 'ad_groups', body: Row[]): Promise<void> {
    const answer = await call('PATCH', `/ad_accounts/${USD}/${path}`, body);
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
  }

  it("raising the ad groups' budgets by 20% today changes today's numbers only: every past day and the closed week stay", async () => {
    clockMs = NOW;
    const before = await figures();
    const budgets = new Map(USD_GROUPS.map((id) => [id, emulator.state.adGroups.get(id)!.budget_in_micro_currency!]));
    // Twice on the same day (+10%, then +20%): the day's last budget is the day's.
    await patch('ad_groups', USD_GROUPS.map((id) => ({ id, budget_in_micro_currency: Math.round(budgets.get(id)! * 1.1) })));
    clockMs = NOW + 6 * 3_600_000;
    await patch('ad_groups', USD_GROUPS.map((id) => ({ id, budget_in_micro_currency: Math.round(budgets.get(id)! * 1.2) })));
    for (const id of USD_GROUPS) expect(emulator.state.history.get(id)).toHaveLength(2); // as created, and today's version
    const after = await figures();

    expect(between(after.groupDays, month.start_date, YESTERDAY)).toEqual(between(before.groupDays, month.start_date, YESTERDAY));
    expect(between(after.campaignDays, month.start_date, YESTERDAY)).toEqual(between(before.campaignDays, month.start_date, YESTERDAY));
    expect(after.week).toEqual(before.week);
    expect(spendOf(before.campaignDays, YESTERDAY)).toBeGreaterThan(0);

    // Today is as if the raised budgets had always been there, and the raise shows (a budget bound today).
    const raised = await allAlong(() => {
      for (const id of USD_GROUPS) emulator.state.adGroups.get(id)!.budget_in_micro_currency = Math.round(budgets.get(id)! * 1.2);
    });
    expect(on(after.groupDays, TODAY)).toEqual(on(raised.groupDays, TODAY));
    expect(on(after.campaignDays, TODAY)).toEqual(on(raised.campaignDays, TODAY));
    expect(spendOf(after.campaignDays, TODAY)).toBeGreaterThan(spendOf(before.campaignDays, TODAY));
    for (const row of on(after.groupDays, TODAY)) expect(row.SPEND_IN_MICRO_DOLLAR).toBeLessThanOrEqual(Math.round(budgets.get(row.AD_GROUP_ID)! * 1.2));
    // A fake that rewrote its past would have answered these for the closed week: the test tells the two apart.
    expect(raised.week.campaigns).not.toEqual(before.week.campaigns);
  });

  it("a campaign's daily spend cap set ten days ago counts from that day; raised today, it changes today only", async () => {
    clockMs = NOW;
    const untouched = await figures();
    const capDay = addDays(TODAY, -10);
    clockMs = NOW - 10 * DAY_MS;
    await patch('campaigns', [{ id: ACTIVE, ad_account_id: USD, daily_spend_cap: 20_000_000 }]);
    clockMs = NOW;
    const capped = await figures();
    await patch('campaigns', [{ id: ACTIVE, ad_account_id: USD, daily_spend_cap: 30_000_000 }]);
    const raised = await figures();

    // The raise today leaves every earlier day and the closed week as they were.
    expect(between(raised.campaignDays, month.start_date, YESTERDAY)).toEqual(between(capped.campaignDays, month.start_date, YESTERDAY));
    expect(between(raised.groupDays, month.start_date, YESTERDAY)).toEqual(between(capped.groupDays, month.start_date, YESTERDAY));
    expect(raised.week).toEqual(capped.week);

    // Before the cap's day: as without a cap; from it to yesterday: as with $20 all along; today: as with $30 all along.
    const dayBefore = addDays(capDay, -1);
    expect(between(raised.campaignDays, month.start_date, dayBefore)).toEqual(between(untouched.campaignDays, month.start_date, dayBefore));
    const at20 = await allAlong(() => (emulator.state.campaigns.get(ACTIVE)!.daily_spend_cap = 20_000_000));
    expect(between(raised.campaignDays, capDay, YESTERDAY)).toEqual(between(at20.campaignDays, capDay, YESTERDAY));
    expect(between(raised.groupDays, capDay, YESTERDAY)).toEqual(between(at20.groupDays, capDay, YESTERDAY));
    const at30 = await allAlong(() => (emulator.state.campaigns.get(ACTIVE)!.daily_spend_cap = 30_000_000));
    expect(on(raised.campaignDays, TODAY)).toEqual(on(at30.campaignDays, TODAY));
    expect(on(raised.groupDays, TODAY)).toEqual(on(at30.groupDays, TODAY));

    // The caps bound: each capped day at most $20 where the uncapped ones spent more, today above $20 and at most $30.
    for (const row of between(raised.campaignDays, capDay, YESTERDAY)) expect(row.SPEND_IN_MICRO_DOLLAR).toBeLessThanOrEqual(20_000_000);
    expect(between(untouched.campaignDays, capDay, YESTERDAY).some((r) => r.SPEND_IN_MICRO_DOLLAR > 20_000_000)).toBe(true);
    expect(spendOf(raised.campaignDays, TODAY)).toBeGreaterThan(20_000_000);
    expect(spendOf(raised.campaignDays, TODAY)).toBeLessThanOrEqual(30_000_000);
  });

  it('a bid lowered five days ago and an ad group paused two days ago count from those days on', async () => {
    clockMs = NOW;
    const untouched = await figures();
    const bidDay = addDays(TODAY, -5);
    const pauseDay = addDays(TODAY, -2);
    clockMs = NOW - 5 * DAY_MS;
    await patch('ad_groups', [{ id: SEED.adGroups.usdBroad, bid_in_micro_currency: 500_000 }]);
    clockMs = NOW - 2 * DAY_MS;
    await patch('ad_groups', [{ id: SEED.adGroups.usdRetargeting, status: 'PAUSED' }]);
    clockMs = NOW;
    const after = await figures();
    const of = (list: Row[], id: string) => list.filter((r) => r.AD_GROUP_ID === id);

    const broad = of(after.groupDays, SEED.adGroups.usdBroad);
    expect(between(broad, month.start_date, addDays(bidDay, -1))).toEqual(between(of(untouched.groupDays, SEED.adGroups.usdBroad), month.start_date, addDays(bidDay, -1)));
    const lowBid = await allAlong(() => (emulator.state.adGroups.get(SEED.adGroups.usdBroad)!.bid_in_micro_currency = 500_000));
    expect(between(broad, bidDay, TODAY)).toEqual(between(of(lowBid.groupDays, SEED.adGroups.usdBroad), bidDay, TODAY));
    for (const row of between(broad, bidDay, TODAY)) expect(row.CPC_IN_MICRO_DOLLAR).toBeLessThanOrEqual(525_000); // the bid, +5% at most

    const retargeting = of(after.groupDays, SEED.adGroups.usdRetargeting);
    expect(between(retargeting, month.start_date, addDays(pauseDay, -1))).toEqual(
      between(of(untouched.groupDays, SEED.adGroups.usdRetargeting), month.start_date, addDays(pauseDay, -1)),
    );
    expect(between(retargeting, pauseDay, TODAY).map((r) => r.SPEND_IN_MICRO_DOLLAR)).toEqual([0, 0, 0]);
  });

  it('an async report holds the figures of when it was asked, though budgets change before its download', async () => {
    clockMs = NOW;
    const body = { level: 'CAMPAIGN', start_date: addDays(TODAY, -2), end_date: TODAY, columns, granularity: 'DAY', campaign_ids: [ACTIVE], report_format: 'JSON' };
    const token = await askReport(body);
    const asked = await campaigns({ start_date: body.start_date, end_date: TODAY, campaign_ids: [ACTIVE], columns, granularity: 'DAY' });
    await patch('ad_groups', USD_GROUPS.map((id) => ({ id, budget_in_micro_currency: 1_000_000 })));
    const now = await campaigns({ start_date: body.start_date, end_date: TODAY, campaign_ids: [ACTIVE], columns, granularity: 'DAY' });
    expect(spendOf(now, TODAY)).toBeLessThanOrEqual(3_000_000); // today follows the $1 budgets
    expect(between(now, body.start_date, YESTERDAY)).toEqual(between(asked, body.start_date, YESTERDAY));
    expect((await download(token))[ACTIVE]).toEqual(asked);
    expect((await report(body))[ACTIVE]).toEqual(now);
  });
});
