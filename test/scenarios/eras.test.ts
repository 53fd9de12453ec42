// Both protocol eras through the SDKs' own clients (v2 pinned 2026-07-28, v2 and 1.x on 2025-11-25) over stdio and Streamable HTTP.
import { type CallToolResult, Client, LOG_LEVEL_META_KEY, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { Client as LegacyClient } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport as LegacyStdioTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport as LegacyHttpTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { CallToolResultSchema, ElicitRequestSchema, LoggingMessageNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../../src/config/index.js';
import { type Emulator, startEmulator } from '../../fakes/pinterest/server.js';
import { createLogger } from '../../src/core/logger.js';
import { type Store, createStore } from '../../src/core/store.js';
import { TOKEN, USD_ACCOUNT, stdioServer, textOf } from '../helpers/harness.js';
import { type Served, serve, spawnServer } from '../helpers/http.js';
import { freePort, startRedis } from '../helpers/processes.js';
import { createStdioApp } from '../../src/transports/stdio.js';
import { EVENTUALLY, gate } from '../helpers/waiting.js';

const MODERN = '2026-07-28';
const LEGACY = '2025-11-25';
const AD_GROUP = '2680059592701';
const REPORT = { level: 'CAMPAIGN', columns: ['SPEND_IN_MICRO_DOLLAR', 'IMPRESSION_1'], start_date: '2026-11-01', end_date: '2026-11-10', granularity: 'TOTAL', report_format: 'JSON' };
const BUDGET = { ad_account_id: USD_ACCOUNT, body: [{ id: AD_GROUP, budget: '13' }] };
/** Reads are retried once, so an injected 500 makes the server log its 'retrying request' warning. */
const SERVER_ENV = { PINTEREST_MCP_RETRIES: '1' };
const polls = (emulator: Emulator) => emulator.requests.filter((r) => r.operationId === 'analytics/get_report').length;
const writes = (emulator: Emulator) => emulator.requests.filter((r) => r.method !== 'GET');
const retryWarnings = (logs: LogMessage[]) =>
  logs.filter((l) => l.level === 'warning' && (l.data as { msg?: string } | undefined)?.msg === 'retrying request');
/**
 * Waits for a call's `retrying request` warning, then says how many arrived in all. A call's log notifications travel
 * before its result (on its stream, or the one pipe), so a warning a call before this one sent has arrived by now too.
 */
async function warningsOnceOneArrived(logs: LogMessage[]): Promise<LogMessage[]> {
  await vi.waitFor(() => expect(retryWarnings(logs).length).toBeGreaterThan(0), EVENTUALLY);
  return retryWarnings(logs);
}

type Era = 'modern' | 'legacy';
type Answer = { action: 'accept' | 'decline' | 'cancel'; content?: Record<string, string | number | boolean | string[]> };
interface LogMessage {
  level: string;
  data?: unknown;
}
interface CallOptions {
  signal?: AbortSignal;
  onprogress?: (p: { progress: number; message?: string }) => void;
  /** Modern era: the per-request log level (`_meta['io.modelcontextprotocol/logLevel']`). */
  logLevel?: 'warning';
}
/** One request the client's HTTP transport posted, and where to. */
interface Posted {
  url: string;
  init: RequestInit;
  body: { method?: string; params?: Record<string, unknown> };
}

/** Where a client connects: the spawned stdio server, or an HTTP URL (through a fetch that may pick the replica). */
type Target =
  | { kind: 'stdio'; server: ReturnType<typeof stdioServer> }
  | { kind: 'http'; url: string; route?: (url: string) => string };

/** The calls the tests make, the same over both SDKs, with what the client saw (logs, dialogs, HTTP posts). */
interface TestClient {
  era(): Era | undefined;
  protocolVersion(): string | undefined;
  toolNames(): Promise<string[]>;
  call(name: string, args: Record<string, unknown>, options?: CallOptions): Promise<CallToolResult>;
  prompt(name: string, args: Record<string, string>): Promise<string>;
  setLoggingLevel(level: 'warning' | 'error'): Promise<void>;
  logs: LogMessage[];
  /** Messages of the dialogs the server asked (elicitation/create, or a modern input_required round). */
  asked: string[];
  /** What the person answers the next dialogs. */
  answer: Answer;
  posted: Posted[];
  close(): Promise<void>;
}

/**
 * Cancels analytics_run_report while the fake API holds its first poll: the cancellation reaches the server's call
 * through this transport, which gives the poll up (the fake API sees its connection closed unanswered), and the call
 * ends there: the fake API saw the report created and polled once. (That the wait between polls ends with a
 * cancellation too is test/calls/report-workflow.test.ts's, on a clock it holds.)
 */
async function cancelReportDuringAPoll(client: TestClient, emulator: Emulator): Promise<void> {
  const held = gate();
  emulator.inject({ operationId: 'analytics/get_report', hold: held.promise });
  const before = emulator.requests.length;
  const controller = new AbortController();
  const call = client.call('analytics_run_report', { ad_account_id: USD_ACCOUNT, body: REPORT }, { signal: controller.signal });
  try {
    const poll = await vi.waitFor(() => {
      const sent = emulator.requests.slice(before).find((r) => r.operationId === 'analytics/get_report');
      expect(sent).toBeDefined();
      return sent!;
    }, EVENTUALLY);
    controller.abort();
    await expect(call).rejects.toThrow(/abort/i);
    await vi.waitFor(() => expect(poll.abandoned).toBe(true), EVENTUALLY);
  } finally {
    held.open();
  }
  expect(emulator.requests.slice(before).map((r) => r.operationId)).toEqual(['analytics/create_report', 'analytics/get_report']);
}

/** Records what the HTTP transport posts, and sends it to the URL `route` picks (default: where it was going). */
function recordingFetch(posted: Posted[], route: (url: string) => string = (url) => url) {
  return async (input: string | URL | Request, init: RequestInit = {}): Promise<Response> => {
    const url = route(String(input instanceof Request ? input.url : input));
    if (init.method === 'POST' && typeof init.body === 'string') posted.push({ url, init, body: JSON.parse(init.body) });
    return fetch(url, init);
  };
}

function recorder(): Pick<TestClient, 'logs' | 'asked' | 'answer' | 'posted'> {
  return { logs: [], asked: [], answer: { action: 'accept', content: { confirm: true } }, posted: [] };
}

/** What both SDKs' clients spell alike. */
interface AlikeClient {
  listTools(): Promise<{ tools: { name: string }[] }>;
  getPrompt(params: { name: string; arguments: Record<string, string> }): Promise<{ messages: { content: { type: string; text?: string } }[] }>;
  setLoggingLevel(level: 'warning' | 'error'): Promise<unknown>;
  close(): Promise<void>;
}

function sharedCalls(client: AlikeClient): Pick<TestClient, 'toolNames' | 'prompt' | 'setLoggingLevel' | 'close'> {
  return {
    toolNames: async () => (await client.listTools()).tools.map((t) => t.name),
    prompt: async (name, args) => (await client.getPrompt({ name, arguments: args })).messages.map((m) => m.content.text ?? '').join('\n'),
    setLoggingLevel: async (level) => {
      await client.setLoggingLevel(level);
    },
    close: () => client.close(),
  };
}

/** The v2 client: pinned to 2026-07-28 (`modern`), or its default 2025 initialize handshake. */
async function connectV2(target: Target, modern: boolean): Promise<TestClient> {
  const client = new Client(
    { name: 'eras-test', version: '1.0.0' },
    { ...(modern && { versionNegotiation: { mode: { pin: MODERN } } }), capabilities: { elicitation: { form: {} } } },
  );
  const seen = recorder();
  client.setNotificationHandler('notifications/message', (n) => {
    seen.logs.push(n.params);
  });
  client.setRequestHandler('elicitation/create', async (request) => {
    seen.asked.push(request.params.message);
    return seen.answer;
  });
  const transport =
    target.kind === 'stdio'
      ? new StdioClientTransport(target.server)
      : new StreamableHTTPClientTransport(new URL(target.url), { fetch: recordingFetch(seen.posted, target.route) });
  if (transport instanceof StdioClientTransport) transport.stderr?.on('data', () => {}); // drained, not shown
  await client.connect(transport);
  return Object.assign(seen, {
    era: () => client.getProtocolEra(),
    protocolVersion: () => client.getNegotiatedProtocolVersion(),
    ...sharedCalls(client),
    call: (name: string, args: Record<string, unknown>, options: CallOptions = {}) =>
      client.callTool(
        { name, arguments: args, ...(options.logLevel && { _meta: { [LOG_LEVEL_META_KEY]: options.logLevel } }) },
        { signal: options.signal, onprogress: options.onprogress },
      ),
  });
}

/** The 1.x client (the legacy wire as deployed hosts speak it): always the 2025-11-25 initialize handshake. */
async function connectV1(target: Target): Promise<TestClient> {
  const client = new LegacyClient({ name: 'eras-test-1x', version: '1.0.0' }, { capabilities: { elicitation: { form: {} } } });
  const seen = recorder();
  client.setNotificationHandler(LoggingMessageNotificationSchema, (n) => {
    seen.logs.push(n.params);
  });
  client.setRequestHandler(ElicitRequestSchema, async (request) => {
    seen.asked.push(request.params.message);
    return seen.answer;
  });
  const transport =
    target.kind === 'stdio'
      ? new LegacyStdioTransport(target.server)
      : new LegacyHttpTransport(new URL(target.url), { fetch: recordingFetch(seen.posted, target.route) });
  if (transport instanceof LegacyStdioTransport) transport.stderr?.on('data', () => {});
  // The 1.x client keeps the negotiated version to itself; it hands it to the transport, where it is caught here.
  let negotiated: string | undefined;
  const setVersion = (transport as { setProtocolVersion?: (v: string) => void }).setProtocolVersion?.bind(transport);
  (transport as { setProtocolVersion?: (v: string) => void }).setProtocolVersion = (version) => {
    negotiated = version;
    setVersion?.(version);
  };
  await client.connect(transport);
  return Object.assign(seen, {
    era: () => (negotiated ? ('legacy' as const) : undefined),
    protocolVersion: () => negotiated,
    ...sharedCalls(client),
    call: async (name: string, args: Record<string, unknown>, options: CallOptions = {}) =>
      (await client.callTool({ name, arguments: args }, CallToolResultSchema, { signal: options.signal, onprogress: options.onprogress })) as CallToolResult,
  });
}

const CLIENTS: { label: string; era: Era; version: string; connect(target: Target): Promise<TestClient> }[] = [
  { label: 'v2 client pinned to 2026-07-28', era: 'modern', version: MODERN, connect: (t) => connectV2(t, true) },
  { label: 'v2 client, default handshake (2025-11-25)', era: 'legacy', version: LEGACY, connect: (t) => connectV2(t, false) },
  { label: '1.x client (2025-11-25)', era: 'legacy', version: LEGACY, connect: connectV1 },
];

interface TransportCase {
  label: string;
  /** Whether a legacy client holds a session there (stdio, --stateful): server-to-client requests, cancellation, setLevel. */
  session: boolean;
  start(emulator: Emulator): Promise<{ target: Target; close(): Promise<void> }>;
}

const inProcessHttp = (args: string[]) => async (emulator: Emulator) => {
  const served: Served = await serve(emulator, args, SERVER_ENV);
  return { target: { kind: 'http' as const, url: served.url }, close: () => served.close() };
};

const TRANSPORTS: TransportCase[] = [
  {
    label: 'stdio (dist/index.js)',
    session: true,
    start: async (emulator) => ({ target: { kind: 'stdio', server: stdioServer(emulator, { env: SERVER_ENV }) }, close: async () => {} }),
  },
  // The clients here are apps a person uses, so their dialogs count over HTTP too (test/approval/channels.test.ts
  // checks that without this flag an HTTP client's own dialog sends nothing).
  { label: 'Streamable HTTP, stateless', session: false, start: inProcessHttp(['--approval-channels', 'page,dialog']) },
  { label: 'Streamable HTTP, --stateful', session: true, start: inProcessHttp(['--stateful', '--approval-channels', 'page,dialog']) },
];

/** The tools/list every server here answers (the default selection), in the order the app lists it. */
let expectedTools: string[];
beforeAll(async () => {
  const config = loadConfig([], { PINTEREST_API_BASE_URL: 'http://127.0.0.1:9/v5', PINTEREST_ACCESS_TOKEN: TOKEN });
  const app = await createStdioApp(config, createLogger('silent'));
  expectedTools = app.listTools().map((t) => t.name);
  await app.close();
});

/** The dialog tests of one cell: accept sends one write, decline none; no confirmation token either way. */
function dialogTests(cell: () => { client: TestClient; emulator: Emulator }, era: Era, wire: 'http' | 'stdio') {
  it.sequential(`confirms a held budget change in a dialog (${era === 'modern' ? 'input_required round' : 'elicitation/create'}): accept sends exactly one write`, async () => {
    const { client, emulator } = cell();
    emulator.reset();
    client.asked.length = 0;
    client.posted.length = 0;
    client.answer = { action: 'accept', content: { confirm: true } };
    const result = await client.call('ad_groups_update', BUDGET);
    expect(result.isError, textOf(result)).toBeFalsy();
    expect(client.asked).toHaveLength(1);
    expect(client.asked[0]).toContain('10.00 USD -> 13.00 USD (+30%)');
    expect(writes(emulator)).toHaveLength(1);
    expect(writes(emulator)[0]).toMatchObject({ operationId: 'ad_groups/update', method: 'PATCH', body: [{ id: AD_GROUP, budget_in_micro_currency: 13_000_000 }] });
    expect(emulator.state.adGroups.get(AD_GROUP)?.budget_in_micro_currency).toBe(13_000_000);
    expect(JSON.stringify(result)).not.toMatch(/confirmation_token|cfm_/);
    if (wire === 'http') {
      const calls = client.posted.filter((p) => p.body.method === 'tools/call');
      if (era === 'modern') {
        // Two rounds on the wire: the call, then its retry carrying the answer and the dialog id.
        expect(calls).toHaveLength(2);
        expect(calls[0].body.params).not.toHaveProperty('requestState');
        expect(calls[1].body.params).toMatchObject({ requestState: expect.stringMatching(/^dlg_/), inputResponses: { confirm: { action: 'accept' } } });
      } else {
        expect(calls).toHaveLength(1); // the server asked over the session and ran the second round itself
        expect(client.posted.filter((p) => 'result' in p.body && JSON.stringify(p.body).includes('"confirm":true'))).toHaveLength(1);
      }
    }
  });

  it.sequential('declines in the dialog: nothing is sent, the answer is status declined, no token', async () => {
    const { client, emulator } = cell();
    emulator.reset();
    client.asked.length = 0;
    client.answer = { action: 'decline' };
    const result = await client.call('ad_groups_update', BUDGET);
    expect(client.asked).toHaveLength(1);
    expect(writes(emulator)).toHaveLength(0);
    expect(result.structuredContent).toMatchObject({ status: 'declined' });
    expect(JSON.stringify(result)).not.toMatch(/confirmation_token|cfm_/);
  });
}

describe('the protocol-era matrix', () => {
  for (const transport of TRANSPORTS) {
    for (const kind of CLIENTS) {
      // Cells run side by side (each with its own fake API and server); the steps of one cell run in order.
      describe.concurrent(`${kind.label} over ${transport.label}`, () => {
        let emulator: Emulator;
        let client: TestClient;
        let stop: () => Promise<void>;
        beforeAll(async () => {
          emulator = await startEmulator();
          const started = await transport.start(emulator);
          stop = started.close;
          client = await kind.connect(started.target);
        });
        afterAll(async () => {
          await client?.close();
          await stop?.();
          await emulator?.close();
        });

        it.sequential(`negotiates the ${kind.era} era (${kind.version})`, () => {
          expect(client.era()).toBe(kind.era);
          expect(client.protocolVersion()).toBe(kind.version);
        });

        it.sequential('lists the same tools in the same order twice, analytics_run_report among them', async () => {
          const first = await client.toolNames();
          const second = await client.toolNames();
          expect(first).toContain('analytics_run_report');
          expect(first).toEqual(expectedTools);
          expect(second).toEqual(first);
        });

        it.sequential('calls a read tool, which reaches the fake API', async () => {
          const before = emulator.requests.length;
          const result = await client.call('ad_accounts_get', { ad_account_id: USD_ACCOUNT });
          expect(result.isError, textOf(result)).toBeFalsy();
          expect(textOf(result)).toContain(USD_ACCOUNT);
          const sent = emulator.requests.slice(before);
          expect(sent).toHaveLength(1);
          expect(sent[0]).toMatchObject({ operationId: 'ad_accounts/get', method: 'GET', path: `/ad_accounts/${USD_ACCOUNT}`, status: 200 });
          expect(sent[0].headers.authorization).toBe(`Bearer ${TOKEN}`);
        });

        it.sequential('gets a prompt, rendered with its arguments', async () => {
          const text = await client.prompt('budget_review', { ad_account_id: USD_ACCOUNT, start_date: '2026-11-01', end_date: '2026-11-07' });
          expect(text).toContain(`Review the budgets of ad account ${USD_ACCOUNT}`);
          expect(text).toContain('2026-11-01 to 2026-11-07');
        });

        it.sequential('runs analytics_run_report to the end with progress notifications', async () => {
          const before = polls(emulator);
          const progress: { progress: number; message?: string }[] = [];
          const result = await client.call('analytics_run_report', { ad_account_id: USD_ACCOUNT, body: REPORT }, { onprogress: (p) => progress.push(p) });
          expect(result.isError, textOf(result)).toBeFalsy();
          expect(result.structuredContent).toMatchObject({ report_status: 'FINISHED' });
          expect(progress.map((p) => p.progress)).toEqual([0, 1, 2]); // creating, then each poll
          expect(progress.at(-1)!.message).toMatch(/FINISHED/);
          expect(polls(emulator) - before).toBe(2);
        });

        // A 2025 client cancels with a notifications/cancelled POST, which a stateless server (a fresh protocol
        // server per POST) cannot relate to the call in flight; the README says so and points to --stateful.
        if (kind.era === 'modern' || transport.session) it.sequential('cancels analytics_run_report: the server gives up its poll in flight and sends nothing more', async () => {
          await cancelReportDuringAPoll(client, emulator);
        });

        if (kind.era === 'modern') {
          it.sequential("sends the server's warnings only to a request that asked for them (per-request logLevel)", async () => {
            client.logs.length = 0;
            emulator.inject({ operationId: 'ad_accounts/get', status: 500, body: { code: 1, message: 'boom' } });
            const quiet = await client.call('ad_accounts_get', { ad_account_id: USD_ACCOUNT });
            expect(quiet.isError, textOf(quiet)).toBeFalsy();
            expect(retryWarnings(client.logs)).toHaveLength(0);

            emulator.inject({ operationId: 'ad_accounts/get', status: 500, body: { code: 1, message: 'boom' } });
            const loud = await client.call('ad_accounts_get', { ad_account_id: USD_ACCOUNT }, { logLevel: 'warning' });
            expect(loud.isError, textOf(loud)).toBeFalsy();
            const warnings = await warningsOnceOneArrived(client.logs); // the quiet call's would be here by now
            expect(warnings).toHaveLength(1);
            expect(warnings[0].data).toMatchObject({ op: 'ad_accounts/get', reason: 500 });
          });
        } else if (!transport.session) {
          it.sequential('sends no log notifications without a session, where no logging level can hold', async () => {
            client.logs.length = 0;
            await client.setLoggingLevel('warning'); // answered by a server that is gone by the next request
            emulator.inject({ operationId: 'ad_accounts/get', status: 500, body: { code: 1, message: 'boom' } });
            const result = await client.call('ad_accounts_get', { ad_account_id: USD_ACCOUNT });
            expect(result.isError, textOf(result)).toBeFalsy();
            expect(emulator.requests.filter((r) => r.operationId === 'ad_accounts/get').length).toBeGreaterThanOrEqual(2); // it did retry
            // A warning would have come on this call's own response, before its result: none did.
            expect(retryWarnings(client.logs)).toHaveLength(0);
          });
        } else {
          it.sequential('forwards warnings after logging/setLevel', async () => {
            client.logs.length = 0;
            // The level holds for the session: below it, nothing arrives.
            await client.setLoggingLevel('error');
            emulator.inject({ operationId: 'ad_accounts/get', status: 500, body: { code: 1, message: 'boom' } });
            await client.call('ad_accounts_get', { ad_account_id: USD_ACCOUNT });
            expect(retryWarnings(client.logs)).toHaveLength(0);
            await client.setLoggingLevel('warning');
            emulator.inject({ operationId: 'ad_accounts/get', status: 500, body: { code: 1, message: 'boom' } });
            const result = await client.call('ad_accounts_get', { ad_account_id: USD_ACCOUNT });
            expect(result.isError, textOf(result)).toBeFalsy();
            expect(await warningsOnceOneArrived(client.logs)).toHaveLength(1); // the call below the level sent none
          });
        }

        // Dialogs need a way to ask: a request round (modern, any transport) or a session (legacy: stdio, --stateful).
        if (kind.era === 'modern' || transport.session) {
          dialogTests(() => ({ client, emulator }), kind.era, transport.label.startsWith('stdio') ? 'stdio' : 'http');
        }
      });
    }
  }
});

describe('the built server over HTTP (spawned)', () => {
  let emulator: Emulator;
  let server: { child: ChildProcess; url: string; stderr: () => string };
  beforeAll(async () => {
    emulator = await startEmulator();
    server = await spawnServer([], { PINTEREST_API_BASE_URL: emulator.url, PINTEREST_ACCESS_TOKEN: TOKEN });
  });
  afterAll(async () => {
    if (server && server.child.exitCode === null) {
      const exited = new Promise((resolve) => server.child.once('exit', resolve));
      server.child.kill('SIGTERM');
      await exited;
    }
    await emulator?.close();
  });

  for (const kind of CLIENTS) {
    it(`${kind.label}: negotiates, lists and calls through the fake API`, async () => {
      const client = await kind.connect({ kind: 'http', url: server.url });
      try {
        expect(client.protocolVersion()).toBe(kind.version);
        expect(await client.toolNames()).toEqual(expectedTools);
        const before = emulator.requests.length;
        const result = await client.call('ad_accounts_get', { ad_account_id: USD_ACCOUNT });
        expect(result.isError, textOf(result)).toBeFalsy();
        expect(emulator.requests.slice(before).map((r) => r.operationId)).toEqual(['ad_accounts/get']);
      } finally {
        await client.close();
      }
    });
  }

  it('a 2026-07-28 client cancels a report by closing its response stream: the process gives up its poll in flight', async () => {
    const client = await CLIENTS[0].connect({ kind: 'http', url: server.url });
    try {
      await cancelReportDuringAPoll(client, emulator);
      // No notifications/cancelled went out: the modern era cancels by closing the stream.
      expect(client.posted.filter((p) => p.body.method === 'notifications/cancelled')).toHaveLength(0);
    } finally {
      await client.close();
    }
  });
});

describe('a modern dialog across two replicas sharing a real Redis', () => {
  let redis: ChildProcess;
  let emulator: Emulator;
  let replicas: Served[];
  let store: Store;
  let client: TestClient;
  let turn = 0;

  beforeAll(async () => {
    const port = await freePort();
    redis = await startRedis(port);
    const redisUrl = `redis://127.0.0.1:${port}`;
    emulator = await startEmulator();
    const dialogs = ['--approval-channels', 'page,dialog'];
    replicas = await Promise.all([serve(emulator, dialogs, { PINTEREST_MCP_STORE: redisUrl }), serve(emulator, dialogs, { PINTEREST_MCP_STORE: redisUrl })]);
    store = await createStore(redisUrl);
    // Every request goes to the other replica than the one before: the dialog's retry round lands elsewhere.
    client = await CLIENTS[0].connect({ kind: 'http', url: replicas[0].url, route: () => replicas[turn++ % 2].url });
  }, 30_000);

  afterAll(async () => {
    await client?.close();
    await Promise.all((replicas ?? []).map((r) => r.close()));
    await store?.disconnect();
    await emulator?.close();
    redis?.kill('SIGKILL');
  });

  it('asks on one replica and sends on the other exactly once; a replay of the dialog id sends nothing', async () => {
    client.answer = { action: 'accept', content: { confirm: true } };
    const result = await client.call('ad_groups_update', BUDGET);
    expect(result.isError, textOf(result)).toBeFalsy();
    expect(client.asked).toHaveLength(1);
    expect(writes(emulator)).toHaveLength(1);
    expect(emulator.state.adGroups.get(AD_GROUP)?.budget_in_micro_currency).toBe(13_000_000);
    expect(JSON.stringify(result)).not.toMatch(/confirmation_token|cfm_/);

    const [ask, retry] = client.posted.filter((p) => p.body.method === 'tools/call');
    expect(ask.url).not.toBe(retry.url);
    const dialogId = retry.body.params?.requestState as string;
    expect(dialogId).toMatch(/^dlg_/);
    expect(await store.get(`dialog:${dialogId}`)).toBeUndefined(); // used up, in the shared store

    // The same retry, byte for byte, to the replica that asked: refused, nothing sent.
    const replay = await fetch(ask.url, { method: 'POST', headers: retry.init.headers, body: retry.init.body });
    const text = await replay.text();
    const answer = JSON.parse(/^data: (.*)$/m.exec(text)?.[1] ?? text) as { result?: CallToolResult };
    expect(answer.result?.structuredContent, text).toMatchObject({ status: 'not_confirmed' });
    expect(textOf(answer.result!)).toMatch(/expired or was already answered/);
    expect(writes(emulator)).toHaveLength(1);
  });
});
