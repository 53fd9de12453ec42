// Whop's "create ad group" through a real MCP client and a fake Whop API on loopback: schema, money in dollars, the guard.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { whopApi } from '../src/catalog/apis.js';
import { whopCatalog } from '../src/catalog/whop.js';
import { WHOP_SEED_CAMPAIGNS, WHOP_TEST_KEY, type WhopEmulator, startWhopEmulator } from '../src/emulator/whop.js';
import { fullInputSchema } from '../src/tools/listing.js';
import { type Harness, MODEL_APPROVAL, startInProcess } from './helpers/harness.js';

const TOOL = 'whop_ad_groups_create';
const META_CAMPAIGN = WHOP_SEED_CAMPAIGNS.find((c) => c.platform === 'meta')!.id;
const TIKTOK_CAMPAIGN = WHOP_SEED_CAMPAIGNS.find((c) => c.platform === 'tiktok')!.id;

interface Preview {
  status: string;
  confirmation_token: string;
  request: { method: string; path: string; query: Record<string, unknown>; body: any };
  changes: Record<string, any>[];
}

type App = Harness & { app: import('../src/server.js').App };

/** Environment pointing the server at the fake Whop; `key: null` leaves WHOP_API_KEY unset. */
const whopEnv = (whop: WhopEmulator, key: string | null = WHOP_TEST_KEY): Record<string, string> => ({
  WHOP_API_BASE_URL: whop.url,
  ...(key !== null ? { WHOP_API_KEY: key } : {}),
});

async function listed(args: string[], env: Record<string, string>): Promise<string[]> {
  const h = await startInProcess({ args, env });
  try {
    return (await h.client.listTools()).tools.map((t) => t.name);
  } finally {
    await h.close();
  }
}

describe('Whop catalog', () => {
  it('holds ad_groups/create, with a description of our own', () => {
    expect(whopCatalog.operations.map((o) => `${o.method} ${o.path} ${o.id} ${o.tag}`)).toEqual(['POST /ad_groups ad_groups/create whop']);
    // Facts only (no prose keywords) is checked for every API in test/catalog.test.ts.
    expect(whopApi.texts['ad_groups/create']?.description.length).toBeGreaterThan(10);
  });
});

describe('whop_ad_groups_create listing', () => {
  let whop: WhopEmulator;
  beforeAll(async () => {
    whop = await startWhopEmulator();
  });
  afterAll(() => whop?.close());

  it('is not listed by default without a key, and is listed with one', async () => {
    expect(await listed([], whopEnv(whop, null))).not.toContain(TOOL);
    expect(await listed([], whopEnv(whop))).toContain(TOOL);
  });

  it('is listed when its toolset is selected (whop or all), even without a key', async () => {
    expect((await listed(['--toolsets', 'whop'], whopEnv(whop, null))).filter((n) => n.startsWith('whop_') || n.includes('ad_groups'))).toEqual([TOOL]);
    expect(await listed(['--toolsets', 'all'], whopEnv(whop, null))).toContain(TOOL);
  });

  it('shows the documented body in its input schema', async () => {
    const h = await startInProcess({ args: [...MODEL_APPROVAL, '--toolsets', 'whop'], env: whopEnv(whop) });
    try {
      const tool = h.app.tools.find((t) => t.name === TOOL)!;
      expect(tool.toolset).toBe('whop');
      expect(tool.annotations).toMatchObject({ readOnlyHint: false, destructiveHint: false, idempotentHint: false });
      const schema = fullInputSchema(tool) as Record<string, any>;
      expect(schema.required).toEqual(['body']);
      const text = JSON.stringify(schema);
      for (const name of ['campaign_id', 'daily_budget', 'bid_strategy', 'targeting', 'geo_locations', 'conversion_bid_price', 'creative_material_mode']) {
        expect(text).toContain(`"${name}"`);
      }
      expect(text).toContain('"enum":["active","paused","inactive"]');
      expect(schema.properties.body.properties.daily_budget.description).toMatch(/dollars/);
    } finally {
      await h.close();
    }
  });
});

