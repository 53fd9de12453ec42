// Long work: the report workflow end to end with progress notifications and cancellation; warnings forwarded as MCP logs.
import { CallToolResultSchema, LoggingMessageNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { startEmulator } from '../../fakes/pinterest/server.js';
import { USD_ACCOUNT, startInProcess } from '../helpers/harness.js';

/**
 * The workflow's waits between polls (node:timers/promises' setTimeout), on a clock the test moves when it holds it:
 * each wait is then a pending step that ends when the test lets it elapse, or when the call's signal cancels it.
 * Unheld, every wait runs on real time.
 */
const clock = vi.hoisted(() => {
  interface Wait {
    ms: number;
    /** Lets the wait end as if its time had passed. */
    elapse(): void;
    /** How the wait ended. */
    ended: Promise<'elapsed' | 'cancelled'>;
  }
  const pending: Wait[] = [];
  const waiting: ((wait: Wait) => void)[] = [];
  let held = false;
  return {
    get held() {
      return held;
    },
    hold() {
      held = true;
    },
    release() {
      held = false;
      pending.splice(0).forEach((w) => w.elapse());
    },
    wait<T>(ms: number, value: T, signal: AbortSignal | undefined): Promise<T> {
      return new Promise<T>((resolve, reject) => {
        let end!: (how: 'elapsed' | 'cancelled') => void;
        const ended = new Promise<'elapsed' | 'cancelled'>((settle) => (end = settle));
        const cancel = () => {
          end('cancelled');
          reject(signal!.reason);
        };
        const wait: Wait = {
          ms,
          ended,
          elapse: () => {
            signal?.removeEventListener('abort', cancel);
            end('elapsed');
            resolve(value);
          },
        };
        if (signal?.aborted) cancel();
        else signal?.addEventListener('abort', cancel, { once: true });
        const taker = waiting.shift();
        if (taker) taker(wait);
        else pending.push(wait);
      });
    },
    /** The next wait the code under test starts (already started, or the next one). */
    next(): Promise<Wait> {
      const wait = pending.shift();
      return wait ? Promise.resolve(wait) : new Promise((resolve) => waiting.push(resolve));
    },
  };
});
vi.mock('node:timers/promises', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:timers/promises')>();
  return {
    ...real,
    setTimeout: <T>(ms?: number, value?: T, options?: { signal?: AbortSignal }) =>
      clock.held ? clock.wait(ms ?? 0, value as T, options?.signal) : real.setTimeout(ms, value, options),
  };
});

const body = { level: 'CAMPAIGN', columns: ['SPEND_IN_MICRO_DOLLAR', 'IMPRESSION_1'], start_date: '2026-11-01', end_date: '2026-11-10', granularity: 'TOTAL', report_format: 'JSON' };

