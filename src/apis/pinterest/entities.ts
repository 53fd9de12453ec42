// Pinterest's entity rules: each entity kind's fields (spend-neutral, held, identity), and where entities sit in each body.
import { type ApiEntities, type EntityLocation, at } from '../entities.js';

const TRACKING_URLS = 'third-party measurement URLs; they change no delivery or cost';
const NAME = 'a label';
const NOT_DOCUMENTED = 'its effect is not documented, so it is not known to be spend-neutral';
const STATUS = { field: 'status', inactive: ['PAUSED', 'ARCHIVED'], createDefault: 'ACTIVE' } as const;
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

const RULES: ApiEntities['rules'] = {
  campaign: {
    identity: ['id', 'ad_account_id'],
    parents: [],
    status: STATUS,
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
    status: STATUS,
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
    status: STATUS,
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
    status: STATUS,
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
};

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

/** Tool name -> where its body carries entities. */
const WRITES: ApiEntities['writes'] = {
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
};

export const PINTEREST_ENTITIES: ApiEntities = { rules: RULES, writes: WRITES, statusActions: {} };
