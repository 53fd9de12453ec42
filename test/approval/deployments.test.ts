// An approval executes only where it was asked: replicas configured differently, and deployments sharing one Redis, through clients of both eras.
import { randomBytes } from 'node:crypto';
import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.js';
import type { Approval } from '../../src/guard/approvals.js';
import { destination, limitsFingerprint, selectionFingerprint } from '../../src/guard/deployment.js';
import { type Emulator, startEmulator } from '../../fakes/pinterest/server.js';
import { PageApprover } from '../helpers/approver.js';
import { type ClientKind, HTTP_MATRIX, callOnce } from '../helpers/era-clients.js';
import { EUR_ACCOUNT, TOKEN, USD_ACCOUNT } from '../helpers/harness.js';
import { type Served, serve } from '../helpers/http.js';
import { freePort, startRedis } from '../helpers/processes.js';

const AD_GROUP = '2680059592701';
const OTHER_AD_GROUP = '2680059592711';
const budget = (amount: string, adGroup = AD_GROUP) => ({ ad_account_id: USD_ACCOUNT, body: [{ id: adGroup, budget: amount }] });
const ALICE = 'alice-approver-token-0123456789abcdef';

interface Held {
  status: string;
  approval_id: string;
}

const writes = (emulator: Emulator) => emulator.requests.filter((r) => r.method !== 'GET');

/** Holds a write on `served` (a bot's call, by a client of `kind`) and returns the approval's id. */
async function hold(kind: ClientKind, served: Served, args: Record<string, unknown>): Promise<string> {
  const result = await callOnce(kind, served.url, 'ad_groups_update', args);
  expect(result.structuredContent, result.text).toMatchObject({ status: 'approval_required' });
  return (result.structuredContent as unknown as Held).approval_id;
}

/** What the model reads back with approval_id on `served`. */
function status(kind: ClientKind, served: Served, args: Record<string, unknown>, id: string) {
  return callOnce(kind, served.url, 'ad_groups_update', { ...args, approval_id: id });
}

/**
 * A person signed in on `home` who sends a form rendered there to `elsewhere` (same cookie: sessions live in the
 * shared store): what an approver would do by pasting the approve URL into another replica.
 */
async function postTo(person: PageApprover, elsewhere: Served, path: string, csrf: string) {
  return person.post(`${elsewhere.http.url}${path}`, { csrf }, elsewhere.http.url);
}

/** The fingerprint of the limits a server started with `args` enforces (as the server computes it). */
function limitsOf(args: string[]): string {
  const config = loadConfig(['--transport', 'http', ...args], { PINTEREST_ACCESS_TOKEN: TOKEN });
  return limitsFingerprint({ caps: config.caps, adAccounts: config.adAccounts, confirmWrites: config.confirmWrites });
}

/** A pattern matching `text` as written. */
const literally = (text: string) => new RegExp(text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));

const OTHER_TOOLS = 'it was asked on a server offering other tools (toolsets, exclusions or read-only differ)';
const OTHER_LIMITS = 'it was asked on a server with other limits (--caps, --ad-accounts or --confirm-writes differ)';

/**
 * Replicas configured unlike the asker: what their page says, what the model reads there, and, for a record forged to
 * their deployment, why their own guard refuses to send it.
 */
const VARIANTS = [
  { name: '--read-only', args: ['--read-only'], reason: OTHER_TOOLS, readThere: /ad_groups_update writes, and this server runs read-only/, refusesThere: /this server does not offer it: ad_groups_update writes, and this server runs read-only/ },
  { name: '--exclude-tools ad_groups_update', args: ['--exclude-tools', 'ad_groups_update'], reason: OTHER_TOOLS, readThere: /ad_groups_update is left out on this server/, refusesThere: /this server does not offer it: ad_groups_update is left out on this server/ },
  { name: '--toolsets all', args: ['--toolsets', 'all'], reason: OTHER_TOOLS, readThere: literally(`cannot be read here: ${OTHER_TOOLS}`) },
  {
    name: '--caps daily_budget=40 USD', // below the 41 USD asked
    args: ['--caps', 'daily_budget=40 USD'],
    reason: OTHER_LIMITS,
    readThere: literally(`cannot be read here: ${OTHER_LIMITS}`),
    refusesThere: /body\[0\]\.budget: 41(\.00)?( USD)? is over the configured daily_budget cap of 40(\.00)? USD/,
  },
  {
    name: `--ad-accounts ${EUR_ACCOUNT}`, // not the account asked for
    args: ['--ad-accounts', EUR_ACCOUNT],
    reason: OTHER_LIMITS,
    readThere: literally(`ad account ${USD_ACCOUNT} is outside this server's accounts (${EUR_ACCOUNT})`),
    refusesThere: new RegExp(`ad account ${USD_ACCOUNT} is outside this server(&#39;|')s accounts \\(${EUR_ACCOUNT}\\)`), // as the page escapes it
  },
];

