// Pinterest's effective bids for the bid cap: a bid times the largest bid multipliers that can apply to it, in exact arithmetic.
import { isPlainObject } from '../../core/json.js';
import { oneLine, quote } from '../../core/display.js';
import { type EffectiveBid, type EffectiveBidInput, type EntityReads, type Factor, readMultiplier } from '../bids.js';
import { walkJson } from '../../core/walk.js';

/** One request property that is a bid multiplier, or holds them (`holds`: bid options, by dimension). */
export interface BidMultiplierRule {
  level: 'ad_group' | 'campaign' | 'item';
  owner: string;
  name: string;
  holds?: true;
  /** The update_mask word that sets it, where its bid options have a mask. */
  mask?: string;
  /** What the description says it multiplies, and its range. */
  multiplies: string;
}

/**
 * Where bid multipliers sit in request bodies and what the description says they multiply. A multiplier not given
 * counts as 1 ("no bid adjustment"), so only values above 1 raise a bid. How multipliers of different dimensions
 * (audience, app type, placement) and levels (campaign, ad group) combine is not documented: they are taken to
 * compound, the largest of each dimension times the others, which is the most a bid can become.
 * A test checks that every request property the description calls a multiplier is listed here.
 */
export const BID_MULTIPLIERS: readonly BidMultiplierRule[] = [
  { level: 'ad_group', owner: 'AdGroupCreateRequest', name: 'bid_multiplier', multiplies: "the ad group's automatic bids (0.1 to 10; 0 removes it)" },
  { level: 'ad_group', owner: 'AdGroupUpdateRequest', name: 'bid_multiplier', multiplies: "the ad group's automatic bids (0.1 to 10; 0 removes it)" },
  { level: 'campaign', owner: 'CampaignCreateRequest', name: 'bid_options', holds: true, multiplies: 'the bids of the campaign (its multipliers below)' },
  { level: 'campaign', owner: 'CampaignUpdateRequest', name: 'bid_options', holds: true, multiplies: 'the bids of the campaign (its multipliers below, those its update_mask names)' },
  { level: 'campaign', owner: 'CampaignBidOptions', name: 'audience_multipliers', mask: 'AUDIENCE', multiplies: 'the bids of the campaign, per audience (0 to 10)' },
  { level: 'campaign', owner: 'CampaignBidOptions', name: 'app_type_multipliers', mask: 'APP_TYPE', multiplies: 'the bids of the campaign, per app type (0 to 10)' },
  { level: 'campaign', owner: 'CampaignBidOptions', name: 'placement_multipliers', mask: 'PLACEMENT', multiplies: 'the bids of the campaign, per placement (0 to 10)' },
  { level: 'item', owner: 'AdvancedAuctionItem', name: 'bid_options', holds: true, multiplies: "a catalog item's bid (its multipliers below, those its update_mask names)" },
  { level: 'item', owner: 'AdvancedAuctionBidOptions', name: 'app_type_multipliers', mask: 'APP_TYPE_BID_MULTIPLIER_SET', multiplies: "a catalog item's bid, per app type (0 to 10)" },
  { level: 'item', owner: 'AdvancedAuctionBidOptions', name: 'placement_multipliers', mask: 'PLACEMENT_BID_MULTIPLIER_SET', multiplies: "a catalog item's bid, per placement (0 to 10)" },
];

/** A catalog item's own bid in its bid options, and the update_mask word that sets it. */
const ITEM_BID = { name: 'bid_in_micro_currency', mask: 'BID' };
/** Statuses of ad groups that deliver or can be resumed: the ones a campaign's multipliers reach. */
const LIVE_STATUSES = ['ACTIVE', 'PAUSED', 'DRAFT'];

type Json = Record<string, unknown>;

/** The largest multiplier above 1 of one dimension (`{ "iphone": 1.2, "web": 0.9 }`); a value that is no number is unknown. */
function largest(values: unknown, source: string): Factor | 'unknown' | undefined {
  if (!isPlainObject(values)) return undefined;
  let best: Factor | undefined;
  for (const [key, value] of Object.entries(values)) {
    if (value === null || value === undefined) continue;
    const multiplier = readMultiplier(value);
    if (!multiplier) {
      // Only the description's APP_TYPE / PLACEMENT / AUDIENCE_ID key-name placeholders carry words.
      if (typeof value === 'string' && /^[A-Za-z_]+$/.test(value)) continue;
      return 'unknown';
    }
    if (multiplier.num > multiplier.den && (!best || multiplier.num * best.multiplier.den > best.multiplier.num * multiplier.den)) {
      best = { source: `${source}.${key}`, multiplier };
    }
  }
  return best;
}

