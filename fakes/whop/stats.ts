// Stats: each ad's deterministic totals (from its id), ad groups and campaigns summing their ads, and the stats fields built from them.
import { minorDigits } from './money.js';
import type { Entity } from './shapes.js';

/** 32-bit FNV-1a: small, deterministic numbers from ids. */
function hash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

/** A deterministic whole number from `lo` to `hi` for an id and a salt. */
function pick(id: string, salt: string, lo: number, hi: number): number {
  return lo + (hash(`${id}:${salt}`) % (hi - lo + 1));
}

/** `n` rounded to `digits` decimals. */
export function round(n: number, digits: number): number {
  return Number(n.toFixed(digits));
}

export interface Totals {
  impressions: number;
  reach: number;
  clicks: number;
  uniqueClicks: number;
  /** In the currency's minor unit, so sums and splits stay exact. */
  spendMinor: number;
}

export const NO_TOTALS: Totals = { impressions: 0, reach: 0, clicks: 0, uniqueClicks: 0, spendMinor: 0 };

/** An ad's totals over its life, from its id and the currency's minor digits. */
export function adTotals(id: string, digits: number): Totals {
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

export const sumTotals = (list: Totals[]): Totals => list.reduce(addTotals, NO_TOTALS);

export function spendOf(t: Totals, digits: number): number {
  return round(t.spendMinor / 10 ** digits, digits);
}

/** Every stats field of a campaign, ad group or ad: clicks, spend and their ratios; no attributed conversions. */
export function statFields(t: Totals, currency: string): Entity {
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
export function reportSummary(t: Totals, currency: string): Entity {
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
export function split(total: number, parts: number): number[] {
  const base = Math.floor(total / parts);
  const extra = total - base * parts;
  return Array.from({ length: parts }, (_, i) => base + (i < extra ? 1 : 0));
}
