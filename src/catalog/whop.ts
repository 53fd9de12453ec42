// Facts about Whop's ads API v1 that this server serves: one operation (create an ad group on Meta or TikTok through Whop).
// Hand-written from Whop's POST /ad_groups reference; facts only (names, types, enums, required), no prose.
//
// Reading the reference: a property's type is given explicitly where the reference states it (`campaign_id`, `name`,
// `status`, `daily_budget`, `config`, `platform_config`); nested types are read from its request example, where whole
// numbers stand for integers and decimals for numbers. Only `status` has its allowed values listed; for the other
// enum-like strings (e.g. `config.bid_strategy`, `platform_config.tiktok.budget_mode`) the reference shows one example
// value but not the set, so they are plain strings here rather than a guessed enum.
import type { Catalog, SchemaFacts } from './types.js';

// Each property gets its own facts object: the schema builder finds a property's owner by object identity.
const str = (): SchemaFacts => ({ type: 'string' });
const int = (): SchemaFacts => ({ type: 'integer' });
const num = (): SchemaFacts => ({ type: 'number' });
const strings = (): SchemaFacts => ({ type: 'array', items: str() });
const ref = (name: string): SchemaFacts => ({ $ref: name });
const listOf = (name: string): SchemaFacts => ({ type: 'array', items: ref(name) });

/** Allowed values of an ad group's status in Whop's own (platform-neutral) terms. */
export const WHOP_AD_GROUP_STATUSES = ['active', 'paused', 'inactive'] as const;

export const whopCatalog: Catalog = {
  source: { title: 'Whop API', version: 'v1' },
  operations: [
    {
      id: 'ad_groups/create',
      method: 'POST',
      path: '/ad_groups',
      tag: 'whop',
      parameters: [],
      body: { required: true, mediaType: 'application/json', schema: ref('WhopAdGroupCreate') },
      success: { status: 200, json: true },
      auth: [{ scheme: 'bearerAuth', scopes: [] }],
    },
  ],
  schemas: {
    // The request body. Money: `daily_budget` (dollars).
    WhopAdGroupCreate: {
      type: 'object',
      required: ['campaign_id'],
      properties: {
        campaign_id: str(),
        config: ref('WhopAdGroupConfig'),
        daily_budget: { type: 'number', nullable: true },
        name: { type: 'string', nullable: true },
        platform_config: ref('WhopAdGroupPlatformConfig'),
        status: { type: 'string', enum: [...WHOP_AD_GROUP_STATUSES], nullable: true },
      },
    },
    // Platform-neutral bidding, optimization, schedule and targeting. Money: `bid_amount` (unit not stated).
    WhopAdGroupConfig: {
      type: 'object',
      properties: {
        bid_strategy: str(),
        bid_amount: int(),
        optimization_goal: str(),
        billing_event: str(),
        start_time: str(),
        end_time: str(),
        pacing: str(),
        frequency_cap: int(),
        frequency_cap_interval_days: int(),
        targeting: ref('WhopAdGroupTargeting'),
      },
    },
    WhopAdGroupTargeting: {
      type: 'object',
      properties: {
        age_max: int(),
        age_min: int(),
        countries: strings(),
        device_platforms: strings(),
        exclude_audience_ids: strings(),
        genders: strings(),
        include_audience_ids: strings(),
        interest_ids: strings(),
        languages: strings(),
        placement_type: str(),
      },
    },
    WhopAdGroupPlatformConfig: {
      type: 'object',
      properties: {
        meta: ref('WhopMetaAdSetConfig'),
        tiktok: ref('WhopTikTokAdGroupConfig'),
      },
    },
    // Meta (Facebook/Instagram) ad set settings. Money: `bid_amount`, `daily_budget`, `lifetime_budget` (units not stated).
    WhopMetaAdSetConfig: {
      type: 'object',
      properties: {
        status: str(),
        bid_strategy: str(),
        bid_amount: int(),
        daily_budget: int(),
        lifetime_budget: int(),
        end_time: str(),
        optimization_goal: str(),
        billing_event: str(),
        attribution_spec: listOf('WhopMetaAttributionSpec'),
        destination_type: str(),
        promoted_object: ref('WhopMetaPromotedObject'),
        whatsapp_phone_number: str(),
        page_id: str(),
        instagram_actor_id: str(),
        audience_type: str(),
        publisher_platforms: strings(),
        facebook_positions: strings(),
        instagram_positions: strings(),
        messenger_positions: strings(),
        audience_network_positions: strings(),
        threads_positions: strings(),
        whatsapp_positions: strings(),
        user_os: strings(),
        user_device: strings(),
        ios_devices: strings(),
        android_devices: strings(),
        geo_regions: listOf('WhopMetaGeoLocation'),
        geo_cities: listOf('WhopMetaGeoLocation'),
        geo_zips: strings(),
        location_types: strings(),
        excluded_geo_locations: ref('WhopMetaGeoLocations'),
        geo_locations: ref('WhopMetaGeoLocations'),
        targeting_automation: ref('WhopMetaTargetingAutomation'),
        brand_safety_content_filter_levels: strings(),
      },
    },
    WhopMetaAttributionSpec: {
      type: 'object',
      properties: { event_type: str(), window_days: int() },
    },
    WhopMetaPromotedObject: {
      type: 'object',
      properties: { custom_event_type: str(), page_id: str(), pixel_id: str(), whatsapp_phone_number: str() },
    },
    WhopMetaGeoLocation: {
      type: 'object',
      properties: { key: str(), country: str(), name: str(), radius: int() },
    },
    WhopMetaGeoLocations: {
      type: 'object',
      properties: {
        cities: listOf('WhopMetaGeoLocation'),
        countries: strings(),
        location_types: strings(),
        regions: listOf('WhopMetaGeoLocation'),
        zips: listOf('WhopMetaGeoLocation'),
      },
    },
    WhopMetaTargetingAutomation: {
      type: 'object',
      properties: { advantage_audience: int() },
    },
    // TikTok ad group settings. Money: `bid_price`, `conversion_bid_price` (units not stated).
    WhopTikTokAdGroupConfig: {
      type: 'object',
      properties: {
        budget_mode: str(),
        schedule_type: str(),
        schedule_start_time: str(),
        schedule_end_time: str(),
        dayparting: str(),
        optimization_goal: str(),
        billing_event: str(),
        bid_type: str(),
        bid_price: num(),
        conversion_bid_price: num(),
        pacing: str(),
        placement_type: str(),
        placements: strings(),
        tiktok_subplacements: strings(),
        pixel_id: str(),
        optimization_event: str(),
        app_id: str(),
        promotion_type: str(),
        identity_id: str(),
        identity_type: str(),
        identity_authorized_bc_id: str(),
        operation_status: str(),
        creative_material_mode: str(),
      },
    },
  },
};
