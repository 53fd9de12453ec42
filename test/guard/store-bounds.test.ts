// What the store keeps is bounded: approvals in all, confirmation tokens and dialogs per client and in all, cached accounts; expired keys purged on every store, every key with a lifetime.
import type KeyvRedis from '@keyv/redis';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { type Emulator, startEmulator } from '../../fakes/pinterest/server.js';
import { pinterestApi } from '../../src/apis/index.js';
import { loadConfig } from '../../src/config/index.js';
import { createLogger } from '../../src/core/logger.js';
import type { NodeSqliteStore } from '../../src/core/sqlite-store.js';
import { NODE_SQLITE, needsNodeSqlite } from '../helpers/sqlite.js';
import { SharedStore, type Store, createStore, purgeExpired } from '../../src/core/store.js';
import { type Approval, type ApprovalState, Approvals } from '../../src/guard/approvals.js';
import { CurrencyResolver, type Reader } from '../../src/guard/currency.js';
import { SpendGuard } from '../../src/guard/decide.js';
import type { Deployment } from '../../src/guard/deployment.js';
import { moneyOverride } from '../../src/guard/money-fields.js';
import { CONFIRMATION_TOKENS, Confirmations, Crowded } from '../../src/guard/tokens.js';
import type { GuardInput } from '../../src/guard/types.js';
import { parseCaps } from '../../src/money/cap-settings.js';
import type { App } from '../../src/server/app.js';
import { apiArguments, buildTools } from '../../src/tools/registry.js';
import { createStdioApp } from '../../src/transports/stdio.js';
import { PageApprover } from '../helpers/approver.js';
import { EUR_ACCOUNT, JPY_ACCOUNT, MODEL_APPROVAL, TOKEN, USD_ACCOUNT, startInProcess } from '../helpers/harness.js';
import { type Served, callText, connect, fetchFrom, serve } from '../helpers/http.js';
import { freePort, startRedis } from '../helpers/processes.js';
import { tempDir } from '../helpers/temp.js';

const AD_GROUP = '2680059592701';
const budget = (amount: string, account = USD_ACCOUNT) => ({ ad_account_id: account, body: [{ id: AD_GROUP, budget: amount }] });
const ALICE = 'alice-approver-token-0123456789abcdef';
const DEPLOYMENT: Deployment = { api: 'pinterest', base_url: 'http://127.0.0.1', environment: 'custom URL', credential: 'c', selection: 's' };

const writes = (emulator: Emulator) => emulator.requests.filter((r) => r.method !== 'GET');
const structured = (result: { structuredContent?: unknown }) => (result.structuredContent ?? {}) as Record<string, unknown>;

/** Every key the store holds now, expired or not, as the store itself lists them, without keyv's namespace. */
async function storedKeys(store: Store): Promise<string[]> {
  if (store.store instanceof Map) return [...(store.store as Map<string, unknown>).keys()].map((k) => k.replace(/^keyv:/, ''));
  const url = (store.store as Partial<NodeSqliteStore>).opts?.url;
  if (url?.startsWith('sqlite://')) {
    const db = new NODE_SQLITE!.DatabaseSync(url.slice('sqlite://'.length));
    try {
      return (db.prepare('SELECT key FROM pinterest_mcp').all() as { key: string }[]).map((r) => r.key.replace(/^pinterest-mcp:/, ''));
    } finally {
      db.close();
    }
  }
  return ((await (store.store as KeyvRedis<unknown>).client.keys('*')) as string[]).map((k) => k.replace(/^pinterest-mcp::/, ''));
}

async function keysUnder(store: Store, prefix: string): Promise<string[]> {
  return (await storedKeys(store)).filter((k) => k.startsWith(prefix)).sort();
}

/**
 * A built server over HTTP on a fresh fake API for the enclosing describe (started before its tests, closed after), and
 * MCP clients that connect from the loopback address given, each a client of its own for the bounds.
 */
