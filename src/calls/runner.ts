// Runs a tool call: validate the complete schema, pass the guard, send through the API's client, shape the result.
import type { CallToolResult } from '@modelcontextprotocol/server';
import type { ApiId } from '../apis/index.js';
import { ApiError } from '../http/errors.js';
import { oneLine } from '../core/display.js';
import type { ApiClient } from '../http/client.js';
import type { Guard, GuardInput, HeldApproval, Present, Question } from '../guard/types.js';
import { type CallContext, type RunsTools, type ToolAnswer, isHeld, isQuestion } from './answers.js';
import type { Logger } from '../core/logger.js';
import { StoreUnavailable } from '../core/store.js';
import { type ToolDef, apiArguments } from '../tools/registry.js';
import { type FieldNames, errorResult, invalidArguments, project, structured, successResult, validationError } from '../core/results.js';
import { closest } from '../core/suggest.js';
import { isPlainObject } from '../core/json.js';
import { MAX_NESTING, nestsDeeperThan } from '../core/walk.js';
import type { DocumentedFields } from './documented-fields.js';

export interface RunnerOptions {
  clients: Readonly<Record<ApiId, ApiClient>>;
  guard: Guard;
  logger: Logger;
  maxResultChars: number;
  /** Where the model can read a tool's complete input schema (discover mode's describe tool, or a resource). */
  schemaHint?: (tool: ToolDef) => string | undefined;
}

/** The most items `max_items` may collect, whatever the caller asks. */
export const MAX_ITEMS_CEILING = 1000;

/** Why `max_items` stopped following bookmarks. */
export const PAGINATION_STOPS = ['max_items', 'end_of_list', 'repeated_bookmark', 'no_new_items', 'request_limit', 'cancelled', 'page_failed'] as const;
export type PaginationStop = (typeof PAGINATION_STOPS)[number];

/** The JSON Schema of what `max_items` adds to a list's answer (`collect`). */
export const PAGINATION_SCHEMA = {
  type: 'object',
  description: 'With max_items: how many requests were sent and why following pages stopped.',
  required: ['requests', 'stopped'],
  properties: { requests: { type: 'integer' }, stopped: { enum: [...PAGINATION_STOPS] } },
};

/** The page size a call asks for: its size argument, else the operation's documented default, else the API's. */
function pageSizeOf(tool: ToolDef, args: Record<string, unknown>): number {
  const { sizeParam, defaultPageSize } = tool.api.paging;
  const asked = args[sizeParam];
  if (typeof asked === 'number' && asked > 0) return asked;
  const documented = (tool.op.parameters.find((p) => p.name === sizeParam)?.schema as { default?: unknown } | undefined)?.default;
  return typeof documented === 'number' && documented > 0 ? documented : defaultPageSize;
}

/** An item's id, to drop items a misbehaving API repeats across pages. */
function itemId(item: unknown): string | undefined {
  const id = (item as { id?: unknown } | null)?.id;
  return typeof id === 'string' || typeof id === 'number' ? String(id) : undefined;
}

/** How `fields` names map to an answer's keys for this tool's API: its money names in the caller's words. */
function fieldNamesOf(tool: ToolDef): FieldNames {
  const answers = tool.api.money.answers;
  return answers.unit === 'micro' ? { aliasesOf: answers.microNamesOf, naturalOf: answers.naturalNameOf } : {};
}

/**
 * The refusal, before anything is sent, of `fields` names that are no documented field of the answer (nor stand for
 * one: `budget` for `budget_in_micro_currency`), each with the closest documented names in the caller's words and where
 * all of them are listed; undefined when every name is documented.
 */
function undocumentedFields(tool: ToolDef, fields: readonly string[], documented: { keys: ReadonlySet<string>; ofItems: boolean }, names: FieldNames): CallToolResult | undefined {
  const known = (name: string) => documented.keys.has(name) || (names.aliasesOf?.(name) ?? []).some((key) => documented.keys.has(key));
  const unknown = fields.map((name, index) => ({ name, index })).filter(({ name }) => !known(name));
  if (!unknown.length) return undefined;
  const candidates = [...new Set([...documented.keys].flatMap((key) => [key, names.naturalOf?.(key)].filter((k): k is string => !!k)))];
  const where = documented.ofItems ? "the fields of this tool's items" : "the fields of this tool's answer";
  const problems = unknown.map(({ name, index }) => {
    const near = closest(name, candidates, 3);
    return `fields[${index}]: ${JSON.stringify(oneLine(name, 80))} is not one of ${where}${near.length ? `; closest: ${near.join(', ')}` : ''}`;
  });
  const hint = `describe_tool {"name":"${tool.name}"} lists them all in its outputSchema.`;
  return { ...invalidArguments(tool.name, problems, hint), structuredContent: { error: 'unknown_fields', fields: unknown.map((u) => u.name) } };
}

