// The fault suite: a fault proxy between the server and the fake API; for each fault, what reached the API and what was said.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { type FaultProxy, type FaultRule, LOAD_BALANCER_502, startFaultProxy } from '../../fakes/fault-proxy.js';
import { type Emulator, startEmulator } from '../../fakes/pinterest/server.js';
import { type Harness, USD_ACCOUNT, startInProcess, startStdio } from '../helpers/harness.js';
import { tempDir } from '../helpers/temp.js';
import { ATTEMPT_CUT_MS, EVENTUALLY } from '../helpers/waiting.js';

const AD_GROUP = '2680059592701';
const READ_PATH = `/ad_accounts/${USD_ACCOUNT}`;
const WRITE_PATH = `/ad_accounts/${USD_ACCOUNT}/ad_groups`;
const ENV = { PINTEREST_MCP_RETRIES: '2', PINTEREST_MCP_MAX_RESPONSE_BYTES: '1000000' };
/** The Retry-After (s) of the row whose deadline ends during a wait, and that deadline (ms): the second wait would end at 6 s. */
const RETRY_AFTER_S = 3;
const DEADLINE_IN_WAIT_MS = 5_000;
/**
 * The client's time limits, by what a row needs. `default`: 30 s an attempt, 90 s a call, so that no answer that comes
 * is ever cut, however loaded the machine. `cut`: attempts that get no answer (a proxy that never answers or drips
 * forever) are cut by the per-attempt timeout. `deadline`: the call's deadline ends during a Retry-After wait: after the
 * second 429 (at RETRY_AFTER_S), before the second wait is over (twice that), whatever the load.
 */
const LIMITS = {
  default: {},
  cut: { PINTEREST_MCP_TIMEOUT_MS: String(ATTEMPT_CUT_MS), PINTEREST_MCP_TOTAL_TIMEOUT_MS: '60000' },
  deadline: { PINTEREST_MCP_TOTAL_TIMEOUT_MS: String(DEADLINE_IN_WAIT_MS) },
};
type Limits = keyof typeof LIMITS;

/** What one call under a fault must give: how many requests the proxy got, how many reached the API, the answer. */
interface Expected {
  /** Requests the client sent (all reached the proxy). */
  sent: number;
  /** Requests the fake API received (the proxy forwarded them). */
  reached: number;
  /** The answer's text matches; `ok` means a success. */
  answer: 'ok' | RegExp;
  /** Writes: the error's `outcome`, and the audit line's. */
  outcome?: { error: 'not_applied' | 'unknown' | 'applied'; audit: string };
}

interface Row {
  name: string;
  /** The fault, without its match (the row applies it to the read's GET or the write's PATCH). */
  fault: Omit<FaultRule, 'method' | 'path'>;
  /** The client's time limits the row runs under (default: `default`). */
  limits?: Limits;
  read: Expected;
  write: Expected;
}

const inSeconds = (s: number) => new Date(Date.now() + s * 1000);

