// Ad reports: a date range cut into hourly, daily, weekly or monthly buckets, each ad's totals spread over them.
import { fail } from './errors.js';
import type { Checked, Entity } from './shapes.js';
import { refId, type WhopState } from './state.js';
import { NO_TOTALS, adTotals, reportSummary, spendOf, split, sumTotals, type Totals } from './stats.js';

const MAX_REPORT_BUCKETS = 10_000;
const DAY_MS = 86_400_000;

interface Bucket {
  bucket_start: string;
  stat_date: string;
  stat_hour: number | null;
  /** Indices of the days (from `from`) it covers. */
  days: number[];
}

function reportDay(value: unknown, name: string): number {
  const m = /^(\d{4}-\d{2}-\d{2})(?:[Tt ].*)?$/.exec(String(value));
  const ms = m ? Date.parse(`${m[1]}T00:00:00Z`) : NaN;
  if (!m || Number.isNaN(ms) || new Date(ms).toISOString().slice(0, 10) !== m[1]) {
    fail(400, `${name} must be a date (YYYY-MM-DD) or an ISO 8601 timestamp`);
  }
  return ms / DAY_MS;
}

function buckets(fromDay: number, dayCount: number, granularity: string): Bucket[] {
  const date = (day: number) => new Date(day * DAY_MS).toISOString().slice(0, 10);
  const out: Bucket[] = [];
  if (granularity === 'hourly') {
    for (let d = 0; d < dayCount; d++) {
      for (let h = 0; h < 24; h++) {
        out.push({ bucket_start: new Date((fromDay + d) * DAY_MS + h * 3_600_000).toISOString(), stat_date: date(fromDay + d), stat_hour: h, days: [d] });
      }
    }
    return out;
  }
  for (let d = 0; d < dayCount; d++) {
    const day = fromDay + d;
    const startsBucket =
      d === 0 ||
      granularity === 'daily' ||
      (granularity === 'weekly' && d % 7 === 0) ||
      (granularity === 'monthly' && date(day).endsWith('-01'));
    if (startsBucket) out.push({ bucket_start: `${date(day)}T00:00:00.000Z`, stat_date: date(day), stat_hour: null, days: [] });
    out[out.length - 1].days.push(d);
  }
  return out;
}

