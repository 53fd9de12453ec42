// Cursor paging of Whop lists (first/last, after/before, order and direction) and the filters every list takes.
import { isPlainObject } from '../../src/core/json.js';
import { fail } from './errors.js';
import type { Checked, Entity } from './shapes.js';

const PAGE_SIZE = 20;
const PAGE_MAX = 100;

type SortKey = [unknown, string];

function compareValues(a: unknown, b: unknown): number {
  if (a === b) return 0;
  if (a === null || a === undefined) return -1;
  if (b === null || b === undefined) return 1;
  if (typeof a === 'number' && typeof b === 'number') return a < b ? -1 : 1;
  return String(a) < String(b) ? -1 : String(a) > String(b) ? 1 : 0;
}

export interface PageQuery {
  first?: number;
  last?: number;
  after?: string;
  before?: string;
  order?: string;
  direction?: 'asc' | 'desc';
}

function pageSize(name: string, value: unknown): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > PAGE_MAX) {
    fail(400, `${name} must be a whole number from 1 to ${PAGE_MAX}`);
  }
  return value;
}

/** One page of `items`, ordered by `order` (default created_at, newest first), ties broken by id. */
export function paginate(items: Entity[], q: PageQuery): { data: Entity[]; page_info: Entity } {
  const first = pageSize('first', q.first);
  const last = pageSize('last', q.last);
  if (first !== undefined && last !== undefined) fail(400, 'pass first or last, not both');
  const field = q.order ?? 'created_at';
  const sign = q.direction === 'asc' ? 1 : -1;
  const cmp = (a: SortKey, b: SortKey) => sign * (compareValues(a[0], b[0]) || compareValues(a[1], b[1]));
  const sorted = items
    .map((entity) => ({ entity, key: [entity[field] ?? null, String(entity.id)] as SortKey }))
    .sort((x, y) => cmp(x.key, y.key));
  const encode = (key: SortKey) => Buffer.from(JSON.stringify({ o: field, v: key[0], id: key[1] })).toString('base64url');
  const decode = (cursor: string, name: string): SortKey => {
    try {
      const parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
      if (isPlainObject(parsed) && parsed.o === field && typeof parsed.id === 'string') return [parsed.v, parsed.id];
    } catch {
      // fall through to the refusal
    }
    return fail(400, `${name} is not a cursor of this list (use page_info.start_cursor or end_cursor)`);
  };
  let lo = 0;
  let hi = sorted.length;
  if (q.after !== undefined) {
    const key = decode(q.after, 'after');
    lo = sorted.findIndex((s) => cmp(s.key, key) > 0);
    if (lo < 0) lo = sorted.length;
  }
  if (q.before !== undefined) {
    const key = decode(q.before, 'before');
    hi = sorted.findIndex((s) => cmp(s.key, key) >= 0);
    if (hi < 0) hi = sorted.length;
  }
  hi = Math.max(lo, hi);
  const [start, end] = last !== undefined ? [Math.max(lo, hi - last), hi] : [lo, Math.min(hi, lo + (first ?? PAGE_SIZE))];
  const page = sorted.slice(start, end);
  return {
    data: page.map((p) => p.entity),
    page_info: {
      start_cursor: page.length ? encode(page[0].key) : null,
      end_cursor: page.length ? encode(page[page.length - 1].key) : null,
      has_next_page: end < sorted.length,
      has_previous_page: start > 0,
    },
  };
}

function timeFilter(name: string, value: unknown): number | undefined {
  if (value === undefined) return undefined;
  const ms = Date.parse(String(value));
  if (Number.isNaN(ms)) fail(400, `${name} must be an ISO 8601 timestamp`);
  return ms;
}

/** Keeps entities whose title/name or id contains `query` (any case) and whose created_at is in the window. */
export function commonFilters(items: Entity[], query: Checked): Entity[] {
  const text = typeof query.query === 'string' ? query.query.toLowerCase() : '';
  const after = timeFilter('created_after', query.created_after);
  const before = timeFilter('created_before', query.created_before);
  return items.filter((e) => {
    if (query.status !== undefined && e.status !== query.status) return false;
    if (text && ![e.title, e.name, e.id].some((v) => typeof v === 'string' && v.toLowerCase().includes(text))) return false;
    const created = Date.parse(String(e.created_at));
    if (after !== undefined && !(created > after)) return false;
    if (before !== undefined && !(created < before)) return false;
    return true;
  });
}
