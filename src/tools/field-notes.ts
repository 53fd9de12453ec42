// Short notes on fields whose name, type and enum do not say enough (time units, where budgets live, targeting keys, columns).
import type { ApiId } from '../apis/index.js';
import { PARAMETERS } from './schema.js';

interface Note {
  api: ApiId;
  /** Component schema that declares the property (`PARAMETERS` for an operation's parameters); none: any owner. */
  owner?: string;
  name: string;
  /** The note, or a function of the values the field allows (its enum); undefined means no note. */
  text: string | ((values: readonly unknown[] | undefined) => string | undefined);
}

/** The analytics columns a model asks for most (spend, impressions, clicks, CPC, CTR); the rest are in describe_tool. */
const COMMON_COLUMNS = ['SPEND_IN_MICRO_DOLLAR', 'PAID_IMPRESSION', 'CLICKTHROUGH_1', 'CPC_IN_MICRO_DOLLAR', 'CTR'];

/** A pointer for a long list of analytics columns: the common ones the field's enum has, the rest left to describe_tool. */
function columnGuide(values: readonly unknown[] | undefined): string | undefined {
  if (!values?.includes('SPEND_IN_MICRO_DOLLAR')) return undefined;
  return `e.g. ${COMMON_COLUMNS.filter((c) => values.includes(c)).join(', ')}; all ${values.length} in describe_tool`;
}

/** Only where a model would otherwise guess wrong; every note costs context in every listing that shows the field. */
const NOTES: readonly Note[] = [
  { api: 'pinterest', owner: 'CampaignCommon', name: 'start_time', text: 'Unix seconds' },
  { api: 'pinterest', owner: 'CampaignCommon', name: 'end_time', text: 'Unix seconds' },
  { api: 'pinterest', owner: 'AdGroupCommon', name: 'start_time', text: 'Unix seconds' },
  { api: 'pinterest', owner: 'AdGroupCommon', name: 'end_time', text: 'Unix seconds' },
  { api: 'pinterest', owner: 'CampaignCreateRequest', name: 'status', text: 'Default ACTIVE: spends at once' },
  // Where the budget lives: on the campaign with CBO, else on each ad group (campaign caps then only limit the total).
  { api: 'pinterest', owner: 'CampaignCommon', name: 'daily_spend_cap', text: 'CBO: the daily budget; else an optional cap on all ad groups' },
  { api: 'pinterest', owner: 'CampaignCommon', name: 'lifetime_spend_cap', text: 'CBO: the lifetime budget; else an optional cap' },
  { api: 'pinterest', owner: 'CampaignCreateCommon', name: 'is_campaign_budget_optimization', text: 'CBO: budget on the campaign, shared by its ad groups' },
  { api: 'pinterest', owner: 'AdGroupCommon', name: 'budget_in_micro_currency', text: 'Required unless the campaign uses CBO' },
  { api: 'pinterest', owner: 'AdGroupCommon', name: 'budget_type', text: 'CBO_ADGROUP in CBO campaigns (budget set on the campaign)' },
  {
    api: 'pinterest',
    name: 'targeting_spec',
    text: 'Keys, each a list; a missing key targets all: LOCATION (country or US DMA codes) or GEO (region/postal codes), GENDER, AGE_BUCKET, LOCALE (languages), INTEREST (ids), APPTYPE (devices), AUDIENCE_INCLUDE/EXCLUDE (audience ids)',
  },
  { api: 'pinterest', owner: 'TargetingSpec', name: 'LOCATION', text: 'Country codes (US) or US Nielsen DMA codes (807); LOCATION or GEO is required' },
  { api: 'pinterest', owner: 'TargetingSpec', name: 'GEO', text: 'Region codes (BE-VOV) or postal codes (US-94107), not both' },
  { api: 'pinterest', owner: 'TargetingSpec', name: 'GENDER', text: 'female, male, unknown' },
  { api: 'pinterest', owner: 'TargetingSpec', name: 'AGE_BUCKET', text: 'Age ranges; not with MINIMUM_AGE/MAXIMUM_AGE' },
  { api: 'pinterest', owner: 'TargetingSpec', name: 'MINIMUM_AGE', text: '"18".."65", with MAXIMUM_AGE' },
  { api: 'pinterest', owner: 'TargetingSpec', name: 'MAXIMUM_AGE', text: '"18".."65+", with MINIMUM_AGE' },
  { api: 'pinterest', owner: 'TargetingSpec', name: 'LOCALE', text: 'ISO 639-1 language codes (en, de)' },
  { api: 'pinterest', owner: 'TargetingSpec', name: 'INTEREST', text: 'Interest ids (targeting toolset: interests)' },
  { api: 'pinterest', owner: 'TargetingSpec', name: 'APPTYPE', text: 'Devices' },
  { api: 'pinterest', owner: 'TargetingSpec', name: 'AUDIENCE_INCLUDE', text: 'Audience ids to target (100+ users each)' },
  { api: 'pinterest', owner: 'TargetingSpec', name: 'AUDIENCE_EXCLUDE', text: 'Audience ids to leave out' },
  { api: 'pinterest', owner: 'TargetingSpec', name: 'SHOPPING_RETARGETING', text: 'Dynamic retargeting: lookback_window, exclusion_window (days), tag_types' },
  { api: 'pinterest', name: 'columns', text: columnGuide },
];

export function fieldNote(api: ApiId) {
  return (owners: readonly string[], name: string, values?: readonly unknown[]): string | undefined => {
    for (const note of NOTES) {
      if (note.api !== api || note.name !== name || (note.owner !== undefined && !owners.includes(note.owner))) continue;
      const text = typeof note.text === 'string' ? note.text : note.text(values);
      if (text) return text;
    }
    return undefined;
  };
}
