// Plain-language lines of held writes (src/guard/plain.ts), from the guard's own changes for real tool bodies; the account label beside them.
import { describe, expect, it } from 'vitest';
import { pinterestApi, whopApi } from '../../src/apis/index.js';
import type { ApiRequest } from '../../src/http/request.js';
import { type Change, type PreparedWrite, heldChanges } from '../../src/guard/changes.js';
import { CurrencyResolver } from '../../src/guard/currency.js';
import { ENTITY_WRITES, type EntityKind, STATUS_ACTIONS, locateEntities } from '../../src/guard/entities.js';
import { describeWrite, timeText, whyHeld } from '../../src/guard/plain.js';
import { ageRanges } from '../../src/core/words.js';
import { describeTargeting } from '../../src/apis/pinterest/plain.js';
import { describeWhopTargeting } from '../../src/apis/whop/plain.js';
import { createStore } from '../../src/core/store.js';
import { buildTools } from '../../src/tools/registry.js';

const TOOLS = [...buildTools(pinterestApi), ...buildTools(whopApi)];
const tool = (name: string) => {
  const found = TOOLS.find((t) => t.name === name);
  if (!found) throw new Error(`no tool ${name}`);
  return found;
};

type Entity = Record<string, unknown>;

interface Case {
  tool: string;
  body: unknown;
  args?: Record<string, unknown>;
  currency?: string;
  /** Current entities by id (updates). */
  current?: Record<string, Entity>;
  /** Parent names by id. */
  parents?: Record<string, string>;
  /** What the guard's withCurrentValues would have added to the changes. */
  amend?: (changes: Change[]) => void;
}

/** The guard's pipeline for one body (API names, micros): located entities, held changes, then the plain lines. */
async function plain(c: Case) {
  const t = tool(c.tool);
  const args = { ad_account_id: '549755885175', ...(c.args ?? {}), body: c.body };
  const { entities, stray } = locateEntities(ENTITY_WRITES[t.name] ?? { locations: [] }, c.body, args);
  // A status action's entity is named by its path (the guard's prepare() locates it so).
  const action = STATUS_ACTIONS[t.name];
  if (action && typeof args.id === 'string') entities.push({ kind: action.kind, create: false, id: args.id, location: 0, index: 0, path: 'id', item: {} });
  const prepared: PreparedWrite = { request: { body: c.body } as ApiRequest, amounts: [], currency: c.currency, hash: '', entities, stray };
  const changes = heldChanges(t, prepared, new Set(['data', 'destructive'] as const));
  c.amend?.(changes);
  const asked: string[] = [];
  const result = await describeWrite({
    api: t.api.id,
    tool: { name: t.name, title: t.title, path: t.op.path },
    args,
    body: c.body,
    currency: c.currency,
    entities,
    changes,
    current: async (_kind: EntityKind, id) => (id ? c.current?.[id] : undefined),
    parentName: async (kind, id) => {
      asked.push(`${kind}:${id}`);
      return c.parents?.[id];
    },
    now: Date.parse('2026-12-01T00:00:00Z'),
  });
  return { ...result, changes, asked };
}