function servedWithClients(args: string[], env: Record<string, string>) {
  let emulator: Emulator | undefined;
  let served: Served | undefined;
  const clients: Client[] = [];
  beforeAll(async () => {
    emulator = await startEmulator();
    served = await serve(emulator, args, env);
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await served?.close();
    await emulator?.close();
  });
  return {
    emulator: () => emulator!,
    served: () => served!,
    async client(address: string): Promise<Client> {
      const c = await connect(served!.url, {}, fetchFrom(address));
      clients.push(c);
      return c;
    },
  };
}

describe('approvals in all: PINTEREST_MCP_MAX_APPROVALS', () => {
  const setup = servedWithClients(['--max-pending-approvals', '2'], { PINTEREST_MCP_APPROVER_TOKEN: `alice=${ALICE}`, PINTEREST_MCP_MAX_APPROVALS: '3' });
  const { client } = setup;
  const held = async (c: Client, amount: string) => structured(await callText(c, 'ad_groups_update', budget(amount)));

  it('at the bound a new client is refused while every approval may still be decided; a decision frees a place by dropping the decided one', async () => {
    const [first, second, third] = [await client('127.0.0.11'), await client('127.0.0.12'), await client('127.0.0.13')];
    const a1 = await held(first, '71');
    const a2 = await held(first, '72');
    const b1 = await held(second, '73');
    expect([a1.status, a2.status, b1.status]).toEqual(['approval_required', 'approval_required', 'approval_required']);
    const records = async () => keysUnder((await setup.served().app.engine()).store, 'approval:');
    const ids = (...approvals: Record<string, unknown>[]) => approvals.map((a) => `approval:${a.approval_id}`).sort();
    expect(await records()).toEqual(ids(a1, a2, b1));

    // A client with none waiting is refused: the store is full of approvals a person may still decide.
    const refused = await callText(third, 'ad_groups_update', budget('74'));
    expect(refused.isError).toBe(true);
    expect(refused.structuredContent).toEqual({ status: 'too_many_pending', pending: 3, limit: 3, setting: 'PINTEREST_MCP_MAX_APPROVALS', page: "this server's /approvals" });
    expect(refused.text).toBe(
      'Not sent, and no approval was created: 3 approvals of all clients wait for a person or are being sent (at most 3 in all). ' +
        "Ask the user to decide them on the approval page (this server's /approvals), or wait until they expire (each lasts 600 s); " +
        'then call ad_groups_update again with the same arguments. The operator sets this bound with PINTEREST_MCP_MAX_APPROVALS.',
    );
    expect(await records()).toEqual(ids(a1, a2, b1));
    expect(writes(setup.emulator())).toHaveLength(0);

    // The person approves one: it is sent once, and its record (now decided) is what the next approval replaces.
    const alice = new PageApprover(setup.served().http.url);
    expect((await alice.signIn(ALICE)).status).toBe(303);
    expect((await alice.decide(String(a1.approval_id), 'approve')).status).toBe(303);
    expect(writes(setup.emulator())).toHaveLength(1);
    expect(await records()).toEqual(ids(a1, a2, b1));
    expect(await keysUnder((await setup.served().app.engine()).store, `approval-settle:${a1.approval_id}`)).toEqual([]);

    const c1 = await held(third, '74');
    expect(c1.status).toBe('approval_required');
    expect(await records()).toEqual(ids(a2, b1, c1));
    expect((await storedKeys((await setup.served().app.engine()).store)).filter((k) => k.includes(String(a1.approval_id)))).toEqual([]);
    // Its outcome is no longer readable: the poll says the approval is gone, and sends nothing.
    const poll = await callText(first, 'ad_groups_update', { ...budget('71'), approval_id: a1.approval_id });
    expect(structured(poll).status).toBe('approval_unknown');
    expect(poll.text).toContain('a decided or expired approval is kept a day, less when the server needs room for new ones');
    expect(writes(setup.emulator())).toHaveLength(1);
  });
});

