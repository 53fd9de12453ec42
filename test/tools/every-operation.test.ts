// Every operation is a tool: listing, an end-to-end call per tag, a sweep of every tool, and bad-argument refusals.
import type { Tool } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { pinterestApi } from '../../src/apis/index.js';
import { pinterestCatalog } from '../../src/apis/pinterest/catalog.generated.js';
import { type Harness, USD_ACCOUNT, startInProcess, startStdio, MODEL_APPROVAL } from '../helpers/harness.js';
import { sample } from '../helpers/samples.js';

/** Tools that are not one API operation: the schema describer and multi-step workflows. */
const WORKFLOWS = ['describe_tool', 'analytics_run_report'];

describe('over stdio (the built server)', () => {
  let h: Harness;
  let tools: Tool[];
  beforeAll(async () => {
    h = await startStdio({ args: [...MODEL_APPROVAL, '--toolsets', 'all'] });
    tools = (await h.client.listTools()).tools;
  });
  afterAll(() => h?.close());

  it('lists one tool per operation except the OAuth exchanges (oauth/token, oauth/conversion_token, token/revoke)', () => {
    const expected = pinterestCatalog.operations
      .filter((o) => !['oauth/token', 'oauth/conversion_token', 'token/revoke'].includes(o.id))
      .map((o) => o.id.replaceAll('/', '_'));
    const names = tools.map((t) => t.name);
    expect(names.filter((n) => !n.startsWith('whop_') && !WORKFLOWS.includes(n)).sort()).toEqual(expected.sort());
    expect(tools.find((t) => t.name === 'ad_groups_create')).toBeDefined();
    expect(tools.find((t) => t.name === 'user_account_analytics_top_pins')).toBeDefined();
    expect(tools.find((t) => t.name === 'ad_groups_audience_sizing')).toBeDefined();
  });

  it('gives every tool a valid name, an object schema, a title and honest annotations', () => {
    for (const tool of tools) {
      expect(tool.name).toMatch(/^[a-zA-Z0-9_-]{1,64}$/);
      expect(tool.inputSchema.type).toBe('object');
      expect(tool.title?.length).toBeGreaterThan(3);
      expect(tool.description?.length).toBeGreaterThan(10);
      // Listed annotations leave out what the specification's defaults say (not read-only, destructive, not
      // idempotent, an open world), and for reads the write hints.
      if (!WORKFLOWS.includes(tool.name) || tool.name === 'analytics_run_report') expect(tool.annotations?.openWorldHint).toBeUndefined();
      expect(tool.annotations?.title).toBeUndefined();
    }
    const ann = (name: string) => tools.find((t) => t.name === name)!.annotations!;
    expect(ann('campaigns_list')).toEqual({ readOnlyHint: true });
    expect(ann('describe_tool')).toEqual({ readOnlyHint: true, openWorldHint: false });
    expect(ann('boards_delete')).toEqual({ idempotentHint: true });
    expect(ann('campaigns_create')).toEqual({ destructiveHint: false });
    expect(ann('campaigns_update')).toEqual({ destructiveHint: false, idempotentHint: true });
    expect(ann('ad_groups_audience_sizing')).toEqual({ readOnlyHint: true });
  });

  it('calls a read end to end and returns the API JSON as text and structuredContent', async () => {
    const result = await h.call('ad_accounts_get', { ad_account_id: USD_ACCOUNT });
    expect(result.isError).toBeFalsy();
    expect(result.structuredContent).toMatchObject({ id: USD_ACCOUNT, currency: 'USD' });
    expect(JSON.parse(result.text.split('\n')[0])).toMatchObject({ id: USD_ACCOUNT });
    const seen = h.sent({ operationId: 'ad_accounts/get' }).at(-1)!;
    expect(seen.headers.authorization).toBe('Bearer test-token');
  });

  it('serializes explode:false arrays comma-joined and other arrays as repeated keys', async () => {
    const result = await h.call('ad_groups_targeting_analytics_get', {
      ad_account_id: USD_ACCOUNT,
      ad_group_ids: ['2680059592701', '2680059592702'],
      start_date: '2026-11-01',
      end_date: '2026-11-10',
      targeting_types: ['AGE_BUCKET', 'GENDER'],
      columns: ['SPEND_IN_DOLLAR', 'IMPRESSION_1'],
      granularity: 'DAY',
    });
    expect(result.isError, result.text).toBeFalsy();
    const seen = h.sent({ operationId: 'ad_groups_targeting_analytics/get' }).at(-1)!;
    expect(seen.valid).toBe(true);
    expect(seen.rawQuery).toContain('targeting_types=AGE_BUCKET%2CGENDER');
    // form arrays without explode:false repeat the key
    expect(seen.rawQuery).toContain('columns=SPEND_IN_DOLLAR%2CIMPRESSION_1');
    expect(seen.rawQuery).toContain('ad_group_ids=2680059592701&ad_group_ids=2680059592702');
  });

  it('wraps array responses so structuredContent is an object', async () => {
    const result = await h.call('ad_account_countries_get', {});
    expect(result.isError, result.text).toBeFalsy();
    expect(result.structuredContent).toBeTypeOf('object');
    expect(Array.isArray(result.structuredContent)).toBe(false);
  });
});

