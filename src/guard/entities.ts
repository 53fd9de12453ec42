// Entity writes as data: each entity kind's fields (spend-neutral, held, identity), where entities sit in each body.
//
// The rule is an allow-list: a field an entity write sets holds the write unless it is on the kind's `neutral`
// list, or only names the entity (`identity`, and a `parents` id that does not move it). Fields the API adds later
// are held until someone classifies them here (a test compares these lists with the API descriptions).
import type { ApiId } from '../apis/index.js';
import { MONEY_FIELDS, type MoneyField } from './money-fields.js';
import { isPlainObject } from '../core/json.js';

export type EntityKind = 'campaign' | 'ad_group' | 'ad' | 'keyword' | 'product_group_promotion';

/**
 * How current values are read: a list tool filtered by ids under the call's `ad_account_id` (Pinterest), or a get
 * tool by `id`, one call per entity (Whop).
 */
export type EntityReader = { tool: string; idsParam: string } | { tool: string; idsParam?: undefined };

export interface EntityRule {
  /** Fields that only say which entity is written (the body's `ad_account_id` is checked against the path). */
  identity: readonly string[];
  /** Parent ids: they place a new entity; on an update, a value other than the current one is held as a move. */
  parents: readonly string[];
  /** The field that carries delivery status, the values in which the entity cannot deliver, and its default on create. */
  status: { field: string; inactive: readonly (string | boolean)[]; createDefault: string | boolean };
  /** Dotted paths of the fields that decide when money is spent. */
  schedule: readonly string[];
  /** Spend-neutral fields, with why: writes that set only these (and identity) are sent without confirmation. */
  neutral: Readonly<Record<string, string>>;
  /** Fields known to change delivery or cost, with why (shown in previews). Money fields come from MONEY_FIELDS. */
  held: Readonly<Record<string, string>>;
  /**
   * Of `held`, those that cannot spend on a create that starts inactive: they take effect only once the entity is
   * activated, and activation is always held. Money and schedule fields hold a create whatever its status.
   */
  inactiveCreate: readonly string[];
  /** Component schemas whose money fields belong to this kind. */
  moneyOwners: readonly string[];
  /** How current values are read; absent when the API has no such read. */
  reader?: EntityReader;
}

const TRACKING_URLS = 'third-party measurement URLs; they change no delivery or cost';
const NAME = 'a label';
const NOT_DOCUMENTED = 'its effect is not documented, so it is not known to be spend-neutral';
const PINTEREST_STATUS = { field: 'status', inactive: ['PAUSED', 'ARCHIVED'], createDefault: 'ACTIVE' } as const;
const SCHEDULE = ['start_time', 'end_time'] as const;

const CAMPAIGN_HELD = {
  objective_type: 'what delivery optimizes for and what is billed',
  order_line_id: 'the order line that pays for the campaign',
  is_flexible_daily_budgets: 'lets daily spend vary around the daily budget',
  is_campaign_budget_optimization: 'moves the budget between the campaign and its ad groups',
  is_automated_campaign: 'hands targeting and bidding to Pinterest automation',
  is_performance_plus: 'hands targeting, bidding and creative to Pinterest Performance+ automation',
  bid_options: 'campaign-wide bid multipliers per audience, app type, placement, gender and age (up to 10x)',
  summary_status: NOT_DOCUMENTED,
};

/** Bid multipliers scale every bid: like money, they hold a create whatever its status (activation shows no bids). */
const MULTIPLIERS = ['bid_options', 'bid_multiplier'];

const AD_GROUP_HELD = {
  optimization_goal_metadata: 'the conversion goal and the CPA / scroll-up targets that bidding aims at',
  budget_type: 'daily or lifetime budget: how much may be spent per day',
  targeting_spec: 'who is reached',
  lifetime_frequency_cap: 'how often one person may see the ads',
  auto_targeting_enabled: 'lets Pinterest reach people beyond the targeting',
  placement_group: 'where the ads show',
  pacing_delivery_type: 'how fast the budget is spent',
  billable_event: 'what is billed',
  bid_strategy_type: 'how bids are set (leaving MAX_BID drops the bid ceiling)',
  bid_multiplier: 'multiplies automatic bids (0.1x to 10x)',
  targeting_template_ids: 'who is reached (a saved targeting template replaces the targeting)',
  is_creative_optimization: 'lets Pinterest turn product Pins into other ad formats and deliver them',
  promotion_id: 'attaches a promotion (a discount shown on the ads)',
  promotion_application_level: 'whether the promotion applies to the ad group or per item',
};