describe('whop_ad_groups_create against a fake Whop API', () => {
  let whop: WhopEmulator;
  let h: App;
  beforeAll(async () => {
    whop = await startWhopEmulator();
    h = await startInProcess({ args: [...MODEL_APPROVAL, '--toolsets', 'whop'], env: whopEnv(whop) });
  });
  afterAll(async () => {
    await h?.close();
    await whop?.close();
  });
  beforeEach(() => {
    whop.requests.length = 0;
  });

  const schemaErrors: [string, Record<string, unknown>, RegExp][] = [
    ['missing campaign_id', { name: 'No campaign', daily_budget: '10' }, /body\.campaign_id/],
    ['a status outside the documented enum', { campaign_id: META_CAMPAIGN, status: 'running' }, /body\.status: .*"active"\|"paused"\|"inactive"/],
    ['an unknown property', { campaign_id: META_CAMPAIGN, budget: '10' }, /body\.budget: unknown property/],
    ['an unknown nested property', { campaign_id: META_CAMPAIGN, config: { bid_cap: 5 } }, /body\.config\.bid_cap: unknown property/],
    ['3 decimals on daily_budget', { campaign_id: META_CAMPAIGN, daily_budget: '12.505' }, /body\.daily_budget: .*decimals/],
    ['a wrong type in platform settings', { campaign_id: META_CAMPAIGN, platform_config: { meta: { daily_budget: '5000' } } }, /body\.platform_config\.meta\.daily_budget/],
  ];
  for (const [label, body, message] of schemaErrors) {
    it(`refuses ${label} and sends nothing`, async () => {
      const result = await h.call(TOOL, { body });
      expect(result.isError).toBe(true);
      expect(result.text).toMatch(/nothing was sent/);
      expect(result.text).toMatch(message);
      expect(whop.requests).toHaveLength(0);
    });
  }

  it('refuses an amount in another currency: Whop budgets are in US dollars', async () => {
    const result = await h.call(TOOL, { body: { campaign_id: META_CAMPAIGN, daily_budget: '12.50 EUR' } });
    expect(result.isError).toBe(true);
    expect(result.text).toMatch(/currency_mismatch/);
    expect(whop.requests).toHaveLength(0);
  });

  it('holds a budgeted create for confirmation, then sends exactly one POST in dollars with the bearer key', async () => {
    const args = { body: { campaign_id: META_CAMPAIGN, name: 'Retargeting', daily_budget: '$12.50' } };
    const preview = await h.call(TOOL, args);
    expect(preview.isError, preview.text).toBeFalsy();
    const p = preview.structuredContent as unknown as Preview;
    expect(p.status).toBe('confirmation_required');
    expect(p.request).toEqual({ method: 'POST', path: '/ad_groups', query: {}, body: { campaign_id: META_CAMPAIGN, name: 'Retargeting', daily_budget: 12.5 } });
    expect(p.changes).toContainEqual(expect.objectContaining({ entity: 'ad_group', field: 'daily_budget', reason: 'money', to: '12.50 USD' }));
    expect(p.changes).toContainEqual(expect.objectContaining({ reason: 'activation' }));
    expect(preview.text).toMatch(/whop_ad_groups_create \(USD\) changes spend/);
    expect(whop.requests).toHaveLength(0);

    const done = await h.call(TOOL, { ...args, confirmation_token: p.confirmation_token });
    expect(done.isError, done.text).toBeFalsy();
    expect(whop.requests).toHaveLength(1);
    const [sent] = whop.requests;
    expect(sent).toMatchObject({ method: 'POST', path: '/ad_groups', valid: true, status: 200 });
    expect(sent.headers.authorization).toBe(`Bearer ${WHOP_TEST_KEY}`);
    expect(sent.body).toEqual({ campaign_id: META_CAMPAIGN, name: 'Retargeting', daily_budget: 12.5 });
    expect(typeof (sent.body as { daily_budget: unknown }).daily_budget).toBe('number');
    expect(done.structuredContent).toMatchObject({
      id: expect.stringMatching(/^adgrp_/),
      name: 'Retargeting',
      status: 'active',
      daily_budget: 12.5,
      ad_campaign: { id: META_CAMPAIGN, platform: 'meta' },
    });

    const replay = await h.call(TOOL, { ...args, confirmation_token: p.confirmation_token });
    expect(replay.isError).toBe(true);
    expect(replay.text).toMatch(/already used or expired/);
    expect(whop.requests).toHaveLength(1);
  });

  const amounts: [unknown, number][] = [
    ['50', 50],
    ['12.50 USD', 12.5],
    [7.25, 7.25],
    ['1,234.5', 1234.5],
  ];
  for (const [input, dollars] of amounts) {
    it(`sends daily_budget ${JSON.stringify(input)} as ${dollars} dollars (no micro conversion)`, async () => {
      const args = { body: { campaign_id: TIKTOK_CAMPAIGN, daily_budget: input, status: 'paused' } };
      const p = (await h.call(TOOL, args)).structuredContent as unknown as Preview;
      expect(p.status).toBe('confirmation_required');
      expect(p.request.body.daily_budget).toBe(dollars);
      const done = await h.call(TOOL, { ...args, confirmation_token: p.confirmation_token });
      expect(done.isError, done.text).toBeFalsy();
      expect(whop.requests.map((r) => (r.body as { daily_budget: unknown }).daily_budget)).toEqual([dollars]);
    });
  }

  it('binds the token to the arguments', async () => {
    const first = (await h.call(TOOL, { body: { campaign_id: META_CAMPAIGN, daily_budget: '20' } })).structuredContent as unknown as Preview;
    const other = await h.call(TOOL, { body: { campaign_id: META_CAMPAIGN, daily_budget: '2000' }, confirmation_token: first.confirmation_token });
    expect(other.isError).toBe(true);
    expect(other.text).toMatch(/issued for a different request/);
    expect(whop.requests).toHaveLength(0);
  });

  it('passes money of undocumented unit as given and flags it "unit not documented" in the preview', async () => {
    const body = {
      campaign_id: META_CAMPAIGN,
      daily_budget: '40',
      config: { bid_strategy: 'lowest_cost', bid_amount: 150, targeting: { countries: ['US'], age_min: 18 } },
      platform_config: { meta: { daily_budget: 5000, lifetime_budget: 90000, billing_event: 'IMPRESSIONS' } },
    };
    const preview = await h.call(TOOL, { body });
    const p = preview.structuredContent as unknown as Preview;
    expect(p.status).toBe('confirmation_required');
    expect(p.request.body).toEqual({ ...body, daily_budget: 40 });
    const money = Object.fromEntries(p.changes.filter((c) => c.reason === 'money').map((c) => [c.field, c]));
    expect(Object.keys(money).sort()).toEqual(['config.bid_amount', 'daily_budget', 'platform_config.meta.daily_budget', 'platform_config.meta.lifetime_budget']);
    expect(money.daily_budget).toMatchObject({ to: '40.00 USD' });
    expect(money.daily_budget.note).toBeUndefined();
    // The Meta budget shares the name of the dollar budget but not its unit: it is not shown as dollars.
    expect(money['platform_config.meta.daily_budget']).toMatchObject({ to: '5000', note: expect.stringMatching(/unit not documented/) });
    expect(money['config.bid_amount']).toMatchObject({ to: '150', note: expect.stringMatching(/unit not documented/) });
    expect(preview.text).toMatch(/config\.bid_amount 150 \[unit not documented/);
    expect(preview.text).toMatch(/platform_config\.meta\.daily_budget 5000 \[unit not documented/);

    const done = await h.call(TOOL, { body, confirmation_token: p.confirmation_token });
    expect(done.isError, done.text).toBeFalsy();
    expect(whop.requests).toHaveLength(1);
    expect(whop.requests[0].valid).toBe(true);
    expect(whop.requests[0].body).toEqual({ ...body, daily_budget: 40 });
    expect(done.structuredContent).toMatchObject({ platform_config: { platform: 'meta', daily_budget: 5000 } });
  });

  it('holds a create without money too, unless it is paused: an active ad group can start spending', async () => {
    const active = await h.call(TOOL, { body: { campaign_id: TIKTOK_CAMPAIGN, status: 'active' } });
    const p = active.structuredContent as unknown as Preview;
    expect(p.status).toBe('confirmation_required');
    expect(p.changes).toEqual([expect.objectContaining({ reason: 'activation', field: 'status', to: 'active' })]);
    const tiktokBid = await h.call(TOOL, { body: { campaign_id: TIKTOK_CAMPAIGN, status: 'paused', platform_config: { tiktok: { bid_price: 0.35 } } } });
    expect((tiktokBid.structuredContent as unknown as Preview).changes).toEqual([
      expect.objectContaining({ field: 'platform_config.tiktok.bid_price', to: '0.35', note: expect.stringMatching(/unit not documented/) }),
    ]);
    const scheduled = await h.call(TOOL, { body: { campaign_id: TIKTOK_CAMPAIGN, status: 'paused', config: { start_time: '2026-12-01T00:00:00Z' } } });
    expect((scheduled.structuredContent as unknown as Preview).changes).toEqual([
      expect.objectContaining({ reason: 'schedule', field: 'config.start_time', to: '2026-12-01T00:00:00Z' }),
    ]);
    expect(whop.requests).toHaveLength(0);

    const paused = await h.call(TOOL, { body: { campaign_id: TIKTOK_CAMPAIGN, name: 'Draft', status: 'paused' } });
    expect(paused.isError, paused.text).toBeFalsy();
    expect(whop.requests).toHaveLength(1);
    expect(paused.structuredContent).toMatchObject({ status: 'paused', ad_campaign: { platform: 'tiktok' } });
  });

  it('dry_run previews without a token and sends nothing', async () => {
    const result = await h.call(TOOL, { body: { campaign_id: META_CAMPAIGN, daily_budget: '5' }, dry_run: true });
    expect(result.structuredContent).toMatchObject({ status: 'dry_run', request: { body: { daily_budget: 5 } } });
    expect(whop.requests).toHaveLength(0);
  });

  it('reports the API refusal of an unknown campaign in Whop terms', async () => {
    const result = await h.call(TOOL, { body: { campaign_id: 'adcamp_missing', status: 'paused' } });
    expect(result.isError).toBe(true);
    expect(result.text).toMatch(/Whop API error 404.*adcamp_missing not found/);
  });
});

describe('whop_ad_groups_create limits and credentials', () => {
  let whop: WhopEmulator;
  beforeAll(async () => {
    whop = await startWhopEmulator();
  });
  afterAll(() => whop?.close());
  beforeEach(() => {
    whop.requests.length = 0;
  });

  it('applies the daily_budget cap in dollars before any preview', async () => {
    const h = await startInProcess({ args: [...MODEL_APPROVAL, '--toolsets', 'whop', '--caps', 'daily_budget=100'], env: whopEnv(whop) });
    try {
      const over = await h.call(TOOL, { body: { campaign_id: META_CAMPAIGN, daily_budget: '150' } });
      expect(over.isError).toBe(true);
      expect(over.text).toMatch(/over the configured daily_budget cap of 100.00 USD/);
      const under = await h.call(TOOL, { body: { campaign_id: META_CAMPAIGN, daily_budget: '99.99' } });
      expect((under.structuredContent as { status?: string }).status).toBe('confirmation_required');
      expect(whop.requests).toHaveLength(0);
    } finally {
      await h.close();
    }
  });

  it('refuses platform bids of undocumented unit while a bid cap is set: they cannot be compared with it', async () => {
    const h = await startInProcess({ args: [...MODEL_APPROVAL, '--toolsets', 'whop', '--caps', 'bid=5'], env: whopEnv(whop) });
    try {
      const result = await h.call(TOOL, { body: { campaign_id: TIKTOK_CAMPAIGN, status: 'paused', platform_config: { tiktok: { bid_price: 0.35 } } } });
      expect(result.isError).toBe(true);
      expect(result.text).toMatch(/body\.platform_config\.tiktok\.bid_price: its unit is not documented, so it cannot be checked against the configured bid cap/);
      expect(whop.requests).toHaveLength(0);
    } finally {
      await h.close();
    }
  });

  it('without WHOP_API_KEY, a call explains how to set the key and nothing reaches Whop', async () => {
    const h = await startInProcess({ args: [...MODEL_APPROVAL, '--toolsets', 'whop'], env: whopEnv(whop, null) });
    try {
      const paused = await h.call(TOOL, { body: { campaign_id: META_CAMPAIGN, status: 'paused' } });
      expect(paused.isError).toBe(true);
      expect(paused.text).toMatch(/Set WHOP_API_KEY/);
      expect(paused.structuredContent).toMatchObject({ error: 'auth_missing' });

      // A spend-changing create is refused before any preview: a token could never be used without a key.
      const budgeted = await h.call(TOOL, { body: { campaign_id: META_CAMPAIGN, daily_budget: '10' } });
      expect(budgeted.isError).toBe(true);
      expect(budgeted.text).toMatch(/Set WHOP_API_KEY/);
      expect(budgeted.structuredContent).not.toHaveProperty('confirmation_token');
      expect(whop.requests).toHaveLength(0);
    } finally {
      await h.close();
    }
  });

  it('a wrong key reaches Whop, which refuses it', async () => {
    const h = await startInProcess({ args: [...MODEL_APPROVAL, '--toolsets', 'whop'], env: whopEnv(whop, 'not-the-key') });
    try {
      const result = await h.call(TOOL, { body: { campaign_id: META_CAMPAIGN, status: 'paused' } });
      expect(result.isError).toBe(true);
      expect(result.text).toMatch(/Whop API error 401/);
      expect(result.text).toMatch(/check WHOP_API_KEY/);
      expect(result.text).not.toMatch(/PINTEREST_ACCESS_TOKEN/);
      expect(whop.requests.map((r) => r.headers.authorization)).toEqual(['Bearer not-the-key']);
    } finally {
      await h.close();
    }
  });
});