it('exposes no micro-currency field name in any tool input', async () => {
  const h = await startInProcess({ args: [...MODEL_APPROVAL, '--toolsets', 'all'] });
  try {
    const { tools } = await h.client.listTools();
    const micro = tools.filter((t) => /_in_micro_currency/.test(JSON.stringify(t.inputSchema))).map((t) => t.name);
    expect(micro).toEqual([]);
    const adGroup = JSON.stringify(tools.find((t) => t.name === 'ad_groups_create')!.inputSchema);
    expect(adGroup).toContain('"budget"');
    expect(adGroup).toContain('"bid"');
  } finally {
    await h.close();
  }
});

describe('bad arguments are refused before anything is sent', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startInProcess({ args: [...MODEL_APPROVAL, '--toolsets', 'all'] });
  });
  afterAll(() => h?.close());

  const cases: [string, string, Record<string, unknown>, RegExp][] = [
    ['wrong type', 'campaigns_list', { ad_account_id: USD_ACCOUNT, page_size: 'ten' }, /page_size: .*expected number/i],
    ['missing required', 'campaigns_list', {}, /ad_account_id: .*(expected string|required)/i],
    ['pattern', 'ad_accounts_get', { ad_account_id: 'abc' }, /ad_account_id: .*pattern/i],
    ['enum', 'campaigns_list', { ad_account_id: USD_ACCOUNT, order: 'SIDEWAYS' }, /order: .*ASCENDING/],
    ['out of range', 'campaigns_list', { ad_account_id: USD_ACCOUNT, page_size: 251 }, /page_size: .*250/],
    ['unknown property', 'campaigns_list', { ad_account_id: USD_ACCOUNT, colour: 'red' }, /colour: unknown property/],
    ['nested unknown property', 'boards_create', { body: { name: 'x', colour: 'red' } }, /body\.colour: unknown property/],
    ['array body shape', 'campaigns_create', { ad_account_id: USD_ACCOUNT, body: { name: 'x' } }, /body: .*expected array/i],
    // An empty list cannot be sent in a query string: `columns=` reads as [""], and repeated keys vanish.
    ['empty query list (comma-joined)', 'pins_analytics', { pin_id: '1057925269001', start_date: '2026-11-01', end_date: '2026-11-10', metric_types: [] }, /metric_types: .*>=1 items/i],
    ['empty query list (repeated keys)', 'terms_related_list', { terms: [] }, /terms: .*>=1 items/i],
    // A lone surrogate has no UTF-8 form: encodeURIComponent threw (an internal error), URLSearchParams sent U+FFFD.
    ['unpaired surrogate in a path value', 'integrations_get_by_id', { id: '\ud800123' }, /id: .*unpaired surrogate/],
    ['unpaired surrogate in a query value', 'boards_list', { bookmark: 'abc\udc00' }, /bookmark: .*unpaired surrogate/],
    // allOf: null passes only where every part allows it (AdGroupCommon's nullable boolean meets a plain boolean).
    ['null where one allOf part forbids it', 'ad_groups_create', { ad_account_id: USD_ACCOUNT, body: [{ campaign_id: '687195134101', name: 'x', billable_event: 'IMPRESSION', auto_targeting_enabled: null }] }, /body\[0\]\.auto_targeting_enabled: .*expected boolean/i],
    ['null where one allOf part forbids it (update)', 'campaigns_update', { ad_account_id: USD_ACCOUNT, body: [{ id: '687195134101', ad_account_id: USD_ACCOUNT, status: null }] }, /body\[0\]\.status: .*ACTIVE/],
  ];
  for (const [label, tool, args, pattern] of cases) {
    it(`${label}: ${tool}`, async () => {
      const before = h.emulator.requests.length;
      const result = await h.call(tool, args);
      expect(result.isError).toBe(true);
      expect(result.text).toMatch(/nothing was sent/);
      expect(result.text).toMatch(pattern);
      expect(h.emulator.requests.length).toBe(before);
    });
  }

  it('still takes null where every allOf part allows it (an own nullable over a $ref)', async () => {
    const result = await h.call('campaigns_update', { ad_account_id: USD_ACCOUNT, body: [{ id: '687195134101', ad_account_id: USD_ACCOUNT, is_campaign_budget_optimization: null }], dry_run: true });
    expect(result.isError, result.text).toBeFalsy();
    expect(result.structuredContent).toMatchObject({ status: 'dry_run' });
  });

  it('answers an unknown tool with an error', async () => {
    const result = await h.call('no_such_tool', {});
    expect(result.isError).toBe(true);
    expect(result.text).toMatch(/Unknown tool/);
  });
});