const AD_HELD = {
  creative_type: 'the ad format, which decides where the ad shows and how it is billed',
  grid_click_type: 'what a click opens, which decides what is billed as a click',
  pin_id: 'the pin that is advertised',
  lead_form_id: 'the lead form the ad collects with (a different ad format)',
  quiz_pin_data: 'the quiz the ad runs (a different ad format)',
  is_pin_deleted: NOT_DOCUMENTED,
  is_removable: NOT_DOCUMENTED,
};

const PROMOTION_HELD = {
  included: 'whether the products are promoted: switching it on starts spending on them',
  definition: 'which products are promoted',
  relative_definition: 'which products are promoted',
  catalog_product_group_id: 'which product group is promoted',
  parent_id: 'its place in the product group tree, which decides the products it covers',
  creative_type: 'the ad format, which decides where the ad shows and how it is billed',
  grid_click_type: 'what a click opens, which decides what is billed as a click',
  preferred_media_type: 'whether video or image is promoted, which can change the ad format',
  is_mdl: NOT_DOCUMENTED,
};

const WHOP_SCHEDULE = ['starts_at', 'ends_at'] as const;
const WHOP_COPY = 'ad copy shown to people';

const WHOP_CAMPAIGN_HELD = {
  objective: 'what delivery optimizes for and what is billed',
  platform: 'the ad network the money is spent on',
  budget_optimization: 'moves the budget between the campaign and its ad groups',
  budget_type: 'daily or lifetime budget: how much may be spent per day',
  bid_type: 'how bids are set (minimum_cost drops the cost caps of its ad groups)',
  special_ad_categories: 'regulated categories, which restrict who is reached',
};

const WHOP_AD_GROUP_HELD = {
  budget_type: 'daily or lifetime budget: how much may be spent per day',
  bid_type: 'how bids are set against desired_cost_per_result',
  optimization_goal: 'what delivery optimizes for and what is billed',
  conversion_event: 'the event delivery optimizes for',
  conversion_location: 'where the optimized result happens',
  message_apps: 'which apps a click opens (messaging ads)',
  audiences: 'who is reached (saved audiences included or excluded)',
  demographics: 'who is reached (ages, genders, automatic audience expansion)',
  detailed_targeting: 'who is reached (interests, behaviors, demographics)',
  regions: 'who is reached (locations)',
  languages: 'who is reached (languages)',
  devices: 'who is reached (devices and operating systems)',
  placements: 'where the ads show',
  frequency_cap: 'how often one person may see the ads',
  dynamic_creative: 'lets the platform mix creatives and copy into new combinations',
};

