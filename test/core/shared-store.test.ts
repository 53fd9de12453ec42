// Shared stores: two replicas on a real Redis (preview on one, confirm on the other, K-way race), SQLite across restarts.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OAUTH_STORE_KEY } from '../../src/apis/pinterest/settings.js';
import { type Emulator, startEmulator } from '../../fakes/pinterest/server.js';
import { CONFIRMATION_TOKENS, Confirmations, requestHash } from '../../src/guard/tokens.js';
import { SharedStore, type Store, createStore } from '../../src/core/store.js';
import { MODEL_APPROVAL, SERVER_ENTRY, USD_ACCOUNT, startStdio, textOf } from '../helpers/harness.js';
import { freePort, startRedis, waitFor } from '../helpers/processes.js';
import { NODE_SQLITE, needsNodeSqlite } from '../helpers/sqlite.js';
import { tempDir } from '../helpers/temp.js';

/** A keyv store as the server shares it: every operation bounded in time. */
const shared = (store: Store) => new SharedStore(store, 'test store', 5_000);

const AD_GROUP = '2680059592701';
const K = 10;
const OAUTH = { appId: '7654321', appSecret: 'replica-secret-91ab', refreshToken: 'pinr_replicas-55c0' };
const budget = (amount: string) => ({ ad_account_id: USD_ACCOUNT, body: [{ id: AD_GROUP, budget: amount }] });

type Result = CallToolResult & { text: string };
interface Preview {
  status: string;
  confirmation_token: string;
}

interface Replica {
  child: ChildProcess;
  url: string;
  clients: Client[];
  call(name: string, args: Record<string, unknown>, client?: number): Promise<Result>;
  close(): Promise<void>;
}

