// How each Pinterest write's answer says what became of the items it sent (checked against the description by a test).
import type { ItemAnswer } from '../answers.js';

const batch = (sent: string, list = 'items', problems = 'exceptions', data = 'data'): ItemAnswer => ({ form: 'per-item', sent: [sent], list, data, problems });

/** Tool name -> the form of its answer, for every write whose documented answer carries outcome fields. */
export const PINTEREST_ITEM_ANSWERS: Readonly<Record<string, ItemAnswer>> = {
  campaigns_create: batch('[]'),
  campaigns_update: batch('[]'),
  ad_groups_create: batch('[]'),
  ad_groups_update: batch('[]'),
  // The ads element documents `exceptions` as one Exception object, not a list.
  ads_create: batch('[]'),
  ads_update: batch('[]'),
  lead_forms_create: batch('[]'),
  lead_forms_update: batch('[]'),
  // 5.23.0 documents these `exceptions` as nullable with nullable entries, and without a type.
  product_group_promotions_create: batch('product_group_promotion[]'),
  product_group_promotions_update: batch('product_group_promotion[]'),
  promotions_create: batch('[]', 'promotions', 'exception'),
  promotions_update: batch('[]', 'promotions', 'exception'),
  respond_business_access_invites: batch('invites[]', 'items', 'exception', 'invite'),
  create_asset_invites: batch('invites[]', 'items', 'exception', 'invite'),
  create_membership_or_partnership_invites: { form: 'per-item', sent: ['members[]', 'partners[]'], list: 'items', data: 'invite', problems: 'exception' },
  cancel_invites_or_requests: batch('invite_ids[]', 'items', 'exception', 'invite'),
  // "A non empty errors list means this single item operation was not applied."
  advanced_auction_items_submit_post: { form: 'per-item', sent: ['items[]'], list: 'items', problems: 'errors' },
  events_create: {
    form: 'per-item',
    sent: ['data[]'],
    list: 'events',
    problems: 'error_message',
    applied: { field: 'status', values: ['processed'] },
    failed: { field: 'status', values: ['failed'] },
  },
  keywords_create: { form: 'split', sent: ['keywords[]'], applied: 'keywords', failed: 'errors', problems: 'error_messages' },
  keywords_update: { form: 'split', sent: ['keywords[]'], applied: 'keywords', failed: 'errors', problems: 'error_messages' },
  labels_create: { form: 'split', sent: ['labels[]'], applied: 'labels', failed: 'errors', problems: 'error_messages' },
  labels_update: { form: 'split', sent: ['labels[]'], applied: 'labels', failed: 'errors', problems: 'error_messages' },
  asset_group_update: { form: 'problems', problems: 'exceptions' },
  asset_group_delete: { form: 'problems', problems: 'exceptions' },
  asset_access_requests_create: { form: 'problems', problems: 'exceptions' },
  customer_lists_create: { form: 'problems', problems: 'exceptions' },
  customer_lists_update: { form: 'problems', problems: 'exceptions' },
  ads_credit_redeem: { form: 'flag', flag: 'success', messages: ['errorMessage', 'errorCode'] },
  notification_post: { form: 'flag', flag: 'success', messages: ['error_msg'] },
  customer_list_uploads_create: { form: 'none', why: "error counts describe the upload's later processing, not this call" },
  customer_list_uploads_run: { form: 'none', why: "error counts describe the upload's processing as it runs, not this call" },
  items_batch_post: { form: 'none', why: 'starts an asynchronous batch; item errors appear when the batch is read later' },
};
