// Exact decimal money: parses caller-written amounts into micros (bigint, no float arithmetic), checks currency markers, formats micros.
import { KNOWN_SYMBOLS, type MinorUnit, currenciesForSymbol, currencyInfoOrDefault, minorUnit } from './currencies.js';

/** Largest micros value accepted: 2^53 - 1, so the amount survives as an exact JSON number. */
export const MAX_MICROS: bigint = 2n ** 53n - 1n;

const MICROS_PER_UNIT = 1_000_000n;
const MICRO_DIGITS = 6;
/** Anything longer than this is not a hand-written amount; refusing it also bounds the parser's work. */
const MAX_INPUT_LENGTH = 100;

/**
 * Why an amount was refused. `rule` is a short machine word:
 * 'empty' | 'format' | 'negative' | 'exponent' | 'decimals' | 'ambiguous_comma' | 'too_large' |
 * 'multiple_markers' | 'currency_mismatch' | 'symbol_mismatch' | 'unknown_currency' | 'minor_unit'.
 * The message names the rule and says how to write the amount instead.
 */
export class MoneyError extends Error {
  readonly rule: string;

  constructor(rule: string, message: string) {
    super(message);
    this.name = 'MoneyError';
    this.rule = rule;
  }
}

export interface ParsedAmount {
  /** Canonical decimal in major units without superfluous zeros: "12.5", "50", "0.000001". */
  decimal: string;
  /** Exact value * 1_000_000. */
  micros: bigint;
  /** ISO code written by the caller ("12.50 USD", "usd 12.50"), upper-cased. */
  currencyCode?: string;
  /** Symbol written by the caller ("$12.50", "500¥"), in the currency table's spelling. */
  symbol?: string;
}

export interface ParseAmountOptions {
  /** Most significant decimal places allowed, 0..6 (default 6: micros resolution). */
  maxDecimals?: number;
}

function show(input: unknown): string {
  if (typeof input === 'string') {
    const text = input.length > 40 ? `${input.slice(0, 37)}...` : input;
    return JSON.stringify(text);
  }
  if (typeof input === 'number') return String(input);
  if (input === null) return 'null';
  if (Array.isArray(input)) return 'an array';
  return `a ${typeof input}`;
}

function fail(rule: string, input: unknown, detail: string): never {
  throw new MoneyError(rule, `Invalid amount ${show(input)} (rule: ${rule}): ${detail}`);
}

// ---------------------------------------------------------------------------------------------
// Currency markers ("$", "US$", "USD", "usd", "kr", "zł", ...)

type MarkerToken = { kind: 'code'; value: string } | { kind: 'symbol'; value: string };

/** Table spelling of a symbol written as `text` (letters compare case-insensitively: "KR" is "kr"). */
function symbolEqualTo(text: string): string | undefined {
  return (
    KNOWN_SYMBOLS.find((symbol) => symbol === text) ??
    KNOWN_SYMBOLS.find((symbol) => symbol.toLowerCase() === text.toLowerCase())
  );
}

function singleToken(text: string): MarkerToken | undefined {
  const symbol = symbolEqualTo(text);
  if (symbol !== undefined) return { kind: 'symbol', value: symbol };
  if (/^[A-Za-z]{3}$/.test(text)) return { kind: 'code', value: text.toUpperCase() };
  return undefined;
}

/** Splits text such as "USD$" or "$ €" into several markers; undefined when it is not made of markers. */
function decompose(text: string, depth = 0): MarkerToken[] | undefined {
  const rest = text.trimStart();
  if (rest === '') return [];
  if (depth > 4) return undefined;
  for (const symbol of KNOWN_SYMBOLS) {
    if (rest.slice(0, symbol.length).toLowerCase() === symbol.toLowerCase()) {
      const tail = decompose(rest.slice(symbol.length), depth + 1);
      if (tail !== undefined) return [{ kind: 'symbol', value: symbol }, ...tail];
    }
  }
  const code = /^[A-Za-z]{3}(?![A-Za-z])/.exec(rest);
  if (code !== null) {
    const tail = decompose(rest.slice(3), depth + 1);
    if (tail !== undefined) return [{ kind: 'code', value: code[0].toUpperCase() }, ...tail];
  }
  return undefined;
}

