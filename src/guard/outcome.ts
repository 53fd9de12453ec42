// After a write was sent: per-item outcome of batch writes, read-back of money and status, readable amounts, audit.
import type { ApiError, Applied } from '../http/errors.js';
import type { ApiResponse } from '../http/client.js';
import type { Logger } from '../core/logger.js';
import type { AuditEntry, AuditLog } from './audit.js';
import type { PreparedWrite } from './changes.js';
import type { CurrencyResolver, Reader, ResolvedCurrency } from './currency.js';
import { formatMajorAmount, formatMicros } from '../money/amount.js';
import type { AnswerMoney } from '../apis/money.js';
import { readEntities } from './current.js';
import { hasMicroColumns, restateRow } from '../money/report-rows.js';
import { isPlainObject } from '../core/json.js';
import { type LocatedEntity, entityRule, moneyFieldsOf } from './entities.js';
import { ITEM_ANSWERS, type ItemResult, type Told, tellItems } from './item-answers.js';
import { oneLine } from '../core/display.js';
import { pathText, walkJson } from '../core/walk.js';
import type { ApprovedBy, GuardInput } from './types.js';

/** What the audit says about one send besides its outcome: the pair id, and who let it through when it was held. */
export interface SendRecord {
  writeId: string;
  approvedBy?: ApprovedBy;
  approvalId?: string;
}

type Entity = Record<string, unknown>;

/** The audit's outcome of a write whose send failed, by what the client knows of it. */
const FAILED_OUTCOME: Record<Applied, string> = {
  not_applied: 'not applied',
  unknown: 'outcome unknown',
  applied: 'applied; answer not read',
};

export class WriteOutcome {
  constructor(
    private readonly read: Reader,
    private readonly currencies: CurrencyResolver,
    private readonly audit: AuditLog,
    private readonly logger: Logger,
  ) {}

  /**
   * After an executed write: the audit line first (from the answer alone, so that nothing after it can skip it), then
   * per-item outcome, read-back of money and status, and readable amounts. Never throws: a step that fails is reported
   * with what is known, since the write was sent whatever happens here.
   */
  async report(input: GuardInput, prepared: PreparedWrite, response: ApiResponse, send: SendRecord): Promise<string[]> {
    const notes: string[] = [];
    const sent = `${input.tool.name} was sent and the API answered HTTP ${response.status}`;
    let told: Told;
    try {
      told = tellItems(ITEM_ANSWERS[input.tool.name], prepared.request.body, response.status, response.body);
    } catch (error) {
      this.logger.error({ err: error, tool: input.tool.name }, 'reading the answer item by item failed');
      told = { audit: 'not confirmed: answer not read item by item', text: `NOT CONFIRMED: ${sent}, but its answer could not be read item by item (${oneLine((error as Error).message, 200)}); read the entities before retrying.` };
    }
    await this.record(input, prepared, send, { outcome: told.audit, status: response.status });
    if (told.text) notes.push(told.text);
    const steps: [string, () => Promise<string[]>][] = [
      ['reading the entities back', () => this.readBack(input, prepared, told.items, response.body)],
      ['restating the amounts of the answer', () => this.readableMoney(input, response.body)],
    ];
    for (const [step, run] of steps) {
      try {
        notes.push(...(await run()));
      } catch (error) {
        this.logger.error({ err: error, tool: input.tool.name }, `${step} after a write failed`);
        notes.push(`${sent} (audit outcome "${told.audit}"), but ${step} failed (${oneLine((error as Error).message, 200)}); read the entities before acting further.`);
      }
    }
    return notes;
  }

  /** After a write that failed to send: the audit line says whether it was applied, as far as the client knows. */
  async failed(input: GuardInput, prepared: PreparedWrite, error: ApiError, send: SendRecord): Promise<void> {
    await this.record(input, prepared, send, { outcome: FAILED_OUTCOME[error.applied], status: error.status, error: error.kind });
  }

  /**
   * The audit line written just before a write leaves: it fails the send when the audit cannot be written, so that no
   * write leaves without a line saying it did.
   */
  async sending(input: GuardInput, prepared: PreparedWrite, send: SendRecord): Promise<void> {
    await this.audit.write(this.entry(input, prepared, send, { outcome: 'sending' }));
  }

