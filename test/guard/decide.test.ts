// SpendGuard's decisions on their own: a stub reader with canned entities and an in-memory store; no server, no HTTP.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { pinterestApi } from '../../src/apis/index.js';
import { createLogger } from '../../src/core/logger.js';
import { SharedStore, createStore } from '../../src/core/store.js';
import { type Approval, Approvals } from '../../src/guard/approvals.js';
import type { Reader } from '../../src/guard/currency.js';
import { type GuardOptions, SpendGuard } from '../../src/guard/decide.js';
import type { Deployment } from '../../src/guard/deployment.js';
import { moneyOverride } from '../../src/guard/money-fields.js';
import type { ApprovalDesk, GuardDecision, GuardInput } from '../../src/guard/types.js';
import { parseCaps } from '../../src/money/cap-settings.js';
import { type ToolDef, apiArguments, buildTools } from '../../src/tools/registry.js';

const ACCOUNT = '549755885175';
const AD_GROUP = '2680059592701';
const DEPLOYMENT: Deployment = { api: 'pinterest', base_url: 'https://api.pinterest.com/v5', environment: 'production', credential: 'none', selection: 'test', limits: 'test' };
const BUDGET_REQUEST = { method: 'PATCH', path: `/ad_accounts/${ACCOUNT}/ad_groups`, query: {}, body: [{ id: AD_GROUP, budget_in_micro_currency: 12_500_000 }] };

const tools = new Map(buildTools(pinterestApi, { overrideProperty: moneyOverride('pinterest'), confirmationToken: true }).map((t) => [t.name, t]));
const tool = (name: string): ToolDef => tools.get(name)!;

/** A reader with one USD ad account and one ad group (budget 10.00 USD); it records every read. */
function stubReader(): { read: Reader; reads: string[] } {
  const reads: string[] = [];
  const read: Reader = async (name, args) => {
    reads.push(name);
    if (name === 'ad_accounts_get' && args.ad_account_id === ACCOUNT) return { id: ACCOUNT, name: 'Shop', currency: 'USD' };
    if (name === 'ad_groups_list') return { items: [{ id: AD_GROUP, name: 'US Prospecting', budget_in_micro_currency: 10_000_000 }] };
    throw new Error(`the stub has no answer for ${name}`);
  };
  return { read, reads };
}

/** A guard's input as the runner makes it: the arguments validated (money parsed), the server's own ones split off. */
function input(name: string, sent: Record<string, unknown>, extra: Partial<GuardInput> = {}): GuardInput {
  const t = tool(name);
  return { tool: t, args: apiArguments(t.input.parse(sent) as Record<string, unknown>), sentArgs: sent, dryRun: false, ...extra };
}

const budgetTo = (amount: string) => ({ ad_account_id: ACCOUNT, body: [{ id: AD_GROUP, budget: amount }] });

function respond(decision: GuardDecision) {
  if (decision.action !== 'respond') throw new Error(`expected an answer, got ${decision.action}`);
  return decision;
}

const textOf = (decision: GuardDecision) => respond(decision).result.content.map((c) => (c.type === 'text' ? c.text : '')).join('\n');