const ROWS: Row[] = [
  {
    name: '429 with Retry-After in seconds',
    fault: { kind: 'status', status: 429, retryAfter: 1 },
    read: { sent: 2, reached: 1, answer: 'ok' },
    write: { sent: 2, reached: 1, answer: 'ok' },
  },
  {
    name: '429 with Retry-After as an HTTP date',
    fault: { kind: 'status', status: 429, retryAfter: inSeconds(1) },
    read: { sent: 2, reached: 1, answer: 'ok' },
    write: { sent: 2, reached: 1, answer: 'ok' },
  },
  {
    // Once waited 20 s (the cap, for a Retry-After that could not be read) while holding the call's rate-limit slot.
    name: '429 with a Retry-After that is not a time ("soon")',
    fault: { kind: 'status', status: 429, headers: { 'retry-after': 'soon' } },
    read: { sent: 2, reached: 1, answer: 'ok' },
    write: { sent: 2, reached: 1, answer: 'ok' },
  },
  {
    name: '429 for spam (never retried)',
    fault: { kind: 'status', spam: true },
    read: { sent: 1, reached: 0, answer: /spam or abuse; it was not retried/ },
    write: { sent: 1, reached: 0, answer: /spam or abuse; it was not retried/, outcome: { error: 'not_applied', audit: 'not applied' } },
  },
  {
    name: '429 on every attempt until the deadline ends during a Retry-After wait',
    fault: { kind: 'status', status: 429, retryAfter: RETRY_AFTER_S, times: 5 },
    limits: 'deadline',
    read: { sent: 2, reached: 0, answer: /Rate limited: .*429 to each of the 2 attempts.*ran out of time.*Nothing was read/ },
    write: { sent: 2, reached: 0, answer: /Rate limited: .*429 to each of the 2 attempts.*Nothing was changed/, outcome: { error: 'not_applied', audit: 'not applied' } },
  },
  {
    name: '500 (JSON)',
    fault: { kind: 'status', status: 500, body: { code: 500, message: 'Internal error' } },
    read: { sent: 2, reached: 1, answer: 'ok' },
    write: { sent: 1, reached: 0, answer: /error 500.*not repeated, because it may have been applied/, outcome: { error: 'unknown', audit: 'outcome unknown' } },
  },
  {
    name: "502 from a load balancer (HTML)",
    fault: { kind: 'status', status: 502, body: LOAD_BALANCER_502, contentType: 'text/html' },
    read: { sent: 2, reached: 1, answer: 'ok' },
    write: { sent: 1, reached: 0, answer: /error 502: .*502 Bad Gateway.*may have been applied/, outcome: { error: 'unknown', audit: 'outcome unknown' } },
  },
  {
    name: '503',
    fault: { kind: 'status', status: 503 },
    read: { sent: 2, reached: 1, answer: 'ok' },
    write: { sent: 1, reached: 0, answer: /error 503.*may have been applied/, outcome: { error: 'unknown', audit: 'outcome unknown' } },
  },
  {
    name: 'connection reset after the API answered',
    fault: { kind: 'reset-after-body' },
    read: { sent: 2, reached: 2, answer: 'ok' },
    write: { sent: 1, reached: 1, answer: /^Outcome unknown: .*may have been applied/, outcome: { error: 'unknown', audit: 'outcome unknown' } },
  },
  {
    name: 'no answer past the per-attempt timeout',
    fault: { kind: 'hang', forward: true, times: 3 },
    limits: 'cut',
    read: { sent: 3, reached: 3, answer: /did not answer in time/ },
    write: { sent: 1, reached: 1, answer: /^Outcome unknown: .*did not answer .* in time.*may have been applied/, outcome: { error: 'unknown', audit: 'outcome unknown' } },
  },
  {
    // A byte a second: no answer finishes within the per-attempt timeout, however fast or slow the machine.
    name: 'an answer dripping slower than the timeout',
    fault: { kind: 'drip', bytes: 1, everyMs: 1_000 },
    limits: 'cut',
    read: { sent: 2, reached: 2, answer: 'ok' },
    write: { sent: 1, reached: 1, answer: /^Outcome unknown: .*may have been applied/, outcome: { error: 'unknown', audit: 'outcome unknown' } },
  },
  {
    name: 'a 200 that is an HTML sign-in page',
    fault: { kind: 'invalid-json-200', forward: true },
    read: { sent: 1, reached: 1, answer: /^Unexpected answer: .*HTTP 200 with something that is not JSON \(text\/html.*Nothing was changed/ },
    write: { sent: 1, reached: 1, answer: /^Unexpected answer: .*not JSON.*outcome is unknown: it may have been applied/, outcome: { error: 'unknown', audit: 'outcome unknown' } },
  },
  {
    name: 'a 200 with truncated JSON',
    fault: { kind: 'invalid-json-200', body: 'truncated', forward: true },
    read: { sent: 1, reached: 1, answer: /^Unexpected answer: .*not JSON \(application\/json/ },
    write: { sent: 1, reached: 1, answer: /^Unexpected answer: .*outcome is unknown/, outcome: { error: 'unknown', audit: 'outcome unknown' } },
  },
  {
    // Any body the proxy is given is served as the 200, here JSON that nests 10,000 arrays deep (a stack overflow before).
    name: 'a 200 nested 10,000 levels deep',
    fault: { kind: 'invalid-json-200', body: `${'['.repeat(10_000)}${']'.repeat(10_000)}`, contentType: 'application/json', forward: true },
    read: { sent: 1, reached: 1, answer: /^The Pinterest API's answer nests deeper than 1000 levels \(no documented answer does\) and is not shown\. Nothing was changed\./ },
    write: {
      sent: 1,
      reached: 1,
      answer: /^The Pinterest API accepted this PATCH .*so it was applied, but its answer nests deeper than 1000 levels .*Do not repeat it: read the entity/,
      outcome: { error: 'applied', audit: 'applied; answer not read' },
    },
  },
  {
    name: 'an oversized answer (5 MB, no length declared)',
    fault: { kind: 'oversized', bytes: 5_000_000, forward: true },
    read: { sent: 1, reached: 1, answer: /larger than 1000000 bytes .*was not read/ },
    write: { sent: 1, reached: 1, answer: /accepted this PATCH .*so it was applied, but its answer is larger than 1000000 bytes/, outcome: { error: 'applied', audit: 'applied; answer not read' } },
  },
  {
    name: 'an oversized answer (declared Content-Length)',
    fault: { kind: 'oversized', bytes: 50_000_000, declareLength: true },
    read: { sent: 1, reached: 0, answer: /larger than 1000000 bytes .*was not read/ },
    write: { sent: 1, reached: 0, answer: /so it was applied, but its answer is larger/, outcome: { error: 'applied', audit: 'applied; answer not read' } },
  },
];

describe('fault suite: the client behind a fault proxy', () => {
  let emulator: Emulator;
  let proxy: FaultProxy;
  /** A server per set of limits, each with its audit log. */
  const servers = new Map<Limits, { h: Harness; auditPath: string }>();
  beforeAll(async () => {
    emulator = await startEmulator();
    proxy = await startFaultProxy({ upstream: emulator.url });
    const dir = tempDir('faults-');
    for (const [limits, env] of Object.entries(LIMITS) as [Limits, Record<string, string>][]) {
      const auditPath = join(dir, `audit-${limits}.jsonl`);
      const h = await startInProcess({ emulator, args: ['--audit-log', auditPath], env: { ...ENV, ...env, PINTEREST_API_BASE_URL: proxy.url } });
      servers.set(limits, { h, auditPath });
    }
  });
  afterAll(async () => {
    for (const { h } of servers.values()) await h.close();
    await proxy?.close();
    await emulator?.close();
  });
  beforeEach(() => {
    emulator.reset();
    proxy.clear();
    proxy.requests.length = 0;
  });

  /** Requests of `method` on `path` that the client sent and that reached the API. */
  const counts = (method: string, path: string) => ({
    sent: proxy.requests.filter((r) => r.method === method && r.path === path).length,
    reached: emulator.requests.filter((r) => r.method === method && r.path === path).length,
  });

  /**
   * The answer, and what the proxy and the API received: awaited, since a request the proxy forwards reaches the API
   * on the proxy's own time (an attempt the client gave up on may still be on its way).
   */
  async function check(result: Awaited<ReturnType<Harness['call']>>, expected: Expected, method: string, path: string) {
    await vi.waitFor(() => expect(counts(method, path), result.text).toEqual({ sent: expected.sent, reached: expected.reached }), EVENTUALLY);
    if (expected.answer === 'ok') {
      expect(result.isError, result.text).toBeFalsy();
    } else {
      expect(result.isError).toBe(true);
      expect(result.text).toMatch(expected.answer);
    }
  }

  for (const row of ROWS) {
    it(`${row.name}: a read`, async () => {
      const { h } = servers.get(row.limits ?? 'default')!;
      proxy.inject({ ...row.fault, method: 'GET', path: READ_PATH } as FaultRule);
      const result = await h.call('ad_accounts_get', { ad_account_id: USD_ACCOUNT });
      await check(result, row.read, 'GET', READ_PATH);
    });

    it(`${row.name}: a write`, async () => {
      const { h, auditPath } = servers.get(row.limits ?? 'default')!;
      proxy.inject({ ...row.fault, method: 'PATCH', path: WRITE_PATH } as FaultRule);
      const name = `renamed under ${row.name}`;
      const result = await h.call('ad_groups_update', { ad_account_id: USD_ACCOUNT, body: [{ id: AD_GROUP, name }] });
      await check(result, row.write, 'PATCH', WRITE_PATH);
      const audit = readFileSync(auditPath, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>).at(-1);
      if (row.write.outcome) {
        expect(result.structuredContent).toMatchObject({ outcome: row.write.outcome.error });
        expect(audit).toMatchObject({ tool: 'ad_groups_update', outcome: row.write.outcome.audit });
      } else {
        expect(audit).toMatchObject({ tool: 'ad_groups_update', outcome: 'ok' });
      }
      // Applied exactly when the API received it: the fake API's state says what happened.
      expect(emulator.state.adGroups.get(AD_GROUP)?.name === name).toBe(row.write.reached > 0);
    });
  }
});

/** Resident memory of a process, from /proc (Linux), in MB: now (VmRSS) or at its peak (VmHWM). */
function rssMb(pid: number, field: 'VmRSS' | 'VmHWM' = 'VmRSS'): number {
  const match = new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Number(match[1]) / 1024 : Number.NaN;
}

describe.skipIf(process.platform !== 'linux')('bounded answers: memory under a burst of oversized answers', () => {
  it('refuses 20 concurrent 50 MB answers at the default 20 MB limit, and memory returns to its level', async () => {
    const emulator = await startEmulator();
    const proxy = await startFaultProxy({ upstream: emulator.url });
    const h = await startStdio({ emulator, env: { PINTEREST_API_BASE_URL: proxy.url } });
    try {
      const call = () => h.call('ad_accounts_get', { ad_account_id: USD_ACCOUNT });
      await Promise.all(Array.from({ length: 5 }, call)); // warm: every module and connection in place
      const before = rssMb(h.pid!);
      proxy.inject({ kind: 'oversized', bytes: 50_000_000, method: 'GET', path: READ_PATH, times: 20 });
      const results = await Promise.all(Array.from({ length: 20 }, call));
      for (const result of results) expect(result.text).toMatch(/larger than 20000000 bytes .*was not read/);
      // Each answer was cut while streaming: far less than 50 MB of each crossed the proxy.
      const delivered = proxy.requests.filter((r) => r.fault === 'oversized').map((r) => r.bytesSent);
      expect(delivered).toHaveLength(20);
      for (const bytes of delivered) expect(bytes).toBeLessThan(50_000_000);
      // Settled: later calls work, and resident memory is back near where it was (no 20 x 20 MB kept).
      for (let i = 0; i < 10; i++) await Promise.all(Array.from({ length: 5 }, call));
      // The dropped buffers are freed by the garbage collector when it next runs; give it up to 20 s of quiet.
      let after = rssMb(h.pid!);
      const samples = [after];
      for (let waited = 0; after - before >= 80 && waited < 20_000; waited += 500) {
        await new Promise((resolve) => setTimeout(resolve, 500));
        after = rssMb(h.pid!);
        samples.push(after);
      }
      console.log(samples.map((m) => m.toFixed(0)).join(' '));
      console.log(`server RSS before the burst ${before.toFixed(0)} MB, peak ${rssMb(h.pid!, 'VmHWM').toFixed(0)} MB, after ${after.toFixed(0)} MB`);
      // 20 x 20 MB were read and dropped; what stays is the allocator's and the garbage collector's slack, not answers.
      expect(after - before).toBeLessThan(80);
    } finally {
      await h.close();
      await proxy.close();
      await emulator.close();
    }
  }, 60_000);
});
