// Tests for exact money parsing/formatting (src/money/amount.ts) and the currency table: example tables plus fast-check properties.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { currencyInfo, currencyInfoOrDefault, knownCurrencyCodes, minorUnit } from '../../src/money/currencies.js';
import { MONEY_FIELDS } from '../../src/guard/money-fields.js';
import {
  MAX_MICROS,
  MoneyError,
  checkCurrency,
  formatMajor,
  formatMajorAmount,
  formatMicros,
  formatMoney,
  microsToDecimal,
  parseAmount,
} from '../../src/money/amount.js';

function ruleOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    if (error instanceof MoneyError) return error.rule;
    throw error;
  }
  return 'accepted';
}

/** Test oracle without floats: "12.5" -> 12_500_000n. */
function exactMicros(decimal: string): bigint {
  const [whole = '0', frac = ''] = decimal.split('.');
  return BigInt(whole) * 1_000_000n + BigInt(frac.padEnd(6, '0'));
}

function errorOf(fn: () => unknown): MoneyError {
  try {
    fn();
  } catch (error) {
    if (error instanceof MoneyError) return error;
    throw error;
  }
  throw new Error('expected a MoneyError');
}

describe('currency table', () => {
  it('knows ISO exponents and symbols', () => {
    expect(currencyInfo('JPY')?.minorDigits).toBe(0);
    expect(currencyInfo('krw')?.minorDigits).toBe(0);
    expect(currencyInfo('CLP')?.minorDigits).toBe(0);
    expect(currencyInfo('VND')?.minorDigits).toBe(0);
    expect(currencyInfo('HUF')?.minorDigits).toBe(2);
    expect(currencyInfo('USD')).toEqual({ code: 'USD', minorDigits: 2, symbols: ['$', 'US$'] });
    expect(currencyInfo('CHF')?.symbols).toEqual([]);
    expect(currencyInfo('XYZ')).toBeUndefined();
    expect(currencyInfoOrDefault('xyz')).toEqual({ code: 'XYZ', minorDigits: 2, symbols: [] });
  });

  it.each([
    [0, 'JPY KRW CLP VND'],
    [2, 'USD EUR GBP CAD AUD CHF HUF IDR COP'],
    [3, 'KWD BHD OMR JOD TND IQD LYD'],
  ])('has ISO 4217 exponent %i for %s', (digits, codes) => {
    for (const code of codes.split(' ')) expect(minorUnit(code), code).toEqual({ digits, source: 'ISO 4217' });
  });

  it('takes the exponent of an ISO currency outside the table from ICU, and knows no other code', () => {
    expect(minorUnit('ISK')).toEqual({ digits: 0, source: 'CLDR' });
    expect(minorUnit('egp')).toEqual({ digits: 2, source: 'CLDR' });
    expect(currencyInfoOrDefault('ISK').minorDigits).toBe(0);
    for (const code of ['XYZ', 'XAU', 'XXX', 'CLF', '', 'US']) expect(minorUnit(code), code).toBeUndefined();
  });

  it('covers every currency of the brief', () => {
    const codes =
      'USD CAD AUD NZD MXN BRL ARS CLP COP GBP EUR CHF DKK NOK SEK PLN CZK HUF RON JPY KRW HKD SGD INR ILS TRY ZAR MYR PHP IDR THB TWD VND AED SAR';
    for (const code of codes.split(' ')) expect(currencyInfo(code), code).toBeDefined();
  });
});

