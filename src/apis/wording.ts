// The shapes of an API's own words: how its writes read in plain-language lines (src/guard/plain.ts builds the sentences), notes on its fields.
import type { EntityKind } from './entities.js';

type Entity = Record<string, unknown>;

/** How a money field reads to a person, by its input name (the last segment of the change's field). */
export interface MoneyWords {
  noun: string;
  /** Which amount this is: budgets take their period from `budget_type`; bids their unit from `bidUnit`. */
  role: 'budget' | 'bid' | 'cap' | 'other';
  /** Fixed unit of the amount ("per day"), where the field's name says it. */
  unit?: string;
}

export interface PlainWords {
  /** The parent a create names, per entity kind: the field, and the kind it names. */
  parents: Readonly<Partial<Record<EntityKind, { field: string; kind: EntityKind }>>>;
  /** Money fields in words, by input name; any other reads as its name. */
  money: Readonly<Record<string, MoneyWords>>;
  /** Fields a create's budget and bid clauses already say (their type or strategy), so they are not listed again. */
  said: readonly string[];
  /** The fields that say whom an entity reaches, and how they read. */
  targeting: {
    fields: readonly string[];
    /** A create's targeting in words ("US, female, 25–44, 3 interests"); undefined when it sets none. */
    describe(item: Entity): string | undefined;
    /** A change of one of `fields`, as said after "change its targeting": " from US to US/CA", " (regions) to US/CA". */
    change(field: string, from: unknown, to: unknown): string;
  };
  /** What one unit of a bid buys ("per click"), from the request, else the entity's current values; undefined when unknown. */
  bidUnit(kind: EntityKind, item: Entity, current: Entity | undefined): string | undefined;
  /** How the bid of a create reads, given its amount and ` per ...` unit: "bid up to 1.50 USD per click". */
  bidPhrase(kind: EntityKind, item: Entity, amount: string, per: string): string;
  /** Whether an entity's bid is a ceiling (an update says "(a ceiling)" after it). */
  bidCeiling(kind: EntityKind, item: Entity, current: Entity | undefined): boolean;
  /** The unit a billing setting makes bids be in ("bill it per click"); undefined for any other setting. */
  billedUnit(field: string, to: unknown): string | undefined;
}

/** A short note on a field whose name, type and enum do not say enough; every note costs context in every listing. */
export interface FieldNote {
  /** Component schema that declares the property (`(parameters)` for an operation's parameters); none: any owner. */
  owner?: string;
  name: string;
  /** The note, or a function of the values the field allows (its enum); undefined means no note. */
  text: string | ((values: readonly unknown[] | undefined) => string | undefined);
}