const MULTIPLE_HINT = 'write the currency once, e.g. "12.50 USD" or "$12.50"';

function readMarker(text: string, input: unknown): MarkerToken | undefined {
  if (text === '') return undefined;
  const token = singleToken(text);
  if (token !== undefined) return token;
  if (/[0-9]/.test(text)) {
    fail(
      'format',
      input,
      'unexpected characters around the number; spaces and apostrophes are not thousands separators, write "1,234.56" or "1234.56"',
    );
  }
  const parts = decompose(text);
  if (parts !== undefined && parts.length > 1) fail('multiple_markers', input, MULTIPLE_HINT);
  fail(
    'format',
    input,
    `unrecognized currency marker ${JSON.stringify(text)}; write a plain number ("12.50"), an ISO code ("12.50 USD") or a currency symbol ("$12.50")`,
  );
}

// ---------------------------------------------------------------------------------------------
// Numerals

const MINUS = /^[-\u2212\u2012\u2013\u2014\uFE63\uFF0D]|[-\u2212\u2012\u2013\u2014\uFE63\uFF0D]$/;
const PLUS = /^[+\uFF0B]|[+\uFF0B]$/;
/** prefix, sign, numeral (digits, dots, commas, optional exponent), suffix. `pre` is lazy so it never holds a digit. */
const SHAPE = /^(.*?)([-+\u2212]?)([0-9.,]*[0-9][0-9.,]*(?:[eE][-+]?[0-9]+)?)(.*)$/su;
const GROUPED = /^[1-9][0-9]{0,2}(?:,[0-9]{3})+$/;

interface Numeral {
  intDigits: string;
  fracDigits: string;
}

/**
 * Reads a numeral made of digits, at most one '.', and ',' thousands separators.
 *
 * Choices:
 * - ".5" and "5." are refused (rule 'format') with a message giving "0.5" / "5": a bare dot at
 *   either end is how truncated or mistyped amounts look, and "5." is easy to misread as "5.0…".
 * - "1,234" is 1234: comma groups of exactly three digits are the English thousands notation, and
 *   "1,234.56" must be accepted anyway. A European "1.234" (one thousand) cannot be told from
 *   1.234 and is read as 1.234 - callers see the canonical decimal echoed back before spending.
 * - A comma that cannot be a thousands separator ("12,50", "1,23", "0,500", "1.234,56") is refused
 *   as 'ambiguous_comma' with the dot-decimal spelling suggested. "0,500" is refused although its
 *   group has three digits: a leading zero group is only ever a decimal comma.
 */
function readNumeral(num: string, input: unknown): Numeral {
  if (/[eE]/.test(num)) {
    fail('exponent', input, 'exponent notation is not accepted; write the amount as a plain decimal, e.g. "1000" rather than "1e3"');
  }
  const dots = num.split('.').length - 1;
  if (dots > 1) {
    fail('format', input, 'more than one "." in the number; use "," for thousands and "." for decimals, e.g. "1,234,567.89"');
  }
  const [intRaw = '', fracRaw] = num.split('.');
  if (fracRaw !== undefined && fracRaw.includes(',')) {
    const european = `${intRaw.replace(/,/g, '')}${fracRaw.replace(/,/g, '.')}`;
    fail(
      'ambiguous_comma',
      input,
      `a "," after the "." cannot be a thousands separator; use "." for decimals and "," only for thousands - did you mean "${european}"?`,
    );
  }
  if (intRaw.includes(',') && !GROUPED.test(intRaw)) {
    const commas = intRaw.split(',').length - 1;
    if (commas === 1 && fracRaw === undefined) {
      fail(
        'ambiguous_comma',
        input,
        `"," is only accepted as a thousands separator between groups of three digits; for a decimal amount write "${intRaw.replace(',', '.')}"`,
      );
    }
    fail('format', input, 'thousands separators must split the whole part into groups of three digits, e.g. "1,234,567.89", or be left out');
  }
  if (intRaw === '') {
    fail('format', input, `write a digit before the decimal point, e.g. "0${num}"`);
  }
  if (fracRaw === '') {
    fail('format', input, `remove the trailing decimal point ("${intRaw}") or add the decimals ("${intRaw}.00")`);
  }
  return { intDigits: intRaw.replace(/,/g, ''), fracDigits: fracRaw ?? '' };
}

