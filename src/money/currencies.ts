// ISO 4217 table of the currencies Pinterest ad accounts bill in (minor-unit digits, symbols); other ISO codes take their digits from ICU.

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
// rarely survives copy/paste intact, so callers write the code. The same holds for the
// three-decimal dinars and rials at the end of the table.
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
  KWD: [3, []],
  BHD: [3, []],
  OMR: [3, []],
  JOD: [3, []],
  TND: [3, []],
  IQD: [3, []],
  LYD: [3, []],
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

/** How many decimals a currency has, and which data said so (named in refusals). */
export interface MinorUnit {
  readonly digits: number;
  readonly source: 'ISO 4217' | 'CLDR';
}

// Codes outside the table take their digits from the platform's ICU (CLDR) data. What Node 20
// (ICU 78.2, CLDR 48) returns differs from ISO 4217 for: IQD (ICU 0, ISO 3; the table has it);
// AFN ALL COP HUF IDR IRR KPW LAK LBP MGA MMK PKR SLL SOS SYP YER (ICU 0, ISO 2; COP HUF IDR are
// in the table); XDR XSU (ICU 2, ISO "N.A."). It agrees for JPY KRW CLP VND ISK UGX XAF XOF (0),
// KWD BHD OMR JOD TND LYD (3) and the 2-digit currencies checked. Funds and metals (CLF UYW UYI
// XAU XTS XXX) are not in Intl.supportedValuesOf('currency'), so they count as unknown.
const ICU_CURRENCIES: ReadonlySet<string> = new Set(Intl.supportedValuesOf('currency'));

function icuMinorDigits(code: string): number {
  return new Intl.NumberFormat('en', { style: 'currency', currency: code }).resolvedOptions().maximumFractionDigits ?? 2;
}

/**
 * Decimals an amount in this currency may have: the table's ISO exponent, else ICU's for a code
 * ICU knows as a currency; undefined for any other code, so callers can refuse instead of guessing.
 */
export function minorUnit(code: string): MinorUnit | undefined {
  const key = normalizeCode(code);
  if (key === undefined) return undefined;
  const info = INFOS.get(key);
  if (info !== undefined) return { digits: info.minorDigits, source: 'ISO 4217' };
  if (ICU_CURRENCIES.has(key)) return { digits: icuMinorDigits(key), source: 'CLDR' };
  return undefined;
}

/**
 * For display only: the table entry, else the code with ICU's digits (2 when ICU does not know it)
 * and no symbols. Whether an amount is acceptable is decided by minorUnit, which fails closed.
 */
export function currencyInfoOrDefault(code: string): CurrencyInfo {
  const key = normalizeCode(code) ?? '';
  return INFOS.get(key) ?? { code: key, minorDigits: minorUnit(key)?.digits ?? 2, symbols: [] };
}

/** Codes of the table currencies that list the symbol (for error messages). */
export function currenciesForSymbol(symbol: string): string[] {
  return [...INFOS.values()].filter((info) => info.symbols.includes(symbol)).map((info) => info.code);
}

/** All table codes, in table order. */
export function knownCurrencyCodes(): string[] {
  return [...INFOS.keys()];
}
