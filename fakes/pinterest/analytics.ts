// Ads analytics computed from the emulator's own state: deterministic per-ad daily delivery, capped by budgets, summed per level.
/**
 * The model, chosen to be simple, deterministic and consistent across levels:
 *
 * - Only ADS deliver. Each ad has a stable profile (hash of its id: click-through rate, cost per click as 55-100% of
 *   its ad group's bid, order value) and daily numbers from a hash of (ad id, date). Each day an ad aims at its share
 *   of its ad group's daily budget (else of the campaign's daily cap, else about 15 US dollars) and lands at 60-130% of
 *   it; clicks follow from that and its CPC (CLICKTHROUGH billing; other billing: impressions from a CPM bid),
 *   impressions from clicks and its CTR, then outbound clicks, saves, engagements, earned (_2) numbers, web sessions
 *   and a few conversions. Spend is integer micro-currency in the account's currency (clicks x CPC), always a whole
 *   number of the currency's smallest unit (cents, whole yen), as the API bills; the bid
 *   reference is `bid_in_micro_currency`, or about one US dollar in the account's currency when the ad group has none.
 * - A fixed past: each date is computed from the ad, ad group and campaign AS THEY STOOD AT THE END OF THAT DATE
 *   (`EmulatorState.history`: the record as created, then one version per UTC date it was updated through the API).
 *   An update (status, budget, spend cap, bid, billing, flight) takes effect on the date it was made, by the fake's
 *   clock, and on every later date; the dates before keep their numbers. So a budget raised today changes today's
 *   numbers (today is not over) and no closed window; a PAUSED / ARCHIVED / DRAFT entity reports ZERO from the day it
 *   stopped being ACTIVE and keeps its earlier history. Only the numbers are historical: identity and attribute
 *   columns (names, statuses, budgets) and the id and status filters describe the entities as they are now.
 * - An ad delivers on a date only when the date is not after `today`, is on/after the created_time date of the ad,
 *   its ad group and its campaign, lies within the start_time/end_time of the ad group and campaign (when set), and
 *   all three were ACTIVE at the end of that day. Review status is ignored (the emulator never reviews ads). The ad
 *   account itself never stops delivering.
 * - Budgets: per date, the ads of an ad group are scaled down together (every count and the spend) so their spend
 *   does not exceed the ad group's daily budget (`budget_in_micro_currency` for DAILY; LIFETIME spread evenly over
 *   its start..end flight, no cap without an end; CBO_ADGROUP has none of its own); then the ad groups of a campaign
 *   are scaled so the campaign's `daily_spend_cap` (or `lifetime_spend_cap` spread over its flight) is respected.
 * - Ad groups, campaigns and the account are SUMS of their ads' final numbers; rates and per-unit costs (CTR, CPC,
 *   CPM, ROAS...) are derived from the summed numbers, never averaged. Per-unit costs in *_MICRO_DOLLAR columns are
 *   rounded to integer micros; *_IN_DOLLAR columns are numbers in major units of the account's currency.
 * - Rows: one per requested entity and time bucket, zeros included (an entity without delivery still has rows).
 *   Granularity TOTAL gives one row per entity without DATE; DAY one per date; HOUR is answered like DAY (rows keyed
 *   by date, no hourly split); WEEK and MONTH rows carry the first calendar date of the bucket (the week's Monday, the
 *   month's 1st) and sum only the dates inside start_date..end_date. Dates are UTC; reporting_timezone is ignored.
 * - A row carries the level's id column, DATE (unless TOTAL) and the requested columns, in that order. Columns the
 *   model computes have their values; identity columns come from the store (null above their level, e.g.
 *   AD_GROUP_NAME on a campaign row); any other requested column is 0, or null when it names a text attribute.
 */
import { createHash } from 'node:crypto';
import { minorUnit } from '../../src/money/currencies.js';
import type { AdGroupRecord, AdRecord, CampaignRecord, DeliveringRecord, EmulatorState } from './state.js';

export type AnalyticsLevel = 'AD_ACCOUNT' | 'CAMPAIGN' | 'AD_GROUP' | 'AD';
export type Granularity = 'TOTAL' | 'DAY' | 'HOUR' | 'WEEK' | 'MONTH';
export type AnalyticsRow = Record<string, unknown>;

/** The id column each level's rows carry by default. */
export const LEVEL_ID_COLUMN: Readonly<Record<AnalyticsLevel, string>> = {
  AD_ACCOUNT: 'AD_ACCOUNT_ID',
  CAMPAIGN: 'CAMPAIGN_ID',
  AD_GROUP: 'AD_GROUP_ID',
  AD: 'AD_ID',
};

/** Longest spans (end_date minus start_date, in days): the sync endpoints' 90 days, async reports' 186. */
export const SYNC_MAX_SPAN_DAYS = 90;
export const REPORT_MAX_SPAN_DAYS = 186;