function toMicros(numeral: Numeral, maxDecimals: number, input: unknown): bigint {
  const significant = numeral.fracDigits.replace(/0+$/, '');
  if (significant.length > maxDecimals) {
    const floatHint =
      typeof input === 'number' && significant.length > 9
        ? ' (this looks like a floating-point artifact; round it or pass the amount as a string)'
        : '';
    const limit = maxDecimals === MICRO_DIGITS ? 'micro-unit resolution allows' : 'this field allows';
    fail(
      'decimals',
      input,
      `${significant.length} decimal places, but ${limit} at most ${maxDecimals}; round the amount to ${maxDecimals} decimal places${floatHint}`,
    );
  }
  const micros = BigInt(numeral.intDigits) * MICROS_PER_UNIT + BigInt(significant.padEnd(MICRO_DIGITS, '0'));
  if (micros > MAX_MICROS) {
    fail('too_large', input, `the amount exceeds the maximum of ${microsToDecimal(MAX_MICROS)} (2^53-1 micros)`);
  }
  return micros;
}

function resolveMaxDecimals(options: ParseAmountOptions | undefined): number {
  const value = options?.maxDecimals ?? MICRO_DIGITS;
  if (!Number.isInteger(value) || value < 0 || value > MICRO_DIGITS) {
    throw new RangeError(`maxDecimals must be an integer from 0 to ${MICRO_DIGITS}, got ${String(value)}`);
  }
  return value;
}

/**
 * Parses an amount in major units written by a caller: a non-negative finite JSON number, or a
 * string such as "50", "12.50", "$12.50", "12.50 USD", "usd 12.50", "500¥", "$ 1,234.56".
 * Zero is accepted (whether zero is allowed is policy decided elsewhere).
 * A leading "+" is refused: it reads as "increase by", and amounts are absolute.
 * @throws MoneyError
 */
export function parseAmount(input: unknown, options?: ParseAmountOptions): ParsedAmount {
  const maxDecimals = resolveMaxDecimals(options);

  if (typeof input === 'number') {
    if (!Number.isFinite(input)) fail('format', input, 'the amount must be a finite number');
    if (input < 0) fail('negative', input, 'amounts must be zero or positive; give the new absolute amount');
    const text = String(input); // shortest round-trip decimal; -0 becomes "0"
    if (/[eE]/.test(text)) {
      fail('exponent', input, 'this number only prints in exponent notation; pass the amount as a plain decimal string');
    }
    const micros = toMicros(readNumeral(text, input), maxDecimals, input);
    return { decimal: microsToDecimal(micros), micros };
  }

  if (input === undefined) fail('empty', input, 'no amount was given; write one such as "12.50"');
  if (typeof input !== 'string') {
    fail('format', input, 'the amount must be a number or a string such as "12.50" or "12.50 USD"');
  }

  const text = input.trim();
  if (text === '') fail('empty', input, 'the amount is empty; write one such as "12.50"');
  if (text.length > MAX_INPUT_LENGTH) fail('format', input, `the amount is longer than ${MAX_INPUT_LENGTH} characters`);

  const shape = SHAPE.exec(text);
  if (shape === null) {
    if (/nan|inf|\u221e/i.test(text)) fail('format', input, 'the amount must be a finite number');
    fail('format', input, 'no digits found; write an amount such as "12.50" or "12.50 USD"');
  }
  const [, preRaw = '', sign = '', num = '', postRaw = ''] = shape;
  const pre = preRaw.trim();
  const post = postRaw.trim();

  if (sign === '-' || sign === '\u2212' || MINUS.test(pre)) {
    fail('negative', input, 'amounts must be zero or positive; give the new absolute amount');
  }
  if (sign === '+' || PLUS.test(pre)) {
    fail('format', input, 'remove the "+": give the absolute amount, not a change');
  }

  const before = readMarker(pre, input);
  const after = readMarker(post, input);
  if (before !== undefined && after !== undefined) fail('multiple_markers', input, MULTIPLE_HINT);

  const micros = toMicros(readNumeral(num, input), maxDecimals, input);
  const result: ParsedAmount = { decimal: microsToDecimal(micros), micros };
  const marker = before ?? after;
  if (marker?.kind === 'code') result.currencyCode = marker.value;
  if (marker?.kind === 'symbol') result.symbol = marker.value;
  return result;
}