describe('parseAmount accepts', () => {
  const accepted: Array<[unknown, string, string | undefined, string | undefined]> = [
    // input, decimal, currencyCode, symbol
    [50, '50', undefined, undefined],
    [12.5, '12.5', undefined, undefined],
    [0, '0', undefined, undefined],
    [-0, '0', undefined, undefined],
    [0.000001, '0.000001', undefined, undefined],
    ['50', '50', undefined, undefined],
    ['0', '0', undefined, undefined],
    ['12.50', '12.5', undefined, undefined],
    ['  12.50\n', '12.5', undefined, undefined],
    ['$12.50', '12.5', undefined, '$'],
    ['12.50 USD', '12.5', 'USD', undefined],
    ['USD 12.50', '12.5', 'USD', undefined],
    ['usd 12.50', '12.5', 'USD', undefined],
    ['12.50USD', '12.5', 'USD', undefined],
    ['¥500', '500', undefined, '¥'],
    ['500¥', '500', undefined, '¥'],
    ['$ 12.50', '12.5', undefined, '$'],
    ['US$12.50', '12.5', undefined, 'US$'],
    ['R$ 10', '10', undefined, 'R$'],
    ['10 zł', '10', undefined, 'zł'],
    ['10 KR', '10', undefined, 'kr'],
    ['€\u00a05', '5', undefined, '€'],
    ['1,234.56', '1234.56', undefined, undefined],
    ['$1,234,567.89', '1234567.89', undefined, '$'],
    ['1,234', '1234', undefined, undefined],
    ['0.000001', '0.000001', undefined, undefined],
    ['12.5000000', '12.5', undefined, undefined], // trailing zeros are not significant decimals
    ['007.10', '7.1', undefined, undefined],
    ['9007199254.740991', '9007199254.740991', undefined, undefined],
    ['5 XYZ', '5', 'XYZ', undefined], // any three letters are syntactically a code; checkCurrency decides
  ];

  it.each(accepted)('%j -> %s', (input, decimal, currencyCode, symbol) => {
    const parsed = parseAmount(input);
    expect(parsed.decimal).toBe(decimal);
    expect(parsed.micros).toBe(exactMicros(decimal));
    expect(parsed.currencyCode).toBe(currencyCode);
    expect(parsed.symbol).toBe(symbol);
  });

  it('gives exact micros', () => {
    expect(parseAmount('12.50').micros).toBe(12_500_000n);
    expect(parseAmount('0.000001').micros).toBe(1n);
    expect(parseAmount('$1,234,567.89').micros).toBe(1_234_567_890_000n);
    expect(parseAmount('9007199254.740991').micros).toBe(MAX_MICROS);
  });

  it('honours maxDecimals', () => {
    expect(parseAmount('12.34', { maxDecimals: 2 }).micros).toBe(12_340_000n);
    expect(parseAmount('12.340', { maxDecimals: 2 }).micros).toBe(12_340_000n);
    expect(ruleOf(() => parseAmount('12.345', { maxDecimals: 2 }))).toBe('decimals');
    expect(ruleOf(() => parseAmount('500.5', { maxDecimals: 0 }))).toBe('decimals');
    expect(() => parseAmount('1', { maxDecimals: 7 })).toThrow(RangeError);
  });
});

