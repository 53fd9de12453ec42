// Money checks per currency: the amount fields of each write, refused when negative or finer than the currency's minor unit.
import { isPlainObject } from '../../src/core/json.js';
import { minorUnit } from '../../src/money/currencies.js';

/** Decimal places of a currency's minor unit (the project's one table: ISO 4217, then ICU). */
export function minorDigits(currency: string): number {
  return minorUnit(currency)?.digits ?? 2;
}

/** Decimal places a number is written with (1.5e-7 has 8). */
function decimalsOf(n: number): number {
  const m = /^-?\d+(?:\.(\d+))?(?:e([+-]?\d+))?$/i.exec(String(n));
  if (!m) return Infinity;
  return Math.max(0, (m[1]?.length ?? 0) - Number(m[2] ?? 0));
}

/** Money fields of each write, as paths into its body. */
const CAMPAIGN_MONEY = [['budget_amount'], ['desired_cost_per_result']];
const AD_GROUP_MONEY = [['budget_amount'], ['desired_cost_per_result'], ['minimum_daily_spend']];
const MONEY_FIELDS: Record<string, string[][]> = {
  'ad_campaigns/create': CAMPAIGN_MONEY,
  'ad_campaigns/update': CAMPAIGN_MONEY,
  'ad_groups/create': AD_GROUP_MONEY,
  'ad_groups/update': AD_GROUP_MONEY,
  'ads/create': AD_GROUP_MONEY.map((path) => ['ad_group', ...path]),
};

/** What is wrong with the amounts of an `opId` request body in `currency` (nothing for a body that is not an object). */
export function moneyProblems(opId: string, body: unknown, currency: string): string[] {
  const problems: string[] = [];
  const digits = minorDigits(currency);
  for (const path of MONEY_FIELDS[opId] ?? []) {
    let value: unknown = body;
    for (const key of path) value = isPlainObject(value) ? value[key] : undefined;
    if (value === undefined) continue;
    const where = `body.${path.join('.')}`;
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
      problems.push(`${where} must be a non-negative amount in ${currency}`);
    } else if (decimalsOf(value) > digits) {
      problems.push(`${where} must have at most ${digits} decimals in ${currency} (got ${value})`);
    }
  }
  return problems;
}