describe.each(HTTP_MATRIX)('replicas configured differently on one Redis ($mode): an approval executes only where it was asked', (matrix) => {
  let redis: ChildProcess;
  let emulator: Emulator;
  let asker: Served;
  let others: Record<string, Served>;

  beforeAll(async () => {
    const port = await freePort();
    redis = await startRedis(port);
    emulator = await startEmulator();
    const env = { PINTEREST_MCP_STORE: `redis://127.0.0.1:${port}`, PINTEREST_MCP_APPROVER_TOKEN: `alice=${ALICE}` };
    asker = await serve(emulator, [...matrix.args], env);
    others = Object.fromEntries(await Promise.all(VARIANTS.map(async (v) => [v.name, await serve(emulator, [...v.args, ...matrix.args], env)] as const)));
  }, 60_000);
  afterAll(async () => {
    await asker?.close();
    await Promise.all(Object.values(others ?? {}).map((o) => o.close()));
    await emulator?.close();
    redis?.kill();
  });
  beforeEach(() => emulator.reset());

  describe.each(matrix.clients)('$label', ({ kind }) => {
    it.each(VARIANTS)('a replica with $name neither lists, shows nor executes it, saying why; the asking replica executes it once', async (variant) => {
      const other = others[variant.name];
      const args = budget('41');
      const id = await hold(kind, asker, args);

      const alice = new PageApprover(asker.http.url);
      expect((await alice.signIn(ALICE)).status).toBe(303);
      const elsewhere = new PageApprover(other.http.url);
      expect((await elsewhere.signIn(ALICE)).status).toBe(303);

      // Listed where it was asked, not on the other replica.
      expect((await alice.get('/approvals')).html).toContain(`/approvals/${id}`);
      expect((await elsewhere.get('/approvals')).html).not.toContain(id);
      // Its page on the other replica refuses, saying why.
      const shown = await elsewhere.get(`/approvals/${id}`);
      expect(shown.status).toBe(404);
      expect(shown.html).toContain(`This server cannot execute this approval: ${variant.reason}`);
      expect(shown.html).not.toMatch(/action="\/approvals\/[^"]+\/(approve|reject)"/);

      // Approve and Reject forms rendered by the asking replica, sent to the other one: refused, nothing decided.
      for (const decision of ['approve', 'reject'] as const) {
        const posted = await postTo(alice, other, `/approvals/${id}/${decision}`, await alice.formFor(id, decision));
        expect(posted.status).toBe(409);
        expect(posted.html).toContain(`This server cannot execute this approval: ${variant.reason}. Nothing was decided or sent.`);
      }
      expect(writes(emulator)).toHaveLength(0);
      expect((await status(kind, asker, args, id)).structuredContent).toMatchObject({ status: 'approval_pending' });
      // Read on the other replica, it is not sent to a page that refuses it: it is refused there, saying where it belongs.
      const readElsewhere = await status(kind, other, args, id);
      expect(readElsewhere.isError).toBe(true);
      expect(readElsewhere.text).toMatch(variant.readThere);
      expect(readElsewhere.text).not.toContain(`/approvals/${id}`);

      // On the asking replica it is still pending and executes exactly once.
      expect((await alice.decide(id, 'approve')).status).toBe(303);
      expect(writes(emulator)).toHaveLength(1);
      expect(writes(emulator)[0]).toMatchObject({ operationId: 'ad_groups/update', body: [{ id: AD_GROUP, budget_in_micro_currency: 41_000_000 }] });
      const outcome = await status(kind, asker, args, id);
      expect(outcome.text).toMatch(/Approved by page:alice .*sent once/);
      expect(writes(emulator)).toHaveLength(1);
    });
  });

  // The page alone decides these (no client reads them), so one mode is enough.
  if (matrix === HTTP_MATRIX[0]) {
    const kind = matrix.clients[0].kind;
    it.each(VARIANTS.filter((v) => v.refusesThere))(
      "a record claiming the $name replica's deployment is listed there, but its own guard refuses to send it, saying why",
      async (variant) => {
        const other = others[variant.name];
        const args = budget('41');
        const id = await hold(kind, asker, args);
        // What a store written by another hand could hold: the asker's approval, re-bound to the other replica's tools and limits.
        const record = (await (await asker.app.engine()).store.get(`approval:${id}`)) as Approval;
        const forged: Approval = {
          ...record,
          id: `apr_${randomBytes(18).toString('base64url')}`,
          deployment: { ...record.deployment, selection: selectionFingerprint(other.app.selection.tools.map((t) => t.name)), limits: limitsOf(variant.args) },
        };
        await (await other.app.engine()).store.set(`approval-claim:${forged.id}`, true, 600_000);
        await (await other.app.engine()).store.set(`approval:${forged.id}`, forged, 600_000);

        const person = new PageApprover(other.http.url);
        await person.signIn(ALICE);
        expect((await person.get('/approvals')).html).toContain(forged.id);
        expect((await person.decide(forged.id, 'approve')).status).toBe(303);
        const page = await person.get(`/approvals/${forged.id}`);
        expect(page.html).toContain('Approved, but not sent');
        expect(page.html).toMatch(variant.refusesThere!);
        expect(writes(emulator)).toHaveLength(0);
        expect(((await (await other.app.engine()).store.get(`approval:${forged.id}`)) as Approval).state).toBe('not_sent');
      },
    );
  }
});

