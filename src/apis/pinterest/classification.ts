// Pinterest's write classes: every non-GET operation of its catalog, with why (the classes are in ../classification.ts).
import type { AccountUse, Classification } from '../classification.js';
import { access, data, destructive, entity, neutral, read, spend } from '../write-classes.js';

const ORGANIC: AccountUse = { none: "organic content belongs to a profile; an ad_account_id given only picks that account owner's profile, and is checked" };

/** Tool name -> class. */
export const PINTEREST_WRITE_CLASSES: Readonly<Record<string, Classification>> = {
  // POSTs that only read or compute.
  ad_groups_bid_floor_get: read('quotes bid floors for a hypothetical ad group; changes nothing'),
  ad_previews_create: read('renders a preview image of an ad; changes nothing'),
  analytics_create_report: read('starts an asynchronous metrics report; changes no account settings'),
  analytics_create_mmm_report: read('starts an asynchronous marketing-mix report; changes no account settings'),
  analytics_create_template_report: read('starts a report from a saved template; changes no account settings'),
  bulk_download_create: read('starts an export of the campaign structure; changes nothing'),
  products_by_product_group_filter_list: read('lists the products a filter would match; changes nothing'),
  ad_groups_audience_sizing: read('estimates how many people a targeting spec reaches; changes nothing'),
  advanced_auction_items_get_post: read('reads the bid options of catalog items; changes nothing'),
  analytics_create_conversion_product_report: read('starts an asynchronous brand, category and SKU report; changes no account settings'),
  items_post: read('looks up catalog items by id or filter; changes nothing'),
  reports_create: read('starts an asynchronous catalog report; changes nothing'),

  // Campaign structure: held unless every field set is spend-neutral.
  campaigns_create: entity('creates campaigns, which start ACTIVE unless told otherwise'),
  campaigns_update: entity('changes campaigns: budgets, caps, status, schedule, objective, optimization'),
  ad_groups_create: entity('creates ad groups, which start ACTIVE unless told otherwise'),
  ad_groups_update: entity('changes ad groups: budgets, bids, status, schedule, targeting, bidding'),
  ads_create: entity('creates ads, which start ACTIVE unless told otherwise'),
  ads_update: entity('changes ads: status, format and creative'),
  keywords_create: entity('adds keywords, which start active and bid at once'),
  keywords_update: entity('changes keyword bids and archives keywords'),
  product_group_promotions_create: entity('promotes product groups, ACTIVE unless told otherwise'),
  product_group_promotions_update: entity('changes product group promotions: bids, status, inclusion, products'),
  bulk_upsert_create: entity('creates and updates campaigns, ad groups, ads, product groups and keywords in one call'),

  // Always held: billing, commitments, and who active ads reach.
  ads_credit_redeem: spend('applies an ads credit offer to the account billing'),
  ssio_insertion_order_create: spend('creates an insertion order (a spending commitment)'),
  ssio_insertion_order_edit: spend('changes an insertion order (a spending commitment)'),
  audiences_update: spend('changes who an audience contains, and so who every ad group targeting it reaches'),
  customer_lists_update: spend('adds or removes people of a customer list that ad groups may target'),
  catalogs_product_groups_update: spend('changes which products a product group holds, and so what its promotions advertise'),
  customer_list_uploads_run: spend('adds or removes the uploaded people of a customer list that ad groups may target'),
  targeting_template_update: spend('changes the targeting of every ad group that uses the template'),
  advanced_auction_items_submit_post: spend('sets or removes the bids and bid multipliers of catalog items'),
  promotions_create: spend('creates discount offers shown on ads (money off for buyers)'),
  promotions_update: spend('changes discount offers shown on ads: amounts, codes, dates, status'),

  // Always held: who may use the business's ad accounts, assets and audiences.
  create_membership_or_partnership_invites: access('invites members or partners into the business', { unnamed: 'a business role reaches the ad accounts of the business' }),
  create_asset_invites: access('adds asset permissions to invitations: what invited people may use'),
  asset_access_requests_create: access("asks a partner for access to its assets"),
  respond_business_access_invites: access('accepts or declines invitations and access requests, granting access when accepted'),
  cancel_invites_or_requests: access('cancels pending invitations or access requests', { unnamed: 'pending invitations and requests may carry access to any ad account of the business' }),
  update_business_memberships: access("changes members' roles in the business", { unnamed: "a member's role reaches every ad account of the business" }),
  delete_business_membership: access('removes members from the business, with all their access', { unnamed: 'their access may be to any ad account of the business' }),
  delete_business_partners: access('ends partnerships, with all the access they carry', { unnamed: 'that access may be to any ad account of either business' }),
  business_members_asset_access_update: access("grants or changes members' permissions on ad accounts and other assets"),
  business_members_asset_access_delete: access("removes members' permissions on assets"),
  update_partner_asset_access_handler_impl: access("grants or changes partners' permissions on assets"),
  delete_partner_asset_access_handler_impl: access("removes partners' permissions on assets"),
  asset_group_create: access('groups assets so that access can be granted to them together', { none: 'a new asset group holds no assets (asset_group_update adds them, naming each)' }),
  asset_group_update: access('changes which assets a group holds, and so what its grantees may use'),
  asset_group_delete: access('deletes asset groups, and the access granted through them', { unnamed: 'the groups may hold any ad account of the business' }),
  update_ad_account_to_ad_account_shared_audience: access('shares audiences with other ad accounts, or stops sharing them (their ad groups lose them)'),
  update_ad_account_to_business_shared_audience: access('shares audiences with other businesses, or stops sharing them (their ad groups lose them)'),
  update_business_to_ad_account_shared_audience: access('shares business audiences with ad accounts, or stops sharing them (their ad groups lose them)'),
  update_business_to_business_shared_audience: access('shares business audiences with other businesses, or stops sharing them (their ad groups lose them)', {
    unnamed: 'the businesses it shares with (or stops sharing with) target the audience from any of their ad accounts',
  }),

  // Destructive: held by default (`--confirm-writes spend,data,destructive`).
  pins_delete: destructive('deletes a pin for good (an ad using it stops)', ORGANIC),
  boards_delete: destructive('deletes a board and its pins for good', ORGANIC),
  board_sections_delete: destructive('deletes a board section for good', ORGANIC),
  feeds_delete: destructive('deletes a catalog feed for good'),
  catalogs_product_groups_delete: destructive('deletes a catalog product group for good (its promotions stop)'),
  items_batch_post: destructive('changes catalog items in bulk and can delete them or mark them out of stock'),
  sandbox_delete: destructive('deletes the sandbox ad account and everything in it'),
  integrations_commerce_del: destructive('removes a commerce integration', { unnamed: 'the integration may connect any ad account, and its external business id does not say which' }),
  ad_accounts_subscriptions_del_by_id: destructive('deletes a lead-ads webhook subscription (leads stop arriving)'),
  unverify_website_delete: destructive('removes the verification of a website', { none: "a website's verification belongs to the user's profile" }),
  promotions_delete: destructive('deletes a promotion for good (ads using it lose the offer)'),
  catalogs_product_groups_delete_many: destructive('deletes catalog product groups for good (their promotions stop)'),

  // Personal data sent somewhere, or what automated bidding learns from: held by default (`--confirm-writes ...,data`).
  ad_accounts_create: data('creates an ad account: a new place for campaigns, audiences, leads and conversion data', {
    unnamed: 'it creates an ad account, and a server limited to some accounts does not create others',
  }),
  ad_accounts_subscriptions_post: data("sends every lead-ad submission (people's names, emails, phones) to the webhook address given"),
  leads_export_create: data('exports the personal data of people who submitted lead forms'),
  lead_form_test_create: data('submits answers as lead data (the names, emails and phones the form asks for)'),
  customer_lists_create: data("uploads people's emails or mobile ad ids (plain or hashed) to Pinterest"),
  events_create: data('reports conversions with hashed personal data; automated bidding learns from them, so invented ones mislead it'),
  msot_events_create: data('reports attributed conversions that measurement and bidding learn from'),
  feeds_create: data('adds product data (items, prices, availability) that shopping ads show and bid on'),
  feeds_update: data('changes where and how product data that shopping ads show and bid on is ingested'),
  feeds_ingest: data('ingests product data now: the items, prices and availability shopping ads show and bid on change'),
  integrations_commerce_post: data("connects a commerce platform to a merchant, ad account and tag, with the partner's tokens and email"),
  integrations_commerce_patch: data("changes which merchant, ad account and tag a commerce platform feeds, and the partner's tokens and email"),
  integrations_logs_post: data('sends log records (messages, request and response headers, stack traces) and whatever personal data they carry', {
    none: 'logs describe an integration and change no ad account (an advertiser_id in them is checked)',
  }),
  notification_post: data('sends any JSON the caller writes to Pinterest; what it carries is not described', {
    unnamed: 'its payload is undescribed JSON, which may concern any ad account',
  }),

  // Neutral: content, measurement and set-up that spends nothing by itself and sends no one's personal data.
  audiences_create: neutral('a new audience reaches no one until an ad group targets it (a held targeting change)'),
  conversion_tags_create: neutral('a new tag records nothing until installed on a website, and bidding uses it only through a held ad group goal'),
  lead_forms_create: neutral('creates lead forms (the questions an ad asks); an ad uses one only through a held ad write'),
  lead_forms_update: neutral('changes the questions, texts and policy links of lead forms; their answers leave only through held data writes'),
  customer_list_uploads_create: neutral('opens an upload of customer list entries; nothing changes until customer_list_uploads_run (held)'),
  targeting_template_create: neutral('a new targeting template reaches no one until an ad group uses it (a held targeting change)'),
  labels_create: neutral('adds labels (names for organizing campaigns, ad groups and ads)'),
  labels_update: neutral('renames or archives labels'),
  system_user_update: neutral("renames a business's system user", { none: "a system user's name is not access" }),
  brand_accounts_create: neutral('creates a brand account profile in a business hierarchy; it spends nothing', { none: 'a brand account is a child business with a profile, not an ad account' }),
  brand_accounts_update: neutral("changes a brand account's name or username", { none: 'a brand account is a child business with a profile, not an ad account' }),
  catalogs_product_groups_create: neutral('a new product group is advertised only once a promotion uses it (held)', { none: 'a promotion names the ad account that advertises it' }),
  catalogs_product_groups_create_many: neutral('new product groups are advertised only once a promotion uses them (held)', { none: 'a promotion names the ad account that advertises them' }),
  catalogs_create: neutral('creates an empty catalog (product data)', { none: 'an empty catalog belongs to a user or business, and no ad shows it yet' }),
  boards_create: neutral('organic content', ORGANIC),
  boards_update: neutral('organic content', ORGANIC),
  board_sections_create: neutral('organic content', ORGANIC),
  board_sections_update: neutral('organic content', ORGANIC),
  pins_create: neutral('organic content', ORGANIC),
  pins_update: neutral('organic content (title, description, link, board)', ORGANIC),
  pins_save: neutral('organic content', ORGANIC),
  media_create: neutral('registers a media upload', { none: "media uploads belong to the user's profile" }),
  follow_user_update: neutral('follows a user', { none: "follows from the user's profile" }),
  verify_website_update: neutral('verifies a website', { none: "a website's verification belongs to the user's profile" }),
};
