// The shapes of an API's entity rules: its entity kinds' fields (spend-neutral, held, identity), where entities sit in each body.
//
// The rule is an allow-list: a field an entity write sets holds the write unless it is on the kind's `neutral`
// list, or only names the entity (`identity`, and a `parents` id that does not move it). Fields the API adds later
// are held until someone classifies them in the adapter's table (a test compares those lists with the descriptions).
// The guard applies them (`src/guard/entities.ts`); each adapter gives its tables as `ApiDefinition.entities`.

export type EntityKind = 'campaign' | 'ad_group' | 'ad' | 'keyword' | 'product_group_promotion';

/**
 * How current values are read: a list tool filtered by ids under the call's `ad_account_id`, or a get tool by `id`,
 * one call per entity.
 */
export type EntityReader = { tool: string; idsParam: string } | { tool: string; idsParam?: undefined };

export interface EntityRule {
  /** Fields that only say which entity is written (the body's `ad_account_id` is checked against the path). */
  identity: readonly string[];
  /** Parent ids: they place a new entity; on an update, a value other than the current one is held as a move. */
  parents: readonly string[];
  /** The field that carries delivery status, the values in which the entity cannot deliver, and its default on create. */
  status: { field: string; inactive: readonly (string | boolean)[]; createDefault: string | boolean };
  /** Dotted paths of the fields that decide when money is spent. */
  schedule: readonly string[];
  /** Spend-neutral fields, with why: writes that set only these (and identity) are sent without confirmation. */
  neutral: Readonly<Record<string, string>>;
  /** Fields known to change delivery or cost, with why (shown in previews). Money fields come from the money fields. */
  held: Readonly<Record<string, string>>;
  /**
   * Of `held`, those that cannot spend on a create that starts inactive: they take effect only once the entity is
   * activated, and activation is always held. Money and schedule fields hold a create whatever its status.
   */
  inactiveCreate: readonly string[];
  /** Component schemas whose money fields belong to this kind. */
  moneyOwners: readonly string[];
  /** How current values are read; absent when the API has no such read. */
  reader?: EntityReader;
}

/** Where one list (or object) of entities sits in a body: dotted segments, `[]` for list items, '' for the body itself. */
export interface EntityLocation {
  kind: EntityKind;
  create: boolean;
  at: string;
}

export interface EntityWrite {
  locations: readonly EntityLocation[];
  /** Keys of the objects around the entities that only address them (which ad group, which parent). */
  addressing?: readonly string[];
  /** Other keys around the entities that carry writes of their own: sent as is when neutral, else held, with why. */
  others?: Readonly<Record<string, { held: boolean; why: string }>>;
  /** The path parameter that names the updated entity, when its body does not (`PATCH /ad_groups/{id}`). */
  idParam?: string;
}

export const at = (kind: EntityKind, create: boolean, path: string): EntityLocation => ({ kind, create, at: path });

/** A write that only switches one entity's status (named by the `id` path parameter), and the status it sets. */
export interface StatusAction {
  kind: EntityKind;
  to: string;
}

/** All an API says about its entities: the rules per kind, where each entity write carries them, status switches. */
export interface ApiEntities {
  rules: Readonly<Partial<Record<EntityKind, EntityRule>>>;
  /** Tool name -> where its body carries entities. Every `entity`-class tool has an entry (a test checks it). */
  writes: Readonly<Record<string, EntityWrite>>;
  /**
   * Writes that only switch one entity's status: previews read it and show `from -> to`. Their class decides whether
   * they are held.
   */
  statusActions: Readonly<Record<string, StatusAction>>;
}

/** One entity a write carries, as the guard found it in the body. */
export interface LocatedEntity {
  kind: EntityKind;
  create: boolean;
  /** The entity's id: its body's `id`, or the write's `idParam`; undefined for creates. */
  id?: string;
  /** Which of the write's locations holds it, and its position there. */
  location: number;
  index: number;
  /** Where it sits, in tool-input terms (`body[0]`, `body.update.ad_groups[1]`). */
  path: string;
  item: Record<string, unknown>;
}
