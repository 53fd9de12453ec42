// The fake Whop ads API: a stateful HTTP server on 127.0.0.1 answering every operation of the Whop catalog.
import { randomBytes } from 'node:crypto';
import { STATUS_CODES, type IncomingMessage, type ServerResponse } from 'node:http';
import type { SchemaFacts } from '../../src/apis/types.js';
import { whopCatalog } from '../../src/apis/whop/catalog.generated.js';
import { minorUnit } from '../../src/money/currencies.js';
import { isPlainObject } from '../../src/core/json.js';
import { CatalogIntake, recordOf, type RecordedCall } from '../intake/catalog.js';
import { type Answer, bearerToken, closeServer, createFakeServer, listenOnLoopback, readCall, sendAnswer } from '../intake/http.js';
import { whopResponses } from './responses.generated.js';

export const WHOP_TEST_KEY = 'whop-test-key';

/** Seeded ids (one account, one campaign that owns no budget (budget_optimization 'ad_group'), one active ad group with a daily budget of 50, one ad, one ready custom audience). */
export const WHOP_SEED = {
  account: 'biz_demo00000001',
  campaign: 'adcamp_seed0000001',
  adGroup: 'adgrp_seed00000001',
  ad: 'ad_seed0000000001',
  audience: 'adaud_seed0000001',
} as const;

export interface WhopEmulatorOptions {
  /** Accepted as `Authorization: Bearer <key>`; default [WHOP_TEST_KEY]. */
  apiKeys?: string[];
  /** ISO code the account bills in, reported as spend_currency (upper case, e.g. 'USD'); default 'USD'. */
  currency?: string;
  /** Create the WHOP_SEED entities; default true. */
  seed?: boolean;
}

/** A request as received; `path` is below /api/v1 (`/ad_groups`). */
export interface WhopRecordedRequest extends RecordedCall {
  /** The operation id it matched (`ad_groups/update`), undefined when no route matched. */
  op?: string;
  /** True when the answer was replayed for a repeated Idempotency-Key (nothing was applied again). */
  replayed?: boolean;
}

export interface WhopEmulator {
  /** http://127.0.0.1:PORT/api/v1 (what WHOP_API_BASE_URL takes). */
  url: string;
  /** Every request received, in order, refused ones included. */
  requests: WhopRecordedRequest[];
  /** Entities as the API answers them, by id. */
  campaigns: Map<string, Record<string, unknown>>;
  adGroups: Map<string, Record<string, unknown>>;
  ads: Map<string, Record<string, unknown>>;
  audiences: Map<string, Record<string, unknown>>;
  /** The next `count` requests (any route) are answered `status` with a Whop error body, before anything is applied; for 429 a `retry-after: 0` header. */
  failNext(count: number, status: number): void;
  close(): Promise<void>;
}

type Entity = Record<string, unknown>;
/** A request body or query that the validator has already checked against the catalog. */
type Checked = Record<string, any>;

const BASE_PATH = '/api/v1';
const MAX_BODY_BYTES = 1024 * 1024;
const PAGE_SIZE = 20;
const PAGE_MAX = 100;
const MAX_REPORT_BUCKETS = 10_000;
const DAY_MS = 86_400_000;

// ---------------------------------------------------------------------------------------------------------------
// Shared, stateless machinery

/** Built on the first start, then shared by every emulator in the process. */
let catalogIntake: CatalogIntake | undefined;

/** Decimal places of a currency's minor unit (the project's one table: ISO 4217, then ICU). */
function minorDigits(currency: string): number {
  return minorUnit(currency)?.digits ?? 2;
}

/** Decimal places a number is written with (1.5e-7 has 8). */
function decimalsOf(n: number): number {
  const m = /^-?\d+(?:\.(\d+))?(?:e([+-]?\d+))?$/i.exec(String(n));
  if (!m) return Infinity;
  return Math.max(0, (m[1]?.length ?? 0) - Number(m[2] ?? 0));
}

/** Money fields of each write, as paths into its body. */
const CAMPAIGN_MONEY = [['budget_amount'], ['desired_cost_per_result']];
const AD_GROUP_MONEY = [['budget_amount'], ['desired_cost_per_result'], ['minimum_daily_spend']];
const MONEY_FIELDS: Record<string, string[][]> = {
  'ad_campaigns/create': CAMPAIGN_MONEY,
  'ad_campaigns/update': CAMPAIGN_MONEY,
  'ad_groups/create': AD_GROUP_MONEY,
  'ad_groups/update': AD_GROUP_MONEY,
  'ads/create': AD_GROUP_MONEY.map((path) => ['ad_group', ...path]),
};

function moneyProblems(opId: string, body: unknown, currency: string): string[] {
  const problems: string[] = [];
  const digits = minorDigits(currency);
  for (const path of MONEY_FIELDS[opId] ?? []) {
    let value: unknown = body;
    for (const key of path) value = isPlainObject(value) ? value[key] : undefined;
    if (value === undefined) continue;
    const where = `body.${path.join('.')}`;
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
      problems.push(`${where} must be a non-negative amount in ${currency}`);
    } else if (decimalsOf(value) > digits) {
      problems.push(`${where} must have at most ${digits} decimals in ${currency} (got ${value})`);
    }
  }
  return problems;
}

/** 32-bit FNV-1a: small, deterministic numbers from ids. */
function hash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

function pick(id: string, salt: string, lo: number, hi: number): number {
  return lo + (hash(`${id}:${salt}`) % (hi - lo + 1));
}

function newId(prefix: string): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  return prefix + [...randomBytes(16)].map((b) => alphabet[b % alphabet.length]).join('');
}

function round(n: number, digits: number): number {
  return Number(n.toFixed(digits));
}

/** JSON with object keys sorted, so equal bodies compare equal whatever their key order. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (isPlainObject(value)) {
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical(value[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value) ?? 'undefined';
}

class WhopError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function fail(status: number, message: string): never {
  throw new WhopError(status, message);
}

const ERROR_TYPES: Record<number, string> = {
  400: 'invalid_request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  409: 'conflict',
  429: 'rate_limit_exceeded',
  500: 'server_error',
};

function errorBody(status: number, message: string): unknown {
  const type = ERROR_TYPES[status] ?? (STATUS_CODES[status] ?? 'error').toLowerCase().replace(/\W+/g, '_');
  return { error: { type, message } };
}

// ---------------------------------------------------------------------------------------------------------------
// Response shapes

function resolve(facts: SchemaFacts): { facts: SchemaFacts; nullable: boolean } {
  let nullable = facts.nullable === true;
  let current = facts;
  for (let depth = 0; current.$ref && depth < 10; depth++) {
    current = whopResponses.schemas[current.$ref] ?? {};
    nullable ||= current.nullable === true;
  }
  return { facts: current, nullable };
}

/** The empty value of a response schema: null when nullable, else [], false, 0, the first enum value, or an object of empties. */
function emptyOf(schema: SchemaFacts): unknown {
  const { facts, nullable } = resolve(schema);
  if (nullable) return null;
  if (facts.enum) return facts.enum[0];
  if (facts.properties) return conform(facts, {});
  switch (facts.type) {
    case 'array':
      return [];
    case 'boolean':
      return false;
    case 'number':
    case 'integer':
      return 0;
    case 'string':
      return '';
    default:
      return {};
  }
}

