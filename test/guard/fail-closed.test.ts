// The guard fails closed, through a real MCP client against the fake API: what is not known harmless never arrives unconfirmed.
import fc from 'fast-check';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { pinterestCatalog } from '../../src/apis/pinterest/catalog.generated.js';
import { ApiClient } from '../../src/http/client.js';
import { SEED } from '../../fakes/pinterest/server.js';
import { ENTITY_RULES } from '../../src/guard/entities.js';
import { createLogger } from '../../src/core/logger.js';
import type { ToolDef } from '../../src/tools/registry.js';
import { type Harness, type HarnessOptions, JPY_ACCOUNT, TOKEN, USD_ACCOUNT, startInProcess, MODEL_APPROVAL } from '../helpers/harness.js';
import { sample } from '../helpers/samples.js';

const USD_AD_GROUP = SEED.adGroups.usd;
const USD_CAMPAIGN_ACTIVE = SEED.campaigns.usdActive;
const USD_CAMPAIGN_PAUSED = SEED.campaigns.usdPaused;
const USD_AD = SEED.ads.usd;
const USD_KEYWORD = SEED.keywords.usd;
const USD_PROMOTION = SEED.productGroupPromotions.usd;
const JPY_AD_GROUP = SEED.adGroups.jpy;

type Result = Awaited<ReturnType<Harness['call']>>;
interface Preview {
  status: string;
  confirmation_token?: string;
  request: { method: string; path: string; query: Record<string, unknown>; body: any };
  changes: Record<string, any>[];
}
const preview = (r: Result) => r.structuredContent as unknown as Preview;

/** Calls a tool and reports whether anything but the guard's own reads (GETs) reached the API. */
async function attempt(h: Harness, name: string, args: Record<string, unknown>) {
  const before = h.emulator.requests.length;
  const result = await h.call(name, args);
  const writes = h.emulator.requests.slice(before).filter((r) => r.method !== 'GET');
  return { result, writes, status: preview(result)?.status };
}

async function expectHeld(h: Harness, name: string, args: Record<string, unknown>, field?: string) {
  const { result, writes, status } = await attempt(h, name, args);
  expect(writes, `${name}: a write reached the API unconfirmed (${result.text.slice(0, 300)})`).toHaveLength(0);
  expect(status, result.text).toBe('confirmation_required');
  if (field) expect(preview(result).changes.map((c) => c.field)).toContain(field);
  return preview(result);
}

/** Property runs hold hundreds of writes from one client and leave their tokens unused: room for all of them. */
const ROOM_FOR_EVERY_RUN = ['--max-pending-confirmations', '1000'];

