// Stateful operation handlers: ads entities, boards, pins, analytics and async reports read and write the emulator store.
import {
  type AnalyticsLevel,
  type AnalyticsQuery,
  AnalyticsError,
  REPORT_MAX_SPAN_DAYS,
  SYNC_MAX_SPAN_DAYS,
  addDays,
  analyticsReport,
  analyticsRows,
  checkDateRange,
  reportLevel,
  utcDate,
} from './analytics.js';
import {
  type AdGroupRecord,
  type AuctionItemRecord,
  type BoardRecord,
  type CampaignRecord,
  type EmulatorState,
  type KeywordRecord,
  type PinRecord,
  type ProductGroupPromotionRecord,
  type ReportKind,
  type ReportFilters,
  type ReportRecord,
  type UserAccountRecord,
  adSummaryStatus,
  auctionKey,
  campaignSummaryStatus,
  currencyForCountry,
  makeAd,
  makeAdGroup,
  makeBoard,
  makeCampaign,
  makeKeyword,
  makePin,
  makeProductGroupPromotion,
} from './state.js';

export interface HandlerContext {
  operationId: string;
  path: Record<string, unknown>;
  query: Record<string, unknown>;
  body: unknown;
  state: EmulatorState;
  /** Who the token acts as: the seed user for static tokens, else the person who signed in. */
  user: UserAccountRecord;
  /** http://127.0.0.1:PORT, for report download URLs. */
  origin: string;
  reportPollsUntilReady: number;
}