describe('Approvals.room: what may be dropped to make room', () => {
  let store: SharedStore;
  beforeEach(async () => {
    store = new SharedStore(await createStore('memory'), 'memory', 5_000);
  });
  afterEach(async () => {
    await store.keyv.disconnect();
  });

  /** Stores an approval record in `state`, created `minutesAgo`, expiring `expiresIn` minutes from now, decided `decidedAgo` minutes ago. */
  async function record(name: string, state: ApprovalState, times: { minutesAgo: number; expiresIn: number; decidedAgo?: number }, client = 'http:10.0.0.1'): Promise<string> {
    const now = Date.now();
    const id = `apr_${name.padEnd(24, '0')}`;
    const approval = {
      id,
      tool: 'ad_groups_update',
      args: {},
      hash: 'h',
      created_at: new Date(now - times.minutesAgo * 60_000).toISOString(),
      expires_at: new Date(now + times.expiresIn * 60_000).toISOString(),
      summary: { heading: 'h', verb: 'v', headline: '', lines: [], notes: [], changes: [], request: { method: 'PATCH', path: '/', query: {}, body: null } },
      deployment: DEPLOYMENT,
      requested_by: { transport: 'http', address: client.split(':')[1] },
      state,
      ...(times.decidedAgo === undefined ? {} : { decided_at: new Date(now - times.decidedAgo * 60_000).toISOString() }),
    } satisfies Approval;
    await store.set(`approval:${id}`, approval, 86_400_000);
    await store.set(`approval-settle:${id}`, true, 86_400_000);
    return id;
  }

  it('drops the oldest decided or expired records first, never a pending or sending one; with none to drop there is no room', async () => {
    const approvals = new Approvals({ store, ttlSeconds: 600, deployments: { pinterest: DEPLOYMENT }, maxStored: 6 });
    const waiting = await record('waiting', 'pending', { minutesAgo: 60, expiresIn: 5 });
    const sending = await record('sending', 'sending', { minutesAgo: 70, expiresIn: -60, decidedAgo: 65 });
    const sentLately = await record('sentlately', 'sent', { minutesAgo: 50, expiresIn: -40, decidedAgo: 2 });
    const rejected = await record('rejected', 'rejected', { minutesAgo: 40, expiresIn: -30, decidedAgo: 30 });
    const expired = await record('expired', 'pending', { minutesAgo: 30, expiresIn: -20 });
    const notSent = await record('notsent', 'not_sent', { minutesAgo: 20, expiresIn: -10, decidedAgo: 10 });
    const all = () => keysUnder(store.keyv, 'approval:');
    const kept = (...ids: string[]) => ids.map((id) => `approval:${id}`).sort();

    // Full (6 of 6): the one settled longest ago goes (rejected 30 minutes ago; the expired one 20, not_sent 10, sent 2).
    expect(await approvals.room('http:10.0.0.9', 10)).toBeUndefined();
    expect(await all()).toEqual(kept(waiting, sending, sentLately, expired, notSent));
    expect(await keysUnder(store.keyv, `approval-settle:${rejected}`)).toEqual([]);

    await store.set('approval:apr_extra0000000000000000000', { id: 'apr_extra0000000000000000000', state: 'pending', expires_at: new Date(Date.now() + 60_000).toISOString(), created_at: new Date().toISOString(), deployment: DEPLOYMENT, requested_by: { transport: 'http', address: '10.0.0.2' } }, 600_000);
    expect(await approvals.room('http:10.0.0.9', 10)).toBeUndefined();
    expect(await all()).toEqual([...kept(waiting, sending, sentLately, notSent), 'approval:apr_extra0000000000000000000'].sort());

    // The client's own bound is counted first: its one waiting approval fills a bound of one.
    expect(await approvals.room('http:10.0.0.1', 1)).toEqual({ bound: 'client', count: 1, limit: 1 });
    const tight = new Approvals({ store, ttlSeconds: 600, deployments: { pinterest: DEPLOYMENT }, maxStored: 3 });
    // Over a bound of 3 with 5 kept: both settled ones go, and the three that may still be decided or are sending stay.
    expect(await tight.room('http:10.0.0.9', 10)).toEqual({ bound: 'all', count: 3, limit: 3 });
    expect(await all()).toEqual([...kept(waiting, sending), 'approval:apr_extra0000000000000000000'].sort());
    expect(await tight.room('http:10.0.0.9', 10)).toEqual({ bound: 'all', count: 3, limit: 3 });
    expect(await all()).toHaveLength(3);
  });
});

