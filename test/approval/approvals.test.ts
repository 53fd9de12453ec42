// A person approves spend, never the model: approval ids, the approval page (stdio link, HTTP approvers), CSRF, replicas, webhook, audit.
import { Client as ModernClient } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../../src/config/index.js';
import { type Emulator, startEmulator } from '../../fakes/pinterest/server.js';
import { PageApprover, csrfOf, recordingBrowser } from '../helpers/approver.js';
import { type Harness, USD_ACCOUNT, startInProcess, stdioServer, textOf } from '../helpers/harness.js';
import { type Served, callText, connect, serve } from '../helpers/http.js';
import { freePort, startRedis } from '../helpers/processes.js';
import { tempDir } from '../helpers/temp.js';
import { EVENTUALLY } from '../helpers/waiting.js';
import { type WebhookReceiver, webhookReceiver } from '../helpers/webhook.js';

const AD_GROUP = '2680059592701';
const budget = (amount: string) => ({ ad_account_id: USD_ACCOUNT, body: [{ id: AD_GROUP, budget: amount }] });
const ALICE = 'alice-approver-token-0123456789abcdef';
const BOB = 'bob-approver-token-0123456789abcdef00';
const BOT = 'bot-bearer-token-0123456789abcdef0000';

interface Held {
  status: string;
  approval_id: string;
  expires_at: string;
  request: { method: string; path: string; body: unknown };
  changes: Record<string, unknown>[];
}

const writes = (emulator: Emulator) => emulator.requests.filter((r) => r.method !== 'GET');
const audit = (path: string) => readFileSync(path, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);

