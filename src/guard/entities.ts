// Entity writes: finds the entities of a write's body and reads each API's entity rules (the tables are in its adapter).
//
// The rule is an allow-list (`src/apis/entities.ts`): a field an entity write sets holds the write unless it is on the
// kind's `neutral` list, or only names the entity. Fields the API adds later are held until someone classifies them.
import { APIS, type ApiId } from '../apis/index.js';
import type { EntityKind, EntityRule, EntityWrite, LocatedEntity, StatusAction } from '../apis/entities.js';
import { MONEY_FIELDS, type MoneyField } from './money-fields.js';
import { isPlainObject } from '../core/json.js';

export type { EntityKind, EntityLocation, EntityReader, EntityRule, EntityWrite, LocatedEntity } from '../apis/entities.js';

/** Each API's entity rules, by API id and kind (`ApiDefinition.entities.rules`). */
export const ENTITY_RULES: Readonly<Record<ApiId, Readonly<Partial<Record<EntityKind, EntityRule>>>>> = Object.fromEntries(APIS.map((api) => [api.id, api.entities.rules]));

/** Tool name -> where its body carries entities, of every API. Every `entity`-class tool has an entry (a test checks it). */
export const ENTITY_WRITES: Readonly<Record<string, EntityWrite>> = Object.assign({}, ...APIS.map((api) => api.entities.writes));

/**
 * Writes that only switch one entity's status (named by the `id` path parameter), of every API: previews read it and
 * show `from -> to`. Their class (`classification.ts`) decides whether they are held.
 */
export const STATUS_ACTIONS: Readonly<Record<string, StatusAction>> = Object.assign({}, ...APIS.map((api) => api.entities.statusActions));

/** A key of an object around the entities that no location goes through and that addresses nothing. */
export interface StrayKey {
  path: string;
  key: string;
  /** The write's rule for the key (`others`); absent for a key nobody classified (held). */
  known?: { held: boolean; why: string };
}

type Json = Record<string, unknown>;

/**
 * Finds the entities of a write's body, and any key around them that the locations do not account for (the keys of
 * an object that is itself an entity are its fields, not strays).
 */
export function locateEntities(write: EntityWrite, body: unknown, args: Record<string, unknown> = {}): { entities: LocatedEntity[]; stray: StrayKey[] } {
  const entities: LocatedEntity[] = [];
  const consumed = new Map<Json, { path: string; keys: Set<string> }>();
  write.locations.forEach((location, locationIndex) => {
    let values: { value: unknown; path: string }[] = [{ value: body, path: 'body' }];
    for (const segment of location.at ? location.at.split('.') : []) {
      const list = segment.endsWith('[]');
      const name = list ? segment.slice(0, -2) : segment;
      const next: { value: unknown; path: string }[] = [];
      for (const { value, path } of values) {
        let child: unknown = value;
        let childPath = path;
        if (name) {
          if (!isPlainObject(value)) continue;
          const seen = consumed.get(value) ?? { path, keys: new Set<string>() };
          seen.keys.add(name);
          consumed.set(value, seen);
          child = value[name];
          childPath = `${path}.${name}`;
        }
        if (!list) next.push({ value: child, path: childPath });
        else if (Array.isArray(child)) child.forEach((item, i) => next.push({ value: item, path: `${childPath}[${i}]` }));
      }
      values = next;
    }
    values.forEach(({ value, path }, index) => {
      if (!isPlainObject(value)) return;
      const named = write.idParam && !location.create ? args[write.idParam] : value.id;
      const id = typeof named === 'string' || typeof named === 'number' ? String(named) : undefined;
      entities.push({ kind: location.kind, create: location.create, ...(id !== undefined ? { id } : {}), location: locationIndex, index, path, item: value });
    });
  });
  const addressing = new Set(write.addressing ?? []);
  const stray: StrayKey[] = [];
  const items = new Set<unknown>(entities.map((e) => e.item));
  for (const [object, { path, keys }] of consumed) {
    if (items.has(object)) continue;
    for (const key of Object.keys(object)) {
      if (keys.has(key) || addressing.has(key) || object[key] === undefined) continue;
      const known = write.others?.[key];
      stray.push(known ? { path, key, known } : { path, key });
    }
  }
  return { entities, stray };
}

export function entityRule(api: ApiId, kind: EntityKind): EntityRule {
  const rule = ENTITY_RULES[api][kind];
  if (!rule) throw new Error(`no entity rule for ${api} ${kind}`);
  return rule;
}

export function moneyFieldsOf(api: ApiId, kind: EntityKind): MoneyField[] {
  const owners = ENTITY_RULES[api][kind]?.moneyOwners ?? [];
  return MONEY_FIELDS.filter((f) => f.api === api && owners.includes(f.owner));
}

/** Whether a status value lets the entity deliver (unknown values count as active: unknown means held). */
export function isActiveStatus(rule: EntityRule, value: unknown): boolean {
  const normalized = typeof value === 'string' ? value.toUpperCase() : value;
  return !rule.status.inactive.some((v) => (typeof v === 'string' ? v.toUpperCase() : v) === normalized);
}
