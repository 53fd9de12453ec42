// Where a Whop call's currency is read: Whop states it only as `spend_currency` on campaigns, ad groups and ads.
import { type AccountCurrency, type CurrencySource, answerField } from '../money.js';

type Args = Record<string, unknown>;

const bodyOf = (args: Args) => (args.body ?? {}) as Args;
const get = (tool: string, id: unknown): CurrencySource | undefined =>
  typeof id === 'string' ? { tool, args: { id }, pick: answerField('spend_currency'), name: answerField('title') } : undefined;

/**
 * Each call reads the currency from the entity it names or its parent. A new campaign reads it from the account's
 * other campaigns.
 */
export const WHOP_CURRENCY_SOURCES: Readonly<Record<string, (args: Args) => CurrencySource | undefined>> = {
  whop_ad_campaigns_create: (args) => ({
    tool: 'whop_ad_campaigns_list',
    args: { ...(typeof bodyOf(args).account_id === 'string' ? { account_id: bodyOf(args).account_id } : {}), first: 1 },
    pick: (body) => ((body as { data?: Args[] } | undefined)?.data ?? [])[0]?.spend_currency,
    // A new campaign has no name of its own yet: the body's title is shown instead (see account()).
    name: () => undefined,
  }),
  whop_ad_campaigns_update: (args) => get('whop_ad_campaigns_get', args.id),
  whop_ad_groups_create: (args) => get('whop_ad_campaigns_get', bodyOf(args).ad_campaign_id),
  whop_ad_groups_update: (args) => get('whop_ad_groups_get', args.id),
  whop_ads_create: (args) => {
    const inline = bodyOf(args).ad_group as Args | undefined;
    return inline ? get('whop_ad_campaigns_get', inline.ad_campaign_id) : get('whop_ad_groups_get', bodyOf(args).ad_group_id);
  },
};

/** Where the account reports none yet (no campaign with a spend_currency), the operator's WHOP_CURRENCY is assumed (its connection's `assumedCurrency`). */
export const WHOP_CURRENCY: AccountCurrency = {
  source: (args, tool) => (tool ? WHOP_CURRENCY_SOURCES[tool]?.(args) : undefined),
};
