// The guard layer: converts money exactly, then holds every spend-changing write until its exact preview is confirmed.
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { ApiResponse } from '../client/http.js';
import { type ApiRequest, buildRequest } from '../client/request.js';
import type { ConfirmWrites } from '../config.js';
import type { Logger } from '../logger.js';
import type { Store } from '../store.js';
import { errorResult } from '../tools/results.js';
import { AuditLog } from './audit.js';
import { Confirmations, requestHash } from './confirmations.js';
import { AmountError, type ConvertedAmount, convertMoney, hasMoney } from './convert.js';
import { CurrencyResolver, type Reader } from './currency.js';
import { formatMajor, formatMoney, microsToDecimal } from './money.js';
import { MICRO_RESPONSE_FIELD, type MoneyField } from './money-fields.js';
import {
  ALWAYS_SPEND,
  CREATE_DEFAULT_STATUS,
  ENTITY_READERS,
  ENTITY_WRITES,
  type EntityGroup,
  SCHEDULE_FIELDS,
  SCHEDULED,
  STATUS_FIELD,
  moneyFieldsOf,
} from './policy.js';
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

/** One line of a preview: what a write will change. Amounts are natural, with currency. */
export interface Change {
  entity: string;
  /** Position in the request's list of that entity kind. */
  index: number;
  id?: string;
  name?: string;
  field: string;
  reason: 'money' | 'status' | 'activation' | 'schedule' | 'billing' | 'write';
  from?: unknown;
  to?: unknown;
  from_micro?: string;
  to_micro?: string;
  change_percent?: number;
  note?: string;
}

interface Prepared {
  request: ApiRequest;
  amounts: ConvertedAmount[];
  currency?: string;
  hash: string;
  groups: EntityGroup[];
}

function queryObject(query: readonly [string, string][]): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of query) {
    const prev = out[k];
    out[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
  }
  return out;
}

function percent(from: bigint, to: bigint): number | undefined {
  if (from === 0n) return undefined;
  // Exact to one decimal: (to - from) * 1000 / from, rounded half away from zero.
  const scaled = ((to - from) * 2000n) / from;
  const rounded = scaled >= 0n ? (scaled + 1n) / 2n : (scaled - 1n) / 2n;
  return Number(rounded) / 10;
}

/** Where each converted amount sits in the request body: holder object -> API property name -> field. */
type Placed = ReadonlyMap<object, ReadonlyMap<string, MoneyField>>;

function placed(amounts: readonly ConvertedAmount[]): Placed {
  const map = new Map<object, Map<string, MoneyField>>();
  for (const a of amounts) {
    if (!a.holder) continue;
    let keys = map.get(a.holder);
    if (!keys) map.set(a.holder, (keys = new Map()));
    keys.set(a.field.apiName, a.field);
  }
  return map;
}

/**
 * Money fields set anywhere inside one entity (goal values, platform budgets sit in nested objects), with their
 * dotted path in tool-input names. Converted amounts are known exactly (by the object that carries them), so two
 * fields of one entity may share a name (a dollar budget and a platform budget of unstated unit). Anything else is
 * matched by name; only fields whose unit is undocumented reach the body unconverted, so those are preferred.
 */
function moneyIn(item: Record<string, unknown>, fields: readonly MoneyField[], converted: Placed): { field: MoneyField; value: unknown; path: string }[] {
  const found: { field: MoneyField; value: unknown; path: string }[] = [];
  const walk = (value: unknown, path: readonly string[]): void => {
    if (!value || typeof value !== 'object' || Array.isArray(value)) return;
    const exact = converted.get(value);
    for (const [key, child] of Object.entries(value)) {
      const known = exact?.get(key);
      const field = known
        ? fields.find((f) => f === known)
        : (fields.find((f) => f.apiName === key && f.unit === 'undocumented') ?? fields.find((f) => f.apiName === key));
      if (field && child !== undefined) found.push({ field, value: child, path: [...path, field.inputName].join('.') });
      else if (!known) walk(child, [...path, key]);
    }
  };
  walk(item, []);
  return found;
}

export class SpendGuard implements Guard {
  private readonly confirmations: Confirmations;
  private readonly currencies: CurrencyResolver;
  private readonly audit: AuditLog;

  constructor(private readonly options: GuardOptions) {
    this.confirmations = new Confirmations(options.store, options.confirmTtlSeconds);
    this.currencies = new CurrencyResolver(options.store, options.read);
    this.audit = new AuditLog(options.auditLog);
  }

