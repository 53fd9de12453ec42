// Whop's write classes: every non-GET operation of its catalog, with why (the classes are in ../classification.ts).
import type { Classification } from '../classification.js';
import { data, destructive, entity, neutral, read, spend } from '../write-classes.js';

/** Tool name (with the `whop_` prefix) -> class. */
export const WHOP_WRITE_CLASSES: Readonly<Record<string, Classification>> = {
  // POSTs that only read or compute.
  whop_ad_groups_estimate_reach: read('estimates how many people a Whop targeting spec reaches; creates nothing'),

  // Campaign structure: held unless every field set is spend-neutral.
  whop_ad_campaigns_create: entity('creates a Whop campaign (a draft: it spends once launched, which is held)'),
  whop_ad_campaigns_update: entity('changes Whop campaigns: budget, bidding, schedule, categories, launch'),
  whop_ad_groups_create: entity('creates a Whop ad group, active unless told otherwise'),
  whop_ad_groups_update: entity('changes Whop ad groups: budget, bids, schedule, targeting, placements, status'),
  whop_ads_create: entity('creates a Whop ad, which delivers at once (and may create its ad group with it)'),
  whop_ads_update: entity('changes Whop ads: creative, post, lead form, copy and links'),

  // Always held: billing, commitments, and who active ads reach.
  whop_ad_campaigns_unpause: spend('resumes a paused Whop campaign: its ads spend again'),
  whop_ad_campaigns_retry_payment: spend('charges the account again for a Whop campaign whose payment failed'),
  whop_ad_groups_unpause: spend('resumes a paused Whop ad group: its ads spend again'),
  whop_ads_unpause: spend('resumes a paused Whop ad: it spends again'),

  // Destructive: held by default (`--confirm-writes spend,data,destructive`).
  whop_ad_campaigns_delete: destructive('deletes a Whop campaign with its ad groups and ads, and archives it on the ad network'),
  whop_ad_groups_delete: destructive('deletes a Whop ad group and its ads'),
  whop_ads_delete: destructive('deletes a Whop ad'),
  whop_audiences_delete: destructive('deletes a Whop audience (ad groups targeting it lose it)'),

  // Personal data sent somewhere, or what automated bidding learns from: held by default (`--confirm-writes ...,data`).
  whop_audiences_create: data("a custom audience sends an uploaded customer file's emails and phones on to the ad network"),

  // Neutral: content, measurement and set-up that spends nothing by itself and sends no one's personal data.
  // Pausing only stops delivery: it lowers spend, never raises it (resuming is held).
  whop_ad_campaigns_pause: neutral('pauses a Whop campaign: delivery stops, spend only goes down'),
  whop_ad_groups_pause: neutral('pauses a Whop ad group: delivery stops, spend only goes down'),
  whop_ads_pause: neutral('pauses a Whop ad: delivery stops, spend only goes down'),
};
