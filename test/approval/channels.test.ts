// Whose approval counts (--approval-channels), through real clients of both eras over stdio and HTTP: what reached the fake API, and what the audit says.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.js';
import { type Emulator, SEED, startEmulator } from '../../fakes/pinterest/server.js';
import type { AuditEntry } from '../../src/guard/audit.js';
import { PageApprover, recordingBrowser } from '../helpers/approver.js';
import { type Answer, CLIENT_KINDS, type ClientKind, type EraClient, type Target, connectEra } from '../helpers/era-clients.js';
import { SERVER_ENTRY, TOKEN, USD_ACCOUNT, startInProcess, startStdio, stdioServer } from '../helpers/harness.js';
import { type Served, serve, spawnServer } from '../helpers/http.js';
import { tempDir } from '../helpers/temp.js';

const AD_GROUP = SEED.adGroups.usd;
const budget = (amount: string) => ({ ad_account_id: USD_ACCOUNT, body: [{ id: AD_GROUP, budget: amount }] });
/** What the fake API receives for `budget('13')`. */
const SENT_BODY = [{ id: AD_GROUP, budget_in_micro_currency: 13_000_000 }];
const ALICE = 'alice-approver-token-0123456789abcdef';
const BOT = 'bot-bearer-token-0123456789abcdef0000';
const APPROVERS = { PINTEREST_MCP_APPROVER_TOKEN: `alice=${ALICE}`, PINTEREST_MCP_HTTP_TOKEN: BOT };
const AS_BOT = { authorization: `Bearer ${BOT}` };
/** A person who says yes to everything: confirms a form, opens a link. */
const ACCEPT: Answer = (asked) => (asked.mode === 'form' ? { action: 'accept', content: { confirm: true } } : { action: 'accept' });
/** Anything a result could carry of a stdio sign-in link. */
const SIGN_IN_LINK = /lnk_|\?key=/;

interface Held {
  status: string;
  approval_id: string;
}

const writes = (emulator: Emulator) => emulator.requests.filter((r) => r.method !== 'GET');
const auditPath = () => join(tempDir('audit-'), 'audit.jsonl');
const auditOf = (path: string): AuditEntry[] =>
  existsSync(path) ? readFileSync(path, 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line) as AuditEntry) : [];
/** A client name per era, so that an audit line's approver shows which client's declaration it came from. */
const nameFor = (kind: ClientKind, suffix: string) => `channels-${kind}-${suffix}`;

const HTTP_MODES = [
  { label: 'stateless', args: [] as string[], sessions: false },
  { label: '--stateful', args: ['--stateful'], sessions: true },
];

/** The audit's pair for one write (sending, then its outcome), checked to carry the same write id and `who`. */
function expectAuditPair(lines: AuditEntry[], who: Partial<AuditEntry>): void {
  expect(lines.map((l) => l.outcome)).toEqual(['sending', 'ok']);
  for (const line of lines) expect(line).toMatchObject({ tool: 'ad_groups_update', ...who });
  expect(lines[1].write_id).toBe(lines[0].write_id);
}