describe('parseAmount rejects', () => {
  const rejected: Array<[unknown, string]> = [
    ['12.1234567', 'decimals'],
    [1.1234567, 'decimals'],
    [0.1 + 0.2, 'decimals'],
    [-5, 'negative'],
    ['-5', 'negative'],
    ['$-5', 'negative'],
    ['-$5', 'negative'],
    ['USD -5', 'negative'],
    ['\u22125', 'negative'],
    ['', 'empty'],
    ['   ', 'empty'],
    [undefined, 'empty'],
    ['abc', 'format'],
    ['$', 'format'],
    [true, 'format'],
    [null, 'format'],
    [{}, 'format'],
    [[5], 'format'],
    [Number.NaN, 'format'],
    [Number.POSITIVE_INFINITY, 'format'],
    [Number.NEGATIVE_INFINITY, 'format'],
    ['NaN', 'format'],
    ['Infinity', 'format'],
    ['-Infinity', 'format'],
    ['1e3', 'exponent'],
    ['1.5E+3 USD', 'exponent'],
    [1e21, 'exponent'],
    [1e-7, 'exponent'],
    ['12,50', 'ambiguous_comma'],
    ['1,23', 'ambiguous_comma'],
    ['0,500', 'ambiguous_comma'],
    ['1.234,56', 'ambiguous_comma'],
    ['1,234,56', 'format'],
    ['12,34.5', 'format'],
    ['1.234.567', 'format'],
    ['1 234', 'format'],
    ['.5', 'format'],
    ['5.', 'format'],
    ['+5', 'format'],
    ['5%', 'format'],
    ['Fr. 5', 'format'],
    ['9007199254.740992', 'too_large'],
    [1e20, 'too_large'],
    ['$5 USD', 'multiple_markers'],
    ['USD$5', 'multiple_markers'],
    ['$€5', 'multiple_markers'],
    ['x'.repeat(101), 'format'],
  ];

  it.each(rejected)('%j -> %s', (input, rule) => {
    expect(ruleOf(() => parseAmount(input))).toBe(rule);
  });

  it('rejects a bigint (not a JSON value; micros are not major units)', () => {
    expect(ruleOf(() => parseAmount(5n))).toBe('format');
  });

  it('explains the rule and the fix', () => {
    const comma = errorOf(() => parseAmount('12,50'));
    expect(comma.message).toContain('ambiguous_comma');
    expect(comma.message).toContain('"12.50"');
    expect(errorOf(() => parseAmount('.5')).message).toContain('"0.5"');
    expect(errorOf(() => parseAmount('5.')).message).toContain('"5"');
    expect(errorOf(() => parseAmount('1.234,56')).message).toContain('"1234.56"');
    expect(errorOf(() => parseAmount('12.1234567')).message).toMatch(/decimals.*at most 6/);
    expect(errorOf(() => parseAmount('1e3')).message).toContain('plain decimal');
    expect(comma).toBeInstanceOf(Error);
    expect(comma.name).toBe('MoneyError');
  });
});

describe('checkCurrency', () => {
  it.each([
    ['$5', 'JPY', 'symbol_mismatch'],
    ['¥500', 'USD', 'symbol_mismatch'],
    ['5 EUR', 'USD', 'currency_mismatch'],
    ['5 usd', 'CAD', 'currency_mismatch'],
    ['£5', 'EUR', 'symbol_mismatch'],
    ['$5', 'CHF', 'symbol_mismatch'],
    ['$5', 'XYZ', 'symbol_mismatch'],
    ['HK$5', 'USD', 'symbol_mismatch'],
    ['5 XYZ', 'XYZ', 'unknown_currency'],
  ])('%s on a %s account -> %s', (input, account, rule) => {
    expect(ruleOf(() => checkCurrency(parseAmount(input), account))).toBe(rule);
  });

  it.each([
    ['5', 'JPY'],
    ['$5', 'USD'],
    ['$5', 'cad'],
    ['A$5', 'AUD'],
    ['5 EUR', 'EUR'],
    ['5 eur', 'eur'],
    ['€5', 'EUR'],
    ['¥500', 'JPY'],
    ['500 kr', 'SEK'],
  ])('%s on a %s account passes', (input, account) => {
    expect(() => checkCurrency(parseAmount(input), account)).not.toThrow();
  });

  it('names the account currency in the message', () => {
    const error = errorOf(() => checkCurrency(parseAmount('$5'), 'JPY'));
    expect(error.message).toContain('JPY');
    expect(error.message).toContain('"5 JPY"');
  });
});

