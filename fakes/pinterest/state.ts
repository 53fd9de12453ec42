// The emulator's entity store: seeded ad accounts, campaigns, ad groups, ads, keywords, promotions, boards and pins,
// and who may reach which ad account (the seed business user, and the people who sign in through the fake's OAuth).

/** Fixed ids of the seeded entities, for tests and the offline demo. */
export const SEED = {
  user: { id: '549755800001', username: 'acme_user' },
  adAccounts: { usd: '549755885175', jpy: '549755885176', eur: '549755885177' },
  campaigns: {
    usdActive: '687195134101',
    usdPaused: '687195134102',
    jpyActive: '687195134201',
    jpyPaused: '687195134202',
    eurActive: '687195134301',
    eurPaused: '687195134302',
  },
  /** usdRetargeting (bid $0.60) and usdBroad (bid $2.50) sit beside `usd` in the USD account's active campaign. */
  adGroups: { usd: '2680059592701', jpy: '2680059592702', eur: '2680059592703', usdRetargeting: '2680059592711', usdBroad: '2680059592712' },
  ads: { usd: '687195905801', jpy: '687195905802', eur: '687195905803', usdRetargeting: '687195905811', usdBroad: '687195905812' },
  keywords: { usd: '2886364308301' },
  productGroupPromotions: { usd: '2680060704701' },
  boards: { spring: '1057925130001', summer: '1057925130002' },
  boardSections: { springShoes: '5195226345001' },
  pins: { spring1: '1057925269001', spring2: '1057925269002', summer1: '1057925269003' },
} as const;

/**
 * The two people who can sign in through the fake's OAuth page (seeded only when the fake has OAuth apps). Each sees
 * only their own ad accounts: Alice the seeded "Acme US" account (shared with the seed business user, who keeps all
 * three seeded accounts), Bob an account of his own in another currency. `timeZone` is for display: the v5 AdAccount
 * has no time zone field, so it never appears in an answer.
 */
export const PEOPLE = {
  alice: {
    id: '549755800002',
    username: 'alice_us',
    name: 'Alice',
    label: 'Alice (US, USD)',
    country: 'US',
    currency: 'USD',
    timeZone: 'America/New_York',
    adAccounts: { usd: SEED.adAccounts.usd },
  },
  bob: {
    id: '549755800003',
    username: 'bob_jp',
    name: 'Bob',
    label: 'Bob (Japan, JPY)',
    country: 'JP',
    currency: 'JPY',
    timeZone: 'Asia/Tokyo',
    adAccounts: { jpy: '549755885178' },
    campaigns: { jpyActive: '687195134401' },
    adGroups: { jpy: '2680059592721' },
    ads: { jpy: '687195905821' },
  },
} as const;

export type PersonKey = keyof typeof PEOPLE;

/** Seed entities carry this creation time (2024-01-01T00:00:00Z) so bodies are reproducible. */
export const SEED_TIME = 1704067200;
const SEED_ISO = '2024-01-01T00:00:00Z';
/** First id handed to entities created through the API. */
const FIRST_NEW_ID = 900000000001;

export type EntityStatus = 'ACTIVE' | 'PAUSED' | 'ARCHIVED' | 'DRAFT' | 'DELETED_DRAFT';

export interface AdAccountRecord {
  id: string;
  name: string;
  owner: { username: string; id: string };
  country: string;
  currency: string;
  permissions: string[];
  created_time: number | null;
  updated_time: number | null;
  [field: string]: unknown;
}

export interface CampaignRecord {
  id: string;
  ad_account_id: string;
  name: string;
  status: string;
  lifetime_spend_cap: number | null;
  daily_spend_cap: number | null;
  order_line_id: string | null;
  tracking_urls: Record<string, unknown> | null;
  start_time: number | null;
  end_time: number | null;
  summary_status: string;
  objective_type: string;
  created_time: number;
  updated_time: number;
  type: string;
  is_flexible_daily_budgets: boolean | null;
  is_campaign_budget_optimization: boolean | null;
  default_ad_group_budget_in_micro_currency: number | null;
  is_automated_campaign: boolean | null;
  [field: string]: unknown;
}

