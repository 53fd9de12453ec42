// How Whop's writes read in plain-language lines: its targeting fields, cost per result and bid types in words.
import { oneLine } from '../../core/display.js';
import { asList, count, genders, shownValue, valueList } from '../../core/words.js';
import type { PlainWords } from '../wording.js';

type Entity = Record<string, unknown>;

/** Whop's targeting fields of an ad group in words: `US/CA, female, 25–44, languages en, 2 interests`. */
export function describeWhopTargeting(item: Entity): string | undefined {
  const parts: string[] = [];
  const regions = item.regions;
  if (regions && typeof regions === 'object') {
    const places = Array.isArray(regions) ? regions : Object.values(regions as Entity).flatMap(asList);
    if (places.length) parts.push(valueList(places.map((p) => (p && typeof p === 'object' ? ((p as Entity).name ?? (p as Entity).key ?? (p as Entity).id) : p))));
  }
  const demo = item.demographics as Entity | undefined;
  if (demo && typeof demo === 'object') {
    if (typeof demo.gender === 'string' && demo.gender !== 'all') parts.push(genders([demo.gender]));
    if (demo.minimum_age !== undefined || demo.maximum_age !== undefined) parts.push(`${oneLine(String(demo.minimum_age ?? 18), 8)}–${oneLine(String(demo.maximum_age ?? '65+'), 8)}`);
  }
  if (asList(item.languages).length) parts.push(`languages ${valueList(asList(item.languages))}`);
  const detailed = item.detailed_targeting as Entity | undefined;
  if (detailed && typeof detailed === 'object') {
    for (const [key, one] of [['interests', 'interest'], ['behaviors', 'behavior'], ['demographics', 'demographic group']] as const) {
      if (asList(detailed[key]).length) parts.push(count(asList(detailed[key]).length, one));
    }
  }
  const audiences = item.audiences as Entity | undefined;
  if (audiences && typeof audiences === 'object') {
    if (asList(audiences.include).length) parts.push(count(asList(audiences.include).length, 'audience'));
    if (asList(audiences.exclude).length) parts.push(`excluding ${count(asList(audiences.exclude).length, 'audience')}`);
  }
  return parts.length ? parts.join(', ') : undefined;
}

/** The fields of an ad group that say whom it reaches. */
const TARGETING = ['regions', 'demographics', 'languages', 'detailed_targeting', 'audiences'];

export const WHOP_PLAIN: PlainWords = {
  parents: {
    ad_group: { field: 'ad_campaign_id', kind: 'campaign' },
    ad: { field: 'ad_group_id', kind: 'ad_group' },
  },
  money: {
    budget_amount: { noun: 'budget', role: 'budget' },
    desired_cost_per_result: { noun: 'cost per result', role: 'bid', unit: 'per result' },
    minimum_daily_spend: { noun: 'minimum daily spend', role: 'other', unit: 'per day' },
  },
  said: ['bid_type'],
  targeting: {
    fields: TARGETING,
    describe: describeWhopTargeting,
    change: (field, _from, to) => ` (${oneLine(field, 40)}) to ${describeWhopTargeting({ [field]: to }) ?? shownValue(to)}`,
  },
  // Whop's bids are costs per result.
  bidUnit: () => 'per result',
  bidPhrase: (_kind, item, amount, per) => (item.bid_type === 'average_target' ? `an average cost of ${amount}${per}` : `a cost of up to ${amount}${per}`),
  bidCeiling: () => false,
  billedUnit: () => undefined,
};