describe('checkCurrency: the minor unit of the account currency', () => {
  it.each([
    ['500.5', 'JPY', 'JPY has no decimal places (ISO 4217); write 500 JPY or 501 JPY'],
    ['500.5 JPY', 'JPY', 'JPY has no decimal places (ISO 4217); write 500 JPY or 501 JPY'],
    ['0.000001', 'JPY', 'JPY has no decimal places (ISO 4217); write 0 JPY or 1 JPY'],
    ['12.345', 'USD', 'USD allows 2 decimal places (ISO 4217); write 12.34 USD or 12.35 USD'],
    ['1.2345', 'KWD', 'KWD allows 3 decimal places (ISO 4217); write 1.234 KWD or 1.235 KWD'],
    ['1,234.5', 'ISK', 'ISK has no decimal places (CLDR); write 1,234 ISK or 1,235 ISK'],
  ])('refuses %s on a %s account: %s', (input, account, detail) => {
    const error = errorOf(() => checkCurrency(parseAmount(input), account));
    expect(error.rule).toBe('minor_unit');
    expect(error.message).toBe(`Invalid amount "${parseAmount(input).decimal}" (rule: minor_unit): ${detail}`);
  });

  it.each([
    ['JPY', '500', '500.1'],
    ['KRW', '1', '1.5'],
    ['USD', '12.34', '12.345'],
    ['EUR', '0.01', '0.001'],
    ['KWD', '1.234', '1.2345'],
    ['BHD', '0.001', '0.0001'],
  ])('on %s accepts exactly the exponent\'s decimals (%s) and refuses one more (%s)', (account, fits, finer) => {
    expect(ruleOf(() => checkCurrency(parseAmount(fits), account))).toBe('accepted');
    expect(ruleOf(() => checkCurrency(parseAmount(finer), account))).toBe('minor_unit');
  });

  it.each([
    ['500.00 JPY', 'JPY'],
    ['¥500.000000', 'JPY'],
    ['12.3400', 'USD'],
    ['1.2340 KWD', 'KWD'],
  ])('does not count trailing zeros: %s on %s', (input, account) => {
    expect(ruleOf(() => checkCurrency(parseAmount(input), account))).toBe('accepted');
  });

  it('suggests only the amount below when the one above is over 2^53-1 micros', () => {
    const error = errorOf(() => checkCurrency(parseAmount('9007199254.740991'), 'USD'));
    expect(error.message).toMatch(/; write 9,007,199,254\.74 USD$/);
  });

  it('refuses any amount, zero included, on an account whose currency it does not know', () => {
    for (const input of ['5', '0', '5 XYZ']) {
      const error = errorOf(() => checkCurrency(parseAmount(input), 'XYZ'));
      expect(error.rule).toBe('unknown_currency');
      expect(error.message).toMatch(/: the ad account bills in XYZ, which is not an ISO 4217 currency this server knows; nothing was sent$/);
    }
  });

  it('checks Whop major-unit amounts against the account currency, not a fixed number of decimals', () => {
    expect(MONEY_FIELDS.filter((f) => f.unit === 'major').length).toBeGreaterThan(5);
    expect(ruleOf(() => checkCurrency(parseAmount('12.345'), 'USD'))).toBe('minor_unit');
    expect(ruleOf(() => checkCurrency(parseAmount('12.34'), 'USD'))).toBe('accepted');
    expect(ruleOf(() => checkCurrency(parseAmount('1.5'), 'JPY'))).toBe('minor_unit');
    expect(ruleOf(() => checkCurrency(parseAmount('12.345'), 'KWD'))).toBe('accepted');
  });
});

