// The money kinds a cap can apply to (`--caps daily_budget=500,bid=20`); no imports, so config.ts can read it cheaply.
export const MONEY_KINDS = ['daily_budget', 'lifetime_budget', 'bid', 'goal', 'order', 'promotion'] as const;

/** What a cap applies to. */
export type MoneyKind = (typeof MONEY_KINDS)[number];

/** What each kind covers, for --help. */
export const MONEY_KIND_HELP: Readonly<Record<MoneyKind, string>> = {
  daily_budget: 'daily budgets, daily spend caps, default ad group budgets, minimum daily spend',
  lifetime_budget: 'lifetime budgets and lifetime spend caps',
  bid: 'bids and cost-per-result targets; ad group, product group promotion and catalog item bids times their largest multipliers',
  goal: 'CPA and scroll-up goal values',
  order: 'insertion-order amounts (their unit is undocumented: refused while capped)',
  promotion: 'promotion discount amounts',
};
