// Approvals under failure: Redis stopped or hung at each step, the server killed mid-write, anonymous page traffic, expired keys purged.
import type KeyvRedis from '@keyv/redis';
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { Agent, request as httpRequest } from 'node:http';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { Approvals } from '../../src/guard/approvals.js';
import { CONFIRMATION_TOKENS, Confirmations } from '../../src/guard/tokens.js';
import { type Emulator, startEmulator } from '../../fakes/pinterest/server.js';
import { loadConfig } from '../../src/config/index.js';
import { createLogger } from '../../src/core/logger.js';
import type { App } from '../../src/server/app.js';
import type { NodeSqliteStore } from '../../src/core/sqlite-store.js';
import { SharedStore, type Store, checkStore, createStore, purgeExpired } from '../../src/core/store.js';
import { PageApprover } from '../helpers/approver.js';
import { type Harness, TOKEN, USD_ACCOUNT, startInProcess, textOf } from '../helpers/harness.js';
import { type Served, callText, connect, serve, spawnServer } from '../helpers/http.js';
import { freePort, startRedis } from '../helpers/processes.js';
import { type RedisCommand, type RedisFault, type RedisProxy, startRedisProxy } from '../helpers/redis-proxy.js';
import { NODE_SQLITE, needsNodeSqlite } from '../helpers/sqlite.js';
import { tempDir } from '../helpers/temp.js';
import { EVENTUALLY } from '../helpers/waiting.js';
import { createStdioApp } from '../../src/transports/stdio.js';

const AD_GROUP = '2680059592701';
const budget = (amount: string) => ({ ad_account_id: USD_ACCOUNT, body: [{ id: AD_GROUP, budget: amount }] });
const ALICE = 'alice-approver-token-0123456789abcdef';
const APPROVERS = `alice=${ALICE}`;
/** Keys as the Redis store writes them (keyv's namespace, no other prefix). */
const KEY = 'pinterest-mcp::';
/** Model-visible state is polled this long at most: generous, for a loaded machine. */
const DEADLINE = { timeout: 20_000, interval: 50 };
/** The lifetime (s) of the keys a purge test lets expire. */
const SHORT_TTL_S = 2;

const writes = (emulator: Emulator) => emulator.requests.filter((r) => r.method !== 'GET');

/** A poll's status: the outcome of a decided approval, or the status a pending, sending or refused one answers. */
function statusOf(result: { structuredContent?: unknown }): string {
  const structured = (result.structuredContent ?? {}) as { status?: string; approval?: { outcome?: string } };
  return structured.approval?.outcome ?? structured.status ?? 'none';
}

/** One call of the model over HTTP (a fresh client each time, as a stateless bot would). */
async function modelCall(url: string, args: Record<string, unknown>) {
  const client = await connect(url);
  try {
    return await callText(client, 'ad_groups_update', args);
  } finally {
    await client.close();
  }
}

/** Where Redis fails, and what each party must see afterwards. */
interface Step {
  name: string;
  /** The command the fault hits (`write`: none, the fault is applied while the fake API holds the write). */
  command?: (command: RedisCommand, id: string) => boolean;
  at?: 'before' | 'after';
  phase: 'create' | 'page' | 'claim' | 'sending' | 'write' | 'outcome' | 'reject';
  /** `outcome`: how the approved write ended (default: the API applied it). */
  ends?: 'sent' | 'failed' | 'unknown' | 'not_sent';
}

const recordOf = (id: string) => `${KEY}approval:${id}`;
const setsState = (state: string) => (c: RedisCommand, id: string) => c.name === 'SET' && c.args[0] === recordOf(id) && c.args[1].includes(`"state":"${state}"`);
const removesClaim = (c: RedisCommand, id: string) => c.name === 'UNLINK' && c.args[0] === `${KEY}approval-claim:${id}`;
/**
 * A new approval's record being stored: pending, under any id. (Not any approval's SET: on a loaded machine the
 * previous test's process may store a late outcome of its own approval after this test armed its trigger.)
 */
const createsApproval = (c: RedisCommand) => c.name === 'SET' && c.args[0].startsWith(`${KEY}approval:apr_`) && c.args[1].includes('"state":"pending"');
/** The approvals a page lists. */
const listed = (html: string) => [...html.matchAll(/href="\/approvals\/(apr_[\w-]+)"/g)].map((m) => m[1]);