describe('entity writes: only spend-neutral fields pass unconfirmed', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startInProcess({ args: [...MODEL_APPROVAL, ...ROOM_FOR_EVERY_RUN, '--toolsets', 'all'] });
  });
  afterAll(() => h?.close());
  beforeEach(() => h.emulator.reset());

  const adGroup = (fields: Record<string, unknown>) => ({ ad_account_id: USD_ACCOUNT, body: [{ id: USD_AD_GROUP, ...fields }] });

  it('holds a product group promotion switched on with included: true, alone and inside a bulk upsert', async () => {
    const promotion = { id: USD_PROMOTION, included: true };
    const p = await expectHeld(h, 'product_group_promotions_update', { ad_account_id: USD_ACCOUNT, body: { ad_group_id: USD_AD_GROUP, product_group_promotion: [promotion] } }, 'included');
    expect(p.changes.find((c) => c.field === 'included')).toMatchObject({ reason: 'setting', to: true, why: expect.stringMatching(/starts spending/) });
    await expectHeld(h, 'bulk_upsert_create', { ad_account_id: USD_ACCOUNT, body: { update: { product_groups: [{ ad_group_id: USD_AD_GROUP, product_group_promotion: [promotion] }] } } }, 'included');
  });

  for (const value of [{}, null]) {
    it(`holds optimization_goal_metadata set to ${JSON.stringify(value)} (drops CPA / scroll-up goals)`, async () => {
      await expectHeld(h, 'ad_groups_update', adGroup({ optimization_goal_metadata: value }), 'optimization_goal_metadata');
    });
  }

  it('holds bid strategy, budget type, targeting and frequency changes, showing current -> new', async () => {
    const p = await expectHeld(h, 'ad_groups_update', adGroup({ bid_strategy_type: 'AUTOMATIC_BID' }), 'bid_strategy_type');
    expect(p.changes[0]).toMatchObject({ reason: 'setting', from: 'MAX_BID', to: 'AUTOMATIC_BID', why: expect.stringMatching(/bid ceiling/) });
    const budgetType = await expectHeld(h, 'ad_groups_update', adGroup({ budget_type: 'LIFETIME' }), 'budget_type');
    expect(budgetType.changes[0]).toMatchObject({ from: 'DAILY', to: 'LIFETIME' });
    await expectHeld(h, 'ad_groups_update', adGroup({ targeting_spec: { GEO: ['FR'] } }), 'targeting_spec');
    await expectHeld(h, 'ad_groups_update', adGroup({ lifetime_frequency_cap: 100 }), 'lifetime_frequency_cap');
  });

  it('holds switching campaign budget optimization and flexible daily budgets', async () => {
    const campaign = (fields: Record<string, unknown>) => ({ ad_account_id: USD_ACCOUNT, body: [{ id: USD_CAMPAIGN_ACTIVE, ad_account_id: USD_ACCOUNT, ...fields }] });
    await expectHeld(h, 'campaigns_update', campaign({ is_campaign_budget_optimization: true }), 'is_campaign_budget_optimization');
    await expectHeld(h, 'campaigns_update', campaign({ is_flexible_daily_budgets: true }), 'is_flexible_daily_budgets');
  });

  it('sends label and tracking changes at once, exactly as asked', async () => {
    const cases: [string, Record<string, unknown>][] = [
      ['campaigns_update', { ad_account_id: USD_ACCOUNT, body: [{ id: USD_CAMPAIGN_ACTIVE, ad_account_id: USD_ACCOUNT, name: 'Renamed', tracking_urls: { impression: ['https://t.example.com/i'] } }] }],
      ['ad_groups_update', adGroup({ name: 'Renamed group' })],
      ['ads_update', { ad_account_id: USD_ACCOUNT, body: [{ id: USD_AD, destination_url: 'https://acme.example.com/new', customizable_cta_type: 'SHOP_NOW' }] }],
      ['product_group_promotions_update', { ad_account_id: USD_ACCOUNT, body: { ad_group_id: USD_AD_GROUP, product_group_promotion: [{ id: USD_PROMOTION, slideshow_collections_title: 'Spring' }] } }],
    ];
    for (const [name, args] of cases) {
      const { result, writes, status } = await attempt(h, name, args);
      expect(result.isError, result.text).toBeFalsy();
      expect(status, name).not.toBe('confirmation_required');
      expect(writes, name).toHaveLength(1);
      expect(writes[0].body, name).toEqual(args.body);
    }
  });

  it('treats a parent id equal to the current one as identity, and holds one that moves the entity', async () => {
    const same = await attempt(h, 'ad_groups_update', adGroup({ campaign_id: USD_CAMPAIGN_ACTIVE, name: 'Same parent' }));
    expect(same.writes).toHaveLength(1);
    const moved = await expectHeld(h, 'ad_groups_update', adGroup({ campaign_id: USD_CAMPAIGN_PAUSED }), 'campaign_id');
    expect(moved.changes[0]).toMatchObject({ reason: 'parent', from: USD_CAMPAIGN_ACTIVE, to: USD_CAMPAIGN_PAUSED });
  });

  it('holds keyword archiving and bids, and sends paused creates that set only neutral and inert fields', async () => {
    await expectHeld(h, 'keywords_update', { ad_account_id: USD_ACCOUNT, body: { keywords: [{ id: USD_KEYWORD, archived: false }] } }, 'archived');
    const paused = await attempt(h, 'ad_groups_create', {
      ad_account_id: USD_ACCOUNT,
      body: [{ campaign_id: USD_CAMPAIGN_ACTIVE, name: 'Draft', billable_event: 'CLICKTHROUGH', status: 'PAUSED', targeting_spec: { GEO: ['US'] } }],
    });
    expect(paused.status).not.toBe('confirmation_required');
    expect(paused.writes).toHaveLength(1);
    // An unknown status is not known to be inactive: held as an activation.
    await expectHeld(h, 'ads_create', { ad_account_id: USD_ACCOUNT, body: [{ ad_group_id: USD_AD_GROUP, creative_type: 'REGULAR', pin_id: SEED.pins.spring1, status: 'DRAFT' }] }, 'status');
  });

  it('confirms exactly the previewed request: the API receives its path, query and body', async () => {
    const args = adGroup({ bid_strategy_type: 'AUTOMATIC_BID' });
    const p = await expectHeld(h, 'ad_groups_update', args);
    const done = await attempt(h, 'ad_groups_update', { ...args, confirmation_token: p.confirmation_token });
    expect(done.writes).toHaveLength(1);
    expect(done.writes[0]).toMatchObject({ method: p.request.method, path: p.request.path, rawQuery: '', body: p.request.body });
  });

  /** Each entity kind's update tool, and how one item with the given fields becomes its arguments. */
  const kinds: [string, string, (item: Record<string, unknown>) => Record<string, unknown>][] = [
    ['campaign', 'campaigns_update', (item) => ({ ad_account_id: USD_ACCOUNT, body: [{ id: USD_CAMPAIGN_ACTIVE, ad_account_id: USD_ACCOUNT, ...item }] })],
    ['ad_group', 'ad_groups_update', (item) => adGroup(item)],
    ['ad', 'ads_update', (item) => ({ ad_account_id: USD_ACCOUNT, body: [{ id: USD_AD, ...item }] })],
    ['keyword', 'keywords_update', (item) => ({ ad_account_id: USD_ACCOUNT, body: { keywords: [{ id: USD_KEYWORD, ...item }] } })],
    [
      'product_group_promotion',
      'product_group_promotions_update',
      (item) => ({ ad_account_id: USD_ACCOUNT, body: { ad_group_id: USD_AD_GROUP, product_group_promotion: [{ id: USD_PROMOTION, ...item }] } }),
    ],
  ];

  for (const [kind, toolName, wrap] of kinds) {
    it(`property: a ${kind} update reaches the API unconfirmed only if every field it sets is spend-neutral`, async () => {
      const tool = (h as Harness & { app: { tools: readonly ToolDef[] } }).app.tools.find((t) => t.name === toolName)!;
      const root = z.toJSONSchema(tool.input, { io: 'input', target: 'draft-7', unrepresentable: 'any' }) as Record<string, any>;
      const deref = (s: any): any => (s?.$ref ? deref(root.definitions[String(s.$ref).split('/').pop()!]) : s);
      const body = deref(root.properties.body);
      const list = body.type === 'array' ? body : deref(Object.values(deref(body).properties).find((p: any) => deref(p).type === 'array'));
      const item = deref(deref(list).items);
      const rule = ENTITY_RULES.pinterest[kind as keyof typeof ENTITY_RULES.pinterest]!;
      const candidates = Object.keys(item.properties).filter((k) => k !== 'id');
      // What the schema cannot say but the description's text does (src/apis/pinterest/text-rules.ts): a targeting spec
      // names LOCATION or GEO.
      const known: Record<string, unknown> = { targeting_spec: { LOCATION: ['US'] } };
      const valueOf = (name: string) => {
        const schema = item.properties[name];
        const options: unknown[] = [sample(schema, root, { known }, name)];
        const variants: any[] = schema.anyOf ?? [];
        if (variants.some((v) => v.type === 'null') || (Array.isArray(schema.type) && schema.type.includes('null'))) options.push(null);
        if (deref(schema).type === 'object' && !deref(schema).required?.length && !(name in known)) options.push({});
        return fc.constantFrom(...options);
      };
      const fieldSets = fc
        .uniqueArray(fc.constantFrom(...candidates), { minLength: 1, maxLength: 4 })
        .chain((names) => fc.tuple(...names.map((n) => valueOf(n).map((v) => [n, v] as const))));
      await fc.assert(
        fc.asyncProperty(fieldSets, async (pairs) => {
          const fields = Object.fromEntries(pairs);
          const { result, writes, status } = await attempt(h, toolName, wrap(fields));
          expect(result.text, 'arguments from the schema must validate').not.toMatch(/Invalid arguments/);
          const neutral = Object.keys(fields).every((f) => f in rule.neutral || rule.identity.includes(f));
          if (neutral) expect(writes, JSON.stringify(fields)).toHaveLength(1);
          else {
            expect(writes, JSON.stringify(fields)).toHaveLength(0);
            expect(status).toBe('confirmation_required');
          }
        }),
        { numRuns: 40 },
      );
    });
  }
});

