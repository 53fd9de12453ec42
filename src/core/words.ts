// Short phrases of values for plain-language lines: codes bare, lists cut, counts, age ranges, genders.
import { showValue } from './display.js';

/** A code-like value bare (`ACTIVE`, `US`), anything else quoted and escaped: values come from callers and the API. */
export function valueText(value: unknown, max = 60): string {
  return typeof value === 'string' && /^[\w.+-]{1,40}$/.test(value) ? value : typeof value === 'number' ? String(value) : showValue(value, max);
}

/** A change's value as a person reads it: `none` for null. */
export const shownValue = (value: unknown) => (value === null ? 'none' : valueText(value));

/** A list of short values: codes bare, anything else quoted; at most `max`, then how many more. */
export function valueList(values: readonly unknown[], max = 5, joiner = '/'): string {
  const shown = values.slice(0, max).map((v) => valueText(v, 40));
  return `${shown.join(joiner)}${values.length > max ? ` and ${values.length - max} more` : ''}`;
}

/** `1 interest`, `3 interests`. */
export const count = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;
/** A value as a list: itself when it is one, empty for nothing, else a list of one. */
export const asList = (value: unknown): unknown[] => (Array.isArray(value) ? value : value === undefined || value === null ? [] : [value]);

/** Age buckets ("25-34", "35-44", "65+") as ranges, adjacent ones merged: "25–44, 65+". */
export function ageRanges(buckets: readonly unknown[]): string {
  const parsed: { low: number; high: number }[] = [];
  const odd: unknown[] = [];
  for (const bucket of buckets) {
    const match = typeof bucket === 'string' ? /^(\d{1,3})(?:-(\d{1,3})|(\+))$/.exec(bucket) : null;
    if (match) parsed.push({ low: Number(match[1]), high: match[3] ? Infinity : Number(match[2]) });
    else odd.push(bucket);
  }
  parsed.sort((a, b) => a.low - b.low);
  const merged: { low: number; high: number }[] = [];
  for (const range of parsed) {
    const last = merged.at(-1);
    if (last && range.low <= last.high + 1) last.high = Math.max(last.high, range.high);
    else merged.push({ ...range });
  }
  const ranges = merged.map((r) => (r.high === Infinity ? `${r.low}+` : `${r.low}–${r.high}`));
  return [...ranges, ...(odd.length ? [valueList(odd)] : [])].join(', ');
}

const GENDER_WORDS: Record<string, string> = { female: 'female', male: 'male', unknown: 'gender unknown', all: 'all genders' };

/** Genders in words (`female/male`); all three read as `all genders`. */
export function genders(values: readonly unknown[]): string {
  const words = values.map((g) => (typeof g === 'string' && GENDER_WORDS[g.toLowerCase()]) || showValue(g, 20));
  return ['female', 'male', 'gender unknown'].every((w) => words.includes(w)) ? 'all genders' : words.join('/');
}