describe('confirmation tokens per client and in all: --max-pending-confirmations, PINTEREST_MCP_MAX_CONFIRMATIONS', () => {
  const setup = servedWithClients([...MODEL_APPROVAL, '--max-pending-confirmations', '2'], { PINTEREST_MCP_MAX_CONFIRMATIONS: '3' });
  const { client } = setup;

  it('refuses a third token to one client and a fourth in all, naming the setting; using a token frees a place', async () => {
    const [first, second] = [await client('127.0.0.21'), await client('127.0.0.22')];
    const tokens = async () => keysUnder((await setup.served().app.engine()).store, 'confirm:');
    // Three held calls of one client at once: two tokens, and one refusal.
    const amounts = ['81', '82', '83'];
    const three = await Promise.all(amounts.map((amount) => callText(first, 'ad_groups_update', budget(amount))));
    expect(three.map((r) => structured(r).status).sort()).toEqual(['confirmation_required', 'confirmation_required', 'too_many_pending']);
    const own = three.find((r) => structured(r).status === 'too_many_pending')!;
    const issued = three.findIndex((r) => structured(r).status === 'confirmation_required');
    const [t1, t1Amount] = [structured(three[issued]), amounts[issued]];
    expect(own.isError).toBe(true);
    expect(own.structuredContent).toEqual({ status: 'too_many_pending', pending: 2, limit: 2, setting: '--max-pending-confirmations' });
    expect(own.text).toBe(
      'Not sent, and no confirmation token was issued: 2 confirmation tokens issued to this client are still unused (at most 2). ' +
        'Confirm the ones the user wants (call again with their confirmation_token), or wait until they expire (each lasts 600 s); ' +
        'then call ad_groups_update again with the same arguments. The operator sets this bound with --max-pending-confirmations.',
    );
    expect(await tokens()).toHaveLength(2);

    const t3 = structured(await callText(second, 'ad_groups_update', budget('84')));
    expect(t3.status).toBe('confirmation_required');
    const all = await callText(second, 'ad_groups_update', budget('85'));
    expect(all.structuredContent).toEqual({ status: 'too_many_pending', pending: 3, limit: 3, setting: 'PINTEREST_MCP_MAX_CONFIRMATIONS' });
    expect(all.text).toContain('3 confirmation tokens of all clients are still unused (at most 3 in all)');
    expect(all.text).toContain('The operator sets this bound with PINTEREST_MCP_MAX_CONFIRMATIONS.');
    expect(await tokens()).toHaveLength(3);
    expect(writes(setup.emulator())).toHaveLength(0);

    // A token used is a place freed: the write goes once, and the second client may hold another.
    const sent = await callText(first, 'ad_groups_update', { ...budget(t1Amount), confirmation_token: t1.confirmation_token });
    expect(sent.isError, sent.text).toBeFalsy();
    expect(writes(setup.emulator())).toHaveLength(1);
    expect(writes(setup.emulator())[0].body).toEqual([{ id: AD_GROUP, budget_in_micro_currency: Number(t1Amount) * 1_000_000 }]);
    expect(await tokens()).toHaveLength(2);
    expect(structured(await callText(second, 'ad_groups_update', budget('85'))).status).toBe('confirmation_required');
    expect(await tokens()).toHaveLength(3);

    // A refused token at the bound: why, and why no fresh preview came with it.
    const stale = await callText(first, 'ad_groups_update', { ...budget(t1Amount), confirmation_token: t1.confirmation_token });
    expect(stale.isError).toBe(true);
    expect(stale.text).toMatch(/^Refused: this confirmation_token is unknown, already used or expired\. Nothing was sent\.\nNot sent, and no confirmation token was issued: 3 confirmation tokens of all clients/);
    expect(stale.text).not.toContain('Review the new preview');
    expect(structured(stale).status).toBe('too_many_pending');
    expect(await tokens()).toHaveLength(3);
    expect(writes(setup.emulator())).toHaveLength(1);
  });
});