/** Narrowing filters, as in the async report body (summary statuses, objective types) plus the sync `pin_ids`. */
export interface AnalyticsFilters {
  campaign_ids?: readonly string[];
  ad_group_ids?: readonly string[];
  ad_ids?: readonly string[];
  pin_ids?: readonly string[];
  campaign_statuses?: readonly string[];
  ad_group_statuses?: readonly string[];
  ad_statuses?: readonly string[];
  campaign_objective_types?: readonly string[];
}

export interface AnalyticsQuery {
  adAccountId: string;
  level: AnalyticsLevel;
  /** Overrides the level's id column (async PIN_PROMOTION reports use PIN_PROMOTION_ID). */
  idColumn?: string;
  /** The entities at the level, in answer order; ids unknown or of another account are left out. Absent: every entity of the account that passes the filters. */
  ids?: readonly string[];
  filters?: AnalyticsFilters;
  columns: readonly string[];
  granularity: string;
  startDate: string;
  endDate: string;
  /** The UTC date treated as today: nothing is delivered after it. */
  today: string;
}

/** A request the model cannot answer (bad dates, unknown granularity); handlers turn it into a 400. */
export class AnalyticsError extends Error {}

// ---------------------------------------------------------------- dates

const DAY_MS = 86_400_000;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

function dayNumber(date: string): number | undefined {
  const match = DATE.exec(date);
  if (!match) return undefined;
  const ms = Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]));
  return new Date(ms).toISOString().slice(0, 10) === date ? ms / DAY_MS : undefined;
}

