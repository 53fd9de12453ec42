// Prepares a call's exact request (money to micros, the request as sent, its hash, the entities it writes) and what a person is shown of it.
import type { ApiId } from '../apis/index.js';
import { buildRequest } from '../http/request.js';
import type { Logger } from '../core/logger.js';
import { oneLine } from '../core/display.js';
import type { ApprovalSummary } from './approvals.js';
import { type Change, type PreparedWrite, describeChange, headline, percent, queryObject } from './changes.js';
import { type ConvertedAmount, convertMoney, hasMoney } from './convert.js';
import type { AccountLabel, CurrencyResolver, Reader } from './currency.js';
import { type CurrentValues, readEntities } from './current.js';
import { ENTITY_WRITES, type EntityKind, STATUS_ACTIONS, locateEntities, moneyFieldsOf } from './entities.js';
import { formatMajorAmount, formatMicros, parseAmount } from '../money/amount.js';
import { ORDINARY_WRITE, PARENT_UNREAD_NOTE, heldVerb, notFoundNote, summaryHeading } from './messages.js';
import { describeWrite, nameOf, parentIds } from './plain.js';
import { requestHash } from './tokens.js';
import type { GuardInput } from './types.js';

/** The part of a call that decides its request: the tool and its validated arguments (money in natural amounts). */
export type Call = Pick<GuardInput, 'tool' | 'args'>;

/**
 * Converts money (natural amounts to the API's units, in the currency of the account the call names), builds the exact
 * request and, for writes, its hash (tool + the request as transmitted), and locates the entities it creates or updates.
 * Throws AmountError or RequestError for arguments that cannot be sent.
 */
export async function prepareRequest(call: Call, currencies: CurrencyResolver): Promise<PreparedWrite> {
  const { tool, args } = call;
  let converted = args;
  const amounts: ConvertedAmount[] = [];
  let currency: string | undefined;
  let currencyAssumed: string | undefined;
  if (hasMoney(args)) {
    ({ code: currency, assumed: currencyAssumed } = await currencies.currencyOf(tool.api, args, tool.name));
    converted = convertMoney(args, { currency, assumed: currencyAssumed }, amounts) as Record<string, unknown>;
  }
  const request = buildRequest(tool.op, converted, tool.writes);
  // Only writes can be confirmed, so only they need the hash that binds a token to the request.
  const hash = tool.writes ? requestHash({ tool: tool.name, method: request.method, target: request.target, payload: request.payload ?? null }) : '';
  const write = ENTITY_WRITES[tool.name];
  const { entities, stray } = write ? locateEntities(write, request.body, args) : { entities: [], stray: [] };
  // A status action names its entity by path: located (with no fields) so that previews read its current status.
  const action = STATUS_ACTIONS[tool.name];
  if (action && typeof args.id === 'string') entities.push({ kind: action.kind, create: false, id: args.id, location: 0, index: 0, path: 'id', item: {} });
  return { request, amounts, currency, ...(currencyAssumed ? { currencyAssumed } : {}), hash, entities, stray };
}

/** A parent id equal to the current one only addresses the entity: not a change. Others say where they move from. */
export async function resolveParents(changes: Change[], current: CurrentValues): Promise<Change[]> {
  const kept: Change[] = [];
  for (const change of changes) {
    if (!change.pending) {
      kept.push(change);
      continue;
    }
    delete change.pending;
    // Parent changes come only from entities, so `entity` names their kind.
    const entity = await current.entity(change.entity as EntityKind, change.id);
    if (entity && String(entity[change.field]) === String(change.to)) continue;
    if (entity) change.from = entity[change.field];
    else change.note = PARENT_UNREAD_NOTE;
    kept.push(change);
  }
  return kept;
}

/** Adds current values (read from the API) to the changes of updated entities; returns notes on reads that failed. */
export async function withCurrentValues(api: ApiId, prepared: PreparedWrite, changes: Change[], current: CurrentValues): Promise<string[]> {
  const notes = new Set<string>();
  for (const change of changes) {
    const located = prepared.entities.find((e) => !e.create && e.kind === change.entity && e.index === change.index && e.id === change.id);
    if (!located || change.from !== undefined) continue;
    const problem = await current.problem(located.kind);
    if (problem) {
      notes.add(problem);
      continue;
    }
    if (!(await current.readable(located.kind))) continue;
    const entity = await current.entity(located.kind, change.id);
    if (!entity) {
      change.note = notFoundNote(located.kind, change.id);
      continue;
    }
    const name = entity.name ?? entity.title;
    if (change.name === undefined && typeof name === 'string') change.name = name;
    if (change.reason === 'money') {
      const field = moneyFieldsOf(api, located.kind).find((f) => f.inputName === change.field);
      const from = field ? entity[field.apiName] : undefined;
      const { currency, currencyAssumed } = prepared;
      if (field?.unit === 'micro' && (typeof from === 'number' || typeof from === 'string')) {
        change.from = formatMicros(String(from), currency, currencyAssumed);
        change.from_micro = String(from);
        if (change.to_micro !== undefined) change.change_percent = percent(BigInt(from), BigInt(change.to_micro));
      } else if (field?.unit === 'major' && typeof from === 'number') {
        change.from = formatMajorAmount(String(from), currency, currencyAssumed);
        const to = prepared.amounts.find((a) => a.holder === located.item && a.field.apiName === field.apiName)?.micros;
        if (typeof to === 'bigint') change.change_percent = percent(parseAmount(from).micros, to);
      } else if (from === null) change.from = null;
    } else if (!change.field.includes('.') && change.field in entity) {
      change.from = entity[change.field];
    }
  }
  return [...notes];
}

