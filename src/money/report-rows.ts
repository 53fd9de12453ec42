// Analytics rows in natural units: each micro-currency column restated beside it, and totals of the columns that add up.
import { formatMicros } from './amount.js';

type Row = Record<string, unknown>;

/** An analytics column in micro-currency (`SPEND_IN_MICRO_DOLLAR`; "dollar" is Pinterest's name, the unit is the account's). */
const MICRO_COLUMN = /^([A-Z0-9_]+)_IN_MICRO_DOLLAR$/;

/**
 * Columns whose values do not add up across rows or days: rates, averages, per-unit costs, frequencies, unique counts
 * (a person counted on two days or by two ads is one person), ids and settings.
 */
const NOT_ADDITIVE = /(^|_)(E?CTR(_\d)?|E?CP[A-Z]*|RATE|ROAS|COST_PER_[A-Z0-9_]+|AVG|AVERAGE|PER|FREQUENCY|LENGTH|MULTIPLIER|BUDGET|CAP|ID|USER|UNIQUE)(_|$)/;

/** Whether a column's values add up across rows and days (totalRows sums exactly these); the micro suffix aside. */
export function addsUp(column: string): boolean {
  return !NOT_ADDITIVE.test(column.replace(MICRO_COLUMN, '$1'));
}

/** Whether rows carry micro-currency columns (the answers of the analytics tools and reports). */
export function hasMicroColumns(rows: readonly unknown[]): boolean {
  return rows.some((row) => row !== null && typeof row === 'object' && Object.keys(row).some((k) => MICRO_COLUMN.test(k)));
}

/** What `restateRow` adds to a row, in words (output schemas say it of restated rows). */
export const RESTATED_ROWS = 'Each X_IN_MICRO_DOLLAR column comes with X beside it: the amount in natural units with the account currency ("12.34 USD").';

/** The natural column an `X_IN_MICRO_DOLLAR` column is restated as (`X`), or undefined for any other column. */
export function naturalColumnOf(key: string): string | undefined {
  return MICRO_COLUMN.exec(key)?.[1];
}

function isMicros(value: unknown): value is number | string {
  return (typeof value === 'number' && Number.isSafeInteger(value)) || (typeof value === 'string' && /^-?\d+$/.test(value));
}

/**
 * The row with each `X_IN_MICRO_DOLLAR` column restated as `X` beside it ("12.34 USD", exact), unless the row already
 * has an `X`. Non-integer micro values (some rates come as decimals) are left as they are.
 */
export function restateRow(row: Row, currency: string | undefined, assumed?: string): Row {
  const out: Row = {};
  for (const [key, value] of Object.entries(row)) {
    out[key] = value;
    const natural = naturalColumnOf(key);
    if (natural && !(natural in row) && isMicros(value)) out[natural] = formatMicros(value, currency, assumed);
  }
  return out;
}

/**
 * Totals over rows of the columns that add up (counts and amounts); micro-currency sums are exact (bigint) and
 * restated like the rows. Rates and per-unit costs are named in `not_totalled` rather than summed into nonsense.
 */
export function totalRows(rows: readonly Row[], currency: string | undefined): { totals: Row; not_totalled: string[] } {
  const sums = new Map<string, bigint | number>();
  const skipped = new Set<string>();
  for (const row of rows) {
    for (const [key, value] of Object.entries(row)) {
      if (typeof value !== 'number' && !(MICRO_COLUMN.test(key) && isMicros(value))) continue;
      if (!addsUp(key)) {
        skipped.add(key);
        continue;
      }
      const sum = sums.get(key) ?? (MICRO_COLUMN.test(key) ? 0n : 0);
      sums.set(key, typeof sum === 'bigint' && isMicros(value) ? sum + BigInt(value) : Number(sum) + Number(value));
    }
  }
  const totals: Row = {};
  for (const [key, sum] of sums) {
    if (typeof sum === 'bigint') totals[key] = sum <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(sum) : String(sum);
    else totals[key] = Math.round(sum * 1e6) / 1e6; // float columns (SPEND_IN_DOLLAR): the API's own decimals
  }
  return { totals: restateRow(totals, currency), not_totalled: [...skipped] };
}