export interface AdGroupRecord {
  id: string;
  ad_account_id: string;
  campaign_id: string;
  name: string;
  status: string;
  budget_in_micro_currency: number | null;
  bid_in_micro_currency: number | null;
  budget_type: string;
  bid_strategy_type: string | null;
  billable_event: string;
  start_time: number | null;
  end_time: number | null;
  targeting_spec: Record<string, unknown>;
  lifetime_frequency_cap: number;
  tracking_urls: Record<string, unknown> | null;
  auto_targeting_enabled: boolean | null;
  placement_group: string;
  pacing_delivery_type: string;
  optimization_goal_metadata: Record<string, unknown> | null;
  conversion_learning_mode_type: string | null;
  summary_status: string;
  feed_profile_id: string;
  created_time: number;
  updated_time: number;
  type: string;
  [field: string]: unknown;
}

export interface AdRecord {
  id: string;
  ad_account_id: string;
  campaign_id: string;
  ad_group_id: string;
  pin_id: string;
  name: string | null;
  status: string;
  creative_type: string;
  destination_url: string | null;
  review_status: string;
  summary_status: string;
  created_time: number;
  updated_time: number;
  type: string;
  [field: string]: unknown;
}

export interface KeywordRecord {
  id: string;
  archived: boolean;
  parent_id: string;
  parent_type: 'ad_group' | 'campaign';
  type: string;
  bid: number | null;
  match_type: string | null;
  value: string;
  [field: string]: unknown;
}

/** A retail catalog item's bid options (advanced auction): bid_in_micro_currency and its multipliers. */
export interface AuctionItemRecord {
  catalog_id: string;
  item_id: string;
  country: string;
  language: string;
  bid_options: Record<string, unknown>;
}

/** The key of an item's bid options: catalog, item, country and language. */
export function auctionKey(catalogId: unknown, itemId: unknown, country: unknown, language: unknown): string {
  return JSON.stringify([String(catalogId), String(itemId), String(country), String(language)]);
}

export interface ProductGroupPromotionRecord {
  id: string;
  ad_group_id: string;
  bid_in_micro_currency: number | null;
  included: boolean | null;
  definition: string | null;
  relative_definition: string | null;
  parent_id: string | null;
  status: string;
  tracking_url: string | null;
  catalog_product_group_id: string | null;
  catalog_product_group_name: string | null;
  creative_type: string;
  [field: string]: unknown;
}

export interface BoardRecord {
  id: string;
  created_at: string;
  board_pins_modified_at: string;
  name: string;
  description: string | null;
  collaborator_count: number;
  pin_count: number;
  follower_count: number;
  media: { image_cover_url: string | null; pin_thumbnail_urls: string[] };
  owner: { username: string };
  privacy: string;
  [field: string]: unknown;
}

export interface BoardSectionRecord {
  id: string;
  name: string;
  /** Internal: the board holding the section (not part of the API's BoardSection shape). */
  board_id: string;
}

export interface PinRecord {
  id: string;
  created_at: string;
  link: string | null;
  title: string | null;
  description: string | null;
  dominant_color: string | null;
  alt_text: string | null;
  creative_type: string;
  board_id: string;
  board_section_id: string | null;
  board_owner: { username: string };
  is_owner: boolean;
  media: Record<string, unknown>;
  parent_pin_id: string | null;
  is_standard: boolean;
  has_been_promoted: boolean;
  note: string | null;
  pin_metrics: Record<string, unknown> | null;
  [field: string]: unknown;
}

export interface UserAccountRecord {
  account_type: 'PINNER' | 'BUSINESS';
  id: string;
  username: string;
  profile_image: string;
  website_url: string;
  about: string;
  business_name: string | null;
  follower_count: number;
  following_count: number;
  monthly_views: number;
  [field: string]: unknown;
}

