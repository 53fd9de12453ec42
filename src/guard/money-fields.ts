// Every money field of the APIs' request bodies in one table (each adapter gives its own), and the input schema that takes natural amounts for them.
import { z } from 'zod';
import { APIS, type ApiId } from '../apis/index.js';
import type { CurrencyCodeField, MoneyFieldFacts } from '../apis/money.js';
import type { SchemaFacts } from '../apis/types.js';
import type { PropertyOverride } from '../tools/schema.js';
import type { MoneyKind } from '../money/kinds.js';
import { MoneyError, type ParsedAmount, microsToDecimal, parseAmount } from '../money/amount.js';

export type { MoneyKind } from '../money/kinds.js';

/** A money field of one API's request bodies (its adapter's `money.fields`). */
export interface MoneyField extends MoneyFieldFacts {
  api: ApiId;
}

/** Every money field of every API, in one table. */
export const MONEY_FIELDS: readonly MoneyField[] = APIS.flatMap((api) => api.money.fields.map((f) => ({ api: api.id, ...f })));

/**
 * Request properties that name the currency of the amounts beside them, of every API: each must be the account's
 * currency, since amounts are written and capped in it and no exchange rate is ever applied.
 */
export const CURRENCY_CODE_FIELDS: readonly (CurrencyCodeField & { api: ApiId })[] = APIS.flatMap((api) => api.money.currencyCodes.map((f) => ({ api: api.id, ...f })));

/** A validated currency code of a CURRENCY_CODE_FIELDS property, still waiting to be compared with the account's. */
export class CurrencyCodeValue {
  constructor(readonly code: string) {}
}

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
