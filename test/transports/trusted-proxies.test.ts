// Behind a reverse proxy: a request counts as from the client the trusted proxy forwards (PINTEREST_MCP_TRUSTED_PROXIES), and from no one else's say-so.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { type Emulator, startEmulator } from '../../fakes/pinterest/server.js';
import { createLogger } from '../../src/core/logger.js';
import { PageApprover, csrfOf } from '../helpers/approver.js';
import { USD_ACCOUNT } from '../helpers/harness.js';
import { type Served, callText, connect, fetchFrom, serve } from '../helpers/http.js';
import { tempDir } from '../helpers/temp.js';

const AD_GROUP = '2680059592701';
const budget = (amount: string) => ({ ad_account_id: USD_ACCOUNT, body: [{ id: AD_GROUP, budget: amount }] });
const ALICE = 'alice-approver-token-0123456789abcdef';
const APPROVERS = { PINTEREST_MCP_APPROVER_TOKEN: `alice=${ALICE}` };
const TRUST_LOOPBACK_ONE = { PINTEREST_MCP_TRUSTED_PROXIES: '127.0.0.1' };

const writes = (emulator: Emulator) => emulator.requests.filter((r) => r.method !== 'GET');
const statusOf = (result: { structuredContent?: unknown }) => (result.structuredContent as { status: string }).status;
const approvalIdOf = (result: { structuredContent?: unknown }) => (result.structuredContent as { approval_id: string }).approval_id;
const auditOf = (path: string) => readFileSync(path, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);

/** A fetch leaving from `localAddress` (the socket's peer as the server sees it) that says `X-Forwarded-For: forwarded`. */
function through(localAddress: string, forwarded: string): typeof globalThis.fetch {
  const fetch = fetchFrom(localAddress);
  return ((input: Parameters<typeof globalThis.fetch>[0], init: RequestInit = {}) => {
    const headers = new Headers(init.headers);
    headers.set('x-forwarded-for', forwarded);
    return fetch(input, { ...init, headers });
  }) as typeof globalThis.fetch;
}

describe('approvals pending per client, and the audit, behind a proxy', () => {
  let emulator: Emulator;
  const clients: Client[] = [];
  let served: Served | undefined;
  let audit: string;
  beforeAll(async () => {
    emulator = await startEmulator();
  });
  beforeEach(() => {
    emulator.reset();
    audit = join(tempDir('audit-'), 'audit.jsonl');
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
    await served?.close();
    served = undefined;
  });
  afterAll(async () => {
    await emulator?.close();
  });

  const clientVia = async (localAddress: string, forwarded: string) => {
    const c = await connect(served!.url, {}, through(localAddress, forwarded));
    clients.push(c);
    return c;
  };

  it('without PINTEREST_MCP_TRUSTED_PROXIES, X-Forwarded-For is ignored: clients writing different ones share their address and its bound', async () => {
    served = await serve(emulator, ['--max-pending-approvals', '1', '--audit-log', audit], APPROVERS);
    const first = await clientVia('127.0.0.1', '203.0.113.1');
    const second = await clientVia('127.0.0.1', '203.0.113.2');

    const held = await callText(first, 'ad_groups_update', budget('71'));
    expect(statusOf(held), held.text).toBe('approval_required');
    const refused = await callText(second, 'ad_groups_update', budget('72'));
    expect(refused.structuredContent).toEqual({ status: 'too_many_pending', pending: 1, limit: 1, setting: '--max-pending-approvals', page: "this server's /approvals" });
    expect(writes(emulator)).toHaveLength(0);

    const alice = new PageApprover(served.http.url, fetchFrom('127.0.0.1'));
    expect((await alice.signIn(ALICE)).status).toBe(303);
    expect((await alice.decide(approvalIdOf(held), 'approve')).status).toBe(303);
    expect(writes(emulator)).toHaveLength(1);
    expect(auditOf(audit).map((line) => [line.outcome, line.client_address])).toEqual([
      ['sending', '127.0.0.1'],
      ['ok', '127.0.0.1'],
    ]);
  });

  it('with the proxy trusted, each forwarded address has its own bound; a client cannot pick its address, through the proxy or around it', async () => {
    served = await serve(emulator, ['--max-pending-approvals', '1', '--audit-log', audit], { ...APPROVERS, ...TRUST_LOOPBACK_ONE });

    const first = await clientVia('127.0.0.1', '203.0.113.1');
    const held = await callText(first, 'ad_groups_update', budget('71'));
    expect(statusOf(held), held.text).toBe('approval_required');
    expect(statusOf(await callText(first, 'ad_groups_update', budget('72')))).toBe('too_many_pending');
    // Another client forwarded by the proxy has a bound of its own.
    const second = await clientVia('127.0.0.1', '203.0.113.2');
    expect(statusOf(await callText(second, 'ad_groups_update', budget('73')))).toBe('approval_required');
    // A client that writes its own X-Forwarded-For before the proxy's entry is still the address the proxy saw.
    const spoofing = await clientVia('127.0.0.1', '203.0.113.9, 203.0.113.1');
    expect(statusOf(await callText(spoofing, 'ad_groups_update', budget('74')))).toBe('too_many_pending');
    // From an address that is not a trusted proxy, X-Forwarded-For is ignored.
    const direct = await clientVia('127.0.0.2', '203.0.113.3');
    expect(statusOf(await callText(direct, 'ad_groups_update', budget('75')))).toBe('approval_required');
    const directAgain = await clientVia('127.0.0.2', '203.0.113.4');
    expect(statusOf(await callText(directAgain, 'ad_groups_update', budget('76')))).toBe('too_many_pending');
    expect(writes(emulator)).toHaveLength(0);

    const alice = new PageApprover(served.http.url, through('127.0.0.1', '198.51.100.7'));
    expect((await alice.signIn(ALICE)).status).toBe(303);
    const page = await alice.get(`/approvals/${approvalIdOf(held)}`);
    expect(page.html).toContain('over HTTP from 203.0.113.1');
    expect((await alice.decide(approvalIdOf(held), 'approve')).status).toBe(303);
    expect(writes(emulator)).toHaveLength(1);
    expect(auditOf(audit).map((line) => [line.outcome, line.client_address])).toEqual([
      ['sending', '203.0.113.1'],
      ['ok', '203.0.113.1'],
    ]);
  });
});

