// Whop's whole ads API through a real MCP client and a fake Whop API on loopback: every tool, the guard, money, the client.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { whopCatalog } from '../../src/apis/whop/catalog.generated.js';
import { WHOP_SEED, WHOP_TEST_KEY, type WhopEmulator, type WhopRecordedRequest, startWhopEmulator } from '../../fakes/whop/server.js';
import { classify } from '../../src/apis/classification.js';
import { startEmulator } from '../../fakes/pinterest/server.js';
import { type Harness, MODEL_APPROVAL, startInProcess } from '../helpers/harness.js';
import { tempDir } from '../helpers/temp.js';
import { EVENTUALLY } from '../helpers/waiting.js';
import { webhookReceiver } from '../helpers/webhook.js';

type App = Harness & { app: import('../../src/server/app.js').App };

interface Held {
  status: string;
  confirmation_token: string;
  request: { method: string; path: string; query: Record<string, unknown>; body: any };
  changes: Record<string, any>[];
}

/** Environment pointing the server at the fake Whop; `key: null` leaves WHOP_API_KEY unset. */
const whopEnv = (whop: WhopEmulator, key: string | null = WHOP_TEST_KEY): Record<string, string> => ({
  WHOP_API_BASE_URL: whop.url,
  ...(key !== null ? { WHOP_API_KEY: key } : {}),
});

const writes = (whop: WhopEmulator): WhopRecordedRequest[] => whop.requests.filter((r) => r.method !== 'GET');
const held = (result: { structuredContent?: unknown }): Held => result.structuredContent as Held;

async function start(whop: WhopEmulator, args: string[] = [], env: Record<string, string> = {}): Promise<App> {
  return startInProcess({ args: [...MODEL_APPROVAL, '--toolsets', 'whop', ...args], env: { ...whopEnv(whop), ...env } });
}

/** Calls a tool; when the guard holds it, checks nothing reached the API and confirms with the token. */
async function callConfirming(h: App, whop: WhopEmulator, tool: string, args: Record<string, unknown>) {
  const before = writes(whop).length;
  const first = await h.call(tool, args);
  const token = held(first)?.confirmation_token;
  if (!token) return { result: first, held: false };
  expect(writes(whop).length, `${tool}: a write reached Whop before confirmation`).toBe(before);
  return { result: await h.call(tool, { ...args, confirmation_token: token }), held: true };
}

describe('Whop listing', () => {
  let whop: WhopEmulator;
  beforeAll(async () => {
    whop = await startWhopEmulator();
  });
  afterAll(() => whop?.close());

  it('lists the 28 whop tools with WHOP_API_KEY where named, none without (not even with --toolsets all), and --toolsets whop needs the key', async () => {
    const names = async (args: string[], key: string | null) => {
      const h = await startInProcess({ args, env: whopEnv(whop, key) });
      try {
        return (await h.client.listTools()).tools.map((t) => t.name).filter((n) => n.startsWith('whop_'));
      } finally {
        await h.close();
      }
    };
    expect(await names([], null)).toEqual([]);
    expect(await names(['--toolsets', 'all'], null)).toEqual([]);
    // The key turns Whop on; its toolset is listed where selected, not added to the default selection.
    expect(await names([], WHOP_TEST_KEY)).toEqual([]);
    expect(await names(['--toolsets', 'default,whop'], WHOP_TEST_KEY)).toHaveLength(28);
    expect(await names(['--toolsets', 'all'], WHOP_TEST_KEY)).toHaveLength(28);
    expect(await names(['--toolsets', 'whop'], WHOP_TEST_KEY)).toHaveLength(28);
    const pinterest = await startEmulator();
    try {
      await expect(startInProcess({ emulator: pinterest, args: ['--toolsets', 'whop'], env: whopEnv(whop, null) })).rejects.toThrow(
        '--toolsets whop: its tools belong to Whop, which is off: set WHOP_API_KEY to use it',
      );
    } finally {
      await pinterest.close();
    }
  });
});

