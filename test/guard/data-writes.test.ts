// Writes that send personal data or change what bidding learns from, through the real MCP client and the fake API: held by default, sent at once when --confirm-writes leaves data out.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { classify, toolsOfClass } from '../../src/apis/classification.js';
import { type Harness, MODEL_APPROVAL, USD_ACCOUNT, startInProcess } from '../helpers/harness.js';

interface Held {
  status: string;
  confirmation_token?: string;
  request: { method: string; path: string; body: any };
  changes: { entity: string; field: string; reason: string; why?: string }[];
}

const HASHED_EMAIL = 'f1904cc1ad75fb6cd8a7ff5a7ac2fbee4b8c4ee1cd13a1f3c2a0a0a7c8a9c5b1';
const conversion = {
  ad_account_id: USD_ACCOUNT,
  body: { data: [{ event_name: 'checkout', action_source: 'web', event_time: 1_767_225_600, event_id: 'order-1', user_data: { em: [HASHED_EMAIL] } }] },
};
const subscription = { ad_account_id: USD_ACCOUNT, body: { webhook_url: 'https://hooks.example.com/leads' } };
const leadExport = { ad_account_id: USD_ACCOUNT, body: { ad_id: '687195134102', start_date: '2026-11-01', end_date: '2026-11-10' } };
const feed = {
  ad_account_id: USD_ACCOUNT,
  body: { name: 'Feed', format: 'CSV', location: 'https://example.com/feed.csv', default_country: 'US', default_locale: 'en-US', default_currency: 'USD' },
};

/** Calls a tool and returns its answer with the writes (not the guard's own reads) that reached the fake API meanwhile. */
async function attempt(h: Harness, name: string, args: Record<string, unknown>) {
  const before = h.emulator.requests.length;
  const result = await h.call(name, args);
  return { result, held: result.structuredContent as unknown as Held | undefined, writes: h.emulator.requests.slice(before).filter((r) => r.method !== 'GET') };
}

it('classifies the writes that send personal data or teach bidding as data, each with its reason', () => {
  const data = ['ad_accounts_subscriptions_post', 'leads_export_create', 'events_create', 'msot_events_create', 'feeds_create', 'feeds_update', 'feeds_ingest'];
  for (const name of [...data, 'integrations_commerce_post', 'integrations_commerce_patch', 'ad_accounts_create']) {
    expect(classify(name)?.class, name).toBe('data');
  }
  expect(toolsOfClass('data')).toEqual(
    expect.arrayContaining(['customer_lists_create', 'lead_form_test_create', 'integrations_logs_post', 'notification_post', 'whop_audiences_create']),
  );
});

describe('data writes under the default --confirm-writes (spend,data,destructive)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startInProcess({ args: [...MODEL_APPROVAL, '--toolsets', 'all'] });
  });
  afterAll(() => h?.close());
  beforeEach(() => h.emulator.reset());

  const cases: [string, Record<string, unknown>, RegExp][] = [
    ['events_create', conversion, /automated bidding learns from them/],
    ['ad_accounts_subscriptions_post', subscription, /to the webhook address given/],
    ['leads_export_create', leadExport, /personal data of people who submitted lead forms/],
    ['feeds_create', feed, /product data .* shopping ads show and bid on/],
  ];
  for (const [name, args, why] of cases) {
    it(`${name}: holds it as data and sends nothing, then sends exactly the previewed request once when confirmed`, async () => {
      const first = await attempt(h, name, args);
      expect(first.writes, first.result.text).toHaveLength(0);
      expect(first.held?.status, first.result.text).toBe('confirmation_required');
      expect(first.held?.changes).toEqual([expect.objectContaining({ entity: name, reason: 'data', why: expect.stringMatching(why) })]);
      expect(first.result.text).toContain(`Confirmation required: ${name} on ad account ${USD_ACCOUNT} sends personal data or changes what bidding learns from.`);
      expect(first.result.text).toMatch(new RegExp(`^- ${name}: data: `, 'm'));

      const done = await attempt(h, name, { ...args, confirmation_token: first.held!.confirmation_token });
      expect(done.result.isError, done.result.text).toBeFalsy();
      expect(done.writes.map((r) => [r.method, r.path, r.body, r.valid])).toEqual([[first.held!.request.method, first.held!.request.path, first.held!.request.body, true]]);
    });
  }

  it('previews a data write on dry_run and sends nothing', async () => {
    const { result, writes } = await attempt(h, 'events_create', { ...conversion, dry_run: true });
    expect(writes).toHaveLength(0);
    expect(result.structuredContent).toMatchObject({ status: 'dry_run', changes: [{ reason: 'data' }] });
  });
});

describe('--confirm-writes without data', () => {
  it('spend: sends a data write at once, and still holds spend changes', async () => {
    const h = await startInProcess({ args: [...MODEL_APPROVAL, '--toolsets', 'all', '--confirm-writes', 'spend'] });
    try {
      const sent = await attempt(h, 'events_create', conversion);
      expect(sent.result.isError, sent.result.text).toBeFalsy();
      expect(sent.held?.status).toBeUndefined();
      expect(sent.writes.map((r) => [r.operationId, r.body])).toEqual([['events/create', conversion.body]]);
      const budget = await attempt(h, 'ad_groups_update', { ad_account_id: USD_ACCOUNT, body: [{ id: '2680059592701', budget: '11' }] });
      expect(budget.held?.status).toBe('confirmation_required');
      expect(budget.writes).toHaveLength(0);
    } finally {
      await h.close();
    }
  });

  it('spend,destructive keeps its old meaning: data writes are sent at once, deletes held', async () => {
    const h = await startInProcess({ args: [...MODEL_APPROVAL, '--toolsets', 'all', '--confirm-writes', 'spend,destructive'] });
    try {
      const sent = await attempt(h, 'leads_export_create', leadExport);
      expect(sent.writes.map((r) => r.operationId)).toEqual(['leads_export/create']);
      const removal = await attempt(h, 'promotions_delete', { ad_account_id: USD_ACCOUNT, promotion_id: '123' });
      expect(removal.held?.changes).toEqual([expect.objectContaining({ reason: 'destructive' })]);
      expect(removal.writes).toHaveLength(0);
    } finally {
      await h.close();
    }
  });

  it('data alone: data writes are held, deletes sent at once', async () => {
    const h = await startInProcess({ args: [...MODEL_APPROVAL, '--toolsets', 'all', '--confirm-writes', 'data'] });
    try {
      const held = await attempt(h, 'ad_accounts_subscriptions_post', subscription);
      expect(held.held?.status).toBe('confirmation_required');
      expect(held.writes).toHaveLength(0);
      const removal = await attempt(h, 'promotions_delete', { ad_account_id: USD_ACCOUNT, promotion_id: '123' });
      expect(removal.writes.map((r) => r.operationId)).toEqual(['promotions/delete']);
    } finally {
      await h.close();
    }
  });
});