/** Multipliers above 1 in bid options, one per dimension (every object-valued key: dimensions the API adds count too). */
function optionFactors(options: unknown, source: string): Factor[] | 'unknown' {
  if (!isPlainObject(options)) return [];
  const factors: Factor[] = [];
  for (const [name, values] of Object.entries(options)) {
    if (name === 'update_mask') continue;
    const best = largest(values, `${source}.${name}`);
    if (best === 'unknown') return 'unknown';
    if (best) factors.push(best);
  }
  return factors;
}

/**
 * Bid options after an update that may carry an `update_mask`: a field the mask names takes the written value, or null
 * when none is written; any other keeps its current value (none for a new catalog item record). Without a mask, the
 * written fields replace theirs. Fields the table does not know are kept from both sides, so they still count.
 */
function optionsAfter(written: unknown, current: unknown, level: 'campaign' | 'item'): Json | null {
  if (written === null) return null;
  const now: Json = isPlainObject(current) ? { ...current } : {};
  if (!isPlainObject(written)) return now;
  const mask = written.update_mask;
  if (!Array.isArray(mask)) return { ...now, ...written };
  const known = [...BID_MULTIPLIERS.filter((m) => m.level === level && !m.holds), ...(level === 'item' ? [ITEM_BID] : [])];
  const after: Json = { ...now };
  for (const [name, value] of Object.entries(written)) if (name !== 'update_mask' && !known.some((k) => k.name === name)) after[name] = value;
  for (const { name, mask: word } of known) if (word !== undefined && mask.includes(word)) after[name] = written[name] ?? null;
  return after;
}

function bidOf(value: unknown): bigint | null | 'unknown' {
  if (value === null || value === undefined) return null;
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return BigInt(value);
  if (typeof value === 'string' && /^\d+$/.test(value)) return BigInt(value);
  return 'unknown';
}

function named(kind: string, id: string, entity: Json | undefined): string {
  return typeof entity?.name === 'string' ? `${kind} ${id} ${quote(entity.name, 60)}` : `${kind} ${id}`;
}

/**
 * Every bid this write sets or multiplies that a multiplier above 1 can raise, with what is needed to compute its
 * effective bid, reading from the API what the write does not say (the other side of bid x multipliers).
 */