export type ReportKind = 'async' | 'template' | 'mmm';

export interface ReportRecord {
  token: string;
  kind: ReportKind;
  ad_account_id: string;
  /** GET polls answered so far. */
  polls: number;
  /** The request, as analytics.ts computes it: MetricsReportingLevel, columns, dates, granularity and id/status filters. */
  level: string;
  columns: string[];
  start_date: string;
  end_date: string;
  granularity: string;
  filters: ReportFilters;
  /** The UTC date the report was asked on: nothing is delivered after it. */
  today: string;
  /** The report file, computed when the report was asked (so it holds that moment's figures, and its size and download agree). */
  file: string;
}

/** Id and status filters of an async report body. */
export interface ReportFilters {
  campaign_ids?: string[];
  ad_group_ids?: string[];
  ad_ids?: string[];
  campaign_statuses?: string[];
  ad_group_statuses?: string[];
  ad_statuses?: string[];
  campaign_objective_types?: string[];
}

/** The entities that deliver (and so have analytics): their past states decide their past figures. */
export type DeliveringRecord = CampaignRecord | AdGroupRecord | AdRecord;

/**
 * A campaign, ad group or ad as it stood from `time` (seconds) on: the first version of a history is the record as
 * created, each later one the record after an update through the API. One version per UTC date (the last of the day):
 * analytics take an entity's state at the end of each day.
 */
export interface EntityVersion {
  time: number;
  record: Readonly<DeliveringRecord>;
}

/** Entity statuses -> the summary status the API reports alongside. */
export function campaignSummaryStatus(status: string): string {
  switch (status) {
    case 'ACTIVE':
      return 'RUNNING';
    case 'PAUSED':
      return 'PAUSED';
    case 'ARCHIVED':
      return 'ARCHIVED';
    case 'DRAFT':
      return 'DRAFT';
    case 'DELETED_DRAFT':
      return 'DELETED_DRAFT';
    default:
      return 'RUNNING';
  }
}

export function adSummaryStatus(status: string, reviewStatus: string): string {
  if (status === 'ACTIVE') return reviewStatus === 'APPROVED' ? 'APPROVED' : reviewStatus === 'REJECTED' ? 'REJECTED' : 'PENDING';
  return campaignSummaryStatus(status);
}

const CURRENCY_BY_COUNTRY: Record<string, string> = {
  US: 'USD',
  JP: 'JPY',
  GB: 'GBP',
  CA: 'CAD',
  AU: 'AUD',
  BR: 'BRL',
  MX: 'MXN',
  CH: 'CHF',
  SE: 'SEK',
  DK: 'DKK',
  NO: 'NOK',
  PL: 'PLN',
  NZ: 'NZD',
  CZ: 'CZK',
  HU: 'HUF',
  RO: 'RON',
};
const EURO_COUNTRIES = new Set(['AT', 'BE', 'CY', 'DE', 'EE', 'ES', 'FI', 'FR', 'GR', 'HR', 'IE', 'IT', 'LT', 'LU', 'LV', 'MT', 'NL', 'PT', 'SI', 'SK']);

export function currencyForCountry(country: string): string {
  return CURRENCY_BY_COUNTRY[country] ?? (EURO_COUNTRIES.has(country) ? 'EUR' : 'USD');
}

export interface EmulatorStateOptions {
  /** Seeds PEOPLE, their user accounts and Bob's ad account (default false: the store as it always was). */
  people?: boolean;
}