/**
 * Whether an amount can be spent in the ad account's currency: the currency the caller wrote (if
 * any) must be the account's, and the amount must fit the currency's minor unit.
 * @throws MoneyError 'currency_mismatch' when the ISO code differs; 'symbol_mismatch' when the
 * symbol does not denote the account currency ('$' on a JPY account, '¥' on a USD account);
 * 'unknown_currency' when the account currency is not one this server knows the minor unit of;
 * 'minor_unit' when the amount has more decimals than the currency ("500.5" in JPY).
 */
export function checkCurrency(parsed: ParsedAmount, accountCurrency: string): void {
  const account = typeof accountCurrency === 'string' ? accountCurrency.trim().toUpperCase() : '';
  if (!/^[A-Z]{3}$/.test(account)) {
    throw new MoneyError('format', `Account currency ${show(accountCurrency)} is not a three-letter ISO 4217 code`);
  }
  const written = parsed.currencyCode !== undefined ? `${parsed.decimal} ${parsed.currencyCode}` : parsed.decimal;
  if (parsed.currencyCode !== undefined && parsed.currencyCode.toUpperCase() !== account) {
    throw new MoneyError(
      'currency_mismatch',
      `Amount ${JSON.stringify(written)} (rule: currency_mismatch): it is in ${parsed.currencyCode.toUpperCase()} but the ad account bills in ${account}; convert it and write the amount in ${account}, e.g. "${parsed.decimal} ${account}" if that is what you mean`,
    );
  }
  if (parsed.symbol !== undefined) {
    const info = currencyInfoOrDefault(account);
    if (!info.symbols.includes(parsed.symbol)) {
      const denotes = currenciesForSymbol(parsed.symbol);
      const meaning = denotes.length > 0 ? ` ("${parsed.symbol}" denotes ${denotes.join('/')})` : '';
      throw new MoneyError(
        'symbol_mismatch',
        `Amount "${parsed.symbol}${parsed.decimal}" (rule: symbol_mismatch): the ad account bills in ${account}${meaning}; write the amount in ${account}, e.g. "${parsed.decimal} ${account}" after converting if needed`,
      );
    }
  }
  checkMinorUnit(parsed, account);
}

function decimalPlaces({ digits }: MinorUnit): string {
  if (digits === 0) return 'has no decimal places';
  return `allows ${digits} decimal place${digits === 1 ? '' : 's'}`;
}

/** Refuses amounts finer than the currency's minor unit, suggesting the nearest amounts that fit. */
function checkMinorUnit(parsed: ParsedAmount, account: string): void {
  const unit = minorUnit(account);
  if (unit === undefined) {
    throw new MoneyError(
      'unknown_currency',
      `Amount ${JSON.stringify(parsed.decimal)} (rule: unknown_currency): the ad account bills in ${account}, which is not an ISO 4217 currency this server knows; nothing was sent`,
    );
  }
  const step = 10n ** BigInt(MICRO_DIGITS - Math.min(unit.digits, MICRO_DIGITS));
  const excess = parsed.micros % step;
  if (excess === 0n) return;
  const below = parsed.micros - excess;
  const above = below + step;
  const suggestions = [below, above].filter((micros) => micros <= MAX_MICROS).map((micros) => formatMoney(micros, account));
  fail('minor_unit', parsed.decimal, `${account} ${decimalPlaces(unit)} (${unit.source}); write ${suggestions.join(' or ')}`);
}

// ---------------------------------------------------------------------------------------------
// Formatting

function microsToBigInt(micros: bigint | number | string): bigint {
  if (typeof micros === 'bigint') return micros;
  if (typeof micros === 'number') {
    if (!Number.isInteger(micros)) throw new MoneyError('format', `Micros ${show(micros)} (rule: format): micros must be an integer`);
    if (!Number.isSafeInteger(micros)) {
      throw new MoneyError('too_large', `Micros ${show(micros)} (rule: too_large): beyond 2^53-1 a number is not exact; pass a bigint or a digit string`);
    }
    return BigInt(micros);
  }
  if (typeof micros === 'string' && /^-?[0-9]+$/.test(micros.trim())) return BigInt(micros.trim());
  throw new MoneyError('format', `Micros ${show(micros)} (rule: format): micros must be an integer, a bigint or a string of digits`);
}

