// Caps through a real MCP client and the fake API: per-currency caps, effective bids with multipliers, promotion amounts.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SEED } from '../../fakes/pinterest/server.js';
import { auctionKey } from '../../fakes/pinterest/state.js';
import { readMultiplier } from '../../src/apis/bids.js';
import { EUR_ACCOUNT, type Harness, JPY_ACCOUNT, MODEL_APPROVAL, USD_ACCOUNT, startInProcess } from '../helpers/harness.js';

const USD_CAMPAIGN = SEED.campaigns.usdActive;
const USD_AD_GROUP = SEED.adGroups.usd; // bid 1.50 USD
const USD_BROAD = SEED.adGroups.usdBroad; // bid 2.50 USD, same campaign
const JPY_AD_GROUP = SEED.adGroups.jpy; // bid 150 JPY
const EUR_AD_GROUP = SEED.adGroups.eur;
const CAPS = 'daily_budget=50 USD,bid=5 USD,bid=600 JPY,promotion=20 USD';
const CATALOG = '2680059592705';

type Result = Awaited<ReturnType<Harness['call']>>;
/** Requests that write: every non-GET but the read of catalog items' bid options, which Pinterest serves on POST. */
const writes = (h: Harness) => h.sent({ writesOnly: true }).filter((r) => r.operationId !== 'advanced_auction_items_get/post');
const status = (result: Result) => (result.structuredContent as { status?: string } | undefined)?.status;
const adGroupUpdate = (account: string, item: Record<string, unknown>) => ({ ad_account_id: account, body: [item] });

