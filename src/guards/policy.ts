// Spend policy as data: which writes change spend, where their entities sit in the body, and how to read them back.
import type { ApiId } from '../catalog/apis.js';
import { MONEY_FIELDS, type MoneyField } from './money-fields.js';

export type EntityKind = 'campaign' | 'ad_group' | 'ad' | 'keyword' | 'product_group_promotion';

export interface EntityGroup {
  kind: EntityKind;
  create: boolean;
  items: Record<string, unknown>[];
}

type Body = Record<string, unknown> | Record<string, unknown>[] | undefined;

const list = (value: unknown): Record<string, unknown>[] => (Array.isArray(value) ? value : []);
const field = (body: Body, name: string): unknown => (body && !Array.isArray(body) ? body[name] : undefined);

/** Bulk upsert wraps lists of each entity kind under `create` and `update`. */
function bulkGroups(body: Body): EntityGroup[] {
  const groups: EntityGroup[] = [];
  for (const create of [true, false]) {
    const part = field(body, create ? 'create' : 'update') as Body;
    if (!part) continue;
    groups.push({ kind: 'campaign', create, items: list(field(part, 'campaigns')) });
    groups.push({ kind: 'ad_group', create, items: list(field(part, 'ad_groups')) });
    groups.push({ kind: 'ad', create, items: list(field(part, 'ads')) });
    groups.push({
      kind: 'product_group_promotion',
      create,
      items: list(field(part, 'product_groups')).flatMap((g) => list(g.product_group_promotion)),
    });
    groups.push({
      kind: 'keyword',
      create,
      items: create ? list(field(part, 'keywords')).flatMap((k) => list(k.keywords)) : list(field(part, 'keywords')),
    });
  }
  return groups.filter((g) => g.items.length > 0);
}

/** Tool name -> the entities its body creates or updates. Tools not listed here write nothing that spends. */
export const ENTITY_WRITES: Readonly<Record<string, (body: Body) => EntityGroup[]>> = {
  campaigns_create: (b) => [{ kind: 'campaign', create: true, items: list(b) }],
  campaigns_update: (b) => [{ kind: 'campaign', create: false, items: list(b) }],
  ad_groups_create: (b) => [{ kind: 'ad_group', create: true, items: list(b) }],
  ad_groups_update: (b) => [{ kind: 'ad_group', create: false, items: list(b) }],
  ads_create: (b) => [{ kind: 'ad', create: true, items: list(b) }],
  ads_update: (b) => [{ kind: 'ad', create: false, items: list(b) }],
  keywords_create: (b) => [{ kind: 'keyword', create: true, items: list(field(b, 'keywords')) }],
  keywords_update: (b) => [{ kind: 'keyword', create: false, items: list(field(b, 'keywords')) }],
  product_group_promotions_create: (b) => [
    { kind: 'product_group_promotion', create: true, items: list(field(b, 'product_group_promotion')) },
  ],
  product_group_promotions_update: (b) => [
    { kind: 'product_group_promotion', create: false, items: list(field(b, 'product_group_promotion')) },
  ],
  bulk_upsert_create: bulkGroups,
  whop_ad_groups_create: (b) => [{ kind: 'ad_group', create: true, items: b && !Array.isArray(b) ? [b] : [] }],
};

/** Writes that always move money, whatever their body says. */
export const ALWAYS_SPEND: Readonly<Record<string, string>> = {
  ads_credit_redeem: 'applies an ads credit offer to the account billing',
  ssio_insertion_order_create: 'creates an insertion order (a spending commitment)',
  ssio_insertion_order_edit: 'changes an insertion order (a spending commitment)',
};

/** The field that carries an entity's delivery status; keywords are paused by archiving. */
export const STATUS_FIELD: Readonly<Record<EntityKind, string>> = {
  campaign: 'status',
  ad_group: 'status',
  ad: 'status',
  keyword: 'archived',
  product_group_promotion: 'status',
};

/**
 * Status an entity gets when a create omits it. The API documents ACTIVE for campaigns; for the others we
 * assume ACTIVE too, because assuming PAUSED would let a spending create through unconfirmed.
 */
export const CREATE_DEFAULT_STATUS = 'ACTIVE';

/** Entities whose start/end times decide when money is spent. */
export const SCHEDULED: ReadonlySet<EntityKind> = new Set(['campaign', 'ad_group']);
/** Where each API keeps an entity's schedule (dotted paths inside the entity). */
export const SCHEDULE_FIELDS: Readonly<Record<ApiId, readonly string[]>> = {
  pinterest: ['start_time', 'end_time'],
  whop: ['config.start_time', 'config.end_time'],
};

/** Component schemas whose money fields belong to each entity kind. */
const ENTITY_OWNERS: Readonly<Record<EntityKind, readonly string[]>> = {
  campaign: ['CampaignCommon', 'CampaignCreateCommon'],
  ad_group: [
    'AdGroupCommon',
    'OptimizationGoalMetadata',
    'WhopAdGroupCreate',
    'WhopAdGroupConfig',
    'WhopMetaAdSetConfig',
    'WhopTikTokAdGroupConfig',
  ],
  ad: [],
  keyword: ['KeywordsCommon', 'KeywordUpdate'],
  product_group_promotion: ['ProductGroupPromotion'],
};

export function moneyFieldsOf(api: ApiId, kind: EntityKind): MoneyField[] {
  return MONEY_FIELDS.filter((f) => f.api === api && ENTITY_OWNERS[kind].includes(f.owner));
}

/** How to read current values of entities, per API (list tools filtered by ids); Whop has no such read. */
export const ENTITY_READERS: Readonly<Record<ApiId, Partial<Record<EntityKind, { tool: string; idsParam: string }>>>> = {
  pinterest: {
    campaign: { tool: 'campaigns_list', idsParam: 'campaign_ids' },
    ad_group: { tool: 'ad_groups_list', idsParam: 'ad_group_ids' },
    ad: { tool: 'ads_list', idsParam: 'ad_ids' },
    product_group_promotion: { tool: 'product_group_promotions_list', idsParam: 'product_group_promotion_ids' },
  },
  whop: {},
};
