// Value types of settings that name money: a currency code (an API's assumed account currency).
import { Refused, type ValueType } from '../core/settings.js';
import { minorUnit } from './currencies.js';

/** An ISO 4217 code this server knows the minor unit of, upper-cased. */
export const currencyCode: ValueType<string> = {
  summary: 'ISO 4217 code',
  parse(value) {
    const code = value.trim().toUpperCase();
    if (!minorUnit(code)) throw new Refused(`must be an ISO 4217 currency code this server knows, such as USD; got "${value}"`);
    return code;
  },
};