describe('sweep: every tool with arguments built from its own schema', () => {
  let h: Harness & { app: import('../../src/server/app.js').App };
  beforeAll(async () => {
    h = await startInProcess({ args: [...MODEL_APPROVAL, '--toolsets', 'all'] });
  });
  afterAll(() => h?.close());

  it('reaches the fake API with a well-formed request for every Pinterest tool', async () => {
    const problems: string[] = [];
    const held: string[] = [];
    const tags = new Set<string>();
    for (const tool of h.app.tools.filter((t) => t.api.id === 'pinterest')) {
      const schema = z.toJSONSchema(tool.input, { io: 'input', target: 'draft-7', unrepresentable: 'any' }) as Record<string, any>;
      // Values that the text rules (src/apis/pinterest/text-rules.ts) need and a schema-only sample cannot know: an
      // identifier in user_data, and an event that needs no value.
      const known = { ad_account_id: USD_ACCOUNT, user_data: { em: ['411e44ce1261728ffd2c0686e44e3fffe413c0e2c5adc498bc7da883d476b9c8'] }, event_name: 'lead' };
      const args = sample(schema, schema, { known }) as Record<string, unknown>;
      const before = h.emulator.requests.length;
      let result = await h.call(tool.name, args);
      const token = (result.structuredContent as { confirmation_token?: string } | undefined)?.confirmation_token;
      if (token) {
        held.push(tool.name);
        const early = h.emulator.requests.slice(before).filter((r) => r.method !== 'GET');
        if (early.length) problems.push(`${tool.name}: a write reached the API before confirmation`);
        result = await h.call(tool.name, { ...args, confirmation_token: token });
      }
      const own = h.emulator.requests.slice(before).filter((r) => r.operationId === tool.op.id);
      if (own.length !== 1) problems.push(`${tool.name}: expected 1 request, saw ${own.length} (${result.text.slice(0, 200)})`);
      else if (!own[0].valid) problems.push(`${tool.name}: malformed request: ${own[0].problems.join('; ')}`);
      else tags.add(tool.op.tag);
    }
    expect(problems).toEqual([]);
    // Sample arguments create ACTIVE entities or set money: every such write was held for confirmation.
    expect(held).toEqual(
      expect.arrayContaining([
        'campaigns_create', 'ad_groups_create', 'ads_create', 'ads_credit_redeem', 'ssio_insertion_order_create',
        // 5.23.0: discounts, item bids, customer list uploads, targeting templates, business access, audience sharing
        'promotions_create', 'advanced_auction_items_submit_post', 'customer_list_uploads_run', 'targeting_template_update',
        'create_membership_or_partnership_invites', 'update_ad_account_to_ad_account_shared_audience',
      ]),
    );
    const allTags = new Set(pinterestCatalog.operations.filter((o) => !pinterestApi.excluded[o.id]).map((o) => o.tag));
    expect([...allTags].filter((t) => !tags.has(t))).toEqual([]);
  });
});
