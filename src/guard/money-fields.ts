// Every money field of the APIs' request bodies in one table, and the input schema that takes natural amounts for them.
import { z } from 'zod';
import type { ApiId } from '../apis/index.js';
import type { SchemaFacts } from '../apis/types.js';
import type { PropertyOverride } from '../tools/schema.js';
import type { MoneyKind } from '../money/kinds.js';
import { MoneyError, type ParsedAmount, microsToDecimal, parseAmount } from '../money/amount.js';

export type { MoneyKind } from '../money/kinds.js';

export interface MoneyField {
  api: ApiId;
  /** Component schema that declares the property (tools reach it however deep it is nested). */
  owner: string;
  /** Property name the API uses. */
  apiName: string;
  /** Property name in tool input: the API name without `_in_micro_currency`. */
  inputName: string;
  /**
   * `micro`: natural amount converted to currency x 1,000,000. `major`: natural amount sent in major units (Whop,
   * Pinterest promotion discounts), with no more decimals than the account currency has.
   * `undocumented`: the description does not say the unit; the value is passed as given and flagged in previews.
   */
  unit: 'micro' | 'major' | 'undocumented';
  /** Cap kind, unless `kindBy` says the entity's sibling field decides it. */
  kind: MoneyKind;
  /**
   * The sibling field whose value decides the cap kind (ad group budgets: `budget_type`), the kind of each value, and
   * the value a create gets when it omits the sibling. A value with no kind here (or none known) counts as every kind
   * of `kinds`, so the strictest cap applies.
   */
  kindBy?: { sibling: string; kinds: Readonly<Record<string, MoneyKind>>; createDefault?: string };
}

function micro(owner: string, apiName: string, kind: MoneyKind): MoneyField {
  return { api: 'pinterest', owner, apiName, inputName: apiName.replace(/_in_micro_currency$/, ''), unit: 'micro', kind };
}

function whopMajor(owner: string, apiName: string, kind: MoneyKind): MoneyField {
  return { api: 'whop', owner, apiName, inputName: apiName, unit: 'major', kind };
}

export const MONEY_FIELDS: readonly MoneyField[] = [
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
  { api: 'pinterest', owner: 'PromotionTemplateValue', apiName: 'amount', inputName: 'amount', unit: 'major', kind: 'promotion' },
  // Insertion orders: the description gives no unit for these amounts.
  { api: 'pinterest', owner: 'SSIOInsertionOrderCommon', apiName: 'budget_amount', inputName: 'budget_amount', unit: 'undocumented', kind: 'order' },
  { api: 'pinterest', owner: 'SSIOCreateInsertionOrderRequest', apiName: 'estimated_monthly_spend', inputName: 'estimated_monthly_spend', unit: 'undocumented', kind: 'order' },
  // Whop: decimal amounts in major units of the account's currency (its minor unit applies).
  ...['AdCampaignCreateParams', 'AdCampaignUpdateParams', 'AdGroupCreateParams', 'AdGroupUpdateParams'].flatMap((owner) => [
    { ...whopMajor(owner, 'budget_amount', 'daily_budget'), kindBy: { sibling: 'budget_type', kinds: { daily: 'daily_budget', lifetime: 'lifetime_budget' } as const, createDefault: 'daily' } },
    ...(owner === 'AdCampaignUpdateParams' ? [] : [whopMajor(owner, 'desired_cost_per_result', 'bid')]),
    ...(owner.startsWith('AdGroup') ? [whopMajor(owner, 'minimum_daily_spend', 'daily_budget')] : []),
  ]),
];

/**
 * Request properties that name the currency of the amounts beside them: each must be the account's currency, since
 * amounts are written and capped in it and no exchange rate is ever applied. A test lists every other request
 * property of the description that names a currency, with why it is not one of these.
 */
export const CURRENCY_CODE_FIELDS: readonly { api: ApiId; owner: string; apiName: string }[] = [
  { api: 'pinterest', owner: 'PromotionTemplateValue', apiName: 'currency_code' },
];

/** A validated currency code of a CURRENCY_CODE_FIELDS property, still waiting to be compared with the account's. */
export class CurrencyCodeValue {
  constructor(readonly code: string) {}
}

/** Response fields in micro units (for readable amounts in results), beyond the request fields above. */
export const MICRO_RESPONSE_FIELD = /(micro_currency|MicroCurrency|MICRO_DOLLAR|^daily_spend_cap|^lifetime_spend_cap|^budget$|^paid_budget$|^bid_floors?$)/;