export const ENTITY_RULES: Readonly<Record<ApiId, Partial<Record<EntityKind, EntityRule>>>> = {
  pinterest: {
    campaign: {
      identity: ['id', 'ad_account_id'],
      parents: [],
      status: PINTEREST_STATUS,
      schedule: SCHEDULE,
      neutral: { name: NAME, tracking_urls: TRACKING_URLS },
      held: CAMPAIGN_HELD,
      inactiveCreate: ['objective_type', 'is_flexible_daily_budgets', 'is_campaign_budget_optimization', 'is_automated_campaign', 'is_performance_plus'],
      moneyOwners: ['CampaignCommon', 'CampaignCreateCommon'],
      reader: { tool: 'campaigns_list', idsParam: 'campaign_ids' },
    },
    ad_group: {
      identity: ['id'],
      parents: ['campaign_id'],
      status: PINTEREST_STATUS,
      schedule: SCHEDULE,
      neutral: { name: NAME, tracking_urls: TRACKING_URLS },
      held: AD_GROUP_HELD,
      inactiveCreate: Object.keys(AD_GROUP_HELD).filter((f) => !MULTIPLIERS.includes(f)),
      moneyOwners: ['AdGroupCommon', 'OptimizationGoalMetadata'],
      reader: { tool: 'ad_groups_list', idsParam: 'ad_group_ids' },
    },
    ad: {
      identity: ['id'],
      parents: ['ad_group_id'],
      status: PINTEREST_STATUS,
      schedule: [],
      // What a person sees and where a click lands; none of it changes who is reached, bids or budgets.
      neutral: {
        name: NAME,
        destination_url: 'the landing page',
        android_deep_link: 'the landing page in the Android app',
        ios_deep_link: 'the landing page in the iOS app',
        carousel_destination_urls: 'the landing pages of carousel cards',
        carousel_android_deep_links: 'the landing pages of carousel cards in the Android app',
        carousel_ios_deep_links: 'the landing pages of carousel cards in the iOS app',
        customizable_cta_type: 'the text of the call-to-action button',
        disclosure_type: 'which kind of pharmaceutical disclosure the ad links to',
        disclosure_url: 'the page of pharmaceutical disclosures the ad links to',
        click_tracking_url: TRACKING_URLS,
        view_tracking_url: TRACKING_URLS,
        tracking_urls: TRACKING_URLS,
      },
      held: AD_HELD,
      inactiveCreate: Object.keys(AD_HELD),
      moneyOwners: [],
      reader: { tool: 'ads_list', idsParam: 'ad_ids' },
    },
    keyword: {
      identity: ['id'],
      parents: [],
      // Keywords have no status: they are paused by archiving, and start active.
      status: { field: 'archived', inactive: [true], createDefault: false },
      schedule: [],
      neutral: {},
      held: { value: 'the search term bid on', match_type: 'which searches the term matches' },
      inactiveCreate: [],
      moneyOwners: ['KeywordsCommon', 'KeywordUpdate'],
    },
    product_group_promotion: {
      identity: ['id'],
      parents: ['ad_group_id'],
      status: PINTEREST_STATUS,
      schedule: [],
      neutral: {
        catalog_product_group_name: NAME,
        slideshow_collections_title: 'text shown on a collections ad',
        slideshow_collections_description: 'text shown on a collections ad',
        collections_hero_pin_id: 'the lead image of a collections ad',
        collections_hero_destination_url: 'the landing page of a collections ad',
        collections_header_type: 'the header text of a collections ad',
        customizable_cta_type: 'the text of the call-to-action button',
        selected_image_tag: 'which of the product images is shown',
        selected_video_tag: 'which of the product videos is shown',
        is_generate_background: 'generated backgrounds behind the product images (creative only)',
        tracking_url: TRACKING_URLS,
      },
      held: PROMOTION_HELD,
      inactiveCreate: Object.keys(PROMOTION_HELD),
      moneyOwners: ['ProductGroupPromotion'],
      reader: { tool: 'product_group_promotions_list', idsParam: 'product_group_promotion_ids' },
    },
  },
  whop: {
    campaign: {
      identity: [],
      parents: ['account_id'],
      // Campaigns are created as drafts; `status: active` on an update launches one.
      status: { field: 'status', inactive: ['draft', 'paused'], createDefault: 'draft' },
      schedule: WHOP_SCHEDULE,
      neutral: { title: NAME },
      held: WHOP_CAMPAIGN_HELD,
      inactiveCreate: Object.keys(WHOP_CAMPAIGN_HELD),
      moneyOwners: ['AdCampaignCreateParams', 'AdCampaignUpdateParams'],
      reader: { tool: 'whop_ad_campaigns_get' },
    },
    ad_group: {
      identity: [],
      parents: ['ad_campaign_id'],
      status: { field: 'status', inactive: ['paused'], createDefault: 'active' },
      schedule: WHOP_SCHEDULE,
      neutral: { title: NAME },
      held: WHOP_AD_GROUP_HELD,
      inactiveCreate: Object.keys(WHOP_AD_GROUP_HELD),
      moneyOwners: ['AdGroupCreateParams', 'AdGroupUpdateParams'],
      reader: { tool: 'whop_ad_groups_get' },
    },
    ad: {
      identity: [],
      parents: ['ad_group_id'],
      // An ad has no status to create it with: it delivers as soon as its ad group does.
      status: { field: 'status', inactive: ['paused'], createDefault: 'active' },
      schedule: [],
      neutral: {
        title: NAME,
        headlines: WHOP_COPY,
        primary_texts: WHOP_COPY,
        descriptions: WHOP_COPY,
        call_to_action: 'the text of the call-to-action button',
        url: 'the landing page',
        url_parameters: 'query parameters added to the landing page (tracking)',
        messaging_config: 'the greeting and keyword of the chat a click opens',
      },
      held: {
        creatives: 'the images or videos shown, which decide the format and placements',
        post_id: 'the existing post that is advertised',
        post_source: 'where the advertised post comes from',
        lead_form: 'the lead form the ad collects with (a different ad format)',
        lead_form_id: 'the lead form the ad collects with (a different ad format)',
        multi_advertiser_ads: 'lets the ad show beside other advertisers\' ads',
        social_accounts: 'the page or profile the ad runs as',
      },
      inactiveCreate: [],
      moneyOwners: [],
      reader: { tool: 'whop_ads_get' },
    },
  },
};

