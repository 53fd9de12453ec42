// Replaces natural amounts in validated arguments by the API's values, after checking the account's currency.
import { pathOf } from '../core/results.js';
import { MoneyError, checkCurrency } from '../money/amount.js';
import { CurrencyCodeValue, type MoneyField, MoneyValue } from './money-fields.js';

export interface ConvertedAmount {
  path: string;
  field: MoneyField;
  /** Natural amount as a decimal string in major units; null when the caller cleared the field. */
  decimal: string | null;
  micros: bigint | null;
  apiValue: unknown;
  /** The converted object that carries the amount under `field.apiName`: lets previews attribute it exactly. */
  holder?: Record<string, unknown>;
}

export class AmountError extends Error {
  constructor(readonly path: string, message: string) {
    super(message);
  }
}

export interface ConvertOptions {
  currency: string | undefined;
}

/** Whether arguments carry an amount or a currency code, so the account's currency must be read. */
export function hasMoney(value: unknown): boolean {
  if (value instanceof MoneyValue || value instanceof CurrencyCodeValue) return true;
  if (Array.isArray(value)) return value.some(hasMoney);
  if (value && typeof value === 'object') return Object.values(value).some(hasMoney);
  return false;
}

/** Returns a copy of `value` with API names and API values; throws AmountError naming the field. */
export function convertMoney(value: unknown, options: ConvertOptions, out: ConvertedAmount[], path: PropertyKey[] = []): unknown {
  if (value instanceof MoneyValue) {
    const where = pathOf(path);
    const { amount, field } = value;
    if (amount) {
      if (!options.currency) throw new AmountError(where, 'no ad account is named, so the currency of this amount is unknown; pass ad_account_id, the account whose currency it is in');
      try {
        checkCurrency(amount, options.currency);
      } catch (error) {
        if (error instanceof MoneyError) throw new AmountError(where, error.message);
        throw error;
      }
    }
    const apiValue = value.apiValue();
    out.push({ path: where, field, decimal: amount?.decimal ?? null, micros: amount?.micros ?? null, apiValue });
    return apiValue;
  }
  if (value instanceof CurrencyCodeValue) {
    const where = pathOf(path);
    if (!options.currency) throw new AmountError(where, 'no ad account is named, so its currency is unknown; pass ad_account_id');
    if (value.code.toUpperCase() !== options.currency) {
      throw new AmountError(
        where,
        `is ${value.code} but the ad account bills in ${options.currency}; amounts are written and capped in the account's currency and never converted: write currency_code "${options.currency}" with the amount in ${options.currency}`,
      );
    }
    return value.code;
  }
  if (Array.isArray(value)) return value.map((item, i) => convertMoney(item, options, out, [...path, i]));
  if (value && typeof value === 'object') {
    const object = value as Record<string, unknown>;
    const result: Record<string, unknown> = {};
    for (const [key, child] of Object.entries(object)) {
      const name = child instanceof MoneyValue ? child.field.apiName : key;
      result[name] = convertMoney(child, options, out, [...path, key]);
      if (child instanceof MoneyValue) out[out.length - 1].holder = result;
    }
    return result;
  }
  return value;
}