  private async record(input: GuardInput, prepared: PreparedWrite, send: SendRecord, result: Pick<AuditEntry, 'outcome' | 'status' | 'error'>): Promise<void> {
    await this.audit.write(this.entry(input, prepared, send, result)).catch((error: unknown) => this.logger.error({ err: error }, 'audit log write failed'));
  }

  private entry(input: GuardInput, prepared: PreparedWrite, send: SendRecord, result: Pick<AuditEntry, 'outcome' | 'status' | 'error'>): AuditEntry {
    const { caller } = input;
    return {
      time: new Date().toISOString(),
      write_id: send.writeId,
      tool: input.tool.name,
      ad_account_id: typeof input.args.ad_account_id === 'string' ? input.args.ad_account_id : undefined,
      request_hash: prepared.hash,
      amounts: prepared.amounts.map((a) => ({
        field: a.path,
        natural: a.decimal ?? 'null',
        api_value: a.apiValue,
        currency: prepared.currency,
        ...(prepared.currencyAssumed ? { currency_assumed: prepared.currencyAssumed } : {}),
      })),
      ...result,
      channel: send.approvedBy?.channel,
      approver: send.approvedBy?.approver,
      approval_id: send.approvalId,
      client: caller?.client,
      session: caller?.session,
      client_address: caller?.address,
      ...(caller?.person ? { person: caller.person } : {}),
    };
  }

  /**
   * Whether a write that was sent but whose answer was lost took effect: its entities read back carry every money and
   * status value it sent. Only updates can tell (a create's id is in the lost answer).
   */
  async verify(input: GuardInput, prepared: PreparedWrite, send: SendRecord): Promise<{ applied: boolean; lines: string[] }> {
    let verdict: { applied: boolean; lines: string[] };
    if (!prepared.entities.length || prepared.entities.some((e) => e.create || e.id === undefined)) {
      verdict = { applied: false, lines: [`${input.tool.name} cannot be read back to tell whether it took effect (it creates entities or names none): check the account.`] };
    } else {
      const lines = await this.readBack(input, prepared, undefined, undefined);
      verdict = { applied: lines.length > 0 && lines.every((line) => line.startsWith('Verified by reading back')), lines };
    }
    await this.record(input, prepared, send, { outcome: verdict.applied ? 'recovered: applied (read back)' : 'recovered: outcome unknown' });
    return verdict;
  }

  /** Reads written entities back and reports any money or status that differs from what was sent. */
  private async readBack(input: GuardInput, prepared: PreparedWrite, items: ItemResult[] | undefined, answer: unknown): Promise<string[]> {
    const lines: string[] = [];
    const api = input.tool.api.id;
    // One group per location of the body (a list of one entity kind, created or updated).
    const groups = new Map<number, LocatedEntity[]>();
    for (const e of prepared.entities) groups.set(e.location, [...(groups.get(e.location) ?? []), e]);
    for (const group of groups.values()) {
      const { kind } = group[0];
      // Created entities get their ids from the answer: item by item when the body holds one list, or the answer's own
      // id when the body is the one entity created (Whop).
      const own = isPlainObject(answer) && (typeof answer.id === 'string' || typeof answer.id === 'number') ? String(answer.id) : undefined;
      const single = prepared.entities.length === 1 && group[0].path === 'body' ? own : undefined;
      const sent = group.map((e) => ({ item: e.item, id: e.id ?? (groups.size === 1 ? (items?.[e.index]?.id ?? single) : undefined) }));
      const ids = [...new Set(sent.map((s) => s.id).filter((id): id is string => typeof id === 'string'))];
      let current: Map<string, Entity> | undefined;
      try {
        current = await readEntities(this.read, api, kind, input.args, ids);
      } catch (error) {
        lines.push(`Read-back of ${kind}s failed (${oneLine((error as Error).message, 200)}); check them before acting further.`);
        continue;
      }
      if (!current) continue;
      const checked = [...moneyFieldsOf(api, kind).map((f) => f.apiName), entityRule(api, kind).status.field];
      const mismatches: string[] = [];
      const missing = new Set<string>();
      const found = new Set<string>();
      for (const { item, id } of sent) {
        const entity = id ? current.get(id) : undefined;
        if (!entity) {
          if (id) missing.add(id);
          continue;
        }
        found.add(id!);
        for (const f of checked) {
          if (item[f] === undefined || entity[f] === undefined || String(item[f]) === String(entity[f])) continue;
          mismatches.push(`MISMATCH on ${kind} ${id}: ${f} sent ${JSON.stringify(item[f])}, the API now reports ${JSON.stringify(entity[f])}.`);
        }
      }
      if (mismatches.length) lines.push(...mismatches);
      else if (found.size) lines.push(`Verified by reading back: ${found.size} ${kind}(s) carry the money and status values sent.`);
      if (missing.size) lines.push(`Not found when read back: ${kind} ${[...missing].map((id) => oneLine(id, 40)).join(', ')}; check before acting further.`);
    }
    return lines;
  }

