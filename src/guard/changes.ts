// What a write changes, as data: which of its fields hold it (allow-list per entity kind), and preview lines for them.
import type { ConfirmWrites } from '../config/index.js';
import type { ApiRequest } from '../http/request.js';
import type { ToolDef } from '../tools/registry.js';
import { classify } from '../apis/classification.js';
import type { ConvertedAmount } from './convert.js';
import { ENTITY_WRITES, type LocatedEntity, STATUS_ACTIONS, type StrayKey, entityRule, isActiveStatus, moneyFieldsOf } from './entities.js';
import { formatMajorAmount, formatMicros } from '../money/amount.js';
import type { MoneyField } from './money-fields.js';
import { oneLine, quote, showValue } from '../core/display.js';
import { walkJson } from '../core/walk.js';

/** A request after money conversion, with what the guard learnt on the way. */
export interface PreparedWrite {
  request: ApiRequest;
  amounts: ConvertedAmount[];
  currency?: string;
  /** Why `currency` is only assumed (the account reports none), in the API's words; every amount shown in it says so. */
  currencyAssumed?: string;
  /** Binds confirmation tokens: tool + the request exactly as transmitted. */
  hash: string;
  /** Entities the body creates or updates (entity writes only). */
  entities: LocatedEntity[];
  /** Keys around the entities that no location accounts for (held, unless the write's `others` says neutral). */
  stray: StrayKey[];
}

/** The `field` of a change that concerns the whole request rather than one field. */
export const WHOLE_REQUEST = '(request)';

export type ChangeReason =
  | 'money' // sets an amount
  | 'status' // changes delivery status
  | 'activation' // creates something that can deliver at once
  | 'schedule' // changes when money is spent
  | 'setting' // a field known to change delivery or cost
  | 'parent' // moves an entity under another parent
  | 'unclassified' // a field or write nobody classified: unknown means held
  | 'spend' // a write that always moves money (billing, commitments, audiences)
  | 'access' // a write that grants or removes access to a business's assets
  | 'data' // a write that sends personal data somewhere or changes what bidding learns from
  | 'destructive'; // a write that cannot be undone

/** One line of a preview: what a write will change. Amounts are natural, with currency. */
export interface Change {
  entity: string;
  /** Position in the request's list of that entity kind. */
  index: number;
  id?: string;
  name?: string;
  field: string;
  reason: ChangeReason;
  /** Why this field or write is held, in a few words. */
  why?: string;
  from?: unknown;
  to?: unknown;
  from_micro?: string;
  to_micro?: string;
  change_percent?: number;
  note?: string;
  /** For an entity created ACTIVE: the amounts it can spend at (its money fields in this request). */
  spending?: string;
  /** A parent id still to be compared with the current one (resolved, then removed, by the guard). */
  pending?: true;
  /** The entity is created by this write (it has no current value: a person reads "new"). */
  create?: true;
  /** How a person reads an amount: "per day", "lifetime", "per click" (set by the guard where known). */
  unit?: string;
}

export function queryObject(query: readonly [string, string][]): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of query) {
    const prev = out[k];
    out[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
  }
  return out;
}

export function percent(from: bigint, to: bigint): number | undefined {
  if (from === 0n) return undefined;
  // Exact to one decimal: (to - from) * 1000 / from, rounded half away from zero.
  const scaled = ((to - from) * 2000n) / from;
  const rounded = scaled >= 0n ? (scaled + 1n) / 2n : (scaled - 1n) / 2n;
  return Number(rounded) / 10;
}

/** Where each converted amount sits in the request body: holder object -> API property name -> field. */
export type Placed = ReadonlyMap<object, ReadonlyMap<string, MoneyField>>;

export function placed(amounts: readonly ConvertedAmount[]): Placed {
  const map = new Map<object, Map<string, MoneyField>>();
  for (const a of amounts) {
    if (!a.holder) continue;
    let keys = map.get(a.holder);
    if (!keys) map.set(a.holder, (keys = new Map()));
    keys.set(a.field.apiName, a.field);
  }
  return map;
}

export interface FoundMoney {
  field: MoneyField;
  value: unknown;
  /** Dotted path inside the entity, in tool-input names. */
  path: string;
  /** The object that carries the value. */
  holder: Record<string, unknown>;
}

/**
 * Money fields set anywhere inside one entity (goal values, platform budgets sit in nested objects). Converted amounts
 * are known exactly (by the object that carries them), so two fields of one entity may share a name (a dollar budget
 * and a platform budget of unstated unit). Anything else is matched by name; only fields whose unit is undocumented
 * reach the body unconverted, so those are preferred.
 */