export async function effectiveBids(input: EffectiveBidInput): Promise<EffectiveBid[]> {
  const found: EffectiveBid[] = [];
  const { current } = input;
  /** Ad groups and product group promotions checked with this write's own values (a campaign's check skips them). */
  const checked = new Set<string>();

  /** A campaign's multipliers above 1 after this write: what it writes (over the current ones), else the current ones. */
  const campaignFactors = async (id: string, source: string): Promise<Factor[] | { unknown: string }> => {
    const read = await current.other('campaign', id);
    if (read.problem) return { unknown: `the campaign's bid multipliers are unknown: ${read.problem}` };
    const written = input.entities.find((e) => e.kind === 'campaign' && !e.create && e.id === id && 'bid_options' in e.item);
    const now = read.entity?.bid_options;
    const options = written ? optionsAfter(written.item.bid_options, now, 'campaign') : isPlainObject(now) ? now : null;
    const factors = optionFactors(options, source);
    return factors === 'unknown' ? { unknown: `campaign ${id} has bid multipliers that are not numbers` } : factors;
  };
  /** What a bid becomes: the bid (or why there is none to multiply) with its factors, or why it cannot be known. */
  const entry = (path: string, subject: string, bid: bigint | null | 'unknown', factors: Factor[]): EffectiveBid =>
    bid === 'unknown'
      ? { path, subject, unknown: 'its bid is not a whole number of micros' }
      : { path, subject, bid, ...(bid === null ? { noBid: 'it has no bid: it bids automatically' } : {}), factors };

  for (const entity of input.entities) {
    if (entity.kind !== 'ad_group') continue;
    const { item } = entity;
    if (!entity.create && !('bid_in_micro_currency' in item) && !('bid_multiplier' in item)) continue;
    const subject = entity.create ? 'the new ad group' : `ad group ${entity.id}`;
    let now: Json | undefined;
    if (!entity.create && entity.id !== undefined) {
      const read = await current.other('ad_group', entity.id);
      if (!read.entity) {
        found.push({ path: entity.path, subject, unknown: `its current bid, bid_multiplier and campaign could not be read (${read.problem ?? 'not found in this ad account'})` });
        continue;
      }
      now = read.entity;
      checked.add(`ad_group:${entity.id}`);
    }
    const multiplier = readMultiplier('bid_multiplier' in item ? item.bid_multiplier : now?.bid_multiplier);
    const factors: Factor[] = multiplier && multiplier.num > multiplier.den ? [{ source: 'bid_multiplier', multiplier }] : [];
    const campaignId = item.campaign_id ?? now?.campaign_id;
    if (typeof campaignId === 'string' || typeof campaignId === 'number') {
      const fromCampaign = await campaignFactors(String(campaignId), `campaign ${campaignId} bid_options`);
      if ('unknown' in fromCampaign) {
        found.push({ path: entity.path, subject, ...fromCampaign });
        continue;
      }
      factors.push(...fromCampaign);
    }
    if (!factors.length) continue;
    const where = 'bid_multiplier' in item ? `${entity.path}.bid_multiplier` : 'bid_in_micro_currency' in item ? `${entity.path}.bid` : entity.path;
    found.push(entry(where, subject, bidOf('bid_in_micro_currency' in item ? item.bid_in_micro_currency : now?.bid_in_micro_currency), factors));
  }

  // A product group promotion bids in its ad group (its own bid, else the ad group's): the campaign's multipliers reach it.
  for (const entity of input.entities) {
    if (entity.kind !== 'product_group_promotion') continue;
    const { item } = entity;
    if (!entity.create && !('bid_in_micro_currency' in item)) continue;
    const subject = entity.create ? 'the new product group promotion' : `product group promotion ${entity.id}`;
    let now: Json | undefined;
    if (!entity.create && entity.id !== undefined) {
      const read = await current.other('product_group_promotion', entity.id);
      if (!read.entity) {
        found.push({ path: entity.path, subject, unknown: `its ad group could not be read (${read.problem ?? 'not found in this ad account'})` });
        continue;
      }
      now = read.entity;
      checked.add(`product_group_promotion:${entity.id}`);
    }
    // Promotion ad group ids may carry an "AG" prefix (the description's pattern `^(AG)?\d+$`).
    const adGroupId = item.ad_group_id ?? now?.ad_group_id ?? holderOf(input.body, item)?.ad_group_id;
    const group = typeof adGroupId === 'string' ? await current.other('ad_group', adGroupId.replace(/^AG/, '')) : { problem: 'it names no ad group' };
    if (!group.entity) {
      found.push({ path: entity.path, subject, unknown: `the ad group it bids in could not be read (${group.problem ?? 'not found in this ad account'})` });
      continue;
    }
    const factors = await groupFactors(group.entity, campaignFactors);
    if ('unknown' in factors) {
      found.push({ path: entity.path, subject, ...factors });
      continue;
    }
    if (!factors.length) continue;
    const own = bidOf('bid_in_micro_currency' in item ? item.bid_in_micro_currency : now?.bid_in_micro_currency);
    const where = 'bid_in_micro_currency' in item ? `${entity.path}.bid` : entity.path;
    found.push(entry(where, subject, own === null ? bidOf(group.entity.bid_in_micro_currency) : own, factors));
  }

  // A campaign's new multipliers reach every ad group in it, and their product group promotions, not checked above.
  for (const entity of input.entities) {
    if (entity.kind !== 'campaign' || entity.create || entity.id === undefined || !('bid_options' in entity.item)) continue;
    const path = `${entity.path}.bid_options`;
    const subject = `campaign ${entity.id}`;
    const factors = await campaignFactors(entity.id, 'bid_options');
    if ('unknown' in factors) {
      found.push({ path, subject, ...factors });
      continue;
    }
    if (!factors.length) continue;
    let groups: Json[];
    let promotions: Json[];
    try {
      const account = current.args.ad_account_id;
      groups = await current.listAll('ad_groups_list', { ad_account_id: account, campaign_ids: [entity.id], entity_statuses: LIVE_STATUSES, page_size: 250 });
      promotions = groups.length ? await current.listAll('product_group_promotions_list', { ad_account_id: account, entity_statuses: LIVE_STATUSES, page_size: 250 }) : [];
    } catch (error) {
      found.push({ path, subject, unknown: `its ad groups and product group promotions could not be read (${oneLine((error as Error).message, 200)}), so the bids these multipliers raise are unknown` });
      continue;
    }
    const byId = new Map(groups.map((g) => [String(g.id), g]));
    for (const [id, group] of byId) {
      if (checked.has(`ad_group:${id}`)) continue;
      found.push(entry(path, named('ad group', id, group), bidOf(group.bid_in_micro_currency), [...adGroupFactor(group, `ad group ${id} bid_multiplier`), ...factors]));
    }
    for (const promotion of promotions) {
      const id = String(promotion.id);
      const group = byId.get(String(promotion.ad_group_id).replace(/^AG/, ''));
      if (!group || checked.has(`product_group_promotion:${id}`)) continue;
      const own = bidOf(promotion.bid_in_micro_currency);
      const groupFactors = adGroupFactor(group, `ad group ${String(group.id)} bid_multiplier`);
      found.push(entry(path, `product group promotion ${id}`, own === null ? bidOf(group.bid_in_micro_currency) : own, [...groupFactors, ...factors]));
    }
  }

  if (input.tool === 'advanced_auction_items_submit_post') found.push(...(await itemBids(input.body, current)));
  return found;
}

