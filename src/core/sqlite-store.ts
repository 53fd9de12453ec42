// The `sqlite:PATH` store: a keyv storage adapter over Node's built-in node:sqlite, so that nothing compiles at install.
import { EventEmitter } from 'node:events';

/**
 * The part of node:sqlite this store uses. Declared here because the project's @types/node is Node 20's, which has no
 * node:sqlite (and must stay so: the package runs on Node 20, where the module is absent).
 */
type SqlValue = string | number | bigint | null;
interface StatementSync {
  run(...parameters: SqlValue[]): { changes: number | bigint };
  get(...parameters: SqlValue[]): Record<string, unknown> | undefined;
  all(...parameters: SqlValue[]): Record<string, unknown>[];
}
interface DatabaseSync {
  exec(sql: string): void;
  prepare(sql: string): StatementSync;
  close(): void;
}
export interface NodeSqlite {
  DatabaseSync: new (path: string) => DatabaseSync;
}

/** The first Node versions whose node:sqlite needs no flag (22.13 on the 22 line, 23.4 after it). */
export const NODE_SQLITE_SINCE = '22.13';

/**
 * node:sqlite, or undefined on a Node that lacks it (Node 20; Node 22 before 22.13 without --experimental-sqlite).
 * Node 22 announces the module as experimental on first load; the store's use of it is pinned by tests on Node 22 and
 * 24, so that warning would only be an unexplained line on stderr, and is the one warning held back here.
 */
export function loadNodeSqlite(): NodeSqlite | undefined {
  const emitWarning = process.emitWarning;
  process.emitWarning = function (this: unknown, warning: string | Error, ...rest: unknown[]) {
    if (String(warning instanceof Error ? warning.message : warning).startsWith('SQLite is an experimental feature')) return;
    return (emitWarning as (...args: unknown[]) => void).call(process, warning, ...rest);
  } as typeof process.emitWarning;
  try {
    return process.getBuiltinModule?.('node:sqlite') as NodeSqlite | undefined;
  } finally {
    process.emitWarning = emitWarning;
  }
}

/** The one-line refusal where node:sqlite is missing: what the store needs, what this Node is, what to do instead. */
export function nodeSqliteMissing(): string {
  const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
  const newEnough = major > 23 || (major === 23 && minor >= 4) || (major === 22 && minor >= 13);
  const why = newEnough ? `which this Node (${process.version}) was started without (--no-experimental-sqlite?)` : `which Node ${process.version} lacks (Node ${NODE_SQLITE_SINCE} and later have it)`;
  return `it needs node:sqlite, ${why}: run the server on Node ${NODE_SQLITE_SINCE} or later, or use --store memory or --store redis://HOST:PORT`;
}

/** The table and its columns are those @keyv/sqlite created, so a store file written by earlier versions still opens. */
const TABLE = 'pinterest_mcp';

/**
 * A keyv store adapter (keyv 5's KeyvStoreAdapter) over one node:sqlite connection to `path`. Hand-written because the
 * maintained adapter, @keyv/sqlite, is built on the native sqlite3 module, which compiles SQLite at install wherever no
 * prebuilt binary can be downloaded; this one is a few statements over the database built into Node.
 *
 * keyv hands it serialized entries (`{"value":…,"expires":…}`) under namespaced keys (`pinterest-mcp:…`); expiry is
 * keyv's, on read, plus `purge()`, which the server runs at start and periodically. There is no `has`: keyv would
 * trust it without looking at the expiry, and falls back to `get`, which does. node:sqlite is synchronous: each
 * operation is one short statement, and a file locked by another process is waited for up to `busyTimeoutMs` (then
 * "database is locked"), during which this process waits too.
 */
export class NodeSqliteStore extends EventEmitter {
  /** keyv reads `opts.dialect` to know that this adapter can list its entries (iterator). */
  readonly opts: { dialect: 'sqlite'; url: string; table: string };
  /** Set by keyv: the key prefix (without its colon) of the entries this store's keyv owns. */
  namespace?: string;
  private readonly db: DatabaseSync;
  private readonly statements: ReturnType<NodeSqliteStore['prepare']>;
  private open = true;

  constructor(sqlite: NodeSqlite, path: string, busyTimeoutMs: number) {
    super();
    this.opts = { dialect: 'sqlite', url: `sqlite://${path}`, table: TABLE };
    this.db = new sqlite.DatabaseSync(path);
    try {
      // busy_timeout first, so that the statements below wait for another process's lock instead of failing at once.
      // WAL lets readers and one writer work at once when several processes share the file.
      this.db.exec(`PRAGMA busy_timeout = ${Math.max(0, Math.trunc(busyTimeoutMs))}`);
      this.db.exec('PRAGMA journal_mode = WAL');
      this.db.exec(`CREATE TABLE IF NOT EXISTS ${TABLE}(key VARCHAR(255) PRIMARY KEY, value TEXT)`);
      this.statements = this.prepare();
    } catch (error) {
      this.db.close();
      throw error;
    }
  }