describe('sign-in throttle behind a proxy', () => {
  let emulator: Emulator | undefined;
  let served: Served | undefined;
  afterEach(async () => {
    vi.useRealTimers();
    await served?.close();
    await emulator?.close();
  });

  /** Four wrong tokens from `fetch`: the fourth failure makes its address wait 1 s (the throttle's clock stands still). */
  async function failFourTimes(fetch: typeof globalThis.fetch): Promise<void> {
    const guesser = new PageApprover(served!.http.url, fetch);
    for (let i = 0; i < 4; i++) {
      const form = await guesser.get('/approvals');
      const answer = await guesser.post('/approvals/sign-in', { csrf: csrfOf(form.html, '/approvals/sign-in'), token: `typed-guess-${i}-0123456789abcdef` });
      expect(answer.status).toBe(401);
    }
  }

  async function start(env: Record<string, string>, lines: string[]): Promise<void> {
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() });
    emulator = await startEmulator();
    served = await serve(emulator, [], { ...APPROVERS, ...env }, createLogger('info', { write: (line: string) => lines.push(line) }));
  }

  const signedInFrom = (lines: string[]) =>
    lines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.msg === 'approval page: signed in').map((l) => l.client_address);

  it('without PINTEREST_MCP_TRUSTED_PROXIES, a bot guessing behind any X-Forwarded-For makes the address wait for everyone on it', async () => {
    const lines: string[] = [];
    await start({}, lines);
    await failFourTimes(through('127.0.0.1', '203.0.113.66'));
    const approver = new PageApprover(served!.http.url, through('127.0.0.1', '203.0.113.1'));
    const answer = await approver.signIn(ALICE);
    expect(answer.status).toBe(429);
    expect(answer.html).toContain('Too many failed sign-ins from this address');
    expect(signedInFrom(lines)).toEqual([]);
  });

  it('with the proxy trusted, the guessing client waits and an approver forwarded by the same proxy signs in', async () => {
    const lines: string[] = [];
    await start(TRUST_LOOPBACK_ONE, lines);
    await failFourTimes(through('127.0.0.1', '203.0.113.66'));
    expect((await new PageApprover(served!.http.url, through('127.0.0.1', '203.0.113.66')).signIn(ALICE)).status).toBe(429);
    expect((await new PageApprover(served!.http.url, through('127.0.0.1', '203.0.113.1')).signIn(ALICE)).status).toBe(303);
    expect(signedInFrom(lines)).toEqual(['203.0.113.1']);
    const refusals = lines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.msg === 'approval page: refused a sign-in with an unknown token');
    expect(refusals.map((l) => l.client_address)).toEqual(Array(4).fill('203.0.113.66'));
    expect(writes(emulator!)).toHaveLength(0);
  });
});

describe('--stateful sessions per client behind a proxy', () => {
  let emulator: Emulator;
  let served: Served | undefined;
  const clients: Client[] = [];
  beforeAll(async () => {
    emulator = await startEmulator();
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close().catch(() => {})));
    await served?.close();
    served = undefined;
  });
  afterAll(async () => {
    await emulator?.close();
  });

  /** Opens a session for each of two forwarded clients (one session per client at most), then uses the first again. */
  async function firstSessionAfterSecond(env: Record<string, string>): Promise<'kept' | 'closed'> {
    served = await serve(emulator, ['--stateful'], { PINTEREST_MCP_HTTP_MAX_SESSIONS_PER_CLIENT: '1', ...env });
    const first = await connect(served.url, {}, through('127.0.0.1', '203.0.113.1'));
    clients.push(first);
    await first.listTools();
    clients.push(await connect(served.url, {}, through('127.0.0.1', '203.0.113.2')));
    try {
      await first.listTools();
      return 'kept';
    } catch (error) {
      expect(String(error)).toMatch(/Session not found/);
      return 'closed';
    }
  }

  it('without PINTEREST_MCP_TRUSTED_PROXIES, the second client closes the first one\'s session (one address); with it, each keeps its own', async () => {
    expect(await firstSessionAfterSecond({})).toBe('closed');
    await served?.close();
    served = undefined;
    expect(await firstSessionAfterSecond(TRUST_LOOPBACK_ONE)).toBe('kept');
  });
});
