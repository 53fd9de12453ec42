// Our own title and description for each Whop ads operation, written for LLM callers (no prose copied from the SDK).
import type { OperationText } from '../types.js';

const MONEY = 'Amounts are natural, in the ad account\'s currency ("50", "12.50 USD"; whole units for JPY).';
const LIST = 'Next page: after = page_info.end_cursor.';
const STATS = 'Stats cover stats_from..stats_to (default: all time).';
const HELD = 'Held for a person\'s approval';

export const whopDescriptions: Readonly<Record<string, OperationText>> = {
  'ad_campaigns/list': {
    title: 'List Whop ad campaigns',
    description: `Lists an account's ad campaigns (Meta, bought through Whop) with budget settings and stats. Filter by status, query (title or id), created_after/before; order by a stat. ${STATS} ${LIST}`,
  },
  'ad_campaigns/create': {
    title: 'Create Whop ad campaign',
    description:
      `Creates a draft campaign (platform meta, objective, title); it spends once launched (update status active). budget_optimization ad_campaign: the campaign owns budget_amount (required); ad_group (default): each ad group has its own. bid_type, desired_cost_per_result and starts_at/ends_at need a campaign budget. ${MONEY} ${HELD} when it sets money or dates.`,
  },
  'ad_campaigns/get': {
    title: 'Get Whop ad campaign',
    description: `One campaign by id (adcamp_...): status, delivery_status, budget settings, issues and stats. ${STATS}`,
  },
  'ad_campaigns/update': {
    title: 'Update Whop ad campaign',
    description:
      `Changes only the fields sent (objective and budget_type are fixed; budget_optimization only before launch). status active launches a draft; pause/resume have their own tools. ${MONEY} ${HELD} unless it only renames; the preview shows current -> new.`,
  },
  'ad_campaigns/delete': {
    title: 'Delete Whop ad campaign',
    description: `Deletes a campaign and archives it on Meta, with all its ad groups and ads. Cannot be undone. ${HELD} (destructive).`,
  },
  'ad_campaigns/pause': {
    title: 'Pause Whop ad campaign',
    description: 'Pauses an active campaign: its ads stop delivering. Sent at once (it only lowers spend); retried safely.',
  },
  'ad_campaigns/unpause': {
    title: 'Resume Whop ad campaign',
    description: `Resumes a paused campaign: its ads deliver and spend again. ${HELD}.`,
  },
  'ad_campaigns/retry_payment': {
    title: 'Retry Whop campaign payment',
    description: `Charges again for a campaign whose payment failed (status payment_failed), so it can deliver again. ${HELD}: it bills the account.`,
  },
  'ad_groups/list': {
    title: 'List Whop ad groups',
    description: `Lists ad groups (Meta ad sets), newest first, with budgets, targeting, schedule and stats. Filter by ad_campaign_id, status, query. ${STATS} ${LIST}`,
  },
  'ad_groups/create': {
    title: 'Create Whop ad group',
    description:
      `Creates an ad group (Meta ad set) in a campaign: targeting, placements, schedule, optimization, and budget_amount + budget_type unless the campaign owns the budget. desired_cost_per_result goes with bid_type average_target/maximum_target. ${MONEY} It starts ACTIVE unless status is paused: ${HELD.toLowerCase()} unless paused and without money or dates.`,
  },
  'ad_groups/get': {
    title: 'Get Whop ad group',
    description: `One ad group by id (adgrp_...): budget, bidding, targeting, placements, schedule, status and stats. ${STATS}`,
  },
  'ad_groups/update': {
    title: 'Update Whop ad group',
    description:
      `Changes only the fields sent; detailed_targeting replaces all its sections. ${MONEY} ${HELD} unless it only renames; the preview shows current -> new.`,
  },
  'ad_groups/delete': {
    title: 'Delete Whop ad group',
    description: `Deletes an ad group and its ads. Cannot be undone. ${HELD} (destructive).`,
  },
  'ad_groups/pause': {
    title: 'Pause Whop ad group',
    description: 'Pauses an ad group: its ads stop delivering. Sent at once (it only lowers spend); retried safely.',
  },
  'ad_groups/unpause': {
    title: 'Resume Whop ad group',
    description: `Resumes a paused ad group: its ads deliver and spend again. ${HELD}.`,
  },
  'ad_groups/targeting_options': {
    title: 'Search Whop targeting options',
    description:
      'Searches Meta\'s targeting taxonomy; each result has the shape detailed_targeting, regions or languages take. Interests and locations need a query; a blank one browses behaviors, demographics and languages.',
  },
  'ad_groups/estimate_reach': {
    title: 'Estimate Whop audience reach',
    description: 'Estimates how many people a draft targeting spec reaches (same targeting fields as ad_groups_create). Nothing is created or spent.',
  },
  'ads/list': {
    title: 'List Whop ads',
    description: `Lists ads with creative, copy, status and stats. Filter by ad_campaign_id, ad_group_id, status, query. ${STATS} ${LIST}`,
  },
  'ads/create': {
    title: 'Create Whop ad',
    description:
      `Creates an ad in ad_group_id, or with a new ad group (ad_group: an ad_groups_create body): creatives or post_id, copy, call_to_action, url, lead form. It delivers at once: ${HELD.toLowerCase()}.`,
  },
  'ads/get': {
    title: 'Get Whop ad',
    description: `One ad by id: creative, copy, destination, status and stats. ${STATS}`,
  },
  'ads/update': {
    title: 'Update Whop ad',
    description: `Changes the fields sent. Copy and links are sent at once; creative, post and lead form changes are ${HELD.toLowerCase()}.`,
  },
  'ads/delete': {
    title: 'Delete Whop ad',
    description: `Deletes an ad. Cannot be undone. ${HELD} (destructive).`,
  },
  'ads/pause': {
    title: 'Pause Whop ad',
    description: 'Pauses an ad: it stops delivering. Sent at once (it only lowers spend); retried safely.',
  },
  'ads/unpause': {
    title: 'Resume Whop ad',
    description: `Resumes a paused ad: it delivers and spends again. ${HELD}.`,
  },
  'ad_reports/get': {
    title: 'Whop ads performance report',
    description:
      'Totals (spend, impressions, clicks, reach, CPC, CPM, results) from..to for exactly one of company_id, ad_campaign_ids, ad_group_ids, ad_ids. breakdown adds rows per entity; granularity a time series. Spend is restated with its currency.',
  },
  'audiences/list': {
    title: 'List Whop audiences',
    description: `Lists an account's customer-list and lookalike audiences with processing status and match rates. ${LIST}`,
  },
  'audiences/create': {
    title: 'Create Whop audience',
    description:
      'Creates a custom audience from an uploaded CSV (name, file_id, column_mapping: email or phone), or lookalikes of a ready one (audience_type lookalike, source_audience_id, count 1-6, percentage 1-20 divisible by count).',
  },
  'audiences/delete': {
    title: 'Delete Whop audience',
    description: `Deletes an audience; ad groups targeting it lose it. Cannot be undone. ${HELD} (destructive).`,
  },
};