export function moneyIn(item: Record<string, unknown>, fields: readonly MoneyField[], converted: Placed): FoundMoney[] {
  const found: FoundMoney[] = [];
  walkJson(item, (value, path, key, parent) => {
    if (typeof key === 'string' && parent) {
      const holder = parent as Record<string, unknown>;
      const known = converted.get(holder)?.get(key);
      const field = known
        ? fields.find((f) => f === known)
        : (fields.find((f) => f.apiName === key && f.unit === 'undocumented') ?? fields.find((f) => f.apiName === key));
      if (field && value !== undefined) found.push({ field, value, path: [...path.slice(0, -1), field.inputName].join('.'), holder });
      if (field || known) return 'skip';
    }
    // Lists inside an entity are not searched: a preview line's field is a dotted path, without indices.
    return Array.isArray(value) ? 'skip' : undefined;
  });
  return found;
}

const valueAt = (item: Record<string, unknown>, path: string): unknown =>
  path.split('.').reduce<unknown>((v, k) => (v && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined), item);

/** Every held change of one entity: money, activation or status, schedule, and each field off the neutral list. */
function entityChanges(tool: ToolDef, entity: LocatedEntity, amountsAt: Placed, prepared: Pick<PreparedWrite, 'currency' | 'currencyAssumed'>, others: ReadonlySet<unknown>): Change[] {
  const { currency, currencyAssumed } = prepared;
  const api = tool.api.id;
  const { kind, create, index, item } = entity;
  const rule = entityRule(api, kind);
  const name = item.name ?? item.title;
  const base = {
    entity: kind,
    index,
    ...(entity.id !== undefined ? { id: entity.id } : {}),
    ...(typeof name === 'string' ? { name } : {}),
    ...(create ? { create: true as const } : {}),
  };
  const changes: Change[] = [];

  const money = moneyIn(item, moneyFieldsOf(api, kind), amountsAt);
  for (const { field, value, path } of money) {
    const to =
      value === null
        ? null
        : field.unit === 'undocumented'
          ? String(value)
          : field.unit === 'major'
            ? formatMajorAmount(String(value), currency, currencyAssumed)
            : formatMicros(String(value), currency, currencyAssumed);
    changes.push({
      ...base,
      field: path,
      reason: 'money',
      to,
      ...(field.unit === 'micro' && value !== null ? { to_micro: String(value) } : {}),
      ...(field.unit === 'undocumented' ? { note: 'unit not documented: sent exactly as given' } : {}),
    });
  }

  const moneyKeys = new Set(money.filter((m) => m.holder === item).map((m) => m.field.apiName));
  const scheduleKeys = new Set(rule.schedule.filter((p) => !p.includes('.')));
  const statusField = rule.status.field;
  for (const [key, value] of Object.entries(item)) {
    // Another entity inside this one (an ad's inline ad group) has changes of its own.
    if (value === undefined || moneyKeys.has(key) || scheduleKeys.has(key) || key === statusField || others.has(value)) continue;
    if (rule.identity.includes(key) || key in rule.neutral) continue;
    if (rule.parents.includes(key)) {
      // A parent id places a new entity; on an update it is compared with the current parent.
      if (!create) changes.push({ ...base, field: key, reason: 'parent', why: `moves the ${kind} under another parent`, to: value, pending: true });
      continue;
    }
    const held = rule.held[key];
    if (held !== undefined) {
      if (!(create && rule.inactiveCreate.includes(key))) changes.push({ ...base, field: key, reason: 'setting', why: held, to: value });
      continue;
    }
    changes.push({ ...base, field: key, reason: 'unclassified', why: `not on the ${kind} spend-neutral list, so held`, to: value });
  }

  const status = item[statusField];
  if (create) {
    const effective = status ?? rule.status.createDefault;
    if (isActiveStatus(rule, effective)) {
      changes.push({
        ...base,
        field: statusField,
        reason: 'activation',
        to: kind === 'keyword' ? 'active' : effective,
        note: status === undefined ? `${String(rule.status.createDefault)} is the default status` : undefined,
        spending: changes
          .filter((c) => c.reason === 'money' && c.to !== null)
          .map((c) => `${c.field} ${String(c.to)}`)
          .join(', '),
      });
    }
  } else if (status !== undefined) {
    changes.push({ ...base, field: statusField, reason: 'status', to: status });
  }
  for (const path of rule.schedule) {
    const value = valueAt(item, path);
    if (value !== undefined) changes.push({ ...base, field: path, reason: 'schedule', to: value });
  }
  return changes;
}

