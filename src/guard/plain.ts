// Plain-language lines a person decides from: one per entity a held write creates or changes, and one per whole-request write.
import { type ApiId, apiById } from '../apis/index.js';
import type { MoneyWords } from '../apis/wording.js';
import { type Change, WHOLE_REQUEST } from './changes.js';
import { type EntityKind, type LocatedEntity, entityRule, isActiveStatus, moneyFieldsOf } from './entities.js';
import { formatMajorAmount, formatMicros } from '../money/amount.js';
import { oneLine, quote, showValue } from '../core/display.js';
import { count, shownValue, valueText } from '../core/words.js';

type Entity = Record<string, unknown>;

export interface PlainInput {
  api: ApiId;
  tool: { name: string; title: string; path: string };
  /** The call's arguments (path parameters name what a whole-request write acts on). */
  args: Record<string, unknown>;
  /** The request body after conversion (promotions name their ad group beside the list). */
  body: unknown;
  /** The account's currency where known: amounts read from the API are shown in it, else marked unknown. */
  currency?: string;
  /** Why `currency` is only assumed (the account reports none); amounts shown in it say so. */
  currencyAssumed?: string;
  entities: readonly LocatedEntity[];
  /** The held changes, with current values added (see withCurrentValues in prepare.ts). */
  changes: readonly Change[];
  /** What an updated entity looks like now; undefined when unknown. */
  current(kind: EntityKind, id: string | undefined): Promise<Entity | undefined>;
  /** The name of the parent a create names, read from the API; undefined when unknown. */
  parentName(kind: EntityKind, id: string): Promise<string | undefined>;
  /** Now, ms (schedules in the past start at once). */
  now?: number;
}

export interface PlainSummary {
  /** One line per entity, then one per whole-request change. */
  lines: string[];
  /** The page's heading: the only line, or what the lines add up to ("Create 12 ad groups in campaign "Winter sale""). */
  title: string;
}

/** Why a held row is held, in words: the change's own reason where it has one, else its kind's. */
const REASON_WORDS: Record<Change['reason'], string> = {
  money: 'sets an amount',
  status: 'changes whether it delivers',
  activation: 'starts delivering at once',
  schedule: 'changes when money is spent',
  setting: 'changes delivery or cost',
  parent: 'moves it under another parent',
  unclassified: 'not classified, so held',
  spend: 'moves money',
  access: 'changes who has access',
  destructive: 'cannot be undone',
  data: 'sends personal data or changes what bidding learns from',
};

export function whyHeld(change: Change): string {
  if (change.reason === 'money' || change.reason === 'activation') return REASON_WORDS[change.reason];
  return change.why ?? REASON_WORDS[change.reason];
}

const KIND_WORDS: Record<EntityKind, [one: string, many: string]> = {
  campaign: ['campaign', 'campaigns'],
  ad_group: ['ad group', 'ad groups'],
  ad: ['ad', 'ads'],
  keyword: ['keyword', 'keywords'],
  product_group_promotion: ['product group promotion', 'product group promotions'],
};

/** The parents the creates of a write name, by kind (their names are read once per kind). */
export function parentIds(api: ApiId, entities: readonly LocatedEntity[], body: unknown): Map<EntityKind, string[]> {
  const ids = new Map<EntityKind, string[]>();
  for (const entity of entities) {
    const parent = entity.create ? parentOf(api, entity, body) : undefined;
    if (!parent) continue;
    const list = ids.get(parent.kind) ?? [];
    if (!list.includes(parent.id)) list.push(parent.id);
    ids.set(parent.kind, list);
  }
  return ids;
}

function parentOf(api: ApiId, entity: LocatedEntity, body: unknown): { kind: EntityKind; id: string } | undefined {
  const rule = apiById(api).plain.parents[entity.kind];
  if (!rule) return undefined;
  // Promotions name their ad group beside the list (`{ad_group_id, product_group_promotion: [...]}`).
  const around = body && typeof body === 'object' && !Array.isArray(body) ? (body as Entity)[rule.field] : undefined;
  const id = entity.item[rule.field] ?? around;
  return typeof id === 'string' || typeof id === 'number' ? { kind: rule.kind, id: String(id) } : undefined;
}

/** An id as written in a line: bare when it looks like one, else quoted. */
function idText(id: string): string {
  return /^[\w-]{1,64}$/.test(id) ? id : quote(id, 64);
}