describe('formatting', () => {
  it.each([
    [12_500_000n, 'USD', '12.50 USD'],
    [500_000_000n, 'JPY', '500 JPY'],
    [500_500_000n, 'JPY', '500.5 JPY'],
    [1n, 'USD', '0.000001 USD'],
    [1_234_560_000n, 'USD', '1,234.56 USD'],
    [0n, 'USD', '0.00 USD'],
    [MAX_MICROS, 'usd', '9,007,199,254.740991 USD'],
    ['123456789000000', 'EUR', '123,456,789.00 EUR'],
    [5_000_000, 'XYZ', '5.00 XYZ'],
    [-1_500_000n, 'USD', '-1.50 USD'],
  ])('formatMoney(%s, %s) = %s', (micros, currency, expected) => {
    expect(formatMoney(micros, currency)).toBe(expected);
  });

  it('formats major units', () => {
    expect(formatMajor('12.5', 'USD')).toBe('12.50 USD');
    expect(formatMajor('1234567.891', 'USD')).toBe('1,234,567.891 USD');
    expect(formatMajor('0500', 'KRW')).toBe('500 KRW');
    expect(formatMajor('-0.00', 'USD')).toBe('0.00 USD');
    expect(ruleOf(() => formatMajor('1e3', 'USD'))).toBe('format');
    expect(ruleOf(() => formatMajor('12', 'US'))).toBe('format');
  });

  it('marks an amount whose currency is unknown as unknown, never as a guessed currency', () => {
    expect(formatMicros(12_500_000n, undefined)).toBe('12.50 (currency unknown)');
    expect(formatMicros(1n, undefined)).toBe('0.000001 (currency unknown)');
    expect(formatMajorAmount('1234.5', undefined)).toBe('1,234.50 (currency unknown)');
    expect(formatMicros(500_000_000n, 'JPY')).toBe('500 JPY');
    expect(formatMajorAmount('12.5', 'usd')).toBe('12.50 USD');
  });

  it('shows a code that names no currency (UNK) as unknown, as the writes refuse it', () => {
    expect(formatMicros(12_500_000n, 'UNK')).toBe('12.50 (currency unknown: reported as "UNK")');
    expect(formatMajorAmount('1234.5', 'XXX')).toBe('1,234.50 (currency unknown: reported as "XXX")');
    expect(() => checkCurrency(parseAmount('12.50'), 'UNK')).toThrow(MoneyError); // what the writes do with it
  });

  it('converts micros exactly', () => {
    expect(microsToDecimal(12_500_000n)).toBe('12.5');
    expect(microsToDecimal(50_000_000)).toBe('50');
    expect(microsToDecimal('1')).toBe('0.000001');
    expect(microsToDecimal(MAX_MICROS)).toBe('9007199254.740991');
    expect(ruleOf(() => microsToDecimal(1.5))).toBe('format');
    expect(ruleOf(() => microsToDecimal(2 ** 53))).toBe('too_large');
    expect(ruleOf(() => microsToDecimal('12.5'))).toBe('format');
  });
});