describe('plain lines of creates', () => {
  it('says the parent by name, the budget per day, the bid per click, the status and the targeting in words', async () => {
    const { lines, title, asked, changes } = await plain({
      tool: 'ad_groups_create',
      currency: 'USD',
      parents: { '687195134101': 'Winter sale' },
      body: [
        {
          campaign_id: '687195134101',
          name: 'Winter sale – US women 25-44',
          budget_in_micro_currency: 20_000_000,
          bid_in_micro_currency: 1_500_000,
          billable_event: 'CLICKTHROUGH',
          targeting_spec: { GEO: ['US'], GENDER: ['female'], AGE_BUCKET: ['25-34', '35-44'] },
        },
      ],
    });
    expect(lines).toEqual([
      'Create ad group "Winter sale – US women 25-44" in campaign "Winter sale": 20.00 USD per day, bid up to 1.50 USD per click, starts ACTIVE at once, targets US, female, 25–44',
    ]);
    expect(title).toBe(lines[0]);
    expect(asked).toEqual(['campaign:687195134101']);
    expect(changes.find((c) => c.field === 'budget')).toMatchObject({ create: true, unit: 'per day' });
  });

  it('names the parent by id when its name cannot be read, and says lifetime budgets, CPM bids, later starts and pauses', async () => {
    const { lines } = await plain({
      tool: 'ad_groups_create',
      currency: 'EUR',
      body: [
        {
          campaign_id: '687195134101',
          name: 'Later',
          status: 'PAUSED',
          budget_type: 'LIFETIME',
          budget_in_micro_currency: 500_000_000,
          bid_in_micro_currency: 4_000_000,
          billable_event: 'IMPRESSION',
          end_time: 1798761600,
        },
        { campaign_id: '687195134101', name: 'Soon', budget_in_micro_currency: 10_000_000, start_time: 1798761600 },
      ],
    });
    expect(lines).toEqual([
      'Create ad group "Later" in campaign 687195134101: 500.00 EUR lifetime, bid up to 4.00 EUR per 1,000 impressions, starts PAUSED (spends nothing until activated), until 2027-01-01 00:00 UTC',
      'Create ad group "Soon" in campaign 687195134101: 10.00 EUR per day, starts ACTIVE on 2027-01-01 00:00 UTC',
    ]);
  });

  it('keeps names on one line, quoted and escaped', async () => {
    const { lines } = await plain({
      tool: 'campaigns_create',
      currency: 'USD',
      body: [{ ad_account_id: '549755885175', name: 'Sale <b>"big"</b>\nnext line', objective_type: 'AWARENESS', daily_spend_cap: 50_000_000 }],
    });
    expect(lines).toEqual(['Create campaign "Sale <b>\\"big\\"</b>\\nnext line": spends up to 50.00 USD per day, starts ACTIVE at once']);
    expect(lines[0]).not.toContain('\n');
  });

  it('marks amounts of an unknown currency as unknown, never as USD', async () => {
    const { lines } = await plain({
      tool: 'ad_groups_create',
      body: [{ campaign_id: '1', name: 'X', budget_in_micro_currency: 12_500_000 }],
    });
    expect(lines[0]).toContain('12.50 (currency unknown) per day');
    expect(lines[0]).not.toContain('USD');
  });

  it('sums up a long batch in its title, one distinct line per ad group', async () => {
    const body = Array.from({ length: 30 }, (_, i) => ({ campaign_id: '687195134101', name: `Group ${i + 1}`, budget_in_micro_currency: (i + 1) * 1_000_000 }));
    const { lines, title } = await plain({ tool: 'ad_groups_create', currency: 'USD', body, parents: { '687195134101': 'Winter sale' } });
    expect(lines).toHaveLength(30);
    expect(new Set(lines).size).toBe(30);
    expect(lines[29]).toBe('Create ad group "Group 30" in campaign "Winter sale": 30.00 USD per day, starts ACTIVE at once');
    expect(title).toBe('Create 30 ad groups in campaign "Winter sale"');
  });

  it('Whop: names the campaign, the budget per day, the cost per result and the targeting', async () => {
    const { lines } = await plain({
      tool: 'whop_ad_groups_create',
      currency: 'USD',
      parents: { adcamp_1: 'Spring launch' },
      body: {
        ad_campaign_id: 'adcamp_1',
        title: 'US prospecting',
        budget_amount: 40,
        desired_cost_per_result: 2.5,
        bid_type: 'maximum_target',
        demographics: { gender: 'female', minimum_age: 25, maximum_age: 44 },
        languages: ['en'],
      },
    });
    expect(lines).toEqual([
      'Create ad group "US prospecting" in campaign "Spring launch": 40.00 USD per day, a cost of up to 2.50 USD per result, starts active at once, targets female, 25–44, languages en',
    ]);
  });
});