  /**
   * A read's answer as shown: analytics rows (micro-currency columns) get each amount restated beside it, in the
   * account's currency; any other amounts are restated in a note.
   */
  async present(input: GuardInput, content: Record<string, unknown>): Promise<{ content: Record<string, unknown>; notes: string[] }> {
    const rows = content.items;
    const money = input.tool.api.money.answers;
    if (money.unit === 'micro' && money.reportRows && Array.isArray(rows) && hasMicroColumns(rows)) {
      const { code, assumed } = await this.currencies.currencyOf(input.tool.api, input.args).catch((): ResolvedCurrency => ({}));
      return { content: { ...content, items: rows.map((row) => (isPlainObject(row) ? restateRow(row, code, assumed) : row)) }, notes: [] };
    }
    return { content, notes: await this.readableMoney(input, content) };
  }

  /** Where an answer carries amounts, states them in natural units with their currency. */
  private async readableMoney(input: GuardInput, body: unknown): Promise<string[]> {
    const money = input.tool.api.money.answers;
    if (money.unit === 'major') return this.majorMoney(input, body, money);
    const found: [string, string][] = [];
    walkJson(body, (value, path, key) => {
      if (typeof key === 'string' && money.field.test(key) && (typeof value === 'number' || (typeof value === 'string' && /^\d+$/.test(value)))) {
        if (Number.isSafeInteger(Number(value))) found.push([path.join('.'), String(value)]);
        return 'skip';
      }
      // After twenty amounts no further object is entered (the rest of the one being read is still checked).
      return found.length >= 20 ? 'skip' : undefined;
    });
    if (!found.length) return [];
    const { code, assumed } = await this.currencies.currencyOf(input.tool.api, input.args).catch((): ResolvedCurrency => ({}));
    const lines = found.map(([where, micros]) => `${where} = ${formatMicros(micros, code, assumed)}`);
    return [`Amounts in natural units (API values are micro-currency, x 1,000,000):\n${lines.join('\n')}`];
  }

  /**
   * Amounts an API answers in major units already are restated with the currency each object reports (`currencyField`,
   * inherited by nested rows), else the account's, so that a model never reads a bare number.
   */
  private async majorMoney(input: GuardInput, body: unknown, { field, currencyField }: Extract<AnswerMoney, { unit: 'major' }>): Promise<string[]> {
    const found: { where: string; amount: number; currency?: string }[] = [];
    let total = 0;
    // The currency of each object and list: its own (`currencyField`), else the one of what holds it.
    const currencies = new Map<object, string | undefined>();
    walkJson(body, (value, path, key, parent) => {
      const inherited = parent && currencies.get(parent);
      if (typeof key === 'string' && field.test(key) && typeof value === 'number' && Number.isFinite(value) && value >= 0) {
        total++;
        if (found.length < 20) found.push({ where: pathText(path), amount: value, currency: inherited });
      } else if (value && typeof value === 'object') {
        const own = (value as Record<string, unknown>)[currencyField];
        currencies.set(value, typeof own === 'string' && own ? own.toUpperCase() : inherited);
      }
    });
    if (!found.length) return [];
    const fallback: ResolvedCurrency = found.some((f) => !f.currency)
      ? await this.currencies.currencyOf(input.tool.api, input.args, input.tool.name).catch((): ResolvedCurrency => ({}))
      : {};
    const lines = found.map(({ where, amount, currency }) => {
      let shown = String(amount);
      try {
        shown = currency ? formatMajorAmount(String(amount), currency) : formatMajorAmount(String(amount), fallback.code, fallback.assumed);
      } catch {
        // A number that does not print as a plain decimal (1e21) stays as the API gave it.
      }
      return `${where} = ${shown}`;
    });
    if (total > found.length) lines.push(`(${total - found.length} more amounts not restated)`);
    return [`Amounts (${input.tool.api.label} reports them in major units of the currency):\n${lines.join('\n')}`];
  }
}