/** Whop's amounts in answers (major units): spend, budgets, bid targets and the cost-per metrics. */
export const WHOP_MONEY_RESPONSE_FIELD = /^(spend|budget_amount|desired_cost_per_result|minimum_daily_spend|cost_per_[a-z_]+)$/;

function key(api: ApiId, owner: string | undefined, name: string): string {
  return `${api}:${owner ?? ''}:${name}`;
}
const BY_OWNER = new Map(MONEY_FIELDS.map((f) => [key(f.api, f.owner, f.apiName), f]));
const CURRENCY_CODES = new Set(CURRENCY_CODE_FIELDS.map((f) => key(f.api, f.owner, f.apiName)));

/** The money field an API property name belongs to, if any (used to explain why a micro name is refused). */
export function moneyFieldByApiName(api: ApiId, apiName: string): MoneyField | undefined {
  return MONEY_FIELDS.find((f) => f.api === api && f.apiName === apiName && f.apiName !== f.inputName);
}

/** A validated natural amount, still waiting for the account's currency to be checked and converted. */
export class MoneyValue {
  constructor(
    readonly field: MoneyField,
    /** Null when the caller clears the value (nullable fields). */
    readonly amount: ParsedAmount | null,
    readonly raw: unknown,
    /** JSON type the API declares for the field: a few micro amounts are digit strings. */
    readonly apiType: 'integer' | 'number' | 'string',
  ) {}

  /** The value the API receives: exact micros as the API's type, or dollars for `major` fields. */
  apiValue(): number | string | null {
    if (!this.amount) return null;
    if (this.field.unit === 'major') return this.apiType === 'string' ? this.amount.decimal : Number(this.amount.decimal);
    return this.apiType === 'string' ? this.amount.micros.toString() : Number(this.amount.micros);
  }
}

/**
 * Cap kinds that apply to a money field, given the value of its deciding sibling (`undefined` when unknown): one kind,
 * or every kind the sibling can give when its value has no kind of its own or is unknown.
 */
export function kindsOf(field: MoneyField, sibling: unknown): MoneyKind[] {
  if (!field.kindBy) return [field.kind];
  const kind = typeof sibling === 'string' ? field.kindBy.kinds[sibling] : undefined;
  return kind ? [kind] : [...new Set(Object.values(field.kindBy.kinds))];
}

const AMOUNT_HELP = 'Amount in the account currency, e.g. "12.50"';

function amountSchema(field: MoneyField, facts: SchemaFacts): z.ZodType {
  const nullable = facts.nullable === true;
  const apiType = facts.type === 'string' ? 'string' : facts.type === 'number' ? 'number' : 'integer';
  const input = z.union(nullable ? [z.number(), z.string(), z.null()] : [z.number(), z.string()]);
  return input
    .transform((raw, ctx) => {
      if (raw === null) return new MoneyValue(field, null, raw, apiType);
      try {
        // Micro resolution here; the account currency's minor unit is checked once the currency is known (convert.ts).
        const amount = parseAmount(raw);
        if (field.unit === 'micro' && facts.minimum !== undefined && amount.micros < BigInt(facts.minimum)) {
          ctx.addIssue({ code: 'custom', message: `must be at least ${microsToDecimal(BigInt(facts.minimum))} (in currency units)` });
          return z.NEVER;
        }
        return new MoneyValue(field, amount, raw, apiType);
      } catch (error) {
        if (!(error instanceof MoneyError)) throw error;
        ctx.addIssue({ code: 'custom', message: error.message });
        return z.NEVER;
      }
    })
    .describe(AMOUNT_HELP);
}

const CURRENCY_CODE_HELP = "Must be the ad account's currency";

/** A currency code input, kept as the API spells it and marked for the comparison with the account's currency. */
function currencyCodeSchema(facts: SchemaFacts): z.ZodType {
  const codes = facts.enum?.filter((v): v is string => typeof v === 'string');
  const base = codes?.length ? z.enum(codes as [string, ...string[]]) : z.string().regex(/^[A-Za-z]{3}$/, 'expected a three-letter ISO 4217 code');
  return base.transform((code) => new CurrencyCodeValue(code)).describe(CURRENCY_CODE_HELP);
}

/** SchemaBuilder hook: money properties become natural-amount inputs under their natural names. */
export function moneyOverride(api: ApiId) {
  return (owner: string | undefined, name: string, facts: SchemaFacts): PropertyOverride | undefined => {
    if (CURRENCY_CODES.has(key(api, owner, name))) return { inputName: name, schema: currencyCodeSchema(facts) };
    const field = BY_OWNER.get(key(api, owner, name));
    if (!field || field.unit === 'undocumented') return undefined;
    return { inputName: field.inputName, schema: amountSchema(field, facts) };
  };
}
