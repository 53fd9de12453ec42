// Pinterest's synchronous analytics columns as facts: what each holds and in which unit (read from its name by rules), and whether it adds up.
import { addsUp } from '../../money/report-rows.js';
import type { AnalyticsColumns } from '../analytics.js';
import type { Catalog } from '../types.js';
import { pinterestCatalog } from './catalog.generated.js';

/** What each kind of column holds, in words for a model. */
export const COLUMN_KINDS = {
  micro_currency:
    "integer, millionths of the ad account's currency (IN_MICRO_DOLLAR is Pinterest's name; the unit is the account's currency); answers restate it beside itself in natural units under the name without _IN_MICRO_DOLLAR",
  currency: "decimal in major units of the ad account's currency (12.34 is 12.34 of that currency)",
  cost_per_result: "cost of one result in the ad account's currency; the API does not state the unit (major or micro): compare, do not add",
  count: 'integer, a number of events or people',
  ratio: 'decimal: a rate, ratio, average or frequency (CTR 0.012 is 1.2%)',
  seconds: 'decimal, seconds',
  id: 'string, an id',
  text: 'string: a name, status, type or label of the entity as it is now',
  setting: "a budget, spend cap, bid multiplier or optimization setting of the entity as it is now (not a result of the dates asked); amounts in the unit the entity's own fields use",
} as const;

export type ColumnKind = keyof typeof COLUMN_KINDS;

/** Which kind a column is, by its name: the first rule that matches; a column no rule matches is a `count`. */
export const COLUMN_KIND_RULES: readonly { pattern: RegExp; kind: ColumnKind }[] = [
  { pattern: /_IN_MICRO_DOLLAR$/, kind: 'micro_currency' },
  { pattern: /(^|_)ID$/, kind: 'id' },
  { pattern: /(^|_)(BUDGET|SPEND_CAP|BID_MULTIPLIER|OPTIMIZATION)(_|$)|^IS_/, kind: 'setting' },
  { pattern: /(^|_)COST_PER_(ACTION|LEAD)$/, kind: 'cost_per_result' },
  { pattern: /_IN_DOLLAR(_\d)?$/, kind: 'currency' },
  { pattern: /_IN_SECOND$|^VIDEO_LENGTH$/, kind: 'seconds' },
  { pattern: /(^|_)(E?CTR|RATE|ROAS|FREQUENCY|AVERAGE|AVG)(_\d)?(_|$)/, kind: 'ratio' },
  { pattern: /(^|_)(NAME|STATUS|TYPE|LABELS?|TAG)$/, kind: 'text' },
];

/** Kinds whose values can be summed at all; within them, `addsUp` (the rule the report totals use) decides per column. */
const SUMMABLE: ReadonlySet<ColumnKind> = new Set(['micro_currency', 'currency', 'count']);

export function columnKind(name: string): ColumnKind {
  return COLUMN_KIND_RULES.find((rule) => rule.pattern.test(name))?.kind ?? 'count';
}

/** The `columns` enum the synchronous analytics operations share, and those operations, from the catalog. */
function syncColumns(catalog: Catalog): { operations: string[]; names: readonly string[] } {
  const operations: string[] = [];
  let names: readonly string[] = [];
  for (const op of catalog.operations) {
    const values = op.parameters.find((p) => p.name === 'columns' && p.in === 'query')?.schema.items?.enum;
    if (!values?.includes('SPEND_IN_MICRO_DOLLAR')) continue;
    const these = values.map(String);
    if (names.length && these.join(',') !== names.join(',')) throw new Error(`${op.id} takes other analytics columns than ${operations[0]}`);
    names = these;
    operations.push(op.id);
  }
  return { operations, names };
}

/** Pinterest's analytics columns with their kinds, as the columns resource shows them. */
export function pinterestAnalyticsColumns(catalog: Catalog = pinterestCatalog): AnalyticsColumns {
  const { operations, names } = syncColumns(catalog);
  return {
    operations,
    columns: names.map((name) => {
      const kind = columnKind(name);
      return { name, kind, adds_up: SUMMABLE.has(kind) && addsUp(name) };
    }),
    kinds: COLUMN_KINDS,
    notes: [
      `Kinds are read from the column names (Pinterest's description ${catalog.source.version} gives no type per column).`,
      'A column with no value for a row may be left out of it.',
      'analytics_create_report (async reports) takes a longer list of columns (describe_tool shows it); their names follow the same rules.',
      'Rates and per-unit costs of a total are worked out from the totals (CTR = clicks / impressions), never averaged over rows.',
    ],
  };
}
