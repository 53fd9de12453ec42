// Workflow tools that chain operations: an async analytics report run end to end, with progress and cancellation.
import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import { type DownloadOptions, downloadJson } from '../http/download.js';
import { RESTATED_ROWS, restateRow, totalRows } from '../money/report-rows.js';
import { type MetaTool, meta } from './meta.js';
import type { ToolDef } from '../tools/registry.js';
import { errorResult } from '../core/results.js';
import { type CallContext, type RunsTools, type ToolAnswer, isHeld, isQuestion } from './answers.js';
import type { Selection } from '../tools/selection.js';
import { branchedSchema } from './output-branches.js';

const FIRST_POLL_MS = 500;
const MAX_POLL_MS = 10_000;

type Row = Record<string, unknown>;

/**
 * What analytics_run_report answers: the finished report's totals and first rows, amounts restated; or, where every
 * write is held (--confirm-writes all), the held create.
 */
const REPORT_RUN = branchedSchema(
  'structuredContent of analytics_run_report: `answer`, the finished report; `held_answer`, its create held (--confirm-writes all); `truncated_answer`, an answer cut for size.',
  {
    type: 'object',
    required: ['token', 'report_status', 'rows', 'totals', 'first_rows'],
    properties: {
      token: { type: 'string' },
      report_status: { const: 'FINISHED' },
      rows: { type: 'integer', description: 'How many rows the report has.' },
      currency: { type: 'string' },
      totals: { type: 'object', description: `Sums of the columns that add up. ${RESTATED_ROWS}` },
      not_totalled: { type: 'array', items: { type: 'string' }, description: 'Columns that do not add up (rates, averages, ids).' },
      first_rows: { type: 'array', items: { type: 'object', description: RESTATED_ROWS } },
    },
  },
  true,
);

/** Rows of a JSON report: Pinterest groups them by entity id (`{ "<id>": [ {...}, ... ] }`) or lists them. */
function rowsOf(report: unknown): Row[] {
  if (Array.isArray(report)) return report as Row[];
  if (report && typeof report === 'object') {
    return Object.entries(report).flatMap(([id, rows]) =>
      (Array.isArray(rows) ? rows : [rows]).map((r) => ({ entity_id: id, ...(r as Row) })),
    );
  }
  return [];
}

export function reportWorkflow(
  selection: Selection,
  byName: ReadonlyMap<string, ToolDef>,
  runner: RunsTools,
  limits: Omit<DownloadOptions, 'signal'>,
): MetaTool | undefined {
  const create = byName.get('analytics_create_report');
  const get = byName.get('analytics_get_report');
  if (!create || !get || selection.refusal(create) || selection.refusal(get)) return undefined;
  // Built on first use (a call, or a listing without the build's cache): the create tool's schema is costly to make.
  const input = () =>
    z.strictObject({
      ad_account_id: create.input.shape.ad_account_id,
      body: create.input.shape.body,
      timeout_seconds: z.int().min(5).max(900).optional().describe('Give up waiting after this long (default 300).'),
      max_rows: z.int().min(0).max(200).optional().describe('Rows to include in the result (default 20).'),
    });
  const contentOf = (r: ToolAnswer) => ((isQuestion(r) || isHeld(r) ? undefined : r.structuredContent) ?? {}) as Record<string, unknown>;

  const tool = meta(
    'analytics_run_report',
    'Run analytics report',
    'Creates an async analytics report, waits until it is ready (progress notifications, cancellable), downloads it and returns totals and the first rows. Body as for analytics_create_report.',
    input,
    { readOnlyHint: true, destructiveHint: false, idempotentHint: false, openWorldHint: true },
    async (args: { ad_account_id: string; body: unknown; timeout_seconds?: number; max_rows?: number }, ctx: CallContext) => {
      const deadline = Date.now() + (args.timeout_seconds ?? 300) * 1000;
      await ctx.progress?.(0, undefined, 'creating report');
      const created = await runner.run(create, { ad_account_id: args.ad_account_id, body: args.body }, ctx);
      if (isQuestion(created) || isHeld(created) || created.isError) return created; // a held create is asked first (--confirm-writes all)
      const token = contentOf(created).token;
      if (typeof token !== 'string') return errorResult('The API did not return a report token; nothing to wait for.');

      let wait = FIRST_POLL_MS;
      for (let poll = 1; ; poll++) {
        try {
          await sleep(wait, undefined, { signal: ctx.signal });
        } catch {
          return errorResult(`Cancelled while waiting for report ${token}; fetch it later with analytics_get_report.`);
        }
        const status = await runner.run(get, { ad_account_id: args.ad_account_id, token }, ctx);
        if (isQuestion(status) || isHeld(status) || status.isError) return status;
        const report = contentOf(status);
        await ctx.progress?.(poll, undefined, `report ${String(report.report_status)} after ${poll} poll(s)`);
        if (report.report_status === 'FINISHED' && typeof report.url === 'string') {
          let file: unknown;
          try {
            file = await downloadJson(report.url, { signal: ctx.signal, ...limits });
          } catch (error) {
            return errorResult(`Report ${token} is ready, but its file could not be downloaded (${(error as Error).message}). Try analytics_get_report again later for a fresh URL.`);
          }
          const rows = rowsOf(file);
          const account = await runner.run(byName.get('ad_accounts_get')!, { ad_account_id: args.ad_account_id }, ctx);
          const accountCurrency = contentOf(account).currency;
          const currency = typeof accountCurrency === 'string' ? accountCurrency : undefined;
          const { totals, not_totalled } = totalRows(rows, currency);
          const result = {
            token,
            report_status: 'FINISHED',
            rows: rows.length,
            ...(currency ? { currency } : {}),
            totals,
            ...(not_totalled.length ? { not_totalled } : {}),
            first_rows: rows.slice(0, args.max_rows ?? 20).map((row) => restateRow(row, currency)),
          };
          return { content: [{ type: 'text', text: JSON.stringify(result) }], structuredContent: result };
        }
        if (report.report_status !== 'IN_PROGRESS' && report.report_status !== 'QUEUED' && report.report_status !== undefined) {
          return errorResult(`Report ${token} ended as ${String(report.report_status)}; try again with a narrower date range or fewer columns.`);
        }
        if (Date.now() + wait > deadline) {
          return errorResult(`Report ${token} was not ready within ${args.timeout_seconds ?? 300} s; fetch it later with analytics_get_report.`);
        }
        wait = Math.min(Math.round(wait * 1.5), MAX_POLL_MS);
      }
    },
    REPORT_RUN,
  );
  // The body is analytics_create_report's; listing it twice would cost ~800 tokens, so the listing refers to it.
  const listing = tool.listing;
  const properties = { ...(listing.inputSchema.properties ?? {}) };
  properties.body = { type: 'object', description: 'Same body as analytics_create_report (see describe_tool for its fields).' };
  const summarised = { ...listing, inputSchema: { ...listing.inputSchema, properties } };
  return { ...tool, toolset: 'analytics', listing: summarised };
}
