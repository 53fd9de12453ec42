// Six everyday tasks an assistant is asked, played through the MCP client against the built server in --demo mode, directly and in discover mode, and in two orders.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { describe, expect, it } from 'vitest';
import { SEED } from '../../fakes/pinterest/state.js';
import { SERVER_ENTRY, textOf } from '../helpers/harness.js';

type Json = Record<string, any>;

const USD = SEED.adAccounts.usd;

/** YYYY-MM-DD of `days` days before today (UTC). */
function daysAgo(days: number): string {
  return new Date(Date.now() - days * 86_400_000).toISOString().slice(0, 10);
}

/** The demo server over stdio, and a way to call tools directly or, in discover mode, through call_tool. */
async function demo(mode: 'tools' | 'discover') {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [SERVER_ENTRY, '--demo', '--approval', 'model', '--log-level', 'warn', '--mode', mode],
    env: { PATH: process.env.PATH ?? '' }, // no credentials: the demo needs none
    stderr: 'pipe',
  });
  const client = new Client({ name: 'tasks', version: '1.0.0' });
  await client.connect(transport);
  const call = async (name: string, args: Json): Promise<CallToolResult & { text: string; json: Json }> => {
    const result = (mode === 'discover'
      ? await client.callTool({ name: 'call_tool', arguments: { name, arguments: args } })
      : await client.callTool({ name, arguments: args })) as CallToolResult;
    return { ...result, text: textOf(result), json: (result.structuredContent ?? {}) as Json };
  };
  /** A held write: the preview first (nothing sent), then the same call with its token, as the user agreed. */
  const confirmed = async (name: string, args: Json, expectPreview: RegExp) => {
    const preview = await call(name, args);
    expect(preview.json.status, preview.text).toBe('confirmation_required');
    expect(preview.text).toMatch(expectPreview);
    if (mode === 'discover') expect(preview.text).toMatch(/call call_tool again with name "[a-z_]+" and the same arguments plus confirmation_token/);
    const done = await call(name, { ...args, confirmation_token: preview.json.confirmation_token });
    expect(done.isError, done.text).toBeFalsy();
    return done;
  };
  return { client, call, confirmed, close: () => client.close() };
}

type Demo = Awaited<ReturnType<typeof demo>>;

/** The last 7 days before today (UTC), the window tasks 3 and 5 ask about. */
function lastSevenDays(): { start_date: string; end_date: string } {
  return { start_date: daysAgo(7), end_date: daysAgo(1) };
}

/** One session's tasks: the demo, the window asked about, what task 2 made, and the figures tasks 3 and 5 read, by entity id. */
interface Session {
  d: Demo;
  period: { start_date: string; end_date: string };
  campaignId?: string;
  campaignWeek: Record<string, Json>;
  reportTotals?: Json;
  adGroupWeek: Record<string, Json>;
  costly?: string[];
}

function session(d: Demo, period = lastSevenDays()): Session {
  return { d, period, campaignWeek: {}, adGroupWeek: {} };
}

/** Totals of the session's window per entity, from the sync analytics tool of its level. */
async function lastWeek(s: Session, tool: string, idsParam: string, entityIds: string[], columns: string[]): Promise<Json[]> {
  const answer = await s.d.call(tool, { ad_account_id: USD, [idsParam]: entityIds, ...s.period, columns, granularity: 'TOTAL' });
  expect(answer.isError, answer.text).toBeFalsy();
  return answer.json.items as Json[];
}

// 1. Which ad accounts, in which currencies.
async function accountsAndCurrencies({ d }: Session): Promise<void> {
  const accounts = await d.call('ad_accounts_list', {});
  const currencies = Object.fromEntries((accounts.json.items as Json[]).map((a) => [a.id, a.currency]));
  expect(currencies).toEqual({ [SEED.adAccounts.usd]: 'USD', [SEED.adAccounts.jpy]: 'JPY', [SEED.adAccounts.eur]: 'EUR' });
}