export interface HandlerResult {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export type Handler = (ctx: HandlerContext) => HandlerResult;

/** An error answer: `{code, message}` with an HTTP status. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

type Item = Record<string, unknown>;
interface Exception {
  code: number;
  message: string;
}

const NOT_FOUND: Exception = { code: 2, message: 'Not found' };
const DEFAULT_STATUSES = ['ACTIVE', 'PAUSED'];
const DEFAULT_PAGE_SIZE = 25;
/** Properties a batch update never changes. */
const IMMUTABLE = new Set(['id', 'ad_account_id', 'created_time', 'updated_time', 'type', 'summary_status']);

// ---------------------------------------------------------------- helpers

function ok(body: unknown, status = 200): HandlerResult {
  return { status, body };
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function list(value: unknown): string[] | undefined {
  return Array.isArray(value) ? value.map(String) : undefined;
}

function items(body: unknown): Item[] {
  return Array.isArray(body) ? (body as Item[]) : [];
}

function stripPrefix(id: string, prefix: string): string {
  return id.startsWith(prefix) ? id.slice(prefix.length) : id;
}

function accountId(ctx: HandlerContext): string {
  return String(ctx.path.ad_account_id);
}

/** Copies patch fields onto a record, skipping identity fields and fields the caller protects. */
function applyPatch(record: Item, patch: Item, protectedFields: readonly string[] = []): void {
  for (const [key, value] of Object.entries(patch)) {
    if (value === undefined || IMMUTABLE.has(key) || protectedFields.includes(key)) continue;
    // A null status in an update means "leave as is"; entities always have one.
    if (value === null && key === 'status') continue;
    record[key] = value;
  }
}

function encodeBookmark(offset: number): string {
  return Buffer.from(`offset:${offset}`, 'utf8').toString('base64url');
}

function decodeBookmark(bookmark: string): number {
  const text = Buffer.from(bookmark, 'base64url').toString('utf8');
  const match = /^offset:(\d+)$/.exec(text);
  if (!match) throw new HttpError(400, 1, `Invalid bookmark '${bookmark}'`);
  return Number(match[1]);
}

/** Bookmark pagination: `page_size` items from the offset the bookmark carries; `bookmark: null` on the last page. */
export function paginate<T>(all: readonly T[], query: Record<string, unknown>): { items: T[]; bookmark: string | null } {
  const size = typeof query.page_size === 'number' ? query.page_size : DEFAULT_PAGE_SIZE;
  const start = typeof query.bookmark === 'string' && query.bookmark !== '' ? decodeBookmark(query.bookmark) : 0;
  const page = all.slice(start, start + size);
  const next = start + size;
  return { items: page, bookmark: next < all.length ? encodeBookmark(next) : null };
}

function ordered<T>(values: T[], query: Record<string, unknown>): T[] {
  return query.order === 'DESCENDING' ? values.reverse() : values;
}

function statusFilter(query: Record<string, unknown>): Set<string> {
  return new Set(list(query.entity_statuses) ?? DEFAULT_STATUSES);
}

function notFound(what: string, id: string): HttpError {
  return new HttpError(404, 404, `${what} ${id} not found`);
}

// ---------------------------------------------------------------- ads entities

function findCampaign(ctx: HandlerContext, id: string): CampaignRecord | undefined {
  const campaign = ctx.state.campaigns.get(stripPrefix(id, 'C'));
  return campaign && campaign.ad_account_id === accountId(ctx) ? campaign : undefined;
}

function findAdGroup(ctx: HandlerContext, id: string): AdGroupRecord | undefined {
  const adGroup = ctx.state.adGroups.get(stripPrefix(id, 'AG'));
  return adGroup && adGroup.ad_account_id === accountId(ctx) ? adGroup : undefined;
}

function keywordAccount(state: EmulatorState, keyword: KeywordRecord): string | undefined {
  return keyword.parent_type === 'campaign'
    ? state.campaigns.get(keyword.parent_id)?.ad_account_id
    : state.adGroups.get(keyword.parent_id)?.ad_account_id;
}

function promotionAccount(state: EmulatorState, promotion: ProductGroupPromotionRecord): string | undefined {
  return state.adGroups.get(stripPrefix(promotion.ad_group_id, 'AG'))?.ad_account_id;
}

const campaignsList: Handler = (ctx) => {
  const ids = list(ctx.query.campaign_ids);
  const statuses = statusFilter(ctx.query);
  const all = [...ctx.state.campaigns.values()].filter(
    (c) => c.ad_account_id === accountId(ctx) && statuses.has(c.status) && (!ids || ids.includes(c.id)),
  );
  return ok(paginate(ordered(all, ctx.query), ctx.query));
};

const campaignsGet: Handler = (ctx) => {
  const id = String(ctx.path.campaign_id);
  const campaign = findCampaign(ctx, id);
  if (!campaign) throw notFound('Campaign', id);
  return ok(campaign);
};

const campaignsCreate: Handler = (ctx) => {
  const out = items(ctx.body).map((item) => {
    if (item.ad_account_id !== accountId(ctx)) {
      return { data: null, exceptions: [{ code: 1, message: 'ad_account_id does not match the ad account in the path' }] };
    }
    const campaign = makeCampaign({ ...item, id: ctx.state.nextId(), ad_account_id: accountId(ctx) }, ctx.state.now());
    ctx.state.campaigns.set(campaign.id, campaign);
    return { data: campaign, exceptions: [] };
  });
  return ok({ items: out });
};

const campaignsUpdate: Handler = (ctx) => {
  const out = items(ctx.body).map((item) => {
    const campaign = findCampaign(ctx, String(item.id));
    if (!campaign) return { data: null, exceptions: [NOT_FOUND] };
    const before = { ...campaign };
    applyPatch(campaign, item);
    campaign.summary_status = campaignSummaryStatus(campaign.status);
    campaign.updated_time = ctx.state.now();
    ctx.state.recordChange(before, campaign, campaign.updated_time);
    return { data: campaign, exceptions: [] };
  });
  return ok({ items: out });
};

const adGroupsList: Handler = (ctx) => {
  const campaignIds = list(ctx.query.campaign_ids);
  const ids = list(ctx.query.ad_group_ids);
  const statuses = statusFilter(ctx.query);
  const all = [...ctx.state.adGroups.values()].filter(
    (g) =>
      g.ad_account_id === accountId(ctx) &&
      statuses.has(g.status) &&
      (!ids || ids.includes(g.id)) &&
      (!campaignIds || campaignIds.includes(g.campaign_id)),
  );
  return ok(paginate(ordered(all, ctx.query), ctx.query));
};

const adGroupsGet: Handler = (ctx) => {
  const id = String(ctx.path.ad_group_id);
  const adGroup = findAdGroup(ctx, id);
  if (!adGroup) throw notFound('Ad group', id);
  return ok(adGroup);
};

const adGroupsCreate: Handler = (ctx) => {
  const out = items(ctx.body).map((item) => {
    const campaign = findCampaign(ctx, String(item.campaign_id));
    if (!campaign) {
      return { data: null, exceptions: [{ code: 2, message: `Campaign ${String(item.campaign_id)} not found in this ad account` }] };
    }
    const adGroup = makeAdGroup(
      { ...item, id: ctx.state.nextId(), ad_account_id: accountId(ctx), campaign_id: campaign.id },
      ctx.state.now(),
    );
    ctx.state.adGroups.set(adGroup.id, adGroup);
    return { data: adGroup, exceptions: [] };
  });
  return ok({ items: out });
};

const adGroupsUpdate: Handler = (ctx) => {
  const out = items(ctx.body).map((item) => {
    const adGroup = findAdGroup(ctx, String(item.id));
    if (!adGroup) return { data: null, exceptions: [NOT_FOUND] };
    const before = { ...adGroup };
    applyPatch(adGroup, item, ['campaign_id']);
    adGroup.summary_status = campaignSummaryStatus(adGroup.status);
    adGroup.updated_time = ctx.state.now();
    ctx.state.recordChange(before, adGroup, adGroup.updated_time);
    return { data: adGroup, exceptions: [] };
  });
  return ok({ items: out });
};

// The ads batch element documents `exceptions` as a single Exception object, not an array.
const adsList: Handler = (ctx) => {
  const campaignIds = list(ctx.query.campaign_ids);
  const adGroupIds = list(ctx.query.ad_group_ids);
  const ids = list(ctx.query.ad_ids);
  const statuses = statusFilter(ctx.query);
  const all = [...ctx.state.ads.values()].filter(
    (a) =>
      a.ad_account_id === accountId(ctx) &&
      statuses.has(a.status) &&
      (!ids || ids.includes(a.id)) &&
      (!adGroupIds || adGroupIds.includes(a.ad_group_id)) &&
      (!campaignIds || campaignIds.includes(a.campaign_id)),
  );
  return ok(paginate(ordered(all, ctx.query), ctx.query));
};

const adsGet: Handler = (ctx) => {
  const id = String(ctx.path.ad_id);
  const ad = ctx.state.ads.get(id);
  if (!ad || ad.ad_account_id !== accountId(ctx)) throw notFound('Ad', id);
  return ok(ad);
};

const adsCreate: Handler = (ctx) => {
  const out = items(ctx.body).map((item) => {
    const adGroup = findAdGroup(ctx, String(item.ad_group_id));
    if (!adGroup) return { data: null, exceptions: { code: 2, message: `Ad group ${String(item.ad_group_id)} not found in this ad account` } };
    const ad = makeAd(
      {
        ...item,
        id: ctx.state.nextId(),
        ad_account_id: accountId(ctx),
        campaign_id: adGroup.campaign_id,
        ad_group_id: adGroup.id,
        pin_id: String(item.pin_id),
      },
      ctx.state.now(),
    );
    ctx.state.ads.set(ad.id, ad);
    return { data: ad };
  });
  return ok({ items: out });
};

const adsUpdate: Handler = (ctx) => {
  const out = items(ctx.body).map((item) => {
    const ad = ctx.state.ads.get(String(item.id));
    if (!ad || ad.ad_account_id !== accountId(ctx)) return { data: null, exceptions: NOT_FOUND };
    const before = { ...ad };
    applyPatch(ad, item, ['ad_group_id', 'campaign_id', 'review_status']);
    ad.summary_status = adSummaryStatus(ad.status, ad.review_status);
    ad.updated_time = ctx.state.now();
    ctx.state.recordChange(before, ad, ad.updated_time);
    return { data: ad };
  });
  return ok({ items: out });
};

const keywordsGet: Handler = (ctx) => {
  const campaignId = str(ctx.query.campaign_id);
  const adGroupId = str(ctx.query.ad_group_id);
  const matchTypes = list(ctx.query.match_types);
  const all = [...ctx.state.keywords.values()].filter((k) => {
    if (keywordAccount(ctx.state, k) !== accountId(ctx)) return false;
    if (adGroupId && !(k.parent_type === 'ad_group' && k.parent_id === adGroupId)) return false;
    if (campaignId) {
      const campaignOf = k.parent_type === 'campaign' ? k.parent_id : ctx.state.adGroups.get(k.parent_id)?.campaign_id;
      if (campaignOf !== campaignId) return false;
    }
    return !matchTypes || (k.match_type !== null && matchTypes.includes(k.match_type));
  });
  return ok(paginate(all, ctx.query));
};

const keywordsCreate: Handler = (ctx) => {
  const body = (ctx.body ?? {}) as Item;
  const parentId = String(body.parent_id);
  const keywords = items(body.keywords);
  let parent: { id: string; type: 'ad_group' | 'campaign' } | undefined;
  if (parentId.startsWith('C')) {
    const campaign = findCampaign(ctx, parentId);
    if (campaign) parent = { id: campaign.id, type: 'campaign' };
  } else {
    const adGroup = findAdGroup(ctx, parentId);
    if (adGroup) parent = { id: adGroup.id, type: 'ad_group' };
    else {
      const campaign = findCampaign(ctx, parentId);
      if (campaign) parent = { id: campaign.id, type: 'campaign' };
    }
  }
  const created: KeywordRecord[] = [];
  const errors: { data: Item; error_messages: string[] }[] = [];
  for (const keyword of keywords) {
    if (!parent) {
      errors.push({ data: keyword, error_messages: [`Parent ${parentId} not found in this ad account`] });
      continue;
    }
    const record = makeKeyword({
      id: ctx.state.nextId(),
      parent_id: parent.id,
      parent_type: parent.type,
      value: String(keyword.value),
      match_type: (keyword.match_type as string | null | undefined) ?? null,
      bid: typeof keyword.bid === 'number' ? keyword.bid : null,
    });
    ctx.state.keywords.set(record.id, record);
    created.push(record);
  }
  return ok({ keywords: created, errors });
};

const keywordsUpdate: Handler = (ctx) => {
  const body = (ctx.body ?? {}) as Item;
  const updated: KeywordRecord[] = [];
  const errors: { data: Item; error_messages: string[] }[] = [];
  for (const patch of items(body.keywords)) {
    const keyword = ctx.state.keywords.get(String(patch.id));
    if (!keyword || keywordAccount(ctx.state, keyword) !== accountId(ctx)) {
      errors.push({ data: patch, error_messages: ['Not found'] });
      continue;
    }
    if (typeof patch.archived === 'boolean') keyword.archived = patch.archived;
    if (patch.bid !== undefined) keyword.bid = patch.bid as number | null;
    updated.push(keyword);
  }
  return ok({ keywords: updated, errors });
};

// ---------------------------------------------------------------- advanced auction (catalog items' bid options)

/** update_mask words and the bid option each sets. */
const AUCTION_FIELDS: Readonly<Record<string, string>> = {
  BID: 'bid_in_micro_currency',
  APP_TYPE_BID_MULTIPLIER_SET: 'app_type_multipliers',
  PLACEMENT_BID_MULTIPLIER_SET: 'placement_multipliers',
};

function auctionItem(record: AuctionItemRecord): Item {
  return { item_id: record.item_id, country: record.country, language: record.language, bid_options: record.bid_options };
}

/** Items that do not exist or have no bid options are left out, as the description says. */
const auctionItemsGet: Handler = (ctx) => {
  const body = (ctx.body ?? {}) as Item;
  const found = items(body.items)
    .map((key) => ctx.state.auctionItems.get(auctionKey(body.catalog_id, key.item_id, key.country, key.language)))
    .filter((record): record is AuctionItemRecord => record !== undefined);
  return ok({ catalog_id: body.catalog_id, items: found.map(auctionItem) });
};

/** UPSERT sets the fields its update_mask names (null where bid_options has none); a new record starts the others at null. */
const auctionItemsSubmit: Handler = (ctx) => {
  const body = (ctx.body ?? {}) as Item;
  const out = items(body.items).map((item) => {
    const key = auctionKey(body.catalog_id, item.item_id, item.country, item.language);
    const { item_id, country, language, operation } = item;
    if (operation === 'DELETE') {
      ctx.state.auctionItems.delete(key);
      return { item_id, country, language, operation, errors: [] };
    }
    const record = ctx.state.auctionItems.get(key) ?? {
      catalog_id: String(body.catalog_id),
      item_id: String(item_id),
      country: String(country),
      language: String(language),
      bid_options: Object.fromEntries(Object.values(AUCTION_FIELDS).map((field) => [field, null])),
    };
    const written = (item.bid_options ?? {}) as Item;
    for (const word of Array.isArray(item.update_mask) ? item.update_mask : []) {
      const field = AUCTION_FIELDS[String(word)];
      if (field) record.bid_options[field] = written[field] ?? null;
    }
    ctx.state.auctionItems.set(key, record);
    return { ...auctionItem(record), operation, update_mask: item.update_mask, errors: [] };
  });
  return ok({ catalog_id: body.catalog_id, items: out });
};

function promotionItem(data: ProductGroupPromotionRecord | null, exceptions: Exception[] = []): Item {
  return { data, exceptions };
}

const promotionsList: Handler = (ctx) => {
  const ids = list(ctx.query.product_group_promotion_ids);
  const adGroupId = str(ctx.query.ad_group_id);
  const statuses = statusFilter(ctx.query);
  const all = [...ctx.state.productGroupPromotions.values()].filter(
    (p) =>
      promotionAccount(ctx.state, p) === accountId(ctx) &&
      statuses.has(p.status) &&
      (!ids || ids.includes(p.id)) &&
      (!adGroupId || stripPrefix(p.ad_group_id, 'AG') === adGroupId),
  );
  const page = paginate(ordered(all, ctx.query), ctx.query);
  return ok({ items: page.items.map((p) => promotionItem(p)), bookmark: page.bookmark });
};

const promotionsGet: Handler = (ctx) => {
  const id = String(ctx.path.product_group_promotion_id);
  const promotion = ctx.state.productGroupPromotions.get(id);
  if (!promotion || promotionAccount(ctx.state, promotion) !== accountId(ctx)) throw notFound('Product group promotion', id);
  return ok({ items: [promotionItem(promotion)] });
};

const promotionsCreate: Handler = (ctx) => {
  const body = (ctx.body ?? {}) as Item;
  const adGroup = findAdGroup(ctx, String(body.ad_group_id));
  const out = items(body.product_group_promotion).map((item) => {
    if (!adGroup) {
      return promotionItem(null, [{ code: 2, message: `Ad group ${String(body.ad_group_id)} not found in this ad account` }]);
    }
    const promotion = makeProductGroupPromotion({ ...item, id: ctx.state.nextId(), ad_group_id: adGroup.id });
    ctx.state.productGroupPromotions.set(promotion.id, promotion);
    return promotionItem(promotion);
  });
  return ok({ items: out });
};

const promotionsUpdate: Handler = (ctx) => {
  const body = (ctx.body ?? {}) as Item;
  const out = items(body.product_group_promotion).map((item) => {
    const promotion = ctx.state.productGroupPromotions.get(String(item.id));
    if (!promotion || promotionAccount(ctx.state, promotion) !== accountId(ctx)) return promotionItem(null, [NOT_FOUND]);
    applyPatch(promotion, item, ['ad_group_id']);
    return promotionItem(promotion);
  });
  return ok({ items: out });
};

// ---------------------------------------------------------------- ad accounts and user

const adAccountsList: Handler = (ctx) => ok(paginate(ctx.state.accountsOf(ctx.user.id), ctx.query));

const adAccountsGet: Handler = (ctx) => ok(ctx.state.adAccounts.get(accountId(ctx)));

const adAccountsCreate: Handler = (ctx) => {
  const body = (ctx.body ?? {}) as Item;
  const country = str(body.country) ?? 'US';
  const now = ctx.state.now();
  const account = {
    id: ctx.state.nextId(),
    name: str(body.name) ?? 'New ad account',
    owner: { username: ctx.user.username, id: str(body.owner_user_id) ?? ctx.user.id },
    country,
    currency: currencyForCountry(country),
    permissions: ['OWNER'],
    created_time: now,
    updated_time: now,
  };
  ctx.state.adAccounts.set(account.id, account);
  ctx.state.grantAccess(ctx.user.id, account.id);
  return ok(account);
};

const userAccountGet: Handler = (ctx) =>
  ok({ ...ctx.user, board_count: ctx.state.boards.size, pin_count: ctx.state.pins.size });

// ---------------------------------------------------------------- boards, sections, pins

function board(ctx: HandlerContext): BoardRecord {
  const id = String(ctx.path.board_id);
  const found = ctx.state.boards.get(id);
  if (!found) throw notFound('Board', id);
  return found;
}

function sectionOf(ctx: HandlerContext, boardId: string): { id: string; name: string; board_id: string } {
  const id = String(ctx.path.section_id);
  const section = ctx.state.boardSections.get(id);
  if (!section || section.board_id !== boardId) throw notFound('Board section', id);
  return section;
}

function pin(ctx: HandlerContext): PinRecord {
  const id = String(ctx.path.pin_id);
  const found = ctx.state.pins.get(id);
  if (!found) throw notFound('Pin', id);
  return found;
}

const PRIVACY: Record<string, string[]> = {
  ALL: ['PUBLIC', 'PROTECTED', 'SECRET'],
  PROTECTED: ['PROTECTED'],
  PUBLIC: ['PUBLIC'],
  SECRET: ['SECRET'],
  PUBLIC_AND_SECRET: ['PUBLIC', 'SECRET'],
};

const boardsList: Handler = (ctx) => {
  const allowed = PRIVACY[str(ctx.query.privacy) ?? 'ALL'] ?? PRIVACY.ALL;
  return ok(paginate([...ctx.state.boards.values()].filter((b) => allowed.includes(b.privacy)), ctx.query));
};

const boardsGet: Handler = (ctx) => ok(board(ctx));

const boardsCreate: Handler = (ctx) => {
  const body = (ctx.body ?? {}) as Item;
  const created = makeBoard(
    {
      id: ctx.state.nextId(),
      name: String(body.name),
      description: (body.description as string | null | undefined) ?? null,
      privacy: str(body.privacy) ?? 'PUBLIC',
    },
    new Date().toISOString(),
  );
  ctx.state.boards.set(created.id, created);
  return ok(created, 201);
};

const boardsUpdate: Handler = (ctx) => {
  const found = board(ctx);
  applyPatch(found, (ctx.body ?? {}) as Item, ['created_at', 'pin_count', 'owner', 'media']);
  return ok(found);
};

const boardsDelete: Handler = (ctx) => {
  const found = board(ctx);
  ctx.state.boards.delete(found.id);
  for (const [id, section] of ctx.state.boardSections) if (section.board_id === found.id) ctx.state.boardSections.delete(id);
  for (const [id, p] of ctx.state.pins) if (p.board_id === found.id) ctx.state.pins.delete(id);
  return { status: 204 };
};

const boardsListPins: Handler = (ctx) => {
  const found = board(ctx);
  const types = list(ctx.query.creative_types);
  const all = [...ctx.state.pins.values()].filter((p) => p.board_id === found.id && (!types || types.includes(p.creative_type)));
  return ok(paginate(all, ctx.query));
};

const sectionsList: Handler = (ctx) => {
  const found = board(ctx);
  const all = [...ctx.state.boardSections.values()].filter((s) => s.board_id === found.id).map(({ id, name }) => ({ id, name }));
  return ok(paginate(all, ctx.query));
};

const sectionsCreate: Handler = (ctx) => {
  const found = board(ctx);
  const section = { id: ctx.state.nextId(), name: String((ctx.body as Item).name), board_id: found.id };
  ctx.state.boardSections.set(section.id, section);
  return ok({ id: section.id, name: section.name }, 201);
};

const sectionsUpdate: Handler = (ctx) => {
  const section = sectionOf(ctx, board(ctx).id);
  const name = str((ctx.body as Item | undefined)?.name);
  if (name !== undefined) section.name = name;
  return ok({ id: section.id, name: section.name });
};

const sectionsDelete: Handler = (ctx) => {
  const section = sectionOf(ctx, board(ctx).id);
  ctx.state.boardSections.delete(section.id);
  for (const p of ctx.state.pins.values()) if (p.board_section_id === section.id) p.board_section_id = null;
  return { status: 204 };
};

const sectionsListPins: Handler = (ctx) => {
  const section = sectionOf(ctx, board(ctx).id);
  return ok(paginate([...ctx.state.pins.values()].filter((p) => p.board_section_id === section.id), ctx.query));
};

function checkPinPlacement(ctx: HandlerContext, boardId: unknown, sectionId: unknown): void {
  if (typeof boardId !== 'string' || !ctx.state.boards.has(boardId)) throw notFound('Board', String(boardId));
  if (typeof sectionId === 'string') {
    const section = ctx.state.boardSections.get(sectionId);
    if (!section || section.board_id !== boardId) throw notFound('Board section', sectionId);
  }
}

const pinsList: Handler = (ctx) => {
  const types = list(ctx.query.creative_types);
  return ok(paginate([...ctx.state.pins.values()].filter((p) => !types || types.includes(p.creative_type)), ctx.query));
};

const pinsGet: Handler = (ctx) => ok(pin(ctx));

const pinsCreate: Handler = (ctx) => {
  const body = (ctx.body ?? {}) as Item;
  if (body.board_id === undefined) throw new HttpError(400, 1, 'board_id is required');
  checkPinPlacement(ctx, body.board_id, body.board_section_id);
  const { media_source: _source, ...fields } = body;
  const created = makePin({ ...fields, id: ctx.state.nextId(), board_id: String(body.board_id) }, new Date().toISOString());
  ctx.state.pins.set(created.id, created);
  ctx.state.refreshBoardCounts();
  return ok(created, 201);
};

const pinsUpdate: Handler = (ctx) => {
  const found = pin(ctx);
  const body = (ctx.body ?? {}) as Item;
  if (body.board_id !== undefined || body.board_section_id !== undefined) {
    checkPinPlacement(ctx, body.board_id ?? found.board_id, body.board_section_id);
  }
  applyPatch(found, body, ['created_at', 'board_owner', 'media', 'is_owner', 'creative_type']);
  ctx.state.refreshBoardCounts();
  return ok(found);
};

const pinsDelete: Handler = (ctx) => {
  const found = pin(ctx);
  ctx.state.pins.delete(found.id);
  ctx.state.refreshBoardCounts();
  return { status: 204 };
};

const pinsSave: Handler = (ctx) => {
  const original = pin(ctx);
  const body = (ctx.body ?? {}) as Item;
  const boardId = str(body.board_id) ?? original.board_id;
  checkPinPlacement(ctx, boardId, body.board_section_id ?? undefined);
  const saved = makePin(
    {
      ...original,
      id: ctx.state.nextId(),
      board_id: boardId,
      board_section_id: str(body.board_section_id) ?? null,
      parent_pin_id: original.id,
    },
    new Date().toISOString(),
  );
  ctx.state.pins.set(saved.id, saved);
  ctx.state.refreshBoardCounts();
  return ok(saved, 201);
};

// ---------------------------------------------------------------- analytics

/** A list parameter: an array, or one comma-joined string; undefined when absent. */
function idList(value: unknown): string[] | undefined {
  if (Array.isArray(value)) return value.flatMap((v) => String(v).split(',')).filter((v) => v !== '');
  if (typeof value === 'string') return value.split(',').filter((v) => v !== '');
  return undefined;
}

function today(ctx: HandlerContext): string {
  return utcDate(ctx.state.now());
}

/** Runs an analytics computation, answering a request it cannot serve with 400 (code 1). */
function analytics<T>(compute: () => T): T {
  try {
    return compute();
  } catch (error) {
    if (error instanceof AnalyticsError) throw new HttpError(400, 1, error.message);
    throw error;
  }
}

/** The sync analytics query of a GET request: dates, columns and granularity from the query string. */
function syncQuery(ctx: HandlerContext, level: AnalyticsLevel, ids: string[] | undefined, filters?: AnalyticsQuery['filters']): AnalyticsQuery {
  const startDate = String(ctx.query.start_date);
  const endDate = String(ctx.query.end_date);
  analytics(() => checkDateRange(startDate, endDate, SYNC_MAX_SPAN_DAYS));
  return {
    adAccountId: accountId(ctx),
    level,
    ids,
    filters,
    columns: idList(ctx.query.columns) ?? [],
    granularity: str(ctx.query.granularity) ?? 'TOTAL',
    startDate,
    endDate,
    today: today(ctx),
  };
}

// Ids unknown or of another ad account get no rows (the answer covers the account's own entities only).
const adAccountAnalytics: Handler = (ctx) => ok(analytics(() => analyticsRows(ctx.state, syncQuery(ctx, 'AD_ACCOUNT', undefined))));

const campaignsAnalytics: Handler = (ctx) =>
  ok(analytics(() => analyticsRows(ctx.state, syncQuery(ctx, 'CAMPAIGN', idList(ctx.query.campaign_ids) ?? []))));

const adGroupsAnalytics: Handler = (ctx) =>
  ok(analytics(() => analyticsRows(ctx.state, syncQuery(ctx, 'AD_GROUP', idList(ctx.query.ad_group_ids) ?? []))));

/** Ads chosen by ad_ids, or by campaign_ids (narrowed by pin_ids when given). */
const adsAnalytics: Handler = (ctx) => {
  const adIds = idList(ctx.query.ad_ids);
  const campaignIds = idList(ctx.query.campaign_ids);
  if (!adIds && !campaignIds) throw new HttpError(400, 1, 'ad_ids, or campaign_ids with pin_ids, must be given');
  const filters = { campaign_ids: campaignIds, pin_ids: idList(ctx.query.pin_ids) };
  return ok(analytics(() => analyticsRows(ctx.state, syncQuery(ctx, 'AD', adIds, filters))));
};

// ---------------------------------------------------------------- async reports

const DEFAULT_REPORT_COLUMNS = ['SPEND_IN_MICRO_DOLLAR', 'IMPRESSION_1', 'CLICKTHROUGH_1'];
const REPORT_FILTERS = ['campaign_ids', 'ad_group_ids', 'ad_ids', 'campaign_statuses', 'ad_group_statuses', 'ad_statuses', 'campaign_objective_types'] as const;

interface ReportRequest {
  level: string;
  columns: string[];
  start_date: string;
  end_date: string;
  granularity: string;
  filters?: ReportFilters;
}

/**
 * Stores a report after checking its dates (400 when end_date is before start_date or the span is too long), with its
 * file computed now: a report holds the figures of when it was asked, whatever changes before it is downloaded.
 */
function newReport(ctx: HandlerContext, kind: ReportKind, request: ReportRequest): ReportRecord {
  analytics(() => checkDateRange(request.start_date, request.end_date, REPORT_MAX_SPAN_DAYS));
  const asked = {
    ad_account_id: accountId(ctx),
    level: request.level,
    columns: request.columns,
    start_date: request.start_date,
    end_date: request.end_date,
    granularity: request.granularity,
    filters: request.filters ?? {},
    today: today(ctx),
  };
  const file = analytics(() => reportFile(ctx.state, asked));
  const report: ReportRecord = { token: `rpt${ctx.state.nextId()}`, kind, polls: 0, ...asked, file };
  ctx.state.reports.set(report.token, report);
  return report;
}

/** Counts one poll; the report is FINISHED once more than `reportPollsUntilReady` polls were answered. */
function poll(ctx: HandlerContext, report: ReportRecord): { status: string; url: string | null; size: number | null } {
  report.polls += 1;
  if (report.polls <= ctx.reportPollsUntilReady) return { status: 'IN_PROGRESS', url: null, size: null };
  const size = Buffer.byteLength(reportFileText(ctx.state, report.token) ?? '', 'utf8');
  return { status: 'FINISHED', url: `${ctx.origin}/files/report-${report.token}.json`, size };
}

/** Whether a report's file may be downloaded (it was reported FINISHED at least once). */
export function reportReady(state: EmulatorState, token: string, pollsUntilReady: number): boolean {
  const report = state.reports.get(token);
  return report !== undefined && report.polls > pollsUntilReady;
}

/**
 * The JSON report file: rows keyed by the level's entity id, computed by analytics.ts exactly as the sync analytics
 * endpoints compute them. Levels without modelled delivery (KEYWORD, PRODUCT_GROUP, PRODUCT_ITEM) give `{}`.
 */
function reportFile(state: EmulatorState, report: Omit<ReportRecord, 'token' | 'kind' | 'polls' | 'file'>): string {
  const level = reportLevel(report.level);
  const rows = level
    ? analyticsReport(state, {
        adAccountId: report.ad_account_id,
        level: level.level,
        idColumn: level.idColumn,
        filters: report.filters,
        columns: report.columns,
        granularity: report.granularity,
        startDate: report.start_date,
        endDate: report.end_date,
        today: report.today,
      })
    : {};
  return JSON.stringify(rows);
}

/** A report's file, by its token. */
export function reportFileText(state: EmulatorState, token: string): string | undefined {
  return state.reports.get(token)?.file;
}

function stringList(value: unknown): string[] | undefined {
  return Array.isArray(value) ? value.map(String) : undefined;
}

/** What a report body (async or MMM) asks for: level, columns, dates, granularity (else `granularity`) and id filters. */
function reportRequest(body: Item, granularity: string): ReportRequest {
  const filters: ReportFilters = {};
  for (const name of REPORT_FILTERS) {
    const values = stringList(body[name]);
    if (values) filters[name] = values;
  }
  return {
    level: str(body.level) ?? 'CAMPAIGN',
    columns: stringList(body.columns) ?? DEFAULT_REPORT_COLUMNS,
    start_date: String(body.start_date),
    end_date: String(body.end_date),
    granularity: str(body.granularity) ?? granularity,
    filters,
  };
}

const createReport: Handler = (ctx) => {
  const report = newReport(ctx, 'async', reportRequest((ctx.body ?? {}) as Item, 'TOTAL'));
  return ok({ report_status: 'IN_PROGRESS', token: report.token, message: null });
};

/** Templates are not modelled: every template gives campaign spend, impressions and clicks (default: the 7 days before today, by day). */
const createTemplateReport: Handler = (ctx) => {
  const start = str(ctx.query.start_date);
  const end = str(ctx.query.end_date) ?? (start ? analytics(() => addDays(start, 6)) : addDays(today(ctx), -1));
  const report = newReport(ctx, 'template', {
    level: 'CAMPAIGN',
    columns: DEFAULT_REPORT_COLUMNS,
    start_date: start ?? analytics(() => addDays(end, -6)),
    end_date: end,
    granularity: str(ctx.query.granularity) ?? 'DAY',
  });
  // The description's TemplateBasedReport: the template it ran, and `message` (a string) only when there is one.
  return ok({ template_id: String(ctx.path.template_id), report_status: 'IN_PROGRESS', token: report.token });
};

const getReport: Handler = (ctx) => {
  const report = ctx.state.reports.get(String(ctx.query.token));
  if (!report || report.ad_account_id !== accountId(ctx) || report.kind === 'mmm') {
    return ok({ report_status: 'DOES_NOT_EXIST', url: null, size: null });
  }
  const { status, url, size } = poll(ctx, report);
  return ok({ report_status: status, url, size });
};

// MMM reports are computed like async reports of their level (targeting breakdowns are not modelled).
const createMmmReport: Handler = (ctx) => {
  const report = newReport(ctx, 'mmm', reportRequest((ctx.body ?? {}) as Item, 'DAY'));
  return ok({ code: 0, data: { report_status: 'IN_PROGRESS', token: report.token, message: null, status: 'IN_PROGRESS' } });
};

const getMmmReport: Handler = (ctx) => {
  const report = ctx.state.reports.get(String(ctx.query.token));
  if (!report || report.ad_account_id !== accountId(ctx) || report.kind !== 'mmm') {
    return ok({ code: 0, data: { report_status: 'DOES_NOT_EXIST', url: null, size: null }, message: 'ok', status: 'success' });
  }
  const { status, url, size } = poll(ctx, report);
  return ok({ code: 0, data: { report_status: status, url, size }, message: 'ok', status: 'success' });
};

/** Operations answered from the store; every other operation gets a synthesized body. */
export const handlers: Readonly<Record<string, Handler>> = {
  'ad_accounts/list': adAccountsList,
  'ad_accounts/get': adAccountsGet,
  'ad_accounts/create': adAccountsCreate,
  'campaigns/list': campaignsList,
  'campaigns/get': campaignsGet,
  'campaigns/create': campaignsCreate,
  'campaigns/update': campaignsUpdate,
  'ad_groups/list': adGroupsList,
  'ad_groups/get': adGroupsGet,
  'ad_groups/create': adGroupsCreate,
  'ad_groups/update': adGroupsUpdate,
  'ads/list': adsList,
  'ads/get': adsGet,
  'ads/create': adsCreate,
  'ads/update': adsUpdate,
  'keywords/get': keywordsGet,
  'keywords/create': keywordsCreate,
  'keywords/update': keywordsUpdate,
  'product_group_promotions/list': promotionsList,
  'product_group_promotions/get': promotionsGet,
  'product_group_promotions/create': promotionsCreate,
  'product_group_promotions/update': promotionsUpdate,
  'advanced_auction_items_get/post': auctionItemsGet,
  'advanced_auction_items_submit/post': auctionItemsSubmit,
  'user_account/get': userAccountGet,
  'boards/list': boardsList,
  'boards/get': boardsGet,
  'boards/create': boardsCreate,
  'boards/update': boardsUpdate,
  'boards/delete': boardsDelete,
  'boards/list_pins': boardsListPins,
  'board_sections/list': sectionsList,
  'board_sections/create': sectionsCreate,
  'board_sections/update': sectionsUpdate,
  'board_sections/delete': sectionsDelete,
  'board_sections/list_pins': sectionsListPins,
  'pins/list': pinsList,
  'pins/get': pinsGet,
  'pins/create': pinsCreate,
  'pins/update': pinsUpdate,
  'pins/delete': pinsDelete,
  'pins/save': pinsSave,
  'ad_account/analytics': adAccountAnalytics,
  'campaigns/analytics': campaignsAnalytics,
  'ad_groups/analytics': adGroupsAnalytics,
  'ads/analytics': adsAnalytics,
  'analytics/create_report': createReport,
  'analytics/get_report': getReport,
  'analytics/create_template_report': createTemplateReport,
  'analytics/create_mmm_report': createMmmReport,
  'analytics/get_mmm_report': getMmmReport,
};