  async review(input: GuardInput): Promise<GuardDecision> {
    const { tool } = input;
    let prepared: Prepared;
    try {
      prepared = await this.prepare(input);
    } catch (error) {
      if (error instanceof AmountError) {
        return { action: 'respond', result: errorResult(`Invalid arguments for ${tool.name}; nothing was sent.\n- ${error.path}: ${error.message}`) };
      }
      throw error;
    }
    if (!tool.writes) return { action: 'send', request: prepared.request, after: (r) => this.readableMoney(input, r) };

    const spendReasons = this.spendChanges(input, prepared);
    const needsConfirmation = spendReasons.length > 0 || this.options.confirmWrites === 'all';
    if (input.dryRun) return { action: 'respond', result: await this.preview(input, prepared, spendReasons, false) };
    if (!needsConfirmation) return { action: 'send', request: prepared.request, after: (r) => this.afterWrite(input, prepared, r) };

    if (input.confirmationToken) {
      const outcome = await this.confirmations.consume(input.confirmationToken, prepared.hash);
      if (outcome === 'ok') return { action: 'send', request: prepared.request, after: (r) => this.afterWrite(input, prepared, r) };
      const fresh = await this.preview(input, prepared, spendReasons, true);
      const why =
        outcome === 'mismatch'
          ? 'Refused: this confirmation_token was issued for a different request (the arguments changed). Nothing was sent. Review the new preview below; confirm it with its own token.'
          : 'Refused: this confirmation_token is unknown, already used or expired. Nothing was sent. Review the new preview below; confirm it with its own token.';
      return { action: 'respond', result: { ...fresh, isError: true, content: [{ type: 'text', text: why }, ...fresh.content] } };
    }
    if (input.askUser) {
      const asked = await this.askUser(input, prepared, spendReasons);
      if (asked) return asked;
    }
    return { action: 'respond', result: await this.preview(input, prepared, spendReasons, true) };
  }

  /**
   * Asks the person directly (MCP form elicitation) instead of issuing a token. Only an explicit accept with
   * `confirm: true` sends; a decline or cancel sends nothing; if asking fails, the token preview is used instead.
   */
  private async askUser(input: GuardInput, prepared: Prepared, changes: Change[]): Promise<GuardDecision | undefined> {
    const summary = await this.summary(input, prepared, changes);
    let accepted: boolean;
    try {
      accepted = await input.askUser!(
        [`${summary.heading} changes spend:`, ...summary.lines, ...summary.notes, `Request: ${JSON.stringify(summary.request)}`].join('\n'),
      );
    } catch (error) {
      this.options.logger.warn({ err: error, tool: input.tool.name }, 'asking the user failed; answering with a token preview');
      return undefined;
    }
    if (accepted) return { action: 'send', request: prepared.request, after: (r) => this.afterWrite(input, prepared, r) };
    const text = `The user did not confirm ${input.tool.name}; nothing was sent.`;
    return { action: 'respond', result: { content: [{ type: 'text', text }], structuredContent: { status: 'declined', request: summary.request, changes } } };
  }

  /** Converts money, builds the exact request and its hash (tool + request after conversion). */
  private async prepare(input: GuardInput): Promise<Prepared> {
    const { tool, args } = input;
    let converted = args;
    const amounts: ConvertedAmount[] = [];
    let currency: string | undefined;
    if (hasMoney(args)) {
      currency = await this.currencies.currencyFor(tool.api, args);
      converted = convertMoney(args, { currency, caps: this.options.caps }, amounts) as Record<string, unknown>;
    }
    const request = buildRequest(tool.op, converted);
    const hash = requestHash({ tool: tool.name, method: request.method, path: request.path, query: request.query, body: request.body });
    const groups = ENTITY_WRITES[tool.name]?.(request.body as never) ?? [];
    return { request, amounts, currency, hash, groups };
  }

