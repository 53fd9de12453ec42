// Short notes on fields whose name, type and enum do not say enough (time units, CBO rules, defaults that spend).
import type { ApiId } from '../catalog/apis.js';

interface Note {
  api: ApiId;
  /** Component schema that declares the property. */
  owner: string;
  name: string;
  text: string;
}

/** Only where a model would otherwise guess wrong; every note costs context in every listing. */
const NOTES: readonly Note[] = [
  { api: 'pinterest', owner: 'CampaignCommon', name: 'start_time', text: 'Unix seconds' },
  { api: 'pinterest', owner: 'CampaignCommon', name: 'end_time', text: 'Unix seconds' },
  { api: 'pinterest', owner: 'AdGroupCommon', name: 'start_time', text: 'Unix seconds' },
  { api: 'pinterest', owner: 'AdGroupCommon', name: 'end_time', text: 'Unix seconds' },
  { api: 'pinterest', owner: 'CampaignCreateRequest', name: 'status', text: 'Default ACTIVE: spends at once' },
  { api: 'pinterest', owner: 'AdGroupCommon', name: 'budget_type', text: 'CBO_ADGROUP in CBO campaigns (budget set on the campaign)' },
  { api: 'pinterest', owner: 'CampaignUpdateRequest', name: 'is_campaign_budget_optimization', text: 'CBO: the campaign spend cap is the budget' },
];

export function fieldNote(api: ApiId) {
  return (owners: readonly string[], name: string): string | undefined =>
    NOTES.find((n) => n.api === api && n.name === name && owners.includes(n.owner))?.text;
}