describe('plain lines of updates', () => {
  const current = { '2680059592701': { id: '2680059592701', name: 'US Prospecting', status: 'ACTIVE', budget_type: 'DAILY', budget_in_micro_currency: 10_000_000, billable_event: 'CLICKTHROUGH', bid_strategy_type: 'MAX_BID' } };

  it('says a budget raise with from, to, per day and the percent', async () => {
    const { lines, changes } = await plain({
      tool: 'ad_groups_update',
      currency: 'USD',
      current,
      body: [{ id: '2680059592701', budget_in_micro_currency: 12_500_000 }],
      amend: ([c]) => Object.assign(c, { from: '10.00 USD', from_micro: '10000000', change_percent: 25, name: 'US Prospecting' }),
    });
    expect(lines).toEqual(['Raise the daily budget of ad group "US Prospecting" from 10.00 USD to 12.50 USD per day (+25%)']);
    expect(changes[0].unit).toBe('per day');
  });

  it('says JPY without decimals, lowers and bids, several changes of one entity on one line', async () => {
    const { lines } = await plain({
      tool: 'ad_groups_update',
      currency: 'JPY',
      current: { '2680059592702': { id: '2680059592702', name: 'JP Prospecting', status: 'ACTIVE', budget_type: 'DAILY', billable_event: 'CLICKTHROUGH', bid_strategy_type: 'MAX_BID' } },
      body: [{ id: '2680059592702', budget_in_micro_currency: 4_000_000_000, bid_in_micro_currency: 200_000_000, status: 'PAUSED' }],
      amend: (changes) => {
        Object.assign(changes[0], { from: '5,000 JPY', from_micro: '5000000000', change_percent: -20 });
        Object.assign(changes[1], { from: '150 JPY', from_micro: '150000000', change_percent: 33.3 });
        Object.assign(changes[2], { from: 'ACTIVE' });
      },
    });
    expect(lines).toEqual([
      'Lower the daily budget of ad group "JP Prospecting" from 5,000 JPY to 4,000 JPY per day (-20%); raise its bid from 150 JPY to 200 JPY per click (+33.3%) (a ceiling); pause it',
    ]);
  });

  it('says activation in words, with the budget it delivers at, in an unknown currency where the account reports none', async () => {
    const paused = { '2680059592701': { ...current['2680059592701'], status: 'PAUSED' } };
    const { lines, changes } = await plain({
      tool: 'ad_groups_update',
      current: paused,
      body: [{ id: '2680059592701', status: 'ACTIVE' }],
      amend: ([c]) => Object.assign(c, { from: 'PAUSED' }),
    });
    expect(lines).toEqual(['Resume ad group "US Prospecting": it starts delivering at once, at 10.00 (currency unknown) per day']);
    expect(whyHeld(changes[0])).toBe('changes whether it delivers');
  });

  it('says targeting, schedule and other settings in words, and renames', async () => {
    const { lines } = await plain({
      tool: 'ad_groups_update',
      current,
      body: [{ id: '2680059592701', name: 'New name', targeting_spec: { LOCATION: ['US', 'CA'], AGE_BUCKET: ['65+', '55-64'], AUDIENCE_EXCLUDE: ['1', '2'] }, end_time: null, pacing_delivery_type: 'ACCELERATED' }],
      amend: (changes) => {
        for (const c of changes) if (c.field === 'pacing_delivery_type') c.from = 'STANDARD';
      },
    });
    expect(lines).toEqual([
      'Change the targeting of ad group "US Prospecting" to US/CA, 55+, excluding audiences 1, 2; change its pacing_delivery_type from STANDARD to ACCELERATED (how fast the budget is spent); remove its end (it runs until paused); rename it to "New name"',
    ]);
  });

  it('says an update that only renames, in a held batch', async () => {
    const { lines, title } = await plain({
      tool: 'ad_groups_update',
      currency: 'USD',
      current: { ...current, '2': { id: '2', name: 'Other' } },
      body: [
        { id: '2680059592701', status: 'PAUSED' },
        { id: '2', name: 'Renamed' },
      ],
    });
    expect(lines).toEqual(['Pause ad group "US Prospecting"', 'Rename ad group "Other" to "Renamed"']);
    expect(title).toBe('Update 2 ad groups');
  });

  it('Whop: resuming an ad group names it and says it delivers at once', async () => {
    const { lines } = await plain({
      tool: 'whop_ad_groups_unpause',
      args: { id: 'adgrp_1' },
      body: undefined,
      currency: 'USD',
      current: { adgrp_1: { id: 'adgrp_1', title: 'US prospecting', status: 'paused', budget_amount: 50, budget_type: 'daily' } },
    });
    expect(lines).toEqual(['Resume ad group "US prospecting": it starts delivering at once, at 50.00 USD per day']);
  });
});

describe('plain lines of mixed writes', () => {
  it('tells a create from an update at the same position (bulk upsert), and says keywords in words', async () => {
    const { lines, title } = await plain({
      tool: 'bulk_upsert_create',
      currency: 'USD',
      current: { '2680059592701': { id: '2680059592701', name: 'US Prospecting', budget_type: 'DAILY' } },
      parents: { '687195134101': 'Winter sale' },
      body: {
        create: { ad_groups: [{ campaign_id: '687195134101', name: 'Fresh', budget_in_micro_currency: 5_000_000, billable_event: 'CLICKTHROUGH' }] },
        update: { ad_groups: [{ id: '2680059592701', budget_in_micro_currency: 7_000_000 }] },
      },
      amend: (changes) => {
        for (const c of changes) if (!c.create && c.field === 'budget') Object.assign(c, { from: '10.00 USD', from_micro: '10000000', change_percent: -30 });
      },
    });
    expect(lines).toEqual([
      'Create ad group "Fresh" in campaign "Winter sale": 5.00 USD per day, starts ACTIVE at once',
      'Lower the daily budget of ad group "US Prospecting" from 10.00 USD to 7.00 USD per day (-30%)',
    ]);
    expect(title).toBe('Create 1 ad group in campaign "Winter sale", update 1 ad group');
    const keywords = await plain({ tool: 'keywords_create', currency: 'USD', body: { parent_id: '2680059592701', keywords: [{ value: 'snow boots', match_type: 'EXACT', bid: 800_000 }] } });
    expect(keywords.lines).toEqual(['Create keyword "snow boots": bid 0.80 USD, starts active at once, exact match']);
  });
});