describe('SpendGuard decisions', () => {
  let store: SharedStore;
  let approvals: Approvals;
  let announced: Approval[];
  const desk: ApprovalDesk = {
    address: async (approval) => `http://127.0.0.1:7777/approvals/${approval.id}`,
    listAddress: async () => 'http://127.0.0.1:7777/approvals',
    announce: async (approval) => {
      announced.push(approval);
      return 'The approval page opened in the browser.';
    },
  };

  beforeEach(async () => {
    store = new SharedStore(await createStore('memory'), 'memory', 5_000);
    approvals = new Approvals({ store, ttlSeconds: 600, deployments: { pinterest: DEPLOYMENT } });
    announced = [];
  });
  afterEach(async () => {
    approvals.close();
    await store.keyv.disconnect();
  });

  function guard(read: Reader, options: { tokens?: 'none' | 'model'; desk?: ApprovalDesk; caps?: string[] } = {}): SpendGuard {
    const settings: GuardOptions = {
      store,
      read,
      confirmWrites: new Set(),
      confirmTtlSeconds: 600,
      approvals,
      approval: { tokens: options.tokens ?? 'none', desk: options.desk, maxPending: 10, sendBoundMs: 60_000, unavailable: 'no one can approve here.', dialogs: false },
      caps: parseCaps(options.caps ?? []),
      adAccounts: [],
      logger: createLogger('silent'),
    };
    return new SpendGuard(settings);
  }

  it('sends a neutral write at once, exactly as built, reading nothing', async () => {
    const { read, reads } = stubReader();
    const decision = await guard(read, { desk }).review(input('boards_create', { body: { name: 'Recipes' } }));
    expect(decision.action).toBe('send');
    if (decision.action !== 'send') return;
    expect(decision.request).toMatchObject({ method: 'POST', path: '/boards', body: { name: 'Recipes' }, payload: '{"name":"Recipes"}' });
    expect(reads).toEqual([]);
    expect(announced).toEqual([]);
  });

  it('holds an unclassified write for a person, and the decision names the approval it created', async () => {
    const template = tool('boards_create');
    const mystery: ToolDef = { ...template, name: 'mystery_write', input: template.input };
    const { read } = stubReader();
    const decision = await guard(read, { desk }).review({ tool: mystery, args: { body: { name: 'x' } }, sentArgs: { body: { name: 'x' } }, dryRun: false });
    const { result, held } = respond(decision);
    expect(announced).toHaveLength(1);
    const approval = announced[0];
    expect(approval.id).toMatch(/^apr_[\w-]{24}$/);
    expect(held).toEqual({ approvalId: approval.id, expiresAt: approval.expires_at });
    expect(await approvals.get(approval.id)).toMatchObject({ tool: 'mystery_write', state: 'pending', args: { body: { name: 'x' } } });
    expect(result.isError).toBeUndefined();
    expect(result.structuredContent).toEqual({
      status: 'approval_required',
      approval_id: approval.id,
      expires_at: approval.expires_at,
      page: `http://127.0.0.1:7777/approvals/${approval.id}`,
      request: { method: 'POST', path: '/boards', query: {}, body: { name: 'x' } },
      changes: [expect.objectContaining({ entity: 'mystery_write', reason: 'unclassified' })],
    });
    expect(textOf(decision).split('\n').at(-1)).toBe(
      `The approval page opened in the browser. Ask the user to approve or reject it on the approval page (expires ${approval.expires_at}). ` +
        `Then call mystery_write again with the same arguments plus approval_id "${approval.id}" to read the outcome; that call sends nothing itself.`,
    );
  });

  it('answers a spend write with a token preview under --approval model, and the token sends exactly that request once', async () => {
    const { read, reads } = stubReader();
    const spendGuard = guard(read, { tokens: 'model' });
    const decision = await spendGuard.review(input('ad_groups_update', budgetTo('$12.50')));
    const { result, held } = respond(decision);
    expect(held).toBeUndefined();
    const preview = result.structuredContent as { confirmation_token: string; expires_at: string };
    expect(preview.confirmation_token).toMatch(/^cfm_[\w-]+$/);
    expect(result.structuredContent).toEqual({
      status: 'confirmation_required',
      confirmation_token: preview.confirmation_token,
      expires_at: preview.expires_at,
      request: BUDGET_REQUEST,
      changes: [
        {
          entity: 'ad_group',
          index: 0,
          id: AD_GROUP,
          field: 'budget',
          reason: 'money',
          to: '12.50 USD',
          to_micro: '12500000',
          name: 'US Prospecting',
          from: '10.00 USD',
          from_micro: '10000000',
          change_percent: 25,
        },
      ],
    });
    expect(textOf(decision)).toBe(
      [
        `Confirmation required: ad_groups_update on ad account ${ACCOUNT} (USD) changes spend. Nothing has been sent.`,
        'Held: 1 change (1 money) on 1 entity.',
        `- ad_group ${AD_GROUP} "US Prospecting": budget 10.00 USD -> 12.50 USD (+25%)`,
        `Request: ${JSON.stringify(BUDGET_REQUEST)}`,
        `Show this to the user. To execute exactly this request once, call ad_groups_update again with the same arguments plus confirmation_token "${preview.confirmation_token}" (expires ${preview.expires_at}).`,
      ].join('\n'),
    );
    expect(reads).toEqual(['ad_accounts_get', 'ad_groups_list']);

    const confirmed = await spendGuard.review(input('ad_groups_update', budgetTo('$12.50'), { confirmationToken: preview.confirmation_token }));
    expect(confirmed.action).toBe('send');
    if (confirmed.action === 'send') expect(confirmed.request.payload).toBe(JSON.stringify(BUDGET_REQUEST.body));
    const replay = await spendGuard.review(input('ad_groups_update', budgetTo('$12.50'), { confirmationToken: preview.confirmation_token }));
    expect(textOf(replay).split('\n')[0]).toBe(
      'Refused: this confirmation_token is unknown, already used or expired. Nothing was sent. Review the new preview below; confirm it with its own token.',
    );
  });

  it('answers an approval_id poll from the approval alone: nothing is read, and caps lowered since do not refuse it', async () => {
    const first = stubReader();
    const { held } = respond(await guard(first.read, { desk }).review(input('ad_groups_update', budgetTo('$12.50'))));
    expect(held?.approvalId).toMatch(/^apr_/);
    const id = held!.approvalId;

    // Another process (or a restart) with a daily budget cap under the held amount, and a reader that records.
    const later = stubReader();
    const capped = guard(later.read, { desk, caps: ['daily_budget=5 USD'] });
    const poll = respond(await capped.review(input('ad_groups_update', { ...budgetTo('$12.50'), approval_id: id }, { approvalId: id })));
    expect(later.reads).toEqual([]);
    expect(poll.held).toBeUndefined();
    expect(poll.result).toEqual({
      content: [
        {
          type: 'text',
          text:
            `Approval ${id} is not decided yet; nothing was sent. Ask the user to approve or reject it on the approval page ` +
            `(http://127.0.0.1:7777/approvals/${id}; expires ${held!.expiresAt}), then call ad_groups_update again with the same arguments plus approval_id "${id}".`,
        },
      ],
      structuredContent: { status: 'approval_pending', approval_id: id, expires_at: held!.expiresAt, page: `http://127.0.0.1:7777/approvals/${id}` },
    });

    // The cap is in force for anything that could send: the same call without approval_id is refused by it.
    const again = await capped.review(input('ad_groups_update', budgetTo('$12.50')));
    expect(respond(again).result.isError).toBe(true);
    expect(textOf(again).split('\n')[0]).toBe('Refused ad_groups_update; nothing was sent.');
    expect(textOf(again)).toMatch(/^- body\[0\]\.budget: .*5(\.00)? USD/m);
    expect(announced).toHaveLength(1);
  });

  it('answers a rejected approval as rejected, naming who decided, and sends nothing', async () => {
    const { read } = stubReader();
    const spendGuard = guard(read, { desk });
    const { held } = respond(await spendGuard.review(input('ad_groups_update', budgetTo('$12.50'))));
    const id = held!.approvalId;
    const { decision, approval } = await approvals.decide(id, false, 'page:alice');
    expect(decision).toBe('decided');

    const poll = await spendGuard.review(input('ad_groups_update', { ...budgetTo('$12.50'), approval_id: id }, { approvalId: id }));
    expect(respond(poll).result).toEqual({
      content: [{ type: 'text', text: `The person rejected ad_groups_update (approval ${id}); nothing was sent.` }],
      structuredContent: { status: 'approval_rejected', approval_id: id, decided_by: 'page:alice', decided_at: approval!.decided_at },
    });
    expect(await approvals.get(id)).toMatchObject({ state: 'rejected' });
  });

  it('answers a poll made with other arguments as a mismatch, and a dry run with an approval_id as a dry run', async () => {
    const { read } = stubReader();
    const spendGuard = guard(read, { desk });
    const { held } = respond(await spendGuard.review(input('ad_groups_update', budgetTo('$12.50'))));
    const id = held!.approvalId;

    const other = respond(await spendGuard.review(input('ad_groups_update', budgetTo('$12.51'), { approvalId: id })));
    expect(other.result).toEqual({
      isError: true,
      content: [{ type: 'text', text: `Approval ${id} is for different arguments of ad_groups_update; call with the arguments it was created for. Nothing was sent.` }],
      structuredContent: { status: 'approval_mismatch', approval_id: id },
    });

    const dry = respond(await spendGuard.review(input('ad_groups_update', budgetTo('$12.50'), { approvalId: id, dryRun: true })));
    expect(dry.result.structuredContent).toMatchObject({ status: 'dry_run', request: BUDGET_REQUEST });
    expect(textOf(dry).split('\n')[0]).toBe(`Dry run of ad_groups_update on ad account ${ACCOUNT} (USD): nothing was sent.`);
    expect(announced).toHaveLength(1);
  });
});