describe('every Whop tool against the fake Whop API', () => {
  let whop: WhopEmulator;
  let h: App;
  beforeAll(async () => {
    whop = await startWhopEmulator();
    h = await start(whop);
  });
  afterAll(async () => {
    await h?.close();
    await whop?.close();
  });

  it('sends one well-formed request per tool, holding every write that can spend until it is confirmed', async () => {
    const ids = { campaign: '', adGroup: '', ad: '', audience: '' };
    // The sweep's campaign owns the budget (so its ad groups set none).
    const groupBody = (campaign: string) => ({ ad_campaign_id: campaign, title: 'Sweep group', regions: { include: { countries: ['US'] } } });
    // In order: reads, creates (whose ids later calls use), changes, status actions, then deletes.
    const calls: [string, () => Record<string, unknown>][] = [
      ['whop_ad_campaigns_list', () => ({ first: 5 })],
      ['whop_ad_campaigns_get', () => ({ id: WHOP_SEED.campaign })],
      ['whop_ad_groups_list', () => ({ ad_campaign_id: WHOP_SEED.campaign })],
      ['whop_ad_groups_get', () => ({ id: WHOP_SEED.adGroup })],
      ['whop_ads_list', () => ({ ad_group_id: WHOP_SEED.adGroup })],
      ['whop_ads_get', () => ({ id: WHOP_SEED.ad })],
      ['whop_ad_reports_get', () => ({ from: '2026-11-01', to: '2026-11-07', ad_campaign_ids: [WHOP_SEED.campaign], breakdown: 'ad_group' })],
      ['whop_audiences_list', () => ({ account_id: WHOP_SEED.account })],
      ['whop_ad_groups_targeting_options', () => ({ platform: 'meta', query: 'a' })],
      ['whop_ad_groups_estimate_reach', () => ({ body: { platform: 'meta', regions: { include: { countries: ['US', 'CA'] } } } })],
      ['whop_ad_campaigns_create', () => ({ body: { title: 'Sweep', objective: 'sales', platform: 'meta', budget_optimization: 'ad_campaign', budget_amount: '100' } })],
      ['whop_ad_groups_create', () => ({ body: groupBody(ids.campaign) })],
      ['whop_ads_create', () => ({ body: { ad_group_id: ids.adGroup, title: 'Sweep ad', headlines: ['Hi'], url: 'https://example.com/' } })],
      ['whop_audiences_create', () => ({ body: { account_id: WHOP_SEED.account, name: 'Sweep list', file_id: 'file_sweep', column_mapping: { email: 'email' } } })],
      ['whop_ad_campaigns_update', () => ({ id: ids.campaign, body: { budget_amount: '120' } })],
      ['whop_ad_groups_update', () => ({ id: ids.adGroup, body: { regions: { include: { countries: ['US', 'CA'] } } } })],
      ['whop_ads_update', () => ({ id: ids.ad, body: { headlines: ['Hello'] } })],
      ['whop_ad_groups_pause', () => ({ id: ids.adGroup })],
      ['whop_ad_groups_unpause', () => ({ id: ids.adGroup })],
      ['whop_ads_pause', () => ({ id: ids.ad })],
      ['whop_ads_unpause', () => ({ id: ids.ad })],
      ['whop_ad_campaigns_pause', () => ({ id: WHOP_SEED.campaign })],
      ['whop_ad_campaigns_unpause', () => ({ id: WHOP_SEED.campaign })],
      ['whop_ad_campaigns_retry_payment', () => {
        whop.campaigns.get(ids.campaign)!.status = 'payment_failed';
        return { id: ids.campaign };
      }],
      ['whop_ads_delete', () => ({ id: ids.ad })],
      ['whop_ad_groups_delete', () => ({ id: ids.adGroup })],
      ['whop_ad_campaigns_delete', () => ({ id: ids.campaign })],
      ['whop_audiences_delete', () => ({ audience_id: ids.audience })],
    ];
    expect(calls.map(([name]) => name).sort()).toEqual(h.app.tools.filter((t) => t.api.id === 'whop').map((t) => t.name).sort());

    const problems: string[] = [];
    const wasHeld: string[] = [];
    for (const [name, args] of calls) {
      const tool = h.app.tools.find((t) => t.name === name)!;
      const before = whop.requests.length;
      const { result, held: confirmed } = await callConfirming(h, whop, name, args());
      if (confirmed) wasHeld.push(name);
      const own = whop.requests.slice(before).filter((r) => r.op === tool.op.id);
      if (own.length !== 1) problems.push(`${name}: expected 1 request, saw ${own.length} (${result.text.slice(0, 200)})`);
      else if (!own[0].valid || own[0].status !== 200) problems.push(`${name}: ${own[0].status} ${own[0].problems.join('; ')} ${result.text.slice(0, 200)}`);
      const body = result.structuredContent as Record<string, any>;
      if (name === 'whop_ad_campaigns_create') ids.campaign = body.id;
      if (name === 'whop_ad_groups_create') ids.adGroup = body.id;
      if (name === 'whop_ads_create') ids.ad = body.id;
      if (name === 'whop_audiences_create') ids.audience = body.id;
    }
    expect(problems).toEqual([]);
    // Held: money, creates that start active, resumes, payments, customer-file audiences, deletes. Sent at once: reads, pauses, copy.
    expect(wasHeld.sort()).toEqual(
      [
        'whop_ad_campaigns_create', 'whop_ad_groups_create', 'whop_ads_create',
        'whop_ad_campaigns_update', 'whop_ad_groups_update',
        'whop_ad_groups_unpause', 'whop_ads_unpause', 'whop_ad_campaigns_unpause', 'whop_ad_campaigns_retry_payment',
        'whop_audiences_create',
        'whop_ads_delete', 'whop_ad_groups_delete', 'whop_ad_campaigns_delete', 'whop_audiences_delete',
      ].sort(),
    );
    for (const name of wasHeld) expect(classify(name)?.class, name).not.toBe('neutral');
  });
});