/** A request value laid into a response schema: required properties it lacks are filled with empties, unlisted ones dropped. */
function conform(schema: SchemaFacts | undefined, value: unknown): unknown {
  if (!schema) return value;
  if (value === undefined || value === null) return emptyOf(schema);
  const { facts } = resolve(schema);
  if (facts.properties && isPlainObject(value)) {
    const out: Entity = {};
    for (const [key, prop] of Object.entries(facts.properties)) {
      if (value[key] !== undefined) out[key] = conform(prop, value[key]);
      else if (facts.required?.includes(key)) out[key] = emptyOf(prop);
    }
    return out;
  }
  if (facts.items && Array.isArray(value)) return value.map((item) => conform(facts.items, item));
  return value;
}

function responseProperty(schemaName: string, key: string): SchemaFacts | undefined {
  return whopResponses.schemas[schemaName]?.properties?.[key];
}

/** A request's region spec as the API answers it: zip codes given as `{key}` become their keys. */
function normalizeRegions(regions: unknown): unknown {
  if (!isPlainObject(regions)) return regions;
  const side = (part: unknown): unknown =>
    isPlainObject(part) && Array.isArray(part.zips)
      ? { ...part, zips: part.zips.map((z) => (isPlainObject(z) ? z.key : z)) }
      : part;
  return { ...regions, include: side(regions.include), exclude: side(regions.exclude) };
}

/** The response fields an ad group create/update body sets. */
function adGroupFields(body: Checked): Entity {
  const out: Entity = {};
  for (const [key, raw] of Object.entries(body)) {
    if (key === 'ad_campaign_id') continue;
    let value: unknown = raw;
    if (key === 'placements') value = raw === 'automatic' ? [] : raw;
    if (key === 'regions') value = normalizeRegions(raw);
    out[key] = conform(responseProperty('AdGroup', key), value);
  }
  return out;
}