const STEPS: Step[] = [
  { name: 'creating it (the held call), before Redis stored the record', phase: 'create', at: 'before', command: createsApproval },
  { name: 'creating it (the held call), after Redis stored the record', phase: 'create', at: 'after', command: createsApproval },
  { name: "the page's GET of the approval", phase: 'page', at: 'before', command: (c, id) => c.name === 'GET' && c.args[0] === recordOf(id) },
  { name: 'the claim, before Redis removed it', phase: 'claim', at: 'before', command: removesClaim },
  { name: 'the claim, after Redis removed it', phase: 'claim', at: 'after', command: removesClaim },
  { name: 'storing sending, before Redis applied it', phase: 'sending', at: 'before', command: setsState('sending') },
  { name: 'storing sending, after Redis applied it', phase: 'sending', at: 'after', command: setsState('sending') },
  { name: 'during the write (the fake API holding it)', phase: 'write' },
  { name: 'storing the outcome, before Redis applied it', phase: 'outcome', at: 'before', command: setsState('sent') },
  { name: 'storing the outcome, after Redis applied it', phase: 'outcome', at: 'after', command: setsState('sent') },
  { name: 'storing the outcome of a write the API refused', phase: 'outcome', at: 'before', ends: 'failed', command: setsState('failed') },
  { name: 'storing the outcome of a write answered with no usable answer', phase: 'outcome', at: 'before', ends: 'unknown', command: setsState('unknown') },
  { name: 'storing the outcome of a write a check stopped before it left', phase: 'outcome', at: 'before', ends: 'not_sent', command: setsState('not_sent') },
  { name: 'rejecting: the claim, before Redis removed it', phase: 'reject', at: 'before', command: removesClaim },
  { name: 'rejecting: the claim, after Redis removed it', phase: 'reject', at: 'after', command: removesClaim },
  { name: 'rejecting: storing rejected, before Redis applied it', phase: 'reject', at: 'before', command: setsState('rejected') },
  { name: 'rejecting: storing rejected, after Redis applied it', phase: 'reject', at: 'after', command: setsState('rejected') },
];