/**
 * `fields` naming what the answer does not have, where the description documents no shape to check them against
 * before sending: an error naming each, with the closest names the answer has (in the caller's words: `budget` for
 * `budget_in_micro_currency`). The read was made; nothing was changed.
 */
function unknownFields(toolName: string, unknown: readonly { name: string; closest: string[] }[]): CallToolResult {
  const lines = unknown.map(({ name, closest }) => `- "${oneLine(name, 80)}"${closest.length ? `: closest ${closest.join(', ')}` : ''}`);
  return errorResult(
    `fields of ${toolName}: ${unknown.length === 1 ? 'this name matches' : 'these names match'} no field of the answer (a read; nothing was changed). Ask again with the answer's own names:\n${lines.join('\n')}`,
    { error: 'unknown_fields', fields: unknown.map((u) => u.name) },
  );
}

/** How many absent `fields` names a note names (the rest are counted): a note is kept whole, the answer cut for it. */
const NAMED_ABSENT_FIELDS = 10;

/**
 * A note on `fields` names that are valid but matched nothing in this answer: a documented field it does not have (an
 * analytics column `columns` did not ask for), or, where the description names no fields, a name the answer lacks, with
 * the closest ones it has.
 */
function absentFieldsNote(documented: Exclude<DocumentedFields, { kind: 'undocumented' }>, unknown: readonly { name: string; closest: string[] }[]): string {
  const shown = unknown.slice(0, NAMED_ABSENT_FIELDS).map((u) => `"${oneLine(u.name, 80)}"`);
  const named = unknown.length > shown.length ? `${shown.join(', ')} and ${unknown.length - shown.length} more` : shown.join(', ');
  if (documented.kind === 'documented') {
    const columns = documented.byColumns ? ' (a row has the columns that `columns` asks for)' : '';
    return `fields: ${named} ${unknown.length === 1 ? 'is documented but not in' : 'are documented but not in'} this answer${columns}.`;
  }
  const near = [...new Set(unknown.flatMap((u) => u.closest))];
  return `fields: ${named} matched no field of this answer; the description names no fields here, so any name is taken${near.length ? ` (closest in this answer: ${near.join(', ')})` : ''}.`;
}

/**
 * The refusal of arguments nested deeper than MAX_NESTING (validating, previewing and sending them would each walk
 * them), naming each argument that does; undefined when none does.
 */
function tooDeepArguments(toolName: string, args: unknown): CallToolResult | undefined {
  if (!nestsDeeperThan(args)) return undefined;
  const deep = isPlainObject(args) ? Object.keys(args).filter((name) => nestsDeeperThan(args[name], MAX_NESTING - 1)) : [];
  const problem = `nests deeper than ${MAX_NESTING} levels, which no argument of this API does; send the value the tool's input schema describes`;
  return invalidArguments(toolName, (deep.length ? deep : ['(arguments)']).map((name) => `${oneLine(name, 100)}: ${problem}`));
}

export class ToolRunner implements RunsTools {
  constructor(private readonly options: RunnerOptions) {}