describe('caps in the account currency and effective bids', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startInProcess({ args: [...MODEL_APPROVAL, '--toolsets', 'all', '--caps', CAPS] });
  });
  afterAll(() => h?.close());
  beforeEach(() => h.emulator.reset());

  /** Calls a tool that must be refused before anything is written, and returns the refusal's text. */
  const refusedText = async (tool: string, args: Record<string, unknown>): Promise<string> => {
    const result = await h.call(tool, args);
    expect(result.isError, result.text).toBe(true);
    expect(result.text).toMatch(/nothing was sent/);
    expect(writes(h)).toHaveLength(0);
    return result.text;
  };

  /** Calls a tool that must be held (not refused, not sent), then confirms it: exactly one write reaches the API. */
  const heldThenSent = async (tool: string, args: Record<string, unknown>) => {
    const preview = await h.call(tool, args);
    expect(status(preview), preview.text).toBe('confirmation_required');
    expect(writes(h)).toHaveLength(0);
    const token = (preview.structuredContent as { confirmation_token: string }).confirmation_token;
    const done = await h.call(tool, { ...args, confirmation_token: token });
    expect(done.isError, done.text).toBeFalsy();
    const sent = writes(h);
    expect(sent).toHaveLength(1);
    return sent[0];
  };

  describe('caps per currency', () => {
    it('refuses a JPY account whose kind has a cap only in USD, naming the missing cap', async () => {
      const text = await refusedText('ad_groups_update', adGroupUpdate(JPY_ACCOUNT, { id: JPY_AD_GROUP, budget: '6000' }));
      expect(text).toMatch(/body\[0\]\.budget: no daily_budget cap for JPY: add daily_budget=<amount> JPY to --caps\. Nothing was sent/);
    });

    it('refuses an EUR bid where the bid caps name USD and JPY only', async () => {
      const text = await refusedText('ad_groups_update', adGroupUpdate(EUR_ACCOUNT, { id: EUR_AD_GROUP, bid: '1' }));
      expect(text).toMatch(/no bid cap for EUR: add bid=<amount> EUR to --caps/);
    });

    it("checks each account against the cap in its own currency; amounts within it are held and sent as before", async () => {
      expect(await refusedText('ad_groups_update', adGroupUpdate(USD_ACCOUNT, { id: USD_AD_GROUP, budget: '60' }))).toMatch(
        /60\.00 USD is over the configured daily_budget cap of 50\.00 USD/,
      );
      expect(await refusedText('ad_groups_update', adGroupUpdate(JPY_ACCOUNT, { id: JPY_AD_GROUP, bid: '700' }))).toMatch(
        /700 JPY is over the configured bid cap of 600 JPY/,
      );
      const sent = await heldThenSent('ad_groups_update', adGroupUpdate(USD_ACCOUNT, { id: USD_AD_GROUP, budget: '40' }));
      expect(sent.body).toEqual([{ id: USD_AD_GROUP, budget_in_micro_currency: 40_000_000 }]);
    });
  });

  describe('effective bids', () => {
    const setCampaignOptions = (options: unknown) => Object.assign(h.emulator.state.campaigns.get(USD_CAMPAIGN)!, { bid_options: options });

    it("refuses a bid under the cap that its campaign's multipliers raise over it, with the effective bid", async () => {
      setCampaignOptions({ placement_multipliers: { SEARCH: 2.5, BROWSE: 0.9 } });
      const text = await refusedText('ad_groups_update', adGroupUpdate(USD_ACCOUNT, { id: USD_AD_GROUP, bid: '3' }));
      expect(text).toContain(
        `body[0].bid: the effective bid of ad group ${USD_AD_GROUP} is 3.00 USD x 2.5 (campaign ${USD_CAMPAIGN} bid_options.placement_multipliers.SEARCH) = 7.50 USD, over the configured bid cap of 5.00 USD; nothing was sent`,
      );
      // 2 x 2.5 is the cap exactly: held and sent as before.
      const sent = await heldThenSent('ad_groups_update', adGroupUpdate(USD_ACCOUNT, { id: USD_AD_GROUP, bid: '2' }));
      expect(sent.body).toEqual([{ id: USD_AD_GROUP, bid_in_micro_currency: 2_000_000 }]);
    });

    it('reads the current bid when a write changes only the bid_multiplier', async () => {
      const text = await refusedText('ad_groups_update', adGroupUpdate(USD_ACCOUNT, { id: USD_AD_GROUP, bid_multiplier: 4 }));
      expect(text).toContain(`body[0].bid_multiplier: the effective bid of ad group ${USD_AD_GROUP} is 1.50 USD x 4 (bid_multiplier) = 6.00 USD, over the configured bid cap of 5.00 USD`);
      const sent = await heldThenSent('ad_groups_update', adGroupUpdate(USD_ACCOUNT, { id: USD_AD_GROUP, bid_multiplier: 3.3 }));
      expect(sent.body).toEqual([{ id: USD_AD_GROUP, bid_multiplier: 3.3 }]);
    });

    it('compounds ad group and campaign multipliers, exactly (no float rounding)', async () => {
      setCampaignOptions({ audience_multipliers: { '123': 1.1 }, app_type_multipliers: { iphone: 1.5 } });
      // 1.50 x 2 x 1.1 x 1.5 = 4.95: within 5.00 USD, where floats would give 4.950000000000001.
      await heldThenSent('ad_groups_update', adGroupUpdate(USD_ACCOUNT, { id: USD_AD_GROUP, bid_multiplier: 2 }));
      h.emulator.reset();
      setCampaignOptions({ audience_multipliers: { '123': 1.1 }, app_type_multipliers: { iphone: 1.5 } });
      const text = await refusedText('ad_groups_update', adGroupUpdate(USD_ACCOUNT, { id: USD_AD_GROUP, bid_multiplier: 2.1 }));
      expect(text).toContain(
        `is 1.50 USD x 2.1 (bid_multiplier) x 1.1 (campaign ${USD_CAMPAIGN} bid_options.audience_multipliers.123) x 1.5 (campaign ${USD_CAMPAIGN} bid_options.app_type_multipliers.iphone) = 5.1975 USD`,
      );
    });

    it("checks a campaign's new multipliers against the bids of its ad groups, keeping dimensions the update_mask leaves out", async () => {
      setCampaignOptions({ placement_multipliers: { SEARCH: 1.5 } });
      const args = { ad_account_id: USD_ACCOUNT, body: [{ id: USD_CAMPAIGN, ad_account_id: USD_ACCOUNT, bid_options: { update_mask: ['APP_TYPE'], app_type_multipliers: { iphone: 1.5 } } }] };
      // The broad ad group bids 2.50: x 1.5 (its campaign's search placement, kept) x 1.5 (iphone) = 5.625.
      const text = await refusedText('campaigns_update', args);
      expect(text).toContain(
        `body[0].bid_options: the effective bid of ad group ${USD_BROAD} "US Broad Reach" is 2.50 USD x 1.5 (bid_options.placement_multipliers.SEARCH) x 1.5 (bid_options.app_type_multipliers.iphone) = 5.625 USD`,
      );
      expect(text).not.toContain(`ad group ${USD_AD_GROUP}`);
    });

    it("checks product group promotion bids against their campaign's multipliers, both ways", async () => {
      setCampaignOptions({ placement_multipliers: { SEARCH: 2.5 } });
      const promotionId = SEED.productGroupPromotions.usd; // bid 1.00 USD, in the USD ad group
      const update = (bid: string) => ({ ad_account_id: USD_ACCOUNT, body: { ad_group_id: USD_AD_GROUP, product_group_promotion: [{ id: promotionId, bid }] } });
      expect(await refusedText('product_group_promotions_update', update('2.5'))).toContain(
        `body.product_group_promotion[0].bid: the effective bid of product group promotion ${promotionId} is 2.50 USD x 2.5 (campaign ${USD_CAMPAIGN} bid_options.placement_multipliers.SEARCH) = 6.25 USD`,
      );
      await heldThenSent('product_group_promotions_update', update('2'));
      // The campaign's new multipliers reach the promotion's bid of 2.00 too: x 2.5 x 3 = 15.
      h.emulator.reset();
      h.emulator.state.productGroupPromotions.get(promotionId)!.bid_in_micro_currency = 2_000_000;
      const text = await refusedText('campaigns_update', {
        ad_account_id: USD_ACCOUNT,
        body: [{ id: USD_CAMPAIGN, ad_account_id: USD_ACCOUNT, bid_options: { update_mask: ['APP_TYPE'], app_type_multipliers: { iphone: 3 } } }],
      });
      expect(text).toContain(`the effective bid of product group promotion ${promotionId} is 2.00 USD x 3 (bid_options.app_type_multipliers.iphone) = 6.00 USD`);
    });

    it('lets a campaign lower its multipliers', async () => {
      setCampaignOptions({ placement_multipliers: { SEARCH: 10 } });
      await heldThenSent('campaigns_update', {
        ad_account_id: USD_ACCOUNT,
        body: [{ id: USD_CAMPAIGN, ad_account_id: USD_ACCOUNT, bid_options: { update_mask: ['PLACEMENT'], placement_multipliers: { SEARCH: 1.2 } } }],
      });
    });

    it('fails closed on a multiplier over automatic bidding, which has no bid to multiply', async () => {
      Object.assign(h.emulator.state.adGroups.get(USD_AD_GROUP)!, { bid_in_micro_currency: null, bid_strategy_type: 'AUTOMATIC_BID' });
      const text = await refusedText('ad_groups_update', adGroupUpdate(USD_ACCOUNT, { id: USD_AD_GROUP, bid_multiplier: 1.5 }));
      expect(text).toContain(
        `ad group ${USD_AD_GROUP} has bid multipliers above 1 (1.5 (bid_multiplier)) but it has no bid: it bids automatically, so its effective bid cannot be checked against the configured bid cap of 5.00 USD; nothing was sent. Give it a bid, keep its multipliers at most 1, or ask the operator to lift the bid cap`,
      );
      await heldThenSent('ad_groups_update', adGroupUpdate(USD_ACCOUNT, { id: USD_AD_GROUP, bid_multiplier: 0.8 }));
    });

    it("fails closed when the campaign's multipliers cannot be read", async () => {
      h.emulator.inject({ operationId: 'campaigns/list', status: 500 });
      const text = await refusedText('ad_groups_update', adGroupUpdate(USD_ACCOUNT, { id: USD_AD_GROUP, bid: '1' }));
      expect(text).toMatch(new RegExp(`the effective bid of ad group ${USD_AD_GROUP} cannot be checked against the configured bid cap: the campaign's bid multipliers are unknown: campaign ${USD_CAMPAIGN} could not be read \\(`));
    });

    it('uses the cap in the account currency for effective bids', async () => {
      const text = await refusedText('ad_groups_update', adGroupUpdate(JPY_ACCOUNT, { id: JPY_AD_GROUP, bid_multiplier: 5 }));
      expect(text).toContain('is 150 JPY x 5 (bid_multiplier) = 750 JPY, over the configured bid cap of 600 JPY');
      expect(await refusedText('ad_groups_update', adGroupUpdate(EUR_ACCOUNT, { id: EUR_AD_GROUP, bid_multiplier: 2 }))).toMatch(/no bid cap for EUR: add bid=<amount> EUR to --caps/);
    });

    it("checks catalog items' bids times their own multipliers, reading what the update_mask leaves as it is", async () => {
      const item = { item_id: 'DS0294-M', country: 'US', language: 'EN', operation: 'UPSERT' };
      const submit = (records: unknown[]) => ({ ad_account_id: USD_ACCOUNT, body: { catalog_id: CATALOG, items: records } });
      const both = { ...item, bid_options: { bid: '3', app_type_multipliers: { iphone: 2 } }, update_mask: ['BID', 'APP_TYPE_BID_MULTIPLIER_SET'] };
      expect(await refusedText('advanced_auction_items_submit_post', submit([both]))).toContain(
        'body.items[0].bid_options: the effective bid of item "DS0294-M" (US, EN) is 3.00 USD x 2 (bid_options.app_type_multipliers.iphone) = 6.00 USD, over the configured bid cap of 5.00 USD',
      );
      // A new record's bid starts at null: it bids its ad group's bid, which no item names.
      const multipliersOnly = { ...item, bid_options: { placement_multipliers: { SEARCH: 1.5 } }, update_mask: ['PLACEMENT_BID_MULTIPLIER_SET'] };
      expect(await refusedText('advanced_auction_items_submit_post', submit([multipliersOnly]))).toMatch(/has bid multipliers above 1 .* but it has no bid of its own/);
      // An existing record keeps its bid of 4.00: x 1.5 = 6.00.
      h.emulator.state.auctionItems.set(auctionKey(CATALOG, 'DS0294-M', 'US', 'EN'), {
        catalog_id: CATALOG,
        item_id: 'DS0294-M',
        country: 'US',
        language: 'EN',
        bid_options: { bid_in_micro_currency: 4_000_000, app_type_multipliers: null, placement_multipliers: null },
      });
      expect(await refusedText('advanced_auction_items_submit_post', submit([multipliersOnly]))).toContain(
        'is 4.00 USD x 1.5 (bid_options.placement_multipliers.SEARCH) = 6.00 USD, over the configured bid cap of 5.00 USD',
      );
      const within = { ...item, bid_options: { placement_multipliers: { SEARCH: 1.25 } }, update_mask: ['PLACEMENT_BID_MULTIPLIER_SET'] };
      await heldThenSent('advanced_auction_items_submit_post', submit([within]));
      expect(h.emulator.state.auctionItems.get(auctionKey(CATALOG, 'DS0294-M', 'US', 'EN'))?.bid_options).toEqual({
        bid_in_micro_currency: 4_000_000,
        app_type_multipliers: null,
        placement_multipliers: { SEARCH: 1.25 },
      });
    });
  });

  describe('promotion amounts', () => {
    const promotion = (value: Record<string, unknown>, account = USD_ACCOUNT) => ({
      ad_account_id: account,
      body: [{ promotion_title: 'Spring sale', promotion_type: 'SITEWIDE', template_values: [value] }],
    });

    it("refuses a currency_code other than the account's", async () => {
      const text = await refusedText('promotions_create', promotion({ amount: 10, currency_code: 'EUR' }));
      expect(text).toMatch(/body\[0\]\.template_values\[0\]\.currency_code: is EUR but the ad account bills in USD/);
    });

    it('takes natural amounts in the account currency, capped by the promotion cap', async () => {
      expect(await refusedText('promotions_create', promotion({ amount: '25', currency_code: 'USD' }))).toMatch(/25\.00 USD is over the configured promotion cap of 20\.00 USD/);
      expect(await refusedText('promotions_create', promotion({ amount: '10.005', currency_code: 'USD' }))).toMatch(/minor_unit/);
      expect(await refusedText('promotions_create', promotion({ amount: '10 EUR', currency_code: 'USD' }))).toMatch(/currency_mismatch/);
      const sent = await heldThenSent('promotions_create', promotion({ amount: '$15', currency_code: 'USD' }));
      expect(sent.body).toEqual([{ promotion_title: 'Spring sale', promotion_type: 'SITEWIDE', template_values: [{ amount: 15, currency_code: 'USD' }] }]);
    });

    it('refuses promotions on an account whose currency has no promotion cap', async () => {
      expect(await refusedText('promotions_create', promotion({ amount: 500, currency_code: 'JPY' }, JPY_ACCOUNT))).toMatch(/no promotion cap for JPY/);
    });
  });
});