describe('Confirmations alone: issues at the same moment', () => {
  it('one client asking five at once gets exactly its bound; the others are refused as Crowded and store nothing', async () => {
    const store = new SharedStore(await createStore('memory'), 'memory', 5_000);
    const tokens = new Confirmations(CONFIRMATION_TOKENS, store, 600, { perClient: 2, total: 100 });
    try {
      const outcomes = await Promise.allSettled(Array.from({ length: 5 }, (_, i) => tokens.issue('ad_groups_update', `hash-${i}`, 'http:10.0.0.1')));
      expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(2);
      const refusals = outcomes.flatMap((o) => (o.status === 'rejected' ? [o.reason as Crowded] : []));
      expect(refusals.map((r) => [r instanceof Crowded, r.bound, r.count, r.limit])).toEqual(Array(3).fill([true, 'client', 2, 2]));
      expect(await keysUnder(store.keyv, 'confirm:')).toHaveLength(2);
      // Another client is counted on its own.
      await tokens.issue('ad_groups_update', 'hash-other', 'http:10.0.0.2');
      expect(await keysUnder(store.keyv, 'confirm:')).toHaveLength(3);
    } finally {
      await store.keyv.disconnect();
    }
  });
});

describe('confirmation dialogs per client: the guard asks no more than the bound', () => {
  it('a third unanswered dialog for one client is refused, another client is not; the ids kept are counted', async () => {
    const store = new SharedStore(await createStore('memory'), 'memory', 5_000);
    const approvals = new Approvals({ store, ttlSeconds: 600, deployments: { pinterest: DEPLOYMENT } });
    const read: Reader = async (name) => {
      if (name === 'ad_accounts_get') return { id: USD_ACCOUNT, name: 'Shop', currency: 'USD' };
      if (name === 'ad_groups_list') return { items: [{ id: AD_GROUP, name: 'US Prospecting', budget_in_micro_currency: 10_000_000 }] };
      throw new Error(`no answer for ${name}`);
    };
    const guard = new SpendGuard({
      store,
      read,
      confirmWrites: new Set(),
      confirmTtlSeconds: 600,
      approvals,
      approval: { tokens: 'none', maxPending: 10, sendBoundMs: 60_000, unavailable: 'no one can approve here.', dialogs: true },
      confirmations: { perClient: 2, total: 100 },
      caps: parseCaps([]),
      adAccounts: [],
      logger: createLogger('silent'),
    });
    const tool = buildTools(pinterestApi, { overrideProperty: moneyOverride('pinterest') }).find((t) => t.name === 'ad_groups_update')!;
    const ask = (amount: string, address: string) => {
      const sent = budget(amount);
      const input: GuardInput = {
        tool,
        args: apiArguments(tool.input.parse(sent) as Record<string, unknown>),
        sentArgs: sent,
        dryRun: false,
        caller: { transport: 'http', address },
        dialog: { answer: 'unanswered' },
      };
      return guard.review(input);
    };
    try {
      expect((await ask('51', '10.0.0.1')).action).toBe('ask');
      expect((await ask('52', '10.0.0.1')).action).toBe('ask');
      const refused = await ask('53', '10.0.0.1');
      if (refused.action !== 'respond') throw new Error(`expected an answer, got ${refused.action}`);
      expect(refused.result.structuredContent).toEqual({ status: 'too_many_pending', pending: 2, limit: 2, setting: '--max-pending-confirmations' });
      expect(refused.result.content[0]).toMatchObject({ text: expect.stringContaining('no dialog was opened: 2 confirmation dialogs for this client are still unanswered (at most 2)') });
      expect((await ask('54', '10.0.0.2')).action).toBe('ask');
      expect(await keysUnder(store.keyv, 'dialog:')).toHaveLength(3);
    } finally {
      approvals.close();
      await store.keyv.disconnect();
    }
  });
});