/** The live store. `reset()` empties it and re-seeds, keeping the same Map objects. */
export class EmulatorState {
  /** The seed business user: static tokens act as this user. */
  readonly user: UserAccountRecord = makeUser();
  /** The user accounts of PEOPLE, by user id (empty unless seeded). */
  readonly people = new Map<string, UserAccountRecord>();
  readonly adAccounts = new Map<string, AdAccountRecord>();
  readonly campaigns = new Map<string, CampaignRecord>();
  readonly adGroups = new Map<string, AdGroupRecord>();
  readonly ads = new Map<string, AdRecord>();
  readonly keywords = new Map<string, KeywordRecord>();
  readonly productGroupPromotions = new Map<string, ProductGroupPromotionRecord>();
  /** Catalog items' bid options by auctionKey; none are seeded. */
  readonly auctionItems = new Map<string, AuctionItemRecord>();
  readonly boards = new Map<string, BoardRecord>();
  readonly boardSections = new Map<string, BoardSectionRecord>();
  readonly pins = new Map<string, PinRecord>();
  readonly reports = new Map<string, ReportRecord>();
  /** Past versions of the campaigns, ad groups and ads updated through the API (by entity id), for analytics. */
  readonly history = new Map<string, EntityVersion[]>();
  /** User id -> the ad accounts that user may reach (ad_accounts/list lists them; any other gives 403). */
  private readonly access = new Map<string, Set<string>>();
  private idCounter = FIRST_NEW_ID;

  /** `clock`: the current time in milliseconds (default Date.now); a test moves it to make changes on earlier days. */
  constructor(
    private readonly clock: () => number = Date.now,
    private readonly options: EmulatorStateOptions = {},
  ) {
    this.reset();
  }

  /** The user account of a user id: the seed user or one of PEOPLE. */
  userOf(userId: string): UserAccountRecord | undefined {
    return userId === this.user.id ? this.user : this.people.get(userId);
  }

  canAccess(userId: string, adAccountId: string): boolean {
    return this.access.get(userId)?.has(adAccountId) ?? false;
  }

  grantAccess(userId: string, adAccountId: string): void {
    let accounts = this.access.get(userId);
    if (!accounts) this.access.set(userId, (accounts = new Set()));
    accounts.add(adAccountId);
  }

  /** The ad accounts a user may reach, in the store's order. */
  accountsOf(userId: string): AdAccountRecord[] {
    return [...this.adAccounts.values()].filter((account) => this.canAccess(userId, account.id));
  }

  /** A fresh numeric-string id (deterministic after each reset). */
  nextId(): string {
    return String(this.idCounter++);
  }

  /** Seconds since the epoch, the unit of the ads entities' timestamps. */
  now(): number {
    return Math.floor(this.clock() / 1000);
  }

  /**
   * Notes an update made through the API at `time`: `before` is a copy of the record as it was, `after` the updated
   * record. A later update on the same UTC date replaces that date's version, so the history grows by days, not writes.
   */
  recordChange(before: DeliveringRecord, after: DeliveringRecord, time: number): void {
    let log = this.history.get(after.id);
    if (!log) this.history.set(after.id, (log = [{ time: before.created_time, record: before }]));
    const version = { time, record: { ...after } };
    const last = log[log.length - 1];
    if (log.length > 1 && utcDay(last.time) === utcDay(time)) log[log.length - 1] = version;
    else log.push(version);
  }

  reset(): void {
    Object.assign(this.user, makeUser());
    this.access.clear();
    for (const map of [
      this.people,
      this.adAccounts,
      this.campaigns,
      this.adGroups,
      this.ads,
      this.keywords,
      this.productGroupPromotions,
      this.auctionItems,
      this.boards,
      this.boardSections,
      this.pins,
      this.reports,
      this.history,
    ]) {
      map.clear();
    }
    this.idCounter = FIRST_NEW_ID;
    this.seed();
    if (this.options.people) this.seedPeople();
  }