/** What the page says when the store failed to record how the approved write ended, per outcome. */
const UNRECORDED_PAGE: Record<NonNullable<Step['ends']>, string> = {
  sent: 'The write went out once and the API applied it',
  failed: 'The write went out once and the API refused it, so nothing changed',
  unknown: 'The write went out once, but no usable answer came back: the change may or may not be in place',
  not_sent: 'The write was not sent, so nothing changed',
};
/** What the model reads once the store is back, per outcome. */
const RECORDED_OUTCOME: Record<NonNullable<Step['ends']>, { status: string; text: RegExp }> = {
  sent: { status: 'sent', text: /Approved by page:alice at \S+ and sent once \(/ },
  failed: { status: 'failed', text: /Approved by page:alice at \S+ and sent once; the API refused it, so nothing was changed/ },
  unknown: { status: 'unknown', text: /Approved by page:alice at \S+ and sent once; its outcome is unknown/ },
  not_sent: { status: 'approval_not_sent', text: /Approved by page:alice, but not sent: Not sent: ad_groups_update no longer builds the request that was approved/ },
};

describe('an approval over HTTP while Redis fails at each step', () => {
  let redis: ChildProcess;
  let redisPort: number;
  /** Straight to Redis: what the store holds, whatever the server says. */
  let direct: Store;
  let proxy: RedisProxy;
  let emulator: Emulator;
  let served: Served;
  let alice: PageApprover;

  beforeAll(async () => {
    redisPort = await freePort();
    redis = await startRedis(redisPort);
    direct = await createStore(`redis://127.0.0.1:${redisPort}`);
    proxy = await startRedisProxy(redisPort);
    emulator = await startEmulator();
    // A store timeout that a Redis answering at all never reaches on a loaded machine; a paused Redis never answers, so
    // it fires whatever the load.
    served = await serve(emulator, ['--store', proxy.url], { PINTEREST_MCP_APPROVER_TOKEN: APPROVERS, PINTEREST_MCP_STORE_TIMEOUT_MS: '1000' });
  }, 30_000);
  afterAll(async () => {
    await served?.close();
    await proxy?.close();
    await emulator?.close();
    await direct?.disconnect();
    redis?.kill('SIGKILL');
  });
  beforeEach(async () => {
    await direct.clear();
    emulator.reset();
    alice = new PageApprover(served.http.url);
    expect((await alice.signIn(ALICE)).status).toBe(303);
  });
  afterEach(async () => {
    // A failed test may leave a trigger armed or Redis down: disarm everything and reconnect for the next one.
    await proxy.close();
    await proxy.start();
    await storeAnswers();
  });

  const storeAnswers = () => vi.waitFor(async () => expect(await checkStore((await served.app.engine()).store, 250)).toEqual({ ok: true }), DEADLINE);

  /** Redis answers again (resumed or restarted), and the server's store has reconnected. */
  async function heal(fault: RedisFault) {
    if (fault === 'pause') proxy.resume();
    else await proxy.start();
    await storeAnswers();
  }

  /** The record as Redis holds it. */
  const stored = async (id: string) => (await direct.get(`approval:${id}`)) as { state: string; note?: string } | undefined;

  /** Polls the model's view until it is `status` (the store is back by then), and returns that answer. */
  async function modelSees(id: string, amount: string, status: string) {
    return vi.waitFor(async () => {
      const result = await modelCall(served.url, { ...budget(amount), approval_id: id });
      expect(statusOf(result), result.text).toBe(status);
      return result;
    }, DEADLINE);
  }

  /** Nothing stays `sending`: Redis ends with `state` (the process stores what it kept once the store is back). */
  async function redisEndsWith(id: string, state: string) {
    await vi.waitFor(async () => expect((await stored(id))?.state).toBe(state), DEADLINE);
  }

  async function hold(amount: string): Promise<string> {
    const held = await modelCall(served.url, budget(amount));
    expect(statusOf(held), held.text).toBe('approval_required');
    return (held.structuredContent as { approval_id: string }).approval_id;
  }

  for (const fault of ['stop', 'pause'] as const) {
    for (const step of STEPS) {
      it(`${fault}: ${step.name}`, async () => {
        const amount = '31';
        const ends = step.ends ?? 'sent';
        const arm = (id: string) => proxy.when((c) => step.command!(c, id), fault, { at: step.at! });

        if (step.phase === 'create') {
          const fired = arm('');
          const held = await modelCall(served.url, budget(amount));
          const { args } = await fired;
          const id = args[0].slice(`${KEY}approval:`.length);
          // The model is told the held call failed and nothing was sent; it has no approval to poll.
          expect(held.isError).toBe(true);
          expect(held.text).toMatch(/^Nothing was sent: the confirmation store \(redis:\/\/[^)]+\) is unavailable/);
          expect(held.structuredContent).toMatchObject({ error: 'store_unavailable' });
          await heal(fault);
          // Whatever Redis took (a timed-out SET may land later), the process settles that approval `not_sent` and stores
          // it once Redis is back: nothing is left that a person could approve after the model was told the call failed.
          await redisEndsWith(id, 'not_sent');
          const list = await alice.get('/approvals');
          expect(list.status).toBe(200);
          expect(list.html).not.toContain(id);
          const page = await alice.get(`/approvals/${id}`);
          expect(page.html).toContain('Not sent: it could not be decided');
          expect(page.html).not.toContain(`/approvals/${id}/approve`);
          expect(writes(emulator)).toHaveLength(0);
          return;
        }

        const id = await hold(amount);

        if (step.phase === 'page') {
          const fired = arm(id);
          const page = await alice.get(`/approvals/${id}`);
          await fired;
          expect(page.status).toBe(503);
          expect(page.html).toContain('The approval store is unavailable; nothing was decided or sent.');
          await heal(fault);
          expect((await modelSees(id, amount, 'approval_pending')).text).toContain('nothing was sent');
          expect((await alice.decide(id, 'approve')).status).toBe(303);
          const outcome = await modelSees(id, amount, 'sent');
          expect(outcome.text).toMatch(/Approved by page:alice at \S+ and sent once/);
          expect(writes(emulator)).toHaveLength(1);
          await redisEndsWith(id, 'sent');
          return;
        }

        if (step.phase === 'claim' || step.phase === 'sending') {
          // Two tabs of the same approval: the first one's Approve meets the fault, the second is sent once Redis is back.
          const forms = [await alice.formFor(id, 'approve'), await alice.formFor(id, 'approve')];
          const fired = arm(id);
          const answer = await alice.post(`/approvals/${id}/approve`, { csrf: forms[0] });
          await fired;
          expect(answer.status).toBe(503);
          // Not "ask for it again" outright: where Redis kept the claim the approval can still be approved, and a second
          // approval of the same change is how a change goes out twice.
          expect(answer.html).toContain(
            'The approval store failed while your decision was being recorded, so nothing was sent. Once it is back, reload this approval: if it still offers Approve, decide again; if not, ask your assistant to request the change again.',
          );
          await heal(fault);
          expect(writes(emulator)).toHaveLength(0);
          const again = () => alice.post(`/approvals/${id}/approve`, { csrf: forms[1] });
          if (step.phase === 'sending') {
            // The process settles the record `not_sent` (stored once the store is back); the model reads why.
            const read = await modelSees(id, amount, 'approval_not_sent');
            expect(read.text).toContain('The store failed while the approve was being recorded, so the write was not sent.');
            await redisEndsWith(id, 'not_sent');
            const second = await again();
            expect([second.status, second.html]).toEqual([409, expect.stringContaining('Already decided (not_sent by page:alice); nothing more was sent.')]);
            expect(writes(emulator)).toHaveLength(0);
            return;
          }
          // The claim: the approval can still be approved only where Redis kept the claim (a stop before the UNLINK); a
          // pause forwards the UNLINK on resume, and an UNLINK applied is a claim gone.
          if (fault === 'stop' && step.at === 'before') {
            expect((await modelSees(id, amount, 'approval_pending')).text).toContain('nothing was sent');
            const second = await alice.decide(id, 'approve'); // as told: reload, and decide again where Approve is offered
            expect(second.status).toBe(303);
            expect((await modelSees(id, amount, 'sent')).text).toMatch(/Approved by page:alice at \S+ and sent once/);
            expect(writes(emulator)).toHaveLength(1);
            await redisEndsWith(id, 'sent');
            return;
          }
          // The claim is gone and no decision was recorded: it could never be decided, so the process that failed settles
          // it as the person's approve, not sent; it no longer waits on the page nor counts against the client's bound.
          await redisEndsWith(id, 'not_sent');
          const read = await modelSees(id, amount, 'approval_not_sent');
          expect(read.text).toContain('Approved by page:alice, but not sent: The store failed while the approve was being recorded, so the write was not sent.');
          expect(listed((await alice.get('/approvals')).html)).not.toContain(id);
          const page = await alice.get(`/approvals/${id}`);
          expect(page.html).toContain('Approved, but not sent');
          expect(page.html).not.toContain(`/approvals/${id}/approve`);
          const second = await again();
          expect([second.status, second.html]).toEqual([409, expect.stringContaining('Already decided (not_sent by page:alice); nothing more was sent.')]);
          expect(writes(emulator)).toHaveLength(0);
          return;
        }

        if (step.phase === 'reject') {
          // A second tab, rendered before the reject: its Approve must find the approval decided.
          const tab = await alice.formFor(id, 'approve');
          const form = await alice.formFor(id, 'reject');
          const fired = arm(id);
          const answer = await alice.post(`/approvals/${id}/reject`, { csrf: form });
          await fired;
          expect(answer.status).toBe(503);
          expect(answer.html).toContain(
            'The approval store failed while your rejection was being recorded. Nothing was sent, and nothing will be: this server records the rejection once the store is back',
          );
          await heal(fault);
          // Wherever Redis failed (claim kept, claim gone, record not stored), the process records the rejection once it is back.
          await redisEndsWith(id, 'rejected');
          const read = await modelSees(id, amount, 'approval_rejected');
          expect(read.text).toContain('The person rejected ad_groups_update');
          expect(read.structuredContent).toMatchObject({ decided_by: 'page:alice' });
          expect(listed((await alice.get('/approvals')).html)).not.toContain(id);
          expect((await alice.get(`/approvals/${id}`)).html).toContain('Rejected: nothing was sent');
          const late = await alice.post(`/approvals/${id}/approve`, { csrf: tab });
          expect([late.status, late.html]).toEqual([409, expect.stringContaining('Already decided (rejected by page:alice); nothing more was sent.')]);
          expect(writes(emulator)).toHaveLength(0);
          return;
        }

        // After the send: the write went out once whatever the store does; the person is told so, never "nothing was decided".
        let answer;
        if (step.phase === 'write') {
          let release!: () => void;
          emulator.inject({ method: 'PATCH', hold: new Promise<void>((resolve) => (release = resolve)) });
          const deciding = alice.decide(id, 'approve');
          try {
            await vi.waitFor(() => expect(writes(emulator)).toHaveLength(1), DEADLINE);
            expect((await stored(id))?.state).toBe('sending');
            if (fault === 'pause') proxy.pause();
            else await proxy.stop();
            // The model polls meanwhile: the store cannot say what became of the approval, and the write is out.
            const meanwhile = await modelCall(served.url, { ...budget(amount), approval_id: id });
            expect(meanwhile.isError).toBe(true);
            expect(meanwhile.structuredContent).toMatchObject({ error: 'store_unavailable' });
            expect(meanwhile.text).toMatch(/cannot be read now: its write may already have been sent\. This call sent nothing\. Do not request the change again/);
            expect(meanwhile.text).not.toMatch(/nothing was sent/i);
          } finally {
            release();
          }
          answer = await deciding;
        } else {
          if (ends === 'failed') emulator.inject({ method: 'PATCH', status: 400 });
          if (ends === 'unknown') emulator.inject({ method: 'PATCH', status: 500 });
          if (ends === 'not_sent') {
            // A record whose arguments no longer build the request the person sees (as a store written by another hand
            // could hold): the guard refuses it before it leaves.
            const record = (await direct.get(`approval:${id}`)) as { args: Record<string, unknown> };
            await direct.set(`approval:${id}`, { ...record, args: budget('32') }, 600_000);
          }
          const fired = arm(id);
          answer = await alice.decide(id, 'approve');
          await fired;
        }
        // The person is told what happened to the write, and that its record waits for the store; never "nothing was decided".
        expect(answer.status).toBe(200);
        expect(answer.html).toContain(UNRECORDED_PAGE[ends]);
        expect(answer.html).toContain('the approval store failed before the result was recorded');
        expect(answer.html).not.toMatch(/nothing was decided/i);
        if (ends === 'not_sent') expect(answer.html).not.toMatch(/went out/);
        else expect(answer.html).not.toMatch(/nothing was sent/i);
        await heal(fault);
        const outcome = await modelSees(id, amount, RECORDED_OUTCOME[ends].status);
        expect(outcome.text).toMatch(RECORDED_OUTCOME[ends].text);
        expect(writes(emulator)).toHaveLength(ends === 'not_sent' ? 0 : 1);
        await redisEndsWith(id, ends);
      });
    }
  }

  it('a claim removed by a decider that stopped before recording its decision: a click is told so, and the approval is settled not_sent, off the list', async () => {
    const id = await hold('33');
    await direct.delete(`approval-claim:${id}`); // what a decider leaves when its process stops right after removing the claim
    const clicked = await alice.decide(id, 'approve');
    expect([clicked.status, clicked.html]).toEqual([409, expect.stringContaining('A decision on this approval was interrupted by a store failure; nothing was sent.')]);
    await redisEndsWith(id, 'not_sent');
    const read = await modelSees(id, '33', 'approval_not_sent');
    expect(read.text).toContain(`Approval ${id} was not sent: A decision on it was interrupted by a store failure before it was recorded, so it cannot be decided; nothing was sent.`);
    expect(read.text).not.toContain('undefined');
    expect(listed((await alice.get('/approvals')).html)).not.toContain(id);
    const page = await alice.get(`/approvals/${id}`);
    expect(page.html).toContain('Not sent: it could not be decided');
    expect(page.html).not.toContain(`/approvals/${id}/approve`);
    expect(writes(emulator)).toHaveLength(0);
  });
});

