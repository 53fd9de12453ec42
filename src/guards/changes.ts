// What a write changes, as data: spend analysis of a prepared request and its one-line descriptions for previews.
import type { ApiRequest } from '../client/request.js';
import type { ToolDef } from '../tools/registry.js';
import type { ConvertedAmount } from './convert.js';
import { formatMajor, formatMoney } from './money.js';
import type { MoneyField } from './money-fields.js';
import {
  ALWAYS_SPEND,
  CREATE_DEFAULT_STATUS,
  type EntityGroup,
  SCHEDULE_FIELDS,
  SCHEDULED,
  STATUS_FIELD,
  moneyFieldsOf,
} from './policy.js';

/** A request after money conversion, with what the guard learnt on the way. */
export interface PreparedWrite {
  request: ApiRequest;
  amounts: ConvertedAmount[];
  currency?: string;
  /** Binds confirmation tokens: tool + request after conversion. */
  hash: string;
  groups: EntityGroup[];
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
  /** For an entity created ACTIVE: the amounts it can spend at (its money fields in this request). */
  spending?: string;
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

/** Every way this write changes spend (empty for ordinary writes). */
export function spendChanges(tool: ToolDef, prepared: PreparedWrite): Change[] {
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
            note: status === undefined ? 'ACTIVE is the default status' : undefined,
            spending: changes
              .filter((c) => c.reason === 'money' && c.entity === group.kind && c.index === index && c.to !== null)
              .map((c) => `${c.field} ${String(c.to)}`)
              .join(', '),
          });
        }
      } else if (status !== undefined) {
        changes.push({ ...base, field: statusField, reason: 'status', to: status });
      }
      if (SCHEDULED.has(group.kind)) {
        for (const path of SCHEDULE_FIELDS[tool.api.id]) {
          const value = path.split('.').reduce<unknown>((v, k) => (v && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined), item);
          if (value !== undefined) changes.push({ ...base, field: path, reason: 'schedule', to: value });
        }
      }
    });
  }
  return changes;
}

export function describeChange(c: Change): string {
  const who = `${c.entity}${c.id ? ` ${c.id}` : ` #${c.index + 1}`}${c.name ? ` "${c.name}"` : ''}`;
  const from = c.from !== undefined ? `${JSON.stringify(c.from)?.replace(/^"|"$/g, '')} -> ` : '';
  const to = JSON.stringify(c.to)?.replace(/^"|"$/g, '');
  const pct = c.change_percent !== undefined ? ` (${c.change_percent > 0 ? '+' : ''}${c.change_percent}%)` : '';
  const note = c.note ? ` [${c.note}]` : '';
  if (c.reason === 'billing') return `${c.note}`;
  if (c.reason === 'activation') {
    return `${who}: will be created ACTIVE and can start spending at once${c.spending ? `, at ${c.spending}` : ''}${note}`;
  }
  return `${who}: ${c.field} ${from}${to}${pct}${note}`;
}
