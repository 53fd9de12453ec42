// Whop's money: every money field of its request bodies (decimals in major units) and the amounts of its answers.
import type { MoneyKind } from '../../money/kinds.js';
import type { ApiMoney, MoneyFieldFacts } from '../money.js';

function major(owner: string, apiName: string, kind: MoneyKind): MoneyFieldFacts {
  return { owner, apiName, inputName: apiName, unit: 'major', kind };
}

/** Decimal amounts in major units of the account's currency (its minor unit applies). */
const FIELDS: readonly MoneyFieldFacts[] = ['AdCampaignCreateParams', 'AdCampaignUpdateParams', 'AdGroupCreateParams', 'AdGroupUpdateParams'].flatMap((owner) => [
  { ...major(owner, 'budget_amount', 'daily_budget'), kindBy: { sibling: 'budget_type', kinds: { daily: 'daily_budget', lifetime: 'lifetime_budget' } as const, createDefault: 'daily' } },
  ...(owner === 'AdCampaignUpdateParams' ? [] : [major(owner, 'desired_cost_per_result', 'bid')]),
  ...(owner.startsWith('AdGroup') ? [major(owner, 'minimum_daily_spend', 'daily_budget')] : []),
]);

/** Whop's amounts in answers (major units): spend, budgets, bid targets and the cost-per metrics. */
export const WHOP_MONEY_RESPONSE_FIELD = /^(spend|budget_amount|desired_cost_per_result|minimum_daily_spend|cost_per_[a-z_]+)$/;

export const WHOP_MONEY: ApiMoney = {
  fields: FIELDS,
  currencyCodes: [],
  // Each object reports its currency as `spend_currency`, inherited by nested rows.
  answers: { unit: 'major', field: WHOP_MONEY_RESPONSE_FIELD, currencyField: 'spend_currency' },
};
