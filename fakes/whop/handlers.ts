// Each Whop operation's handler: reads the checked request, applies it to the account's state, returns the answer.
import type { Answer } from '../intake/http.js';
import { adReport } from './reports.js';
import { adFields, adGroupFields, type Checked, type Entity } from './shapes.js';
import { found, refId, type WhopState } from './state.js';
import { commonFilters, paginate } from './paging.js';
import { estimateReach, targetingOptions } from './targeting.js';

/** A request the catalog intake has checked, and the state it acts on. */
export interface Context {
  path: Record<string, any>;
  query: Checked;
  body: Checked;
  state: WhopState;
}

export type Handler = (c: Context) => Answer;

const ok = (body: unknown): Answer => ({ status: 200, body });
const list = (items: Entity[], query: Checked) => ok(paginate(commonFilters(items, query), query));
const campaignOf = (c: Context) => found(c.state.campaigns, c.path.id, 'Ad campaign');
const groupOf = (c: Context) => found(c.state.adGroups, c.path.id, 'Ad group');
const adOf = (c: Context) => found(c.state.ads, c.path.id, 'Ad');

/** The handler of every operation of the Whop catalog, by operation id. */
export const handlers: Readonly<Record<string, Handler>> = {
  'ad_campaigns/list': (c) => {
    c.state.account(c.query.account_id);
    return list([...c.state.campaigns.values()], c.query);
  },
  'ad_campaigns/create': (c) => ok(c.state.createCampaign(c.body)),
  'ad_campaigns/get': (c) => ok(campaignOf(c)),
  'ad_campaigns/update': (c) => ok(c.state.updateCampaign(campaignOf(c), c.body)),
  'ad_campaigns/delete': (c) => {
    const campaign = campaignOf(c);
    for (const group of c.state.groupsOf(String(campaign.id))) c.state.deleteGroup(String(group.id));
    c.state.campaigns.delete(String(campaign.id));
    return ok(true);
  },
  'ad_campaigns/pause': (c) => ok(c.state.transition(campaignOf(c), 'Ad campaign', 'active', 'paused', 'paused')),
  'ad_campaigns/unpause': (c) => ok(c.state.transition(campaignOf(c), 'Ad campaign', 'paused', 'active', 'unpaused')),
  'ad_campaigns/retry_payment': (c) => ok(c.state.transition(campaignOf(c), 'Ad campaign', 'payment_failed', 'active', 'charged again')),

  'ad_groups/list': (c) => {
    c.state.account(c.query.account_id);
    const items = [...c.state.adGroups.values()].filter((g) => c.query.ad_campaign_id === undefined || refId(g.ad_campaign) === c.query.ad_campaign_id);
    return list(items, c.query);
  },
  'ad_groups/create': (c) => ok(c.state.prepareAdGroup(c.body)()),
  'ad_groups/get': (c) => ok(groupOf(c)),
  'ad_groups/update': (c) => {
    const group = groupOf(c);
    const campaign = c.state.campaigns.get(refId(group.ad_campaign));
    if (campaign) c.state.checkGroupBudget(campaign, c.body);
    c.state.checkSchedule(c.body);
    Object.assign(group, adGroupFields(c.body), { updated_at: c.state.now() });
    return ok(group);
  },
  'ad_groups/delete': (c) => {
    c.state.deleteGroup(String(groupOf(c).id));
    return ok(true);
  },
  'ad_groups/pause': (c) => ok(c.state.transition(groupOf(c), 'Ad group', 'active', 'paused', 'paused')),
  'ad_groups/unpause': (c) => ok(c.state.transition(groupOf(c), 'Ad group', 'paused', 'active', 'unpaused')),
  'ad_groups/targeting_options': (c) => {
    c.state.account(c.query.account_id);
    return ok(targetingOptions(c.query));
  },
  'ad_groups/estimate_reach': (c) => {
    c.state.account(c.body.account_id);
    return ok(estimateReach(c.body));
  },

  'ads/list': (c) => {
    c.state.account(c.query.account_id);
    const items = [...c.state.ads.values()].filter(
      (a) =>
        (c.query.ad_campaign_id === undefined || c.state.campaignOfAd(a) === c.query.ad_campaign_id) &&
        (c.query.ad_group_id === undefined || refId(a.ad_group) === c.query.ad_group_id),
    );
    return list(items, c.query);
  },
  'ads/create': (c) => ok(c.state.createAd(c.body)),
  'ads/get': (c) => ok(adOf(c)),
  'ads/update': (c) => {
    const ad = adOf(c);
    Object.assign(ad, adFields(c.body), { updated_at: c.state.now() });
    return ok(ad);
  },
  'ads/delete': (c) => {
    c.state.ads.delete(String(adOf(c).id));
    return ok(true);
  },
  'ads/pause': (c) => ok(c.state.transition(adOf(c), 'Ad', 'active', 'paused', 'paused')),
  'ads/unpause': (c) => ok(c.state.transition(adOf(c), 'Ad', 'paused', 'active', 'unpaused')),

  'ad_reports/get': (c) => ok(adReport(c.state, c.query)),

  'audiences/list': (c) => {
    c.state.account(c.query.account_id);
    const items = [...c.state.audiences.values()].filter(
      (a) =>
        (c.query.audience_id === undefined || a.id === c.query.audience_id) &&
        (c.query.audience_type === undefined || a.audience_type === c.query.audience_type),
    );
    return ok(paginate(items, { first: c.query.first, after: c.query.after }));
  },
  'audiences/create': (c) => ok(c.state.createAudiences(c.body)),
  'audiences/delete': (c) => {
    c.state.audiences.delete(String(found(c.state.audiences, c.path.audience_id, 'Audience').id));
    return ok({ success: true });
  },
};
