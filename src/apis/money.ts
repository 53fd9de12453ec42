// The shapes of an API's money facts: the money fields of its requests, how its answers state amounts, where an account's currency is read.
import type { MoneyKind } from '../money/kinds.js';

/** One money property of a request body (the guard converts natural amounts for it and caps it). */
export interface MoneyFieldFacts {
  /** Component schema that declares the property (tools reach it however deep it is nested). */
  owner: string;
  /** Property name the API uses. */
  apiName: string;
  /** Property name in tool input: the API name without `_in_micro_currency`. */
  inputName: string;
  /**
   * `micro`: natural amount converted to currency x 1,000,000. `major`: natural amount sent in major units, with no
   * more decimals than the account currency has.
   * `undocumented`: the description does not say the unit; the value is passed as given and flagged in previews.
   */
  unit: 'micro' | 'major' | 'undocumented';
  /** Cap kind, unless `kindBy` says the entity's sibling field decides it. */
  kind: MoneyKind;
  /**
   * The sibling field whose value decides the cap kind (ad group budgets: `budget_type`), the kind of each value, and
   * the value a create gets when it omits the sibling. A value with no kind here (or none known) counts as every kind
   * of `kinds`, so the strictest cap applies.
   */
  kindBy?: { sibling: string; kinds: Readonly<Record<string, MoneyKind>>; createDefault?: string };
}

/** A request property that names the currency of the amounts beside it: it must be the account's currency. */
export interface CurrencyCodeField {
  owner: string;
  apiName: string;
}

/**
 * How an API's answers state amounts, so that results restate them with their currency. `micro`: integers x 1,000,000
 * under the names `field` matches, in the account's currency; `reportRows`: analytics rows with micro-currency
 * columns are restated row by row. `major`: decimals under the names `field` matches, in the currency that
 * `currencyField` of their object (or of an enclosing one) names, else the account's.
 */
export type AnswerMoney =
  | {
      unit: 'micro';
      field: RegExp;
      reportRows: boolean;
      /**
       * The answer fields a natural name stands for in `fields` (`budget` -> `budget_in_micro_currency`, `SPEND` ->
       * `SPEND_IN_MICRO_DOLLAR`), so that a model asking in the words it writes with gets the amounts, restated.
       */
      microNamesOf: (name: string) => readonly string[];
      /** The natural name of a micro field (`budget_in_micro_currency` -> `budget`), for suggestions; undefined for others. */
      naturalNameOf: (key: string) => string | undefined;
    }
  | { unit: 'major'; field: RegExp; currencyField: string };

export interface ApiMoney {
  /** Every money property of the request bodies. */
  fields: readonly MoneyFieldFacts[];
  /**
   * Request properties that name the currency of the amounts beside them: each must be the account's currency, since
   * amounts are written and capped in it and no exchange rate is ever applied.
   */
  currencyCodes: readonly CurrencyCodeField[];
  answers: AnswerMoney;
}

/** A read that reports an account's currency and the name a person knows it by, and where in its answer. */
export interface CurrencySource {
  tool: string;
  args: Record<string, unknown>;
  /** The currency in the answer, or undefined when it reports none. */
  pick(body: unknown): unknown;
  /** The name a person knows the account by: the account's, or the entity's own where the API names no account. */
  name(body: unknown): unknown;
}

/** Where the currency of a call's amounts comes from. */
export interface AccountCurrency {
  /** The read that reports it for a call (of `tool`, when known); undefined when the call names nothing that has one. */
  source(args: Record<string, unknown>, tool: string | undefined): CurrencySource | undefined;
}

/** Picks one top-level field of an answer. */
export const answerField = (name: string) => (body: unknown) => (body as Record<string, unknown> | undefined)?.[name];