describe('a cap without a currency', () => {
  it('applies in the account currency, and never calls an unknown currency USD', async () => {
    const h = await startInProcess({ args: [...MODEL_APPROVAL, '--toolsets', 'all', '--caps', 'bid=5'] });
    try {
      h.emulator.inject({ operationId: 'ad_accounts/get', status: 500 });
      const result = await h.call('ad_groups_update', adGroupUpdate(USD_ACCOUNT, { id: USD_AD_GROUP, bid_multiplier: 4 }));
      expect(result.isError).toBe(true);
      expect(result.text).toContain('is 1.50 (currency unknown) x 4 (bid_multiplier) = 6.00 (currency unknown), over the configured bid cap of 5.00 (currency unknown)');
      expect(result.text).not.toMatch(/USD/);
      expect(h.sent({ writesOnly: true })).toHaveLength(0);
      // The same number in every account's currency: 5 JPY on a JPY account.
      const jpy = await h.call('ad_groups_update', adGroupUpdate(JPY_ACCOUNT, { id: JPY_AD_GROUP, bid: '6' }));
      expect(jpy.text).toMatch(/6 JPY is over the configured bid cap of 5 JPY/);
    } finally {
      await h.close();
    }
  });

  it('with per-currency caps, refuses when the account currency cannot be read', async () => {
    const h = await startInProcess({ args: [...MODEL_APPROVAL, '--toolsets', 'all', '--caps', 'bid=5 USD,bid=600 JPY'] });
    try {
      h.emulator.inject({ operationId: 'ad_accounts/get', status: 500 });
      const result = await h.call('ad_groups_update', adGroupUpdate(USD_ACCOUNT, { id: USD_AD_GROUP, bid_multiplier: 2 }));
      expect(result.isError).toBe(true);
      expect(result.text).toMatch(/the account's currency is unknown \(no ad_account_id, or it could not be read\), so none of the bid caps \(USD, JPY\) can be chosen\. Name the ad account, or try again\. Nothing was sent/);
      expect(h.sent({ writesOnly: true })).toHaveLength(0);
    } finally {
      await h.close();
    }
  });
});

describe('readMultiplier', () => {
  it('reads the decimal a number prints as, exactly', () => {
    expect(readMultiplier(1.1)).toEqual({ text: '1.1', num: 11n, den: 10n });
    expect(readMultiplier(10)).toEqual({ text: '10', num: 10n, den: 1n });
    expect(readMultiplier(1e21)).toEqual({ text: '1e+21', num: 10n ** 21n, den: 1n });
    expect(readMultiplier(1.5e-7)).toEqual({ text: '1.5e-7', num: 15n, den: 10n ** 8n });
    expect(readMultiplier(' 2.50 ')).toEqual({ text: '2.50', num: 250n, den: 100n });
  });

  it('reads nothing that is not a non-negative number of sane size', () => {
    for (const value of [-1, '-1', Number.NaN, Number.POSITIVE_INFINITY, 'x', '', '1e999999', null, {}, true]) expect(readMultiplier(value), String(value)).toBeUndefined();
  });
});