describe('plain lines of whole-request writes', () => {
  it('says deletes, access and spend writes with what they act on', async () => {
    expect((await plain({ tool: 'pins_delete', args: { pin_id: '1057925269001' }, body: undefined })).lines).toEqual(['Delete pin 1057925269001: deletes a pin for good (an ad using it stops)']);
    expect((await plain({ tool: 'ads_credit_redeem', body: { offerCode: 'X' } })).lines).toEqual(['Redeem ads credit: applies an ads credit offer to the account billing']);
    expect((await plain({ tool: 'update_business_memberships', args: { business_id: '42' }, body: [] })).lines).toEqual([
      "Change member roles 42: changes members' roles in the business",
    ]);
  });
});

describe('targeting and times in words', () => {
  it('merges adjacent age buckets and keeps open ones', () => {
    expect(ageRanges(['35-44', '25-34'])).toBe('25–44');
    expect(ageRanges(['18-24', '35-44', '65+', '55-64'])).toBe('18–24, 35–44, 55+');
    expect(ageRanges(['21+'])).toBe('21+');
    expect(ageRanges(['weird'])).toBe('weird');
  });

  it('says every TargetingSpec key, unknown ones by name, values escaped', () => {
    expect(
      describeTargeting({
        GEO: ['US-94107'],
        GENDER: ['male', 'female', 'unknown'],
        MINIMUM_AGE: '25',
        MAXIMUM_AGE: '65+',
        LOCALE: ['en', 'de'],
        APPTYPE: ['iphone'],
        INTEREST: ['1', '2', '3'],
        AUDIENCE_INCLUDE: ['9'],
        SHOPPING_RETARGETING: [{ lookback_window: 30 }],
        TARGETING_STRATEGY: ['FIND_NEW_CUSTOMERS'],
        NEW_KEY: ['a\nb'],
      }),
    ).toBe('US-94107, all genders, 25+, languages en/de, devices iphone, 3 interests, audience 9, shopping retargeting, strategy find_new_customers, NEW_KEY "a\\nb"');
    expect(describeTargeting({})).toBe('everyone (no targeting)');
    expect(describeWhopTargeting({ regions: { countries: ['US', 'CA'] }, audiences: { include: ['a'], exclude: ['b', 'c'] } })).toBe('US/CA, 1 audience, excluding 2 audiences');
  });

  it('writes times in UTC', () => {
    expect(timeText(1798761600)).toBe('2027-01-01 00:00 UTC');
    expect(timeText('2027-01-01T09:30:00Z')).toBe('2027-01-01 09:30 UTC');
    expect(timeText('soon')).toBe('"soon"');
    // Beyond what a Date holds (the fuzz suite sends -2^53+1): shown as given, never a thrown "Invalid time value".
    expect(timeText(-9007199254740991)).toBe('-9007199254740991');
    expect(timeText(9007199254740991)).toBe('9007199254740991');
  });
});

describe('the account a person reads beside its id', () => {
  it('reads name and currency once (shared with the currency used for amounts), and says nothing it does not know', async () => {
    const reads: string[] = [];
    const accounts: Record<string, Entity> = { '1': { id: '1', name: 'Acme US', currency: 'usd' }, '2': { id: '2', name: 'No currency' } };
    const read = async (tool: string, args: Record<string, unknown>) => {
      reads.push(`${tool}:${String(args.ad_account_id)}`);
      if (args.ad_account_id === '3') throw new Error('down');
      return accounts[String(args.ad_account_id)];
    };
    const resolver = new CurrencyResolver(await createStore('memory'), read);
    expect(await resolver.currencyFor(pinterestApi, { ad_account_id: '1' })).toBe('USD');
    expect(await resolver.account(pinterestApi, { ad_account_id: '1' })).toEqual({ id: '1', name: 'Acme US', currency: 'USD' });
    expect(await resolver.account(pinterestApi, { ad_account_id: '2' })).toEqual({ id: '2', name: 'No currency' });
    // A label only helps a person: a failed read leaves the id, and never stops the call.
    expect(await resolver.account(pinterestApi, { ad_account_id: '3' })).toEqual({ id: '3' });
    expect(await resolver.account(pinterestApi, {})).toBeUndefined();
    expect(reads).toEqual(['ad_accounts_get:1', 'ad_accounts_get:2', 'ad_accounts_get:3']);
  });
});