/** Where one list (or object) of entities sits in a body: dotted segments, `[]` for list items, '' for the body itself. */
export interface EntityLocation {
  kind: EntityKind;
  create: boolean;
  at: string;
}

export interface EntityWrite {
  locations: readonly EntityLocation[];
  /** Keys of the objects around the entities that only address them (which ad group, which parent). */
  addressing?: readonly string[];
  /** Other keys around the entities that carry writes of their own: sent as is when neutral, else held, with why. */
  others?: Readonly<Record<string, { held: boolean; why: string }>>;
  /** The path parameter that names the updated entity, when its body does not (Whop's `PATCH /ad_groups/{id}`). */
  idParam?: string;
}

const at = (kind: EntityKind, create: boolean, path: string): EntityLocation => ({ kind, create, at: path });

/** Both halves of a bulk upsert: `create` and `update`, each with lists per entity kind. */
const BULK: EntityLocation[] = [true, false].flatMap((create) => {
  const part = create ? 'create' : 'update';
  return [
    at('campaign', create, `${part}.campaigns[]`),
    at('ad_group', create, `${part}.ad_groups[]`),
    at('ad', create, `${part}.ads[]`),
    at('product_group_promotion', create, `${part}.product_groups[].product_group_promotion[]`),
    at('keyword', create, create ? `${part}.keywords[].keywords[]` : `${part}.keywords[]`),
  ];
});

/** Tool name -> where its body carries entities. Every `entity`-class tool has an entry (a test checks it). */
export const ENTITY_WRITES: Readonly<Record<string, EntityWrite>> = {
  campaigns_create: { locations: [at('campaign', true, '[]')] },
  campaigns_update: { locations: [at('campaign', false, '[]')] },
  ad_groups_create: { locations: [at('ad_group', true, '[]')] },
  ad_groups_update: { locations: [at('ad_group', false, '[]')] },
  ads_create: { locations: [at('ad', true, '[]')] },
  ads_update: { locations: [at('ad', false, '[]')] },
  keywords_create: { locations: [at('keyword', true, 'keywords[]')], addressing: ['parent_id'] },
  keywords_update: { locations: [at('keyword', false, 'keywords[]')] },
  product_group_promotions_create: { locations: [at('product_group_promotion', true, 'product_group_promotion[]')], addressing: ['ad_group_id'] },
  product_group_promotions_update: { locations: [at('product_group_promotion', false, 'product_group_promotion[]')], addressing: ['ad_group_id'] },
  bulk_upsert_create: {
    locations: BULK,
    addressing: ['ad_group_id', 'parent_id'],
    others: {
      catalog_product_groups: { held: true, why: 'creates or changes catalog product groups, and so which products promotions advertise' },
      labels: { held: false, why: 'labels only name campaigns, ad groups and ads' },
    },
  },
  whop_ad_campaigns_create: { locations: [at('campaign', true, '')] },
  whop_ad_campaigns_update: { locations: [at('campaign', false, '')], idParam: 'id' },
  whop_ad_groups_create: { locations: [at('ad_group', true, '')] },
  whop_ad_groups_update: { locations: [at('ad_group', false, '')], idParam: 'id' },
  // An ad may create its ad group in the same call (`ad_group`, an ad group create body).
  whop_ads_create: { locations: [at('ad', true, ''), at('ad_group', true, 'ad_group')] },
  whop_ads_update: { locations: [at('ad', false, '')], idParam: 'id' },
};

/**
 * Writes that only switch one entity's status (named by the `id` path parameter): previews read it and show
 * `from -> to`. Their class (`classification.ts`) decides whether they are held.
 */
