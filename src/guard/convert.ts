// Replaces natural amounts in validated arguments by the API's values, after checking the account's currency.
import { pathOf } from '../core/results.js';
import { mapJson, walkJson } from '../core/walk.js';
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
  /** Why `currency` is only assumed (the account reports none): a refusal that names it says so. */
  assumed?: string;
}

/** Said after a refusal that names an assumed currency: that the account did not report it. */
function assumedNote({ currency, assumed }: ConvertOptions): string {
  return assumed ? ` (${currency} is assumed: ${assumed})` : '';
}

/** Whether arguments carry an amount or a currency code, so the account's currency must be read. */
export function hasMoney(value: unknown): boolean {
  let found = false;
  walkJson(value, (node) => {
    found = node instanceof MoneyValue || node instanceof CurrencyCodeValue;
    return found ? 'stop' : undefined;
  });
  return found;
}

/** Returns a copy of `value` with API names and API values; throws AmountError naming the field. */
export function convertMoney(value: unknown, options: ConvertOptions, out: ConvertedAmount[]): unknown {
  return mapJson(value, (node, path, _key, copy) => {
    if (node instanceof MoneyValue) {
      const where = pathOf(path);
      const { amount, field } = node;
      if (amount) {
        if (!options.currency) throw new AmountError(where, 'no ad account is named, so the currency of this amount is unknown; pass ad_account_id, the account whose currency it is in');
        try {
          checkCurrency(amount, options.currency);
        } catch (error) {
          if (error instanceof MoneyError) throw new AmountError(where, `${error.message}${assumedNote(options)}`);
          throw error;
        }
      }
      const apiValue = node.apiValue();
      // The object that carries the amount (not a list) lets previews attribute it exactly.
      const holder = copy && !Array.isArray(copy) ? { holder: copy as Record<string, unknown> } : {};
      out.push({ path: where, field, decimal: amount?.decimal ?? null, micros: amount?.micros ?? null, apiValue, ...holder });
      return { key: field.apiName, value: apiValue };
    }
    if (node instanceof CurrencyCodeValue) {
      const where = pathOf(path);
      if (!options.currency) throw new AmountError(where, 'no ad account is named, so its currency is unknown; pass ad_account_id');
      if (node.code.toUpperCase() !== options.currency) {
        throw new AmountError(
          where,
          `is ${node.code} but the ad account bills in ${options.currency}; amounts are written and capped in the account's currency and never converted: write currency_code "${options.currency}" with the amount in ${options.currency}${assumedNote(options)}`,
        );
      }
      return { value: node.code };
    }
    return undefined;
  });
}