describe('the guard on Whop writes', () => {
  let whop: WhopEmulator;
  let h: App;
  beforeAll(async () => {
    whop = await startWhopEmulator();
    h = await start(whop);
  });
  afterAll(async () => {
    await h?.close();
    await whop?.close();
  });
  beforeEach(() => {
    whop.requests.length = 0;
  });

  it('holds an ad group create that starts active, and sends its budget in major units once confirmed', async () => {
    const args = { body: { ad_campaign_id: WHOP_SEED.campaign, title: 'Retargeting', budget_amount: '$12.50', budget_type: 'daily' } };
    const first = held(await h.call('whop_ad_groups_create', args));
    expect(first.status).toBe('confirmation_required');
    expect(first.request).toMatchObject({ method: 'POST', path: '/ad_groups', body: { ad_campaign_id: WHOP_SEED.campaign, budget_amount: 12.5 } });
    expect(first.changes).toContainEqual(expect.objectContaining({ entity: 'ad_group', field: 'budget_amount', reason: 'money', to: '12.50 USD' }));
    expect(first.changes).toContainEqual(expect.objectContaining({ reason: 'activation', to: 'active' }));
    expect(writes(whop)).toEqual([]);

    const done = await h.call('whop_ad_groups_create', { ...args, confirmation_token: first.confirmation_token });
    expect(done.isError, done.text).toBeFalsy();
    const [sent] = writes(whop);
    expect(sent.body).toMatchObject({ budget_amount: 12.5 });
    expect(sent.headers.authorization).toBe(`Bearer ${WHOP_TEST_KEY}`);
    expect(sent.headers['idempotency-key']).toMatch(/^[0-9a-f-]{36}$/);
    const id = (done.structuredContent as { id: string }).id;
    expect(whop.adGroups.get(id)).toMatchObject({ budget_amount: 12.5, status: 'active' });
  });

  it('sends a paused ad group create without money or dates at once; money or dates hold it', async () => {
    const paused = await h.call('whop_ad_groups_create', { body: { ad_campaign_id: WHOP_SEED.campaign, title: 'Later', status: 'paused', regions: { include: { countries: ['US'] } } } });
    expect(paused.isError, paused.text).toBeFalsy();
    expect(writes(whop)).toHaveLength(1);
    const budgeted = held(await h.call('whop_ad_groups_create', { body: { ad_campaign_id: WHOP_SEED.campaign, status: 'paused', budget_amount: '5' } }));
    expect(budgeted.changes).toEqual([expect.objectContaining({ field: 'budget_amount', reason: 'money' })]);
    const dated = held(await h.call('whop_ad_groups_create', { body: { ad_campaign_id: WHOP_SEED.campaign, status: 'paused', starts_at: '2026-12-10T00:00:00Z' } }));
    expect(dated.changes).toEqual([expect.objectContaining({ field: 'starts_at', reason: 'schedule' })]);
    expect(writes(whop)).toHaveLength(1);
  });

  it('previews an ad group budget change as current -> new, read with whop_ad_groups_get', async () => {
    const preview = await h.call('whop_ad_groups_update', { id: WHOP_SEED.adGroup, body: { budget_amount: '60' } });
    const p = held(preview);
    expect(p.changes).toEqual([expect.objectContaining({ entity: 'ad_group', id: WHOP_SEED.adGroup, field: 'budget_amount', from: '50.00 USD', to: '60.00 USD', change_percent: 20 })]);
    expect(preview.text).toMatch(/budget_amount 50\.00 USD -> 60\.00 USD \(\+20%\)/);
    expect(whop.requests.filter((r) => r.op === 'ad_groups/get')).toHaveLength(2); // the currency and the current values
    expect(writes(whop)).toEqual([]);
  });

  it('sends a rename at once, and holds targeting, bidding and status changes', async () => {
    const rename = await h.call('whop_ad_groups_update', { id: WHOP_SEED.adGroup, body: { title: 'Renamed' } });
    expect(rename.isError, rename.text).toBeFalsy();
    expect(whop.adGroups.get(WHOP_SEED.adGroup)).toMatchObject({ title: 'Renamed' });
    for (const body of [{ regions: { include: { countries: ['FR'] } } }, { bid_type: 'maximum_target' }, { status: 'active' }, { ends_at: '2027-01-01T00:00:00Z' }]) {
      const p = held(await h.call('whop_ad_groups_update', { id: WHOP_SEED.adGroup, body }));
      expect(p.status, JSON.stringify(body)).toBe('confirmation_required');
    }
    expect(writes(whop)).toHaveLength(1);
  });

  it('holds a campaign launch (status active) and a campaign budget; a draft without money goes through', async () => {
    const draft = await h.call('whop_ad_campaigns_create', { body: { title: 'Draft', objective: 'traffic', platform: 'meta' } });
    expect(draft.isError, draft.text).toBeFalsy();
    const id = (draft.structuredContent as { id: string }).id;
    expect(whop.campaigns.get(id)).toMatchObject({ status: 'draft' });
    const launch = held(await h.call('whop_ad_campaigns_update', { id, body: { status: 'active' } }));
    expect(launch.changes).toEqual([expect.objectContaining({ entity: 'campaign', id, field: 'status', reason: 'status', from: 'draft', to: 'active' })]);
    const budget = held(await h.call('whop_ad_campaigns_create', { body: { title: 'CBO', objective: 'sales', platform: 'meta', budget_optimization: 'ad_campaign', budget_amount: '300', budget_type: 'lifetime' } }));
    expect(budget.changes).toContainEqual(expect.objectContaining({ field: 'budget_amount', to: '300.00 USD' }));
    expect(writes(whop)).toHaveLength(1);
  });

  it('pauses at once, with an idempotency key; resuming is held and previewed as paused -> active', async () => {
    const pause = await h.call('whop_ad_groups_pause', { id: WHOP_SEED.adGroup });
    expect(pause.isError, pause.text).toBeFalsy();
    expect(writes(whop)).toHaveLength(1);
    expect(writes(whop)[0].headers['idempotency-key']).toBeTruthy();
    expect(whop.adGroups.get(WHOP_SEED.adGroup)).toMatchObject({ status: 'paused' });

    const resume = await h.call('whop_ad_groups_unpause', { id: WHOP_SEED.adGroup });
    const p = held(resume);
    expect(p.changes).toEqual([expect.objectContaining({ entity: 'ad_group', id: WHOP_SEED.adGroup, field: 'status', from: 'paused', to: 'active' })]);
    expect(resume.text).toMatch(/changes spend/);
    expect(writes(whop)).toHaveLength(1);
    const done = await h.call('whop_ad_groups_unpause', { id: WHOP_SEED.adGroup, confirmation_token: p.confirmation_token });
    expect(done.isError, done.text).toBeFalsy();
    expect(whop.adGroups.get(WHOP_SEED.adGroup)).toMatchObject({ status: 'active' });
  });

  it('holds deletes as destructive by default; --confirm-writes spend sends them', async () => {
    const p = held(await h.call('whop_ads_delete', { id: WHOP_SEED.ad }));
    expect(p.changes).toEqual([expect.objectContaining({ reason: 'destructive' })]);
    expect(writes(whop)).toEqual([]);
    const relaxed = await start(whop, ['--confirm-writes', 'spend']);
    try {
      const deleted = await relaxed.call('whop_audiences_delete', { audience_id: WHOP_SEED.audience });
      expect(deleted.isError, deleted.text).toBeFalsy();
      expect(whop.audiences.has(WHOP_SEED.audience)).toBe(false);
      // Money still is held there.
      expect(held(await relaxed.call('whop_ad_campaigns_retry_payment', { id: WHOP_SEED.campaign })).status).toBe('confirmation_required');
    } finally {
      await relaxed.close();
    }
  });

  it('holds an ad create (it delivers at once) and guards the ad group it may create with it', async () => {
    const inline = held(
      await h.call('whop_ads_create', { body: { title: 'Ad', ad_group: { ad_campaign_id: WHOP_SEED.campaign, budget_amount: '30', status: 'paused' } } }),
    );
    expect(inline.changes).toContainEqual(expect.objectContaining({ entity: 'ad_group', field: 'budget_amount', to: '30.00 USD' }));
    expect(inline.changes).toContainEqual(expect.objectContaining({ entity: 'ad', reason: 'activation' }));
    expect(inline.request.body.ad_group.budget_amount).toBe(30);
    const copy = await h.call('whop_ads_update', { id: WHOP_SEED.ad, body: { headlines: ['New'], url: 'https://example.com/new' } });
    expect(copy.isError, copy.text).toBeFalsy();
    const creative = held(await h.call('whop_ads_update', { id: WHOP_SEED.ad, body: { post_id: '123' } }));
    expect(creative.changes).toEqual([expect.objectContaining({ field: 'post_id', reason: 'setting' })]);
    expect(writes(whop)).toHaveLength(1);
  });

  it('refuses amounts in another currency or finer than a cent, before anything is sent', async () => {
    const other = await h.call('whop_ad_groups_update', { id: WHOP_SEED.adGroup, body: { budget_amount: '12 EUR' } });
    expect(other.isError).toBe(true);
    expect(other.text).toMatch(/currency_mismatch/);
    const fine = await h.call('whop_ad_groups_update', { id: WHOP_SEED.adGroup, body: { minimum_daily_spend: '1.005' } });
    expect(fine.isError).toBe(true);
    expect(fine.text).toMatch(/body\.minimum_daily_spend: .*minor_unit/);
    expect(writes(whop)).toEqual([]);
  });
});

