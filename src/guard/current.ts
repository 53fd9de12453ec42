// Current values of the entities a write updates, read once per call through each kind's list tool (filtered by ids).
import { type ApiId, apiById } from '../apis/index.js';
import type { Reader } from './currency.js';
import { isPlainObject } from '../core/json.js';
import { oneLine } from '../core/display.js';
import { type EntityKind, type LocatedEntity, entityRule } from './entities.js';

type Entity = Record<string, unknown>;

/**
 * A list item as an entity: product group promotions may come wrapped as `{ data, exceptions }` (their batch
 * answers' shape, which the fake API also lists) although the description lists them bare; both are read.
 */
function entityOf(item: unknown): Entity | undefined {
  if (!isPlainObject(item)) return undefined;
  return item.id === undefined && isPlainObject(item.data) ? (item.data as Entity) : (item as Entity);
}

/**
 * Current state of entities by id; undefined when the kind has no reader, or its list reader needs an ad account the
 * call does not name. Throws when a read fails.
 */
export async function readEntities(read: Reader, api: ApiId, kind: EntityKind, args: Record<string, unknown>, ids: string[]): Promise<Map<string, Entity> | undefined> {
  const reader = entityRule(api, kind).reader;
  if (!reader || ids.length === 0) return undefined;
  if (reader.idsParam === undefined) {
    // One get per id; an entity the API does not find is simply absent (the preview then says so).
    const found = await Promise.all(
      ids.map((id) =>
        read(reader.tool, { id }).then(
          (body) => body as Entity | undefined,
          (error: unknown) => {
            if ((error as { status?: number }).status === 404) return undefined;
            throw error;
          },
        ),
      ),
    );
    return new Map(found.filter((e): e is Entity => !!e && typeof e === 'object').map((e) => [String(e.id), e]));
  }
  const account = args.ad_account_id;
  if (typeof account !== 'string') return undefined;
  const body = await read(reader.tool, { ad_account_id: account, [reader.idsParam]: ids });
  const { itemsKey } = apiById(api).paging;
  const items = isPlainObject(body) && Array.isArray(body[itemsKey]) ? body[itemsKey] : [];
  return new Map(items.map(entityOf).filter((e): e is Entity => e !== undefined && e.id !== undefined && e.id !== null).map((e) => [String(e.id), e]));
}

/** What a write's updated entities look like now: loaded on first use, one read per entity kind. */
export class CurrentValues {
  private readonly loaded = new Map<EntityKind, Promise<{ entities?: Map<string, Entity>; problem?: string }>>();
  private readonly others = new Map<string, Promise<{ entity?: Entity; problem?: string }>>();

  constructor(
    private readonly read: Reader,
    private readonly api: ApiId,
    /** The call's arguments (its `ad_account_id` addresses the reads). */
    readonly args: Record<string, unknown>,
    private readonly updated: readonly LocatedEntity[],
  ) {}

  private load(kind: EntityKind) {
    let pending = this.loaded.get(kind);
    if (!pending) {
      const ids = [...new Set(this.updated.filter((e) => e.kind === kind && !e.create).map((e) => e.id).filter((id): id is string => id !== undefined))];
      pending = readEntities(this.read, this.api, kind, this.args, ids).then(
        (entities) => ({ entities }),
        (error: unknown) => ({ problem: `Current values of ${kind}s could not be read (${(error as Error).message}).` }),
      );
      this.loaded.set(kind, pending);
    }
    return pending;
  }

  /** The entity as the API reports it now; undefined when unknown (no reader, not found, or the read failed). */
  async entity(kind: EntityKind, id: unknown): Promise<Entity | undefined> {
    if (typeof id !== 'string') return undefined;
    return (await this.load(kind)).entities?.get(id);
  }

  /** Whether the kind can be read at all (a reader exists and the call names an account). */
  async readable(kind: EntityKind): Promise<boolean> {
    return (await this.load(kind)).entities !== undefined;
  }

  /** Why current values of this kind are unknown, when the read failed. */
  async problem(kind: EntityKind): Promise<string | undefined> {
    return (await this.load(kind)).problem;
  }

  /**
   * Any entity by id, whether or not this write updates it (an ad group's campaign), read once: the entity, nothing
   * when the API does not find it, or why it could not be read.
   */
  async other(kind: EntityKind, id: string): Promise<{ entity?: Entity; problem?: string }> {
    if (this.updated.some((e) => e.kind === kind && !e.create && e.id === id)) {
      const problem = await this.problem(kind);
      return problem ? { problem } : { entity: await this.entity(kind, id) };
    }
    const key = `${kind}:${id}`;
    let pending = this.others.get(key);
    if (!pending) {
      pending = readEntities(this.read, this.api, kind, this.args, [id]).then(
        (entities) => (entities ? { entity: entities.get(id) } : { problem: `${kind}s cannot be read for this call` }),
        (error: unknown) => ({ problem: `${kind} ${id} could not be read (${oneLine((error as Error).message, 200)})` }),
      );
      this.others.set(key, pending);
    }
    return pending;
  }

  /** A read through another tool (an entity's children, catalog items' bid options); throws when it fails. */
  query(tool: string, args: Record<string, unknown>): Promise<unknown> {
    return this.read(tool, args);
  }

  /** Every item of a list read, following the API's cursor for at most `pages` pages; throws when a read fails or more remain. */
  async listAll(tool: string, args: Record<string, unknown>, pages = 10): Promise<Entity[]> {
    const { paging } = apiById(this.api);
    const found: Entity[] = [];
    let cursor: string | null = null;
    for (let page = 0; page < pages; page++) {
      const body = await this.read(tool, cursor ? { ...args, [paging.cursorParam]: cursor } : args);
      const answer = isPlainObject(body) ? body : {};
      const items = answer[paging.itemsKey];
      found.push(...(Array.isArray(items) ? items : []).map(entityOf).filter((e): e is Entity => e !== undefined));
      cursor = paging.next(answer);
      if (!cursor) return found;
    }
    throw new Error(`more than ${pages} pages of ${tool}`);
  }
}
