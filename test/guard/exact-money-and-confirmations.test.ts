// The guard through a real MCP client and the fake API: exact money, previews, single-use bound confirmations, limits.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { EUR_ACCOUNT, type Harness, type HarnessOptions, JPY_ACCOUNT, USD_ACCOUNT, startInProcess, MODEL_APPROVAL } from '../helpers/harness.js';
import { tempDir } from '../helpers/temp.js';

const USD_AD_GROUP = '2680059592701';
const JPY_AD_GROUP = '2680059592702';
const EUR_AD_GROUP = '2680059592703';

interface Preview {
  status: string;
  confirmation_token: string;
  expires_at: string;
  request: { method: string; path: string; query: Record<string, unknown>; body: any };
  changes: Record<string, any>[];
}

const budgetUpdate = (account: string, id: string, budget: unknown) => ({ ad_account_id: account, body: [{ id, budget }] });

describe('guard', () => {
  let h: Harness;
  let auditPath: string;
  beforeAll(async () => {
    auditPath = join(tempDir('audit-'), 'audit.jsonl');
    h = await startInProcess({ args: [...MODEL_APPROVAL, '--toolsets', 'all', '--audit-log', auditPath] });
  });
  afterAll(() => h?.close());
  beforeEach(() => h.emulator.reset());

  it('holds a budget change until confirmed, then sends exactly one exact request', async () => {
    const args = budgetUpdate(USD_ACCOUNT, USD_AD_GROUP, '12.50');
    const preview = await h.call('ad_groups_update', args);
    expect(preview.isError).toBeFalsy();
    const p = preview.structuredContent as unknown as Preview;
    expect(p.status).toBe('confirmation_required');
    expect(p.confirmation_token).toMatch(/^cfm_/);
    expect(Date.parse(p.expires_at)).toBeGreaterThan(Date.now());
    expect(p.request).toEqual({
      method: 'PATCH',
      path: `/ad_accounts/${USD_ACCOUNT}/ad_groups`,
      query: {},
      body: [{ id: USD_AD_GROUP, budget_in_micro_currency: 12_500_000 }],
    });
    expect(p.changes[0]).toMatchObject({ entity: 'ad_group', id: USD_AD_GROUP, field: 'budget', from: '10.00 USD', to: '12.50 USD', change_percent: 25 });
    expect(preview.text).toContain('10.00 USD -> 12.50 USD (+25%)');
    expect(h.sent({ writesOnly: true })).toHaveLength(0);

    const done = await h.call('ad_groups_update', { ...args, confirmation_token: p.confirmation_token });
    expect(done.isError, done.text).toBeFalsy();
    const writes = h.sent({ writesOnly: true });
    expect(writes).toHaveLength(1);
    expect(writes[0].body).toEqual([{ id: USD_AD_GROUP, budget_in_micro_currency: 12_500_000 }]);
    expect(done.text).toMatch(/Verified by reading back/);
    expect(done.text).toContain('12.50 USD');

    const replay = await h.call('ad_groups_update', { ...args, confirmation_token: p.confirmation_token });
    expect(replay.isError).toBe(true);
    expect(replay.text).toMatch(/already used or expired/);
    expect(h.sent({ writesOnly: true })).toHaveLength(1);

    const audit = readFileSync(auditPath, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(audit.at(-1)).toMatchObject({ tool: 'ad_groups_update', ad_account_id: USD_ACCOUNT, outcome: 'ok' });
    expect(audit.at(-1).amounts[0]).toMatchObject({ natural: '12.5', api_value: 12_500_000, currency: 'USD' });
  });

  it('binds the token to the arguments: other arguments are refused with a fresh preview', async () => {
    const first = (await h.call('ad_groups_update', budgetUpdate(USD_ACCOUNT, USD_AD_GROUP, '20'))).structuredContent as unknown as Preview;
    const other = await h.call('ad_groups_update', { ...budgetUpdate(USD_ACCOUNT, USD_AD_GROUP, '2000'), confirmation_token: first.confirmation_token });
    expect(other.isError).toBe(true);
    expect(other.text).toMatch(/issued for a different request/);
    const fresh = other.structuredContent as unknown as Preview;
    expect(fresh.confirmation_token).not.toBe(first.confirmation_token);
    expect(fresh.request.body[0].budget_in_micro_currency).toBe(2_000_000_000);
    expect(h.sent({ writesOnly: true })).toHaveLength(0);
    // The first token still confirms its own request.
    const ok = await h.call('ad_groups_update', { ...budgetUpdate(USD_ACCOUNT, USD_AD_GROUP, '20'), confirmation_token: first.confirmation_token });
    expect(ok.isError, ok.text).toBeFalsy();
    expect(h.sent({ writesOnly: true })).toHaveLength(1);
  });

  it('converts in the account currency: JPY and EUR accounts', async () => {
    const jpy = (await h.call('ad_groups_update', budgetUpdate(JPY_ACCOUNT, JPY_AD_GROUP, '¥6,000'))).structuredContent as unknown as Preview;
    expect(jpy.request.body[0].budget_in_micro_currency).toBe(6_000_000_000);
    expect(jpy.changes[0]).toMatchObject({ from: '5,000 JPY', to: '6,000 JPY', change_percent: 20 });
    const eur = (await h.call('ad_groups_update', budgetUpdate(EUR_ACCOUNT, EUR_AD_GROUP, '25.75 EUR'))).structuredContent as unknown as Preview;
    expect(eur.request.body[0].budget_in_micro_currency).toBe(25_750_000);
    const done = await h.call('ad_groups_update', { ...budgetUpdate(EUR_ACCOUNT, EUR_AD_GROUP, '25.75 EUR'), confirmation_token: eur.confirmation_token });
    expect(done.isError, done.text).toBeFalsy();
    expect(h.emulator.state.adGroups.get(EUR_AD_GROUP)?.budget_in_micro_currency).toBe(25_750_000);
  });

  const refusals: [string, string, string, unknown, RegExp][] = [
    ['currency code differs from the account', EUR_ACCOUNT, EUR_AD_GROUP, '5 USD', /currency_mismatch/],
    ['symbol the account currency does not use', JPY_ACCOUNT, JPY_AD_GROUP, '$5', /symbol_mismatch/],
    ['more than 6 decimals', USD_ACCOUNT, USD_AD_GROUP, '1.0000001', /decimals/],
    ['negative', USD_ACCOUNT, USD_AD_GROUP, -5, /negative/],
    ['ambiguous comma', USD_ACCOUNT, USD_AD_GROUP, '12,50', /ambiguous_comma/],
    ['exponent', USD_ACCOUNT, USD_AD_GROUP, '1e3', /exponent/],
    ['over 2^53-1 micros', USD_ACCOUNT, USD_AD_GROUP, '9007199254.740992', /too_large/],
    ['empty', USD_ACCOUNT, USD_AD_GROUP, ' ', /empty/],
    ['yen decimals (JPY has none)', JPY_ACCOUNT, JPY_AD_GROUP, '500.5 JPY', /minor_unit\): JPY has no decimal places \(ISO 4217\); write 500 JPY or 501 JPY/],
    ['a micro-yen', JPY_ACCOUNT, JPY_AD_GROUP, '0.000001', /minor_unit\): JPY has no decimal places \(ISO 4217\); write 0 JPY or 1 JPY/],
    ['fractions of a cent', USD_ACCOUNT, USD_AD_GROUP, '12.345', /minor_unit\): USD allows 2 decimal places \(ISO 4217\); write 12.34 USD or 12.35 USD/],
  ];
  for (const [label, account, adGroup, amount, rule] of refusals) {
    it(`refuses ${label} and sends nothing`, async () => {
      const before = h.emulator.requests.filter((r) => r.method !== 'GET').length;
      const result = await h.call('ad_groups_update', budgetUpdate(account, adGroup, amount));
      expect(result.isError).toBe(true);
      expect(result.text).toMatch(/nothing was sent/);
      expect(result.text).toMatch(/body\[0\]\.budget/);
      expect(result.text).toMatch(rule);
      expect(h.emulator.requests.filter((r) => r.method !== 'GET').length).toBe(before);
    });
  }

  it('does not accept micro field names, and names the natural field instead', async () => {
    const result = await h.call('ad_groups_update', { ad_account_id: USD_ACCOUNT, body: [{ id: USD_AD_GROUP, budget_in_micro_currency: 12_500_000 }] });
    expect(result.isError).toBe(true);
    expect(result.text).toMatch(/budget_in_micro_currency: micro-currency fields are not accepted; use "budget"/);
  });

  it('keeps the API type of string micro fields (cpa goal value)', async () => {
    const result = await h.call('ad_groups_update', {
      ad_account_id: USD_ACCOUNT,
      body: [{ id: USD_AD_GROUP, optimization_goal_metadata: { conversion_tag_v3_goal_metadata: { cpa_goal_value: '7.25' } } }],
    });
    const p = result.structuredContent as unknown as Preview;
    expect(p.request.body[0].optimization_goal_metadata.conversion_tag_v3_goal_metadata.cpa_goal_value_in_micro_currency).toBe('7250000');
  });

  it('treats campaign creation as spend-changing by default (campaigns default to ACTIVE)', async () => {
    const body = [{ ad_account_id: USD_ACCOUNT, name: 'Launch', objective_type: 'AWARENESS' }];
    const result = await h.call('campaigns_create', { ad_account_id: USD_ACCOUNT, body });
    const p = result.structuredContent as unknown as Preview;
    expect(p.status).toBe('confirmation_required');
    expect(p.changes).toContainEqual(expect.objectContaining({ entity: 'campaign', reason: 'activation' }));
    expect(h.sent({ writesOnly: true })).toHaveLength(0);
    const budgeted = await h.call('campaigns_create', { ad_account_id: USD_ACCOUNT, body: [{ ...body[0], daily_spend_cap: '$50' }] });
    expect(budgeted.text).toMatch(/will be created ACTIVE and can start spending at once, at daily_spend_cap 50.00 USD/);
  });

  it('sends a PAUSED create without money directly: it cannot spend', async () => {
    const body = [{ ad_account_id: USD_ACCOUNT, name: 'Draft', objective_type: 'AWARENESS', status: 'PAUSED' }];
    const result = await h.call('campaigns_create', { ad_account_id: USD_ACCOUNT, body });
    expect(result.isError, result.text).toBeFalsy();
    expect((result.structuredContent as { status?: string }).status).toBeUndefined();
    expect(h.sent({ writesOnly: true })).toHaveLength(1);
  });

  it('holds status changes, keyword bids and product group promotion bids', async () => {
    const status = await h.call('campaigns_update', { ad_account_id: USD_ACCOUNT, body: [{ id: '687195134102', ad_account_id: USD_ACCOUNT, status: 'ACTIVE' }] });
    expect((status.structuredContent as unknown as Preview).changes[0]).toMatchObject({ field: 'status', from: 'PAUSED', to: 'ACTIVE' });
    const keyword = await h.call('keywords_update', { ad_account_id: USD_ACCOUNT, body: { keywords: [{ id: '2886364308301', bid: '2.25' }] } });
    expect((keyword.structuredContent as unknown as Preview).request.body.keywords[0].bid).toBe(2_250_000);
    const schedule = await h.call('ad_groups_update', { ad_account_id: USD_ACCOUNT, body: [{ id: USD_AD_GROUP, end_time: 1800000000 }] });
    expect((schedule.structuredContent as unknown as Preview).changes[0]).toMatchObject({ reason: 'schedule', field: 'end_time' });
    expect(h.sent({ writesOnly: true })).toHaveLength(0);
  });

  it('holds bulk upserts that contain a spend change', async () => {
    const result = await h.call('bulk_upsert_create', {
      ad_account_id: USD_ACCOUNT,
      body: { update: { ad_groups: [{ id: USD_AD_GROUP, bid: '1.75' }] } },
    });
    const p = result.structuredContent as unknown as Preview;
    expect(p.status).toBe('confirmation_required');
    expect(p.request.body.update.ad_groups[0].bid_in_micro_currency).toBe(1_750_000);
  });

  it('reports per-item outcomes of a batch with a partial failure', async () => {
    const args = { ad_account_id: USD_ACCOUNT, body: [{ id: USD_AD_GROUP, budget: '11' }, { id: '2680059599999', budget: '11' }] };
    const p = (await h.call('ad_groups_update', args)).structuredContent as unknown as Preview;
    const done = await h.call('ad_groups_update', { ...args, confirmation_token: p.confirmation_token });
    expect(done.text).toMatch(/PARTIAL FAILURE: 1 of 2 items failed/);
    expect(done.text).toMatch(/item 1: ok/);
    expect(done.text).toMatch(/item 2: FAILED/);
  });

  it('dry_run previews an ordinary write and sends nothing', async () => {
    const result = await h.call('boards_create', { body: { name: 'Ideas' }, dry_run: true });
    expect(result.isError).toBeFalsy();
    expect(result.structuredContent).toMatchObject({ status: 'dry_run', request: { method: 'POST', path: '/boards', body: { name: 'Ideas' } } });
    expect(h.sent({ writesOnly: true })).toHaveLength(0);
    const sent = await h.call('boards_create', { body: { name: 'Ideas' } });
    expect(sent.isError, sent.text).toBeFalsy();
    expect(h.sent({ writesOnly: true })).toHaveLength(1);
  });

  it('states micro amounts of results in natural units', async () => {
    const result = await h.call('ad_groups_get', { ad_account_id: USD_ACCOUNT, ad_group_id: USD_AD_GROUP });
    expect(result.text).toMatch(/budget_in_micro_currency = 10.00 USD/);
    expect(result.text).toMatch(/bid_in_micro_currency = 1.50 USD/);
  });
});

