// Our own title and description for each Whop operation, written for LLM callers (no prose copied from the API reference).
import type { OperationText } from './pinterest-descriptions.js';

export const whopDescriptions: Readonly<Record<string, OperationText>> = {
  'ad_groups/create': {
    title: 'Create Whop ad group',
    description:
      'Creates one ad group (a Meta ad set or a TikTok ad group) inside an existing Whop ad campaign (campaign_id). ' +
      'daily_budget is a natural amount in US dollars ("50", "$12.50"; at most 2 decimals). ' +
      'config holds platform-neutral bidding, optimization, schedule and targeting; platform_config.meta / platform_config.tiktok hold platform-specific settings. ' +
      'Other money fields (config.bid_amount, Meta budgets and bids, TikTok bid prices) have no documented unit and are sent exactly as given. ' +
      'Status defaults to active, so a create is held for confirmation unless it is paused and sets no money.',
  },
};