describe('destructive writes and --confirm-writes', () => {
  const deletes: [string, Record<string, unknown>][] = [
    ['pins_delete', { pin_id: SEED.pins.summer1 }],
    ['sandbox_delete', { ad_account_id: USD_ACCOUNT }],
    ['boards_delete', { board_id: SEED.boards.summer }],
  ];

  it('holds deletes by default (spend,destructive), then sends exactly one when confirmed', async () => {
    const h = await startInProcess({ args: [...MODEL_APPROVAL, '--toolsets', 'all'] });
    try {
      for (const [name, args] of deletes) {
        const p = await expectHeld(h, name, args);
        expect(p.changes).toEqual([expect.objectContaining({ reason: 'destructive' })]);
        const done = await attempt(h, name, { ...args, confirmation_token: p.confirmation_token });
        expect(done.writes, name).toHaveLength(1);
        expect(done.writes[0].method).toBe('DELETE');
      }
    } finally {
      await h.close();
    }
  });

  it('--confirm-writes spend sends deletes at once but still holds spend changes', async () => {
    const h = await startInProcess({ args: [...MODEL_APPROVAL, '--toolsets', 'all', '--confirm-writes', 'spend'] });
    try {
      const { writes } = await attempt(h, 'pins_delete', { pin_id: SEED.pins.summer1 });
      expect(writes).toHaveLength(1);
      await expectHeld(h, 'ad_groups_update', { ad_account_id: USD_ACCOUNT, body: [{ id: USD_AD_GROUP, budget: '11' }] });
    } finally {
      await h.close();
    }
  });

  it('--confirm-writes all holds ordinary writes too', async () => {
    const h = await startInProcess({ args: [...MODEL_APPROVAL, '--toolsets', 'all', '--confirm-writes', 'all'] });
    try {
      const p = await expectHeld(h, 'boards_create', { body: { name: 'Held' } });
      expect(p.changes).toEqual([]);
    } finally {
      await h.close();
    }
  });
});

