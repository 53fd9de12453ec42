// ISO 4217 table of the currencies Pinterest ad accounts bill in: minor-unit digits and the symbols that may denote each.

export interface CurrencyInfo {
  /** ISO 4217 alphabetic code, upper case. */
  readonly code: string;
  /** ISO 4217 minor-unit exponent (JPY 0, USD 2). */
  readonly minorDigits: number;
  /**
   * Symbols a caller may write before or after an amount to mean this currency. A symbol may be
   * shared ('$' by USD/CAD/AUD/…, 'kr' by DKK/NOK/SEK): it is then accepted on any of those
   * accounts, while an account whose currency does not list it rejects it ('$' on JPY, '¥' on USD).
   * An empty list means "write the ISO code" (CHF: 'Fr.' is not distinctive enough).
   */
  readonly symbols: readonly string[];
}

type Row = readonly [minorDigits: number, symbols: readonly string[]];

// Bare '$' is listed for the currencies whose everyday sign is '$' (US, Canadian, Australian and
// New Zealand dollars, and the Latin American pesos). The Asian dollars only accept their
// prefixed forms (HK$, S$, NT$). '¥' is JPY only: CNY is not a Pinterest billing currency.
// AED and SAR have no symbol entry: their Arabic abbreviations are right-to-left text that
// rarely survives copy/paste intact, so callers write the code.
const TABLE: Readonly<Record<string, Row>> = {
  USD: [2, ['$', 'US$']],
  CAD: [2, ['$', 'CA$', 'C$']],
  AUD: [2, ['$', 'A$', 'AU$']],
  NZD: [2, ['$', 'NZ$']],
  MXN: [2, ['$', 'MX$']],
  BRL: [2, ['R$']],
  ARS: [2, ['$']],
  CLP: [0, ['$']],
  COP: [2, ['$']],
  GBP: [2, ['£']],
  EUR: [2, ['€']],
  CHF: [2, []],
  DKK: [2, ['kr', 'kr.']],
  NOK: [2, ['kr']],
  SEK: [2, ['kr']],
  PLN: [2, ['zł']],
  CZK: [2, ['Kč']],
  HUF: [2, ['Ft']],
  RON: [2, ['lei']],
  JPY: [0, ['¥', '￥']],
  KRW: [0, ['₩', '￦']],
  HKD: [2, ['HK$']],
  SGD: [2, ['S$', 'SG$']],
  INR: [2, ['₹']],
  ILS: [2, ['₪']],
  TRY: [2, ['₺']],
  ZAR: [2, ['R']],
  MYR: [2, ['RM']],
  PHP: [2, ['₱']],
  IDR: [2, ['Rp']],
  THB: [2, ['฿']],
  TWD: [2, ['NT$']],
  VND: [0, ['₫']],
  AED: [2, []],
  SAR: [2, []],
};

const INFOS: ReadonlyMap<string, CurrencyInfo> = new Map(
  Object.entries(TABLE).map(([code, [minorDigits, symbols]]) => [
    code,
    Object.freeze({ code, minorDigits, symbols: Object.freeze([...symbols]) }),
  ]),
);

/** Every symbol in the table, longest first (so 'US$' is tried before '$', 'Rp' before 'R'). */
export const KNOWN_SYMBOLS: readonly string[] = Object.freeze(
  [...new Set([...INFOS.values()].flatMap((info) => info.symbols))].sort((a, b) => b.length - a.length),
);

function normalizeCode(code: unknown): string | undefined {
  return typeof code === 'string' ? code.trim().toUpperCase() : undefined;
}

/** Table entry for an ISO code (case-insensitive), or undefined when the code is not in the table. */
export function currencyInfo(code: string): CurrencyInfo | undefined {
  const key = normalizeCode(code);
  return key === undefined ? undefined : INFOS.get(key);
}

/** Like currencyInfo, but an unknown code is treated as a 2-digit currency with no symbols. */
export function currencyInfoOrDefault(code: string): CurrencyInfo {
  const key = normalizeCode(code) ?? '';
  return INFOS.get(key) ?? { code: key, minorDigits: 2, symbols: [] };
}

/** Codes of the table currencies that list the symbol (for error messages). */
export function currenciesForSymbol(symbol: string): string[] {
  return [...INFOS.values()].filter((info) => info.symbols.includes(symbol)).map((info) => info.code);
}

/** All table codes, in table order. */
export function knownCurrencyCodes(): string[] {
  return [...INFOS.keys()];
}
