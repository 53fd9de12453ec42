// Runs a tool call: validate the complete schema, pass the guard, send through the API's client, shape the result.
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { ApiId } from '../catalog/apis.js';
import { ApiError } from '../client/errors.js';
import type { ApiClient } from '../client/http.js';
import type { Guard } from '../guards/types.js';
import type { Logger } from '../logger.js';
import type { ToolDef } from './registry.js';
import { errorResult, project, structured, successResult, validationError } from './results.js';

export interface RunnerOptions {
  clients: Readonly<Record<ApiId, ApiClient>>;
  guard: Guard;
  logger: Logger;
  maxResultChars: number;
  /** Where the model can read a tool's complete input schema (discover mode's describe tool, or a resource). */
  schemaHint?: (tool: ToolDef) => string | undefined;
}

export interface CallContext {
  signal?: AbortSignal;
  /** Sends an MCP progress notification when the client asked for them (request `_meta.progressToken`). */
  progress?: (progress: number, total: number | undefined, message: string) => Promise<void>;
  /** Present when the client supports form elicitation: asks the person to confirm a held write (see GuardInput). */
  askUser?: (message: string) => Promise<'accepted' | 'declined'>;
}

/** The most items `max_items` may collect, whatever the caller asks. */
export const MAX_ITEMS_CEILING = 1000;

export class ToolRunner {
  constructor(private readonly options: RunnerOptions) {}

  async run(tool: ToolDef, rawArgs: unknown, ctx: CallContext = {}): Promise<CallToolResult> {
    const parsed = tool.input.safeParse(rawArgs ?? {});
    if (!parsed.success) return validationError(tool.name, parsed.error.issues, this.options.schemaHint?.(tool));
    const { dry_run, confirmation_token, max_items, fields, ...args } = parsed.data as Record<string, unknown>;
    try {
      const first = await this.once(tool, args, dry_run === true, confirmation_token as string | undefined, ctx);
      if ('result' in first) return first.result;
      let content = first.content;
      if (typeof max_items === 'number') content = await this.collect(tool, args, content, max_items, ctx);
      return successResult(project(content, fields as string[] | undefined), first.notes, this.options.maxResultChars);
    } catch (error) {
      if (error instanceof ApiError) return errorResult(error.message, { error: error.kind, ...error.details });
      this.options.logger.error({ err: error, tool: tool.name }, 'tool call failed');
      return errorResult(`Internal error in ${tool.name}: ${(error as Error).message}`);
    }
  }

  /** One pass through guard and client. */
  private async once(
    tool: ToolDef,
    args: Record<string, unknown>,
    dryRun: boolean,
    confirmationToken: string | undefined,
    ctx: CallContext,
  ): Promise<{ result: CallToolResult } | { content: Record<string, unknown>; notes: string[] }> {
    const client = this.options.clients[tool.api.id];
    if (tool.writes && !dryRun) {
      // Without credentials a confirmed write could never be sent: say so before any preview or token.
      const problem = await client.credentialProblem();
      if (problem) throw new ApiError(problem, 'auth_missing');
    }
    const decision = await this.options.guard.review({ tool, args, dryRun, confirmationToken, signal: ctx.signal, askUser: ctx.askUser });
    if (decision.action === 'respond') return { result: decision.result };
    const response = await client.send(tool.op, decision.request, { signal: ctx.signal });
    const notes = decision.after ? await decision.after(response) : [];
    const body = decision.shape ? decision.shape(response.body) : response.body;
    return { content: structured(body, response.status), notes };
  }

  /** Follows bookmarks until at least `maxItems` items are collected or the list ends; returns the bookmark to continue. */
  private async collect(
    tool: ToolDef,
    args: Record<string, unknown>,
    first: Record<string, unknown>,
    maxItems: number,
    ctx: CallContext,
  ): Promise<Record<string, unknown>> {
    const limit = Math.min(maxItems, MAX_ITEMS_CEILING);
    const items = Array.isArray(first.items) ? [...first.items] : [];
    let bookmark = typeof first.bookmark === 'string' ? first.bookmark : null;
    while (bookmark && items.length < limit && !ctx.signal?.aborted) {
      const page = await this.once(tool, { ...args, bookmark }, false, undefined, ctx);
      if ('result' in page) break;
      if (Array.isArray(page.content.items)) items.push(...page.content.items);
      bookmark = typeof page.content.bookmark === 'string' ? page.content.bookmark : null;
    }
    // Whole pages are kept (never sliced) so that `bookmark` continues exactly after the last returned item.
    return { ...first, items, bookmark };
  }
}
