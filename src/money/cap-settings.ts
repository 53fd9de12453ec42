// Operator caps as configured (`--caps daily_budget=50 USD,bid=2 USD`): read strictly, and the cap that applies in a currency.
import { minorUnit } from './currencies.js';
import { microsToDecimal, parseAmount } from './amount.js';
import { MONEY_KINDS, type MoneyKind } from './kinds.js';

/**
 * One kind's caps: amounts by ISO currency code, or a single amount written without a currency, which applies in
 * whatever currency the account bills in (the meaning caps had before they could name one). A kind never has both.
 */
export type KindCaps = { readonly byCurrency: Readonly<Record<string, string>> } | { readonly anyCurrency: string };

/** Caps in natural units (canonical decimal strings) per money kind. */
export type Caps = Partial<Record<MoneyKind, KindCaps>>;

/** Why a caps setting was refused (the config reader adds where it came from). */
export class CapSettingError extends Error {}

/** A non-negative decimal of at most 6 decimals, optionally followed by an ISO code: `500`, `50 USD`, `0.25 eur`. */
const AMOUNT = /^(\d+(?:\.\d{1,6})?)(?:\s+([A-Za-z]{3}))?$/;

function decimalsOf(decimal: string): number {
  return decimal.split('.')[1]?.length ?? 0;
}

/** Reads `kind=amount [CODE]` entries: known kinds, one cap per kind and currency, amounts the currency can express. */
export function parseCaps(entries: readonly string[]): Caps {
  const caps: Partial<Record<MoneyKind, { byCurrency: Record<string, string> } | { anyCurrency: string }>> = {};
  for (const entry of entries) {
    const [kind, value, ...rest] = entry.split('=').map((s) => s.trim());
    if (!kind || value === undefined || rest.length > 0) throw new CapSettingError(`entries look like daily_budget=500 USD; got "${entry}"`);
    if (!(MONEY_KINDS as readonly string[]).includes(kind)) {
      throw new CapSettingError(`has an unknown kind "${kind}"; valid kinds are ${MONEY_KINDS.join(', ')}`);
    }
    const match = AMOUNT.exec(value);
    if (!match) {
      throw new CapSettingError(`amounts are non-negative decimals with at most 6 decimals, optionally followed by an ISO currency code (500, 50 USD); got "${entry}"`);
    }
    const decimal = microsToDecimal(parseAmount(match[1]).micros);
    const code = match[2]?.toUpperCase();
    const known = kind as MoneyKind;
    const existing = caps[known];
    if (code === undefined) {
      if (existing && 'anyCurrency' in existing) throw new CapSettingError(`names the kind ${kind} twice`);
      if (existing) throw mixed(kind, Object.keys(existing.byCurrency)[0]);
      caps[known] = { anyCurrency: decimal };
      continue;
    }
    const unit = minorUnit(code);
    if (!unit) throw new CapSettingError(`names ${code}, which is not an ISO 4217 currency this server knows; got "${entry}"`);
    if (decimalsOf(decimal) > unit.digits) {
      const allows = unit.digits === 0 ? 'has no decimal places' : `allows ${unit.digits} decimal place${unit.digits === 1 ? '' : 's'}`;
      throw new CapSettingError(`${code} ${allows} (${unit.source}); got "${entry}"`);
    }
    if (existing && 'anyCurrency' in existing) throw mixed(kind, code);
    const byCurrency = existing?.byCurrency ?? {};
    if (code in byCurrency) throw new CapSettingError(`names the ${kind} cap for ${code} twice`);
    byCurrency[code] = decimal;
    caps[known] = { byCurrency };
  }
  return caps;
}

function mixed(kind: string, code: string | undefined): CapSettingError {
  return new CapSettingError(
    `gives ${kind} a cap without a currency and one in ${code}: a cap without a currency applies in every account's currency, so write a currency on every ${kind} cap (${kind}=500 USD)`,
  );
}

/** The cap of `kind` for an account billing in `currency`: its amount, or why none can apply; undefined when the kind has no cap. */
export type CapFor = { amount: string } | { missing: string };

export function capFor(caps: Caps, kind: MoneyKind, currency: string | undefined): CapFor | undefined {
  const set = caps[kind];
  if (!set) return undefined;
  if ('anyCurrency' in set) return { amount: set.anyCurrency };
  if (!currency) {
    return { missing: `the account's currency is unknown (no ad_account_id, or it could not be read), so none of the ${kind} caps (${Object.keys(set.byCurrency).join(', ')}) can be chosen. Name the ad account, or try again` };
  }
  const amount = set.byCurrency[currency];
  return amount !== undefined ? { amount } : { missing: `no ${kind} cap for ${currency}: add ${kind}=<amount> ${currency} to --caps` };
}