  private seed(): void {
    const owner = { username: SEED.user.username, id: SEED.user.id };
    const accounts: [string, string, string, string][] = [
      [SEED.adAccounts.usd, 'Acme US', 'US', 'USD'],
      [SEED.adAccounts.jpy, 'Acme JP', 'JP', 'JPY'],
      [SEED.adAccounts.eur, 'Acme DE', 'DE', 'EUR'],
    ];
    for (const [id, name, country, currency] of accounts) {
      this.adAccounts.set(id, {
        id,
        name,
        owner: { ...owner },
        country,
        currency,
        permissions: ['OWNER'],
        created_time: SEED_TIME,
        updated_time: SEED_TIME,
      });
      this.grantAccess(SEED.user.id, id);
    }
    const c = SEED.campaigns;
    const campaignPairs: [string, string, string, string][] = [
      [SEED.adAccounts.usd, c.usdActive, c.usdPaused, 'US'],
      [SEED.adAccounts.jpy, c.jpyActive, c.jpyPaused, 'JP'],
      [SEED.adAccounts.eur, c.eurActive, c.eurPaused, 'DE'],
    ];
    for (const [account, active, paused, label] of campaignPairs) {
      this.campaigns.set(
        active,
        makeCampaign({ id: active, ad_account_id: account, name: `${label} Always-on Awareness`, status: 'ACTIVE', objective_type: 'AWARENESS' }, SEED_TIME),
      );
      this.campaigns.set(
        paused,
        makeCampaign(
          {
            id: paused,
            ad_account_id: account,
            name: `${label} Holiday Sales (CBO)`,
            status: 'PAUSED',
            objective_type: 'CONSIDERATION',
            is_campaign_budget_optimization: true,
            daily_spend_cap: 50_000_000,
          },
          SEED_TIME,
        ),
      );
    }
    const groups: [string, string, string, number, number, string, string][] = [
      [SEED.adGroups.usd, SEED.adAccounts.usd, c.usdActive, 10_000_000, 1_500_000, 'US', 'Prospecting'],
      [SEED.adGroups.jpy, SEED.adAccounts.jpy, c.jpyActive, 5_000_000_000, 150_000_000, 'JP', 'Prospecting'],
      [SEED.adGroups.eur, SEED.adAccounts.eur, c.eurActive, 20_000_000, 1_000_000, 'DE', 'Prospecting'],
      [SEED.adGroups.usdRetargeting, SEED.adAccounts.usd, c.usdActive, 8_000_000, 600_000, 'US', 'Retargeting'],
      [SEED.adGroups.usdBroad, SEED.adAccounts.usd, c.usdActive, 25_000_000, 2_500_000, 'US', 'Broad Reach'],
    ];
    for (const [id, account, campaign, budget, bid, geo, label] of groups) {
      this.adGroups.set(
        id,
        makeAdGroup(
          {
            id,
            ad_account_id: account,
            campaign_id: campaign,
            name: `${geo} ${label}`,
            status: 'ACTIVE',
            budget_in_micro_currency: budget,
            bid_in_micro_currency: bid,
            budget_type: 'DAILY',
            bid_strategy_type: 'MAX_BID',
            billable_event: 'CLICKTHROUGH',
            targeting_spec: { GEO: [geo], AGE_BUCKET: ['25-34', '35-44'] },
          },
          SEED_TIME,
        ),
      );
    }
    const pinsForAds = [SEED.pins.spring1, SEED.pins.spring2, SEED.pins.summer1, SEED.pins.spring2, SEED.pins.summer1];
    const ads: [string, string, string, string][] = [
      [SEED.ads.usd, SEED.adAccounts.usd, c.usdActive, SEED.adGroups.usd],
      [SEED.ads.jpy, SEED.adAccounts.jpy, c.jpyActive, SEED.adGroups.jpy],
      [SEED.ads.eur, SEED.adAccounts.eur, c.eurActive, SEED.adGroups.eur],
      [SEED.ads.usdRetargeting, SEED.adAccounts.usd, c.usdActive, SEED.adGroups.usdRetargeting],
      [SEED.ads.usdBroad, SEED.adAccounts.usd, c.usdActive, SEED.adGroups.usdBroad],
    ];
    ads.forEach(([id, account, campaign, adGroup], i) => {
      this.ads.set(
        id,
        makeAd(
          {
            id,
            ad_account_id: account,
            campaign_id: campaign,
            ad_group_id: adGroup,
            pin_id: pinsForAds[i],
            name: `Ad ${i + 1}`,
            creative_type: 'REGULAR',
            destination_url: 'https://acme.example.com/spring',
            review_status: 'APPROVED',
          },
          SEED_TIME,
        ),
      );
    });
    this.keywords.set(
      SEED.keywords.usd,
      makeKeyword({ id: SEED.keywords.usd, parent_id: SEED.adGroups.usd, parent_type: 'ad_group', bid: 2_000_000, match_type: 'BROAD', value: 'spring shoes' }),
    );
    this.productGroupPromotions.set(
      SEED.productGroupPromotions.usd,
      makeProductGroupPromotion({
        id: SEED.productGroupPromotions.usd,
        ad_group_id: SEED.adGroups.usd,
        bid_in_micro_currency: 1_000_000,
        catalog_product_group_id: '4815162342001',
        catalog_product_group_name: 'All products',
      }),
    );
    this.boards.set(SEED.boards.spring, makeBoard({ id: SEED.boards.spring, name: 'Spring Collection', description: 'New season looks' }, SEED_ISO));
    this.boards.set(SEED.boards.summer, makeBoard({ id: SEED.boards.summer, name: 'Summer Ideas', description: null, privacy: 'SECRET' }, SEED_ISO));
    this.boardSections.set(SEED.boardSections.springShoes, { id: SEED.boardSections.springShoes, name: 'Shoes', board_id: SEED.boards.spring });
    const pins: [string, string, string | null, string][] = [
      [SEED.pins.spring1, SEED.boards.spring, SEED.boardSections.springShoes, 'Canvas sneakers'],
      [SEED.pins.spring2, SEED.boards.spring, null, 'Linen shirt'],
      [SEED.pins.summer1, SEED.boards.summer, null, 'Beach tote'],
    ];
    for (const [id, board, section, title] of pins) {
      this.pins.set(id, makePin({ id, board_id: board, board_section_id: section, title, link: `https://acme.example.com/p/${id}` }, SEED_ISO));
    }
    this.refreshBoardCounts();
  }