describe('cached accounts: PINTEREST_MCP_MAX_CACHED_ACCOUNTS', () => {
  it('the server keeps at most the bound, dropping the least recently used account', async () => {
    const h = await startInProcess({ env: { PINTEREST_MCP_MAX_CACHED_ACCOUNTS: '2' } });
    try {
      const cached = async () => (await keysUnder((await h.app.engine()).store, 'account:')).map((k) => /"ad_account_id":"(\d+)"/.exec(k)?.[1]);
      const preview = async (account: string) => {
        const result = await h.call('ad_groups_update', { ...budget('10', account), dry_run: true });
        expect(structured(result).status, result.text).toBe('dry_run');
      };
      await preview(USD_ACCOUNT);
      await preview(JPY_ACCOUNT);
      expect((await cached()).sort()).toEqual([USD_ACCOUNT, JPY_ACCOUNT].sort());
      await preview(USD_ACCOUNT); // used again: JPY is now the least recently used
      await preview(EUR_ACCOUNT);
      expect((await cached()).sort()).toEqual([USD_ACCOUNT, EUR_ACCOUNT].sort());
      const reads = () => h.sent({ operationId: 'ad_accounts/get' }).length;
      const before = reads();
      await preview(USD_ACCOUNT); // still cached: no read
      expect(reads()).toBe(before);
      await preview(JPY_ACCOUNT); // dropped: read again, and EUR goes
      expect(reads()).toBe(before + 1);
      expect((await cached()).sort()).toEqual([USD_ACCOUNT, JPY_ACCOUNT].sort());
      expect(h.sent({ writesOnly: true })).toHaveLength(0);
    } finally {
      await h.close();
    }
  });

  it('CurrencyResolver alone: the store never holds more than the bound, whatever the number of accounts', async () => {
    const store = new SharedStore(await createStore('memory'), 'memory', 5_000);
    const read: Reader = async (_name, args) => ({ id: args.ad_account_id, name: `Account ${String(args.ad_account_id)}`, currency: 'USD' });
    const resolver = new CurrencyResolver(store, read, () => undefined, 5);
    try {
      for (let i = 0; i < 50; i++) {
        expect(await resolver.currencyFor(pinterestApi, { ad_account_id: String(1000 + i) })).toBe('USD');
        expect((await keysUnder(store.keyv, 'account:')).length).toBeLessThanOrEqual(5);
      }
      expect(await keysUnder(store.keyv, 'account:')).toHaveLength(5);
    } finally {
      await store.keyv.disconnect();
    }
  });
});