export const STATUS_ACTIONS: Readonly<Record<string, { kind: EntityKind; to: string }>> = {
  whop_ad_campaigns_unpause: { kind: 'campaign', to: 'active' },
  whop_ad_campaigns_retry_payment: { kind: 'campaign', to: 'active' },
  whop_ad_groups_unpause: { kind: 'ad_group', to: 'active' },
  whop_ads_unpause: { kind: 'ad', to: 'active' },
};

export interface LocatedEntity {
  kind: EntityKind;
  create: boolean;
  /** The entity's id: its body's `id`, or the write's `idParam`; undefined for creates. */
  id?: string;
  /** Which of the write's locations holds it, and its position there. */
  location: number;
  index: number;
  /** Where it sits, in tool-input terms (`body[0]`, `body.update.ad_groups[1]`). */
  path: string;
  item: Record<string, unknown>;
}

/** A key of an object around the entities that no location goes through and that addresses nothing. */
export interface StrayKey {
  path: string;
  key: string;
  /** The write's rule for the key (`others`); absent for a key nobody classified (held). */
  known?: { held: boolean; why: string };
}

type Json = Record<string, unknown>;

/**
 * Finds the entities of a write's body, and any key around them that the locations do not account for (the keys of
 * an object that is itself an entity are its fields, not strays).
 */
export function locateEntities(write: EntityWrite, body: unknown, args: Record<string, unknown> = {}): { entities: LocatedEntity[]; stray: StrayKey[] } {
  const entities: LocatedEntity[] = [];
  const consumed = new Map<Json, { path: string; keys: Set<string> }>();
  write.locations.forEach((location, locationIndex) => {
    let values: { value: unknown; path: string }[] = [{ value: body, path: 'body' }];
    for (const segment of location.at ? location.at.split('.') : []) {
      const list = segment.endsWith('[]');
      const name = list ? segment.slice(0, -2) : segment;
      const next: { value: unknown; path: string }[] = [];
      for (const { value, path } of values) {
        let child: unknown = value;
        let childPath = path;
        if (name) {
          if (!isPlainObject(value)) continue;
          const seen = consumed.get(value) ?? { path, keys: new Set<string>() };
          seen.keys.add(name);
          consumed.set(value, seen);
          child = value[name];
          childPath = `${path}.${name}`;
        }
        if (!list) next.push({ value: child, path: childPath });
        else if (Array.isArray(child)) child.forEach((item, i) => next.push({ value: item, path: `${childPath}[${i}]` }));
      }
      values = next;
    }
    values.forEach(({ value, path }, index) => {
      if (!isPlainObject(value)) return;
      const named = write.idParam && !location.create ? args[write.idParam] : value.id;
      const id = typeof named === 'string' || typeof named === 'number' ? String(named) : undefined;
      entities.push({ kind: location.kind, create: location.create, ...(id !== undefined ? { id } : {}), location: locationIndex, index, path, item: value });
    });
  });
  const addressing = new Set(write.addressing ?? []);
  const stray: StrayKey[] = [];
  const items = new Set<unknown>(entities.map((e) => e.item));
  for (const [object, { path, keys }] of consumed) {
    if (items.has(object)) continue;
    for (const key of Object.keys(object)) {
      if (keys.has(key) || addressing.has(key) || object[key] === undefined) continue;
      const known = write.others?.[key];
      stray.push(known ? { path, key, known } : { path, key });
    }
  }
  return { entities, stray };
}

export function entityRule(api: ApiId, kind: EntityKind): EntityRule {
  const rule = ENTITY_RULES[api][kind];
  if (!rule) throw new Error(`no entity rule for ${api} ${kind}`);
  return rule;
}

export function moneyFieldsOf(api: ApiId, kind: EntityKind): MoneyField[] {
  const owners = ENTITY_RULES[api][kind]?.moneyOwners ?? [];
  return MONEY_FIELDS.filter((f) => f.api === api && owners.includes(f.owner));
}

/** Whether a status value lets the entity deliver (unknown values count as active: unknown means held). */
export function isActiveStatus(rule: EntityRule, value: unknown): boolean {
  const normalized = typeof value === 'string' ? value.toUpperCase() : value;
  return !rule.status.inactive.some((v) => (typeof v === 'string' ? v.toUpperCase() : v) === normalized);
}
