// The guard layer: converts money exactly, then holds every spend-changing write until its exact preview is confirmed.
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { buildRequest } from '../client/request.js';
import type { ConfirmWrites } from '../config.js';
import type { Logger } from '../logger.js';
import type { Store } from '../store.js';
import { errorResult } from '../tools/results.js';
import { AuditLog } from './audit.js';
import { type Change, type PreparedWrite, describeChange, percent, queryObject, spendChanges } from './changes.js';
import { Confirmations, requestHash } from './confirmations.js';
import { AmountError, type ConvertedAmount, convertMoney, hasMoney } from './convert.js';
import { CurrencyResolver, type Reader } from './currency.js';
import { formatMoney } from './money.js';
import { WriteOutcome, readEntities } from './outcome.js';
import { ENTITY_WRITES, moneyFieldsOf } from './policy.js';
import type { Guard, GuardDecision, GuardInput } from './types.js';

export interface GuardOptions {
  store: Store;
  read: Reader;
  confirmWrites: ConfirmWrites;
  confirmTtlSeconds: number;
  caps: Readonly<Record<string, string>>;
  auditLog?: string;
  logger: Logger;
}

/** What a preview shows, computed once per call. */
interface Summary {
  heading: string;
  lines: string[];
  notes: string[];
  request: { method: string; path: string; query: Record<string, string | string[]>; body: unknown };
}

export class SpendGuard implements Guard {
  private readonly confirmations: Confirmations;
  private readonly currencies: CurrencyResolver;
  private readonly outcome: WriteOutcome;

  constructor(private readonly options: GuardOptions) {
    this.confirmations = new Confirmations(options.store, options.confirmTtlSeconds);
    this.currencies = new CurrencyResolver(options.store, options.read);
    this.outcome = new WriteOutcome(options.read, this.currencies, new AuditLog(options.auditLog), options.logger);
  }

  async review(input: GuardInput): Promise<GuardDecision> {
    const { tool } = input;
    let prepared: PreparedWrite;
    try {
      prepared = await this.prepare(input);
    } catch (error) {
      if (error instanceof AmountError) {
        return { action: 'respond', result: errorResult(`Invalid arguments for ${tool.name}; nothing was sent.\n- ${error.path}: ${error.message}`) };
      }
      throw error;
    }
    if (!tool.writes) return { action: 'send', request: prepared.request, after: (r) => this.outcome.readableMoney(input, r) };

    const spendReasons = spendChanges(tool, prepared);
    const needsConfirmation = spendReasons.length > 0 || this.options.confirmWrites === 'all';
    if (input.dryRun) return { action: 'respond', result: await this.preview(input, prepared, spendReasons, false) };
    if (!needsConfirmation) return { action: 'send', request: prepared.request, after: (r) => this.outcome.report(input, prepared, r) };

    if (input.confirmationToken) {
      const outcome = await this.confirmations.consume(input.confirmationToken, prepared.hash);
      if (outcome === 'ok') return { action: 'send', request: prepared.request, after: (r) => this.outcome.report(input, prepared, r) };
      const fresh = await this.preview(input, prepared, spendReasons, true);
      const why =
        outcome === 'mismatch'
          ? 'Refused: this confirmation_token was issued for a different request (the arguments changed). Nothing was sent. Review the new preview below; confirm it with its own token.'
          : 'Refused: this confirmation_token is unknown, already used or expired. Nothing was sent. Review the new preview below; confirm it with its own token.';
      return { action: 'respond', result: { ...fresh, isError: true, content: [{ type: 'text', text: why }, ...fresh.content] } };
    }
    // The summary reads current values from the API once, whether the user is asked or a token preview is issued.
    const summary = await this.summary(input, prepared, spendReasons);
    if (input.askUser) {
      const asked = await this.askUser(input, prepared, spendReasons, summary);
      if (asked) return asked;
    }
    return { action: 'respond', result: await this.preview(input, prepared, spendReasons, true, summary) };
  }

  /**
   * Asks the person directly (MCP form elicitation) instead of issuing a token. Only an explicit accept with
   * `confirm: true` sends; a decline or cancel sends nothing; if asking fails, the token preview is used instead.
   */
  private async askUser(input: GuardInput, prepared: PreparedWrite, changes: Change[], summary: Summary): Promise<GuardDecision | undefined> {
    let accepted: boolean;
    try {
      accepted = await input.askUser!(
        [`${summary.heading} changes spend:`, ...summary.lines, ...summary.notes, `Request: ${JSON.stringify(summary.request)}`].join('\n'),
      );
    } catch (error) {
      this.options.logger.warn({ err: error, tool: input.tool.name }, 'asking the user failed; answering with a token preview');
      return undefined;
    }
    if (accepted) return { action: 'send', request: prepared.request, after: (r) => this.outcome.report(input, prepared, r) };
    const text = `The user did not confirm ${input.tool.name}; nothing was sent.`;
    return { action: 'respond', result: { content: [{ type: 'text', text }], structuredContent: { status: 'declined', request: summary.request, changes } } };
  }