describe('the server killed mid-send', () => {
  let redis: ChildProcess;
  let redisUrl: string;
  /** Straight to Redis: what the store holds, whatever the servers say. */
  let direct: Store;
  /** In front of the same Redis, for a process that must stop at an exact store command. */
  let proxy: RedisProxy;
  const emulators: Emulator[] = [];
  const children: ChildProcess[] = [];
  let dir: string;
  /** A client timeout short enough that a process's send bound (timeout + 5 s) passes soon. */
  // A later process's shorter client timeout, so that its send bound (timeout + 5 s) passes soon, and still long enough
  // for its read-back of the entity (its first API call, which loads the HTTP client) on a loaded machine.
  const SHORT_BOUND = { PINTEREST_MCP_TOTAL_TIMEOUT_MS: '5000' };

  beforeAll(async () => {
    const redisPort = await freePort();
    redis = await startRedis(redisPort);
    redisUrl = `redis://127.0.0.1:${redisPort}`;
    direct = await createStore(redisUrl);
    proxy = await startRedisProxy(redisPort);
    dir = tempDir('killed-');
  });
  afterAll(async () => {
    for (const child of children) child.kill('SIGKILL');
    await proxy?.close();
    await Promise.all(emulators.map((e) => e.close()));
    await direct?.disconnect();
    redis?.kill('SIGKILL');
  });

  /** A fake API of its own: the two tests run at once, and an approval executes only where its base URL is served. */
  async function api(): Promise<Emulator> {
    const emulator = await startEmulator();
    emulators.push(emulator);
    return emulator;
  }

  /** The built server on the shared Redis (or `store`), sending to `emulator`, auditing to `audit`. */
  async function start(emulator: Emulator, audit: string, env: Record<string, string> = {}, store = redisUrl) {
    // The store's own time bound is not what these tests are about: a loaded machine must not turn a slow Redis reply
    // into "the store is unavailable" (a test of that bound sets its own).
    const base = {
      PINTEREST_API_BASE_URL: emulator.url,
      PINTEREST_ACCESS_TOKEN: TOKEN,
      PINTEREST_MCP_RETRIES: '0',
      PINTEREST_MCP_APPROVER_TOKEN: APPROVERS,
      PINTEREST_MCP_STORE_TIMEOUT_MS: '60000',
    };
    const server = await spawnServer(['--store', store, '--audit-log', audit], { ...base, ...env });
    children.push(server.child);
    return server;
  }

  async function kill(child: ChildProcess): Promise<void> {
    const exited = once(child, 'exit');
    child.kill('SIGKILL');
    await exited;
  }

  /** Resolves once the fake API has received a `method` request after the first `from` it recorded. */
  const arrives = (emulator: Emulator, from: number, method: string, timeout = DEADLINE.timeout) =>
    vi.waitFor(() => expect(emulator.requests.slice(from).map((r) => r.method)).toContain(method), { timeout, interval: 50 });

  const auditOf = (path: string, id: string) =>
    readFileSync(path, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as { outcome: string; approval_id?: string }).filter((l) => l.approval_id === id);

  it.concurrent('mid-write: is settled by the next process reading the entity back: sent, recovered, one write, audited', async () => {
    const emulator = await api();
    const audit = join(dir, 'mid-write.jsonl');
    const first = await start(emulator, audit);
    const held = await modelCall(first.url, budget('44'));
    const id = (held.structuredContent as { approval_id: string }).approval_id;
    expect(id, held.text).toMatch(/^apr_/);

    let release!: () => void;
    emulator.inject({ method: 'PATCH', hold: new Promise<void>((resolve) => (release = resolve)) });
    const alice = new PageApprover(new URL(first.url).origin);
    await alice.signIn(ALICE);
    const deciding = alice.decide(id, 'approve').catch((error: Error) => error);
    // The fake API has applied the write and holds its answer; the server dies before it hears it.
    await vi.waitFor(() => expect(writes(emulator)).toHaveLength(1), DEADLINE);
    await kill(first.child);
    release();
    expect(await deciding).toBeInstanceOf(Error);

    const second = await start(emulator, audit, SHORT_BOUND);
    const seen = new Set<string>();
    const outcome = await vi.waitFor(
      async () => {
        const result = await modelCall(second.url, { ...budget('44'), approval_id: id });
        seen.add(statusOf(result));
        expect(statusOf(result), result.text).toBe('sent');
        return result;
      },
      { timeout: 40_000, interval: 200 },
    );
    expect([...seen].every((s) => ['approval_sending', 'approval_outcome_unrecorded', 'sent'].includes(s))).toBe(true);
    expect(textOf(outcome)).toContain('and sent once');
    expect(textOf(outcome)).toContain('The server stopped before it recorded the outcome; reading the entity back shows the change in place.');
    expect(textOf(outcome)).toContain('Verified by reading back');
    expect(writes(emulator)).toHaveLength(1);
    expect(auditOf(audit, id).map((l) => l.outcome)).toEqual(['sending', 'recovered: applied (read back)']);
    expect(second.stderr()).toContain('settled an approved write whose send was interrupted');
  }, 60_000);

  it.concurrent('before its write left, and its settler killed while reading back: a third process takes over and settles it unknown; nothing is sent', async () => {
    const emulator = await api();
    const audit = join(dir, 'before-write.jsonl');
    const stored = async (id: string) => (await direct.get(`approval:${id}`)) as { state: string; settle_attempt?: number } | undefined;
    // Through the proxy, with a store timeout far longer than the test: a store read it waits on holds it where it is.
    const first = await start(emulator, audit, { PINTEREST_MCP_STORE_TIMEOUT_MS: '60000' }, proxy.url);
    const held = await modelCall(first.url, budget('45'));
    const id = (held.structuredContent as { approval_id: string }).approval_id;
    expect(id, held.text).toMatch(/^apr_/);

    // After `sending` is stored, the guard reads the account's cached currency before it sends: Redis hangs on that
    // read, so the process dies with the approval `sending` and its write not sent.
    const alice = new PageApprover(new URL(first.url).origin);
    await alice.signIn(ALICE);
    const form = await alice.formFor(id, 'approve');
    const hung = proxy.when((c) => c.name === 'GET' && c.args[0].startsWith(`${KEY}account:`), 'pause', { at: 'before' });
    const deciding = alice.post(`/approvals/${id}/approve`, { csrf: form }).catch((error: Error) => error);
    await hung;
    expect((await stored(id))?.state).toBe('sending');

    // The next process (started while the first still hangs, as a replica would run) claims the settling once its send
    // bound has passed, marks the try, and reads back: that read is held, and it dies too.
    let releaseReadBack!: () => void;
    const beforeSettle = emulator.requests.length;
    emulator.inject({ method: 'GET', hold: new Promise<void>((resolve) => (releaseReadBack = resolve)) });
    // Its client waits 3 s for the held read, time enough to kill it first on a loaded machine (its bound is then 8 s).
    const second = await start(emulator, audit, { PINTEREST_MCP_TOTAL_TIMEOUT_MS: '3000' });
    await kill(first.child);
    proxy.resume();
    expect(await deciding).toBeInstanceOf(Error);
    await arrives(emulator, beforeSettle, 'GET', 40_000);
    expect(await stored(id)).toMatchObject({ state: 'sending', settle_attempt: 1 });

    // Killed before its read-back times out, so that this try never ends. A third takes over once its bound has passed
    // since that try began: its read-back finds no change.
    await kill(second.child);
    releaseReadBack();
    const third = await start(emulator, audit, SHORT_BOUND);
    const seen = new Set<string>();
    const outcome = await vi.waitFor(
      async () => {
        const result = await modelCall(third.url, { ...budget('45'), approval_id: id });
        seen.add(statusOf(result));
        expect(statusOf(result), result.text).toBe('unknown');
        return result;
      },
      { timeout: 40_000, interval: 200 },
    );
    expect([...seen].every((s) => ['approval_sending', 'approval_outcome_unrecorded', 'unknown'].includes(s)), [...seen].join()).toBe(true);
    // It may never have left: the model is not told it was sent once.
    expect(textOf(outcome)).toContain('and sent at most once; whether the change is in place is unknown: read the entity before acting again');
    expect(textOf(outcome)).toContain('The server stopped before it recorded the outcome, and reading back could not confirm the change');
    expect(await stored(id)).toMatchObject({ state: 'unknown', settle_attempt: 2 });
    const person = new PageApprover(new URL(third.url).origin);
    await person.signIn(ALICE);
    expect((await person.get(`/approvals/${id}`)).html).toContain('Approved; sent at most once (the server stopped while sending it), and the outcome is unknown: check the entity');
    expect(writes(emulator)).toHaveLength(0);
    expect(auditOf(audit, id).map((l) => l.outcome)).toEqual(['recovered: outcome unknown']);
    expect(third.stderr()).toContain('settled an approved write whose send was interrupted');
  }, 90_000);
});

