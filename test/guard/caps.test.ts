// Operator caps (caps.ts), called directly with canned current values: per-currency caps, a missing cap, undocumented units, effective bids.
import { describe, expect, it } from 'vitest';
import { type CapInput, capProblems } from '../../src/guard/caps.js';
import { CurrentValues } from '../../src/guard/current.js';
import { parseCaps } from '../../src/money/cap-settings.js';
import type { ToolDef } from '../../src/tools/registry.js';
import { cannedReader, pinterestTool, prepareWrite } from '../helpers/prepared-write.js';

const ACCOUNT = '549755885175';
const AD_GROUP = '2680059592705';
const CAMPAIGN = '626736533506';
const SOURCE = 'the cap is set by the server operator with --caps';

/** The ad group and campaign the API reports now. */
const NOW = {
  ad_groups_list: [{ id: AD_GROUP, campaign_id: CAMPAIGN, budget_type: 'DAILY', bid_in_micro_currency: 1_500_000, budget_in_micro_currency: 20_000_000 }],
  campaigns_list: [{ id: CAMPAIGN, bid_options: { placement_multipliers: { SEARCH: 2.5, BROWSE: 1.2, RELATED_PINS: 0.5 } } }],
};

/** The caps check of one write, as the guard runs it, in an account billing in `currency`; with the reads it made. */
async function check(tool: ToolDef, raw: Record<string, unknown>, caps: string[], currency: string) {
  const { args, prepared } = await prepareWrite(tool, raw, currency);
  const { read, reads } = cannedReader(NOW);
  const input: CapInput = {
    api: 'pinterest',
    tool: tool.name,
    caps: parseCaps(caps),
    amounts: prepared.amounts,
    entities: prepared.entities,
    body: prepared.request.body,
    current: new CurrentValues(read, 'pinterest', args, prepared.entities),
    currency: async () => ({ code: currency }),
  };
  return { problems: await capProblems(input), reads };
}

const budgetUpdate = (budget: string) => ({ ad_account_id: ACCOUNT, body: [{ id: AD_GROUP, budget }] });

describe('capProblems', () => {
  const adGroups = pinterestTool('ad_groups_update');

  it('refuses a daily budget over the USD cap; the same number is within the JPY cap in a JPY account', async () => {
    const caps = ['daily_budget=50 USD', 'daily_budget=5000 JPY'];
    const usd = await check(adGroups, budgetUpdate('60'), caps, 'USD');
    expect(usd.problems).toEqual([{ path: 'body[0].budget', message: `60.00 USD is over the configured daily_budget cap of 50.00 USD; nothing was sent (${SOURCE})` }]);
    // Its kind (daily or lifetime) came from the ad group's current budget_type.
    expect(usd.reads).toEqual([{ tool: 'ad_groups_list', args: { ad_account_id: ACCOUNT, ad_group_ids: [AD_GROUP] } }]);
    expect((await check(adGroups, budgetUpdate('60'), caps, 'JPY')).problems).toEqual([]);
    expect((await check(adGroups, budgetUpdate('5001'), caps, 'JPY')).problems).toEqual([
      { path: 'body[0].budget', message: `5,001 JPY is over the configured daily_budget cap of 5,000 JPY; nothing was sent (${SOURCE})` },
    ]);
    expect((await check(adGroups, budgetUpdate('50'), caps, 'USD')).problems).toEqual([]);
  });

  it('refuses a capped kind in a currency that has no cap of that kind, naming the cap to add', async () => {
    const { problems } = await check(adGroups, budgetUpdate('1'), ['daily_budget=50 USD'], 'EUR');
    expect(problems).toEqual([{ path: 'body[0].budget', message: `no daily_budget cap for EUR: add daily_budget=<amount> EUR to --caps. Nothing was sent (${SOURCE})` }]);
  });

  it("multiplies a bid by its campaign's largest multiplier of each dimension, refusing it over the bid cap", async () => {
    const caps = ['bid=5 USD'];
    const over = await check(adGroups, { ad_account_id: ACCOUNT, body: [{ id: AD_GROUP, bid: '2.1' }] }, caps, 'USD');
    expect(over.problems).toEqual([
      {
        path: 'body[0].bid',
        message: `the effective bid of ad group ${AD_GROUP} is 2.10 USD x 2.5 (campaign ${CAMPAIGN} bid_options.placement_multipliers.SEARCH) = 5.25 USD, over the configured bid cap of 5.00 USD; nothing was sent. Lower the bid or the multipliers, or ask the operator to lift the bid cap (${SOURCE})`,
      },
    ]);
    expect(over.reads.map((r) => r.tool)).toEqual(['ad_groups_list', 'campaigns_list']);
    // 2 x 2.5 is the cap exactly (BROWSE's 1.2 is the same dimension, so it does not compound).
    expect((await check(adGroups, { ad_account_id: ACCOUNT, body: [{ id: AD_GROUP, bid: '2' }] }, caps, 'USD')).problems).toEqual([]);
  });

  it('refuses an amount of undocumented unit in the body while a cap of its kind is set', async () => {
    const orders = pinterestTool('ssio_insertion_order_edit');
    const raw = { ad_account_id: ACCOUNT, body: { budget_amount: 5000 } };
    const { problems, reads } = await check(orders, raw, ['order=100 USD'], 'USD');
    expect(problems).toEqual([
      {
        path: 'body.budget_amount',
        message: `its unit is not documented, so it cannot be checked against the configured order cap; nothing was sent. Leave it out, or ask the operator to lift the order cap (${SOURCE})`,
      },
    ]);
    expect(reads).toEqual([]);
    expect((await check(orders, raw, ['bid=5 USD'], 'USD')).problems).toEqual([]);
  });

  it('checks nothing and reads nothing without caps', async () => {
    expect(await check(adGroups, budgetUpdate('1000000'), [], 'USD')).toEqual({ problems: [], reads: [] });
  });
});
