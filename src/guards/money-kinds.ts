// The money kinds a cap can apply to (`--caps daily_budget=500,bid=20`); no imports, so config.ts can read it cheaply.
export const MONEY_KINDS = ['daily_budget', 'lifetime_budget', 'bid', 'goal', 'order'] as const;

/** What a cap applies to. */
export type MoneyKind = (typeof MONEY_KINDS)[number];