describe('a pending approval left without its claim, found by the periodic scan', () => {
  it('is settled not_sent, and frees its place under --max-pending-approvals', async () => {
    // Only the intervals are faked, so the server's periodic scan and restore rounds can be driven.
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    let h: (Harness & { app: App }) | undefined;
    try {
      h = await startInProcess({ args: ['--approval-channels', 'page', '--max-pending-approvals', '1'], env: { BROWSER: 'false', PINTEREST_MCP_STORE_TIMEOUT_MS: '300' } });
      const first = await h.call('ad_groups_update', budget('34'));
      expect(statusOf(first), first.text).toBe('approval_required');
      const id = (first.structuredContent as { approval_id: string }).approval_id;
      await (await h.app.engine()).store.delete(`approval-claim:${id}`); // a decider that stopped right after removing the claim
      expect(statusOf(await h.call('ad_groups_update', budget('35')))).toBe('too_many_pending');

      vi.advanceTimersByTime(30_000); // the periodic scan
      await vi.waitFor(async () => {
        vi.advanceTimersByTime(2_000); // the rounds that settle what it found
        expect(((await (await h!.app.engine()).store.get(`approval:${id}`)) as { state: string }).state).toBe('not_sent');
      }, DEADLINE);
      const read = await h.call('ad_groups_update', { ...budget('34'), approval_id: id });
      expect(statusOf(read), read.text).toBe('approval_not_sent');
      expect(read.text).toContain('so it cannot be decided; nothing was sent');
      expect(statusOf(await h.call('ad_groups_update', budget('35')))).toBe('approval_required');
      expect(h.sent({ writesOnly: true })).toHaveLength(0);
    } finally {
      vi.useRealTimers();
      await h?.close();
    }
  });
});