  /** Alice reaches the seeded USD account; Bob owns a JPY account with one running campaign, ad group and ad. */
  private seedPeople(): void {
    const { alice, bob } = PEOPLE;
    for (const person of [alice, bob]) this.people.set(person.id, makePersonUser(person));
    this.grantAccess(alice.id, alice.adAccounts.usd);
    const account = bob.adAccounts.jpy;
    this.adAccounts.set(account, {
      id: account,
      name: 'Bob JP',
      owner: { username: bob.username, id: bob.id },
      country: bob.country,
      currency: bob.currency,
      permissions: ['OWNER'],
      created_time: SEED_TIME,
      updated_time: SEED_TIME,
    });
    this.grantAccess(bob.id, account);
    const campaign = bob.campaigns.jpyActive;
    this.campaigns.set(
      campaign,
      makeCampaign({ id: campaign, ad_account_id: account, name: 'Bob JP Always-on Awareness', status: 'ACTIVE', objective_type: 'AWARENESS' }, SEED_TIME),
    );
    this.adGroups.set(
      bob.adGroups.jpy,
      makeAdGroup(
        {
          id: bob.adGroups.jpy,
          ad_account_id: account,
          campaign_id: campaign,
          name: 'Bob JP Prospecting',
          status: 'ACTIVE',
          budget_in_micro_currency: 3_000_000_000,
          bid_in_micro_currency: 100_000_000,
          budget_type: 'DAILY',
          bid_strategy_type: 'MAX_BID',
          billable_event: 'CLICKTHROUGH',
          targeting_spec: { GEO: ['JP'], AGE_BUCKET: ['25-34'] },
        },
        SEED_TIME,
      ),
    );
    this.ads.set(
      bob.ads.jpy,
      makeAd(
        {
          id: bob.ads.jpy,
          ad_account_id: account,
          campaign_id: campaign,
          ad_group_id: bob.adGroups.jpy,
          pin_id: SEED.pins.summer1,
          name: 'Bob Ad 1',
          creative_type: 'REGULAR',
          destination_url: 'https://bob.example.jp/summer',
          review_status: 'APPROVED',
        },
        SEED_TIME,
      ),
    );
  }

