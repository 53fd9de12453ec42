// Long work: the report workflow end to end with progress notifications and cancellation; warnings forwarded as MCP logs.
import { CallToolResultSchema, LoggingMessageNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { describe, expect, it } from 'vitest';
import { startEmulator } from '../../fakes/pinterest/server.js';
import { USD_ACCOUNT, startInProcess } from '../helpers/harness.js';

const body = { level: 'CAMPAIGN', columns: ['SPEND_IN_MICRO_DOLLAR', 'IMPRESSION_1'], start_date: '2026-11-01', end_date: '2026-11-10', granularity: 'TOTAL', report_format: 'JSON' };

describe('analytics_run_report', () => {
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

  it('stops polling when the client cancels', async () => {
    const emulator = await startEmulator({ reportPollsUntilReady: 1_000 });
    const h = await startInProcess({ emulator, args: ['--toolsets', 'analytics,accounts'] });
    try {
      const controller = new AbortController();
      const call = h.client.callTool({ name: 'analytics_run_report', arguments: { ad_account_id: USD_ACCOUNT, body } }, CallToolResultSchema, {
        signal: controller.signal,
        onprogress: (p) => {
          if (p.progress >= 1) controller.abort();
        },
      });
      await expect(call).rejects.toThrow();
      const polls = h.sent({ operationId: 'analytics/get_report' }).length;
      await new Promise((r) => setTimeout(r, 1500));
      expect(h.sent({ operationId: 'analytics/get_report' }).length).toBe(polls);
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
      h.client.setNotificationHandler(LoggingMessageNotificationSchema, (n) => {
        messages.push(n.params);
      });
      await h.client.setLoggingLevel('warning');
      h.emulator.inject({ operationId: 'campaigns/list', status: 500, body: { code: 1, message: 'boom' } });
      const result = await h.call('campaigns_list', { ad_account_id: USD_ACCOUNT });
      expect(result.isError, result.text).toBeFalsy();
      await new Promise((r) => setTimeout(r, 50));
      expect(messages).toContainEqual(expect.objectContaining({ level: 'warning', data: expect.objectContaining({ msg: 'retrying request' }) }));
    } finally {
      await h.close();
    }
  });
});