describe('approval page over stdio (link sign-in)', () => {
  let h: Harness;
  let browser: ReturnType<typeof recordingBrowser>;
  let auditPath: string;
  let approvals: string[];
  beforeAll(async () => {
    browser = recordingBrowser();
    auditPath = join(tempDir('audit-'), 'audit.jsonl');
    // Every held write here opens its own tab (no tab bound), so that each test reads its own link.
    h = await startInProcess({ args: ['--audit-log', auditPath], env: { BROWSER: browser.command, PINTEREST_MCP_APPROVAL_TAB_SECONDS: '0' } });
  });
  afterAll(() => h?.close());
  beforeEach(() => h.emulator.reset());

  async function hold(amount: string): Promise<{ held: Held; text: string; link: string }> {
    const before = browser.links().length;
    const result = await h.call('ad_groups_update', budget(amount));
    expect(result.isError, result.text).toBeFalsy();
    return { held: result.structuredContent as unknown as Held, text: result.text, link: await browser.next(before + 1) };
  }

  it('lists approval_id and no confirmation_token, and refuses a confirmation_token argument', async () => {
    const { tools } = await h.client.listTools();
    const schema = tools.find((t) => t.name === 'ad_groups_update')?.inputSchema as { properties: Record<string, unknown> };
    expect(Object.keys(schema.properties)).toContain('approval_id');
    expect(Object.keys(schema.properties)).not.toContain('confirmation_token');
    const refused = await h.call('ad_groups_update', { ...budget('12.50'), confirmation_token: 'cfm_anything' });
    expect(refused.isError).toBe(true);
    expect(writes(h.emulator)).toHaveLength(0);
  });

  it('holds the write, answers approval_pending until the person approves on the page, then sends it exactly once', async () => {
    const { held, text, link } = await hold('12.50');
    expect(held).toMatchObject({ status: 'approval_required', approval_id: expect.stringMatching(/^apr_/) });
    expect(Date.parse(held.expires_at)).toBeGreaterThan(Date.now());
    expect(held.request).toMatchObject({ method: 'PATCH', body: [{ id: AD_GROUP, budget_in_micro_currency: 12_500_000 }] });
    expect(held.changes[0]).toMatchObject({ field: 'budget', from: '10.00 USD', to: '12.50 USD', change_percent: 25 });
    expect(text).toMatch(/Ask the user to approve or reject it on the approval page/);
    expect(text).toContain(`approval_id "${held.approval_id}"`);
    // The sign-in link's secret went to the browser only.
    const key = new URL(link).searchParams.get('key') ?? '';
    expect(key).toMatch(/^lnk_/);
    expect(JSON.stringify(held) + text).not.toContain(key);
    expect(JSON.stringify(held) + text).not.toMatch(/cfm_|lnk_/);

    const args = { ...budget('12.50'), approval_id: held.approval_id };
    const pending = await h.call('ad_groups_update', args);
    expect(pending.structuredContent).toMatchObject({ status: 'approval_pending', approval_id: held.approval_id });
    expect(writes(h.emulator)).toHaveLength(0);

    const person = new PageApprover(new URL(link).origin);
    const signedIn = await person.openLink(link);
    expect(signedIn.status).toBe(303);
    expect(signedIn.location).toBe(`/approvals/${held.approval_id}`);
    // Two renders of the page: two Approve forms, each sendable once.
    const first = await person.formFor(held.approval_id, 'approve');
    const second = await person.formFor(held.approval_id, 'approve');
    const approved = await person.post(`/approvals/${held.approval_id}/approve`, { csrf: first });
    expect(approved.status).toBe(303);
    expect(writes(h.emulator)).toHaveLength(1);
    expect(writes(h.emulator)[0].body).toEqual([{ id: AD_GROUP, budget_in_micro_currency: 12_500_000 }]);
    const again = await person.post(`/approvals/${held.approval_id}/approve`, { csrf: second });
    expect(again.status).toBe(409);
    expect(again.html).toContain('nothing more was sent');
    const replayed = await person.post(`/approvals/${held.approval_id}/approve`, { csrf: first });
    expect(replayed.status).toBe(403);
    expect(writes(h.emulator)).toHaveLength(1);

    const page = await person.get(`/approvals/${held.approval_id}`);
    expect(page.html).toContain('Approved and sent once');
    expect(page.html).toContain('Verified by reading back');

    for (let i = 0; i < 2; i++) {
      const outcome = await h.call('ad_groups_update', args);
      expect(outcome.isError, outcome.text).toBeFalsy();
      expect(outcome.text).toMatch(/Approved by page:local .* and sent once/);
      expect(outcome.structuredContent).toMatchObject({ approval: { id: held.approval_id, status: 'approved', decided_by: 'page:local' } });
    }
    expect(writes(h.emulator)).toHaveLength(1);
    const [sending, done] = audit(auditPath).slice(-2);
    const who = { tool: 'ad_groups_update', channel: 'page', approver: 'local', approval_id: held.approval_id, client: 'test-client 1.0.0', client_address: 'stdio' };
    expect(sending).toMatchObject({ ...who, outcome: 'sending' });
    expect(done).toMatchObject({ ...who, outcome: 'ok', write_id: sending.write_id });

    // The link signed in once; another browser cannot use it again.
    expect((await new PageApprover(person.base).openLink(link)).status).toBe(403);
  });

  it('sends nothing on Reject and tells the model so', async () => {
    const { held, link } = await hold('13');
    const person = new PageApprover(new URL(link).origin);
    await person.openLink(link);
    expect((await person.decide(held.approval_id, 'reject')).status).toBe(303);
    const outcome = await h.call('ad_groups_update', { ...budget('13'), approval_id: held.approval_id });
    expect(outcome.structuredContent).toMatchObject({ status: 'approval_rejected', decided_by: 'page:local' });
    expect(writes(h.emulator)).toHaveLength(0);
    // A rejected approval cannot be approved afterwards.
    const late = await person.post(`/approvals/${held.approval_id}/approve`, { csrf: 'csrf_aaaaaaaaaaaaaaaaaaaaaaaa' });
    expect(late.status).toBe(403);
    expect(writes(h.emulator)).toHaveLength(0);
  });

  it('refuses forged, foreign and cross-origin forms', async () => {
    const { held, link } = await hold('14');
    const person = new PageApprover(new URL(link).origin);
    await person.openLink(link);
    const path = `/approvals/${held.approval_id}/approve`;
    expect((await person.post(path, { csrf: 'csrf_forgedforgedforgedforged' })).status).toBe(403);
    // A Reject form's token does not approve, and a form sent from another origin (or none) is refused.
    expect((await person.post(path, { csrf: await person.formFor(held.approval_id, 'reject') })).status).toBe(403);
    expect((await person.post(path, { csrf: await person.formFor(held.approval_id, 'approve') }, 'http://evil.example')).status).toBe(403);
    expect((await person.post(path, { csrf: await person.formFor(held.approval_id, 'approve') }, null)).status).toBe(403);
    // Without the session cookie: sign-in needed.
    const stranger = new PageApprover(person.base);
    expect((await stranger.get(`/approvals/${held.approval_id}`)).status).toBe(401);
    expect(writes(h.emulator)).toHaveLength(0);
  });

  it('answers approval_expired after the approval expires, and nothing can approve it then', async () => {
    const { held, link } = await hold('15');
    const person = new PageApprover(new URL(link).origin);
    await person.openLink(link);
    const csrf = await person.formFor(held.approval_id, 'approve');
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() + 601_000 });
    try {
      const outcome = await h.call('ad_groups_update', { ...budget('15'), approval_id: held.approval_id });
      expect(outcome.structuredContent).toMatchObject({ status: 'approval_expired' });
      expect((await person.post(`/approvals/${held.approval_id}/approve`, { csrf })).status).toBe(410);
    } finally {
      vi.useRealTimers();
    }
    expect(writes(h.emulator)).toHaveLength(0);
  });

  it('executes no held write when any string from any result is replayed as approval_id, and tells wrong arguments apart', async () => {
    const { held, text } = await hold('16');
    const strings = new Set<string>([held.approval_id, ...(text.match(/[\w-]{12,}/g) ?? []), ...(JSON.stringify(held).match(/[\w-]{12,}/g) ?? [])]);
    for (const s of strings) {
      const replay = await h.call('ad_groups_update', { ...budget('16'), approval_id: s });
      expect(['approval_pending', 'approval_unknown']).toContain((replay.structuredContent as { status?: string })?.status);
    }
    const other = await h.call('ad_groups_update', { ...budget('99999'), approval_id: held.approval_id });
    expect(other.structuredContent).toMatchObject({ status: 'approval_mismatch' });
    expect(writes(h.emulator)).toHaveLength(0);
  });

  it('says who approved in the audit: the dialog, the page, the model token', async () => {
    const dialogAudit = join(tempDir('audit-'), 'audit.jsonl');
    const dialog = await startInProcess({ args: ['--audit-log', dialogAudit], onElicit: async () => ({ action: 'accept', content: { confirm: true } }) });
    const model = await startInProcess({ args: ['--approval', 'model', '--audit-log', dialogAudit], emulator: dialog.emulator });
    try {
      expect((await dialog.call('ad_groups_update', budget('17'))).isError).toBeFalsy();
      const preview = (await model.call('ad_groups_update', budget('18'))).structuredContent as { confirmation_token: string };
      expect((await model.call('ad_groups_update', { ...budget('18'), confirmation_token: preview.confirmation_token })).isError).toBeFalsy();
      const lines = audit(dialogAudit);
      expect(lines.map((e) => e.outcome)).toEqual(['sending', 'ok', 'sending', 'ok']);
      expect(lines.filter((e) => e.outcome === 'ok').map((e) => `${e.channel}:${e.approver}`)).toEqual(['dialog:test-client 1.0.0', 'token:model']);
    } finally {
      await model.close();
      await dialog.close();
    }
  });
});