describe('guard options', () => {
  it('refuses amounts over a configured cap before any preview', async () => {
    const h = await startInProcess({ args: [...MODEL_APPROVAL, '--toolsets', 'all', '--caps', 'daily_budget=100,bid=5'] });
    try {
      const over = await h.call('ad_groups_update', budgetUpdate(USD_ACCOUNT, USD_AD_GROUP, '150'));
      expect(over.isError).toBe(true);
      expect(over.text).toMatch(/over the configured daily_budget cap of 100.00 USD/);
      const bid = await h.call('ad_groups_update', { ad_account_id: USD_ACCOUNT, body: [{ id: USD_AD_GROUP, bid: '6' }] });
      expect(bid.text).toMatch(/bid cap/);
      const under = await h.call('ad_groups_update', budgetUpdate(USD_ACCOUNT, USD_AD_GROUP, '99'));
      expect((under.structuredContent as { status?: string }).status).toBe('confirmation_required');
    } finally {
      await h.close();
    }
  });

  it('--confirm-writes all holds ordinary writes too; expired tokens are refused', async () => {
    const h = await startInProcess({ args: [...MODEL_APPROVAL, '--toolsets', 'all', '--confirm-writes', 'all', '--confirm-ttl', '10'] });
    try {
      const p = (await h.call('boards_create', { body: { name: 'Held' } })).structuredContent as unknown as Preview;
      expect(p.status).toBe('confirmation_required');
      // Only the clock moves (timers stay real): the store's TTL and the token's expiry both read Date.now().
      vi.useFakeTimers({ toFake: ['Date'], now: Date.now() + 10_500 });
      const late = await h.call('boards_create', { body: { name: 'Held' }, confirmation_token: p.confirmation_token });
      expect(late.isError).toBe(true);
      expect(late.text).toMatch(/already used or expired/);
      expect(h.sent({ writesOnly: true })).toHaveLength(0);
    } finally {
      vi.useRealTimers();
      await h.close();
    }
  });
});

