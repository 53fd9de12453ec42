// The fake Whop account's entities and ids: campaigns, ad groups, ads and audiences, the rules that create and change them.
import { randomBytes } from 'node:crypto';
import { isPlainObject } from '../../src/core/json.js';
import type { ResponseSynthesizer } from '../intake/synthesize.js';
import { fail } from './errors.js';
import { minorDigits } from './money.js';
import { whopResponses } from '../../src/apis/whop/responses.generated.js';
import { adFields, adGroupFields, emptyOf, type Checked, type Entity } from './shapes.js';
import { adTotals, round, statFields, sumTotals, type Totals } from './stats.js';

/** Seeded ids (one account, one campaign that owns no budget (budget_optimization 'ad_group'), one active ad group with a daily budget of 50, one ad, one ready custom audience). */
export const WHOP_SEED = {
  account: 'biz_demo00000001',
  campaign: 'adcamp_seed0000001',
  adGroup: 'adgrp_seed00000001',
  ad: 'ad_seed0000000001',
  audience: 'adaud_seed0000001',
} as const;

/** Settings that only a campaign owning its budget takes. */
const CAMPAIGN_BUDGET_ONLY = ['budget_amount', 'bid_type', 'desired_cost_per_result', 'starts_at', 'ends_at'];

/** A new id: the entity's prefix and 16 random lower-case letters and digits, like Whop's. */
function newId(prefix: string): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  return prefix + [...randomBytes(16)].map((b) => alphabet[b % alphabet.length]).join('');
}

/** The id of a `{ id }` reference, '' when there is none. */
export const refId = (ref: unknown): string => (isPlainObject(ref) ? String(ref.id) : '');

/** The entity `id` of `map`, or a 404 naming it. */
export function found(map: Map<string, Entity>, id: unknown, label: string): Entity {
  const entity = map.get(String(id));
  if (!entity) fail(404, `${label} ${String(id)} not found`);
  return entity;
}

/** The delivery status a campaign's own status imposes on its active ad groups and ads: 'draft', 'campaign_paused', or none. */
function stoppedBy(campaign: Entity | undefined): string | undefined {
  if (campaign?.status === 'draft') return 'draft';
  return campaign && campaign.status !== 'active' ? 'campaign_paused' : undefined;
}

/** One fake Whop account: its entities as the API answers them, by id. */
export class WhopState {
  readonly campaigns = new Map<string, Entity>();
  readonly adGroups = new Map<string, Entity>();
  readonly ads = new Map<string, Entity>();
  readonly audiences = new Map<string, Entity>();
  /** Decimal places of the account currency's minor unit. */
  readonly digits: number;
  /** Timestamps strictly increase, so created_at orders entities deterministically. */
  private lastTime = 0;

  constructor(
    /** ISO code the account bills in, upper case. */
    readonly currency: string,
    private readonly synthesizer: ResponseSynthesizer,
  ) {
    this.digits = minorDigits(currency);
  }

  now(): string {
    this.lastTime = Math.max(Date.now(), this.lastTime + 1);
    return new Date(this.lastTime).toISOString();
  }

  /** A full entity as `opId` answers it, with `fields` laid over the synthesized example. */
  private shape(opId: string, fields: Entity): Entity {
    return Object.assign(this.synthesizer.body(opId) as Entity, fields);
  }

  /** The one account (an absent id names it), or a 404. */
  account(id: unknown): string {
    const value = id === undefined || id === null ? WHOP_SEED.account : String(id);
    if (value !== WHOP_SEED.account) fail(404, `Account ${value} not found`);
    return value;
  }

  groupsOf(campaignId: string): Entity[] {
    return [...this.adGroups.values()].filter((g) => refId(g.ad_campaign) === campaignId);
  }

  adsOfGroup(groupId: string): Entity[] {
    return [...this.ads.values()].filter((a) => refId(a.ad_group) === groupId);
  }

  campaignOfAd(ad: Entity): string {
    return refId(this.adGroups.get(refId(ad.ad_group))?.ad_campaign ?? ad.ad_campaign);
  }