/** An ad report: one scope (the account, or campaigns, ad groups or ads by id), a summary, rows per bucket, a breakdown per entity. */
export function adReport(state: WhopState, query: Checked): Entity {
  const { currency, digits } = state;
  const scopes = ['company_id', 'ad_campaign_ids', 'ad_group_ids', 'ad_ids'].filter((k) => query[k] !== undefined && query[k] !== null);
  if (scopes.length !== 1) fail(400, 'Provide exactly one of company_id, ad_campaign_ids, ad_group_ids or ad_ids');
  const scope = scopes[0];
  if (query.currency !== undefined && query.currency !== null && String(query.currency).toUpperCase() !== currency) {
    fail(400, `Spend is reported in the account currency ${currency}; currency ${String(query.currency)} is not available`);
  }
  const fromDay = reportDay(query.from, 'from');
  const toDay = reportDay(query.to, 'to');
  if (toDay < fromDay) fail(400, 'to must not be before from');
  const dayCount = toDay - fromDay + 1;

  const allAds = [...state.ads.values()];
  let scoped: Entity[];
  if (scope === 'company_id') {
    state.account(query.company_id);
    scoped = allAds;
  } else {
    const ids: string[] = query[scope];
    if (ids.length === 0 || ids.length > 100) fail(400, `${scope} must list 1 to 100 ids`);
    const [map, label] = scope === 'ad_campaign_ids' ? [state.campaigns, 'Ad campaign'] : scope === 'ad_group_ids' ? [state.adGroups, 'Ad group'] : [state.ads, 'Ad'];
    const unknown = ids.filter((id) => !map.has(id));
    if (unknown.length) fail(404, `${label} ${unknown.join(', ')} not found`);
    const wanted = new Set(ids);
    scoped = allAds.filter((ad) =>
      wanted.has(scope === 'ad_campaign_ids' ? state.campaignOfAd(ad) : scope === 'ad_group_ids' ? refId(ad.ad_group) : String(ad.id)),
    );
  }

  const granularity: string | null = query.granularity ?? null;
  const grid = granularity ? buckets(fromDay, dayCount, granularity) : [];
  if (grid.length > MAX_REPORT_BUCKETS) fail(400, `the range makes more than ${MAX_REPORT_BUCKETS} ${granularity} rows; narrow from/to`);
  /** An ad's totals spread over the days of the range (and, for hourly rows, over the hours of each day). */
  const rowsOf = (list: Entity[]): Entity[] => {
    const sums = grid.map(() => ({ ...NO_TOTALS }));
    for (const ad of list) {
      const t = adTotals(String(ad.id), digits);
      const perDay = (k: keyof Totals) => split(t[k], dayCount);
      const days = { impressions: perDay('impressions'), reach: perDay('reach'), clicks: perDay('clicks'), spendMinor: perDay('spendMinor') };
      grid.forEach((bucket, i) => {
        for (const k of ['impressions', 'reach', 'clicks', 'spendMinor'] as const) {
          const share = bucket.stat_hour === null
            ? bucket.days.reduce((sum, d) => sum + days[k][d], 0)
            : k === 'reach'
              ? 0 // no reach at hourly grain
              : split(days[k][bucket.days[0]], 24)[bucket.stat_hour];
          sums[i][k] += share;
        }
      });
    }
    return grid.map((bucket, i) => ({
      bucket_start: bucket.bucket_start,
      stat_date: bucket.stat_date,
      stat_hour: bucket.stat_hour,
      granularity,
      impressions: sums[i].impressions,
      reach: sums[i].reach,
      clicks: sums[i].clicks,
      spend: spendOf(sums[i], digits),
      spend_currency: currency.toLowerCase(),
      result_count: null,
      result_label_key: null,
      result_label_override: null,
    }));
  };
  const totalsOf = (list: Entity[]) => sumTotals(list.map((ad) => adTotals(String(ad.id), digits)));

  let breakdown: Entity[] | null = null;
  const level: string | null = query.breakdown ?? null;
  if (level) {
    const groupKey = (ad: Entity) => (level === 'campaign' ? state.campaignOfAd(ad) : level === 'ad_group' ? refId(ad.ad_group) : String(ad.id));
    const levelMap = level === 'campaign' ? state.campaigns : level === 'ad_group' ? state.adGroups : state.ads;
    // Every entity of the level that the scope covers, with no ads or with some: the rows add up to the summary.
    const inScope = new Set(scoped.map(groupKey));
    if (scope === 'company_id') for (const id of levelMap.keys()) inScope.add(id);
    if (scope === 'ad_campaign_ids' && level !== 'ad') {
      for (const cid of query.ad_campaign_ids as string[]) {
        if (level === 'campaign') inScope.add(cid);
        else for (const g of state.groupsOf(cid)) inScope.add(String(g.id));
      }
    }
    if (scope === 'ad_group_ids' && level !== 'ad') {
      for (const gid of query.ad_group_ids as string[]) inScope.add(level === 'ad_group' ? gid : refId(state.adGroups.get(gid)?.ad_campaign));
    }
    breakdown = [...inScope]
      .filter((id) => levelMap.has(id))
      .sort()
      .map((id) => {
        const own = scoped.filter((ad) => groupKey(ad) === id);
        return {
          id,
          level,
          name: (levelMap.get(id)?.title as string | null | undefined) ?? null,
          summary: reportSummary(totalsOf(own), currency),
          granularity: granularity ? rowsOf(own) : null,
        };
      });
  }
  return {
    summary: reportSummary(totalsOf(scoped), currency),
    granularity: granularity ? rowsOf(scoped) : null,
    breakdown,
  };
}