/** What summarize reads with: the API (current entities, parents' names) and the accounts' names and currencies. */
export interface SummaryReaders {
  read: Reader;
  currencies: CurrencyResolver;
  logger: Logger;
}

/**
 * What a preview shows: the changes in natural amounts (with current values), notes and the exact request; for a
 * person (`forPerson`: the approval page and the dialog), also the write in plain words and the account's name.
 */
export async function summarize(
  readers: SummaryReaders,
  input: Call,
  prepared: PreparedWrite,
  changes: Change[],
  current: CurrentValues,
  forPerson = false,
): Promise<ApprovalSummary> {
  const { tool } = input;
  const notes = (await withCurrentValues(tool.api.id, prepared, changes, current)).map((n) => oneLine(n));
  const request = {
    method: prepared.request.method,
    path: prepared.request.path,
    query: queryObject(prepared.request.query),
    body: prepared.request.body,
  };
  const lines = changes.map((c) => `- ${describeChange(c)}`);
  if (!changes.length) lines.push(ORDINARY_WRITE.line(tool.name));
  const summary: ApprovalSummary = {
    heading: summaryHeading(tool.name, input.args, prepared.currency, prepared.currencyAssumed),
    verb: heldVerb(changes),
    headline: changes.length ? headline(changes) : ORDINARY_WRITE.headline,
    lines,
    notes,
    changes,
    request,
  };
  if (!forPerson) return summary;
  try {
    return { ...summary, ...(await inPlainWords(readers, input, prepared, changes, current)) };
  } catch (error) {
    // The words are a reading aid: without them the person still sees every change and the exact request.
    readers.logger.error({ err: error, tool: tool.name }, 'the held write could not be put in plain words');
    return summary;
  }
}

/** The write in plain words (one line per entity, parents named), and the account with its name and currency. */
async function inPlainWords(
  readers: SummaryReaders,
  input: Call,
  prepared: PreparedWrite,
  changes: Change[],
  current: CurrentValues,
): Promise<Pick<ApprovalSummary, 'title' | 'plain' | 'account'>> {
  const { tool } = input;
  const account = await readers.currencies.account(tool.api, input.args, tool.name);
  const parents = parentIds(tool.api.id, prepared.entities, prepared.request.body);
  const loaded = new Map<EntityKind, Promise<Map<string, Record<string, unknown>> | undefined>>();
  const parentName = async (kind: EntityKind, id: string): Promise<string | undefined> => {
    let entities = loaded.get(kind);
    if (!entities) loaded.set(kind, (entities = readEntities(readers.read, tool.api.id, kind, input.args, parents.get(kind) ?? [id]).catch(() => undefined)));
    return nameOf(kind, (await entities)?.get(id));
  };
  const plain = await describeWrite({
    api: tool.api.id,
    tool: { name: tool.name, title: tool.title, path: tool.op.path },
    args: input.args,
    body: prepared.request.body,
    currency: prepared.currency ?? account?.currency,
    currencyAssumed: prepared.currency ? prepared.currencyAssumed : account?.currency_assumed,
    entities: prepared.entities,
    changes,
    current: (kind, id) => current.entity(kind, id),
    parentName,
  });
  if (!changes.length) plain.lines.push(ORDINARY_WRITE.plain(tool.title));
  return { title: plain.lines.length === 1 ? plain.lines[0] : plain.title, plain: plain.lines, ...(account ? { account: await namedByEntity(input, prepared, current, account) } : {}) };
}

/** An API outside --ad-accounts names no account: the label carries the name of the entity the write creates or changes instead. */
async function namedByEntity(input: Call, prepared: PreparedWrite, current: CurrentValues, account: AccountLabel): Promise<AccountLabel> {
  const entity = prepared.entities[0];
  if (input.tool.api.accounts || account.id || !entity) return account;
  const name = nameOf(entity.kind, entity.item) ?? (entity.create ? undefined : nameOf(entity.kind, await current.entity(entity.kind, entity.id)));
  return name ? { ...account, name, named: entity.kind.replace('_', ' ') } : account;
}