// 2. A campaign, an ad group under it and an ad, each confirmed after its preview.
async function campaignAdGroupAndAd(s: Session): Promise<void> {
  const { d } = s;
  const campaign = await d.confirmed(
    'campaigns_create',
    { ad_account_id: USD, body: [{ ad_account_id: USD, name: 'Spring sale', objective_type: 'CONSIDERATION', daily_spend_cap: '$40' }] },
    /daily_spend_cap .*40\.00 USD/,
  );
  const campaignId = campaign.json.items[0].data.id as string;
  s.campaignId = campaignId;
  expect(campaign.json.items[0].data.daily_spend_cap).toBe(40_000_000);
  const adGroup = await d.confirmed(
    'ad_groups_create',
    {
      ad_account_id: USD,
      body: [{ campaign_id: campaignId, name: 'Spring shoppers', billable_event: 'CLICKTHROUGH', budget: '15', budget_type: 'DAILY', bid: '0.80', targeting_spec: { LOCATION: ['US'] } }],
    },
    /15\.00 USD/,
  );
  const adGroupId = adGroup.json.items[0].data.id as string;
  expect(adGroup.json.items[0].data).toMatchObject({ budget_in_micro_currency: 15_000_000, bid_in_micro_currency: 800_000, campaign_id: campaignId });
  const ad = await d.confirmed(
    'ads_create',
    { ad_account_id: USD, body: [{ ad_group_id: adGroupId, creative_type: 'REGULAR', pin_id: SEED.pins.spring1, name: 'Spring pin' }] },
    /ads_create/,
  );
  expect(ad.json.items[0].data).toMatchObject({ ad_group_id: adGroupId, campaign_id: campaignId, pin_id: SEED.pins.spring1 });
}

// 3. Spend, impressions and clicks per campaign over the last 7 days.
async function spendPerCampaign(s: Session): Promise<void> {
  const { d } = s;
  const campaigns = await d.call('campaigns_list', { ad_account_id: USD, entity_statuses: ['ACTIVE'] });
  const ids = (campaigns.json.items as Json[]).map((c) => c.id as string);
  if (s.campaignId) expect(ids).toContain(s.campaignId);
  const rows = await lastWeek(s, 'campaigns_analytics', 'campaign_ids', ids, ['SPEND_IN_MICRO_DOLLAR', 'PAID_IMPRESSION', 'CLICKTHROUGH_1']);
  expect(rows.map((r) => r.CAMPAIGN_ID).sort()).toEqual([...ids].sort());
  for (const row of rows) {
    expect(Object.keys(row).sort()).toEqual(['CAMPAIGN_ID', 'CLICKTHROUGH_1', 'PAID_IMPRESSION', 'SPEND', 'SPEND_IN_MICRO_DOLLAR'].sort());
    expect(row.SPEND).toBe(`${(row.SPEND_IN_MICRO_DOLLAR / 1e6).toFixed(2)} USD`);
    s.campaignWeek[row.CAMPAIGN_ID] = row;
  }
  expect(rows.some((r) => r.SPEND_IN_MICRO_DOLLAR > 0 && r.PAID_IMPRESSION > 0)).toBe(true);
  // The same question as an async report: the same numbers.
  const report = await d.call('analytics_run_report', {
    ad_account_id: USD,
    body: { level: 'CAMPAIGN', ...s.period, granularity: 'TOTAL', columns: ['SPEND_IN_MICRO_DOLLAR', 'PAID_IMPRESSION', 'CLICKTHROUGH_1'], report_format: 'JSON' },
  });
  expect(report.isError, report.text).toBeFalsy();
  const sum = (key: string) => rows.reduce((n, r) => n + Number(r[key]), 0);
  expect(report.json.totals.SPEND_IN_MICRO_DOLLAR).toBe(sum('SPEND_IN_MICRO_DOLLAR'));
  expect(report.json.totals.PAID_IMPRESSION).toBe(sum('PAID_IMPRESSION'));
  s.reportTotals = report.json.totals as Json;
}

// 4. Raise an ad group's budget by 20% (a non-CBO campaign's budget lives on its ad groups).
async function raiseBudget({ d }: Session): Promise<void> {
  const before = await d.call('ad_groups_get', { ad_account_id: USD, ad_group_id: SEED.adGroups.usd });
  const budget = before.json.budget_in_micro_currency as number;
  const raised = ((budget * 1.2) / 1e6).toFixed(2);
  await d.confirmed(
    'ad_groups_update',
    { ad_account_id: USD, body: [{ id: SEED.adGroups.usd, budget: raised }] },
    /\+20%/,
  );
  const after = await d.call('ad_groups_get', { ad_account_id: USD, ad_group_id: SEED.adGroups.usd });
  expect(after.json.budget_in_micro_currency).toBe(Math.round(budget * 1.2));
}