/** One built server process serving HTTP, with `clients` SDK clients connected to it. */
async function startReplica(env: Record<string, string>, clientCount: number): Promise<Replica> {
  const child = spawn(process.execPath, [SERVER_ENTRY, ...MODEL_APPROVAL, '--transport', 'http', '--port', '0'], {
    env: { PATH: process.env.PATH ?? '', PINTEREST_MCP_LOG_LEVEL: 'info', PINTEREST_MCP_RETRIES: '0', ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const url = await waitFor(child, /"url":"(http:[^"]+\/mcp)","mode"/, 'replica');
  const clients: Client[] = [];
  for (let i = 0; i < clientCount; i++) {
    const client = new Client({ name: `replica-client-${i}`, version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(url)));
    clients.push(client);
  }
  return {
    child,
    url,
    clients,
    async call(name, args, index = 0) {
      const result = (await clients[index % clients.length].callTool({ name, arguments: args })) as CallToolResult;
      return { ...result, text: textOf(result) };
    },
    async close() {
      await Promise.all(clients.map((c) => c.close().catch(() => {})));
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

describe('two replicas sharing a real Redis', () => {
  let redis: ChildProcess;
  let redisUrl: string;
  let emulator: Emulator;
  let a: Replica;
  let b: Replica;
  let store: Store;
  const patches = () => emulator.requests.filter((r) => r.operationId === 'ad_groups/update' && r.method === 'PATCH');

  beforeAll(async () => {
    const port = await freePort();
    redis = await startRedis(port);
    redisUrl = `redis://127.0.0.1:${port}`;
    // The replicas authenticate through OAuth refresh, so the shared access token is exercised too.
    emulator = await startEmulator({ acceptedTokens: [], oauth: OAUTH });
    const env = {
      PINTEREST_API_BASE_URL: emulator.url,
      PINTEREST_MCP_STORE: redisUrl,
      PINTEREST_APP_ID: OAUTH.appId,
      PINTEREST_APP_SECRET: OAUTH.appSecret,
      PINTEREST_REFRESH_TOKEN: OAUTH.refreshToken,
    };
    [a, b] = await Promise.all([startReplica(env, 5), startReplica(env, 5)]);
    store = await createStore(redisUrl);
  }, 30_000);

  afterAll(async () => {
    await Promise.all([a?.close(), b?.close()]);
    await store?.disconnect();
    await emulator?.close();
    redis?.kill('SIGKILL');
  });

  it('previews on replica A and executes the confirmation on replica B exactly once', async () => {
    const preview = await a.call('ad_groups_update', budget('12.50'));
    const p = preview.structuredContent as unknown as Preview;
    expect(p.status, preview.text).toBe('confirmation_required');
    expect(patches()).toHaveLength(0);
    expect(await store.get(`confirm:${p.confirmation_token}`)).toBeDefined(); // it lives in Redis

    const done = await b.call('ad_groups_update', { ...budget('12.50'), confirmation_token: p.confirmation_token });
    expect(done.isError, done.text).toBeFalsy();
    expect(patches()).toHaveLength(1);
    expect(emulator.state.adGroups.get(AD_GROUP)?.budget_in_micro_currency).toBe(12_500_000);

    const replay = await a.call('ad_groups_update', { ...budget('12.50'), confirmation_token: p.confirmation_token });
    expect(replay.text).toMatch(/unknown, already used or expired/);
    expect(patches()).toHaveLength(1);
    expect(await store.get(`confirm:${p.confirmation_token}`)).toBeUndefined();
  });

  it(`races ${K} concurrent confirmations of one token across both replicas: exactly one write`, async () => {
    const before = patches().length;
    const preview = await b.call('ad_groups_update', budget('17.25'));
    const token = (preview.structuredContent as unknown as Preview).confirmation_token;
    const results = await Promise.all(
      Array.from({ length: K }, (_, i) => (i % 2 ? b : a).call('ad_groups_update', { ...budget('17.25'), confirmation_token: token }, i >> 1)),
    );
    const executed = results.filter((r) => !r.isError && (r.structuredContent as { status?: string } | undefined)?.status !== 'confirmation_required');
    expect(executed, results.map((r) => r.text.split('\n')[0]).join('\n')).toHaveLength(1);
    expect(results.filter((r) => /unknown, already used or expired/.test(r.text))).toHaveLength(K - 1);
    expect(patches().length - before).toBe(1);
    expect(emulator.state.adGroups.get(AD_GROUP)?.budget_in_micro_currency).toBe(17_250_000);
  });

  it('shares the OAuth access token: one oauth/token request serves both replicas', async () => {
    expect((await b.call('ad_accounts_get', { ad_account_id: USD_ACCOUNT }, 3)).isError).toBeFalsy();
    expect((await a.call('ad_accounts_get', { ad_account_id: USD_ACCOUNT }, 4)).isError).toBeFalsy();
    expect(emulator.requests.filter((r) => r.operationId === 'oauth/token')).toHaveLength(1);
    const stored = (await store.get(OAUTH_STORE_KEY)) as { access_token: string; expires_at: number };
    expect(stored.access_token).toMatch(/^pina_/);
    expect(stored.expires_at).toBeGreaterThan(Date.now());
  });

  it('consumes a token atomically through the store: of many concurrent consumers on separate connections, one wins', async () => {
    const other = await createStore(redisUrl);
    try {
      const issuer = new Confirmations(CONFIRMATION_TOKENS, shared(store), 60);
      const hash = requestHash({ any: 'request' });
      for (let round = 0; round < 5; round++) {
        const { token } = await issuer.issue('ad_groups_update', hash);
        const outcomes = await Promise.all(
          Array.from({ length: 40 }, (_, i) => new Confirmations(CONFIRMATION_TOKENS, shared(i % 2 ? other : store), 60).consume(token, hash)),
        );
        expect(outcomes.filter((o) => o === 'ok')).toHaveLength(1);
      }
    } finally {
      await other.disconnect();
    }
  });
});

describe('SQLite store (one host, survives restarts)', () => {
  it('consumes a token atomically across two connections to the same file', async (ctx) => {
    needsNodeSqlite(ctx);
    const file = join(tempDir('mcp-sqlite-'), 'store.sqlite');
    const [one, two] = [await createStore(`sqlite:${file}`), await createStore(`sqlite:${file}`)];
    try {
      const hash = requestHash({ any: 'request' });
      for (let round = 0; round < 5; round++) {
        const { token } = await new Confirmations(CONFIRMATION_TOKENS, shared(one), 60).issue('ad_groups_update', hash);
        const outcomes = await Promise.all(
          Array.from({ length: 20 }, (_, i) => new Confirmations(CONFIRMATION_TOKENS, shared(i % 2 ? two : one), 60).consume(token, hash)),
        );
        expect(outcomes.filter((o) => o === 'ok')).toHaveLength(1);
      }
    } finally {
      await one.disconnect();
      await two.disconnect();
    }
  });

  it('keeps a confirmation token across a restart of the server', async (ctx) => {
    needsNodeSqlite(ctx);
    const file = join(tempDir('mcp-sqlite-'), 'store.sqlite');
    const emulator = await startEmulator();
    try {
      const first = await startStdio({ emulator, args: [...MODEL_APPROVAL, '--store', `sqlite:${file}`] });
      const preview = await first.call('ad_groups_update', budget('14'));
      const token = (preview.structuredContent as unknown as Preview).confirmation_token;
      expect(token).toMatch(/^cfm_/);
      await first.close();

      const second = await startStdio({ emulator, args: [...MODEL_APPROVAL, '--store', `sqlite:${file}`] });
      try {
        const done = await second.call('ad_groups_update', { ...budget('14'), confirmation_token: token });
        expect(done.isError, done.text).toBeFalsy();
        expect(emulator.requests.filter((r) => r.method === 'PATCH')).toHaveLength(1);
        expect(emulator.state.adGroups.get(AD_GROUP)?.budget_in_micro_currency).toBe(14_000_000);
        const replay = await second.call('ad_groups_update', { ...budget('14'), confirmation_token: token });
        expect(replay.text).toMatch(/unknown, already used or expired/);
      } finally {
        await second.close();
      }
    } finally {
      await emulator.close();
    }
  });

  it('refuses to start with an unusable store, naming it without its password', async () => {
    await expect(createStore('sqlite:')).rejects.toThrow(/needs a file path/);
    await expect(createStore('postgres://x')).rejects.toThrow(/--store must be memory, sqlite:PATH or redis/);
    // Where Node has no node:sqlite, that is the reason given (test/core/sqlite-store.test.ts checks the whole line).
    const unopenable = NODE_SQLITE ? /cannot use the store sqlite:\/nonexistent-dir\/store\.sqlite: unable to open database file/ : /cannot use the store sqlite:.*: it needs node:sqlite/;
    await expect(createStore('sqlite:/nonexistent-dir/store.sqlite')).rejects.toThrow(unopenable);
    const port = await freePort();
    const refused = (await createStore(`redis://:hunter2@127.0.0.1:${port}`).catch((e: Error) => e)) as Error;
    expect(refused.message).toMatch(/cannot use the store redis:\/\/\*\*\*@127\.0\.0\.1:\d+: connect ECONNREFUSED/);
    expect(refused.message).not.toContain('hunter2');
  }, 15_000);
});

describe('memory store', () => {
  it('consumes a token once among concurrent consumers', async () => {
    const store = await createStore('memory');
    const confirmations = new Confirmations(CONFIRMATION_TOKENS, shared(store), 60);
    const hash = requestHash({ a: 1 });
    const { token } = await confirmations.issue('t', hash);
    const outcomes = await Promise.all(Array.from({ length: 20 }, () => confirmations.consume(token, hash)));
    expect(outcomes.filter((o) => o === 'ok')).toHaveLength(1);
    expect(await confirmations.consume(token, hash)).toBe('unknown');
  });
});

describe('a confirmation store that goes away', () => {
  it('says that nothing was sent and names the store; the log has the cause', async () => {
    const port = await freePort();
    const redis = await startRedis(port);
    const h = await startStdio({ args: [...MODEL_APPROVAL], env: { PINTEREST_MCP_STORE: `redis://127.0.0.1:${port}` } });
    try {
      const preview = await h.call('ad_groups_update', budget('31'));
      const token = (preview.structuredContent as unknown as Preview).confirmation_token;
      expect(token).toMatch(/^cfm_/);
      const exited = new Promise((resolve) => redis.once('exit', resolve));
      redis.kill('SIGKILL');
      await exited;
      const confirm = await h.call('ad_groups_update', { ...budget('31'), confirmation_token: token });
      const another = await h.call('ad_groups_update', budget('32'));
      for (const result of [confirm, another]) {
        expect(result.isError).toBe(true);
        expect(result.text).toMatch(new RegExp(`^Nothing was sent: the confirmation store \\(redis://127\\.0\\.0\\.1:${port}\\) is unavailable`));
        expect(result.structuredContent).toMatchObject({ error: 'store_unavailable', store: `redis://127.0.0.1:${port}` });
      }
      expect(h.sent({ writesOnly: true })).toEqual([]);
      expect(h.stderr()).toMatch(/the confirmation store failed; nothing was sent/);
      expect(h.stderr()).toMatch(/offline|ECONNREFUSED|closed/i); // the cause, as the Redis client words it
    } finally {
      await h.close();
      if (redis.exitCode === null && redis.signalCode === null) redis.kill('SIGKILL');
    }
  }, 20_000);
});