  private prepare() {
    const db = this.db;
    return {
      get: db.prepare(`SELECT value FROM ${TABLE} WHERE key = ?`),
      getMany: db.prepare(`SELECT key, value FROM ${TABLE} WHERE key IN (SELECT value FROM json_each(?))`),
      set: db.prepare(`INSERT INTO ${TABLE}(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value`),
      // One statement: of two connections deleting the same key, only the one that removed it gets the row back,
      // which is what makes consuming a confirmation token atomic across processes sharing the file.
      delete: db.prepare(`DELETE FROM ${TABLE} WHERE key = ? RETURNING key`),
      deleteMany: db.prepare(`DELETE FROM ${TABLE} WHERE key IN (SELECT value FROM json_each(?))`),
      // One statement, so atomic across connections: the row is written when the key is absent or its entry has
      // expired (keyv's rule: `expires` is past), and only then is the key returned. An entry without `expires` never expires.
      claim: db.prepare(
        `INSERT INTO ${TABLE}(key, value) VALUES (?1, ?2) ON CONFLICT(key) DO UPDATE SET value = excluded.value ` +
          `WHERE json_valid(${TABLE}.value) AND json_extract(${TABLE}.value, '$.expires') < ?3 RETURNING key`,
      ),
      // Removes the lease only while it is still the one this holder wrote (not one taken after it expired).
      release: db.prepare(`DELETE FROM ${TABLE} WHERE key = ? AND value = ? RETURNING key`),
      // Prefix match by substr, not LIKE: a namespace's `_` or `%` would be wildcards there.
      entries: db.prepare(`SELECT key, value FROM ${TABLE} WHERE substr(key, 1, length(?1)) = ?1`),
      clear: db.prepare(`DELETE FROM ${TABLE} WHERE substr(key, 1, length(?1)) = ?1`),
      purge: db.prepare(`DELETE FROM ${TABLE} WHERE json_valid(value) AND json_extract(value, '$.expires') < ?`),
    };
  }

  /** The key prefix of this store's entries: `namespace:`, or every key without a namespace. */
  private prefix(namespace = this.namespace): string {
    return namespace ? `${namespace}:` : '';
  }

  async get(key: string): Promise<string | undefined> {
    return this.statements.get.get(key)?.value as string | undefined;
  }

  async getMany(keys: string[]): Promise<(string | undefined)[]> {
    const rows = this.statements.getMany.all(JSON.stringify(keys));
    const found = new Map(rows.map((row) => [row.key as string, row.value as string]));
    return keys.map((key) => found.get(key));
  }

  async set(key: string, value: string): Promise<void> {
    this.statements.set.run(key, value);
  }

  /** True only for the caller whose statement removed the row. */
  async delete(key: string): Promise<boolean> {
    return this.statements.delete.get(key) !== undefined;
  }

  /**
   * Writes `value` (a serialized keyv entry holding its `expires`) under `key` unless a live entry is there; true when
   * it was written. Used by SharedStore.claim, for a lease only one holder gets.
   */
  async claim(key: string, value: string, now: number): Promise<boolean> {
    return this.statements.claim.get(key, value, now) !== undefined;
  }

  /** Deletes `key` if it still holds exactly `value`; true when it did. */
  async release(key: string, value: string): Promise<boolean> {
    return this.statements.release.get(key, value) !== undefined;
  }

  async deleteMany(keys: string[]): Promise<boolean> {
    return Number(this.statements.deleteMany.run(JSON.stringify(keys)).changes) > 0;
  }

  /** Drops this namespace's entries (every entry without a namespace). */
  async clear(): Promise<void> {
    this.statements.clear.run(this.prefix());
  }

  /**
   * Every entry of `namespace`, read in one query before the first is yielded: keyv deletes each expired entry its
   * iterator meets, which must not shift what the listing still has to return.
   */
  async *iterator(namespace?: string): AsyncGenerator<[string, string], void> {
    const rows = this.statements.entries.all(this.prefix(namespace));
    for (const row of rows) yield [row.key as string, row.value as string];
  }

  /** Drops every expired entry (SQLite has no expiry of its own; keyv drops an expired entry only when it reads it). */
  async purge(): Promise<void> {
    this.statements.purge.run(Date.now());
  }

  async disconnect(): Promise<void> {
    if (!this.open) return;
    this.open = false;
    this.db.close();
  }
}