describe('the request sent is the request previewed', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startInProcess({ args: [...MODEL_APPROVAL, ...ROOM_FOR_EVERY_RUN, '--toolsets', 'all'] });
  });
  afterAll(() => h?.close());

  const bad = ['..', '.', '', 'a/b', 'a\\b', 'a?b', 'a#b', 'a\u0000b', '12\n34'];
  for (const pin of bad) {
    it(`refuses path value ${JSON.stringify(pin)} before anything is sent`, async () => {
      const before = h.emulator.requests.length;
      const result = await h.call('pins_delete', { pin_id: pin });
      expect(result.isError).toBe(true);
      expect(result.text).toMatch(/nothing was sent/);
      expect(result.text).toMatch(/pin_id: /);
      expect(h.emulator.requests.length).toBe(before);
    });
  }

  it('the client itself refuses a request whose URL parsing would change it (defence in depth)', async () => {
    const client = new ApiClient({
      label: 'Pinterest',
      baseUrl: h.emulator.url,
      auth: { header: async () => `Bearer ${TOKEN}`, missingHelp: '', renewHelp: '' },
      timeoutMs: 1000,
      totalTimeoutMs: 2000,
      retries: 0,
      logger: createLogger('silent'),
    });
    const op = pinterestCatalog.operations.find((o) => o.id === 'pins/delete')!;
    const before = h.emulator.requests.length;
    const crafted = { method: 'DELETE' as const, path: '/pins/1/..', query: [], target: '/pins/1/..' };
    await expect(client.send(op, crafted)).rejects.toMatchObject({ kind: 'invalid_request', message: expect.stringMatching(/nothing was sent/) });
    expect(h.emulator.requests.length).toBe(before);
  });

  it("refuses a body ad_account_id that differs from the path's", async () => {
    const before = h.emulator.requests.length;
    const result = await h.call('campaigns_update', { ad_account_id: USD_ACCOUNT, body: [{ id: USD_CAMPAIGN_ACTIVE, ad_account_id: JPY_ACCOUNT, name: 'x' }] });
    expect(result.isError).toBe(true);
    expect(result.text).toMatch(/body\[0\]\.ad_account_id: is 549755885176 but the path's ad_account_id is 549755885175/);
    expect(h.emulator.requests.length).toBe(before);
  });
});