describe('properties', () => {
  const micros = fc.bigInt({ min: 0n, max: MAX_MICROS });
  const digit = fc.constantFrom(...'0123456789'.split(''));
  const nonzeroDigit = fc.constantFrom(...'123456789'.split(''));
  const digits = (min: number, max: number) =>
    fc.array(digit, { minLength: min, maxLength: max }).map((chars) => chars.join(''));

  it('(a) microsToDecimal round-trips through parseAmount', () => {
    fc.assert(
      fc.property(micros, (m) => {
        expect(parseAmount(microsToDecimal(m)).micros).toBe(m);
      }),
    );
  });

  it('(b) formatMoney output round-trips through parseAmount with its code', () => {
    fc.assert(
      fc.property(micros, (m) => {
        const parsed = parseAmount(formatMoney(m, 'USD'));
        expect(parsed.micros).toBe(m);
        expect(parsed.currencyCode).toBe('USD');
        // The code passes; only amounts finer than a cent are refused, for their minor unit.
        expect(ruleOf(() => checkCurrency(parsed, 'USD'))).toBe(m % 10_000n === 0n ? 'accepted' : 'minor_unit');
      }),
    );
  });

  it('(c) 7+ significant decimals are rejected, exactly 6 accepted', () => {
    const whole = fc.bigInt({ min: 0n, max: 9_007_199_253n });
    fc.assert(
      fc.property(whole, digits(6, 14), nonzeroDigit, (w, middle, last) => {
        expect(ruleOf(() => parseAmount(`${w}.${middle}${last}`))).toBe('decimals');
      }),
    );
    fc.assert(
      fc.property(whole, digits(5, 5), nonzeroDigit, digits(0, 4), (w, middle, last, zeros) => {
        const trailing = zeros.replace(/./g, '0');
        const parsed = parseAmount(`${w}.${middle}${last}${trailing}`);
        expect(parsed.micros).toBe(w * 1_000_000n + BigInt(`${middle}${last}`));
      }),
    );
  });

  it('(d) MAX_MICROS boundary', () => {
    expect(MAX_MICROS).toBe(9_007_199_254_740_991n);
    expect(parseAmount('9007199254.740991').micros).toBe(MAX_MICROS);
    expect(parseAmount('$9,007,199,254.740991').micros).toBe(MAX_MICROS);
    expect(ruleOf(() => parseAmount('9007199254.740992'))).toBe('too_large');
    expect(ruleOf(() => parseAmount('9007199255'))).toBe('too_large');
  });

  it('(e) a number parses like its String()', () => {
    const amount = fc.integer({ min: 0, max: 6 }).chain((k) =>
      fc.tuple(fc.constant(k), fc.integer({ min: 0, max: Number(MAX_MICROS / 10n ** BigInt(6 - k)) })),
    );
    fc.assert(
      fc.property(amount, ([k, n]) => {
        // n / 10^k is a float: near the 2^53-1 micro limit it may round above it, and then both forms must refuse.
        const value = n / 10 ** k;
        const outcome = (input: unknown) => {
          try {
            return parseAmount(input);
          } catch (error) {
            return { refused: (error as MoneyError).rule };
          }
        };
        expect(outcome(value)).toEqual(outcome(String(value)));
      }),
      { examples: [[[6, Number(MAX_MICROS)]]] }, // 9007199254.740991 rounds up as a float: both forms are refused
    );
  });

  it('(e) up to 15 significant digits a number parses to its exact decimal', () => {
    const amount = fc.integer({ min: 0, max: 6 }).chain((k) =>
      fc.tuple(fc.constant(k), fc.integer({ min: 0, max: Math.min(999_999_999_999_999, Number(MAX_MICROS / 10n ** BigInt(6 - k))) })),
    );
    fc.assert(
      fc.property(amount, ([k, n]) => {
        expect(parseAmount(n / 10 ** k).micros).toBe(BigInt(n) * 10n ** BigInt(6 - k));
      }),
    );
  });

  it('(f) checkCurrency rejects foreign codes and passes the account code', () => {
    const exponents: Record<string, number | undefined> = { USD: 2, EUR: 2, JPY: 0, GBP: 2, CAD: 2, KRW: 0, BRL: 2, XYZ: undefined };
    const codes = fc.constantFrom(...Object.keys(exponents));
    fc.assert(
      fc.property(codes, codes, micros, fc.boolean(), (written, account, m, wholeMinorUnits) => {
        const exponent = exponents[account];
        const step = 10n ** BigInt(6 - (exponent ?? 6));
        const amount = wholeMinorUnits ? m - (m % step) : m;
        const parsed = parseAmount(`${microsToDecimal(amount)} ${written}`);
        const rule = ruleOf(() => checkCurrency(parsed, account));
        const inAccountCurrency = exponent === undefined ? 'unknown_currency' : amount % step === 0n ? 'accepted' : 'minor_unit';
        expect(rule).toBe(written === account ? inAccountCurrency : 'currency_mismatch');
      }),
    );
  });

  it('(g) an amount fits a currency iff its significant decimals are at most the exponent; else the two nearest fitting amounts bracket it', () => {
    const code = fc.constantFrom(...knownCurrencyCodes());
    const whole = fc.bigInt({ min: 0n, max: 9_007_199_253n });
    const zeros = fc.integer({ min: 0, max: 3 }).map((n) => '0'.repeat(n));
    fc.assert(
      fc.property(code, whole, digits(0, 6), zeros, (account, w, fraction, trailing) => {
        const input = fraction + trailing === '' ? `${w}` : `${w}.${fraction}${trailing}`;
        const significant = fraction.replace(/0+$/, '').length;
        const exponent = currencyInfo(account)?.minorDigits ?? -1;
        const parsed = parseAmount(input);
        const rule = ruleOf(() => checkCurrency(parsed, account));
        expect(rule).toBe(significant <= exponent ? 'accepted' : 'minor_unit');
        if (rule === 'accepted') return;
        const written = /; write (.+) or (.+)$/.exec(errorOf(() => checkCurrency(parsed, account)).message);
        expect(written).not.toBeNull();
        const [below, above] = [written?.[1], written?.[2]].map((text) => parseAmount(text));
        for (const suggestion of [below, above]) {
          expect(suggestion.currencyCode).toBe(account);
          expect(ruleOf(() => checkCurrency(suggestion, account))).toBe('accepted');
        }
        expect(below.micros < parsed.micros && parsed.micros < above.micros).toBe(true);
        expect(above.micros - below.micros).toBe(10n ** BigInt(6 - exponent));
      }),
    );
  });
});