  /** Keeps each board's pin_count in line with the pins it holds. */
  refreshBoardCounts(): void {
    for (const board of this.boards.values()) board.pin_count = 0;
    for (const pin of this.pins.values()) {
      const board = this.boards.get(pin.board_id);
      if (board) board.pin_count += 1;
    }
  }
}

/** The UTC day number of a time in seconds. */
function utcDay(seconds: number): number {
  return Math.floor(seconds / 86_400);
}

function makeUser(): UserAccountRecord {
  return {
    account_type: 'BUSINESS',
    id: SEED.user.id,
    username: SEED.user.username,
    profile_image: 'https://i.pinimg.com/75x75_RS/acme.jpg',
    website_url: 'https://acme.example.com',
    about: 'Acme outfitters',
    business_name: 'Acme',
    follower_count: 1200,
    following_count: 35,
    monthly_views: 48000,
  };
}

function makePersonUser(person: (typeof PEOPLE)[PersonKey]): UserAccountRecord {
  return {
    account_type: 'BUSINESS',
    id: person.id,
    username: person.username,
    profile_image: `https://i.pinimg.com/75x75_RS/${person.username}.jpg`,
    website_url: '',
    about: '',
    business_name: person.name,
    follower_count: 0,
    following_count: 0,
    monthly_views: 0,
  };
}

type Init<T> = Partial<T> & Record<string, unknown>;

export function makeCampaign(init: Init<CampaignRecord> & { id: string; ad_account_id: string }, time: number): CampaignRecord {
  const status = (init.status as string | undefined) ?? 'ACTIVE';
  // Identity fields first, so bodies read naturally.
  return Object.assign({ id: init.id, ad_account_id: init.ad_account_id }, {
    name: '',
    lifetime_spend_cap: null,
    daily_spend_cap: null,
    order_line_id: null,
    tracking_urls: null,
    start_time: null,
    end_time: null,
    objective_type: 'AWARENESS',
    type: 'campaign',
    is_flexible_daily_budgets: false,
    is_campaign_budget_optimization: false,
    default_ad_group_budget_in_micro_currency: null,
    is_automated_campaign: false,
    ...init,
    status,
    summary_status: campaignSummaryStatus(status),
    created_time: time,
    updated_time: time,
  });
}

export function makeAdGroup(
  init: Init<AdGroupRecord> & { id: string; ad_account_id: string; campaign_id: string },
  time: number,
): AdGroupRecord {
  const status = (init.status as string | undefined) ?? 'ACTIVE';
  // Identity fields first, so bodies read naturally.
  return Object.assign({ id: init.id, ad_account_id: init.ad_account_id, campaign_id: init.campaign_id }, {
    name: '',
    budget_in_micro_currency: null,
    bid_in_micro_currency: null,
    budget_type: 'DAILY',
    bid_strategy_type: null,
    billable_event: 'CLICKTHROUGH',
    start_time: null,
    end_time: null,
    targeting_spec: {},
    lifetime_frequency_cap: -1,
    tracking_urls: null,
    auto_targeting_enabled: true,
    placement_group: 'ALL',
    pacing_delivery_type: 'STANDARD',
    optimization_goal_metadata: null,
    conversion_learning_mode_type: null,
    feed_profile_id: '0',
    dca_assets: null,
    type: 'adgroup',
    ...init,
    status,
    summary_status: campaignSummaryStatus(status),
    created_time: time,
    updated_time: time,
  });
}