describe('analytics_run_report', () => {
  afterEach(() => clock.release());

  it('creates, polls with progress notifications, downloads and summarises', async () => {
    const emulator = await startEmulator({ reportPollsUntilReady: 2 });
    const h = await startInProcess({ emulator, args: ['--toolsets', 'analytics,accounts'] });
    try {
      const progress: { progress: number; message?: string }[] = [];
      const result = await h.client.callTool(
        { name: 'analytics_run_report', arguments: { ad_account_id: USD_ACCOUNT, body } },
        CallToolResultSchema,
        { onprogress: (p) => progress.push(p) },
      );
      expect(result.isError, JSON.stringify(result.content)).toBeFalsy();
      const out = result.structuredContent as { report_status: string; rows: number; totals: Record<string, unknown>; first_rows: Record<string, unknown>[] };
      expect(out.report_status).toBe('FINISHED');
      expect(out.rows).toBeGreaterThan(0);
      // Micro columns stay as the API gave them, each restated beside it in natural units, in totals and in rows.
      expect(Number.isSafeInteger(out.totals.SPEND_IN_MICRO_DOLLAR)).toBe(true);
      expect(out.totals.SPEND).toBe(`${(Number(out.totals.SPEND_IN_MICRO_DOLLAR) / 1e6).toFixed(2)} USD`);
      for (const row of out.first_rows) expect(row.SPEND).toBe(`${(Number(row.SPEND_IN_MICRO_DOLLAR) / 1e6).toFixed(2)} USD`);
      expect(progress.length).toBeGreaterThanOrEqual(3); // creating + at least two polls
      expect(progress.at(-1)!.message).toMatch(/FINISHED/);
      expect(h.sent({ operationId: 'analytics/get_report' })).toHaveLength(3);
    } finally {
      await h.close();
      await emulator.close();
    }
  });

  it('downloads the report file again after a 503; a refused file is reported by its status, without its pre-signed URL', async () => {
    const emulator = await startEmulator({ reportPollsUntilReady: 0 });
    const h = await startInProcess({ emulator, args: ['--toolsets', 'analytics,accounts'] });
    const files = () => emulator.requests.filter((r) => r.operationId === null && r.path.startsWith('/files/'));
    try {
      emulator.inject({ operationId: null, status: 503 });
      const repeated = await h.call('analytics_run_report', { ad_account_id: USD_ACCOUNT, body });
      expect(repeated.isError, repeated.text).toBeFalsy();
      expect(files().map((r) => r.status)).toEqual([503, 200]);

      emulator.reset();
      emulator.inject({ operationId: null, status: 403, times: 3 });
      const refused = await h.call('analytics_run_report', { ad_account_id: USD_ACCOUNT, body });
      expect(refused.isError).toBe(true);
      expect(refused.text).toMatch(/could not be downloaded \(HTTP 403\)/);
      expect(files()).toHaveLength(1); // a refusal is not repeated
      expect(refused.text).not.toContain(files()[0].path);
    } finally {
      await h.close();
      await emulator.close();
    }
  });

  it('stops polling when the client cancels: the wait for the next poll ends with the cancellation, not with time', async () => {
    const emulator = await startEmulator({ reportPollsUntilReady: 1_000 });
    const h = await startInProcess({ emulator, args: ['--toolsets', 'analytics,accounts'] });
    try {
      clock.hold();
      const controller = new AbortController();
      const call = h.client.callTool({ name: 'analytics_run_report', arguments: { ad_account_id: USD_ACCOUNT, body } }, CallToolResultSchema, {
        signal: controller.signal,
        onprogress: (p) => {
          if (p.progress >= 1) controller.abort();
        },
      });
      const first = await clock.next();
      expect(first.ms).toBe(500);
      first.elapse(); // the first poll goes out, and its progress makes the client cancel
      await expect(call).rejects.toThrow();
      const second = await clock.next();
      expect(second.ms).toBe(750);
      // No time passes on this clock: the wait can only end because the cancellation reached the workflow.
      expect(await second.ended).toBe('cancelled');
      await h.client.ping(); // the server has handled everything the cancellation set off
      expect(h.sent({ operationId: 'analytics/get_report' })).toHaveLength(1);
      expect(emulator.requests.map((r) => r.operationId)).toEqual(['analytics/create_report', 'analytics/get_report']);
    } finally {
      await h.close();
      await emulator.close();
    }
  });
});

describe('MCP logging', () => {
  it('forwards warnings to a client that set a logging level', async () => {
    const h = await startInProcess({ env: { PINTEREST_MCP_RETRIES: '1' } });
    try {
      const messages: unknown[] = [];
      let warned!: () => void;
      const warning = new Promise<void>((resolve) => (warned = resolve));
      h.client.setNotificationHandler(LoggingMessageNotificationSchema, (n) => {
        messages.push(n.params);
        if ((n.params.data as { msg?: string } | undefined)?.msg === 'retrying request') warned();
      });
      await h.client.setLoggingLevel('warning');
      h.emulator.inject({ operationId: 'campaigns/list', status: 500, body: { code: 1, message: 'boom' } });
      const result = await h.call('campaigns_list', { ad_account_id: USD_ACCOUNT });
      expect(result.isError, result.text).toBeFalsy();
      await warning;
      expect(messages).toContainEqual(expect.objectContaining({ level: 'warning', data: expect.objectContaining({ msg: 'retrying request' }) }));
    } finally {
      await h.close();
    }
  });
});