/** An ad group's own multiplier, when above 1. */
function adGroupFactor(group: Json, source: string): Factor[] {
  const multiplier = readMultiplier(group.bid_multiplier);
  return multiplier && multiplier.num > multiplier.den ? [{ source, multiplier }] : [];
}

/** The multipliers above 1 that reach bids inside an ad group: its own, then its campaign's. */
async function groupFactors(
  group: Json,
  campaignFactors: (id: string, source: string) => Promise<Factor[] | { unknown: string }>,
): Promise<Factor[] | { unknown: string }> {
  const own = adGroupFactor(group, `ad group ${String(group.id)} bid_multiplier`);
  const campaignId = group.campaign_id;
  if (typeof campaignId !== 'string' && typeof campaignId !== 'number') return own;
  const fromCampaign = await campaignFactors(String(campaignId), `campaign ${campaignId} bid_options`);
  return 'unknown' in fromCampaign ? fromCampaign : [...own, ...fromCampaign];
}

/** The object whose list holds `item` (a promotion create's body, with the ad_group_id they are created in). */
function holderOf(body: unknown, item: object): Json | undefined {
  let holder: Json | undefined;
  walkJson(body, (value) => {
    if (!isPlainObject(value) || !Object.values(value).some((child) => Array.isArray(child) && child.includes(item))) return;
    holder = value;
    return 'stop';
  });
  return holder;
}

/** Catalog items' bids times their own multipliers, after an upsert that may leave some fields as they are. */
async function itemBids(body: unknown, current: EntityReads): Promise<EffectiveBid[]> {
  if (!isPlainObject(body) || !Array.isArray(body.items)) return [];
  const found: EffectiveBid[] = [];
  const fields = [...BID_MULTIPLIERS.filter((m) => m.level === 'item' && !m.holds), ITEM_BID];
  const upserts = body.items
    .map((item: unknown, index) => ({ item, index }))
    .filter((u): u is { item: Json; index: number } => isPlainObject(u.item) && u.item.operation === 'UPSERT');
  const keyOf = (item: Json) => JSON.stringify([item.item_id, item.country, item.language]);
  // An upsert keeps the current value of every field its update_mask leaves out (a new record starts them at null).
  const partial = upserts.filter(({ item }) => !Array.isArray(item.update_mask) || fields.some((f) => !(item.update_mask as unknown[]).includes(f.mask)));
  let now: Map<string, Json> | string = new Map();
  if (partial.length) {
    try {
      const answer = (await current.query('advanced_auction_items_get_post', {
        ...(current.args.ad_account_id !== undefined ? { ad_account_id: current.args.ad_account_id } : {}),
        body: { catalog_id: body.catalog_id, items: partial.map(({ item }) => ({ item_id: item.item_id, country: item.country, language: item.language })) },
      })) as { items?: Json[] } | undefined;
      now = new Map((answer?.items ?? []).filter(isPlainObject).map((item) => [keyOf(item), item]));
    } catch (error) {
      now = `the items' current bid options could not be read (${oneLine((error as Error).message, 200)})`;
    }
  }
  for (const { item, index } of upserts) {
    const path = `body.items[${index}].bid_options`;
    const subject = `item ${quote(String(item.item_id), 60)} (${String(item.country)}, ${String(item.language)})`;
    const isPartial = partial.some((p) => p.index === index);
    if (isPartial && typeof now === 'string') {
      found.push({ path, subject, unknown: now });
      continue;
    }
    const existing = isPartial && typeof now !== 'string' ? now.get(keyOf(item))?.bid_options : undefined;
    const options = optionsAfter(item.bid_options ?? {}, existing, 'item');
    const factors = optionFactors(
      Object.fromEntries(Object.entries(options ?? {}).filter(([name]) => name !== ITEM_BID.name)),
      'bid_options',
    );
    if (factors === 'unknown') {
      found.push({ path, subject, unknown: 'it has bid multipliers that are not numbers' });
      continue;
    }
    if (!factors.length) continue;
    const bid = bidOf(options?.[ITEM_BID.name]);
    if (bid === 'unknown') found.push({ path, subject, unknown: 'its bid is not a whole number of micros' });
    else found.push({ path, subject, bid, ...(bid === null ? { noBid: "it has no bid of its own, so it bids its ad group's bid, which a catalog item does not name" } : {}), factors });
  }
  return found;
}