describe('expired keys are purged while running, and the store shrinks', () => {
  let dir = '';
  beforeAll(() => {
    dir = tempDir('bounds-');
  });
  afterEach(() => vi.useRealTimers());

  for (const kind of ['memory', 'sqlite']) {
    it(`${kind}: expired tokens are gone after a purge (the clock moved, not waited for); live ones and the account cache stay`, async (ctx) => {
      if (kind === 'sqlite') needsNodeSqlite(ctx);
      const spec = kind === 'memory' ? 'memory' : `sqlite:${join(dir, 'purge.sqlite')}`;
      const start = Date.now();
      vi.useFakeTimers({ toFake: ['Date'], now: start });
      const h = await startInProcess({ args: [...MODEL_APPROVAL, '--confirm-ttl', '10', '--store', spec] });
      try {
        const hold = async (amount: string) => expect(structured(await h.call('ad_groups_update', budget(amount))).status).toBe('confirmation_required');
        await hold('91');
        await hold('92');
        vi.setSystemTime(start + 5_000);
        await hold('93');
        const before = await storedKeys((await h.app.engine()).store);
        expect(before.filter((k) => k.startsWith('confirm:'))).toHaveLength(3);
        expect(before.filter((k) => k.startsWith('account:'))).toHaveLength(1);

        // Past the first two tokens' expiry: the store still holds them until the purge.
        vi.setSystemTime(start + 10_001);
        expect(await keysUnder((await h.app.engine()).store, 'confirm:')).toHaveLength(3);
        await purgeExpired((await h.app.engine()).store);
        const after = await storedKeys((await h.app.engine()).store);
        expect(after.length).toBe(before.length - 2);
        expect(after.filter((k) => k.startsWith('confirm:'))).toHaveLength(1);
        expect(after.filter((k) => k.startsWith('account:'))).toHaveLength(1);
        expect(h.sent({ writesOnly: true })).toHaveLength(0);
      } finally {
        await h.close();
      }
    });
  }

  it('the periodic purge does not keep the process alive and stops on close', async () => {
    // The app's timers as made (each must be unref'd), on real time: none fires during the test.
    const made = vi.spyOn(globalThis, 'setInterval');
    let app: App | undefined;
    try {
      app = await createStdioApp(loadConfig([], { PINTEREST_ACCESS_TOKEN: TOKEN }), createLogger('silent'));
      await app.engine(); // the timers are the call machinery's, started by a first call (here, directly)
      const timers = made.mock.results.map((r) => r.value as NodeJS.Timeout);
      expect(timers.length).toBeGreaterThan(0);
      for (const timer of timers) expect(timer.hasRef()).toBe(false);
    } finally {
      made.mockRestore();
      await app?.close();
    }
    // On a clock the test moves: after close no timer is left to run.
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    app = await createStdioApp(loadConfig([], { PINTEREST_ACCESS_TOKEN: TOKEN }), createLogger('silent'));
    await app.engine();
    expect(vi.getTimerCount()).toBeGreaterThan(0);
    await app.close();
    expect(vi.getTimerCount()).toBe(0);
  });
});

describe('redis: every key the server stores has a lifetime', () => {
  let redis: ChildProcess | undefined;
  let port = 0;
  let emulator: Emulator;
  beforeAll(async () => {
    port = await freePort();
    redis = await startRedis(port);
    emulator = await startEmulator();
  });
  afterAll(async () => {
    redis?.kill('SIGKILL');
    await emulator?.close();
  });

  it('approvals (pending, decided, their claim and settle keys), sign-in sessions, used forms, tokens and the account cache all expire', async () => {
    const store = `redis://127.0.0.1:${port}`;
    const page = await serve(emulator, ['--store', store], { PINTEREST_MCP_APPROVER_TOKEN: `alice=${ALICE}` });
    const model = await serve(emulator, [...MODEL_APPROVAL, '--store', store]);
    try {
      await (await page.app.engine()).store.clear();
      const pageClient = await connect(page.url);
      const modelClient = await connect(model.url);
      const first = structured(await callText(pageClient, 'ad_groups_update', budget('61')));
      structured(await callText(pageClient, 'ad_groups_update', budget('62')));
      const alice = new PageApprover(page.http.url);
      expect((await alice.signIn(ALICE)).status).toBe(303);
      expect((await alice.decide(String(first.approval_id), 'approve')).status).toBe(303);
      expect(structured(await callText(modelClient, 'ad_groups_update', budget('63'))).status).toBe('confirmation_required');
      await Promise.all([pageClient.close(), modelClient.close()]);

      const client = ((await page.app.engine()).store.store as KeyvRedis<unknown>).client;
      const keys = (await client.keys('*')) as string[];
      const families = new Set(keys.map((k) => k.replace(/^pinterest-mcp::/, '').split(':')[0]));
      expect([...families].sort()).toEqual(['account', 'approval', 'approval-claim', 'approver-session', 'confirm', 'csrf-used'].sort());
      for (const key of keys) expect(await client.pTTL(key), key).toBeGreaterThan(0);
      expect(writes(emulator)).toHaveLength(1);
    } finally {
      await model.close();
      await page.close();
    }
  });
});