  /** Lays the derived fields (parents, stats, delivery status) over every entity, also after a test edited the maps. */
  refresh(): void {
    const byGroup = new Map<string, Totals[]>();
    const byCampaign = new Map<string, Totals[]>();
    for (const ad of this.ads.values()) {
      const groupId = refId(ad.ad_group);
      const campaignId = this.campaignOfAd(ad);
      ad.ad_campaign = { id: campaignId };
      const totals = adTotals(String(ad.id), this.digits);
      byGroup.set(groupId, [...(byGroup.get(groupId) ?? []), totals]);
      byCampaign.set(campaignId, [...(byCampaign.get(campaignId) ?? []), totals]);
      const group = this.adGroups.get(groupId);
      const campaign = this.campaigns.get(campaignId);
      const delivery =
        ad.status !== 'active' ? ad.status : (stoppedBy(campaign) ?? (group && group.status !== 'active' ? 'ad_group_paused' : 'active'));
      Object.assign(ad, statFields(totals, this.currency), { delivery_status: delivery });
    }
    for (const group of this.adGroups.values()) {
      const id = String(group.id);
      const campaign = this.campaigns.get(refId(group.ad_campaign));
      const own = this.adsOfGroup(id);
      const delivery =
        group.status !== 'active'
          ? group.status
          : (stoppedBy(campaign) ?? (own.length === 0 ? 'no_ads' : own.every((a) => a.status !== 'active') ? 'ads_off' : 'active'));
      Object.assign(group, statFields(sumTotals(byGroup.get(id) ?? []), this.currency), { delivery_status: delivery });
    }
    for (const campaign of this.campaigns.values()) {
      const id = String(campaign.id);
      const groups = this.groupsOf(id);
      const delivery =
        campaign.status !== 'active'
          ? ['draft', 'paused', 'payment_failed'].includes(String(campaign.status))
            ? campaign.status
            : 'processing'
          : groups.length === 0
            ? 'no_ad_groups'
            : groups.every((g) => this.adsOfGroup(String(g.id)).length === 0)
              ? 'no_ads'
              : groups.every((g) => g.status !== 'active')
                ? 'ad_groups_off'
                : 'active';
      Object.assign(campaign, statFields(sumTotals(byCampaign.get(id) ?? []), this.currency), {
        delivery_status: delivery,
        optimization_goal: campaign.optimization_goal ?? null,
      });
    }
  }

  // --- campaigns ---------------------------------------------------------------------------------------------

  checkSchedule(body: Checked): void {
    for (const key of ['starts_at', 'ends_at']) {
      if (body[key] !== undefined && Number.isNaN(Date.parse(String(body[key])))) fail(400, `${key} must be an ISO 8601 timestamp`);
    }
  }

  createCampaign(body: Checked, id = newId('adcamp_')): Entity {
    this.account(body.account_id);
    const optimization = body.budget_optimization ?? 'ad_group';
    if (optimization === 'ad_campaign' && body.budget_amount === undefined) {
      fail(400, 'budget_amount is required when budget_optimization is ad_campaign');
    }
    if (optimization === 'ad_group') {
      const extra = CAMPAIGN_BUDGET_ONLY.filter((k) => body[k] !== undefined);
      if (extra.length) fail(400, `${extra.join(', ')} only apply to a campaign that owns the budget (budget_optimization ad_campaign)`);
    }
    this.checkSchedule(body);
    const time = this.now();
    const campaign = this.shape('ad_campaigns/get', {
      id,
      title: body.title,
      objective: body.objective,
      platform: body.platform,
      status: 'draft',
      bid_type: body.bid_type ?? null,
      budget_amount: body.budget_amount ?? null,
      budget_optimization: optimization,
      budget_type: body.budget_type ?? 'daily',
      desired_cost_per_result: body.desired_cost_per_result ?? null,
      starts_at: body.starts_at ?? null,
      ends_at: body.ends_at ?? null,
      special_ad_categories: body.special_ad_categories ?? [],
      optimization_goal: null,
      issues: [],
      created_at: time,
      updated_at: time,
    });
    this.campaigns.set(id, campaign);
    return campaign;
  }

  updateCampaign(campaign: Entity, body: Checked): Entity {
    const switching = body.budget_optimization !== undefined && body.budget_optimization !== campaign.budget_optimization;
    if (switching && campaign.status !== 'draft') fail(400, 'budget_optimization can only change before the campaign launches');
    if (switching && body.budget_optimization === 'ad_campaign' && body.budget_amount === undefined) {
      fail(400, 'switching budget_optimization to ad_campaign requires budget_amount in the same request');
    }
    const optimization = body.budget_optimization ?? campaign.budget_optimization;
    if (optimization !== 'ad_campaign') {
      const extra = CAMPAIGN_BUDGET_ONLY.filter((k) => body[k] !== undefined);
      if (extra.length) fail(400, `${extra.join(', ')} only apply to a campaign that owns the budget (budget_optimization ad_campaign)`);
    }
    if (body.status === 'active' && campaign.status !== 'draft' && campaign.status !== 'active') {
      fail(400, `status active launches a draft campaign; this one is ${String(campaign.status)} (use unpause or retry_payment)`);
    }
    this.checkSchedule(body);
    Object.assign(campaign, body);
    if (switching && body.budget_optimization === 'ad_group') Object.assign(campaign, { budget_amount: null, bid_type: null, desired_cost_per_result: null });
    if (body.bid_type === 'minimum_cost') {
      for (const group of this.groupsOf(String(campaign.id))) group.desired_cost_per_result = null;
    }
    campaign.updated_at = this.now();
    return campaign;
  }

