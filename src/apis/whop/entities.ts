// Whop's entity rules: each entity kind's fields (spend-neutral, held, identity), where entities sit in each body, status switches.
import { type ApiEntities, at } from '../entities.js';

const NAME = 'a label';
const SCHEDULE = ['starts_at', 'ends_at'] as const;
const COPY = 'ad copy shown to people';

const CAMPAIGN_HELD = {
  objective: 'what delivery optimizes for and what is billed',
  platform: 'the ad network the money is spent on',
  budget_optimization: 'moves the budget between the campaign and its ad groups',
  budget_type: 'daily or lifetime budget: how much may be spent per day',
  bid_type: 'how bids are set (minimum_cost drops the cost caps of its ad groups)',
  special_ad_categories: 'regulated categories, which restrict who is reached',
};

const AD_GROUP_HELD = {
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

const RULES: ApiEntities['rules'] = {
  campaign: {
    identity: [],
    parents: ['account_id'],
    // Campaigns are created as drafts; `status: active` on an update launches one.
    status: { field: 'status', inactive: ['draft', 'paused'], createDefault: 'draft' },
    schedule: SCHEDULE,
    neutral: { title: NAME },
    held: CAMPAIGN_HELD,
    inactiveCreate: Object.keys(CAMPAIGN_HELD),
    moneyOwners: ['AdCampaignCreateParams', 'AdCampaignUpdateParams'],
    reader: { tool: 'whop_ad_campaigns_get' },
  },
  ad_group: {
    identity: [],
    parents: ['ad_campaign_id'],
    status: { field: 'status', inactive: ['paused'], createDefault: 'active' },
    schedule: SCHEDULE,
    neutral: { title: NAME },
    held: AD_GROUP_HELD,
    inactiveCreate: Object.keys(AD_GROUP_HELD),
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
      headlines: COPY,
      primary_texts: COPY,
      descriptions: COPY,
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
};

/** Tool name -> where its body carries entities. */
const WRITES: ApiEntities['writes'] = {
  whop_ad_campaigns_create: { locations: [at('campaign', true, '')] },
  whop_ad_campaigns_update: { locations: [at('campaign', false, '')], idParam: 'id' },
  whop_ad_groups_create: { locations: [at('ad_group', true, '')] },
  whop_ad_groups_update: { locations: [at('ad_group', false, '')], idParam: 'id' },
  // An ad may create its ad group in the same call (`ad_group`, an ad group create body).
  whop_ads_create: { locations: [at('ad', true, ''), at('ad_group', true, 'ad_group')] },
  whop_ads_update: { locations: [at('ad', false, '')], idParam: 'id' },
};

/** Writes that only switch one entity's status (named by the `id` path parameter). */
const STATUS_ACTIONS: ApiEntities['statusActions'] = {
  whop_ad_campaigns_unpause: { kind: 'campaign', to: 'active' },
  whop_ad_campaigns_retry_payment: { kind: 'campaign', to: 'active' },
  whop_ad_groups_unpause: { kind: 'ad_group', to: 'active' },
  whop_ads_unpause: { kind: 'ad', to: 'active' },
};

export const WHOP_ENTITIES: ApiEntities = { rules: RULES, writes: WRITES, statusActions: STATUS_ACTIONS };