  /** Converts money, builds the exact request and, for writes, its hash (tool + request after conversion). */
  private async prepare(input: GuardInput): Promise<PreparedWrite> {
    const { tool, args } = input;
    let converted = args;
    const amounts: ConvertedAmount[] = [];
    let currency: string | undefined;
    if (hasMoney(args)) {
      currency = await this.currencies.currencyFor(tool.api, args);
      converted = convertMoney(args, { currency, caps: this.options.caps }, amounts) as Record<string, unknown>;
    }
    const request = buildRequest(tool.op, converted);
    // Only writes can be confirmed, so only they need the hash that binds a token to the request.
    const hash = tool.writes ? requestHash({ tool: tool.name, method: request.method, path: request.path, query: request.query, body: request.body }) : '';
    const groups = ENTITY_WRITES[tool.name]?.(request.body as never) ?? [];
    return { request, amounts, currency, hash, groups };
  }

  /** Adds current values (read from the API) to the changes of updated entities. */
  private async withCurrentValues(input: GuardInput, prepared: PreparedWrite, changes: Change[]): Promise<string[]> {
    const notes: string[] = [];
    for (const group of prepared.groups) {
      if (group.create) continue;
      const ids = group.items.map((i) => i.id).filter((id): id is string => typeof id === 'string');
      let current: Map<string, Record<string, unknown>> | undefined;
      try {
        current = await readEntities(this.options.read, input.tool.api.id, group.kind, input.args, ids);
      } catch (error) {
        notes.push(`Current values of ${group.kind}s could not be read (${(error as Error).message}).`);
        continue;
      }
      if (!current) continue;
      for (const change of changes) {
        if (change.entity !== group.kind || change.id === undefined) continue;
        const entity = current.get(change.id);
        if (!entity) {
          change.note = `no ${group.kind} ${change.id} found in this ad account: the API will likely reject this item`;
          continue;
        }
        change.name ??= entity.name as string | undefined;
        if (change.reason === 'money') {
          const field = moneyFieldsOf(input.tool.api.id, group.kind).find((f) => f.inputName === change.field);
          const from = field ? entity[field.apiName] : undefined;
          if (field?.unit === 'micro' && (typeof from === 'number' || typeof from === 'string')) {
            change.from = formatMoney(String(from), prepared.currency ?? 'USD');
            change.from_micro = String(from);
            if (change.to_micro !== undefined) change.change_percent = percent(BigInt(from), BigInt(change.to_micro));
          } else if (from === null) change.from = null;
        } else if (change.reason === 'status' || change.reason === 'schedule') {
          change.from = entity[change.field];
        }
      }
    }
    return notes;
  }

  /** What a preview shows: the changes in natural amounts (with current values), notes and the exact request. */
  private async summary(input: GuardInput, prepared: PreparedWrite, changes: Change[]): Promise<Summary> {
    const { tool } = input;
    const notes = await this.withCurrentValues(input, prepared, changes);
    const request = {
      method: prepared.request.method,
      path: prepared.request.path,
      query: queryObject(prepared.request.query),
      body: prepared.request.body,
    };
    const lines = changes.map((c) => `- ${describeChange(c)}`);
    if (!changes.length) lines.push(`- ${tool.name}: an ordinary write (no money or delivery status changes)`);
    const account = typeof input.args.ad_account_id === 'string' ? ` on ad account ${input.args.ad_account_id}` : '';
    const currency = prepared.currency ? ` (${prepared.currency})` : '';
    return { heading: `${tool.name}${account}${currency}`, lines, notes, request };
  }

  private async preview(
    input: GuardInput,
    prepared: PreparedWrite,
    changes: Change[],
    withToken: boolean,
    summary?: Summary,
  ): Promise<CallToolResult> {
    const { tool } = input;
    const { heading, lines, notes, request } = summary ?? (await this.summary(input, prepared, changes));
    if (!withToken) {
      const text = [`Dry run of ${heading}: nothing was sent.`, ...lines, ...notes, `Request: ${JSON.stringify(request)}`].join('\n');
      return { content: [{ type: 'text', text }], structuredContent: { status: 'dry_run', request, changes } };
    }
    const { token, expiresAt } = await this.confirmations.issue(tool.name, prepared.hash);
    const text = [
      `Confirmation required: ${heading} changes spend. Nothing has been sent.`,
      ...lines,
      ...notes,
      `Request: ${JSON.stringify(request)}`,
      `Show this to the user. To execute exactly this request once, call ${tool.name} again with the same arguments plus confirmation_token "${token}" (expires ${expiresAt}).`,
    ].join('\n');
    return {
      content: [{ type: 'text', text }],
      structuredContent: { status: 'confirmation_required', confirmation_token: token, expires_at: expiresAt, request, changes },
    };
  }
}