describe('Whop money in the account currency', () => {
  let whop: WhopEmulator;
  beforeAll(async () => {
    whop = await startWhopEmulator({ currency: 'JPY' });
  });
  afterAll(() => whop?.close());

  it('reads the currency from the campaign and respects its minor unit (JPY has none)', async () => {
    const h = await start(whop);
    try {
      const fraction = await h.call('whop_ad_groups_create', { body: { ad_campaign_id: WHOP_SEED.campaign, budget_amount: '1500.5' } });
      expect(fraction.isError).toBe(true);
      expect(fraction.text).toMatch(/JPY has no decimal places/);
      const p = held(await h.call('whop_ad_groups_create', { body: { ad_campaign_id: WHOP_SEED.campaign, budget_amount: '1500' } }));
      expect(p.changes).toContainEqual(expect.objectContaining({ field: 'budget_amount', to: '1,500 JPY' }));
      expect(writes(whop)).toEqual([]);
    } finally {
      await h.close();
    }
  });

  it('applies caps in the account currency, before any preview', async () => {
    const h = await start(whop, ['--caps', 'daily_budget=10000']);
    try {
      const over = await h.call('whop_ad_groups_update', { id: WHOP_SEED.adGroup, body: { budget_amount: '20000' } });
      expect(over.isError).toBe(true);
      expect(over.text).toMatch(/over the configured daily_budget cap of 10,000 JPY/);
      expect(writes(whop)).toEqual([]);
    } finally {
      await h.close();
    }
  });

  it('restates report spend with its currency', async () => {
    const h = await start(whop);
    try {
      const report = await h.call('whop_ad_reports_get', { from: '2026-11-01', to: '2026-11-07', ad_campaign_ids: [WHOP_SEED.campaign] });
      expect(report.isError, report.text).toBeFalsy();
      const spend = (report.structuredContent as { summary: { spend: number } }).summary.spend;
      expect(report.text).toContain(`summary.spend = ${Math.round(spend).toLocaleString('en-US')} JPY`);
    } finally {
      await h.close();
    }
  });
});