// 5. Pause the ad groups whose cost per click over the last 7 days is above $1.
async function pauseCostlyAdGroups(s: Session): Promise<void> {
  const { d } = s;
  const groups = await d.call('ad_groups_list', { ad_account_id: USD, entity_statuses: ['ACTIVE'] });
  const groupIds = (groups.json.items as Json[]).map((g) => g.id as string);
  const cpc = await lastWeek(s, 'ad_groups_analytics', 'ad_group_ids', groupIds, ['CPC_IN_MICRO_DOLLAR', 'SPEND_IN_MICRO_DOLLAR', 'CLICKTHROUGH_1']);
  for (const row of cpc) s.adGroupWeek[row.AD_GROUP_ID] = row;
  const costly = cpc.filter((r) => r.CPC_IN_MICRO_DOLLAR > 1_000_000).map((r) => r.AD_GROUP_ID as string);
  const cheap = groupIds.filter((id) => !costly.includes(id));
  s.costly = costly;
  expect(costly.length, JSON.stringify(cpc)).toBeGreaterThan(0);
  expect(cheap.length, JSON.stringify(cpc)).toBeGreaterThan(0);
  // Every status change is held (a pause stops delivery the user may count on), so the user sees which ones.
  await d.confirmed('ad_groups_update', { ad_account_id: USD, body: costly.map((id) => ({ id, status: 'PAUSED' })) }, /status "ACTIVE" -> "PAUSED"/);
  const now = await d.call('ad_groups_list', { ad_account_id: USD });
  const status = Object.fromEntries((now.json.items as Json[]).map((g) => [g.id, g.status]));
  for (const id of costly) expect(status[id]).toBe('PAUSED');
  for (const id of cheap) expect(status[id]).toBe('ACTIVE');
}

const TASKS = [accountsAndCurrencies, campaignAdGroupAndAd, spendPerCampaign, raiseBudget, pauseCostlyAdGroups];

/** A fresh demo session that runs `tasks` in the given order. */
async function play(mode: 'tools' | 'discover', tasks: readonly ((s: Session) => Promise<void>)[], period?: Session['period']): Promise<Session> {
  const d = await demo(mode);
  try {
    const s = session(d, period);
    for (const task of tasks) await task(s);
    return s;
  } finally {
    await d.close();
  }
}

describe.each(['tools', 'discover'] as const)('six tasks against --demo (%s mode)', (mode) => {
  it('accounts and currencies; a campaign, ad group and ad; spend per campaign; +20% budget; pausing costly ad groups', async () => {
    await play(mode, TASKS);
  }, 60_000);
});

describe('six tasks in two orders', () => {
  // The demo's past is fixed: a budget raised or an ad group paused today changes no closed window, so the answers about
  // the last 7 days do not depend on which task ran first.
  it('give the same figures for the last 7 days forward and reversed (the writes before the reads)', async () => {
    const period = lastSevenDays(); // one window for both sessions, whenever midnight falls
    const forward = await play('tools', TASKS, period);
    const reversed = await play('tools', [...TASKS].reverse(), period);

    const shared = (a: Record<string, Json>, b: Record<string, Json>) => Object.keys(a).filter((id) => id in b).sort();
    const campaigns = shared(forward.campaignWeek, reversed.campaignWeek);
    expect(campaigns).toContain(SEED.campaigns.usdActive);
    for (const id of campaigns) expect(reversed.campaignWeek[id], id).toEqual(forward.campaignWeek[id]);
    expect(reversed.reportTotals).toEqual(forward.reportTotals);
    const groups = shared(forward.adGroupWeek, reversed.adGroupWeek);
    expect(groups).toEqual([SEED.adGroups.usd, SEED.adGroups.usdRetargeting, SEED.adGroups.usdBroad].sort());
    for (const id of groups) expect(reversed.adGroupWeek[id], id).toEqual(forward.adGroupWeek[id]);
    expect([...reversed.costly!].sort()).toEqual([...forward.costly!].sort());
    // What only one session saw was made today (task 2's campaign and ad group): nothing in a closed window.
    for (const week of [forward.campaignWeek, reversed.campaignWeek, forward.adGroupWeek, reversed.adGroupWeek]) {
      for (const [id, row] of Object.entries(week)) if (!campaigns.includes(id) && !groups.includes(id)) expect(row.SPEND_IN_MICRO_DOLLAR, id).toBe(0);
    }
  }, 120_000);
});
