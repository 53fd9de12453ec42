// How Pinterest's writes read in plain-language lines: its targeting_spec, billable events and bid strategies in words.
import { oneLine, showValue } from '../../core/display.js';
import { ageRanges, asList, count, genders, valueList } from '../../core/words.js';
import type { PlainWords } from '../wording.js';

type Entity = Record<string, unknown>;

/** Pinterest's targeting_spec in words: `US, female, 25–44, languages en/de, 3 interests`. */
export function describeTargeting(spec: unknown): string {
  if (!spec || typeof spec !== 'object' || Array.isArray(spec)) return showValue(spec, 80);
  const s = spec as Entity;
  const parts: string[] = [];
  const places = [...asList(s.LOCATION), ...asList(s.GEO)];
  if (places.length) parts.push(valueList(places));
  if (asList(s.GENDER).length) parts.push(genders(asList(s.GENDER)));
  if (asList(s.AGE_BUCKET).length) parts.push(ageRanges(asList(s.AGE_BUCKET)));
  if (s.MINIMUM_AGE !== undefined || s.MAXIMUM_AGE !== undefined) {
    const max = String(s.MAXIMUM_AGE ?? '65+');
    parts.push(max.endsWith('+') ? `${oneLine(String(s.MINIMUM_AGE ?? '18'), 8)}+` : `${oneLine(String(s.MINIMUM_AGE ?? '18'), 8)}–${oneLine(max, 8)}`);
  }
  if (asList(s.LOCALE).length) parts.push(`languages ${valueList(asList(s.LOCALE))}`);
  if (asList(s.APPTYPE).length) parts.push(`devices ${valueList(asList(s.APPTYPE), 6)}`);
  if (asList(s.INTEREST).length) parts.push(count(asList(s.INTEREST).length, 'interest'));
  if (asList(s.KEYWORD).length) parts.push(count(asList(s.KEYWORD).length, 'keyword'));
  const audiences = (key: string, verb: string) => {
    const list = asList(s[key]);
    if (list.length) parts.push(`${verb}${list.length <= 3 ? `${list.length === 1 ? 'audience' : 'audiences'} ${valueList(list, 3, ', ')}` : count(list.length, 'audience')}`);
  };
  audiences('AUDIENCE_INCLUDE', '');
  audiences('AUDIENCE_EXCLUDE', 'excluding ');
  if (asList(s.SHOPPING_RETARGETING).length) parts.push('shopping retargeting');
  if (asList(s.TARGETING_STRATEGY).length) parts.push(`strategy ${valueList(asList(s.TARGETING_STRATEGY).map((v) => (typeof v === 'string' ? v.toLowerCase() : v)))}`);
  const known = new Set(['LOCATION', 'GEO', 'GENDER', 'AGE_BUCKET', 'MINIMUM_AGE', 'MAXIMUM_AGE', 'LOCALE', 'APPTYPE', 'INTEREST', 'KEYWORD', 'AUDIENCE_INCLUDE', 'AUDIENCE_EXCLUDE', 'SHOPPING_RETARGETING', 'TARGETING_STRATEGY']);
  for (const [key, value] of Object.entries(s)) {
    if (!known.has(key) && value !== undefined && value !== null) parts.push(`${oneLine(key, 40)} ${Array.isArray(value) ? valueList(value) : showValue(value, 40)}`);
  }
  return parts.length ? parts.join(', ') : 'everyone (no targeting)';
}

/** What one unit of a bid buys, where the description says so (the billable event; CPM is per 1,000). */
const BILLABLE_UNIT: Record<string, string> = { CLICKTHROUGH: 'per click', IMPRESSION: 'per 1,000 impressions' };

export const PINTEREST_PLAIN: PlainWords = {
  parents: {
    ad_group: { field: 'campaign_id', kind: 'campaign' },
    ad: { field: 'ad_group_id', kind: 'ad_group' },
    product_group_promotion: { field: 'ad_group_id', kind: 'ad_group' },
  },
  money: {
    budget: { noun: 'budget', role: 'budget' },
    daily_spend_cap: { noun: 'daily spend cap', role: 'cap', unit: 'per day' },
    lifetime_spend_cap: { noun: 'lifetime spend cap', role: 'cap', unit: 'lifetime' },
    default_ad_group_budget: { noun: 'default ad group budget', role: 'other', unit: 'per day' },
    bid: { noun: 'bid', role: 'bid' },
    cpa_goal_value: { noun: 'target cost per action', role: 'other' },
    scrollup_goal_value: { noun: 'target cost per scroll-up', role: 'other' },
  },
  said: ['billable_event', 'bid_strategy_type'],
  targeting: {
    fields: ['targeting_spec'],
    describe: (item) => (item.targeting_spec !== undefined ? describeTargeting(item.targeting_spec) : undefined),
    change: (_field, from, to) => `${from !== undefined ? ` from ${describeTargeting(from)}` : ''} to ${describeTargeting(to)}`,
  },
  // The billable event (request, else current) of an ad group; keywords and promotions say none.
  bidUnit: (kind, item, current) => {
    if (kind !== 'ad_group') return undefined;
    const event = item.billable_event ?? current?.billable_event;
    return typeof event === 'string' ? BILLABLE_UNIT[event] : undefined;
  },
  // An ad group's bid is a ceiling unless its strategy says otherwise (MAX_BID, or none given); keywords and promotions just bid.
  bidPhrase: (kind, item, amount, per) => {
    if (kind !== 'ad_group') return `bid ${amount}${per}`;
    const strategy = item.bid_strategy_type;
    if (strategy === 'TARGET_AVG') return `an average bid of ${amount}${per}`;
    if (strategy === 'AUTOMATIC_BID') return `bid ${amount}${per} (automatic bidding)`;
    return `bid up to ${amount}${per}`;
  },
  bidCeiling: (kind, item, current) => {
    if (kind !== 'ad_group') return false;
    const strategy = item.bid_strategy_type ?? current?.bid_strategy_type;
    return strategy === 'MAX_BID' || strategy === undefined;
  },
  billedUnit: (field, to) => (field === 'billable_event' && typeof to === 'string' ? BILLABLE_UNIT[to] : undefined),
};