describe('a currency Whop reports no campaign in yet is assumed, and every amount shown in it says so', () => {
  const ASSUMED = '(assumed: Whop reports no currency yet; WHOP_CURRENCY sets it)';
  const NEW_CAMPAIGN = { body: { title: 'First', objective: 'sales', platform: 'meta', budget_optimization: 'ad_campaign', budget_amount: '20', budget_type: 'daily' } };
  let whop: WhopEmulator;
  beforeEach(async () => {
    whop = await startWhopEmulator({ seed: false }); // no campaign: nothing reports a spend_currency yet
  });
  afterEach(() => whop?.close());
  const auditOf = (path: string) => readFileSync(path, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as { outcome: string; amounts: unknown[] });

  it('in the held answer (heading, change lines, changes) and in the audit lines of the confirmed write; a reported currency is plain', async () => {
    const audit = join(tempDir('audit-'), 'audit.jsonl');
    const h = await start(whop, ['--audit-log', audit]);
    try {
      const first = await h.call('whop_ad_campaigns_create', NEW_CAMPAIGN);
      expect(held(first).status).toBe('confirmation_required');
      expect(first.text).toContain(`whop_ad_campaigns_create (USD, assumed: Whop reports no currency yet; WHOP_CURRENCY sets it) changes spend`);
      expect(first.text).toContain(`budget_amount 20.00 USD ${ASSUMED}`);
      expect(held(first).changes).toContainEqual(expect.objectContaining({ entity: 'campaign', field: 'budget_amount', to: `20.00 USD ${ASSUMED}` }));
      // An amount in another currency is refused, saying that the account's is only assumed.
      const euros = await h.call('whop_ad_campaigns_create', { body: { ...NEW_CAMPAIGN.body, budget_amount: '20 EUR' } });
      expect(euros.isError).toBe(true);
      expect(euros.text).toContain(`(USD is assumed: Whop reports no currency yet; WHOP_CURRENCY sets it)`);
      expect(writes(whop)).toEqual([]);

      const done = await h.call('whop_ad_campaigns_create', { ...NEW_CAMPAIGN, confirmation_token: held(first).confirmation_token });
      expect(done.isError, done.text).toBeFalsy();
      expect(writes(whop)).toHaveLength(1);
      const amount = { field: 'body.budget_amount', natural: '20', api_value: 20, currency: 'USD', currency_assumed: 'Whop reports no currency yet; WHOP_CURRENCY sets it' };
      expect(auditOf(audit).map((line) => [line.outcome, line.amounts])).toEqual([
        ['sending', [amount]],
        ['ok', [amount]],
      ]);

      // The campaign now reports its spend_currency: an ad group in it is in USD, not assumed.
      const campaign = (done.structuredContent as { id: string }).id;
      const group = await h.call('whop_ad_groups_create', { body: { ad_campaign_id: campaign, title: 'Group', budget_amount: '5', budget_type: 'daily' } });
      expect(held(group).changes).toContainEqual(expect.objectContaining({ field: 'budget_amount', to: '5.00 USD' }));
      expect(group.text).not.toContain('assumed');
      expect(writes(whop)).toHaveLength(1);
    } finally {
      await h.close();
    }
  });

  it('in the dialog a person answers', async () => {
    const asked: string[] = [];
    const h = await startInProcess({
      args: ['--toolsets', 'whop'],
      env: whopEnv(whop),
      onElicit: async (request) => {
        asked.push(request.params.message);
        return { action: 'accept', content: { confirm: true } };
      },
    });
    try {
      const done = await h.call('whop_ad_campaigns_create', NEW_CAMPAIGN);
      expect(done.isError, done.text).toBeFalsy();
      expect(asked).toHaveLength(1);
      expect(asked[0]).toContain('(USD, assumed: Whop reports no currency yet; WHOP_CURRENCY sets it)');
      expect(asked[0]).toContain(`20.00 USD ${ASSUMED}`);
      expect(asked[0]).not.toMatch(/20\.00 USD(?! \(assumed)/);
      expect(writes(whop)).toHaveLength(1);
    } finally {
      await h.close();
    }
  });

  it("in the approval webhook's summary", async () => {
    const webhook = await webhookReceiver();
    const { url, bodies: hooks } = webhook;
    const h = await startInProcess({ args: ['--toolsets', 'whop', '--approval-channels', 'page', '--approval-webhook', url], env: { ...whopEnv(whop), BROWSER: 'false' } });
    try {
      const first = await h.call('whop_ad_campaigns_create', NEW_CAMPAIGN);
      expect((first.structuredContent as { status: string }).status, first.text).toBe('approval_required');
      expect(first.text).toContain(`20.00 USD ${ASSUMED}`);
      await vi.waitFor(() => expect(hooks).toHaveLength(1), EVENTUALLY);
      const hook = JSON.parse(hooks[0]) as { currency: string; currency_assumed: string; summary: string; changes: string[]; in_words: string[] };
      expect(hook).toMatchObject({ currency: 'USD', currency_assumed: 'Whop reports no currency yet; WHOP_CURRENCY sets it' });
      expect(hook.summary).toContain('(USD, assumed: Whop reports no currency yet; WHOP_CURRENCY sets it)');
      expect(hook.changes.join('\n')).toContain(`20.00 USD ${ASSUMED}`);
      expect([...hook.changes, ...hook.in_words].join('\n')).not.toMatch(/20\.00 USD(?! \(assumed)/);
      expect(writes(whop)).toEqual([]);
    } finally {
      await h.close();
      await webhook.close();
    }
  });
});

describe('the client against Whop', () => {
  let whop: WhopEmulator;
  let h: App;
  beforeAll(async () => {
    whop = await startWhopEmulator();
    h = await start(whop, [], { PINTEREST_MCP_RETRIES: '2' });
  });
  afterAll(async () => {
    await h?.close();
    await whop?.close();
  });
  beforeEach(() => {
    whop.requests.length = 0;
  });

  it('retries a keyed write after a 500 with the same Idempotency-Key; it is applied once', async () => {
    whop.failNext(1, 500);
    const result = await h.call('whop_ads_pause', { id: WHOP_SEED.ad });
    expect(result.isError, result.text).toBeFalsy();
    const attempts = whop.requests.filter((r) => r.op === 'ads/pause');
    expect(attempts).toHaveLength(2);
    expect(attempts[0].headers['idempotency-key']).toBe(attempts[1].headers['idempotency-key']);
    expect(whop.ads.get(WHOP_SEED.ad)).toMatchObject({ status: 'paused' });
    // A second call is a new intended write: a new key.
    await h.call('whop_ads_unpause', { id: WHOP_SEED.ad, dry_run: true });
    whop.ads.get(WHOP_SEED.ad)!.status = 'active';
    await h.call('whop_ads_pause', { id: WHOP_SEED.ad });
    const keys = new Set(whop.requests.filter((r) => r.op === 'ads/pause').map((r) => r.headers['idempotency-key']));
    expect(keys.size).toBe(2);
  });

  it('never repeats a write without a key after a 500, and says its outcome is unknown', async () => {
    whop.failNext(1, 500);
    const result = await h.call('whop_ads_update', { id: WHOP_SEED.ad, body: { title: 'Once' } });
    expect(result.isError).toBe(true);
    expect(result.text).toMatch(/Whop API error 500/);
    expect(result.text).toMatch(/may have been applied/);
    expect(whop.requests.filter((r) => r.op === 'ads/update')).toHaveLength(1);
  });

  it("maps Whop's error shape: status, code and message", async () => {
    const result = await h.call('whop_ad_groups_get', { id: 'adgrp_missing' });
    expect(result.isError).toBe(true);
    expect(result.text).toMatch(/^Whop API error 404 \(not_found\): .+\. Check the IDs/);
  });

  it('follows cursors with max_items (first/after) and returns page_info to continue', async () => {
    for (let i = 0; i < 4; i++) await h.call('whop_ad_campaigns_create', { body: { title: `Paged ${i}`, objective: 'traffic', platform: 'meta' } });
    whop.requests.length = 0;
    const result = await h.call('whop_ad_campaigns_list', { first: 2, max_items: 3, fields: ['id', 'title'] });
    expect(result.isError, result.text).toBeFalsy();
    const body = result.structuredContent as { data: Record<string, unknown>[]; page_info: { end_cursor: string | null; has_next_page: boolean }; pagination: unknown };
    expect(body.data).toHaveLength(4);
    expect(Object.keys(body.data[0]).sort()).toEqual(['id', 'title']);
    expect(body.page_info.has_next_page).toBe(true);
    expect(body.pagination).toEqual({ requests: 2, stopped: 'max_items' });
    const pages = whop.requests.filter((r) => r.op === 'ad_campaigns/list');
    expect(pages.map((r) => r.query.after)).toEqual([undefined, expect.any(String)]);
    const rest = await h.call('whop_ad_campaigns_list', { first: 2, after: body.page_info.end_cursor, max_items: 100 });
    const ids = new Set([...body.data, ...(rest.structuredContent as typeof body).data].map((c) => c.id));
    expect(ids.size).toBe(whop.campaigns.size);
  });

  it('without WHOP_API_KEY a write explains how to set the key and nothing reaches Whop', async () => {
    const bare = await startInProcess({ args: [...MODEL_APPROVAL, '--toolsets', 'all'], env: whopEnv(whop, null) });
    try {
      const result = await bare.call('whop_ad_groups_pause', { id: WHOP_SEED.adGroup });
      expect(result.isError).toBe(true);
      expect(result.text).toBe('whop_ad_groups_pause belongs to Whop, which is off: set WHOP_API_KEY to use it.');
      expect(whop.requests).toEqual([]);
    } finally {
      await bare.close();
    }
  });

  it('describes every operation of the catalog', () => {
    expect(h.app.tools.filter((t) => t.api.id === 'whop')).toHaveLength(whopCatalog.operations.length);
  });
});
