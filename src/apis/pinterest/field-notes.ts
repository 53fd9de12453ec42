// Short notes on Pinterest fields whose name, type and enum do not say enough (time units, where budgets live, targeting keys, columns).
import type { FieldNote } from '../wording.js';

/** The analytics columns a model asks for most (spend, impressions, clicks, CPC, CTR); the rest are in describe_tool. */
const COMMON_COLUMNS = ['SPEND_IN_MICRO_DOLLAR', 'PAID_IMPRESSION', 'CLICKTHROUGH_1', 'CPC_IN_MICRO_DOLLAR', 'CTR'];

/** A pointer for a long list of analytics columns: the common ones the field's enum has, the rest left to describe_tool. */
function columnGuide(values: readonly unknown[] | undefined): string | undefined {
  if (!values?.includes('SPEND_IN_MICRO_DOLLAR')) return undefined;
  return `e.g. ${COMMON_COLUMNS.filter((c) => values.includes(c)).join(', ')}; all ${values.length} in describe_tool`;
}

/** Only where a model would otherwise guess wrong; every note costs context in every listing that shows the field. */
export const PINTEREST_FIELD_NOTES: readonly FieldNote[] = [
  { owner: 'CampaignCommon', name: 'start_time', text: 'Unix seconds' },
  { owner: 'CampaignCommon', name: 'end_time', text: 'Unix seconds' },
  { owner: 'AdGroupCommon', name: 'start_time', text: 'Unix seconds' },
  { owner: 'AdGroupCommon', name: 'end_time', text: 'Unix seconds' },
  { owner: 'CampaignCreateRequest', name: 'status', text: 'Default ACTIVE: spends at once' },
  // Where the budget lives: on the campaign with CBO, else on each ad group (campaign caps then only limit the total).
  { owner: 'CampaignCommon', name: 'daily_spend_cap', text: 'CBO: the daily budget; else an optional cap on all ad groups' },
  { owner: 'CampaignCommon', name: 'lifetime_spend_cap', text: 'CBO: the lifetime budget; else an optional cap' },
  { owner: 'CampaignCreateCommon', name: 'is_campaign_budget_optimization', text: 'CBO: budget on the campaign, shared by its ad groups' },
  { owner: 'AdGroupCommon', name: 'budget_in_micro_currency', text: 'Required unless the campaign uses CBO' },
  { owner: 'AdGroupCommon', name: 'budget_type', text: 'CBO_ADGROUP in CBO campaigns (budget set on the campaign)' },
  {
    name: 'targeting_spec',
    text: 'Keys, each a list; a missing key targets all: LOCATION (country or US DMA codes) or GEO (region/postal codes), GENDER, AGE_BUCKET, LOCALE (languages), INTEREST (ids), APPTYPE (devices), AUDIENCE_INCLUDE/EXCLUDE (audience ids)',
  },
  { owner: 'TargetingSpec', name: 'LOCATION', text: 'Country codes (US) or US Nielsen DMA codes (807); LOCATION or GEO is required' },
  { owner: 'TargetingSpec', name: 'GEO', text: 'Region codes (BE-VOV) or postal codes (US-94107), not both' },
  { owner: 'TargetingSpec', name: 'GENDER', text: 'female, male, unknown' },
  { owner: 'TargetingSpec', name: 'AGE_BUCKET', text: 'Age ranges; not with MINIMUM_AGE/MAXIMUM_AGE' },
  { owner: 'TargetingSpec', name: 'MINIMUM_AGE', text: '"18".."65", with MAXIMUM_AGE' },
  { owner: 'TargetingSpec', name: 'MAXIMUM_AGE', text: '"18".."65+", with MINIMUM_AGE' },
  { owner: 'TargetingSpec', name: 'LOCALE', text: 'ISO 639-1 language codes (en, de)' },
  { owner: 'TargetingSpec', name: 'INTEREST', text: 'Interest ids (targeting toolset: interests)' },
  { owner: 'TargetingSpec', name: 'APPTYPE', text: 'Devices' },
  { owner: 'TargetingSpec', name: 'AUDIENCE_INCLUDE', text: 'Audience ids to target (100+ users each)' },
  { owner: 'TargetingSpec', name: 'AUDIENCE_EXCLUDE', text: 'Audience ids to leave out' },
  { owner: 'TargetingSpec', name: 'SHOPPING_RETARGETING', text: 'Dynamic retargeting: lookback_window, exclusion_window (days), tag_types' },
  { name: 'columns', text: columnGuide },
];
