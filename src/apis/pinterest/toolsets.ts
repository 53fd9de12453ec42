// Pinterest's toolsets (groups of tools a user can select), which of them are listed by default, and tools placed apart from their tag.
import type { ToolsetInfo } from '../toolsets.js';

/**
 * `default`: what an assistant needs to run ad campaigns day to day: accounts, the campaign tree, its metrics and
 * keyword bids. Targeting lookups, audiences and the rest are one `--toolsets` away (the default must fit 12k tokens).
 */
export const PINTEREST_TOOLSETS = {
  accounts: { description: 'Ad accounts, sandbox reset, report templates', tags: ['ad_accounts'], default: true },
  campaigns: { description: 'Campaigns: list, create, update (budgets, spend caps, status)', tags: ['campaigns'], default: true },
  ad_groups: { description: 'Ad groups: budgets, bids, schedules, targeting; bid floors', tags: ['ad_groups'], default: true },
  ads: { description: 'Ads and ad previews', tags: ['ads'], default: true },
  analytics: {
    description: 'Metrics for accounts, campaigns, ad groups, ads and targeting; async reports',
    tags: [],
    default: true,
  },
  keywords: { description: 'Keywords and their bids; keyword metrics', tags: ['keywords'], default: true },
  targeting: {
    description: 'Targeting options, interests, countries, related and suggested terms, targeting templates, audience sizing',
    tags: ['resources', 'terms', 'targeting_template'],
  },
  audiences: {
    description: 'Audiences, customer lists and their uploads, audience insights',
    tags: ['audiences', 'customer_lists', 'customer_list_uploads', 'audience_insights'],
  },
  audience_sharing: { description: 'Sharing audiences with other ad accounts and businesses', tags: ['audience_sharing'] },
  shopping: {
    description: 'Product group promotions and item-level bids (advanced auction)',
    tags: ['product_group_promotions', 'advanced_auction'],
  },
  promotions: { description: 'Promotions: discount offers shown on ads', tags: ['promotions'] },
  catalogs: {
    description: 'Catalogs, feeds, items, product groups, catalog reports',
    tags: ['catalogs', 'catalog_feeds', 'catalog_items', 'catalog_product_groups', 'catalog_reports'],
  },
  conversions: {
    description: 'Conversion tags and events, advertiser-defined events, conversion quality, brand/category/SKU reports',
    tags: ['conversion_tags', 'conversion_events', 'conversions', 'msot_events', 'conversion_eqs'],
  },
  billing: {
    description: 'Billing profiles, invoices, ads credits, insertion orders, order lines, terms of service',
    tags: ['billing', 'order_lines', 'terms_of_service'],
  },
  bulk: { description: 'Bulk download and bulk upsert of campaign structures', tags: ['bulk'] },
  labels: { description: 'Labels that organize campaigns, ad groups and ads', tags: ['labels'] },
  leads: { description: 'Lead forms, lead exports (personal data) and lead-ad webhooks', tags: ['lead_forms', 'lead_ads', 'leads_export'] },
  business_access: {
    description: 'Business access: members, partners, invites, asset permissions, asset groups, brand accounts',
    tags: ['business_access_relationships', 'business_access_invite', 'business_access_assets'],
  },
  trends: { description: 'Trends: trending keywords, featured topics, trending product categories', tags: ['product_categories'] },
  boards: { description: 'Boards and board sections', tags: ['boards'] },
  pins: { description: 'Pins, media uploads and search', tags: ['pins', 'media', 'search'] },
  user_account: { description: 'The user account: profile, analytics, followers, websites', tags: ['user_account'] },
  integrations: { description: 'Commerce integrations, their logs, partner notifications', tags: ['integrations', 'notification'] },
} as const satisfies Record<string, ToolsetInfo>;

/**
 * Former tool names kept callable for one release (old -> current; see ApiDefinition.renamedTools). None yet: from
 * 5.12.0 to 5.23.0 Pinterest renamed no operation (audiences/create_custom, ad_accounts_catalogs_product_groups/list
 * and items/get were removed with their routes, not renamed), and no release of this server has shipped another name.
 */
export const PINTEREST_RENAMED_TOOLS: Readonly<Record<string, string>> = {};

/** Tools (by name) that belong to a different toolset than their tag suggests. */
export const PINTEREST_MOVED_TOOLS: Readonly<Record<string, keyof typeof PINTEREST_TOOLSETS>> = {
  ad_account_analytics: 'analytics',
  ad_account_targeting_analytics_get: 'analytics',
  analytics_create_report: 'analytics',
  analytics_get_report: 'analytics',
  analytics_create_mmm_report: 'analytics',
  analytics_get_mmm_report: 'analytics',
  analytics_create_template_report: 'analytics',
  campaigns_analytics: 'analytics',
  campaign_targeting_analytics_get: 'analytics',
  ad_groups_analytics: 'analytics',
  ad_groups_targeting_analytics_get: 'analytics',
  ads_analytics: 'analytics',
  ad_targeting_analytics_get: 'analytics',
  product_groups_analytics: 'analytics',
  delivery_metrics_get: 'analytics',
  metrics_ready_state_get: 'analytics',
  ad_pins_analytics: 'analytics',
  // Brand, category and SKU conversion reports: conversion measurement, outside the default selection.
  analytics_create_conversion_product_report: 'conversions',
  analytics_get_conversion_product_report: 'conversions',
  ad_groups_audience_sizing: 'targeting',
  trending_keywords_list: 'trends',
};