describe('unauthenticated requests to the approval page', () => {
  let emulator: Emulator;
  let served: Served;
  beforeAll(async () => {
    emulator = await startEmulator();
    served = await serve(emulator, [], { PINTEREST_MCP_APPROVER_TOKEN: APPROVERS });
  });
  afterAll(async () => {
    await served?.close();
    await emulator?.close();
  });

  it('store nothing: 5,000 GETs of /approvals and more of the sign-in page leave the store as it was', async () => {
    const entries = ((await served.app.engine()).store.store as Map<string, unknown>);
    expect(entries).toBeInstanceOf(Map);
    const before = [...entries.keys()].sort();
    const base = served.http.url;
    const paths = [
      ...Array.from({ length: 5_000 }, () => '/approvals'),
      ...Array.from({ length: 250 }, () => '/approvals/sign-in'),
      ...Array.from({ length: 250 }, (_, i) => `/approvals/apr_${String(i).padStart(24, 'x')}`),
    ];
    const statuses = new Map<number, number>();
    // node:http on kept-alive sockets: several times cheaper per request than fetch, so the 5,000 fit the time budget.
    const agent = new Agent({ keepAlive: true, maxSockets: 16 });
    const get = (path: string, headers: Record<string, string>) =>
      new Promise<number>((resolve, reject) => {
        const req = httpRequest(base + path, { agent, headers }, (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        });
        req.on('error', reject);
        req.end();
      });
    let next = 0;
    const worker = async () => {
      while (next < paths.length) {
        const path = paths[next++];
        // Half of them carry a session cookie no one was given: looked up, never stored.
        const status = await get(path, next % 2 ? { cookie: `pmcp_approver=${'A'.repeat(43)}` } : {});
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
      }
    };
    await Promise.all(Array.from({ length: 16 }, worker)).finally(() => agent.destroy());
    expect(Object.fromEntries(statuses)).toEqual({ 401: paths.length });
    expect([...entries.keys()].sort()).toEqual(before);
  }, 60_000);
});

