// Where a Pinterest call names ad accounts, as data: each key that does, wherever it sits (parameters, bodies, map keys).
import type { AccountDirectory, AccountField, ApiAccounts } from '../accounts.js';

/**
 * Keys that name ad accounts wherever a Pinterest call has them. Under `--ad-accounts` every id they hold must be
 * an allowed account. A business asset's kind is not in the call, so an asset id outside the list is refused too.
 */
export const ACCOUNT_FIELDS: Readonly<Record<string, AccountField>> = {
  ad_account_id: { holds: 'value', names: 'account', why: 'an ad account, in paths, queries and bodies' },
  advertiser_id: { holds: 'value', names: 'account', why: 'an advertiser is an ad account (integration logs)' },
  connected_advertiser_id: { holds: 'value', names: 'account', why: 'the ad account a commerce integration connects' },
  recipient_account_ids: { holds: 'value', names: 'account', why: 'the ad accounts an audience is shared with or revoked from' },
  asset_id: { holds: 'value', names: 'asset', why: 'the asset whose access is read or changed' },
  child_asset_id: { holds: 'value', names: 'asset', why: 'the asset whose asset groups are read' },
  assets_to_add: { holds: 'value', names: 'asset', why: 'assets put into an asset group: its grantees get access to them' },
  assets_to_remove: { holds: 'value', names: 'asset', why: 'assets taken out of an asset group: its grantees lose access to them' },
  asset_id_to_permissions: { holds: 'keys', names: 'asset', why: 'maps asset ids to the permissions granted or asked for on them' },
};

/**
 * Properties and parameters that look as if they named an ad account (by their name, or by a description that
 * speaks of ad accounts or advertisers) but do not, with why. The completeness test walks the description and
 * fails on any such key that is in neither table.
 */
export const NOT_ACCOUNTS: Readonly<Record<string, string>> = {
  parent_id:
    "a keyword's or label's parent: a campaign (C…) or ad group (AG…), or for account-level keywords the path's own ad account, which is checked",
  campaign_id: "a campaign of the path's ad account, which is checked",
  owner_user_id: 'the user who owns a new ad account (ad_accounts_create is refused under --ad-accounts anyway)',
  name: 'a name (of a new ad account, among others)',
  brand_account_id: 'a brand account is a child business of a business hierarchy, not an ad account',
  asset_group_id: 'an asset group: what it holds changes only through assets_to_add and assets_to_remove',
  asset_groups_to_delete: 'asset groups, not assets (asset_group_delete names no ad account, so it is refused under --ad-accounts)',
  asset_group_name: "an asset group's name",
  asset_group_description: "an asset group's description",
  creative_assets_id: "a catalog item's id in the merchant's namespace (creative assets), not a business asset",
  creative_assets_ids: "catalog items' ids in the merchant's namespace (creative assets), not business assets",
  external_id: "hashes of the advertiser's own id for a person (conversion events)",
  hashed_maids: "hashes of people's mobile advertising ids (conversion events)",
  partner_name: 'the partner that sends conversion events for the advertiser',
  currency: "a currency code (it defaults to the ad account's)",
  custom_event_name: 'a report column the advertiser defined',
  privacy_policy_link: "a link to the advertiser's privacy policy (lead forms)",
  ad_link: "a catalog item's tracking URL",
  default_ad_group_budget_in_micro_currency: "an amount in the ad account's currency",
};

const text = (value: unknown) => (typeof value === 'string' && value ? value : undefined);

/**
 * The accounts resource's reads: ad_accounts_list with its largest page (250), and ad_accounts_get for one account (its
 * id is digits, at most 18: the AdAccount schema's pattern). The v5 AdAccount has no time zone field.
 */
export const PINTEREST_ACCOUNT_DIRECTORY: AccountDirectory = {
  list: { tool: 'ad_accounts_list', args: { page_size: 250 } },
  page: (body) => {
    const page = (body ?? {}) as { items?: unknown; bookmark?: unknown };
    return { items: Array.isArray(page.items) ? page.items : [], more: typeof page.bookmark === 'string' && page.bookmark !== '' };
  },
  one: (id) => (/^\d{1,18}$/.test(id) ? { tool: 'ad_accounts_get', args: { ad_account_id: id } } : undefined),
  facts: (body) => {
    const account = (body ?? {}) as Record<string, unknown>;
    const id = text(account.id);
    if (!id) return undefined;
    const currency = text(account.currency);
    return { id, name: text(account.name), currency: currency?.toUpperCase(), country: text(account.country), time_zone: null };
  },
  timeZoneNote:
    "Pinterest's ad account (API v5) does not report a time zone. The analytics tools take reporting_timezone (PINTEREST_TIME_ZONE or AD_ACCOUNT_TIME_ZONE; a closed beta) for the time zone of their dates.",
};

export const PINTEREST_ACCOUNTS: ApiAccounts = { fields: ACCOUNT_FIELDS, lists: ['ad_accounts_list'], directory: PINTEREST_ACCOUNT_DIRECTORY };
