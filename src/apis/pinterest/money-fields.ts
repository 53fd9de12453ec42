// Pinterest's money: every money field of its request bodies, the currency codes beside amounts, and the micro amounts of its answers.
import type { MoneyKind } from '../../money/kinds.js';
import type { ApiMoney, MoneyFieldFacts } from '../money.js';

function micro(owner: string, apiName: string, kind: MoneyKind): MoneyFieldFacts {
  return { owner, apiName, inputName: apiName.replace(/_in_micro_currency$/, ''), unit: 'micro', kind };
}

const FIELDS: readonly MoneyFieldFacts[] = [
  {
    ...micro('AdGroupCommon', 'budget_in_micro_currency', 'daily_budget'),
    // BudgetType: DAILY or LIFETIME; CBO_ADGROUP budgets are derived from the campaign's. Creates default to DAILY.
    kindBy: { sibling: 'budget_type', kinds: { DAILY: 'daily_budget', LIFETIME: 'lifetime_budget' }, createDefault: 'DAILY' },
  },
  micro('AdGroupCommon', 'bid_in_micro_currency', 'bid'),
  micro('CampaignCommon', 'daily_spend_cap', 'daily_budget'),
  micro('CampaignCommon', 'lifetime_spend_cap', 'lifetime_budget'),
  micro('CampaignCreateCommon', 'default_ad_group_budget_in_micro_currency', 'daily_budget'),
  micro('OptimizationGoalMetadata', 'cpa_goal_value_in_micro_currency', 'goal'),
  micro('OptimizationGoalMetadata', 'scrollup_goal_value_in_micro_currency', 'goal'),
  micro('ProductGroupPromotion', 'bid_in_micro_currency', 'bid'),
  micro('AdvancedAuctionBidOptions', 'bid_in_micro_currency', 'bid'),
  micro('KeywordsCommon', 'bid', 'bid'),
  micro('KeywordUpdate', 'bid', 'bid'),
  // Promotion discounts ("$10 off"): a plain number beside its currency_code. Every micro amount of the description
  // says micro in its name or text; this one does not, so it is in major units, as a shopper reads it.
  { owner: 'PromotionTemplateValue', apiName: 'amount', inputName: 'amount', unit: 'major', kind: 'promotion' },
  // Insertion orders: the description gives no unit for these amounts.
  { owner: 'SSIOInsertionOrderCommon', apiName: 'budget_amount', inputName: 'budget_amount', unit: 'undocumented', kind: 'order' },
  { owner: 'SSIOCreateInsertionOrderRequest', apiName: 'estimated_monthly_spend', inputName: 'estimated_monthly_spend', unit: 'undocumented', kind: 'order' },
];

/** Response fields in micro units (for readable amounts in results), beyond the request fields above. */
export const MICRO_RESPONSE_FIELD = /(micro_currency|MicroCurrency|MICRO_DOLLAR|^daily_spend_cap|^lifetime_spend_cap|^budget$|^paid_budget$|^bid_floors?$)/;

export const PINTEREST_MONEY: ApiMoney = {
  fields: FIELDS,
  // A test lists every other request property of the description that names a currency, with why it is not one of these.
  currencyCodes: [{ owner: 'PromotionTemplateValue', apiName: 'currency_code' }],
  answers: {
    unit: 'micro',
    field: MICRO_RESPONSE_FIELD,
    reportRows: true,
    // Entities name micro fields `<name>_in_micro_currency`; analytics columns `<NAME>_IN_MICRO_DOLLAR`.
    microNamesOf: (name) => [`${name}_in_micro_currency`, `${name.toUpperCase()}_IN_MICRO_DOLLAR`],
    naturalNameOf: (key) => /^(.+)_in_micro_currency$/.exec(key)?.[1] ?? /^(.+)_IN_MICRO_DOLLAR$/.exec(key)?.[1],
  },
};