describe.each(HTTP_MATRIX)('deployments sharing one Redis (other base URL, other credential), $mode: nothing crosses', ({ args: modeArgs, clients }) => {
  const TOKENS = ['first-access-token-0123456789abcdef', 'second-access-token-0123456789abcde', 'third-access-token-0123456789abcdef'];
  let redis: ChildProcess;
  /** The first and third deployments send to `apis[0]` with different credentials; the second to `apis[1]`. */
  let apis: Emulator[];
  let deployments: Served[];

  beforeAll(async () => {
    const port = await freePort();
    redis = await startRedis(port);
    apis = [await startEmulator({ acceptedTokens: [TOKENS[0], TOKENS[2]] }), await startEmulator({ acceptedTokens: [TOKENS[1]] })];
    const env = (token: string) => ({ PINTEREST_ACCESS_TOKEN: token, PINTEREST_MCP_STORE: `redis://127.0.0.1:${port}`, PINTEREST_MCP_APPROVER_TOKEN: `alice=${ALICE}` });
    deployments = [await serve(apis[0], [...modeArgs], env(TOKENS[0])), await serve(apis[1], [...modeArgs], env(TOKENS[1])), await serve(apis[0], [...modeArgs], env(TOKENS[2]))];
  }, 60_000);
  afterAll(async () => {
    await Promise.all((deployments ?? []).map((d) => d.close()));
    await Promise.all((apis ?? []).map((a) => a.close()));
    redis?.kill();
  });

  beforeEach(() => apis.forEach((a) => a.reset()));

  it.each(clients)('$label: each lists, shows and executes only its own approvals, and its page says where the write goes', async ({ kind }) => {
    const asked = [budget('51'), budget('52'), budget('53', OTHER_AD_GROUP)];
    const ids = await Promise.all(deployments.map((d, i) => hold(kind, d, asked[i])));
    const people = await Promise.all(
      deployments.map(async (d) => {
        const person = new PageApprover(d.http.url);
        expect((await person.signIn(ALICE)).status).toBe(303);
        return person;
      }),
    );
    const hosts = [new URL(apis[0].url).host, new URL(apis[1].url).host, new URL(apis[0].url).host];

    for (const [i, person] of people.entries()) {
      const list = (await person.get('/approvals')).html;
      for (const [j, id] of ids.entries()) {
        if (i === j) expect(list).toContain(`/approvals/${id}`);
        else expect(list).not.toContain(id);
      }
      expect(list).toContain(`${hosts[i]} (custom URL)`);
      const own = await person.get(`/approvals/${ids[i]}`);
      expect(own.status).toBe(200);
      expect(own.html).toContain(`${hosts[i]} (custom URL)`);
    }

    // The other deployments' pages refuse, naming the reason: another base URL, or the same one with another credential.
    const refusal = async (at: number, of: number) => (await people[at].get(`/approvals/${ids[of]}`)).html;
    expect(await refusal(1, 0)).toContain(`it was asked for ${apis[0].url}, and this server sends to ${apis[1].url}`);
    expect(await refusal(0, 1)).toContain(`it was asked for ${apis[1].url}, and this server sends to ${apis[0].url}`);
    expect(await refusal(2, 0)).toContain('it was asked with another credential than this server holds');
    expect(await refusal(0, 2)).toContain('it was asked with another credential than this server holds');

    // Every deployment's Approve form sent to each other deployment: refused there.
    for (const [i, person] of people.entries()) {
      for (const [j, other] of deployments.entries()) {
        if (i === j) continue;
        const posted = await postTo(person, other, `/approvals/${ids[i]}/approve`, await person.formFor(ids[i], 'approve'));
        expect(posted.status, `${i} -> ${j}`).toBe(409);
        expect(posted.html).toContain('Nothing was decided or sent.');
      }
    }
    expect(apis.flatMap(writes)).toHaveLength(0);

    // Each approves its own: one write each, to its own API with its own credential.
    for (const [i, person] of people.entries()) expect((await person.decide(ids[i], 'approve')).status).toBe(303);
    const sent = apis.map(writes);
    expect(sent[0].map((r) => [r.headers.authorization, r.body])).toEqual([
      [`Bearer ${TOKENS[0]}`, [{ id: AD_GROUP, budget_in_micro_currency: 51_000_000 }]],
      [`Bearer ${TOKENS[2]}`, [{ id: OTHER_AD_GROUP, budget_in_micro_currency: 53_000_000 }]],
    ]);
    expect(sent[1].map((r) => [r.headers.authorization, r.body])).toEqual([[`Bearer ${TOKENS[1]}`, [{ id: AD_GROUP, budget_in_micro_currency: 52_000_000 }]]]);
    for (const [i, d] of deployments.entries()) {
      expect((await status(kind, d, asked[i], ids[i])).text).toMatch(/Approved by page:alice .*sent once/);
    }
    // Another deployment does not pass the outcome off as its own (sandbox and production would look alike).
    const readElsewhere = await status(kind, deployments[1], asked[0], ids[0]);
    expect(readElsewhere.structuredContent).toMatchObject({ status: 'approval_elsewhere', approval_id: ids[0] });
    expect(readElsewhere.text).toContain(`cannot be read here: it was asked for ${apis[0].url}, and this server sends to ${apis[1].url}`);
    expect(readElsewhere.text).not.toContain('sent once');
    expect(apis.flatMap(writes)).toHaveLength(3);
  });
});

describe('destination', () => {
  it.each([
    ['https://api.pinterest.com/v5', 'production', 'api.pinterest.com (production)'],
    ['https://api-sandbox.pinterest.com/v5', 'sandbox', 'api-sandbox.pinterest.com (sandbox)'],
    ['http://127.0.0.1:8080/v5', 'custom URL', '127.0.0.1:8080 (custom URL)'],
    ['not a url', 'custom URL', 'not a url (custom URL)'],
  ])('%s (%s) reads %s', (base_url, environment, expected) => {
    expect(destination({ api: 'pinterest', base_url, environment, credential: 'none', selection: 'x', limits: 'x' })).toBe(expected);
  });
});