  /** Every way this write changes spend (empty for ordinary writes). */
  private spendChanges(input: GuardInput, prepared: Prepared): Change[] {
    const { tool } = input;
    const changes: Change[] = [];
    const always = ALWAYS_SPEND[tool.name];
    if (always) changes.push({ entity: tool.name, index: 0, field: '(request)', reason: 'billing', note: always });
    const amountsAt = placed(prepared.amounts);
    for (const group of prepared.groups) {
      const moneyFields = moneyFieldsOf(tool.api.id, group.kind);
      group.items.forEach((item, index) => {
        const base = { entity: group.kind, index, id: item.id as string | undefined, name: item.name as string | undefined };
        for (const { field, value, path } of moneyIn(item, moneyFields, amountsAt)) {
          const to =
            value === null
              ? null
              : field.unit === 'undocumented'
                ? String(value)
                : field.unit === 'major'
                  ? formatMajor(String(value), prepared.currency ?? 'USD')
                  : formatMoney(String(value), prepared.currency ?? 'USD');
          changes.push({
            ...base,
            field: path,
            reason: 'money',
            to,
            ...(field.unit === 'micro' && value !== null ? { to_micro: String(value) } : {}),
            ...(field.unit === 'undocumented' ? { note: 'unit not documented: sent exactly as given' } : {}),
          });
        }
        const statusField = STATUS_FIELD[group.kind];
        const status = item[statusField];
        if (group.create) {
          const effective = status ?? (group.kind === 'keyword' ? false : CREATE_DEFAULT_STATUS);
          // APIs spell statuses differently (Pinterest ACTIVE, Whop active): compare without case.
          const active = group.kind === 'keyword' ? effective !== true : String(effective).toUpperCase() === CREATE_DEFAULT_STATUS;
          if (active) {
            changes.push({
              ...base,
              field: statusField,
              reason: 'activation',
              to: group.kind === 'keyword' ? 'active' : typeof status === 'string' ? status : CREATE_DEFAULT_STATUS,
              note: status === undefined ? 'created ACTIVE by default: it can start spending at once' : 'created ACTIVE: it can start spending at once',
            });
          }
        } else if (status !== undefined) {
          changes.push({ ...base, field: statusField, reason: 'status', to: status });
        }
        if (SCHEDULED.has(group.kind)) {
          for (const f of SCHEDULE_FIELDS) if (item[f] !== undefined) changes.push({ ...base, field: f, reason: 'schedule', to: item[f] });
        }
      });
    }
    return changes;
  }