  async run(tool: ToolDef, rawArgs: unknown, ctx: CallContext = {}): Promise<ToolAnswer> {
    const tooDeep = tooDeepArguments(tool.name, rawArgs);
    if (tooDeep) return tooDeep;
    const parsed = tool.input.safeParse(rawArgs ?? {}, { reportInput: true });
    if (!parsed.success) return validationError(tool.name, parsed.error.issues, this.options.schemaHint?.(tool));
    const { dry_run, confirmation_token, approval_id, max_items, fields, ...args } = parsed.data as Record<string, unknown>;
    const controls = { dryRun: dry_run === true, confirmationToken: confirmation_token as string | undefined, approvalId: (approval_id as string | undefined) ?? ctx.approvalId };
    // The arguments as sent (JSON, money as written), without the server's own: what an approval keeps to run again.
    const sent = apiArguments((rawArgs ?? {}) as Record<string, unknown>);
    const names = fieldNamesOf(tool);
    const wanted = fields as string[] | undefined;
    // `fields` is checked against the documented answer before anything is sent (its shapes load on this first use).
    const documented = wanted ? await this.documentedFields(tool) : undefined;
    if (wanted && documented?.kind === 'documented') {
      const refusal = undocumentedFields(tool, wanted, documented, names);
      if (refusal) return refusal;
    }
    try {
      const first = await this.once(tool, args, { ...controls, sentArgs: sent }, ctx);
      if ('result' in first) return first.held ? { result: first.result, held: first.held } : first.result;
      if ('ask' in first) return first;
      let content = first.content;
      const notes = first.notes;
      if (typeof max_items === 'number') {
        const collected = await this.collect(tool, args, content, max_items, ctx);
        content = collected.content;
        if (collected.note) notes.push(collected.note);
      }
      const projected = project(content, wanted, tool.api.paging.itemsKey, names);
      if (projected.unknown.length) {
        // Only where no documented shape told the names apart before sending is a name the answer lacks an error.
        if (!documented || documented.kind === 'undocumented') return unknownFields(tool.name, projected.unknown);
        notes.push(absentFieldsNote(documented, projected.unknown));
      }
      content = projected.content;
      if (first.present) {
        const shown = await first.present(content);
        content = shown.content;
        notes.push(...shown.notes);
      }
      return successResult(content, notes, this.options.maxResultChars);
    } catch (error) {
      if (error instanceof ApiError) return errorResult(error.message, { error: error.kind, ...error.details });
      if (error instanceof StoreUnavailable) {
        this.options.logger.error({ err: error.cause, tool: tool.name, store: error.store }, 'the confirmation store failed; nothing was sent');
        if (controls.approvalId !== undefined) {
          // A poll: this call sends nothing, but the approval it asks about may have been approved and sent meanwhile.
          return errorResult(
            `The approval store (${error.store}) is unavailable, so this approval's outcome cannot be read now: its write may already have been sent. ` +
              'This call sent nothing. Do not request the change again; repeat this call (the same arguments and approval_id) once the store is back.',
            { error: 'store_unavailable', store: error.store },
          );
        }
        return errorResult(
          `Nothing was sent: the confirmation store (${error.store}) is unavailable, so ${tool.name} could not be previewed or confirmed safely. ` +
            'Try again once it is back; the server log has the cause.',
          { error: 'store_unavailable', store: error.store },
        );
      }
      this.options.logger.error({ err: error, tool: tool.name }, 'tool call failed');
      return errorResult(`Internal error in ${tool.name}: ${(error as Error).message}`);
    }
  }

  /**
   * What `fields` may name for the tool, from its documented answer; `undocumented` (the answer alone then tells) when
   * the shapes cannot be read, which is logged.
   */
  private async documentedFields(tool: ToolDef): Promise<DocumentedFields> {
    try {
      const { documentedFieldsOf } = await import('./documented-fields.js');
      return await documentedFieldsOf(tool);
    } catch (error) {
      this.options.logger.error({ err: error, tool: tool.name }, 'the documented answer could not be read; fields are checked against the answer');
      return { kind: 'undocumented' };
    }
  }

  /** One pass through guard and client. */
  private async once(
    tool: ToolDef,
    args: Record<string, unknown>,
    controls: Pick<GuardInput, 'dryRun' | 'confirmationToken' | 'approvalId' | 'sentArgs'>,
    ctx: CallContext,
  ): Promise<
    | { result: CallToolResult; held?: HeldApproval }
    | { ask: Question }
    | { content: Record<string, unknown>; notes: string[]; present?: Present }
  > {
    const client = this.options.clients[tool.api.id];
    if (tool.writes && !controls.dryRun) {
      // Without credentials a confirmed write could never be sent: say so before any preview or token.
      const problem = await client.credentialProblem();
      if (problem) throw problem;
    }
    const decision = await this.options.guard.review({
      tool,
      args,
      ...controls,
      signal: ctx.signal,
      dialog: ctx.dialog,
      grant: ctx.grant,
      openUrl: ctx.openUrl,
      via: ctx.via,
      caller: ctx.caller,
    });
    if (decision.action === 'respond') return { result: decision.result, held: decision.held };
    if (decision.action === 'ask') return { ask: decision.question };
    // The audit's line before the write leaves; when it cannot be written, the write does not leave.
    try {
      await decision.beforeSend?.();
    } catch (error) {
      this.options.logger.error({ err: error, tool: tool.name }, 'the audit log could not be written; nothing was sent');
      const text = `Nothing was sent: ${tool.name} could not be recorded in the audit log (${(error as Error).message}), and no write leaves without its audit line. Tell the operator.`;
      return { result: errorResult(text, { error: 'audit_unavailable' }) };
    }
    let response;
    try {
      response = await client.send(tool.op, decision.request, { signal: ctx.signal });
    } catch (error) {
      if (error instanceof ApiError) await decision.failed?.(error);
      throw error;
    }
    let notes: string[] = [];
    try {
      if (decision.after) notes = await decision.after(response);
    } catch (error) {
      // The write was sent and answered: say so with the answer, never a bare internal error that reads like nothing happened.
      this.options.logger.error({ err: error, tool: tool.name }, 'reporting on a sent write failed');
      notes = [`${tool.name} was sent and the API answered HTTP ${response.status} (its answer is above), but reporting on it failed (${oneLine((error as Error).message, 200)}); read the entities before acting further.`];
    }
    const body = decision.shape ? decision.shape(response.body) : response.body;
    return { content: structured(body, response.status), notes, present: decision.present };
  }