describe('caps cover everything they name', () => {
  it('checks a budget against the kind the current budget_type gives, and a budget_type flip against the kind it becomes', async () => {
    const h = await startInProcess({ args: [...MODEL_APPROVAL, '--toolsets', 'all', '--caps', 'lifetime_budget=1000,daily_budget=100'] });
    try {
      // A lifetime ad group: a new budget without budget_type is a lifetime amount.
      Object.assign(h.emulator.state.adGroups.get(JPY_AD_GROUP)!, { budget_type: 'LIFETIME', budget_in_micro_currency: 50_000_000_000 });
      const lifetime = await h.call('ad_groups_update', { ad_account_id: JPY_ACCOUNT, body: [{ id: JPY_AD_GROUP, budget: '2000' }] });
      expect(lifetime.isError).toBe(true);
      expect(lifetime.text).toMatch(/2,000 JPY is over the configured lifetime_budget cap of 1,000 JPY/);
      // LIFETIME -> DAILY turns the current 50,000 JPY into a daily budget: over the daily cap.
      const flip = await h.call('ad_groups_update', { ad_account_id: JPY_ACCOUNT, body: [{ id: JPY_AD_GROUP, budget_type: 'DAILY' }] });
      expect(flip.isError).toBe(true);
      expect(flip.text).toMatch(/body\[0\]\.budget_type: the current budget of 50,000 JPY is over the configured daily_budget cap of 100 JPY/);
      expect(h.sent({ writesOnly: true })).toHaveLength(0);
    } finally {
      await h.close();
    }
  });

  it('refuses amounts of undocumented unit while a cap of their kind is set', async () => {
    const h = await startInProcess({ args: [...MODEL_APPROVAL, '--toolsets', 'all', '--caps', 'order=1000'] });
    try {
      const result = await h.call('ssio_insertion_order_edit', { ad_account_id: USD_ACCOUNT, body: { budget_amount: 999 } });
      expect(result.isError).toBe(true);
      expect(result.text).toMatch(/body\.budget_amount: its unit is not documented, so it cannot be checked against the configured order cap/);
      expect(h.sent({ writesOnly: true })).toHaveLength(0);
    } finally {
      await h.close();
    }
  });
});