describe('HTTP with the default channels (page): a client that answers its own dialog sends nothing', () => {
  for (const mode of HTTP_MODES) {
    describe(mode.label, () => {
      let emulator: Emulator;
      let person: Served;
      let nobody: Served;
      let audit: string;
      beforeAll(async () => {
        emulator = await startEmulator();
        audit = auditPath();
        [person, nobody] = await Promise.all([
          serve(emulator, ['--approval', 'person', '--audit-log', audit, ...mode.args], APPROVERS),
          serve(emulator, ['--audit-log', audit, ...mode.args], { PINTEREST_MCP_HTTP_TOKEN: BOT }),
        ]);
      });
      afterAll(async () => {
        await person?.close();
        await nobody?.close();
        await emulator?.close();
      });

      for (const { kind, label } of CLIENT_KINDS) {
        it(`${label}, --approval person with approvers: approval_required, and its dialog is never asked`, async () => {
          const client = await connectEra(kind, { kind: 'http', url: person.url, headers: AS_BOT }, { name: nameFor(kind, 'page'), elicitation: { form: {} }, answer: ACCEPT });
          try {
            const held = await client.call('ad_groups_update', budget('13'));
            expect(held.structuredContent, held.text).toMatchObject({ status: 'approval_required', approval_id: expect.stringMatching(/^apr_/) });
            expect(held.text).toContain("waits on this server's approval page");
            const { approval_id } = held.structuredContent as unknown as Held;
            const polled = await client.call('ad_groups_update', { ...budget('13'), approval_id });
            expect(polled.structuredContent, polled.text).toMatchObject({ status: 'approval_pending', approval_id });
            expect(client.asked).toEqual([]);
            expect(writes(emulator)).toEqual([]);
            expect(auditOf(audit)).toEqual([]);
          } finally {
            await client.close();
          }
        });

        it(`${label}, no approvers at all: approval_unavailable, its dialog is never asked`, async () => {
          const client = await connectEra(kind, { kind: 'http', url: nobody.url, headers: AS_BOT }, { name: nameFor(kind, 'none'), elicitation: { form: {} }, answer: ACCEPT });
          try {
            const refused = await client.call('ad_groups_update', budget('13'));
            expect(refused.isError).toBe(true);
            expect(refused.structuredContent, refused.text).toEqual({ status: 'approval_unavailable' });
            expect(refused.text).toMatch(/no approvers \(PINTEREST_MCP_APPROVER_TOKEN\), and over HTTP a client's own dialog does not count/);
            expect(client.asked).toEqual([]);
            expect(writes(emulator)).toEqual([]);
            expect(auditOf(audit)).toEqual([]);
          } finally {
            await client.close();
          }
        });
      }
    });
  }
});

describe('HTTP with --approval-channels page,dialog: the client is a person\'s app, so its dialog counts', () => {
  for (const mode of HTTP_MODES) {
    describe(mode.label, () => {
      let emulator: Emulator;
      let served: Served;
      let audit: string;
      beforeAll(async () => {
        emulator = await startEmulator();
        audit = auditPath();
        served = await serve(emulator, ['--approval-channels', 'page,dialog', '--audit-log', audit, ...mode.args], APPROVERS);
      });
      afterAll(async () => {
        await served?.close();
        await emulator?.close();
      });
      beforeEach(() => emulator.reset());

      for (const { kind, era, label } of CLIENT_KINDS) {
        // A 2025-era client can be asked only over a live session; stateless, its held write waits for the page.
        if (era === 'legacy' && !mode.sessions) {
          it(`${label}: with no session to ask in, the write waits for the page; nothing is asked or sent`, async () => {
            const client = await connectEra(kind, { kind: 'http', url: served.url, headers: AS_BOT }, { name: nameFor(kind, 'dialog'), elicitation: { form: {} }, answer: ACCEPT });
            try {
              const held = await client.call('ad_groups_update', budget('13'));
              expect(held.structuredContent, held.text).toMatchObject({ status: 'approval_required' });
              expect(client.asked).toEqual([]);
              expect(writes(emulator)).toEqual([]);
            } finally {
              await client.close();
            }
          });
          continue;
        }
        it(`${label}: asks the dialog; accept sends exactly one write; the audit names the dialog, the client, its address${mode.sessions && era === 'legacy' ? ' and session' : ''}`, async () => {
          const client = await connectEra(kind, { kind: 'http', url: served.url, headers: AS_BOT }, { name: nameFor(kind, 'dialog'), elicitation: { form: {} }, answer: ACCEPT });
          const before = auditOf(audit).length;
          try {
            const result = await client.call('ad_groups_update', budget('13'));
            expect(result.isError, result.text).toBeFalsy();
            expect(client.asked).toHaveLength(1);
            expect(client.asked[0]).toMatchObject({ mode: 'form', message: expect.stringContaining('10.00 USD -> 13.00 USD') });
            expect(writes(emulator)).toHaveLength(1);
            expect(writes(emulator)[0]).toMatchObject({ operationId: 'ad_groups/update', body: SENT_BODY });
            const session = client.sessionId();
            if (mode.sessions && era === 'legacy') expect(session).toMatch(/\S/);
            else expect(session).toBeUndefined();
            const lines = auditOf(audit).slice(before);
            expectAuditPair(lines, { channel: 'dialog', approver: client.declaredAs, client: client.declaredAs, client_address: '127.0.0.1' });
            for (const line of lines) {
              expect(line.session).toBe(session);
              expect(line.approval_id).toBeUndefined();
            }
          } finally {
            await client.close();
          }
        });
      }
    });
  }
});

describe('HTTP with --approval-channels dialog: approvers are configured, but their page does not count', () => {
  let emulator: Emulator;
  let served: Served;
  beforeAll(async () => {
    emulator = await startEmulator();
    served = await serve(emulator, ['--approval-channels', 'dialog'], APPROVERS);
  });
  afterAll(async () => {
    await served?.close();
    await emulator?.close();
  });

  it('a client that cannot show a dialog is told that the channels leave no way to approve (not that approvers are missing)', async () => {
    const client = await connectEra('modern', { kind: 'http', url: served.url, headers: AS_BOT }, { name: nameFor('modern', 'no-dialog') });
    try {
      const refused = await client.call('ad_groups_update', budget('13'));
      expect(refused.structuredContent, refused.text).toEqual({ status: 'approval_unavailable' });
      expect(refused.text).toContain("this server's --approval-channels (dialog) leave no way for a person to approve in this client");
      expect(refused.text).not.toMatch(/no approvers/);
      expect(writes(emulator)).toEqual([]);
    } finally {
      await client.close();
    }
  });

  it('serves no /approvals, and says what the page needs', async () => {
    const page = await fetch(`${served.http.url}/approvals`);
    expect(page.status).toBe(404);
    expect(((await page.json()) as { error: string }).error).toContain('page among --approval-channels');
  });
});

describe('stdio with the default channels (dialog,page): the client\'s dialog counts', () => {
  let emulator: Emulator;
  beforeAll(async () => {
    emulator = await startEmulator();
  });
  afterAll(() => emulator?.close());
  beforeEach(() => emulator.reset());

  for (const { kind, label } of CLIENT_KINDS) {
    it(`built server, ${label}: accept sends exactly one write; the audit says dialog, the client, stdio`, async () => {
      const audit = auditPath();
      const client = await connectEra(kind, { kind: 'stdio', server: stdioServer(emulator, { args: ['--audit-log', audit] }) }, { name: nameFor(kind, 'stdio'), elicitation: { form: {} }, answer: ACCEPT });
      try {
        const result = await client.call('ad_groups_update', budget('13'));
        expect(result.isError, result.text).toBeFalsy();
        expect(client.asked).toHaveLength(1);
        expect(writes(emulator)).toHaveLength(1);
        expect(writes(emulator)[0].body).toEqual(SENT_BODY);
        expectAuditPair(auditOf(audit), { channel: 'dialog', approver: client.declaredAs, client: client.declaredAs, client_address: 'stdio' });
      } finally {
        await client.close();
      }
    });
  }

  for (const start of [startStdio, startInProcess]) {
    it(`${start === startStdio ? 'startStdio (built server)' : 'in-process'}: accept sends exactly one write`, async () => {
      const audit = auditPath();
      const asked: string[] = [];
      const h = await start({
        emulator,
        args: ['--audit-log', audit],
        onElicit: async (request) => {
          asked.push(request.params.message);
          return { action: 'accept', content: { confirm: true } };
        },
      });
      try {
        const result = await h.call('ad_groups_update', budget('13'));
        expect(result.isError, result.text).toBeFalsy();
        expect(asked).toHaveLength(1);
        expect(h.sent({ writesOnly: true })).toHaveLength(1);
        expectAuditPair(auditOf(audit), { channel: 'dialog', approver: 'test-client 1.0.0', client_address: 'stdio' });
      } finally {
        await h.close();
      }
    });
  }
});

describe('stdio with --approval-channels page: no dialog is asked, and the sign-in link goes only to a browser', () => {
  const PAGE_ONLY = ['--approval-channels', 'page'];
  /** No browser opens, and the server logs everything it logs. */
  const NO_BROWSER = { BROWSER: 'false', PINTEREST_MCP_LOG_LEVEL: 'trace' };
  let emulator: Emulator;
  beforeAll(async () => {
    emulator = await startEmulator();
  });
  afterAll(() => emulator?.close());
  beforeEach(() => emulator.reset());

  /** The held answer when no browser opened: honest about it, with no link in it. */
  function expectHonestHold(held: { structuredContent?: unknown; text: string }): string {
    expect(held.structuredContent, held.text).toMatchObject({ status: 'approval_required', approval_id: expect.stringMatching(/^apr_/) });
    expect(held.text).toContain('No web browser could be opened on this computer');
    expect(held.text).toContain('gives sign-in links only to a browser');
    expect(held.text).not.toMatch(/opened in the user's web browser|went to the server log|open-a-link dialog/);
    expect(JSON.stringify(held)).not.toMatch(SIGN_IN_LINK);
    return (held.structuredContent as Held).approval_id;
  }

  for (const { kind, label } of CLIENT_KINDS) {
    it(`built server, ${label} declaring form and URL elicitation: held for the page, nothing asked, no link anywhere the client sees`, async () => {
      const client: EraClient = await connectEra(
        kind,
        { kind: 'stdio', server: stdioServer(emulator, { args: PAGE_ONLY, env: NO_BROWSER }) } satisfies Target,
        { name: nameFor(kind, 'page-only'), elicitation: { form: {}, url: {} }, answer: ACCEPT },
      );
      let id: string;
      try {
        const held = await client.call('ad_groups_update', budget('13'));
        id = expectHonestHold(held);
        const polled = await client.call('ad_groups_update', { ...budget('13'), approval_id: id });
        expect(polled.structuredContent, polled.text).toMatchObject({ status: 'approval_pending', approval_id: id });
        expect(JSON.stringify(polled)).not.toMatch(SIGN_IN_LINK);
        expect(client.asked).toEqual([]);
        expect(writes(emulator)).toEqual([]);
      } finally {
        await client.close();
      }
      await client.stderrEnded;
      // The server did log this approval (at trace level, so stderr shows everything), without its sign-in link.
      expect(client.stderr()).toContain(id);
      expect(client.stderr()).toContain('"opened":false');
      expect(client.stderr()).not.toMatch(SIGN_IN_LINK);
    });
  }

  it('startStdio (built server, 1.x client that can open links): the same', async () => {
    const asked: unknown[] = [];
    const h = await startStdio({
      emulator,
      args: PAGE_ONLY,
      env: NO_BROWSER,
      elicitation: { form: {}, url: {} },
      onElicit: async (request) => {
        asked.push(request.params);
        return { action: 'accept', content: { confirm: true } };
      },
    });
    let id: string;
    try {
      id = expectHonestHold(await h.call('ad_groups_update', budget('13')));
      expect(asked).toEqual([]);
      expect(h.sent({ writesOnly: true })).toEqual([]);
    } finally {
      await h.close();
    }
    await h.stderrEnded;
    expect(h.stderr()).toContain(id);
    expect(h.stderr()).not.toMatch(SIGN_IN_LINK);
  });

  it('in-process, a client that can only open links (URL elicitation): it is never asked to open one', async () => {
    const asked: unknown[] = [];
    const h = await startInProcess({
      emulator,
      args: PAGE_ONLY,
      env: { BROWSER: 'false' },
      elicitation: { url: {} },
      onElicit: async (request) => {
        asked.push(request.params);
        return { action: 'accept' };
      },
    });
    try {
      const id = expectHonestHold(await h.call('ad_groups_update', budget('13')));
      const polled = await h.call('ad_groups_update', { ...budget('13'), approval_id: id });
      expect(polled.structuredContent).toMatchObject({ status: 'approval_pending' });
      expect(asked).toEqual([]);
      expect(h.sent({ writesOnly: true })).toEqual([]);
    } finally {
      await h.close();
    }
  });
});

describe('page approvals: the audit names the page, the approver and the client that asked', () => {
  for (const mode of HTTP_MODES) {
    describe(`HTTP ${mode.label}`, () => {
      let emulator: Emulator;
      let served: Served;
      let audit: string;
      let alice: PageApprover;
      beforeAll(async () => {
        emulator = await startEmulator();
        audit = auditPath();
        served = await serve(emulator, ['--approval', 'person', '--audit-log', audit, ...mode.args], APPROVERS);
        alice = new PageApprover(served.http.url);
        expect((await alice.signIn(ALICE)).status).toBe(303);
      });
      afterAll(async () => {
        await served?.close();
        await emulator?.close();
      });
      beforeEach(() => emulator.reset());

      for (const { kind, era, label } of CLIENT_KINDS) {
        const named = era === 'modern' || mode.sessions;
        it(`${label} asks, alice approves: exactly one write; audit channel page, approver alice, the bot's ${named ? 'name and ' : ''}address`, async () => {
          const bot = await connectEra(kind, { kind: 'http', url: served.url, headers: AS_BOT }, { name: nameFor(kind, 'bot'), elicitation: { form: {} }, answer: ACCEPT });
          try {
            const held = await bot.call('ad_groups_update', budget('13'));
            const { approval_id } = held.structuredContent as unknown as Held;
            expect(approval_id, held.text).toMatch(/^apr_/);
            expect(writes(emulator)).toEqual([]);
            const before = auditOf(audit).length;
            expect((await alice.decide(approval_id, 'approve')).status).toBe(303);
            expect(writes(emulator)).toHaveLength(1);
            expect(writes(emulator)[0].body).toEqual(SENT_BODY);
            const lines = auditOf(audit).slice(before);
            expectAuditPair(lines, { channel: 'page', approver: 'alice', approval_id, client_address: '127.0.0.1' });
            const session = mode.sessions && era === 'legacy' ? bot.sessionId() : undefined;
            if (mode.sessions && era === 'legacy') expect(session).toMatch(/\S/);
            // A stateless 2025-era call carries no name: the client declared it in an initialize no server kept.
            const name = named ? bot.declaredAs : undefined;
            for (const line of lines) {
              expect(line.session).toBe(session);
              expect(line.client).toBe(name);
            }

            const outcome = await bot.call('ad_groups_update', { ...budget('13'), approval_id });
            expect(outcome.text).toMatch(/Approved by page:alice .* and sent once/);
            expect(bot.asked).toEqual([]);
            expect(writes(emulator)).toHaveLength(1);
          } finally {
            await bot.close();
          }
        });
      }
    });
  }

  it('stdio, built server with --approval-channels page, a 2026-07-28 client: the link opens in the browser only; audit page, local, the client, stdio', async () => {
    const emulator = await startEmulator();
    const browser = recordingBrowser();
    const audit = auditPath();
    const client = await connectEra(
      'modern',
      { kind: 'stdio', server: stdioServer(emulator, { args: ['--approval-channels', 'page', '--audit-log', audit], env: { BROWSER: browser.command } }) },
      { name: nameFor('modern', 'stdio-page'), elicitation: { form: {}, url: {} }, answer: ACCEPT },
    );
    try {
      const held = await client.call('ad_groups_update', budget('13'));
      const { approval_id } = held.structuredContent as unknown as Held;
      expect(approval_id, held.text).toMatch(/^apr_/);
      expect(held.text).toContain("It opened in the user's web browser on this computer");
      expect(JSON.stringify(held)).not.toMatch(SIGN_IN_LINK);
      const link = await browser.next(1);
      const person = new PageApprover(new URL(link).origin);
      expect((await person.openLink(link)).status).toBe(303);
      expect((await person.decide(approval_id, 'approve')).status).toBe(303);
      expect(writes(emulator)).toHaveLength(1);
      expectAuditPair(auditOf(audit), { channel: 'page', approver: 'local', approval_id, client: client.declaredAs, client_address: 'stdio' });
      expect(client.asked).toEqual([]);
    } finally {
      await client.close();
      await emulator.close();
    }
  });

  it('stdio in-process with --approval-channels page: the same for the 1.x client', async () => {
    const browser = recordingBrowser();
    const audit = auditPath();
    const h = await startInProcess({ args: ['--approval-channels', 'page', '--audit-log', audit], env: { BROWSER: browser.command } });
    try {
      const held = await h.call('ad_groups_update', budget('13'));
      const { approval_id } = held.structuredContent as unknown as Held;
      const link = await browser.next(1);
      const person = new PageApprover(new URL(link).origin);
      await person.openLink(link);
      expect((await person.decide(approval_id, 'approve')).status).toBe(303);
      expect(h.sent({ writesOnly: true })).toHaveLength(1);
      expectAuditPair(auditOf(audit), { channel: 'page', approver: 'local', approval_id, client: 'test-client 1.0.0', client_address: 'stdio' });
    } finally {
      await h.close();
    }
  });
});

describe('configuration of the channels', () => {
  const env = { PINTEREST_API_BASE_URL: 'http://127.0.0.1:9/v5', PINTEREST_ACCESS_TOKEN: TOKEN };

  it('refuses token in --approval-channels: the token comes only with --approval model', () => {
    expect(() => loadConfig(['--approval-channels', 'token'], env)).toThrow('--approval-channels entries must each be page or dialog (token comes with --approval model); "token" is not');
    expect(() => loadConfig(['--approval-channels', 'page,token'], env)).toThrow(/"token" is not/);
    expect(() => loadConfig([], { ...env, PINTEREST_MCP_APPROVAL_CHANNELS: 'dialog,token' })).toThrow(/^PINTEREST_MCP_APPROVAL_CHANNELS entries must each be page or dialog/);
    expect(() => loadConfig(['--approval', 'model', '--approval-channels', 'token'], env)).toThrow(/"token" is not/);
  });

  it('refuses page with --approval model, which serves no approval page', () => {
    expect(() => loadConfig(['--approval', 'model', '--approval-channels', 'page'], env)).toThrow(/--approval-channels page needs --approval person or auto/);
    expect(() => loadConfig(['--approval', 'model', '--approval-channels', 'dialog,page', '--transport', 'http'], env)).toThrow(/needs --approval person or auto/);
  });

  it('reads the channels in force: the transport\'s default, the operator\'s list, the token with --approval model', () => {
    const channels = (argv: string[]) => loadConfig(argv, env).approval.channels;
    expect(channels([])).toEqual(['dialog', 'page']);
    expect(channels(['--transport', 'http'])).toEqual(['page']);
    expect(channels(['--transport', 'http', '--approval-channels', 'page,dialog'])).toEqual(['page', 'dialog']);
    expect(channels(['--approval-channels', 'page,page'])).toEqual(['page']);
    expect(channels(['--approval', 'model'])).toEqual(['token', 'dialog']);
    expect(channels(['--approval', 'model', '--transport', 'http'])).toEqual(['token']);
    expect(channels(['--approval', 'model', '--transport', 'http', '--approval-channels', 'dialog'])).toEqual(['token', 'dialog']);
  });

  it('the built server refuses to start on either, naming the setting (exit 2)', async () => {
    for (const argv of [['--approval-channels', 'token'], ['--approval', 'model', '--approval-channels', 'page']]) {
      const child = spawn(process.execPath, [SERVER_ENTRY, ...argv], { env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
      const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
      expect(code, stderr).toBe(2);
      expect(stderr.split('\n')[0]).toMatch(/^--approval-channels /);
    }
  });

  /** The start-up line of a spawned HTTP server (it follows the "listening" line). */
  async function httpStartup(args: string[], extraEnv: Record<string, string> = {}): Promise<string> {
    const server = await spawnServer(args, { ...env, ...extraEnv });
    try {
      const child = server.child;
      while (!/ ready on http/.test(server.stderr())) {
        await new Promise((resolve) => child.stderr!.once('data', resolve));
      }
      return server.stderr();
    } finally {
      const exited = new Promise((resolve) => server.child.once('exit', resolve));
      server.child.kill('SIGTERM');
      await exited;
    }
  }

  it('names the channels in force in the start-up line, and warns where they leave a gap or trust HTTP clients', async () => {
    const byDefault = await httpStartup([]);
    expect(byDefault).toContain('approval auto via page;');
    expect(byDefault).toContain('"approval":"auto via page"');
    expect(byDefault).toContain("no one can approve held writes: no approvers (PINTEREST_MCP_APPROVER_TOKEN), and HTTP clients' own dialogs do not count");

    const dialogs = await httpStartup(['--approval-channels', 'page,dialog'], APPROVERS);
    expect(dialogs).toContain('approval auto via page,dialog;');
    expect(dialogs).toContain('--approval-channels includes dialog: an HTTP client that answers its own dialog approves spend');

    const model = await httpStartup(['--approval', 'model']);
    expect(model).toContain('approval model via token;');

    const h = await startStdio({ args: ['--approval-channels', 'page'], env: { PINTEREST_MCP_LOG_LEVEL: 'info' } });
    await h.close();
    await h.stderrEnded;
    expect(h.stderr()).toContain('ready on stdio');
    expect(h.stderr()).toContain('approval auto via page;');
  });
});
