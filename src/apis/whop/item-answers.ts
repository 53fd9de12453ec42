// How each Whop write's answer says what became of the items it sent (checked against the description by a test).
import type { ItemAnswer } from '../answers.js';

/** Tool name -> the form of its answer, for every write whose documented answer carries outcome fields. */
export const WHOP_ITEM_ANSWERS: Readonly<Record<string, ItemAnswer>> = {
  whop_audiences_delete: { form: 'flag', flag: 'success', messages: [] },
  whop_ad_campaigns_delete: { form: 'boolean' },
  whop_ad_groups_delete: { form: 'boolean' },
  whop_ads_delete: { form: 'boolean' },
  whop_audiences_create: { form: 'none', why: "error_message is the audience's own processing status, not this call's" },
};