/** The name a person knows an entity by: its name or title, a keyword's text, a promotion's product group. */
export function nameOf(kind: EntityKind, item: Entity | undefined): string | undefined {
  if (!item) return undefined;
  const name = item.name ?? item.title ?? (kind === 'keyword' ? item.value : kind === 'product_group_promotion' ? item.catalog_product_group_name : undefined);
  return typeof name === 'string' && name !== '' ? name : undefined;
}

function entityLabel(kind: EntityKind, name: string | undefined, id: string | undefined, index: number): string {
  const [word] = KIND_WORDS[kind];
  if (name !== undefined) return `${word} ${quote(name, 80)}`;
  if (id !== undefined) return `${word} ${idText(id)}`;
  return `new ${word} #${index + 1}`;
}

/** A time a person reads: `2026-12-24 09:00 UTC` (from Unix seconds, or ISO text). */
export function timeText(value: unknown): string {
  const ms = typeof value === 'number' ? value * 1000 : typeof value === 'string' && /^\d{4}-\d\d-\d\d/.test(value) ? Date.parse(value) : NaN;
  // Beyond the dates a Date holds (±8.64e15 ms), the value is shown as given.
  if (!Number.isFinite(ms) || Math.abs(ms) > 8.64e15) return showValue(value, 40);
  return `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

function timeMs(value: unknown): number | undefined {
  const ms = typeof value === 'number' ? value * 1000 : typeof value === 'string' ? Date.parse(value) : NaN;
  return Number.isFinite(ms) ? ms : undefined;
}

/** How a money field of the API reads, by its input name (the last segment of the change's field). */
function moneyWords(api: ApiId, field: string): MoneyWords {
  const last = field.split('.').at(-1) ?? field;
  return apiById(api).plain.money[last] ?? { noun: oneLine(field, 60), role: 'other' };
}

/** The period of a budget: from `budget_type` in the request, else the entity's current one, else the create default. */
function budgetPeriod(api: ApiId, kind: EntityKind, item: Entity, now: Entity | undefined, create: boolean): string | undefined {
  const field = moneyFieldsOf(api, kind).find((f) => f.kindBy);
  const type = item.budget_type ?? now?.budget_type ?? (create ? field?.kindBy?.createDefault : undefined);
  if (typeof type !== 'string') return undefined;
  const upper = type.toUpperCase();
  return upper === 'DAILY' ? 'per day' : upper === 'LIFETIME' ? 'lifetime' : upper === 'CBO_ADGROUP' ? 'set by the campaign (CBO)' : undefined;
}

/** The unit a person reads a money change in ("per day", "lifetime", "per click"); undefined when none is known. */
function unitOf(api: ApiId, kind: EntityKind, change: Change, item: Entity, now: Entity | undefined, create: boolean): string | undefined {
  const words = moneyWords(api, change.field);
  if (words.unit) return words.unit;
  if (words.role === 'budget') return budgetPeriod(api, kind, item, now, create);
  if (words.role === 'bid') return apiById(api).plain.bidUnit(kind, item, now);
  return undefined;
}

/** An amount of a money change: our own formatting ("12.50 USD"), kept on one line. */
const amountText = (value: unknown) => (value === null || value === undefined ? 'none' : oneLine(String(value), 60));

/** Raise, Lower, Keep or Set, by the exact amounts (or the percent that major units give). */
function moneyVerb(change: Change): 'Raise' | 'Lower' | 'Keep' | 'Set' {
  if (change.from === undefined || change.from === null) return 'Set';
  if (change.from_micro !== undefined && change.to_micro !== undefined) {
    const from = BigInt(change.from_micro);
    const to = BigInt(change.to_micro);
    return to > from ? 'Raise' : to < from ? 'Lower' : 'Keep';
  }
  if (change.change_percent !== undefined) return change.change_percent > 0 ? 'Raise' : change.change_percent < 0 ? 'Lower' : 'Keep';
  return 'Set';
}

/** A clause of an update line: written for the entity's label first, for "it" after. */
type Clause = (who: Who) => string;
interface Who {
  /** `ad group "US Prospecting"` or `it`. */
  it: string;
  /** `the daily budget of ad group "US Prospecting"` or `its daily budget`. */
  of(noun: string): string;
}

function who(label: string, first: boolean): Who {
  return first ? { it: label, of: (noun) => `the ${noun} of ${label}` } : { it: 'it', of: (noun) => `its ${noun}` };
}

/** Everything one held write does, in words; sets `unit` on money changes ("per day", "per click"). */
export async function describeWrite(input: PlainInput): Promise<PlainSummary> {
  const { api, changes } = input;
  const now = input.now ?? Date.now();
  const lines: { text: string; action: 'create' | 'update' | 'other'; kind?: EntityKind; parent?: string }[] = [];
  for (const entity of input.entities) {
    const own = changes.filter((c) => c.field !== WHOLE_REQUEST && c.entity === entity.kind && c.index === entity.index && c.id === entity.id && !!c.create === entity.create);
    const current = entity.create ? undefined : await input.current(entity.kind, entity.id).catch(() => undefined);
    for (const c of own) if (c.reason === 'money') c.unit = unitOf(api, entity.kind, c, entity.item, current, entity.create);
    if (entity.create) {
      const parentRef = parentOf(api, entity, input.body);
      const parentName = parentRef ? await input.parentName(parentRef.kind, parentRef.id).catch(() => undefined) : undefined;
      const parentLabel = parentRef ? entityLabel(parentRef.kind, parentName, parentRef.id, 0) : undefined;
      lines.push({ text: createLine(input, entity, own, parentLabel, now), action: 'create', kind: entity.kind, parent: parentLabel });
    } else {
      lines.push({ text: updateLine(input, entity, own, current), action: 'update', kind: entity.kind });
    }
  }
  for (const c of changes) {
    if (c.field !== WHOLE_REQUEST && input.entities.some((e) => e.kind === c.entity)) continue;
    lines.push({ text: wholeLine(input, c), action: 'other' });
  }
  return { lines: lines.map((l) => l.text), title: titleOf(lines) };
}

function createLine(input: PlainInput, entity: LocatedEntity, own: readonly Change[], parent: string | undefined, now: number): string {
  const { api } = input;
  const { kind, item, index } = entity;
  const rule = entityRule(api, kind);
  const label = entityLabel(kind, nameOf(kind, item), undefined, index);
  const clauses: string[] = [];
  // Budgets first, bids last: how much it may spend, then what it pays per unit.
  const rank: Record<MoneyWords['role'], number> = { budget: 0, cap: 1, other: 2, bid: 3 };
  const plain = apiById(api).plain;
  const money = own.filter((c) => c.reason === 'money').sort((a, b) => rank[moneyWords(api, a.field).role] - rank[moneyWords(api, b.field).role]);
  for (const c of money) {
    const words = moneyWords(api, c.field);
    if (c.to === null) continue;
    const amount = amountText(c.to);
    if (words.role === 'bid') clauses.push(plain.bidPhrase(kind, item, amount, c.unit ? ` ${c.unit}` : ''));
    else if (words.role === 'cap') clauses.push(`spends up to ${amount}${c.unit === 'lifetime' ? ' in total' : ` ${c.unit}`}`);
    else if (words.role === 'budget') clauses.push(c.unit && !c.unit.startsWith('set by') ? `${amount} ${c.unit}` : `a budget of ${amount}${c.unit ? ` (${c.unit})` : ''}`);
    else clauses.push(`${words.noun} ${amount}${c.unit ? ` ${c.unit}` : ''}`);
  }
  const status = item[rule.status.field] ?? rule.status.createDefault;
  const start = rule.schedule.find((p) => /start/.test(p));
  const end = rule.schedule.find((p) => /end/.test(p));
  const startsAt = start ? timeMs(item[start]) : undefined;
  if (isActiveStatus(rule, status)) {
    const shown = kind === 'keyword' ? 'active' : oneLine(String(status), 20);
    clauses.push(startsAt !== undefined && startsAt > now ? `starts ${shown} on ${timeText(item[start!])}` : `starts ${shown} at once`);
  } else {
    const shown = kind === 'keyword' ? 'archived' : oneLine(String(status), 20);
    clauses.push(shown.toLowerCase() === 'draft' ? 'starts as a draft (spends nothing until launched)' : `starts ${shown} (spends nothing until activated)`);
  }
  if (end && item[end] !== undefined && item[end] !== null) clauses.push(`until ${timeText(item[end])}`);
  const targeting = plain.targeting.describe(item);
  if (targeting) clauses.push(`targets ${targeting}`);
  if (kind === 'keyword' && typeof item.match_type === 'string') clauses.push(`${oneLine(item.match_type.toLowerCase(), 20)} match`);
  // Held settings the clauses above do not say in words are named, so that nothing held goes unmentioned.
  const said = new Set(['budget_type', ...plain.said, ...plain.targeting.fields, ...(kind === 'keyword' ? ['value', 'match_type'] : [])]);
  const others = own.filter((c) => (c.reason === 'setting' || c.reason === 'unclassified') && !said.has(c.field.split('.')[0]));
  if (others.length) clauses.push(`also sets ${[...new Set(others.map((c) => oneLine(c.field, 60)))].join(', ')}`);
  return `Create ${label}${parent ? ` in ${parent}` : ''}${clauses.length ? `: ${clauses.join(', ')}` : ''}`;
}

function updateLine(input: PlainInput, entity: LocatedEntity, own: readonly Change[], current: Entity | undefined): string {
  const { api } = input;
  const { kind, item, index, id } = entity;
  const rule = entityRule(api, kind);
  const name = nameOf(kind, current) ?? own.find((c) => c.name !== undefined)?.name ?? nameOf(kind, item);
  const label = entityLabel(kind, name, id, index);
  const clauses: Clause[] = [];
  for (const c of own) {
    if (c.reason === 'money') clauses.push(moneyClause(api, entity, c, current));
    else if (c.reason === 'status') clauses.push(statusClause(input, entity, c, current));
    else if (c.reason === 'schedule') clauses.push(scheduleClause(c));
    else if (c.reason === 'parent') {
      const parent = apiById(api).plain.parents[kind]?.kind;
      clauses.push((w) => `move ${w.it} under ${parent ? `${KIND_WORDS[parent][0]} ` : ''}${typeof c.to === 'string' ? idText(c.to) : shownValue(c.to)}`);
    }
    else clauses.push(settingClause(api, c));
  }
  const newName = nameOf(kind, item);
  const neutral = Object.keys(item).filter((k) => k in rule.neutral && item[k] !== undefined);
  if (newName !== undefined && name !== undefined && newName !== name) clauses.push((w) => `rename ${w.it} to ${quote(newName, 80)}`);
  if (!clauses.length) {
    const fields = neutral.length ? ` (${neutral.map((f) => oneLine(f, 40)).join(', ')})` : '';
    return `Update ${label}: spend-neutral fields only${fields}`;
  }
  const text = clauses.map((clause, i) => clause(who(label, i === 0))).join('; ');
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function moneyClause(api: ApiId, entity: LocatedEntity, c: Change, current: Entity | undefined): Clause {
  const words = moneyWords(api, c.field);
  const unit = c.unit && !c.unit.startsWith('set by') ? ` ${c.unit}` : '';
  const noun = words.role === 'budget' && c.unit === 'per day' ? 'daily budget' : words.role === 'budget' && c.unit === 'lifetime' ? 'lifetime budget' : words.noun;
  const pct = c.change_percent !== undefined ? ` (${c.change_percent > 0 ? '+' : ''}${c.change_percent}%)` : '';
  const note = c.note ? ` [${oneLine(c.note, 120)}]` : '';
  if (c.to === null) return (w) => `remove ${w.of(noun)}${c.from !== undefined && c.from !== null ? ` (was ${amountText(c.from)})` : ''}${note}`;
  const to = amountText(c.to);
  const verb = moneyVerb(c);
  const ceiling = words.role === 'bid' && apiById(api).plain.bidCeiling(entity.kind, entity.item, current) ? ' (a ceiling)' : '';
  switch (verb) {
    case 'Raise':
    case 'Lower':
      return (w) => `${verb.toLowerCase()} ${w.of(noun)} from ${amountText(c.from)} to ${to}${unit}${pct}${ceiling}${note}`;
    case 'Keep':
      return (w) => `keep ${w.of(noun)} at ${to}${unit}${note}`;
    default: {
      const before = c.from === null ? ' (none before)' : c.from === undefined && entity.create === false ? ' (its current value could not be read)' : '';
      return (w) => `set ${w.of(noun)} to ${to}${unit}${ceiling}${before}${note}`;
    }
  }
}

function statusClause(input: PlainInput, entity: LocatedEntity, c: Change, current: Entity | undefined): Clause {
  const { api } = input;
  const rule = entityRule(api, entity.kind);
  const to = c.to;
  if (entity.kind === 'keyword') return (w) => (to === true ? `archive ${w.it} (it stops bidding)` : `unarchive ${w.it}: it bids again at once`);
  const from = c.from ?? current?.[rule.status.field];
  const same = from !== undefined && String(from).toUpperCase() === String(to).toUpperCase();
  if (!isActiveStatus(rule, to)) {
    const upper = String(to).toUpperCase();
    if (same) return (w) => `keep ${w.it} ${oneLine(String(to).toLowerCase(), 20)}`;
    return upper === 'ARCHIVED' ? (w) => `archive ${w.it} (it stops for good)` : (w) => `pause ${w.it}`;
  }
  if (same) return (w) => `keep ${w.it} active`;
  // What it delivers at once: its budget as it stands.
  const budget = moneyFieldsOf(api, entity.kind).find((f) => f.kindBy);
  const amount = budget && current ? current[budget.apiName] : undefined;
  let at = '';
  if (budget && (typeof amount === 'number' || typeof amount === 'string') && entity.item[budget.apiName] === undefined) {
    const shown =
      budget.unit === 'major' ? formatMajorAmount(String(amount), input.currency, input.currencyAssumed) : formatMicros(String(amount), input.currency, input.currencyAssumed);
    const period = budgetPeriod(api, entity.kind, entity.item, current, false);
    at = `, at ${shown}${period && !period.startsWith('set by') ? ` ${period}` : ''}`;
  }
  const verb = typeof from === 'string' && from.toUpperCase() === 'PAUSED' ? 'resume' : 'activate';
  return (w) => `${verb} ${w.it}: it starts delivering at once${at}`;
}

function scheduleClause(c: Change): Clause {
  const noun = /start/.test(c.field) ? 'start' : /end/.test(c.field) ? 'end' : oneLine(c.field, 40);
  if (c.to === null) return (w) => `remove ${w.of(noun)}${noun === 'end' ? ' (it runs until paused)' : ''}`;
  const from = c.from !== undefined && c.from !== null ? ` from ${timeText(c.from)}` : '';
  return (w) => `move ${w.of(noun)}${from} to ${timeText(c.to)}`;
}

function settingClause(api: ApiId, c: Change): Clause {
  const why = ` (${whyHeld(c)})`;
  const plain = apiById(api).plain;
  if (plain.targeting.fields.includes(c.field)) {
    const change = plain.targeting.change(c.field, c.from, c.to);
    return (w) => `change ${w.of('targeting')}${change}`;
  }
  if (c.field === 'budget_type' && typeof c.to === 'string') {
    const period = c.to.toUpperCase() === 'LIFETIME' ? 'a lifetime budget' : c.to.toUpperCase() === 'DAILY' ? 'a daily budget' : showValue(c.to, 30);
    return (w) => `switch ${w.it} to ${period}`;
  }
  const billed = plain.billedUnit(c.field, c.to);
  if (billed) return (w) => `bill ${w.it} ${billed}`;
  const from = c.from !== undefined ? ` from ${shownValue(c.from)}` : '';
  return (w) => `change ${w.of(oneLine(c.field, 60))}${from} to ${shownValue(c.to)}${why}`;
}

/** A write held as a whole (spend, access, destructive, unclassified): what it is and what it acts on. */
function wholeLine(input: PlainInput, c: Change): string {
  if (c.field !== WHOLE_REQUEST) return `${oneLine(input.tool.title, 80)}: also ${whyHeld(c)} (${oneLine(c.field, 80)})`;
  const params = [...input.tool.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).filter((p) => p !== 'ad_account_id');
  const target = params.map((p) => input.args[p]).filter((v): v is string | number => typeof v === 'string' || typeof v === 'number');
  const on = target.length ? ` ${target.map((t) => idText(String(t))).join(' / ')}` : '';
  return `${oneLine(input.tool.title, 80)}${on}: ${whyHeld(c)}`;
}

function titleOf(lines: readonly { text: string; action: 'create' | 'update' | 'other'; kind?: EntityKind; parent?: string }[]): string {
  if (lines.length === 0) return 'A write';
  if (lines.length === 1) return lines[0].text;
  const groups = new Map<string, { action: string; kind?: EntityKind; n: number; parents: Set<string | undefined> }>();
  for (const line of lines) {
    const key = `${line.action}:${line.kind ?? ''}`;
    const group = groups.get(key) ?? { action: line.action, kind: line.kind, n: 0, parents: new Set() };
    group.n++;
    group.parents.add(line.parent);
    groups.set(key, group);
  }
  const parts = [...groups.values()].map(({ action, kind, n, parents }) => {
    if (!kind) return `${count(n, 'other write')}`;
    const [one, many] = KIND_WORDS[kind];
    const only = parents.size === 1 ? [...parents][0] : undefined;
    return `${action} ${n === 1 ? `1 ${one}` : `${n} ${many}`}${only ? ` in ${only}` : ''}`;
  });
  const text = parts.join(', ');
  return text.charAt(0).toUpperCase() + text.slice(1);
}