function fromDayNumber(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

/** The UTC date (YYYY-MM-DD) of a time in seconds since the epoch. */
export function utcDate(seconds: number): string {
  return new Date(seconds * 1000).toISOString().slice(0, 10);
}

/** `date` moved by `days` days. */
export function addDays(date: string, days: number): string {
  const day = dayNumber(date);
  if (day === undefined) throw new AnalyticsError(`Invalid date '${date}'`);
  return fromDayNumber(day + days);
}

/**
 * Checks start_date..end_date: real calendar dates, end not before start, at most `maxSpanDays` apart.
 * Throws AnalyticsError with the message a 400 answer carries.
 */
export function checkDateRange(startDate: string, endDate: string, maxSpanDays: number): void {
  const start = dayNumber(startDate);
  const end = dayNumber(endDate);
  if (start === undefined) throw new AnalyticsError(`start_date '${startDate}' is not a valid date (YYYY-MM-DD)`);
  if (end === undefined) throw new AnalyticsError(`end_date '${endDate}' is not a valid date (YYYY-MM-DD)`);
  if (end < start) throw new AnalyticsError(`end_date ${endDate} is before start_date ${startDate}`);
  if (end - start > maxSpanDays) {
    throw new AnalyticsError(`end_date ${endDate} is more than ${maxSpanDays} days past start_date ${startDate}`);
  }
}

/** Every date from start to end inclusive. */
export function datesBetween(startDate: string, endDate: string): string[] {
  const start = dayNumber(startDate);
  const end = dayNumber(endDate);
  if (start === undefined || end === undefined || end < start) throw new AnalyticsError(`Invalid date range ${startDate}..${endDate}`);
  const out: string[] = [];
  for (let day = start; day <= end; day++) out.push(fromDayNumber(day));
  return out;
}

/** The key of the bucket `date` falls in: '' for TOTAL, the date for DAY/HOUR, the week's Monday, the month's 1st. */
export function bucketOf(date: string, granularity: string): string {
  switch (granularity) {
    case 'TOTAL':
      return '';
    case 'DAY':
    case 'HOUR':
      return date;
    case 'WEEK': {
      const day = dayNumber(date)!;
      const weekday = (new Date(day * DAY_MS).getUTCDay() + 6) % 7; // Monday = 0
      return fromDayNumber(day - weekday);
    }
    case 'MONTH':
      return `${date.slice(0, 7)}-01`;
    default:
      throw new AnalyticsError(`Unknown granularity '${granularity}'`);
  }
}

// ---------------------------------------------------------------- base numbers

/** The additive numbers of one ad on one day (or their sum over ads and days). */
export interface BaseMetrics {
  spend: number;
  impression1: number;
  impression1Gross: number;
  impression2: number;
  click1: number;
  click1Gross: number;
  click2: number;
  outbound1: number;
  outbound2: number;
  repin1: number;
  repin2: number;
  engagement1: number;
  engagement2: number;
  users: number;
  webSessions1: number;
  webSessions2: number;
  pageVisit: number;
  addToCart: number;
  checkout: number;
  checkoutValue: number;
}

const BASE_KEYS = [
  'spend',
  'impression1',
  'impression1Gross',
  'impression2',
  'click1',
  'click1Gross',
  'click2',
  'outbound1',
  'outbound2',
  'repin1',
  'repin2',
  'engagement1',
  'engagement2',
  'users',
  'webSessions1',
  'webSessions2',
  'pageVisit',
  'addToCart',
  'checkout',
  'checkoutValue',
] as const satisfies readonly (keyof BaseMetrics)[];

export function zeroMetrics(): BaseMetrics {
  const out = {} as BaseMetrics;
  for (const key of BASE_KEYS) out[key] = 0;
  return out;
}

function addInto(target: BaseMetrics, more: BaseMetrics): void {
  for (const key of BASE_KEYS) target[key] += more[key];
}

/** Every number times num/den, floored (money exactly, in bigint, down to a whole `step` of micros). */
function scaled(base: BaseMetrics, num: number, den: number, step: number): BaseMetrics {
  const out = {} as BaseMetrics;
  const unit = BigInt(step);
  for (const key of BASE_KEYS) {
    out[key] =
      key === 'spend' || key === 'checkoutValue'
        ? Number(((BigInt(base[key]) * BigInt(num)) / BigInt(den) / unit) * unit)
        : Math.floor((base[key] * num) / den);
  }
  return out;
}

/** Sixteen numbers in [0, 1) from a stable hash of `key`. */
function units(key: string): number[] {
  const digest = createHash('sha256').update(key).digest();
  const out: number[] = [];
  for (let i = 0; i < 32; i += 2) out.push(digest.readUInt16BE(i) / 65_536);
  return out;
}

/** Roughly how many units of a currency one US dollar buys, to keep amounts natural per currency. */
const UNITS_PER_USD: Record<string, number> = {
  USD: 1,
  EUR: 0.92,
  GBP: 0.79,
  JPY: 150,
  CAD: 1.36,
  AUD: 1.5,
  NZD: 1.65,
  CHF: 0.88,
  BRL: 5,
  MXN: 17,
  SEK: 10.5,
  DKK: 6.9,
  NOK: 10.7,
  PLN: 4,
  CZK: 23,
  HUF: 360,
  RON: 4.6,
};

function unitsPerUsd(currency: string | undefined): number {
  return UNITS_PER_USD[currency ?? 'USD'] ?? 1;
}

/** Micros in the currency's smallest unit (10_000 for cents, 1_000_000 for yen): spend is always a whole number of them. */
export function minorStep(currency: string | undefined): number {
  const digits = Math.min(6, minorUnit(currency ?? 'USD')?.digits ?? 2);
  return 10 ** (6 - digits);
}

/** What an ad group spends on a day when nothing caps it: about 15 US dollars in the account's currency. */
export function defaultDailySpend(currency: string | undefined): number {
  return Math.round(15_000_000 * unitsPerUsd(currency));
}

/**
 * The raw (uncapped) numbers of `ad` on `date` under `adGroup`'s bid and billing: it aims at `pace` (micro-currency,
 * its share of the day's budget) and lands between 60% and 130% of it, so budgets bind on some days and not others.
 */
export function rawAdDay(ad: AdRecord, adGroup: AdGroupRecord, date: string, currency: string | undefined, pace: number): BaseMetrics {
  const profile = units(`profile:${ad.id}`);
  const d = units(`day:${ad.id}:${date}`);
  const rate = unitsPerUsd(currency);
  const step = minorStep(currency);
  const ctr = (0.004 + 0.016 * profile[1]) * (0.85 + 0.3 * d[1]);
  const costShare = (0.55 + 0.45 * profile[2]) * (0.95 + 0.1 * d[8]);
  const bid = typeof adGroup.bid_in_micro_currency === 'number' && adGroup.bid_in_micro_currency > 0
    ? adGroup.bid_in_micro_currency
    : Math.round(1_000_000 * rate);
  const target = pace * (0.6 + 0.7 * d[0]);

  let impression1: number;
  let click1: number;
  let spend: number;
  if (adGroup.billable_event === undefined || adGroup.billable_event === 'CLICKTHROUGH') {
    const cpc = Math.max(1, Math.round((bid * costShare) / step)) * step;
    click1 = Math.floor(target / cpc);
    impression1 = Math.max(click1 + 1, Math.round(click1 / ctr));
    spend = click1 * cpc;
  } else {
    // Billed per thousand impressions: the bid is a CPM.
    const cpm = Math.max(1, Math.round(bid * costShare));
    impression1 = Math.floor((target * 1000) / cpm);
    click1 = Math.min(Math.max(0, impression1 - 1), Math.floor(impression1 * ctr));
    spend = Math.floor((impression1 * cpm) / 1000 / step) * step;
  }
  const outbound1 = Math.floor(click1 * (0.45 + 0.3 * d[2]));
  const repin1 = Math.floor(impression1 * (0.002 + 0.004 * d[3]));
  const closeups = Math.floor(impression1 * (0.008 + 0.01 * d[4]));
  const impression2 = Math.floor(impression1 * (0.1 + 0.2 * d[5]));
  const click2 = Math.floor(impression2 * ctr * 0.5);
  const outbound2 = Math.floor(click2 * 0.5);
  const repin2 = Math.floor(impression2 * 0.004);
  const pageVisit = Math.floor(outbound1 * (0.3 + 0.2 * d[7]));
  const addToCart = Math.floor(pageVisit * (0.2 + 0.2 * d[9]));
  const checkout = Math.floor((pageVisit + addToCart) * (0.1 + 0.15 * d[10]));
  const orderValue = Math.round(45 * rate * (0.8 + 0.4 * profile[3])) * 1_000_000;
  return {
    spend,
    impression1,
    impression1Gross: impression1 + Math.floor(impression1 * 0.02),
    impression2,
    click1,
    click1Gross: click1 + Math.floor(click1 * 0.03),
    click2,
    outbound1,
    outbound2,
    repin1,
    repin2,
    engagement1: click1 + repin1 + closeups,
    engagement2: click2 + repin2 + Math.floor(impression2 * 0.01),
    users: Math.floor((impression1 + impression2) * (0.6 + 0.2 * d[6])),
    webSessions1: Math.floor(outbound1 * 0.8),
    webSessions2: Math.floor(outbound2 * 0.8),
    pageVisit,
    addToCart,
    checkout,
    checkoutValue: checkout * orderValue,
  };
}

// ---------------------------------------------------------------- delivery

/**
 * The entity as it stood at the end of `date`: its version of that day in the history of its updates (before its
 * first update: as created), else the record itself when it was never updated.
 */
export function versionOn<T extends DeliveringRecord>(state: EmulatorState, entity: T, date: string): T {
  const log = state.history.get(entity.id);
  if (!log?.length) return entity;
  let version = log[0].record;
  for (const change of log) if (utcDate(change.time) <= date) version = change.record;
  return version as T;
}

/** Whether `entity` (its version of `date`) delivers on `date`. */
function delivers(entity: DeliveringRecord, date: string, today: string): boolean {
  if (date > today || date < utcDate(entity.created_time)) return false;
  if (typeof entity.start_time === 'number' && date < utcDate(entity.start_time)) return false;
  if (typeof entity.end_time === 'number' && date > utcDate(entity.end_time)) return false;
  return entity.status === 'ACTIVE';
}

/** A daily cap from a budget: the amount itself when daily, a lifetime amount spread over its flight, else none. */
function dailyCap(daily: number | null | undefined, lifetime: number | null | undefined, start: unknown, end: unknown): number | undefined {
  if (typeof daily === 'number' && daily >= 0) return daily;
  if (typeof lifetime === 'number' && lifetime >= 0 && typeof start === 'number' && typeof end === 'number') {
    const days = Math.max(1, Math.floor((end - start) / 86_400) + 1);
    return Math.floor(lifetime / days);
  }
  return undefined;
}

function adGroupCap(group: AdGroupRecord): number | undefined {
  const budget = group.budget_in_micro_currency;
  if (group.budget_type === 'CBO_ADGROUP') return undefined;
  if (group.budget_type === 'LIFETIME') return dailyCap(undefined, budget, group.start_time, group.end_time);
  return dailyCap(budget, undefined, undefined, undefined);
}

function campaignCap(campaign: CampaignRecord): number | undefined {
  return dailyCap(campaign.daily_spend_cap, campaign.lifetime_spend_cap, campaign.start_time, campaign.end_time);
}

/** Caps a set of numbers so their summed spend stays within `cap`. */
function capAll(entries: Map<string, BaseMetrics>, cap: number | undefined, step: number): void {
  if (cap === undefined) return;
  let total = 0;
  for (const m of entries.values()) total += m.spend;
  if (total <= cap) return;
  for (const [id, m] of entries) entries.set(id, scaled(m, cap, total, step));
}

/** Indexes of the store, built once per computation. */
interface Index {
  groupsByCampaign: Map<string, AdGroupRecord[]>;
  adsByGroup: Map<string, AdRecord[]>;
}

function buildIndex(state: EmulatorState): Index {
  const groupsByCampaign = new Map<string, AdGroupRecord[]>();
  for (const group of state.adGroups.values()) {
    const list = groupsByCampaign.get(group.campaign_id) ?? [];
    list.push(group);
    groupsByCampaign.set(group.campaign_id, list);
  }
  const adsByGroup = new Map<string, AdRecord[]>();
  for (const ad of state.ads.values()) {
    const list = adsByGroup.get(ad.ad_group_id) ?? [];
    list.push(ad);
    adsByGroup.set(ad.ad_group_id, list);
  }
  return { groupsByCampaign, adsByGroup };
}

/**
 * The final (budget-capped) numbers of every delivering ad of a campaign on one date, by ad id: from the campaign, its
 * ad groups and ads as they stood on that date (status, budgets, bids, flight), so a later change leaves the day as it was.
 */
export function campaignDay(state: EmulatorState, current: CampaignRecord, date: string, today: string, index = buildIndex(state)): Map<string, BaseMetrics> {
  const out = new Map<string, BaseMetrics>();
  const campaign = versionOn(state, current, date);
  if (!delivers(campaign, date, today)) return out;
  const currency = state.adAccounts.get(campaign.ad_account_id)?.currency;
  const step = minorStep(currency);
  const cap = campaignCap(campaign);
  const groups = (index.groupsByCampaign.get(campaign.id) ?? [])
    .map((g) => versionOn(state, g, date))
    .filter((g) => g.ad_account_id === campaign.ad_account_id && delivers(g, date, today));
  for (const group of groups) {
    const live = (index.adsByGroup.get(group.id) ?? [])
      .map((ad) => versionOn(state, ad, date))
      .filter((ad) => ad.campaign_id === campaign.id && delivers(ad, date, today));
    if (!live.length) continue;
    const groupCap = adGroupCap(group);
    // The day's aim of the ad group: its budget, else its share of the campaign's cap, else a default; split over its ads.
    const aim = groupCap ?? (cap !== undefined ? Math.floor(cap / groups.length) : defaultDailySpend(currency));
    const ads = new Map<string, BaseMetrics>();
    for (const ad of live) ads.set(ad.id, rawAdDay(ad, group, date, currency, aim / live.length));
    capAll(ads, groupCap, step);
    for (const [id, m] of ads) out.set(id, m);
  }
  capAll(out, cap, step);
  return out;
}

// ---------------------------------------------------------------- columns

type Derive = (m: BaseMetrics) => number;

const ratio = (num: number, den: number): number => (den > 0 ? num / den : 0);
const micros = (num: number, den: number): number => (den > 0 ? Math.round(num / den) : 0);
const totalImpressions = (m: BaseMetrics) => m.impression1 + m.impression2;
const totalClicks = (m: BaseMetrics) => m.click1 + m.click2;
const totalEngagements = (m: BaseMetrics) => m.engagement1 + m.engagement2;
const conversions = (m: BaseMetrics) => m.pageVisit + m.addToCart + m.checkout;

/** The metric columns the model computes, from summed base numbers. */
const METRICS: Readonly<Record<string, Derive>> = {
  SPEND_IN_MICRO_DOLLAR: (m) => m.spend,
  SPEND_IN_DOLLAR: (m) => m.spend / 1e6,
  PAID_IMPRESSION: (m) => m.impression1,
  IMPRESSION_1: (m) => m.impression1,
  IMPRESSION_1_GROSS: (m) => m.impression1Gross,
  IMPRESSION_2: (m) => m.impression2,
  TOTAL_IMPRESSION: totalImpressions,
  CLICKTHROUGH_1: (m) => m.click1,
  CLICKTHROUGH_1_GROSS: (m) => m.click1Gross,
  CLICKTHROUGH_2: (m) => m.click2,
  TOTAL_CLICKTHROUGH: totalClicks,
  OUTBOUND_CLICK_1: (m) => m.outbound1,
  OUTBOUND_CLICK_2: (m) => m.outbound2,
  REPIN_1: (m) => m.repin1,
  REPIN_2: (m) => m.repin2,
  ENGAGEMENT_1: (m) => m.engagement1,
  ENGAGEMENT_2: (m) => m.engagement2,
  TOTAL_ENGAGEMENT: totalEngagements,
  CTR: (m) => ratio(m.click1, m.impression1),
  CTR_2: (m) => ratio(m.click2, m.impression2),
  ECTR: (m) => ratio(totalClicks(m), totalImpressions(m)),
  OUTBOUND_CTR_1: (m) => ratio(m.outbound1, m.impression1),
  OUTBOUND_CTR: (m) => ratio(m.outbound1, m.impression1),
  REPIN_RATE: (m) => ratio(m.repin1, m.impression1),
  TOTAL_REPIN_RATE: (m) => ratio(m.repin1 + m.repin2, totalImpressions(m)),
  ENGAGEMENT_RATE: (m) => ratio(m.engagement1, m.impression1),
  EENGAGEMENT_RATE: (m) => ratio(totalEngagements(m), totalImpressions(m)),
  CPC_IN_MICRO_DOLLAR: (m) => micros(m.spend, m.click1),
  ECPC_IN_MICRO_DOLLAR: (m) => micros(m.spend, totalClicks(m)),
  ECPC_IN_DOLLAR: (m) => ratio(m.spend, totalClicks(m)) / 1e6,
  CPM_IN_MICRO_DOLLAR: (m) => micros(m.spend * 1000, m.impression1),
  CPM_IN_DOLLAR: (m) => ratio(m.spend * 1000, m.impression1) / 1e6,
  ECPM_IN_MICRO_DOLLAR: (m) => micros(m.spend * 1000, totalImpressions(m)),
  ECPE_IN_DOLLAR: (m) => ratio(m.spend, totalEngagements(m)) / 1e6,
  COST_PER_OUTBOUND_CLICK_IN_DOLLAR: (m) => ratio(m.spend, m.outbound1) / 1e6,
  COST_PER_OUTBOUND_CLICK_IN_DOLLAR_1: (m) => ratio(m.spend, m.outbound1) / 1e6,
  TOTAL_IMPRESSION_USER: (m) => m.users,
  TOTAL_IMPRESSION_FREQUENCY: (m) => ratio(totalImpressions(m), m.users),
  WEB_SESSIONS_1: (m) => m.webSessions1,
  WEB_SESSIONS_2: (m) => m.webSessions2,
  TOTAL_WEB_SESSIONS: (m) => m.webSessions1 + m.webSessions2,
  TOTAL_PAGE_VISIT: (m) => m.pageVisit,
  TOTAL_WEB_PAGE_VISIT: (m) => m.pageVisit,
  TOTAL_ADD_TO_CART: (m) => m.addToCart,
  TOTAL_WEB_ADD_TO_CART: (m) => m.addToCart,
  TOTAL_CHECKOUT: (m) => m.checkout,
  TOTAL_WEB_CHECKOUT: (m) => m.checkout,
  TOTAL_CHECKOUT_VALUE_IN_MICRO_DOLLAR: (m) => m.checkoutValue,
  TOTAL_WEB_CHECKOUT_VALUE_IN_MICRO_DOLLAR: (m) => m.checkoutValue,
  TOTAL_CONVERSIONS: conversions,
  CHECKOUT_ROAS: (m) => ratio(m.checkoutValue, m.spend),
  WEB_CHECKOUT_ROAS: (m) => ratio(m.checkoutValue, m.spend),
  WEB_CHECKOUT_COST_PER_ACTION: (m) => micros(m.spend, m.checkout),
  PAGE_VISIT_COST_PER_ACTION: (m) => micros(m.spend, m.pageVisit),
  TOTAL_CHECKOUT_CONVERSION_RATE: (m) => ratio(m.checkout, m.click1),
  TOTAL_PAGE_VISIT_CONVERSION_RATE: (m) => ratio(m.pageVisit, m.click1),
  TOTAL_ADD_TO_CART_CONVERSION_RATE: (m) => ratio(m.addToCart, m.click1),
};

/** The metric columns computed from delivery (every other metric column answers 0). */
export const COMPUTED_COLUMNS: readonly string[] = Object.keys(METRICS);

/** Requested columns naming a text or flag attribute the model does not keep: answered null rather than 0. */
const TEXT_COLUMN = /(^IS_|^PRODUCT_ITEM_|^PRODUCT_GROUP_|^PROMO_|^ORDER_LINE_NAME$|_ID$|_IDS$|_NAME$|_LABELS?$|_STATUS$|_TYPE$|_OPTIMIZATION$|_TAG$)/;

/** What a row describes: the account and, from the campaign level down, the campaign, ad group and ad. */
interface Subject {
  accountId: string;
  campaign?: CampaignRecord;
  adGroup?: AdGroupRecord;
  ad?: AdRecord;
}

function attribute(column: string, s: Subject): { value: unknown } | undefined {
  const { campaign: c, adGroup: g, ad } = s;
  switch (column) {
    case 'AD_ACCOUNT_ID':
    case 'ADVERTISER_ID':
      return { value: s.accountId };
    case 'CAMPAIGN_ID':
      return { value: c?.id ?? null };
    case 'CAMPAIGN_NAME':
      return { value: c?.name ?? null };
    case 'CAMPAIGN_ENTITY_STATUS':
      return { value: c?.status ?? null };
    case 'CAMPAIGN_STATUS':
    case 'CAMPAIGN_MANAGED_STATUS':
      return { value: c?.summary_status ?? null };
    case 'CAMPAIGN_OBJECTIVE_TYPE':
      return { value: c?.objective_type ?? null };
    case 'CAMPAIGN_DAILY_SPEND_CAP':
      return { value: c?.daily_spend_cap ?? null };
    case 'CAMPAIGN_LIFETIME_SPEND_CAP':
      return { value: c?.lifetime_spend_cap ?? null };
    case 'CAMPAIGN_BUDGET_OPTIMIZATION':
      return { value: c?.is_campaign_budget_optimization ?? null };
    case 'ORDER_LINE_ID':
      return { value: c?.order_line_id ?? null };
    case 'AD_GROUP_ID':
      return { value: g?.id ?? null };
    case 'AD_GROUP_NAME':
      return { value: g?.name ?? null };
    case 'AD_GROUP_ENTITY_STATUS':
      return { value: g?.status ?? null };
    case 'AD_GROUP_STATUS':
      return { value: g?.summary_status ?? null };
    case 'AD_GROUP_BUDGET_TYPE':
      return { value: g?.budget_type ?? null };
    case 'AD_GROUP_BUDGET_IN_LOCAL_CURRENCY':
      return { value: typeof g?.budget_in_micro_currency === 'number' ? g.budget_in_micro_currency / 1e6 : null };
    case 'AD_ID':
    case 'PIN_PROMOTION_ID':
      return { value: ad?.id ?? null };
    case 'AD_NAME':
    case 'PIN_PROMOTION_NAME':
      return { value: ad?.name ?? null };
    case 'PIN_ID':
      return { value: ad?.pin_id ?? null };
    case 'AD_STATUS':
    case 'PIN_PROMOTION_STATUS':
      return { value: ad?.summary_status ?? null };
    default:
      return undefined;
  }
}

/** One column's value for a subject and its summed numbers. */
export function columnValue(column: string, subject: Subject, metrics: BaseMetrics): unknown {
  const derive = METRICS[column];
  if (derive) return derive(metrics);
  const attr = attribute(column, subject);
  if (attr) return attr.value;
  return TEXT_COLUMN.test(column) ? null : 0;
}

// ---------------------------------------------------------------- entities and rows

interface Entity {
  id: string;
  subject: Subject;
}

function has(list: readonly string[] | undefined, value: string): boolean {
  return !list || list.includes(value);
}

function campaignPasses(c: CampaignRecord, f: AnalyticsFilters): boolean {
  return has(f.campaign_ids, c.id) && has(f.campaign_statuses, c.summary_status) && has(f.campaign_objective_types, c.objective_type);
}

function adGroupPasses(g: AdGroupRecord, f: AnalyticsFilters): boolean {
  return has(f.ad_group_ids, g.id) && has(f.ad_group_statuses, g.summary_status);
}

function adOwnPasses(a: AdRecord, f: AnalyticsFilters): boolean {
  return has(f.ad_ids, a.id) && has(f.pin_ids, a.pin_id) && has(f.ad_statuses, a.summary_status);
}

function hasAdFilters(f: AnalyticsFilters): boolean {
  return f.ad_ids !== undefined || f.pin_ids !== undefined || f.ad_statuses !== undefined;
}

function hasAdGroupFilters(f: AnalyticsFilters): boolean {
  return f.ad_group_ids !== undefined || f.ad_group_statuses !== undefined || hasAdFilters(f);
}

/** The entities at the query's level, in answer order. */
function entitiesOf(state: EmulatorState, q: AnalyticsQuery, f: AnalyticsFilters, adPasses: (ad: AdRecord) => boolean): Entity[] {
  const account = q.adAccountId;
  const inAccount = <T extends { ad_account_id: string }>(map: Map<string, T>): T[] => {
    if (!q.ids) return [...map.values()].filter((e) => e.ad_account_id === account);
    const out: T[] = [];
    for (const id of new Set(q.ids)) {
      const found = map.get(id);
      if (found && found.ad_account_id === account) out.push(found);
    }
    return out;
  };
  const ads = [...state.ads.values()].filter((a) => a.ad_account_id === account);
  switch (q.level) {
    case 'AD_ACCOUNT':
      return state.adAccounts.has(account) ? [{ id: account, subject: { accountId: account } }] : [];
    case 'CAMPAIGN':
      return inAccount(state.campaigns)
        .filter((c) => campaignPasses(c, f) && (!hasAdGroupFilters(f) || ads.some((a) => a.campaign_id === c.id && adPasses(a))))
        .map((c) => ({ id: c.id, subject: { accountId: account, campaign: c } }));
    case 'AD_GROUP':
      return inAccount(state.adGroups)
        .filter((g) => {
          const c = state.campaigns.get(g.campaign_id);
          return (!c || campaignPasses(c, f)) && adGroupPasses(g, f) && (!hasAdFilters(f) || ads.some((a) => a.ad_group_id === g.id && adPasses(a)));
        })
        .map((g) => ({ id: g.id, subject: { accountId: account, campaign: state.campaigns.get(g.campaign_id), adGroup: g } }));
    case 'AD':
      return inAccount(state.ads)
        .filter(adPasses)
        .map((a) => ({
          id: a.id,
          subject: { accountId: account, campaign: state.campaigns.get(a.campaign_id), adGroup: state.adGroups.get(a.ad_group_id), ad: a },
        }));
  }
}

/** The level's entity an ad's numbers count towards. */
function entityKey(level: AnalyticsLevel, ad: AdRecord): string {
  switch (level) {
    case 'AD_ACCOUNT':
      return ad.ad_account_id;
    case 'CAMPAIGN':
      return ad.campaign_id;
    case 'AD_GROUP':
      return ad.ad_group_id;
    case 'AD':
      return ad.id;
  }
}

/** Rows per entity id (entities in answer order), each with one row per time bucket. */
export function analyticsByEntity(state: EmulatorState, q: AnalyticsQuery): Map<string, AnalyticsRow[]> {
  const dates = datesBetween(q.startDate, q.endDate);
  const buckets = [...new Set(dates.map((d) => bucketOf(d, q.granularity)))];
  const f = q.filters ?? {};
  const adPasses = (a: AdRecord): boolean => {
    const g = state.adGroups.get(a.ad_group_id);
    const c = state.campaigns.get(a.campaign_id);
    return adOwnPasses(a, f) && (!g || adGroupPasses(g, f)) && (!c || campaignPasses(c, f));
  };
  const entities = entitiesOf(state, q, f, adPasses);
  const sums = new Map<string, Map<string, BaseMetrics>>();
  for (const e of entities) sums.set(e.id, new Map(buckets.map((b) => [b, zeroMetrics()])));

  // Only the campaigns whose ads can count towards a requested entity.
  const wanted = new Set(entities.map((e) => e.id));
  const campaigns = [...state.campaigns.values()].filter((c) => c.ad_account_id === q.adAccountId);
  const relevant = campaigns.filter((c) => {
    if (q.level === 'AD_ACCOUNT') return true;
    if (q.level === 'CAMPAIGN') return wanted.has(c.id);
    return [...state.ads.values()].some((a) => a.campaign_id === c.id && wanted.has(entityKey(q.level, a)));
  });
  const index = buildIndex(state);
  for (const date of dates) {
    const bucket = bucketOf(date, q.granularity);
    for (const campaign of relevant) {
      for (const [adId, metrics] of campaignDay(state, campaign, date, q.today, index)) {
        const ad = state.ads.get(adId)!;
        if (!adPasses(ad)) continue;
        const target = sums.get(entityKey(q.level, ad))?.get(bucket);
        if (target) addInto(target, metrics);
      }
    }
  }

  const idColumn = q.idColumn ?? LEVEL_ID_COLUMN[q.level];
  const columns = [...new Set(q.columns)].filter((c) => c !== idColumn && c !== 'DATE');
  const out = new Map<string, AnalyticsRow[]>();
  for (const e of entities) {
    const rows: AnalyticsRow[] = [];
    for (const [bucket, metrics] of sums.get(e.id)!) {
      const row: AnalyticsRow = { [idColumn]: e.id };
      if (q.granularity !== 'TOTAL') row.DATE = bucket;
      for (const column of columns) row[column] = columnValue(column, e.subject, metrics);
      rows.push(row);
    }
    out.set(e.id, rows);
  }
  return out;
}

/** The sync analytics answer: every entity's rows, entity by entity, oldest bucket first. */
export function analyticsRows(state: EmulatorState, q: AnalyticsQuery): AnalyticsRow[] {
  return [...analyticsByEntity(state, q).values()].flat();
}

/** An async report file's content: rows keyed by the level's entity id. */
export function analyticsReport(state: EmulatorState, q: AnalyticsQuery): Record<string, AnalyticsRow[]> {
  return Object.fromEntries(analyticsByEntity(state, q));
}

/** How an async report level (MetricsReportingLevel) is computed; undefined for levels without modelled delivery. */
export function reportLevel(level: string): { level: AnalyticsLevel; idColumn: string } | undefined {
  switch (level.replace(/_TARGETING$/, '')) {
    case 'ADVERTISER':
      return { level: 'AD_ACCOUNT', idColumn: 'AD_ACCOUNT_ID' };
    case 'CAMPAIGN':
      return { level: 'CAMPAIGN', idColumn: 'CAMPAIGN_ID' };
    case 'AD_GROUP':
      return { level: 'AD_GROUP', idColumn: 'AD_GROUP_ID' };
    case 'PIN_PROMOTION':
    case 'AD':
      return { level: 'AD', idColumn: 'PIN_PROMOTION_ID' };
    default:
      return undefined; // KEYWORD, PRODUCT_GROUP, PRODUCT_ITEM: no delivery is modelled for them
  }
}
