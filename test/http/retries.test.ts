// The Pinterest client under injected faults: retries and their counts, Retry-After, timeouts, no duplicated write.
import { LoggingMessageNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { createServer, type AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CategoryLimiter } from '../../src/http/limiter.js';
import { type Emulator, startEmulator } from '../../fakes/pinterest/server.js';
import { type Harness, MODEL_APPROVAL, USD_ACCOUNT, startInProcess } from '../helpers/harness.js';
import { ATTEMPT_CUT_MS, gate } from '../helpers/waiting.js';

const AD_GROUP = '2680059592701';
const READ = { tool: 'ad_accounts_get', args: { ad_account_id: USD_ACCOUNT }, op: 'ad_accounts/get' };
/** A write that needs no confirmation (a rename), so each call is exactly one PATCH. */
const rename = (name: string) => ({ ad_account_id: USD_ACCOUNT, body: [{ id: AD_GROUP, name }] });
/** Well under the 20 s a Retry-After that could not be read used to cost, and far above what an answer needs when loaded. */
const NOT_WAITED_OUT_MS = 15_000;

/** The `retrying request` warnings the server sends `h`'s client during the calls that follow (the logging level is set). */
async function retryWarnings(h: Harness): Promise<Record<string, unknown>[]> {
  const warnings: Record<string, unknown>[] = [];
  h.client.setNotificationHandler(LoggingMessageNotificationSchema, (n) => {
    const data = n.params.data as Record<string, unknown>;
    if (data.msg === 'retrying request') warnings.push(data);
  });
  await h.client.setLoggingLevel('warning');
  return warnings;
}

describe('client resilience (faults injected by the fake API)', () => {
  let emulator: Emulator;
  let h: Harness;
  // The default timeouts (30 s per attempt, 90 s per call): an answer that comes is never cut, however loaded the
  // machine. The timeouts themselves are tested below, against a fake API that never answers.
  beforeAll(async () => {
    emulator = await startEmulator();
    h = await startInProcess({ emulator, args: [...MODEL_APPROVAL], env: { PINTEREST_MCP_RETRIES: '2' } });
  });
  afterAll(async () => {
    await h?.close();
    await emulator?.close();
  });
  beforeEach(() => emulator.reset());

  const attempts = (operationId: string) => emulator.requests.filter((r) => r.operationId === operationId);

  it('repeats a read after a 429, waiting its Retry-After', async () => {
    emulator.inject({ operationId: READ.op, status: 429, headers: { 'retry-after': '1' } });
    const started = Date.now();
    const result = await h.call(READ.tool, READ.args);
    expect(result.isError, result.text).toBeFalsy();
    expect(attempts(READ.op).map((r) => r.status)).toEqual([429, 200]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
  });

  it('repeats a read after a 500 and after a dropped connection', async () => {
    emulator.inject({ operationId: READ.op, status: 500 });
    emulator.inject({ operationId: READ.op, drop: 'before' });
    const result = await h.call(READ.tool, READ.args);
    expect(result.isError, result.text).toBeFalsy();
    expect(attempts(READ.op).map((r) => r.status)).toEqual([500, 0, 200]);
  });

  it('gives up on a read after the configured retries with a clear error', async () => {
    emulator.inject({ operationId: READ.op, status: 503, times: 5 });
    const result = await h.call(READ.tool, READ.args);
    expect(result.isError).toBe(true);
    expect(result.text).toMatch(/Pinterest API error 503/);
    expect(result.structuredContent).toMatchObject({ error: 'http', status: 503 });
    expect(attempts(READ.op)).toHaveLength(3); // 1 + PINTEREST_MCP_RETRIES
  });

  it('does not repeat a write after a 500: one attempt and an error that says to read first', async () => {
    emulator.inject({ operationId: 'ad_groups/update', status: 500 });
    const result = await h.call('ad_groups_update', rename('after 500'));
    expect(result.isError).toBe(true);
    expect(result.text).toMatch(/Pinterest API error 500/);
    expect(result.text).toMatch(/not repeated.*may have been applied.*read the entity/i);
    expect(attempts('ad_groups/update')).toHaveLength(1);
  });

  it('repeats a read-only POST after a 500, as a read: its errors never speak of a write', async () => {
    const bidFloors = { ad_account_id: USD_ACCOUNT, body: { bid_floor_specs: [{ billable_event: 'CLICKTHROUGH', currency: 'USD', countries: ['US'], objective_type: 'CONSIDERATION' }] } };
    emulator.inject({ operationId: 'ad_groups_bid_floor/get', status: 500 });
    const retried = await h.call('ad_groups_bid_floor_get', bidFloors);
    expect(retried.isError, retried.text).toBeFalsy();
    expect(attempts('ad_groups_bid_floor/get').map((r) => r.status)).toEqual([500, 200]);
    emulator.reset();
    emulator.inject({ operationId: 'ad_groups_bid_floor/get', status: 500, times: 5 });
    const failed = await h.call('ad_groups_bid_floor_get', bidFloors);
    expect(failed.isError).toBe(true);
    expect(failed.text).toMatch(/Pinterest API error 500/);
    expect(failed.text).not.toMatch(/write|applied/i);
    expect(attempts('ad_groups_bid_floor/get')).toHaveLength(3); // 1 + PINTEREST_MCP_RETRIES
  });

  it('names an error answer without a message by its HTTP reason phrase', async () => {
    emulator.inject({ operationId: READ.op, status: 500, body: { code: 2 }, times: 5 });
    const result = await h.call(READ.tool, READ.args);
    expect(result.isError).toBe(true);
    expect(result.text).toMatch(/^Pinterest API error 500 \(code 2\): Internal Server Error\. /);
  });

  it('repeats a write once after a plain 429 (Pinterest did not process it)', async () => {
    emulator.inject({ operationId: 'ad_groups/update', status: 429, headers: { 'retry-after': '0' } });
    const result = await h.call('ad_groups_update', rename('after 429'));
    expect(result.isError, result.text).toBeFalsy();
    expect(attempts('ad_groups/update').map((r) => r.status)).toEqual([429, 200]);
    expect(emulator.state.adGroups.get(AD_GROUP)?.name).toBe('after 429');
  });

  it('does not repeat a 429 that Pinterest reports as spam or abuse, read or write', async () => {
    const spam = { status: 429, body: { code: 8, message: 'Request blocked as spam' } };
    emulator.inject({ operationId: READ.op, ...spam });
    emulator.inject({ operationId: 'ad_groups/update', ...spam });
    const read = await h.call(READ.tool, READ.args);
    const write = await h.call('ad_groups_update', rename('spam'));
    for (const result of [read, write]) {
      expect(result.isError).toBe(true);
      expect(result.text).toMatch(/Request blocked as spam.*spam or abuse; it was not retried/);
    }
    expect(attempts(READ.op)).toHaveLength(1);
    expect(attempts('ad_groups/update')).toHaveLength(1);
  });

  it('reports a 429 whose Retry-After is too long instead of waiting it out', async () => {
    emulator.inject({ operationId: READ.op, status: 429, headers: { 'retry-after': '3600' } });
    const result = await h.call(READ.tool, READ.args);
    expect(result.isError).toBe(true);
    expect(result.text).toMatch(/wait 3600 s/);
    expect(result.structuredContent).toMatchObject({ status: 429, retryAfterSeconds: 3600 });
    expect(attempts(READ.op)).toHaveLength(1);
  });

  // Each takes 20 s when a Retry-After that cannot be read is waited out at the client's 20 s cap.
  for (const [status, value] of [
    [429, 'soon'],
    [429, 'Infinity'],
    [503, 'soon'],
  ] as const) {
    it(`backs off briefly after a ${status} whose Retry-After is unreadable ("${value}"), instead of waiting 20 s`, async () => {
      const warnings = await retryWarnings(h);
      emulator.inject({ operationId: READ.op, status, headers: { 'retry-after': value } });
      const started = Date.now();
      const result = await h.call(READ.tool, READ.args);
      expect(result.isError, result.text).toBeFalsy();
      expect(attempts(READ.op).map((r) => r.status)).toEqual([status, 200]);
      // The wait the client chose: the first backoff (jittered below 300 ms), logged before the retry was sent.
      expect(warnings).toEqual([expect.objectContaining({ op: READ.op, reason: status, retryCount: 1 })]);
      expect(warnings[0].waitedMs).toBeLessThanOrEqual(300);
      expect(Date.now() - started).toBeLessThan(NOT_WAITED_OUT_MS);
    });
  }

  it('waits a readable Retry-After exactly, and says so in its warning', async () => {
    const warnings = await retryWarnings(h);
    emulator.inject({ operationId: READ.op, status: 429, headers: { 'retry-after': '1' } });
    const result = await h.call(READ.tool, READ.args);
    expect(result.isError, result.text).toBeFalsy();
    expect(warnings).toEqual([expect.objectContaining({ reason: 429, waitedMs: 1000 })]);
  });

  it('reports a 503 whose Retry-After is beyond the cap at once instead of waiting 20 s', async () => {
    emulator.inject({ operationId: READ.op, status: 503, headers: { 'retry-after': '3600' } });
    const started = Date.now();
    const result = await h.call(READ.tool, READ.args);
    expect(result.isError).toBe(true);
    expect(result.text).toMatch(/Pinterest API error 503.*Pinterest asks to wait 3600 s before trying again\.$/);
    expect(result.structuredContent).toMatchObject({ status: 503, retryAfterSeconds: 3600 });
    expect(attempts(READ.op)).toHaveLength(1);
    expect(Date.now() - started).toBeLessThan(NOT_WAITED_OUT_MS);
  });

  it('reports a 429 whose Retry-After is a far-future date or a huge number at once, with one attempt', async () => {
    for (const value of ['Wed, 21 Oct 2099 07:28:00 GMT', '99999999999']) {
      emulator.reset();
      emulator.inject({ operationId: READ.op, status: 429, headers: { 'retry-after': value } });
      const result = await h.call(READ.tool, READ.args);
      expect(result.isError).toBe(true);
      expect(result.text).toMatch(/Rate limited: Pinterest asks to wait \d+ s; nothing was changed/);
      expect(attempts(READ.op)).toHaveLength(1);
    }
  });

  it('reports "Outcome unknown" for a confirmed write whose connection dropped after it was applied, and never repeats it', async () => {
    const args = { ad_account_id: USD_ACCOUNT, body: [{ id: AD_GROUP, budget: '12.50' }] };
    const preview = await h.call('ad_groups_update', args);
    const token = (preview.structuredContent as { confirmation_token: string }).confirmation_token;
    expect(token).toMatch(/^cfm_/);
    emulator.inject({ operationId: 'ad_groups/update', method: 'PATCH', drop: 'after' });
    const result = await h.call('ad_groups_update', { ...args, confirmation_token: token });
    expect(result.isError).toBe(true);
    expect(result.text).toMatch(/^Outcome unknown: .*PATCH .*ad_groups.*Read the entity before retrying/s);
    expect(result.structuredContent).toMatchObject({ error: 'outcome_unknown' });
    expect(attempts('ad_groups/update')).toHaveLength(1);
    // It was applied: exactly why it must not be repeated.
    expect(emulator.state.adGroups.get(AD_GROUP)?.budget_in_micro_currency).toBe(12_500_000);
  });
});

describe('per-attempt timeouts (a fake API that never answers until the test ends)', () => {
  let emulator: Emulator;
  let h: Harness;
  const never = gate();
  beforeAll(async () => {
    emulator = await startEmulator();
    h = await startInProcess({
      emulator,
      args: [...MODEL_APPROVAL],
      env: { PINTEREST_MCP_RETRIES: '2', PINTEREST_MCP_TIMEOUT_MS: String(ATTEMPT_CUT_MS), PINTEREST_MCP_TOTAL_TIMEOUT_MS: '60000' },
    });
  });
  afterAll(async () => {
    await h?.close();
    never.open();
    await emulator?.close();
  });
  beforeEach(() => emulator.reset());

  const attempts = (operationId: string) => emulator.requests.filter((r) => r.operationId === operationId);

  it('cuts each attempt of a read that gets no answer, retries it, then reports a timeout', async () => {
    const warnings = await retryWarnings(h);
    emulator.inject({ operationId: READ.op, hold: never.promise, times: 3 });
    const result = await h.call(READ.tool, READ.args);
    expect(result.isError).toBe(true);
    expect(result.text).toMatch(/did not answer in time/);
    expect(result.structuredContent).toMatchObject({ error: 'timeout' });
    expect(attempts(READ.op)).toHaveLength(3);
    // Each attempt was cut by its own timeout (the call's 60 s were far from over), then retried.
    expect(warnings.map((w) => [w.retryCount, w.reason])).toEqual([
      [1, 'timeout'],
      [2, 'timeout'],
    ]);
  });

  it('reports "Outcome unknown" for a write that timed out, with one attempt', async () => {
    emulator.inject({ operationId: 'ad_groups/update', hold: never.promise });
    const result = await h.call('ad_groups_update', rename('slow'));
    expect(result.isError).toBe(true);
    expect(result.text).toMatch(/^Outcome unknown: .* in time, and it may have been applied/);
    expect(attempts('ad_groups/update')).toHaveLength(1);
  });
});

describe('client without retries and against a closed port', () => {
  it('says a write was not sent when the connection was refused', async () => {
    const emulator = await startEmulator();
    const closedPort = await new Promise<number>((resolve) => {
      const probe = createServer().listen(0, '127.0.0.1', () => {
        const { port } = probe.address() as AddressInfo;
        probe.close(() => resolve(port));
      });
    });
    const h = await startInProcess({
      emulator,
      env: { PINTEREST_API_BASE_URL: `http://127.0.0.1:${closedPort}/v5`, PINTEREST_MCP_RETRIES: '1' },
    });
    try {
      const result = await h.call('ad_groups_update', rename('unreachable'));
      expect(result.isError).toBe(true);
      expect(result.text).toMatch(/ECONNREFUSED.*not sent, so nothing was changed/);
    } finally {
      await h.close();
      await emulator.close();
    }
  });
});

describe('per-category limiter', () => {
  it('lets another category run while one is saturated', async () => {
    const limiter = new CategoryLimiter(2);
    const g = gate();
    const busy = [1, 2, 3].map(() => limiter.run('ads_analytics', () => g.promise));
    expect(limiter.load('ads_analytics')).toBe(3); // two running, one queued
    // The other category completes while the busy one is still blocked (were it queued behind it, this would wait
    // until the test's own timeout).
    expect(await limiter.run('org_read', async () => 'done')).toBe('done');
    expect(limiter.load('ads_analytics')).toBe(3);
    g.open();
    await Promise.all(busy);
    expect(limiter.load('ads_analytics')).toBe(0);
  });

  it('holds only the category that received a Retry-After', async () => {
    const limiter = new CategoryLimiter();
    const started = Date.now();
    limiter.pause('ads_write', 1000);
    let wrote = false;
    const write = limiter.run('ads_write', async () => {
      wrote = true;
    });
    // The read runs at once, while the write still waits out its pause (a timer, which cannot fire before the read's
    // promises have settled, however slow the machine).
    await limiter.run('ads_read', async () => {});
    expect(wrote).toBe(false);
    await write;
    expect(Date.now() - started).toBeGreaterThanOrEqual(990);
  });

  it('never runs more than its concurrency in one category', async () => {
    const limiter = new CategoryLimiter(3);
    let running = 0;
    let peak = 0;
    await Promise.all(
      Array.from({ length: 20 }, () =>
        limiter.run('c', async () => {
          running++;
          peak = Math.max(peak, running);
          await new Promise((r) => setTimeout(r, 5));
          running--;
        }),
      ),
    );
    expect(peak).toBe(3);
  });
});