export function makeAd(
  init: Init<AdRecord> & { id: string; ad_account_id: string; campaign_id: string; ad_group_id: string; pin_id: string },
  time: number,
): AdRecord {
  const status = (init.status as string | undefined) ?? 'ACTIVE';
  const review = (init.review_status as string | undefined) ?? 'PENDING';
  // Identity fields first, so bodies read naturally.
  return Object.assign({ id: init.id, ad_account_id: init.ad_account_id, campaign_id: init.campaign_id, ad_group_id: init.ad_group_id, pin_id: init.pin_id }, {
    name: null,
    creative_type: 'REGULAR',
    destination_url: null,
    android_deep_link: null,
    ios_deep_link: null,
    click_tracking_url: null,
    view_tracking_url: null,
    tracking_urls: null,
    carousel_android_deep_links: null,
    carousel_destination_urls: null,
    carousel_ios_deep_links: null,
    collection_items_destination_url_template: null,
    is_pin_deleted: false,
    is_removable: false,
    lead_form_id: null,
    grid_click_type: 'CLOSEUP',
    customizable_cta_type: null,
    quiz_pin_data: null,
    rejected_reasons: [],
    rejection_labels: [],
    type: 'pinpromotion',
    ...init,
    status,
    review_status: review,
    summary_status: adSummaryStatus(status, review),
    created_time: time,
    updated_time: time,
  });
}

export function makeKeyword(init: Init<KeywordRecord> & { id: string; parent_id: string; value: string }): KeywordRecord {
  // Identity fields first, so bodies read naturally.
  return Object.assign({ id: init.id }, {
    archived: false,
    parent_type: 'ad_group' as KeywordRecord['parent_type'],
    type: 'keyword',
    bid: null,
    match_type: 'BROAD',
    ...init,
  });
}

export function makeProductGroupPromotion(
  init: Init<ProductGroupPromotionRecord> & { id: string; ad_group_id: string },
): ProductGroupPromotionRecord {
  // Identity fields first, so bodies read naturally.
  return Object.assign({ id: init.id, ad_group_id: init.ad_group_id }, {
    bid_in_micro_currency: null,
    included: true,
    definition: '*',
    relative_definition: 'product_type_0=*',
    parent_id: null,
    slideshow_collections_title: null,
    slideshow_collections_description: null,
    is_mdl: null,
    status: 'ACTIVE',
    tracking_url: null,
    catalog_product_group_id: null,
    catalog_product_group_name: null,
    creative_type: 'REGULAR',
    collections_hero_pin_id: null,
    collections_hero_destination_url: null,
    grid_click_type: 'CLOSEUP',
    ...init,
  });
}

export function makeBoard(init: Init<BoardRecord> & { id: string; name: string }, createdAt: string): BoardRecord {
  // Identity fields first, so bodies read naturally.
  return Object.assign({ id: init.id, name: init.name }, {
    description: null,
    collaborator_count: 0,
    pin_count: 0,
    follower_count: 0,
    media: { image_cover_url: null, pin_thumbnail_urls: [] },
    owner: { username: SEED.user.username },
    privacy: 'PUBLIC',
    ...init,
    created_at: createdAt,
    board_pins_modified_at: createdAt,
  });
}

export function makePin(init: Init<PinRecord> & { id: string; board_id: string }, createdAt: string): PinRecord {
  // Identity fields first, so bodies read naturally.
  return Object.assign({ id: init.id }, {
    link: null,
    title: null,
    description: null,
    dominant_color: '#e8e2d5',
    alt_text: null,
    creative_type: 'REGULAR',
    board_section_id: null,
    board_owner: { username: SEED.user.username },
    is_owner: true,
    media: {
      media_type: 'image',
      images: { '600x': { width: 600, height: 900, url: `https://i.pinimg.com/600x/${init.id}.jpg` } },
    },
    parent_pin_id: null,
    is_standard: true,
    has_been_promoted: false,
    note: null,
    pin_metrics: null,
    ...init,
    created_at: createdAt,
  });
}
