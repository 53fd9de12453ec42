// Current values of the entities a write updates, read once per call through each kind's list tool (filtered by ids).
import type { ApiId } from '../catalog/apis.js';
import type { Reader } from './currency.js';
import { isPlainObject } from '../json.js';
import { type EntityKind, type LocatedEntity, entityRule } from './entities.js';

type Entity = Record<string, unknown>;

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
  const items = isPlainObject(body) && Array.isArray(body.items) ? body.items : [];
  // A list item is the entity, or (product group promotions as 5.12.0 documents them) wraps it in `data`.
  const entities = items.map((item) => (isPlainObject(item) && item.id === undefined && isPlainObject(item.data) ? item.data : item)).filter(isPlainObject);
  return new Map(entities.filter((e) => e.id !== undefined && e.id !== null).map((e) => [String(e.id), e]));
}

/** What a write's updated entities look like now: loaded on first use, one read per entity kind. */
export class CurrentValues {
  private readonly loaded = new Map<EntityKind, Promise<{ entities?: Map<string, Entity>; problem?: string }>>();

  constructor(
    private readonly read: Reader,
    private readonly api: ApiId,
    private readonly args: Record<string, unknown>,
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
}