/**
 * Every reason this write must be confirmed (empty: it may be sent at once). Unclassified writes and fields are
 * held; data and destructive writes are held when `confirmWrites` names their class. Parent ids of updates come back
 * `pending`.
 */
export function heldChanges(tool: ToolDef, prepared: PreparedWrite, confirmWrites: ConfirmWrites): Change[] {
  const whole = (reason: ChangeReason, why: string): Change[] => [{ entity: tool.name, index: 0, field: WHOLE_REQUEST, reason, why }];
  const classification = classify(tool.name);
  if (!classification) return whole('unclassified', 'this write is not in the classification table; unknown means held');
  switch (classification.class) {
    case 'read':
    case 'neutral':
      return [];
    case 'spend':
    case 'access': {
      const action = STATUS_ACTIONS[tool.name];
      const target = action && prepared.entities.find((e) => e.kind === action.kind);
      // A status action says which entity it switches; the guard adds its current status and name.
      if (target) return [{ entity: action.kind, index: 0, id: target.id, field: 'status', reason: 'status', why: classification.reason, to: action.to }];
      return whole(classification.class, classification.reason);
    }
    case 'data':
    case 'destructive':
      return confirmWrites === 'all' || confirmWrites.has(classification.class) ? whole(classification.class, classification.reason) : [];
    case 'entity': {
      if (!ENTITY_WRITES[tool.name]) return whole('unclassified', 'no entity locations are known for this write; unknown means held');
      const amountsAt = placed(prepared.amounts);
      const items = new Set<unknown>(prepared.entities.map((e) => e.item));
      const changes = prepared.entities.flatMap((e) => entityChanges(tool, e, amountsAt, prepared, items));
      for (const { path, key, known } of prepared.stray) {
        if (known && !known.held) continue;
        const field = `${path}.${key}`;
        if (known) changes.push({ entity: tool.name, index: 0, field, reason: 'setting', why: known.why });
        else changes.push({ entity: tool.name, index: 0, field, reason: 'unclassified', why: 'a field the guard does not know, so held' });
      }
      return changes;
    }
  }
}

/** How a preview line names a reason that concerns a whole request (its class's reason follows). */
const WHOLE_REQUEST_LABEL: Partial<Record<ChangeReason, string>> = { spend: '', access: 'access: ', data: 'data: ', destructive: 'destructive: ' };

/** One preview line. Strings from callers and APIs are quoted and escaped; amounts are our own formatting. */
export function describeChange(c: Change): string {
  const id = c.id === undefined ? ` #${c.index + 1}` : /^[\w-]{1,64}$/.test(c.id) ? ` ${c.id}` : ` ${quote(c.id, 64)}`;
  const who = `${c.entity}${id}${c.name !== undefined ? ` ${quote(c.name, 80)}` : ''}`;
  // A money text is the server's own: an amount, its currency, and why where that is only assumed.
  const show = (v: unknown) => (c.reason === 'money' && typeof v === 'string' ? oneLine(v, 160) : showValue(v, 80));
  const from = c.from !== undefined ? `${c.from === null ? 'none' : show(c.from)} -> ` : '';
  const pct = c.change_percent !== undefined ? ` (${c.change_percent > 0 ? '+' : ''}${c.change_percent}%)` : '';
  const note = c.note ? ` [${oneLine(c.note, 200)}]` : '';
  const whole = WHOLE_REQUEST_LABEL[c.reason];
  if (whole !== undefined) return `${c.entity}: ${whole}${c.why}${note}`;
  const why = c.why ? ` (${c.why})` : '';
  if (c.reason === 'activation') {
    return `${who}: will be created ${oneLine(String(c.to), 20)} and can start spending at once${c.spending ? `, at ${c.spending}` : ''}${note}`;
  }
  return `${who}: ${oneLine(c.field, 120)} ${from}${show(c.to)}${pct}${why}${note}`;
}

/** The headline of a held write, from the structured changes only (no names or values from the caller). */
export function headline(changes: readonly Change[]): string {
  const byReason = new Map<string, number>();
  for (const c of changes) byReason.set(c.reason, (byReason.get(c.reason) ?? 0) + 1);
  const parts = [...byReason].map(([reason, n]) => `${n} ${reason}`).join(', ');
  const entities = new Set(changes.filter((c) => c.field !== WHOLE_REQUEST).map((c) => `${c.entity}#${c.id ?? c.index}`)).size;
  const where = entities ? ` on ${entities} entit${entities === 1 ? 'y' : 'ies'}` : '';
  return `Held: ${changes.length} change${changes.length === 1 ? '' : 's'} (${parts})${where}.`;
}