/** The response fields an ad create/update body sets. */
function adFields(body: Checked): Entity {
  const out: Entity = {};
  for (const [key, value] of Object.entries(body)) {
    if (key === 'ad_group' || key === 'ad_group_id') continue;
    out[key] = conform(responseProperty('Ad', key), value);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// Stats: every ad has deterministic totals from its id; ad groups and campaigns sum their ads.

interface Totals {
  impressions: number;
  reach: number;
  clicks: number;
  uniqueClicks: number;
  /** In the currency's minor unit, so sums and splits stay exact. */
  spendMinor: number;
}

const NO_TOTALS: Totals = { impressions: 0, reach: 0, clicks: 0, uniqueClicks: 0, spendMinor: 0 };

function adTotals(id: string, digits: number): Totals {
  const impressions = pick(id, 'impressions', 2_000, 60_000);
  const clicks = Math.floor((impressions * pick(id, 'ctr', 5, 30)) / 1000);
  const unit = 10 ** digits;
  return {
    impressions,
    reach: Math.floor((impressions * pick(id, 'reach', 55, 90)) / 100),
    clicks,
    uniqueClicks: Math.floor((clicks * pick(id, 'unique', 70, 95)) / 100),
    spendMinor: pick(id, 'spend', 20, 400) * unit + pick(id, 'minor', 0, unit - 1),
  };
}

function addTotals(a: Totals, b: Totals): Totals {
  return {
    impressions: a.impressions + b.impressions,
    reach: a.reach + b.reach,
    clicks: a.clicks + b.clicks,
    uniqueClicks: a.uniqueClicks + b.uniqueClicks,
    spendMinor: a.spendMinor + b.spendMinor,
  };
}

const sumTotals = (list: Totals[]): Totals => list.reduce(addTotals, NO_TOTALS);

function spendOf(t: Totals, digits: number): number {
  return round(t.spendMinor / 10 ** digits, digits);
}

/** Every stats field of a campaign, ad group or ad: clicks, spend and their ratios; no attributed conversions. */
function statFields(t: Totals, currency: string): Entity {
  const digits = minorDigits(currency);
  const spend = spendOf(t, digits);
  const zero = (...keys: string[]) => Object.fromEntries(keys.map((k) => [k, 0]));
  const none = (...keys: string[]) => Object.fromEntries(keys.map((k) => [k, null]));
  return {
    impressions: t.impressions,
    reach: t.reach,
    clicks: t.clicks,
    unique_clicks: t.uniqueClicks,
    spend,
    spend_currency: currency,
    click_through_rate: t.impressions ? round(t.clicks / t.impressions, 6) : 0,
    unique_click_through_rate: t.impressions ? round(t.uniqueClicks / t.impressions, 6) : null,
    cost_per_click: t.clicks ? round(spend / t.clicks, 4) : 0,
    cost_per_unique_click: t.uniqueClicks ? round(spend / t.uniqueClicks, 4) : null,
    cost_per_mille: t.impressions ? round((spend * 1000) / t.impressions, 4) : 0,
    frequency: t.reach ? round(t.impressions / t.reach, 4) : null,
    return_on_ad_spend: 0,
    results: null,
    result_event: null,
    result_event_name: null,
    custom_event_counts: {},
    custom_event_values: {},
    ...zero(
      'added_to_cart_value',
      'added_to_carts',
      'completed_registration_value',
      'completed_registrations',
      'contact_value',
      'contacts',
      'custom_conversions',
      'lead_value',
      'leads',
      'purchase_value',
      'purchases',
      'schedule_value',
      'schedules',
      'submitted_application_value',
      'submitted_applications',
      'viewed_content_value',
      'viewed_contents',
    ),
    ...none(
      'cost_per_added_to_cart',
      'cost_per_completed_registration',
      'cost_per_contact',
      'cost_per_lead',
      'cost_per_purchase',
      'cost_per_result',
      'cost_per_schedule',
      'cost_per_submitted_application',
      'cost_per_viewed_content',
    ),
  };
}

/** An ad report summary (spend_currency lower case, like the SDK's Currency enum). */
function reportSummary(t: Totals, currency: string): Entity {
  const digits = minorDigits(currency);
  const spend = spendOf(t, digits);
  return {
    impressions: t.impressions,
    reach: t.reach,
    clicks: t.clicks,
    spend,
    spend_currency: currency.toLowerCase(),
    click_through_rate: t.impressions ? round(t.clicks / t.impressions, 6) : 0,
    cost_per_click: t.clicks ? round(spend / t.clicks, 4) : 0,
    cost_per_mille: t.impressions ? round((spend * 1000) / t.impressions, 4) : null,
    frequency: t.reach ? round(t.impressions / t.reach, 4) : null,
    return_on_ad_spend: spend ? 0 : null,
    result_count: null,
    result_label_key: null,
    result_label_override: null,
    cost_per_result: null,
  };
}

/** `total` in `parts` integers that add up to it, the remainder going to the first ones. */
function split(total: number, parts: number): number[] {
  const base = Math.floor(total / parts);
  const extra = total - base * parts;
  return Array.from({ length: parts }, (_, i) => base + (i < extra ? 1 : 0));
}

// ---------------------------------------------------------------------------------------------------------------
// Cursor pagination

type SortKey = [unknown, string];

function compareValues(a: unknown, b: unknown): number {
  if (a === b) return 0;
  if (a === null || a === undefined) return -1;
  if (b === null || b === undefined) return 1;
  if (typeof a === 'number' && typeof b === 'number') return a < b ? -1 : 1;
  return String(a) < String(b) ? -1 : String(a) > String(b) ? 1 : 0;
}

interface PageQuery {
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
function paginate(items: Entity[], q: PageQuery): { data: Entity[]; page_info: Entity } {
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
function commonFilters(items: Entity[], query: Checked): Entity[] {
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

// ---------------------------------------------------------------------------------------------------------------
// Targeting taxonomy and reach

type Option = Entity & { type: string; name: string };

const detailed = (type: string, id: string, name: string, description: string, size: number): Option => ({
  id,
  type,
  name,
  description,
  audience_size_lower_bound: Math.round(size * 0.9),
  audience_size_upper_bound: Math.round(size * 1.1),
});
const language = (code: string, name: string): Option => ({ type: 'languages', code, name });
const location = (
  location_type: string,
  key: string,
  name: string,
  country_code: string,
  country_name: string,
  region: string | null,
  code: string | null,
): Option => ({ type: 'locations', key, name, code, country_code, country_name, location_type, region });

const TAXONOMY: readonly Option[] = [
  detailed('interests', '6003139266461', 'Movies', 'People interested in movies', 900_000_000),
  detailed('interests', '6003384248805', 'Fitness and wellness', 'People interested in fitness and wellness', 700_000_000),
  detailed('interests', '6003346592981', 'Online shopping', 'People interested in online shopping', 800_000_000),
  detailed('interests', '6003940339466', 'Video games', 'People interested in video games', 650_000_000),
  detailed('interests', '6003397425735', 'Cooking', 'People interested in cooking', 500_000_000),
  detailed('behaviors', '6002714895372', 'Frequent travelers', 'People who travel often', 250_000_000),
  detailed('behaviors', '6071631541183', 'Engaged shoppers', 'People who clicked shop-now buttons recently', 400_000_000),
  detailed('behaviors', '6002714898572', 'Small business owners', 'People who run a small business', 90_000_000),
  detailed('life_events', '6003054185372', 'Recently moved', 'People who moved in the last 6 months', 40_000_000),
  detailed('life_events', '6002714398172', 'Newly engaged (3 months)', 'People engaged in the last 3 months', 12_000_000),
  detailed('industries', '6008888980183', 'Information technology', 'People who work in IT', 60_000_000),
  detailed('industries', '6008888954983', 'Healthcare and medical services', 'People who work in healthcare', 55_000_000),
  detailed('income', '6107813079183', 'Top 10% of ZIP codes (US)', 'People in the top 10% of US ZIP codes by income', 25_000_000),
  detailed('family_statuses', '6023005458383', 'Parents (All)', 'Parents with children of any age', 300_000_000),
  language('en', 'English'),
  language('es', 'Spanish'),
  language('fr', 'French'),
  language('de', 'German'),
  language('ja', 'Japanese'),
  location('country', 'US', 'United States', 'US', 'United States', null, 'US'),
  location('country', 'GB', 'United Kingdom', 'GB', 'United Kingdom', null, 'GB'),
  location('country', 'CA', 'Canada', 'CA', 'Canada', null, 'CA'),
  location('country', 'DE', 'Germany', 'DE', 'Germany', null, 'DE'),
  location('country', 'JP', 'Japan', 'JP', 'Japan', null, 'JP'),
  location('region', '3847', 'California', 'US', 'United States', 'California', 'CA'),
  location('region', '3886', 'Texas', 'US', 'United States', 'Texas', 'TX'),
  location('city', '2421836', 'Austin', 'US', 'United States', 'Texas', null),
  location('city', '2418779', 'San Francisco', 'US', 'United States', 'California', null),
  location('city', '298795', 'London', 'GB', 'United Kingdom', 'England', null),
  location('zip', 'US:94103', '94103', 'US', 'United States', 'California', '94103'),
];

/** Types a blank query browses; interests and locations need a search term. */
const BROWSABLE = new Set(['behaviors', 'life_events', 'industries', 'income', 'family_statuses', 'languages']);

/** People reachable per country, roughly; other countries count 10 million. */
const COUNTRY_POPULATION: Record<string, number> = {
  US: 240_000_000,
  GB: 55_000_000,
  CA: 32_000_000,
  DE: 60_000_000,
  JP: 85_000_000,
  FR: 50_000_000,
  BR: 150_000_000,
  IN: 400_000_000,
};

function estimateReach(body: Checked): Entity {
  const include = body.regions?.include ?? {};
  const exclude = body.regions?.exclude ?? {};
  const countries: string[] = include.countries ?? [];
  const excluded = new Set<string>(exclude.countries ?? []);
  const population = (c: string) => COUNTRY_POPULATION[c.toUpperCase()] ?? 10_000_000;
  const narrower = [...(include.regions ?? []), ...(include.cities ?? []), ...(include.zips ?? []), ...(include.custom_locations ?? [])];
  let people = countries.length
    ? countries.filter((c) => !excluded.has(c)).reduce((sum, c) => sum + population(c), 0)
    : narrower.length
      ? narrower.length * 2_000_000
      : 2_000_000_000;
  const demo = body.demographics ?? {};
  if (!demo.automatic) {
    const min = demo.minimum_age ?? 18;
    const max = demo.maximum_age ?? 65;
    people *= Math.max(1, max - min + 1) / 48;
    if (demo.gender === 'male' || demo.gender === 'female') people *= 0.5;
  }
  const targeting = body.detailed_targeting ?? {};
  const categories = (targeting.interests?.length ?? 0) + (targeting.behaviors?.length ?? 0) + (targeting.demographics?.length ?? 0);
  if (categories) people *= Math.min(0.9, 0.15 * categories);
  if (body.languages?.length) people *= Math.min(1, 0.3 * body.languages.length);
  if (body.devices?.platforms?.length === 1) people *= body.devices.platforms[0] === 'mobile' ? 0.85 : 0.3;
  if (body.audiences?.include?.length) people = Math.min(people, 50_000 * body.audiences.include.length);
  const thousands = (n: number) => Math.max(1000, Math.round(n / 1000) * 1000);
  return { users_lower_bound: thousands(people * 0.85), users_upper_bound: thousands(people * 1.15) };
}

// ---------------------------------------------------------------------------------------------------------------
// Ad report buckets

interface Bucket {
  bucket_start: string;
  stat_date: string;
  stat_hour: number | null;
  /** Indices of the days (from `from`) it covers. */
  days: number[];
}

function reportDay(value: unknown, name: string): number {
  const m = /^(\d{4}-\d{2}-\d{2})(?:[Tt ].*)?$/.exec(String(value));
  const ms = m ? Date.parse(`${m[1]}T00:00:00Z`) : NaN;
  if (!m || Number.isNaN(ms) || new Date(ms).toISOString().slice(0, 10) !== m[1]) {
    fail(400, `${name} must be a date (YYYY-MM-DD) or an ISO 8601 timestamp`);
  }
  return ms / DAY_MS;
}

function buckets(fromDay: number, dayCount: number, granularity: string): Bucket[] {
  const date = (day: number) => new Date(day * DAY_MS).toISOString().slice(0, 10);
  const out: Bucket[] = [];
  if (granularity === 'hourly') {
    for (let d = 0; d < dayCount; d++) {
      for (let h = 0; h < 24; h++) {
        out.push({ bucket_start: new Date((fromDay + d) * DAY_MS + h * 3_600_000).toISOString(), stat_date: date(fromDay + d), stat_hour: h, days: [d] });
      }
    }
    return out;
  }
  for (let d = 0; d < dayCount; d++) {
    const day = fromDay + d;
    const startsBucket =
      d === 0 ||
      granularity === 'daily' ||
      (granularity === 'weekly' && d % 7 === 0) ||
      (granularity === 'monthly' && date(day).endsWith('-01'));
    if (startsBucket) out.push({ bucket_start: `${date(day)}T00:00:00.000Z`, stat_date: date(day), stat_hour: null, days: [] });
    out[out.length - 1].days.push(d);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// The server

interface Context {
  path: Record<string, any>;
  query: Checked;
  body: Checked;
}

export async function startWhopEmulator(options: WhopEmulatorOptions = {}): Promise<WhopEmulator> {
  catalogIntake ??= new CatalogIntake(whopCatalog, whopResponses, { refuseUnlistedProperties: true });
  const { synthesizer } = catalogIntake;
  const intake = catalogIntake;
  const keys = new Set(options.apiKeys ?? [WHOP_TEST_KEY]);
  const currency = (options.currency ?? 'USD').toUpperCase();
  const digits = minorDigits(currency);
  const requests: WhopRecordedRequest[] = [];
  const campaigns = new Map<string, Entity>();
  const adGroups = new Map<string, Entity>();
  const ads = new Map<string, Entity>();
  const audiences = new Map<string, Entity>();
  const failures: number[] = [];
  const idempotent = new Map<string, { fingerprint: string; status: number; text: string }>();

  /** Timestamps strictly increase, so created_at orders entities deterministically. */
  let lastTime = 0;
  const now = (): string => {
    lastTime = Math.max(Date.now(), lastTime + 1);
    return new Date(lastTime).toISOString();
  };

  const refId = (ref: unknown): string => (isPlainObject(ref) ? String(ref.id) : '');
  const shape = (opId: string, fields: Entity): Entity => Object.assign(synthesizer.body(opId) as Entity, fields);

  function found(map: Map<string, Entity>, id: unknown, label: string): Entity {
    const entity = map.get(String(id));
    if (!entity) fail(404, `${label} ${String(id)} not found`);
    return entity;
  }

  function account(id: unknown): string {
    const value = id === undefined || id === null ? WHOP_SEED.account : String(id);
    if (value !== WHOP_SEED.account) fail(404, `Account ${value} not found`);
    return value;
  }

  const groupsOf = (campaignId: string) => [...adGroups.values()].filter((g) => refId(g.ad_campaign) === campaignId);
  const adsOfGroup = (groupId: string) => [...ads.values()].filter((a) => refId(a.ad_group) === groupId);
  const campaignOfAd = (ad: Entity) => refId(adGroups.get(refId(ad.ad_group))?.ad_campaign ?? ad.ad_campaign);

  /** Lays the derived fields (parents, stats, delivery status) over every entity, also after a test edited the maps. */
  function refresh(): void {
    const byGroup = new Map<string, Totals[]>();
    const byCampaign = new Map<string, Totals[]>();
    for (const ad of ads.values()) {
      const groupId = refId(ad.ad_group);
      const campaignId = campaignOfAd(ad);
      ad.ad_campaign = { id: campaignId };
      const totals = adTotals(String(ad.id), digits);
      byGroup.set(groupId, [...(byGroup.get(groupId) ?? []), totals]);
      byCampaign.set(campaignId, [...(byCampaign.get(campaignId) ?? []), totals]);
      const group = adGroups.get(groupId);
      const campaign = campaigns.get(campaignId);
      const delivery =
        ad.status !== 'active'
          ? ad.status
          : campaign?.status === 'draft'
            ? 'draft'
            : campaign && campaign.status !== 'active'
              ? 'campaign_paused'
              : group && group.status !== 'active'
                ? 'ad_group_paused'
                : 'active';
      Object.assign(ad, statFields(totals, currency), { delivery_status: delivery });
    }
    for (const group of adGroups.values()) {
      const id = String(group.id);
      const campaign = campaigns.get(refId(group.ad_campaign));
      const own = adsOfGroup(id);
      const delivery =
        group.status !== 'active'
          ? group.status
          : campaign?.status === 'draft'
            ? 'draft'
            : campaign && campaign.status !== 'active'
              ? 'campaign_paused'
              : own.length === 0
                ? 'no_ads'
                : own.every((a) => a.status !== 'active')
                  ? 'ads_off'
                  : 'active';
      Object.assign(group, statFields(sumTotals(byGroup.get(id) ?? []), currency), { delivery_status: delivery });
    }
    for (const campaign of campaigns.values()) {
      const id = String(campaign.id);
      const groups = groupsOf(id);
      const delivery =
        campaign.status !== 'active'
          ? ['draft', 'paused', 'payment_failed'].includes(String(campaign.status))
            ? campaign.status
            : 'processing'
          : groups.length === 0
            ? 'no_ad_groups'
            : groups.every((g) => adsOfGroup(String(g.id)).length === 0)
              ? 'no_ads'
              : groups.every((g) => g.status !== 'active')
                ? 'ad_groups_off'
                : 'active';
      Object.assign(campaign, statFields(sumTotals(byCampaign.get(id) ?? []), currency), {
        delivery_status: delivery,
        optimization_goal: campaign.optimization_goal ?? null,
      });
    }
  }

  // --- campaigns ---------------------------------------------------------------------------------------------

  /** Settings that only a campaign owning its budget takes. */
  const CAMPAIGN_BUDGET_ONLY = ['budget_amount', 'bid_type', 'desired_cost_per_result', 'starts_at', 'ends_at'];

  function checkSchedule(body: Checked): void {
    for (const key of ['starts_at', 'ends_at']) {
      if (body[key] !== undefined && Number.isNaN(Date.parse(String(body[key])))) fail(400, `${key} must be an ISO 8601 timestamp`);
    }
  }

  function createCampaign(body: Checked, id = newId('adcamp_')): Entity {
    account(body.account_id);
    const optimization = body.budget_optimization ?? 'ad_group';
    if (optimization === 'ad_campaign' && body.budget_amount === undefined) {
      fail(400, 'budget_amount is required when budget_optimization is ad_campaign');
    }
    if (optimization === 'ad_group') {
      const extra = CAMPAIGN_BUDGET_ONLY.filter((k) => body[k] !== undefined);
      if (extra.length) fail(400, `${extra.join(', ')} only apply to a campaign that owns the budget (budget_optimization ad_campaign)`);
    }
    checkSchedule(body);
    const time = now();
    const campaign = shape('ad_campaigns/get', {
      id,
      title: body.title,
      objective: body.objective,
      platform: body.platform,
      status: 'draft',
      bid_type: body.bid_type ?? null,
      budget_amount: body.budget_amount ?? null,
      budget_optimization: optimization,
      budget_type: body.budget_type ?? 'daily',
      desired_cost_per_result: body.desired_cost_per_result ?? null,
      starts_at: body.starts_at ?? null,
      ends_at: body.ends_at ?? null,
      special_ad_categories: body.special_ad_categories ?? [],
      optimization_goal: null,
      issues: [],
      created_at: time,
      updated_at: time,
    });
    campaigns.set(id, campaign);
    return campaign;
  }

  function updateCampaign(campaign: Entity, body: Checked): Entity {
    const switching = body.budget_optimization !== undefined && body.budget_optimization !== campaign.budget_optimization;
    if (switching && campaign.status !== 'draft') fail(400, 'budget_optimization can only change before the campaign launches');
    if (switching && body.budget_optimization === 'ad_campaign' && body.budget_amount === undefined) {
      fail(400, 'switching budget_optimization to ad_campaign requires budget_amount in the same request');
    }
    const optimization = body.budget_optimization ?? campaign.budget_optimization;
    if (optimization !== 'ad_campaign') {
      const extra = CAMPAIGN_BUDGET_ONLY.filter((k) => body[k] !== undefined);
      if (extra.length) fail(400, `${extra.join(', ')} only apply to a campaign that owns the budget (budget_optimization ad_campaign)`);
    }
    if (body.status === 'active' && campaign.status !== 'draft' && campaign.status !== 'active') {
      fail(400, `status active launches a draft campaign; this one is ${String(campaign.status)} (use unpause or retry_payment)`);
    }
    checkSchedule(body);
    Object.assign(campaign, body);
    if (switching && body.budget_optimization === 'ad_group') Object.assign(campaign, { budget_amount: null, bid_type: null, desired_cost_per_result: null });
    if (body.bid_type === 'minimum_cost') {
      for (const group of groupsOf(String(campaign.id))) group.desired_cost_per_result = null;
    }
    campaign.updated_at = now();
    return campaign;
  }

  function transition(entity: Entity, label: string, from: string, to: string, verb: string): Entity {
    if (entity.status !== from) fail(400, `${label} ${String(entity.id)} is ${String(entity.status)}, so it cannot be ${verb} (it must be ${from})`);
    entity.status = to;
    entity.updated_at = now();
    return entity;
  }

  function deleteGroup(id: string): void {
    for (const ad of adsOfGroup(id)) ads.delete(String(ad.id));
    adGroups.delete(id);
  }

  // --- ad groups ---------------------------------------------------------------------------------------------

  function checkGroupBudget(campaign: Entity, body: Checked): void {
    if (campaign.budget_optimization === 'ad_campaign' && (body.budget_amount !== undefined || body.budget_type !== undefined)) {
      fail(400, `Ad campaign ${String(campaign.id)} owns the budget (budget_optimization ad_campaign): its ad groups take no budget_amount or budget_type`);
    }
  }

  /** Checks an ad group create body; the returned function creates it. */
  function prepareAdGroup(body: Checked, id = newId('adgrp_')): () => Entity {
    const campaign = found(campaigns, body.ad_campaign_id, 'Ad campaign');
    checkGroupBudget(campaign, body);
    checkSchedule(body);
    return () => {
      const time = now();
      const schema = whopResponses.schemas.AdGroup.properties ?? {};
      const group = shape('ad_groups/get', {
        id,
        ad_campaign: { id: campaign.id },
        status: 'active',
        title: null,
        bid_type: null,
        budget_amount: null,
        budget_type: campaign.budget_optimization === 'ad_campaign' ? null : 'daily',
        desired_cost_per_result: null,
        minimum_daily_spend: null,
        conversion_event: null,
        conversion_location: null,
        optimization_goal: null,
        dynamic_creative: false,
        starts_at: null,
        ends_at: null,
        frequency_cap: null,
        languages: [],
        message_apps: [],
        placements: [],
        issues: [],
        audiences: emptyOf(schema.audiences),
        demographics: emptyOf(schema.demographics),
        detailed_targeting: emptyOf(schema.detailed_targeting),
        devices: emptyOf(schema.devices),
        regions: emptyOf(schema.regions),
        ...adGroupFields(body),
        created_at: time,
        updated_at: time,
      });
      adGroups.set(id, group);
      return group;
    };
  }

  // --- ads ---------------------------------------------------------------------------------------------------

  function createAd(body: Checked, id = newId('ad_')): Entity {
    if ((body.ad_group_id === undefined) === (body.ad_group === undefined)) fail(400, 'Provide exactly one of ad_group_id or ad_group');
    const group = body.ad_group_id !== undefined ? found(adGroups, body.ad_group_id, 'Ad group') : prepareAdGroup(body.ad_group)();
    const time = now();
    const ad = shape('ads/get', {
      id,
      ad_group: { id: group.id },
      ad_campaign: { id: refId(group.ad_campaign) },
      status: 'active',
      title: null,
      call_to_action: null,
      creatives: [],
      descriptions: [],
      headlines: [],
      primary_texts: [],
      issues: [],
      lead_form: null,
      lead_form_id: null,
      messaging_config: null,
      multi_advertiser_ads: false,
      post_id: null,
      post_source: null,
      post_thumbnail_url: null,
      social_accounts: [],
      url: null,
      url_parameters: {},
      ...adFields(body),
      created_at: time,
      updated_at: time,
    });
    ads.set(id, ad);
    return ad;
  }

  // --- audiences ---------------------------------------------------------------------------------------------

  function audience(fields: Entity): Entity {
    const time = now();
    return shape('audiences/create', {
      error_message: null,
      lookalike_ratio: null,
      lookalike_starting_ratio: null,
      match_rates: [],
      matched_rows: 0,
      platform_audience_ids: [],
      processed_rows: 0,
      progress_percent: 0,
      source_audience_id: null,
      status: 'processing',
      total_rows: 0,
      ...fields,
      created_at: time,
      updated_at: time,
    });
  }

  function createAudiences(body: Checked): unknown {
    account(body.account_id);
    const lookalike = body.audience_type === 'lookalike';
    const present = (list: string[]) => list.filter((k) => body[k] !== undefined);
    if (!lookalike) {
      const wrong = present(['source_audience_id', 'count', 'percentage']);
      if (wrong.length) fail(400, `${wrong.join(', ')} only apply to lookalike audiences`);
      const missing = ['name', 'column_mapping', 'file_id'].filter((k) => body[k] === undefined);
      if (missing.length) fail(400, `a custom audience needs ${missing.join(', ')}`);
      if (!body.column_mapping.email && !body.column_mapping.phone) fail(400, 'column_mapping must map at least one of email or phone');
      const created = audience({ id: newId('adaud_'), audience_type: 'custom', name: body.name });
      audiences.set(String(created.id), created);
      return created;
    }
    const wrong = present(['name', 'column_mapping', 'file_id']);
    if (wrong.length) fail(400, `${wrong.join(', ')} only apply to custom audiences (lookalike names are generated)`);
    const missing = ['source_audience_id', 'count', 'percentage'].filter((k) => body[k] === undefined);
    if (missing.length) fail(400, `a lookalike audience needs ${missing.join(', ')}`);
    const source = found(audiences, body.source_audience_id, 'Audience');
    if (source.audience_type !== 'custom' || !['ready', 'partial'].includes(String(source.status))) {
      fail(400, `Audience ${String(source.id)} is not a ready custom audience`);
    }
    if (Number(source.matched_rows) < 100) fail(400, `Audience ${String(source.id)} has fewer than 100 matched people`);
    const { count, percentage } = body as { count: number; percentage: number };
    if (!Number.isInteger(count) || count < 1 || count > 6) fail(400, 'count must be a whole number from 1 to 6');
    if (!Number.isInteger(percentage) || percentage < 1 || percentage > 20) fail(400, 'percentage must be a whole number from 1 to 20');
    if (percentage % count !== 0) fail(400, `percentage ${percentage} must be divisible by count ${count}`);
    const step = percentage / count;
    const data = Array.from({ length: count }, (_, i) => {
      const created = audience({
        id: newId('adaud_'),
        audience_type: 'lookalike',
        name: `${String(source.name)} lookalike ${i * step}-${(i + 1) * step}%`,
        source_audience_id: source.id,
        lookalike_starting_ratio: i === 0 ? null : round((i * step) / 100, 4),
        lookalike_ratio: round(((i + 1) * step) / 100, 4),
      });
      audiences.set(String(created.id), created);
      return created;
    });
    return { data };
  }

  // --- reports -----------------------------------------------------------------------------------------------

  function adReport(query: Checked): Entity {
    const scopes = ['company_id', 'ad_campaign_ids', 'ad_group_ids', 'ad_ids'].filter((k) => query[k] !== undefined && query[k] !== null);
    if (scopes.length !== 1) fail(400, 'Provide exactly one of company_id, ad_campaign_ids, ad_group_ids or ad_ids');
    const scope = scopes[0];
    if (query.currency !== undefined && query.currency !== null && String(query.currency).toUpperCase() !== currency) {
      fail(400, `Spend is reported in the account currency ${currency}; currency ${String(query.currency)} is not available`);
    }
    const fromDay = reportDay(query.from, 'from');
    const toDay = reportDay(query.to, 'to');
    if (toDay < fromDay) fail(400, 'to must not be before from');
    const dayCount = toDay - fromDay + 1;

    const allAds = [...ads.values()];
    let scoped: Entity[];
    if (scope === 'company_id') {
      account(query.company_id);
      scoped = allAds;
    } else {
      const ids: string[] = query[scope];
      if (ids.length === 0 || ids.length > 100) fail(400, `${scope} must list 1 to 100 ids`);
      const [map, label] = scope === 'ad_campaign_ids' ? [campaigns, 'Ad campaign'] : scope === 'ad_group_ids' ? [adGroups, 'Ad group'] : [ads, 'Ad'];
      const unknown = ids.filter((id) => !map.has(id));
      if (unknown.length) fail(404, `${label} ${unknown.join(', ')} not found`);
      const wanted = new Set(ids);
      scoped = allAds.filter((ad) =>
        wanted.has(scope === 'ad_campaign_ids' ? campaignOfAd(ad) : scope === 'ad_group_ids' ? refId(ad.ad_group) : String(ad.id)),
      );
    }

    const granularity: string | null = query.granularity ?? null;
    const grid = granularity ? buckets(fromDay, dayCount, granularity) : [];
    if (grid.length > MAX_REPORT_BUCKETS) fail(400, `the range makes more than ${MAX_REPORT_BUCKETS} ${granularity} rows; narrow from/to`);
    /** An ad's totals spread over the days of the range (and, for hourly rows, over the hours of each day). */
    const rowsOf = (list: Entity[]): Entity[] => {
      const sums = grid.map(() => ({ ...NO_TOTALS }));
      for (const ad of list) {
        const t = adTotals(String(ad.id), digits);
        const perDay = (k: keyof Totals) => split(t[k], dayCount);
        const days = { impressions: perDay('impressions'), reach: perDay('reach'), clicks: perDay('clicks'), spendMinor: perDay('spendMinor') };
        grid.forEach((bucket, i) => {
          for (const k of ['impressions', 'reach', 'clicks', 'spendMinor'] as const) {
            const share = bucket.stat_hour === null
              ? bucket.days.reduce((sum, d) => sum + days[k][d], 0)
              : k === 'reach'
                ? 0 // no reach at hourly grain
                : split(days[k][bucket.days[0]], 24)[bucket.stat_hour];
            sums[i][k] += share;
          }
        });
      }
      return grid.map((bucket, i) => ({
        bucket_start: bucket.bucket_start,
        stat_date: bucket.stat_date,
        stat_hour: bucket.stat_hour,
        granularity,
        impressions: sums[i].impressions,
        reach: sums[i].reach,
        clicks: sums[i].clicks,
        spend: spendOf(sums[i], digits),
        spend_currency: currency.toLowerCase(),
        result_count: null,
        result_label_key: null,
        result_label_override: null,
      }));
    };
    const totalsOf = (list: Entity[]) => sumTotals(list.map((ad) => adTotals(String(ad.id), digits)));

    let breakdown: Entity[] | null = null;
    const level: string | null = query.breakdown ?? null;
    if (level) {
      const groupKey = (ad: Entity) => (level === 'campaign' ? campaignOfAd(ad) : level === 'ad_group' ? refId(ad.ad_group) : String(ad.id));
      const levelMap = level === 'campaign' ? campaigns : level === 'ad_group' ? adGroups : ads;
      // Every entity of the level that the scope covers, with no ads or with some: the rows add up to the summary.
      const inScope = new Set(scoped.map(groupKey));
      if (scope === 'company_id') for (const id of levelMap.keys()) inScope.add(id);
      if (scope === 'ad_campaign_ids' && level !== 'ad') {
        for (const cid of query.ad_campaign_ids as string[]) {
          if (level === 'campaign') inScope.add(cid);
          else for (const g of groupsOf(cid)) inScope.add(String(g.id));
        }
      }
      if (scope === 'ad_group_ids' && level !== 'ad') {
        for (const gid of query.ad_group_ids as string[]) inScope.add(level === 'ad_group' ? gid : refId(adGroups.get(gid)?.ad_campaign));
      }
      breakdown = [...inScope]
        .filter((id) => levelMap.has(id))
        .sort()
        .map((id) => {
          const own = scoped.filter((ad) => groupKey(ad) === id);
          return {
            id,
            level,
            name: (levelMap.get(id)?.title as string | null | undefined) ?? null,
            summary: reportSummary(totalsOf(own), currency),
            granularity: granularity ? rowsOf(own) : null,
          };
        });
    }
    return {
      summary: reportSummary(totalsOf(scoped), currency),
      granularity: granularity ? rowsOf(scoped) : null,
      breakdown,
    };
  }

  // --- targeting ---------------------------------------------------------------------------------------------

  function targetingOptions(query: Checked): Entity {
    account(query.account_id);
    const types: string[] = query.types ?? ['interests', 'behaviors', 'life_events', 'industries', 'income', 'family_statuses', 'languages', 'locations'];
    const text = typeof query.query === 'string' ? query.query.trim().toLowerCase() : '';
    const limit = query.limit;
    if (limit !== undefined && (!Number.isInteger(limit) || limit < 1 || limit > 1000)) fail(400, 'limit must be a whole number from 1 to 1000');
    const data: Entity[] = [];
    for (const type of types) {
      if (!text && !BROWSABLE.has(type)) continue;
      let options = TAXONOMY.filter((o) => o.type === type && (!text || [o.name, o.code, o.key].some((v) => typeof v === 'string' && v.toLowerCase().includes(text))));
      if (type === 'locations') {
        if (query.country) options = options.filter((o) => o.country_code === String(query.country).toUpperCase());
        if (query.location_types) options = options.filter((o) => (query.location_types as string[]).includes(String(o.location_type)));
      }
      data.push(...options.slice(0, limit ?? options.length).map((o) => ({ ...o })));
    }
    return { data };
  }

  // --- routes ------------------------------------------------------------------------------------------------

  const ok = (body: unknown): Answer => ({ status: 200, body });
  const list = (items: Entity[], query: Checked) => ok(paginate(commonFilters(items, query), query));
  const campaignOf = (c: Context) => found(campaigns, c.path.id, 'Ad campaign');
  const groupOf = (c: Context) => found(adGroups, c.path.id, 'Ad group');
  const adOf = (c: Context) => found(ads, c.path.id, 'Ad');

  const handlers: Record<string, (c: Context) => Answer> = {
    'ad_campaigns/list': (c) => {
      account(c.query.account_id);
      return list([...campaigns.values()], c.query);
    },
    'ad_campaigns/create': (c) => ok(createCampaign(c.body)),
    'ad_campaigns/get': (c) => ok(campaignOf(c)),
    'ad_campaigns/update': (c) => ok(updateCampaign(campaignOf(c), c.body)),
    'ad_campaigns/delete': (c) => {
      const campaign = campaignOf(c);
      for (const group of groupsOf(String(campaign.id))) deleteGroup(String(group.id));
      campaigns.delete(String(campaign.id));
      return ok(true);
    },
    'ad_campaigns/pause': (c) => ok(transition(campaignOf(c), 'Ad campaign', 'active', 'paused', 'paused')),
    'ad_campaigns/unpause': (c) => ok(transition(campaignOf(c), 'Ad campaign', 'paused', 'active', 'unpaused')),
    'ad_campaigns/retry_payment': (c) => ok(transition(campaignOf(c), 'Ad campaign', 'payment_failed', 'active', 'charged again')),

    'ad_groups/list': (c) => {
      account(c.query.account_id);
      const items = [...adGroups.values()].filter((g) => c.query.ad_campaign_id === undefined || refId(g.ad_campaign) === c.query.ad_campaign_id);
      return list(items, c.query);
    },
    'ad_groups/create': (c) => ok(prepareAdGroup(c.body)()),
    'ad_groups/get': (c) => ok(groupOf(c)),
    'ad_groups/update': (c) => {
      const group = groupOf(c);
      const campaign = campaigns.get(refId(group.ad_campaign));
      if (campaign) checkGroupBudget(campaign, c.body);
      checkSchedule(c.body);
      Object.assign(group, adGroupFields(c.body), { updated_at: now() });
      return ok(group);
    },
    'ad_groups/delete': (c) => {
      deleteGroup(String(groupOf(c).id));
      return ok(true);
    },
    'ad_groups/pause': (c) => ok(transition(groupOf(c), 'Ad group', 'active', 'paused', 'paused')),
    'ad_groups/unpause': (c) => ok(transition(groupOf(c), 'Ad group', 'paused', 'active', 'unpaused')),
    'ad_groups/targeting_options': (c) => ok(targetingOptions(c.query)),
    'ad_groups/estimate_reach': (c) => {
      account(c.body.account_id);
      return ok(estimateReach(c.body));
    },

    'ads/list': (c) => {
      account(c.query.account_id);
      const items = [...ads.values()].filter(
        (a) =>
          (c.query.ad_campaign_id === undefined || campaignOfAd(a) === c.query.ad_campaign_id) &&
          (c.query.ad_group_id === undefined || refId(a.ad_group) === c.query.ad_group_id),
      );
      return list(items, c.query);
    },
    'ads/create': (c) => ok(createAd(c.body)),
    'ads/get': (c) => ok(adOf(c)),
    'ads/update': (c) => {
      const ad = adOf(c);
      Object.assign(ad, adFields(c.body), { updated_at: now() });
      return ok(ad);
    },
    'ads/delete': (c) => {
      ads.delete(String(adOf(c).id));
      return ok(true);
    },
    'ads/pause': (c) => ok(transition(adOf(c), 'Ad', 'active', 'paused', 'paused')),
    'ads/unpause': (c) => ok(transition(adOf(c), 'Ad', 'paused', 'active', 'unpaused')),

    'ad_reports/get': (c) => ok(adReport(c.query)),

    'audiences/list': (c) => {
      account(c.query.account_id);
      const items = [...audiences.values()].filter(
        (a) =>
          (c.query.audience_id === undefined || a.id === c.query.audience_id) &&
          (c.query.audience_type === undefined || a.audience_type === c.query.audience_type),
      );
      return ok(paginate(items, { first: c.query.first, after: c.query.after }));
    },
    'audiences/create': (c) => ok(createAudiences(c.body)),
    'audiences/delete': (c) => {
      audiences.delete(String(found(audiences, c.path.audience_id, 'Audience').id));
      return ok({ success: true });
    },
  };

  // --- seed --------------------------------------------------------------------------------------------------

  if (options.seed ?? true) {
    const campaign = createCampaign({ title: 'Spring launch', objective: 'sales', platform: 'meta' }, WHOP_SEED.campaign);
    campaign.status = 'active';
    prepareAdGroup(
      {
        ad_campaign_id: WHOP_SEED.campaign,
        title: 'US prospecting',
        budget_amount: 50,
        budget_type: 'daily',
        optimization_goal: 'conversions',
        regions: { include: { countries: ['US'] } },
        demographics: { minimum_age: 18, maximum_age: 65 },
      },
      WHOP_SEED.adGroup,
    )();
    createAd(
      {
        ad_group_id: WHOP_SEED.adGroup,
        title: 'Spring sale',
        headlines: ['Spring sale: 20% off'],
        primary_texts: ['Join this week and save.'],
        call_to_action: 'shop_now',
        url: 'https://whop.com/demo',
      },
      WHOP_SEED.ad,
    );
    audiences.set(
      WHOP_SEED.audience,
      audience({
        id: WHOP_SEED.audience,
        audience_type: 'custom',
        name: 'Past buyers',
        status: 'ready',
        progress_percent: 100,
        total_rows: 1200,
        processed_rows: 1200,
        matched_rows: 960,
        platform_audience_ids: ['23850000000000001'],
        match_rates: [{ platform: 'meta', status: 'available', lower_bound: 70, upper_bound: 80 }],
      }),
    );
    refresh();
  }

  // --- the request pipeline ----------------------------------------------------------------------------------

  function answer(record: WhopRecordedRequest, ctx: Context | undefined): Answer {
    const failure = failures.shift();
    if (failure !== undefined) {
      if (failure === 429) return { status: 429, body: errorBody(429, 'Rate limit exceeded. Try again in 1 seconds.'), headers: { 'retry-after': '0' } };
      return { status: failure, body: errorBody(failure, `Injected failure: ${STATUS_CODES[failure] ?? 'error'}`) };
    }
    if (!ctx || !record.op) return { status: 404, body: errorBody(404, `No route for ${record.method} ${BASE_PATH}${record.path}`) };
    const bearer = bearerToken(record.headers.authorization);
    if (bearer === undefined || !keys.has(bearer)) return { status: 401, body: errorBody(401, 'Invalid or missing API key') };
    if (record.problems.length) return { status: 400, body: errorBody(400, record.problems.join('; ')) };

    const key = record.method === 'POST' ? record.headers['idempotency-key'] : undefined;
    const fingerprint = `${record.method} ${record.path} ${canonical(record.body)}`;
    if (key !== undefined) {
      const seen = idempotent.get(key);
      if (seen && seen.fingerprint !== fingerprint) {
        return { status: 409, body: errorBody(409, `Idempotency-Key ${key} was already used for a different request`) };
      }
      if (seen) {
        record.replayed = true;
        return { status: seen.status, body: JSON.parse(seen.text), headers: { 'idempotent-replayed': 'true' } };
      }
    }
    let out: Answer;
    try {
      refresh();
      out = handlers[record.op](ctx);
      refresh();
    } catch (error) {
      if (!(error instanceof WhopError)) throw error;
      return { status: error.status, body: errorBody(error.status, error.message) };
    }
    if (key !== undefined && out.status < 300) idempotent.set(key, { fingerprint, status: out.status, text: JSON.stringify(out.body) });
    return out;
  }

  async function onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const call = await readCall(req, BASE_PATH, MAX_BODY_BYTES);
    const checked = intake.check(call);
    const { op, params, body } = checked;
    if (op && !op.body && call.raw.length) checked.problems.push(`${op.id} takes no request body`);
    if (op) checked.problems.push(...moneyProblems(op.id, body, currency));
    const ctx: Context | undefined = op && { path: params.path, query: params.query, body: (isPlainObject(body) ? body : {}) as Checked };
    const record: WhopRecordedRequest = { ...recordOf(call, checked), op: op?.id };
    requests.push(record);
    const out = answer(record, ctx);
    record.status = out.status;
    sendAnswer(res, out);
  }

  const server = createFakeServer(onRequest, (error) => errorBody(500, `Emulator error: ${(error as Error).message}`));
  const origin = await listenOnLoopback(server);

  return {
    url: `${origin}${BASE_PATH}`,
    requests,
    campaigns,
    adGroups,
    ads,
    audiences,
    failNext(count: number, status: number): void {
      for (let i = 0; i < count; i++) failures.push(status);
    },
    close: () => closeServer(server),
  };
}