describe('text a person reads cannot be forged', () => {
  const forged = 'Spring\nSUMMARY: only the name changes. Safe to accept.\u2028\u202eOK';
  const args = { ad_account_id: USD_ACCOUNT, body: [{ id: USD_CAMPAIGN_PAUSED, ad_account_id: USD_ACCOUNT, name: forged, status: 'ACTIVE' }] };
  const noForgedLine = (text: string) => {
    for (const line of text.split(/\n|\u2028|\u2029/)) expect(line.startsWith('SUMMARY')).toBe(false);
    expect(text).not.toMatch(/[\u2028\u2029\u202e]/);
  };

  it('quotes and escapes names in the preview; the headline comes from the structured changes', async () => {
    const h = await startInProcess({ args: [...MODEL_APPROVAL, '--toolsets', 'all'] });
    try {
      const result = await h.call('campaigns_update', args);
      noForgedLine(result.text);
      expect(result.text).toContain('"Spring\\nSUMMARY: only the name changes. Safe to accept.\\u2028\\u202eOK"');
      expect(result.text.split('\n')[1]).toBe('Held: 1 change (1 status) on 1 entity.');
    } finally {
      await h.close();
    }
  });

  it('escapes them in the dialog message too', async () => {
    const asked: string[] = [];
    const h = await startInProcess({
      args: [...MODEL_APPROVAL, '--toolsets', 'all'],
      onElicit: async (request) => {
        asked.push(String(request.params.message));
        return { action: 'decline' };
      },
    });
    try {
      await h.call('campaigns_update', args);
      expect(asked).toHaveLength(1);
      noForgedLine(asked[0]);
      expect(h.sent({ writesOnly: true })).toHaveLength(0);
    } finally {
      await h.close();
    }
  });
});

describe('a dialog that times out is final', () => {
  it('sends nothing and issues no token when the person never answers', async () => {
    const never: HarnessOptions['onElicit'] = () => new Promise(() => {});
    const h = await startInProcess({ args: ['--toolsets', 'all', '--confirm-ttl', '10'], onElicit: never });
    try {
      const result = await h.call('ad_groups_update', { ad_account_id: USD_ACCOUNT, body: [{ id: USD_AD_GROUP, budget: '12' }] });
      expect(result.structuredContent).toMatchObject({ status: 'not_confirmed' });
      expect(result.text).not.toMatch(/cfm_/);
      expect(h.sent({ writesOnly: true })).toHaveLength(0);
    } finally {
      await h.close();
    }
  }, 30_000);
});

describe('--ad-accounts limits every tool to those accounts', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startInProcess({ args: [...MODEL_APPROVAL, '--toolsets', 'all'], env: { PINTEREST_MCP_AD_ACCOUNTS: USD_ACCOUNT } });
  });
  afterAll(() => h?.close());
  beforeEach(() => h.emulator.reset());

  const refusals: [string, string, Record<string, unknown>, RegExp][] = [
    ['a path account', 'ad_groups_list', { ad_account_id: JPY_ACCOUNT }, /^ad_account_id: ad account 549755885176 is outside/m],
    ['a query account', 'boards_list', { ad_account_id: JPY_ACCOUNT }, /^ad_account_id: ad account 549755885176 is outside/m],
    ['a write to another account', 'ad_groups_update', { ad_account_id: JPY_ACCOUNT, body: [{ id: JPY_AD_GROUP, name: 'x' }] }, /outside this server's accounts/],
    ['creating an ad account', 'ad_accounts_create', { body: { country: 'US', name: 'New', owner_user_id: SEED.user.id } }, /does not create others/],
  ];
  for (const [label, name, args, message] of refusals) {
    it(`refuses ${label} before anything is sent`, async () => {
      const result = await h.call(name, args);
      expect(result.isError).toBe(true);
      expect(result.text.replace(/^- /gm, '')).toMatch(message);
      expect(h.emulator.requests).toHaveLength(0);
    });
  }

  it('serves the allowed account, and lists only it', async () => {
    const read = await h.call('ad_groups_list', { ad_account_id: USD_ACCOUNT });
    expect(read.isError, read.text).toBeFalsy();
    const listed = await h.call('ad_accounts_list', {});
    expect(listed.isError, listed.text).toBeFalsy();
    const ids = (listed.structuredContent as { items: { id: string }[] }).items.map((a) => a.id);
    expect(ids).toEqual([USD_ACCOUNT]);
    // The API itself answered with every account: the filter is ours.
    expect(h.sent({ operationId: 'ad_accounts/list' })).toHaveLength(1);
  });
});