describe('confirmation by elicitation (clients that can ask their user)', () => {
  const args = budgetUpdate(USD_ACCOUNT, USD_AD_GROUP, '13');
  const run = async (onElicit: HarnessOptions['onElicit']) => {
    const h = await startInProcess({ args: ['--toolsets', 'all'], onElicit });
    try {
      const result = await h.call('ad_groups_update', args);
      return { result, writes: h.sent({ writesOnly: true }) };
    } finally {
      await h.close();
    }
  };

  it('sends once when the user explicitly accepts, showing the change in natural units', async () => {
    const asked: string[] = [];
    const { result, writes } = await run(async (request) => {
      asked.push(String(request.params.message));
      return { action: 'accept', content: { confirm: true } };
    });
    expect(asked[0]).toContain('10.00 USD -> 13.00 USD (+30%)');
    expect(asked[0]).toContain('In words:\n- Raise the daily budget of ad group "US Prospecting" from 10.00 USD to 13.00 USD per day (+30%)');
    expect(result.isError, result.text).toBeFalsy();
    expect(writes).toHaveLength(1);
  });

  it('sends nothing on decline, cancel or an accept without confirm', async () => {
    for (const answer of [{ action: 'decline' }, { action: 'cancel' }, { action: 'accept', content: { confirm: false } }] as const) {
      const { result, writes } = await run(async () => answer as never);
      expect(writes).toHaveLength(0);
      expect(result.structuredContent).toMatchObject({ status: 'declined' });
    }
  });

  it('a failed dialog is final: it sends nothing and issues no token the model could use', async () => {
    const failures: [string, HarnessOptions['onElicit']][] = [
      ['the client errors', async () => { throw new Error('client UI unavailable'); }],
      ['an accept without the confirm field', async () => ({ action: 'accept', content: {} }) as never],
      ['an accept with a non-boolean confirm', async () => ({ action: 'accept', content: { confirm: 'yes' } }) as never],
    ];
    for (const [label, onElicit] of failures) {
      const { result, writes } = await run(onElicit);
      expect(writes, label).toHaveLength(0);
      expect(result.structuredContent, label).toMatchObject({ status: 'not_confirmed' });
      expect(result.structuredContent, label).not.toHaveProperty('confirmation_token');
      expect(result.text, label).not.toMatch(/cfm_/);
      expect(result.text, label).toMatch(/did not confirm ad_groups_update.*Nothing was sent and no confirmation token was issued/s);
    }
  });
});