/** Exact micros -> canonical decimal in major units: 12_500_000n -> "12.5", 1n -> "0.000001". */
export function microsToDecimal(micros: bigint | number | string): string {
  const value = microsToBigInt(micros);
  const negative = value < 0n;
  const abs = negative ? -value : value;
  const whole = (abs / MICROS_PER_UNIT).toString();
  const frac = (abs % MICROS_PER_UNIT).toString().padStart(MICRO_DIGITS, '0').replace(/0+$/, '');
  return `${negative ? '-' : ''}${whole}${frac === '' ? '' : `.${frac}`}`;
}

/**
 * Formats an amount already in major units (e.g. "12.5", "1234.5678"): thousands separators, at
 * least the currency's minor digits, more only where nonzero digits need them: "1,234.50 USD", "500 JPY".
 */
export function formatMajor(decimal: string, currency: string): string {
  const code = typeof currency === 'string' ? currency.trim().toUpperCase() : '';
  if (!/^[A-Z]{3}$/.test(code)) {
    throw new MoneyError('format', `Currency ${show(currency)} (rule: format): expected a three-letter ISO 4217 code`);
  }
  return `${groupDecimal(decimal, currencyInfoOrDefault(code).minorDigits)} ${code}`;
}

/** A plain decimal with thousands separators and at least `minDigits` decimals: "1234.5" -> "1,234.50". */
function groupDecimal(decimal: string, minDigits: number): string {
  const text = typeof decimal === 'string' ? decimal.trim() : String(decimal);
  const match = /^(-?)([0-9]+)(?:\.([0-9]+))?$/.exec(text);
  if (match === null) {
    throw new MoneyError('format', `Amount ${show(decimal)} (rule: format): expected a plain decimal such as "1234.5"`);
  }
  const [, minus = '', intRaw = '0', fracRaw = ''] = match;
  const whole = intRaw.replace(/^0+(?=[0-9])/, '');
  const frac = fracRaw.replace(/0+$/, '').padEnd(minDigits, '0');
  const isZero = /^0*$/.test(whole + frac);
  const grouped = whole.replace(/\B(?=(?:[0-9]{3})+$)/g, ',');
  return `${minus !== '' && !isZero ? '-' : ''}${grouped}${frac === '' ? '' : `.${frac}`}`;
}

/** Formats exact micros: 12_500_000n -> "12.50 USD", 500_000_000n -> "500 JPY", 1n -> "0.000001 USD". */
export function formatMoney(micros: bigint | number | string, currency: string): string {
  return formatMajor(microsToDecimal(micros), currency);
}

/** How an amount whose currency is not known is marked: never as a guessed currency. */
export const CURRENCY_UNKNOWN = '(currency unknown)';

/** What follows a currency that is only assumed (the account reports none): ` (assumed: <why>)`; nothing otherwise. */
export function assumedMark(assumed: string | undefined): string {
  return assumed ? ` (assumed: ${assumed})` : '';
}

/**
 * An amount in major units with its currency, or, where the currency is unknown, with two decimals at least and
 * marked so: "12.50 (currency unknown)", or "12.50 (currency unknown: reported as "UNK")" for a code that names no
 * currency. Nothing is ever labelled with a currency it was not stated in: one only
 * assumed carries why (`assumed`): "20.00 USD (assumed: …)".
 */
export function formatMajorAmount(decimal: string, currency: string | undefined, assumed?: string): string {
  if (!currency) return `${groupDecimal(decimal, 2)} ${CURRENCY_UNKNOWN}`;
  // A code that is no currency (Pinterest's UNK, a typo) is unknown here too, as it is to the writes, which refuse it.
  if (!minorUnit(currency)) return `${groupDecimal(decimal, 2)} (currency unknown: reported as ${show(currency)})`;
  return `${formatMajor(decimal, currency)}${assumedMark(assumed)}`;
}

/** Micros in natural units with their currency (and why it is assumed, if it is), or marked "(currency unknown)". */
export function formatMicros(micros: bigint | number | string, currency: string | undefined, assumed?: string): string {
  return formatMajorAmount(microsToDecimal(micros), currency, assumed);
}
