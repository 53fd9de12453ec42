// Plain-language lines a person decides from: one per entity a held write creates or changes, and one per whole-request write.
import type { ApiId } from '../apis/index.js';
import { type Change, WHOLE_REQUEST } from './changes.js';
import { type EntityKind, type LocatedEntity, entityRule, isActiveStatus, moneyFieldsOf } from './entities.js';
import { formatMajorAmount, formatMicros } from '../money/amount.js';
import { oneLine, quote, showValue } from '../core/display.js';

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
  entities: readonly LocatedEntity[];
  /** The held changes, with current values added (see guard.ts withCurrentValues). */
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

/** The parent a create names, per API and kind (the field, and the kind it names). */
const PARENTS: Readonly<Record<ApiId, Partial<Record<EntityKind, { field: string; kind: EntityKind }>>>> = {
  pinterest: {
    ad_group: { field: 'campaign_id', kind: 'campaign' },
    ad: { field: 'ad_group_id', kind: 'ad_group' },
    product_group_promotion: { field: 'ad_group_id', kind: 'ad_group' },
  },
  whop: {
    ad_group: { field: 'ad_campaign_id', kind: 'campaign' },
    ad: { field: 'ad_group_id', kind: 'ad_group' },
  },
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
  const rule = PARENTS[api][entity.kind];
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

/** A time a person reads: `2026-12-24 09:00 UTC` (Pinterest: Unix seconds; Whop: ISO text). */
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

/** A list of short values: codes bare, anything else quoted; at most `max`, then how many more. */
function valueList(values: readonly unknown[], max = 5, joiner = '/'): string {
  const shown = values.slice(0, max).map((v) => valueText(v, 40));
  return `${shown.join(joiner)}${values.length > max ? ` and ${values.length - max} more` : ''}`;
}

const count = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;
const asList = (value: unknown): unknown[] => (Array.isArray(value) ? value : value === undefined || value === null ? [] : [value]);

/** Age buckets ("25-34", "35-44", "65+") as ranges, adjacent ones merged: "25–44, 65+". */
export function ageRanges(buckets: readonly unknown[]): string {
  const parsed: { low: number; high: number }[] = [];
  const odd: unknown[] = [];
  for (const bucket of buckets) {
    const match = typeof bucket === 'string' ? /^(\d{1,3})(?:-(\d{1,3})|(\+))$/.exec(bucket) : null;
    if (match) parsed.push({ low: Number(match[1]), high: match[3] ? Infinity : Number(match[2]) });
    else odd.push(bucket);
  }
  parsed.sort((a, b) => a.low - b.low);
  const merged: { low: number; high: number }[] = [];
  for (const range of parsed) {
    const last = merged.at(-1);
    if (last && range.low <= last.high + 1) last.high = Math.max(last.high, range.high);
    else merged.push({ ...range });
  }
  const ranges = merged.map((r) => (r.high === Infinity ? `${r.low}+` : `${r.low}–${r.high}`));
  return [...ranges, ...(odd.length ? [valueList(odd)] : [])].join(', ');
}

const GENDER_WORDS: Record<string, string> = { female: 'female', male: 'male', unknown: 'gender unknown', all: 'all genders' };

function genders(values: readonly unknown[]): string {
  const words = values.map((g) => (typeof g === 'string' && GENDER_WORDS[g.toLowerCase()]) || showValue(g, 20));
  return ['female', 'male', 'gender unknown'].every((w) => words.includes(w)) ? 'all genders' : words.join('/');
}

/** Pinterest's targeting_spec in words: `US, female, 25–44, languages en/de, 3 interests`. */
export function describeTargeting(spec: unknown): string {
  if (!spec || typeof spec !== 'object' || Array.isArray(spec)) return showValue(spec, 80);
  const s = spec as Entity;
  const parts: string[] = [];
  const places = [...asList(s.LOCATION), ...asList(s.GEO)];
  if (places.length) parts.push(valueList(places));
  if (asList(s.GENDER).length) parts.push(genders(asList(s.GENDER)));
  if (asList(s.AGE_BUCKET).length) parts.push(ageRanges(asList(s.AGE_BUCKET)));
  if (s.MINIMUM_AGE !== undefined || s.MAXIMUM_AGE !== undefined) {
    const max = String(s.MAXIMUM_AGE ?? '65+');
    parts.push(max.endsWith('+') ? `${oneLine(String(s.MINIMUM_AGE ?? '18'), 8)}+` : `${oneLine(String(s.MINIMUM_AGE ?? '18'), 8)}–${oneLine(max, 8)}`);
  }
  if (asList(s.LOCALE).length) parts.push(`languages ${valueList(asList(s.LOCALE))}`);
  if (asList(s.APPTYPE).length) parts.push(`devices ${valueList(asList(s.APPTYPE), 6)}`);
  if (asList(s.INTEREST).length) parts.push(count(asList(s.INTEREST).length, 'interest'));
  if (asList(s.KEYWORD).length) parts.push(count(asList(s.KEYWORD).length, 'keyword'));
  const audiences = (key: string, verb: string) => {
    const list = asList(s[key]);
    if (list.length) parts.push(`${verb}${list.length <= 3 ? `${list.length === 1 ? 'audience' : 'audiences'} ${valueList(list, 3, ', ')}` : count(list.length, 'audience')}`);
  };
  audiences('AUDIENCE_INCLUDE', '');
  audiences('AUDIENCE_EXCLUDE', 'excluding ');
  if (asList(s.SHOPPING_RETARGETING).length) parts.push('shopping retargeting');
  if (asList(s.TARGETING_STRATEGY).length) parts.push(`strategy ${valueList(asList(s.TARGETING_STRATEGY).map((v) => (typeof v === 'string' ? v.toLowerCase() : v)))}`);
  const known = new Set(['LOCATION', 'GEO', 'GENDER', 'AGE_BUCKET', 'MINIMUM_AGE', 'MAXIMUM_AGE', 'LOCALE', 'APPTYPE', 'INTEREST', 'KEYWORD', 'AUDIENCE_INCLUDE', 'AUDIENCE_EXCLUDE', 'SHOPPING_RETARGETING', 'TARGETING_STRATEGY']);
  for (const [key, value] of Object.entries(s)) {
    if (!known.has(key) && value !== undefined && value !== null) parts.push(`${oneLine(key, 40)} ${Array.isArray(value) ? valueList(value) : showValue(value, 40)}`);
  }
  return parts.length ? parts.join(', ') : 'everyone (no targeting)';
}

/** Whop's targeting fields of an ad group in words: `US/CA, female, 25–44, languages en, 2 interests`. */
export function describeWhopTargeting(item: Entity): string | undefined {
  const parts: string[] = [];
  const regions = item.regions;
  if (regions && typeof regions === 'object') {
    const places = Array.isArray(regions) ? regions : Object.values(regions as Entity).flatMap(asList);
    if (places.length) parts.push(valueList(places.map((p) => (p && typeof p === 'object' ? ((p as Entity).name ?? (p as Entity).key ?? (p as Entity).id) : p))));
  }
  const demo = item.demographics as Entity | undefined;
  if (demo && typeof demo === 'object') {
    if (typeof demo.gender === 'string' && demo.gender !== 'all') parts.push(genders([demo.gender]));
    if (demo.minimum_age !== undefined || demo.maximum_age !== undefined) parts.push(`${oneLine(String(demo.minimum_age ?? 18), 8)}–${oneLine(String(demo.maximum_age ?? '65+'), 8)}`);
  }
  if (asList(item.languages).length) parts.push(`languages ${valueList(asList(item.languages))}`);
  const detailed = item.detailed_targeting as Entity | undefined;
  if (detailed && typeof detailed === 'object') {
    for (const [key, one] of [['interests', 'interest'], ['behaviors', 'behavior'], ['demographics', 'demographic group']] as const) {
      if (asList(detailed[key]).length) parts.push(count(asList(detailed[key]).length, one));
    }
  }
  const audiences = item.audiences as Entity | undefined;
  if (audiences && typeof audiences === 'object') {
    if (asList(audiences.include).length) parts.push(count(asList(audiences.include).length, 'audience'));
    if (asList(audiences.exclude).length) parts.push(`excluding ${count(asList(audiences.exclude).length, 'audience')}`);
  }
  return parts.length ? parts.join(', ') : undefined;
}

const WHOP_TARGETING = ['regions', 'demographics', 'languages', 'detailed_targeting', 'audiences'];

/** What one unit of a bid buys, where the API's description says so (Pinterest's billable event; CPM is per 1,000). */
const BILLABLE_UNIT: Record<string, string> = { CLICKTHROUGH: 'per click', IMPRESSION: 'per 1,000 impressions' };

/** How a money field reads to a person, by its input name (the last segment of the change's field). */
interface MoneyWords {
  noun: string;
  /** Which amount this is: budgets take their period from `budget_type`; bids their unit from the billable event. */
  role: 'budget' | 'bid' | 'cap' | 'other';
  /** Fixed unit of the amount ("per day"), where the field's name says it. */
  unit?: string;
}

const MONEY_WORDS: Record<string, MoneyWords> = {
  budget: { noun: 'budget', role: 'budget' },
  budget_amount: { noun: 'budget', role: 'budget' },
  daily_spend_cap: { noun: 'daily spend cap', role: 'cap', unit: 'per day' },
  lifetime_spend_cap: { noun: 'lifetime spend cap', role: 'cap', unit: 'lifetime' },
  default_ad_group_budget: { noun: 'default ad group budget', role: 'other', unit: 'per day' },
  bid: { noun: 'bid', role: 'bid' },
  desired_cost_per_result: { noun: 'cost per result', role: 'bid', unit: 'per result' },
  minimum_daily_spend: { noun: 'minimum daily spend', role: 'other', unit: 'per day' },
  cpa_goal_value: { noun: 'target cost per action', role: 'other' },
  scrollup_goal_value: { noun: 'target cost per scroll-up', role: 'other' },
};

function moneyWords(field: string): MoneyWords {
  const last = field.split('.').at(-1) ?? field;
  return MONEY_WORDS[last] ?? { noun: oneLine(field, 60), role: 'other' };
}

/** The period of a budget: from `budget_type` in the request, else the entity's current one, else the create default. */
function budgetPeriod(api: ApiId, kind: EntityKind, item: Entity, now: Entity | undefined, create: boolean): string | undefined {
  const field = moneyFieldsOf(api, kind).find((f) => f.kindBy);
  const type = item.budget_type ?? now?.budget_type ?? (create ? field?.kindBy?.createDefault : undefined);
  if (typeof type !== 'string') return undefined;
  const upper = type.toUpperCase();
  return upper === 'DAILY' ? 'per day' : upper === 'LIFETIME' ? 'lifetime' : upper === 'CBO_ADGROUP' ? 'set by the campaign (CBO)' : undefined;
}

/** The unit of a bid: Pinterest's billable event (request, else current); Whop's cost is per result. */
function bidUnit(api: ApiId, kind: EntityKind, item: Entity, now: Entity | undefined): string | undefined {
  if (api === 'whop') return 'per result';
  if (kind !== 'ad_group') return undefined;
  const event = item.billable_event ?? now?.billable_event;
  return typeof event === 'string' ? BILLABLE_UNIT[event] : undefined;
}

/** The unit a person reads a money change in ("per day", "lifetime", "per click"); undefined when none is known. */
function unitOf(api: ApiId, kind: EntityKind, change: Change, item: Entity, now: Entity | undefined, create: boolean): string | undefined {
  const words = moneyWords(change.field);
  if (words.unit) return words.unit;
  if (words.role === 'budget') return budgetPeriod(api, kind, item, now, create);
  if (words.role === 'bid') return bidUnit(api, kind, item, now);
  return undefined;
}

/**
 * How the bid of a create reads: "bid up to 1.50 USD per click". A Pinterest ad group's bid is a ceiling unless its
 * strategy says otherwise (MAX_BID, or none given); keywords and promotions just bid.
 */
function bidPhrase(api: ApiId, kind: EntityKind, item: Entity, amount: string, unit: string | undefined): string {
  const strategy = item.bid_strategy_type ?? item.bid_type;
  const per = unit ? ` ${unit}` : '';
  if (api === 'pinterest' && kind !== 'ad_group') return `bid ${amount}${per}`;
  if (api === 'whop') {
    if (strategy === 'average_target') return `an average cost of ${amount}${per}`;
    return `a cost of up to ${amount}${per}`;
  }
  if (strategy === 'TARGET_AVG') return `an average bid of ${amount}${per}`;
  if (strategy === 'AUTOMATIC_BID') return `bid ${amount}${per} (automatic bidding)`;
  return `bid up to ${amount}${per}`;
}

/** A code-like value bare (`ACTIVE`, `US`), anything else quoted and escaped: values come from callers and the API. */
function valueText(value: unknown, max = 60): string {
  return typeof value === 'string' && /^[\w.+-]{1,40}$/.test(value) ? value : typeof value === 'number' ? String(value) : showValue(value, max);
}

/** A change's value as a person reads it: `none` for null. */
const show = (value: unknown) => (value === null ? 'none' : valueText(value));
/** An amount of a money change: our own formatting ("12.50 USD"), kept on one line. */
const amountText = (value: unknown) => (value === null || value === undefined ? 'none' : oneLine(String(value), 60));

/** Raise, Lower, Keep or Set, by the exact amounts (or the percent Whop's major units give). */
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
  const money = own.filter((c) => c.reason === 'money').sort((a, b) => rank[moneyWords(a.field).role] - rank[moneyWords(b.field).role]);
  for (const c of money) {
    const words = moneyWords(c.field);
    if (c.to === null) continue;
    const amount = amountText(c.to);
    if (words.role === 'bid') clauses.push(bidPhrase(api, kind, item, amount, c.unit));
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
  if (item.targeting_spec !== undefined) clauses.push(`targets ${describeTargeting(item.targeting_spec)}`);
  if (api === 'whop') {
    const targeting = describeWhopTargeting(item);
    if (targeting) clauses.push(`targets ${targeting}`);
  }
  if (kind === 'keyword' && typeof item.match_type === 'string') clauses.push(`${oneLine(item.match_type.toLowerCase(), 20)} match`);
  // Held settings the clauses above do not say in words are named, so that nothing held goes unmentioned.
  const said = new Set(['budget_type', 'billable_event', 'bid_strategy_type', 'bid_type', 'targeting_spec', ...WHOP_TARGETING, ...(kind === 'keyword' ? ['value', 'match_type'] : [])]);
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
      const parent = PARENTS[api][kind]?.kind;
      clauses.push((w) => `move ${w.it} under ${parent ? `${KIND_WORDS[parent][0]} ` : ''}${typeof c.to === 'string' ? idText(c.to) : show(c.to)}`);
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
  const words = moneyWords(c.field);
  const unit = c.unit && !c.unit.startsWith('set by') ? ` ${c.unit}` : '';
  const noun = words.role === 'budget' && c.unit === 'per day' ? 'daily budget' : words.role === 'budget' && c.unit === 'lifetime' ? 'lifetime budget' : words.noun;
  const pct = c.change_percent !== undefined ? ` (${c.change_percent > 0 ? '+' : ''}${c.change_percent}%)` : '';
  const note = c.note ? ` [${oneLine(c.note, 120)}]` : '';
  if (c.to === null) return (w) => `remove ${w.of(noun)}${c.from !== undefined && c.from !== null ? ` (was ${amountText(c.from)})` : ''}${note}`;
  const to = amountText(c.to);
  const verb = moneyVerb(c);
  const strategy = words.role === 'bid' && api === 'pinterest' && entity.kind === 'ad_group' ? (entity.item.bid_strategy_type ?? current?.bid_strategy_type) : undefined;
  const ceiling = strategy === 'MAX_BID' || (words.role === 'bid' && strategy === undefined && entity.kind === 'ad_group' && api === 'pinterest') ? ' (a ceiling)' : '';
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
    const shown = budget.unit === 'major' ? formatMajorAmount(String(amount), input.currency) : formatMicros(String(amount), input.currency);
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
  if (c.field === 'targeting_spec') {
    const from = c.from !== undefined ? ` from ${describeTargeting(c.from)}` : '';
    return (w) => `change ${w.of('targeting')}${from} to ${describeTargeting(c.to)}`;
  }
  if (api === 'whop' && WHOP_TARGETING.includes(c.field)) {
    const words = describeWhopTargeting({ [c.field]: c.to });
    return (w) => `change ${w.of('targeting')} (${oneLine(c.field, 40)}) to ${words ?? show(c.to)}`;
  }
  if (c.field === 'budget_type' && typeof c.to === 'string') {
    const period = c.to.toUpperCase() === 'LIFETIME' ? 'a lifetime budget' : c.to.toUpperCase() === 'DAILY' ? 'a daily budget' : showValue(c.to, 30);
    return (w) => `switch ${w.it} to ${period}`;
  }
  if (c.field === 'billable_event' && typeof c.to === 'string' && BILLABLE_UNIT[c.to]) return (w) => `bill ${w.it} ${BILLABLE_UNIT[c.to as string]}`;
  const from = c.from !== undefined ? ` from ${show(c.from)}` : '';
  return (w) => `change ${w.of(oneLine(c.field, 60))}${from} to ${show(c.to)}${why}`;
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
