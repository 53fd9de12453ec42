// The writes Pinterest 5.23.0 added, through the real MCP client and the fake API: what is held, and what is sent.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type Harness, JPY_ACCOUNT, MODEL_APPROVAL, USD_ACCOUNT, startInProcess } from '../helpers/harness.js';

const CAMPAIGN = '687195134101';
const BUSINESS = '1234567890';

interface Held {
  status: string;
  confirmation_token: string;
  request: { method: string; path: string; body: any };
  changes: { entity: string; field: string; reason: string; why?: string; to?: unknown }[];
}

const invite = { business_id: BUSINESS, body: { business_role: 'EMPLOYEE', invite_type: 'MEMBER_INVITE', members: ['someone@example.com'] } };
const itemBids = (bid: unknown) => ({
  body: { catalog_id: '1234', items: [{ operation: 'UPSERT', item_id: 'SKU-1', country: 'US', language: 'EN', update_mask: ['BID'], bid_options: { bid } }] },
});

describe('5.23.0 writes under the default --confirm-writes', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startInProcess({ args: [...MODEL_APPROVAL, '--toolsets', 'all'] });
  });
  afterAll(() => h?.close());
  beforeEach(() => h.emulator.reset());

  it('holds a business invite as an access change, sends nothing, then sends it once when confirmed', async () => {
    const held = await h.call('create_membership_or_partnership_invites', invite);
    const p = held.structuredContent as unknown as Held;
    expect(p.status).toBe('confirmation_required');
    expect(p.changes).toEqual([expect.objectContaining({ reason: 'access', why: expect.stringMatching(/invites members or partners/) })]);
    expect(held.text).toMatch(/changes who has access/);
    expect(h.sent({ writesOnly: true })).toHaveLength(0);

    const done = await h.call('create_membership_or_partnership_invites', { ...invite, confirmation_token: p.confirmation_token });
    expect(done.isError, done.text).toBeFalsy();
    expect(h.sent({ writesOnly: true }).map((r) => [r.operationId, r.valid])).toEqual([['create_membership_or_partnership_invites', true]]);
  });

  it('holds audience sharing and promotions always, and deleting a promotion as destructive', async () => {
    const share = await h.call('update_ad_account_to_ad_account_shared_audience', {
      ad_account_id: USD_ACCOUNT,
      body: { audience_id: '2542620905475', operation_type: 'SHARE', recipient_account_ids: ['549755885176'] },
    });
    expect(share.isError, share.text).toBeFalsy();
    expect((share.structuredContent as unknown as Held).changes[0]).toMatchObject({ reason: 'access' });
    const promotion = await h.call('promotions_create', {
      ad_account_id: USD_ACCOUNT,
      body: [{ promotion_title: 'Spring', promotion_type: 'SITEWIDE', template_values: [{ percent: 20 }] }],
    });
    expect((promotion.structuredContent as unknown as Held).changes[0]).toMatchObject({ reason: 'spend', why: expect.stringMatching(/discount/) });
    const removal = await h.call('promotions_delete', { ad_account_id: USD_ACCOUNT, promotion_id: '123' });
    expect((removal.structuredContent as unknown as Held).changes[0]).toMatchObject({ reason: 'destructive' });
    expect(h.sent({ writesOnly: true })).toHaveLength(0);
  });

  it('takes item bids as natural amounts in the currency of the ad account named, held, and sends exact micros', async () => {
    const noAccount = await h.call('advanced_auction_items_submit_post', itemBids('1.25'));
    expect(noAccount.isError).toBe(true);
    expect(noAccount.text).toMatch(/bid: .*currency of this amount is unknown; pass ad_account_id/);

    const args = { ...itemBids('1.25'), ad_account_id: USD_ACCOUNT };
    const held = (await h.call('advanced_auction_items_submit_post', args)).structuredContent as unknown as Held;
    expect(held.changes[0]).toMatchObject({ reason: 'spend' });
    expect(held.request.body.items[0].bid_options).toEqual({ bid_in_micro_currency: 1_250_000 });
    expect(h.sent({ writesOnly: true })).toHaveLength(0);

    const done = await h.call('advanced_auction_items_submit_post', { ...args, confirmation_token: held.confirmation_token });
    expect(done.isError, done.text).toBeFalsy();
    const [sent] = h.sent({ writesOnly: true });
    expect(sent.valid).toBe(true);
    expect(sent.body.items[0].bid_options).toEqual({ bid_in_micro_currency: 1_250_000 });
    expect(sent.rawQuery).toBe(`ad_account_id=${USD_ACCOUNT}`);

    const yen = await h.call('advanced_auction_items_submit_post', { ...itemBids('12.5'), ad_account_id: JPY_ACCOUNT });
    expect(yen.isError).toBe(true);
    expect(yen.text).toMatch(/JPY/);
  });

  it('holds a paused ad group create that sets a bid multiplier, and sends one that only turns on creative optimization', async () => {
    const group = { campaign_id: CAMPAIGN, name: 'g', billable_event: 'IMPRESSION', status: 'PAUSED' };
    const multiplied = await h.call('ad_groups_create', { ad_account_id: USD_ACCOUNT, body: [{ ...group, bid_multiplier: 3 }] });
    expect((multiplied.structuredContent as unknown as Held).changes).toEqual([expect.objectContaining({ field: 'bid_multiplier', reason: 'setting' })]);
    expect(h.sent({ writesOnly: true })).toHaveLength(0);

    const optimized = await h.call('ad_groups_create', { ad_account_id: USD_ACCOUNT, body: [{ ...group, is_creative_optimization: true }] });
    expect(optimized.isError, optimized.text).toBeFalsy();
    expect(h.sent({ writesOnly: true }).map((r) => r.operationId)).toEqual(['ad_groups/create']);
  });

  it('holds campaign bid options on an update, and a targeting template on an ad group', async () => {
    const campaign = await h.call('campaigns_update', {
      ad_account_id: USD_ACCOUNT,
      body: [{ id: CAMPAIGN, ad_account_id: USD_ACCOUNT, bid_options: { placement_multipliers: { BROWSE: 2 }, update_mask: ['PLACEMENT'] } }],
    });
    expect((campaign.structuredContent as unknown as Held).changes).toEqual([expect.objectContaining({ field: 'bid_options', reason: 'setting' })]);
    const group = await h.call('ad_groups_update', { ad_account_id: USD_ACCOUNT, body: [{ id: '2680059592701', targeting_template_ids: ['643'] }] });
    expect((group.structuredContent as unknown as Held).changes).toEqual([expect.objectContaining({ field: 'targeting_template_ids', reason: 'setting' })]);
    expect(h.sent({ writesOnly: true })).toHaveLength(0);
  });

  it('sends a bulk upsert of labels at once, and holds one that changes catalog product groups', async () => {
    const labels = { create: { labels: [{ parent_id: CAMPAIGN, labels: [{ value: 'spring', label_type: 'CUSTOM' }] }] } };
    const sent = await h.call('bulk_upsert_create', { ad_account_id: USD_ACCOUNT, body: labels });
    expect(sent.isError, sent.text).toBeFalsy();
    expect(h.sent({ writesOnly: true }).map((r) => [r.operationId, r.valid])).toEqual([['bulk_upsert/create', true]]);

    h.emulator.reset();
    const groups = { update: { catalog_product_groups: [{ name: 'renamed' }] } };
    const held = await h.call('bulk_upsert_create', { ad_account_id: USD_ACCOUNT, body: groups });
    expect((held.structuredContent as unknown as Held | undefined)?.changes, held.text).toEqual([
      expect.objectContaining({ field: 'body.update.catalog_product_groups', reason: 'setting', why: expect.stringMatching(/product groups/) }),
    ]);
    expect(h.sent({ writesOnly: true })).toHaveLength(0);
  });

  it('holds lead exports as data, and their descriptions say lead exports hold personal data', async () => {
    const exported = await h.call('leads_export_create', { ad_account_id: USD_ACCOUNT, body: { ad_id: '687195134102', start_date: '2026-11-01', end_date: '2026-11-10' } });
    expect((exported.structuredContent as unknown as Held | undefined)?.changes, exported.text).toEqual([expect.objectContaining({ reason: 'data' })]);
    expect(h.sent({ writesOnly: true })).toHaveLength(0);
    const listed = await h.client.listTools();
    for (const name of ['leads_export_create', 'leads_export_get']) {
      expect(listed.tools.find((t) => t.name === name)?.description, name).toMatch(/personal data/);
    }
  });
});