  transition(entity: Entity, label: string, from: string, to: string, verb: string): Entity {
    if (entity.status !== from) fail(400, `${label} ${String(entity.id)} is ${String(entity.status)}, so it cannot be ${verb} (it must be ${from})`);
    entity.status = to;
    entity.updated_at = this.now();
    return entity;
  }

  deleteGroup(id: string): void {
    for (const ad of this.adsOfGroup(id)) this.ads.delete(String(ad.id));
    this.adGroups.delete(id);
  }

  // --- ad groups ---------------------------------------------------------------------------------------------

  checkGroupBudget(campaign: Entity, body: Checked): void {
    if (campaign.budget_optimization === 'ad_campaign' && (body.budget_amount !== undefined || body.budget_type !== undefined)) {
      fail(400, `Ad campaign ${String(campaign.id)} owns the budget (budget_optimization ad_campaign): its ad groups take no budget_amount or budget_type`);
    }
  }

  /** Checks an ad group create body; the returned function creates it. */
  prepareAdGroup(body: Checked, id = newId('adgrp_')): () => Entity {
    const campaign = found(this.campaigns, body.ad_campaign_id, 'Ad campaign');
    this.checkGroupBudget(campaign, body);
    this.checkSchedule(body);
    return () => {
      const time = this.now();
      const schema = whopResponses.schemas.AdGroup.properties ?? {};
      const group = this.shape('ad_groups/get', {
        id,
        ad_campaign: { id: campaign.id },
        status: 'active',
        title: null,
        bid_type: null,
        budget_amount: null,
        budget_type: campaign.budget_optimization === 'ad_campaign' ? null : 'daily',
        desired_cost_per_result: null,
        minimum_daily_spend: null,
        conversion_event: null,
        conversion_location: null,
        optimization_goal: null,
        dynamic_creative: false,
        starts_at: null,
        ends_at: null,
        frequency_cap: null,
        languages: [],
        message_apps: [],
        placements: [],
        issues: [],
        audiences: emptyOf(schema.audiences),
        demographics: emptyOf(schema.demographics),
        detailed_targeting: emptyOf(schema.detailed_targeting),
        devices: emptyOf(schema.devices),
        regions: emptyOf(schema.regions),
        ...adGroupFields(body),
        created_at: time,
        updated_at: time,
      });
      this.adGroups.set(id, group);
      return group;
    };
  }

  // --- ads ---------------------------------------------------------------------------------------------------

  createAd(body: Checked, id = newId('ad_')): Entity {
    if ((body.ad_group_id === undefined) === (body.ad_group === undefined)) fail(400, 'Provide exactly one of ad_group_id or ad_group');
    const group = body.ad_group_id !== undefined ? found(this.adGroups, body.ad_group_id, 'Ad group') : this.prepareAdGroup(body.ad_group)();
    const time = this.now();
    const ad = this.shape('ads/get', {
      id,
      ad_group: { id: group.id },
      ad_campaign: { id: refId(group.ad_campaign) },
      status: 'active',
      title: null,
      call_to_action: null,
      creatives: [],
      descriptions: [],
      headlines: [],
      primary_texts: [],
      issues: [],
      lead_form: null,
      lead_form_id: null,
      messaging_config: null,
      multi_advertiser_ads: false,
      post_id: null,
      post_source: null,
      post_thumbnail_url: null,
      social_accounts: [],
      url: null,
      url_parameters: {},
      ...adFields(body),
      created_at: time,
      updated_at: time,
    });
    this.ads.set(id, ad);
    return ad;
  }

  // --- audiences ---------------------------------------------------------------------------------------------