describe('expired keys are purged while running', () => {
  let dir = '';
  let redis: ChildProcess | undefined;
  let redisPort = 0;
  beforeAll(async () => {
    dir = tempDir('purge-');
    redisPort = await freePort();
    redis = await startRedis(redisPort);
  });
  afterAll(() => {
    redis?.kill('SIGKILL');
  });

  /** Every key the store holds, expired or not, as the store itself lists them. */
  async function listing(kind: string, store: Store): Promise<string[]> {
    if (kind === 'memory') return [...(store.store as Map<string, unknown>).keys()];
    if (kind === 'sqlite') {
      // Its own connection to the file, as another process would see it.
      const file = new NODE_SQLITE!.DatabaseSync((store.store as NodeSqliteStore).opts.url.slice('sqlite://'.length));
      try {
        return file.prepare('SELECT key FROM pinterest_mcp').all().map((row) => row.key as string);
      } finally {
        file.close();
      }
    }
    const client = (store.store as KeyvRedis<unknown>).client;
    // KEYS hides logically expired keys; DBSIZE counts what Redis still holds, so both must agree.
    const keys = (await client.keys('*')) as string[];
    expect(await client.dbSize()).toBe(keys.length);
    return keys;
  }

  for (const kind of ['memory', 'sqlite']) {
    it(`${kind}: the running server drops them within 60 s (its periodic scans)`, async (ctx) => {
      if (kind === 'sqlite') needsNodeSqlite(ctx);
      // Only the intervals are faked, so the server's own periodic work can be driven; everything else runs on real time.
      // Both the 60 s purge and the scan for interrupted sends (every 30 s at most) drop expired keys.
      vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
      const spec = kind === 'memory' ? 'memory' : `sqlite:${join(dir, 'app.sqlite')}`;
      let app: App | undefined;
      try {
        app = await createStdioApp(loadConfig(['--store', spec], { PINTEREST_ACCESS_TOKEN: TOKEN }), createLogger('silent'));
        const tokens = new Confirmations(CONFIRMATION_TOKENS, new SharedStore((await app.engine()).store, spec, 5_000), 1);
        const issued = await Promise.all([1, 2].map((n) => tokens.issue('ad_groups_update', `hash-${n}`)));
        const expiry = Math.max(...issued.map((t) => Date.parse(t.expiresAt)));
        await vi.waitFor(() => expect(Date.now()).toBeGreaterThan(expiry + 10), { timeout: 5_000, interval: 20 });
        const has = async (token: string) => (await listing(kind, (await app!.engine()).store)).some((k) => k.endsWith(token));
        for (const { token } of issued) expect(await has(token), token).toBe(true);
        vi.advanceTimersByTime(60_000);
        await vi.waitFor(async () => {
          for (const { token } of issued) expect(await has(token), token).toBe(false);
        }, DEADLINE);
      } finally {
        vi.useRealTimers();
        await app?.close();
      }
    });
  }

  const kinds = ['memory', 'sqlite', 'redis'];
  for (const kind of kinds) {
    it(`${kind}: a listing that meets expired keys (and drops them) still lists every live one`, async (ctx) => {
      if (kind === 'sqlite') needsNodeSqlite(ctx);
      const spec = kind === 'memory' ? 'memory' : kind === 'sqlite' ? `sqlite:${join(dir, 'listing.sqlite')}` : `redis://127.0.0.1:${redisPort}`;
      const store = await createStore(spec);
      try {
        await store.clear();
        const shared = new SharedStore(store, spec, 5_000);
        // Expired keys first, then more live ones than one page of the store's scan: the approval page lists from this.
        await Promise.all(Array.from({ length: 5 }, (_, i) => shared.set(`confirm:cfm_short${i}`, { i }, 300)));
        const until = Date.now() + 300;
        for (let i = 0; i < 25; i++) await shared.set(`approval:apr_${String(i).padStart(24, '0')}`, { id: i }, 600_000);
        await vi.waitFor(() => expect(Date.now()).toBeGreaterThan(until + 10), { timeout: 5_000, interval: 20 });
        expect((await shared.entries('approval:')).length).toBe(25);
        expect(await shared.entries('confirm:')).toEqual([]);
      } finally {
        await store.disconnect().catch(() => {});
      }
    });

    it(`${kind}: confirmation tokens and approval claims with a short TTL are gone after a purge; live keys stay`, async (ctx) => {
      if (kind === 'sqlite') needsNodeSqlite(ctx);
      const spec = kind === 'memory' ? 'memory' : kind === 'sqlite' ? `sqlite:${join(dir, 'store.sqlite')}` : `redis://127.0.0.1:${redisPort}`;
      const store = await createStore(spec);
      try {
        await store.clear();
        const shared = new SharedStore(store, spec, 5_000);
        // Short, but not so short that Redis drops them (it expires keys itself) before the first listing on a loaded machine.
        const short = new Confirmations(CONFIRMATION_TOKENS, shared, SHORT_TTL_S);
        const long = new Confirmations(CONFIRMATION_TOKENS, shared, 600);
        const approvals = new Approvals({ store: shared, ttlSeconds: SHORT_TTL_S, deployments: {} });
        const expiring = await Promise.all([1, 2, 3].map((n) => short.issue('ad_groups_update', `hash-${n}`)));
        const kept = await long.issue('ad_groups_update', 'hash-kept');
        const approval = await approvals.create({
          tool: 'ad_groups_update',
          args: {},
          hash: 'hash-approval',
          summary: { heading: 'h', verb: 'v', headline: '', lines: [], notes: [], changes: [], request: { method: 'PATCH', path: '/', query: {}, body: null } },
          deployment: { api: 'pinterest', base_url: 'http://127.0.0.1', environment: 'custom URL', credential: 'c', selection: 's', limits: 'l' },
          requested_by: { transport: 'http' },
        });
        const gone = [...expiring.map((t) => t.token), `approval-claim:${approval.id}`];
        const live = [kept.token, `approval:${approval.id}`];
        const has = (keys: string[], name: string) => keys.some((k) => k.endsWith(name));
        const first = await listing(kind, store);
        for (const name of [...gone, ...live]) expect(has(first, name), name).toBe(true);

        // Past every short expiry (the clock, polled), before any purge.
        const expiry = Math.max(...expiring.map((t) => Date.parse(t.expiresAt)), Date.parse(approval.expires_at));
        await vi.waitFor(() => expect(Date.now()).toBeGreaterThan(expiry + 10), EVENTUALLY);
        if (kind !== 'redis') {
          // Memory and SQLite keep an expired key until something reads it: only the purge removes it.
          const stale = await listing(kind, store);
          for (const name of gone) expect(has(stale, name), name).toBe(true);
        }
        // Redis expires keys itself (purgeExpired does nothing there): polled until its own expiry cycle took them.
        await vi.waitFor(async () => {
          await purgeExpired(store);
          const after = await listing(kind, store);
          for (const name of gone) expect(has(after, name), name).toBe(false);
          for (const name of live) expect(has(after, name), name).toBe(true);
        }, { timeout: 10_000, interval: 50 });
      } finally {
        await store.disconnect().catch(() => {});
      }
    });
  }
});