describe('approval page link by URL elicitation', () => {
  it('asks a client that can open links to open the sign-in link when no browser opens (the link stays out of results)', async () => {
    const asked: { mode?: string; url?: string }[] = [];
    const h = await startInProcess({
      env: { BROWSER: 'false' },
      elicitation: { url: {} },
      onElicit: async (request) => {
        asked.push(request.params as { mode?: string; url?: string });
        return { action: 'accept' };
      },
    });
    try {
      const result = await h.call('ad_groups_update', budget('19'));
      const held = result.structuredContent as unknown as Held;
      expect(held.status).toBe('approval_required');
      await vi.waitFor(() => expect(asked).toHaveLength(1), EVENTUALLY);
      expect(asked[0].mode).toBe('url');
      const link = asked[0].url ?? '';
      expect(link).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:\\d+/approvals/${held.approval_id}\\?key=lnk_`));
      expect(result.text + JSON.stringify(held)).not.toContain('lnk_');
      const person = new PageApprover(new URL(link).origin);
      await person.openLink(link);
      expect((await person.decide(held.approval_id, 'approve')).status).toBe(303);
      expect(writes(h.emulator)).toHaveLength(1);
    } finally {
      await h.close();
    }
  });

  it('2026-07-28: answers the link as an input_required URL round; the retry reads the approval', async () => {
    const emulator = await startEmulator();
    const client = new ModernClient({ name: 'url-test', version: '1.0.0' }, { versionNegotiation: { mode: { pin: '2026-07-28' } }, capabilities: { elicitation: { url: {} } } });
    const asked: { mode?: string; url?: string }[] = [];
    client.setRequestHandler('elicitation/create', async (request) => {
      asked.push(request.params as { mode?: string; url?: string });
      return { action: 'accept' };
    });
    const transport = new StdioClientTransport(stdioServer(emulator, { env: { BROWSER: 'false' } }));
    transport.stderr?.on('data', () => {});
    await client.connect(transport);
    try {
      const result = await client.callTool({ name: 'ad_groups_update', arguments: budget('24') });
      expect(asked).toHaveLength(1);
      expect(asked[0]).toMatchObject({ mode: 'url', url: expect.stringMatching(/\/approvals\/apr_[\w-]+\?key=lnk_/) });
      // The retry read the approval it opened: pending, with its id, and no link in the result.
      const id = /\/approvals\/(apr_[\w-]+)/.exec(asked[0].url ?? '')?.[1];
      expect(result.structuredContent).toMatchObject({ status: 'approval_pending', approval_id: id });
      expect(JSON.stringify(result)).not.toContain('lnk_');
      const person = new PageApprover(new URL(asked[0].url ?? '').origin);
      await person.openLink(asked[0].url ?? '');
      expect((await person.decide(id ?? '', 'approve')).status).toBe(303);
      expect(writes(emulator)).toHaveLength(1);
    } finally {
      await client.close();
      await emulator.close();
    }
  });
});

describe('approval modes', () => {
  it('refuses --approval-fallback model outside auto', () => {
    expect(() => loadConfig(['--approval', 'person', '--approval-fallback', 'model'], {})).toThrow(/needs --approval auto/);
    expect(() => loadConfig([], { PINTEREST_MCP_HTTP_TOKEN: BOT, PINTEREST_MCP_APPROVER_TOKEN: `alice=${BOT}` })).toThrow(/must differ/);
    expect(() => loadConfig([], { PINTEREST_MCP_APPROVER_TOKEN: 'alice=short' })).toThrow(/too short/);
    expect(loadConfig([], { PINTEREST_MCP_APPROVER_TOKEN: `alice=${ALICE}, bob=${BOB}` }).approval.approvers).toEqual([
      { id: 'alice', token: ALICE },
      { id: 'bob', token: BOB },
    ]);
  });

  it('HTTP without approvers: held writes are refused (no one can approve), unless the operator allows the model fallback', async () => {
    const emulator = await startEmulator();
    const strict = await serve(emulator);
    const fallback = await serve(emulator, ['--approval-fallback', 'model']);
    try {
      const a = await connect(strict.url);
      const refused = await callText(a, 'ad_groups_update', budget('20'));
      expect(refused.isError).toBe(true);
      expect(refused.structuredContent).toMatchObject({ status: 'approval_unavailable' });
      const b = await connect(fallback.url);
      const preview = await callText(b, 'ad_groups_update', budget('20'));
      expect(preview.structuredContent).toMatchObject({ status: 'confirmation_required' });
      const token = (preview.structuredContent as { confirmation_token: string }).confirmation_token;
      expect((await callText(b, 'ad_groups_update', { ...budget('20'), confirmation_token: token })).isError).toBeFalsy();
      expect(writes(emulator)).toHaveLength(1);
      await a.close();
      await b.close();
    } finally {
      await strict.close();
      await fallback.close();
      await emulator.close();
    }
  });
});

describe('approvals page over HTTP (approver tokens)', () => {
  let emulator: Emulator;
  let served: Served;
  let webhook: WebhookReceiver;
  let hooks: string[];
  beforeAll(async () => {
    webhook = await webhookReceiver();
    hooks = webhook.bodies;
    emulator = await startEmulator();
    served = await serve(emulator, ['--approval-webhook', webhook.url], {
      PINTEREST_MCP_HTTP_TOKEN: BOT,
      PINTEREST_MCP_APPROVER_TOKEN: `alice=${ALICE},bob=${BOB}`,
    });
  });
  afterAll(async () => {
    await served?.close();
    await emulator?.close();
    await webhook?.close();
  });
  beforeEach(() => emulator.reset());

  async function hold(amount: string): Promise<Held> {
    const bot = await connect(served.url, { authorization: `Bearer ${BOT}` });
    try {
      const result = await callText(bot, 'ad_groups_update', budget(amount));
      expect(result.text).toContain('/approvals/apr_');
      return result.structuredContent as unknown as Held;
    } finally {
      await bot.close();
    }
  }

  it('lets an approver sign in, list and approve; the bot bearer cannot approve', async () => {
    const held = await hold('21');
    // The bot's token, as a header or typed into the form, gets 403.
    expect((await fetch(`${served.http.url}/approvals`, { headers: { authorization: `Bearer ${BOT}` } })).status).toBe(403);
    const bot = new PageApprover(served.http.url);
    expect((await bot.signIn(BOT)).status).toBe(403);
    expect((await bot.get(`/approvals/${held.approval_id}`)).status).toBe(401);
    expect((await new PageApprover(served.http.url).signIn('not-a-token-at-all-0123456789')).status).toBe(401);

    const alice = new PageApprover(served.http.url);
    const signedIn = await alice.signIn(ALICE);
    expect(signedIn.status).toBe(303);
    const list = await alice.get('/approvals');
    expect(list.html).toContain(`/approvals/${held.approval_id}`);
    expect(list.html).toContain('Signed in as alice');
    expect((await alice.decide(held.approval_id, 'approve')).status).toBe(303);
    expect(writes(emulator)).toHaveLength(1);
    const page = await alice.get(`/approvals/${held.approval_id}`);
    expect(page.html).toContain('page:alice');
    expect((await alice.get('/approvals')).html).not.toContain(held.approval_id);
  });

  it('refuses a sign-in form without its own CSRF field', async () => {
    const person = new PageApprover(served.http.url);
    await person.get('/approvals');
    expect((await person.post('/approvals/sign-in', { csrf: 'csrf_forgedforgedforgedforged', token: ALICE })).status).toBe(403);
    const other = new PageApprover(served.http.url);
    const form = await other.get('/approvals');
    // A sign-in form issued to another browser (another login cookie) is refused too.
    expect((await person.post('/approvals/sign-in', { csrf: csrfOf(form.html, '/approvals/sign-in'), token: ALICE })).status).toBe(403);
  });

  it('posts a summary without secrets to the webhook', async () => {
    const held = await hold('22');
    await vi.waitFor(() => expect(hooks.some((h) => h.includes(held.approval_id))).toBe(true), EVENTUALLY);
    const hook = JSON.parse(hooks.find((h) => h.includes(held.approval_id)) ?? '{}');
    expect(hook).toMatchObject({ event: 'approval.created', approval_id: held.approval_id, tool: 'ad_groups_update', ad_account_id: USD_ACCOUNT, page: `/approvals/${held.approval_id}` });
    for (const secret of [ALICE, BOB, BOT, 'lnk_', 'csrf_']) expect(JSON.stringify(hook)).not.toContain(secret);
  });
});

describe('approvals on two replicas sharing Redis', () => {
  let redis: ChildProcess;
  let emulator: Emulator;
  let replicas: Served[];
  beforeAll(async () => {
    const port = await freePort();
    redis = await startRedis(port);
    emulator = await startEmulator();
    const env = { PINTEREST_MCP_STORE: `redis://127.0.0.1:${port}`, PINTEREST_MCP_APPROVER_TOKEN: `alice=${ALICE},bob=${BOB}` };
    replicas = await Promise.all([serve(emulator, [], env), serve(emulator, [], env)]);
  }, 30_000);
  afterAll(async () => {
    await Promise.all((replicas ?? []).map((r) => r.close()));
    await emulator?.close();
    redis?.kill();
  });
  afterEach(() => emulator.reset());

  it('shows an approval on every replica, and two approvers racing on two replicas produce one write', async () => {
    const client = await connect(replicas[0].url);
    const held = (await callText(client, 'ad_groups_update', budget('23'))).structuredContent as unknown as Held;
    await client.close();
    const alice = new PageApprover(replicas[0].http.url);
    const bob = new PageApprover(replicas[1].http.url);
    await alice.signIn(ALICE);
    await bob.signIn(BOB);
    expect((await bob.get('/approvals')).html).toContain(held.approval_id);
    const forms = await Promise.all([alice.formFor(held.approval_id, 'approve'), bob.formFor(held.approval_id, 'approve')]);
    const answers = await Promise.all([
      alice.post(`/approvals/${held.approval_id}/approve`, { csrf: forms[0] }),
      bob.post(`/approvals/${held.approval_id}/approve`, { csrf: forms[1] }),
    ]);
    expect(answers.map((a) => a.status).sort()).toEqual([303, 409]);
    expect(writes(emulator)).toHaveLength(1);
    const reader = await connect(replicas[1].url);
    const outcome = await callText(reader, 'ad_groups_update', { ...budget('23'), approval_id: held.approval_id });
    expect(outcome.text).toMatch(/Approved by page:(alice|bob)/);
    expect(textOf(outcome)).toContain('sent once');
    await reader.close();
  });
});