describe('5.23.0 writes under --confirm-writes spend and all', () => {
  it('keeps access changes held when destructive writes are not, and holds every write under all', async () => {
    const spendOnly = await startInProcess({ args: [...MODEL_APPROVAL, '--toolsets', 'all', '--confirm-writes', 'spend'] });
    try {
      const held = await spendOnly.call('delete_business_partners', { business_id: BUSINESS, body: { partner_ids: ['1234567890123'] } });
      expect((held.structuredContent as unknown as Held | undefined)?.status, held.text).toBe('confirmation_required');
      const removal = await spendOnly.call('promotions_delete', { ad_account_id: USD_ACCOUNT, promotion_id: '123' });
      expect(removal.isError, removal.text).toBeFalsy();
      expect(spendOnly.sent({ writesOnly: true }).map((r) => r.operationId)).toEqual(['promotions/delete']);
    } finally {
      await spendOnly.close();
    }
    const all = await startInProcess({ args: [...MODEL_APPROVAL, '--toolsets', 'all', '--confirm-writes', 'all'] });
    try {
      const held = await all.call('leads_export_create', { ad_account_id: USD_ACCOUNT, body: { ad_id: '687195134102', start_date: '2026-11-01', end_date: '2026-11-10' } });
      expect((held.structuredContent as unknown as Held | undefined)?.status, held.text).toBe('confirmation_required');
      expect(all.sent({ writesOnly: true })).toHaveLength(0);
    } finally {
      await all.close();
    }
  });
});