  audience(fields: Entity): Entity {
    const time = this.now();
    return this.shape('audiences/create', {
      error_message: null,
      lookalike_ratio: null,
      lookalike_starting_ratio: null,
      match_rates: [],
      matched_rows: 0,
      platform_audience_ids: [],
      processed_rows: 0,
      progress_percent: 0,
      source_audience_id: null,
      status: 'processing',
      total_rows: 0,
      ...fields,
      created_at: time,
      updated_at: time,
    });
  }

  createAudiences(body: Checked): unknown {
    this.account(body.account_id);
    const lookalike = body.audience_type === 'lookalike';
    const present = (list: string[]) => list.filter((k) => body[k] !== undefined);
    if (!lookalike) {
      const wrong = present(['source_audience_id', 'count', 'percentage']);
      if (wrong.length) fail(400, `${wrong.join(', ')} only apply to lookalike audiences`);
      const missing = ['name', 'column_mapping', 'file_id'].filter((k) => body[k] === undefined);
      if (missing.length) fail(400, `a custom audience needs ${missing.join(', ')}`);
      if (!body.column_mapping.email && !body.column_mapping.phone) fail(400, 'column_mapping must map at least one of email or phone');
      const created = this.audience({ id: newId('adaud_'), audience_type: 'custom', name: body.name });
      this.audiences.set(String(created.id), created);
      return created;
    }
    const wrong = present(['name', 'column_mapping', 'file_id']);
    if (wrong.length) fail(400, `${wrong.join(', ')} only apply to custom audiences (lookalike names are generated)`);
    const missing = ['source_audience_id', 'count', 'percentage'].filter((k) => body[k] === undefined);
    if (missing.length) fail(400, `a lookalike audience needs ${missing.join(', ')}`);
    const source = found(this.audiences, body.source_audience_id, 'Audience');
    if (source.audience_type !== 'custom' || !['ready', 'partial'].includes(String(source.status))) {
      fail(400, `Audience ${String(source.id)} is not a ready custom audience`);
    }
    if (Number(source.matched_rows) < 100) fail(400, `Audience ${String(source.id)} has fewer than 100 matched people`);
    const { count, percentage } = body as { count: number; percentage: number };
    if (!Number.isInteger(count) || count < 1 || count > 6) fail(400, 'count must be a whole number from 1 to 6');
    if (!Number.isInteger(percentage) || percentage < 1 || percentage > 20) fail(400, 'percentage must be a whole number from 1 to 20');
    if (percentage % count !== 0) fail(400, `percentage ${percentage} must be divisible by count ${count}`);
    const step = percentage / count;
    const data = Array.from({ length: count }, (_, i) => {
      const created = this.audience({
        id: newId('adaud_'),
        audience_type: 'lookalike',
        name: `${String(source.name)} lookalike ${i * step}-${(i + 1) * step}%`,
        source_audience_id: source.id,
        lookalike_starting_ratio: i === 0 ? null : round((i * step) / 100, 4),
        lookalike_ratio: round(((i + 1) * step) / 100, 4),
      });
      this.audiences.set(String(created.id), created);
      return created;
    });
    return { data };
  }

  // --- seed --------------------------------------------------------------------------------------------------

  /** Creates the WHOP_SEED entities. */
  seed(): void {
    const campaign = this.createCampaign({ title: 'Spring launch', objective: 'sales', platform: 'meta' }, WHOP_SEED.campaign);
    campaign.status = 'active';
    this.prepareAdGroup(
      {
        ad_campaign_id: WHOP_SEED.campaign,
        title: 'US prospecting',
        budget_amount: 50,
        budget_type: 'daily',
        optimization_goal: 'conversions',
        regions: { include: { countries: ['US'] } },
        demographics: { minimum_age: 18, maximum_age: 65 },
      },
      WHOP_SEED.adGroup,
    )();
    this.createAd(
      {
        ad_group_id: WHOP_SEED.adGroup,
        title: 'Spring sale',
        headlines: ['Spring sale: 20% off'],
        primary_texts: ['Join this week and save.'],
        call_to_action: 'shop_now',
        url: 'https://whop.com/demo',
      },
      WHOP_SEED.ad,
    );
    this.audiences.set(
      WHOP_SEED.audience,
      this.audience({
        id: WHOP_SEED.audience,
        audience_type: 'custom',
        name: 'Past buyers',
        status: 'ready',
        progress_percent: 100,
        total_rows: 1200,
        processed_rows: 1200,
        matched_rows: 960,
        platform_audience_ids: ['23850000000000001'],
        match_rates: [{ platform: 'meta', status: 'available', lower_bound: 70, upper_bound: 80 }],
      }),
    );
    this.refresh();
  }
}