  /** Adds current values (read from the API) to the changes of updated entities. */
  private async withCurrentValues(input: GuardInput, prepared: Prepared, changes: Change[]): Promise<string[]> {
    const notes: string[] = [];
    const account = input.args.ad_account_id;
    if (input.tool.api.id !== 'pinterest' || typeof account !== 'string') return notes;
    for (const group of prepared.groups) {
      const reader = ENTITY_READERS[group.kind];
      const ids = group.items.map((i) => i.id).filter((id): id is string => typeof id === 'string');
      if (group.create || !reader || ids.length === 0) continue;
      let current: Map<string, Record<string, unknown>>;
      try {
        const body = (await this.options.read(reader.tool, { ad_account_id: account, [reader.idsParam]: ids })) as { items?: Record<string, unknown>[] };
        current = new Map((body?.items ?? []).map((e) => [String(e.id), e]));
      } catch (error) {
        notes.push(`Current values of ${group.kind}s could not be read (${(error as Error).message}).`);
        continue;
      }
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
  private async summary(input: GuardInput, prepared: Prepared, changes: Change[]) {
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

  private async preview(input: GuardInput, prepared: Prepared, changes: Change[], withToken: boolean): Promise<CallToolResult> {
    const { tool } = input;
    const { heading, lines, notes, request } = await this.summary(input, prepared, changes);
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

  /** After an executed write: per-item outcome, read-back of money and status, audit line. */
  private async afterWrite(input: GuardInput, prepared: Prepared, response: ApiResponse): Promise<string[]> {
    const notes: string[] = [];
    const body = response.body as { items?: { data?: Record<string, unknown> | null; exceptions?: { code?: number; message?: string }[] }[] } | undefined;
    const items = Array.isArray(body?.items) && body.items.some((i) => i && typeof i === 'object' && 'exceptions' in i) ? body.items : undefined;
    let failed = 0;
    if (items) {
      const lines = items.map((item, i) => {
        const problems = item.exceptions ?? [];
        if (problems.length || !item.data) {
          failed++;
          return `item ${i + 1}: FAILED: ${problems.map((p) => `${p.message ?? 'error'}${p.code !== undefined ? ` (code ${p.code})` : ''}`).join('; ') || 'no data returned'}`;
        }
        return `item ${i + 1}: ok${item.data.id ? ` (id ${String(item.data.id)})` : ''}`;
      });
      if (failed) lines.unshift(`PARTIAL FAILURE: ${failed} of ${items.length} items failed; the others were applied.`);
      notes.push(lines.join('\n'));
    }
    notes.push(...(await this.readBack(input, prepared, items)));
    notes.push(...(await this.readableMoney(input, response)));
    await this.audit
      .write({
        time: new Date().toISOString(),
        tool: input.tool.name,
        ad_account_id: typeof input.args.ad_account_id === 'string' ? input.args.ad_account_id : undefined,
        request_hash: prepared.hash,
        amounts: prepared.amounts.map((a) => ({
          field: a.path,
          natural: a.decimal ?? 'null',
          api_value: a.apiValue,
          currency: prepared.currency,
        })),
        outcome: failed ? `partial: ${failed} of ${items!.length} items failed` : 'ok',
        status: response.status,
      })
      .catch((error: unknown) => this.options.logger.error({ err: error }, 'audit log write failed'));
    return notes;
  }

  /** Reads written entities back and reports any money or status that differs from what was sent. */
  private async readBack(input: GuardInput, prepared: Prepared, items: { data?: Record<string, unknown> | null }[] | undefined): Promise<string[]> {
    const account = input.args.ad_account_id;
    if (input.tool.api.id !== 'pinterest' || typeof account !== 'string') return [];
    const lines: string[] = [];
    for (const group of prepared.groups) {
      const reader = ENTITY_READERS[group.kind];
      if (!reader) continue;
      const sent = group.items.map((item, i) => ({ item, id: (item.id ?? (prepared.groups.length === 1 ? items?.[i]?.data?.id : undefined)) as string | undefined }));
      const ids = sent.map((s) => s.id).filter((id): id is string => typeof id === 'string');
      if (!ids.length) continue;
      let current: Map<string, Record<string, unknown>>;
      try {
        const body = (await this.options.read(reader.tool, { ad_account_id: account, [reader.idsParam]: ids })) as { items?: Record<string, unknown>[] };
        current = new Map((body?.items ?? []).map((e) => [String(e.id), e]));
      } catch (error) {
        lines.push(`Read-back of ${group.kind}s failed (${(error as Error).message}); check them before acting further.`);
        continue;
      }
      const checked = [...moneyFieldsOf(input.tool.api.id, group.kind).map((f) => f.apiName), STATUS_FIELD[group.kind]];
      for (const { item, id } of sent) {
        if (!id) continue;
        const entity = current.get(id);
        if (!entity) continue;
        for (const f of checked) {
          if (item[f] === undefined || entity[f] === undefined) continue;
          if (String(item[f]) !== String(entity[f])) {
            lines.push(`MISMATCH on ${group.kind} ${id}: ${f} sent ${JSON.stringify(item[f])}, the API now reports ${JSON.stringify(entity[f])}.`);
          }
        }
      }
      if (!lines.length) lines.push(`Verified by reading back: ${ids.length} ${group.kind}(s) carry the money and status values sent.`);
    }
    return lines;
  }

  /** Where a response carries micro amounts, states them in natural units with currency. */
  private async readableMoney(input: GuardInput, response: ApiResponse): Promise<string[]> {
    const found: [string, string][] = [];
    const walk = (value: unknown, path: string): void => {
      if (found.length >= 20 || !value || typeof value !== 'object') return;
      for (const [key, child] of Object.entries(value)) {
        const where = path ? `${path}.${key}` : key;
        if (MICRO_RESPONSE_FIELD.test(key) && (typeof child === 'number' || (typeof child === 'string' && /^\d+$/.test(child)))) {
          if (Number.isSafeInteger(Number(child))) found.push([where, String(child)]);
        } else walk(child, where);
      }
    };
    walk(response.body, '');
    if (!found.length) return [];
    let currency: string | undefined;
    try {
      currency = await this.currencies.currencyFor(input.tool.api, input.args);
    } catch {
      currency = undefined;
    }
    const lines = found.map(([where, micros]) => `${where} = ${currency ? formatMoney(micros, currency) : `${microsToDecimal(micros)} (currency units)`}`);
    return [`Amounts in natural units (API values are micro-currency, x 1,000,000):\n${lines.join('\n')}`];
  }
}

function describeChange(c: Change): string {
  const who = `${c.entity}${c.id ? ` ${c.id}` : ` #${c.index + 1}`}${c.name ? ` "${c.name}"` : ''}`;
  const from = c.from !== undefined ? `${JSON.stringify(c.from)?.replace(/^"|"$/g, '')} -> ` : '';
  const to = JSON.stringify(c.to)?.replace(/^"|"$/g, '');
  const pct = c.change_percent !== undefined ? ` (${c.change_percent > 0 ? '+' : ''}${c.change_percent}%)` : '';
  const note = c.note ? ` [${c.note}]` : '';
  if (c.reason === 'billing') return `${c.note}`;
  if (c.reason === 'activation') return `${who}: will be created ACTIVE and can start spending${note}`;
  return `${who}: ${c.field} ${from}${to}${pct}${note}`;
}