  /**
   * Follows the API's cursor (Pinterest `bookmark`, Whop `after`) until at least `maxItems` items are collected or the
   * list ends, and returns the cursor to continue. Bounded whatever the API answers: at most ceil(maxItems / page size)
   * + 1 requests in all, and it stops when a cursor repeats or a page adds no new item. `pagination` says how many
   * pages were read and why it stopped.
   */
  private async collect(
    tool: ToolDef,
    args: Record<string, unknown>,
    first: Record<string, unknown>,
    maxItems: number,
    ctx: CallContext,
  ): Promise<{ content: Record<string, unknown>; note?: string }> {
    const paging = tool.api.paging;
    const cursor = `\`${paging.cursorParam}\``;
    const itemsOf = (page: Record<string, unknown>): unknown[] => {
      const items = page[paging.itemsKey];
      return Array.isArray(items) ? items : [];
    };
    const limit = Math.min(maxItems, MAX_ITEMS_CEILING);
    const budget = Math.ceil(limit / pageSizeOf(tool, args)) + 1;
    const items = [...itemsOf(first)];
    const seenIds = new Set(items.map(itemId).filter((id) => id !== undefined));
    const asked = args[paging.cursorParam];
    const seenCursors = new Set(typeof asked === 'string' ? [asked] : []);
    let next = paging.next(first);
    let requests = 1;
    let stopped: PaginationStop = 'end_of_list';
    let note: string | undefined;
    while (next) {
      if (items.length >= limit) {
        stopped = 'max_items';
        break;
      }
      if (seenCursors.has(next)) {
        stopped = 'repeated_bookmark';
        note = `Stopped following pages: the API answered a ${cursor} it had already given, so the next page would repeat one already read (${requests} requests sent).`;
        next = null;
        break;
      }
      if (requests >= budget) {
        stopped = 'request_limit';
        note = `Stopped after ${requests} requests, the most that max_items ${limit} needs at this page size; pass the returned cursor as ${cursor} for more.`;
        break;
      }
      if (ctx.signal?.aborted) {
        stopped = 'cancelled';
        break;
      }
      seenCursors.add(next);
      requests++;
      let page;
      try {
        // A read's next page: never held, so never kept in an approval (sentArgs is not used).
        page = await this.once(tool, { ...args, [paging.cursorParam]: next }, { dryRun: false, sentArgs: {} }, ctx);
      } catch (error) {
        if (!(error instanceof ApiError)) throw error;
        stopped = 'page_failed';
        note = `Page ${requests} failed, so these are the items read before it: ${error.message} Pass the returned cursor as ${cursor} to try that page again.`;
        break;
      }
      if (!('content' in page)) {
        stopped = 'page_failed';
        break;
      }
      const pageItems = itemsOf(page.content);
      const fresh = pageItems.filter((item) => {
        const id = itemId(item);
        if (id === undefined) return true;
        if (seenIds.has(id)) return false;
        seenIds.add(id);
        return true;
      });
      items.push(...fresh);
      next = paging.next(page.content);
      if (!fresh.length && next) {
        stopped = 'no_new_items';
        note = `Stopped following pages: page ${requests} added no new item${pageItems.length ? ' (only items already read)' : ''} though the API gave another ${cursor}.`;
        next = null;
        break;
      }
    }
    // Whole pages are kept (never sliced) so that the cursor continues exactly after the last returned item.
    return { content: { ...paging.withNext({ ...first, [paging.itemsKey]: items }, next), pagination: { requests, stopped } }, note };
  }
}
