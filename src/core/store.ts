// The shared key-value store (keyv): approvals, confirmation tokens, cached accounts, OAuth tokens and leases live here, each key with a lifetime.
import { randomBytes } from 'node:crypto';
import { Keyv } from 'keyv';
import { redactor } from './redact.js';
import { describeStore } from './store-spec.js';

export type Store = Keyv;

/** How long a replica waits for Redis (connect) and SQLite (lock) before an operation fails. */
const STORE_TIMEOUT_MS = 5_000;

/** How long a health check waits for the store's answer. */
const HEALTH_TIMEOUT_MS = 1_000;
/** The key health checks read; nothing writes it. */
const HEALTH_KEY = 'health-check';

/** `reason` is public (health answers are open) and names no address; `detail`, the store's own error, is for the log. */
export type StoreHealth = { ok: true } | { ok: false; reason: string; detail?: string };

/** A store operation failed (unreachable, locked, timed out); `store` names it without its password. */
export class StoreUnavailable extends Error {
  constructor(
    readonly store: string,
    cause: unknown,
  ) {
    super(`the store ${store} is unavailable: ${(cause as Error)?.message ?? String(cause)}`, { cause });
    this.name = 'StoreUnavailable';
  }
}

/**
 * The shared store as the guard, the approvals and the page use it: every operation bounded in time (a Redis that
 * hangs, stopped or paused, answers nothing rather than an error) and failing as StoreUnavailable, which names the store
 * without its password. A timed-out operation may still reach the store later; callers treat it as failed, so they
 * never act on a write they could not confirm.
 */
export class SharedStore {
  constructor(
    /** The keyv store itself (health checks read it directly). */
    readonly keyv: Store,
    /** The store's address without its password (describeStore), for messages. */
    readonly label: string,
    /** Longest wait for one operation, ms. */
    readonly timeoutMs: number,
  ) {}

  /** Runs `operation` within the time bound; any failure becomes StoreUnavailable. */
  async run<T>(operation: (store: Store) => Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${this.timeoutMs} ms`)), this.timeoutMs);
    });
    try {
      return await Promise.race([operation(this.keyv), late]);
    } catch (error) {
      throw new StoreUnavailable(this.label, error);
    } finally {
      clearTimeout(timer);
    }
  }

  get(key: string): Promise<unknown> {
    return this.run((store) => store.get(key));
  }

  /**
   * Every key has a lifetime, so nothing the server stores stays beyond it on any store (see purgeExpired); keyv would
   * keep a key without one (or with 0) forever.
   */
  async set(key: string, value: unknown, ttlMs: number): Promise<void> {
    if (!(ttlMs >= 1)) throw new Error(`internal: ${key.split(':')[0]} keys need a lifetime of at least 1 ms; got ${ttlMs}`);
    await this.run((store) => store.set(key, value, ttlMs));
  }

  /** True only for the caller that removed the key (see createStore): what makes consuming a token atomic. */
  delete(key: string): Promise<boolean> {
    return this.run((store) => store.delete(key));
  }

  /** The entry of each lease this instance holds, by key, so that `release` frees its own lease and no one else's. */
  private readonly held = new Map<string, string>();

  /**
   * Takes the lease `key` for `ttlMs`: true for exactly one caller among concurrent ones, in every process sharing the
   * store, while the lease lives (see createStore for how each store makes it atomic). A lease is never renewed: it
   * ends at `release` or, should its holder crash or hang, after `ttlMs`, so choose it longer than the work it guards.
   * A live key of any other kind also makes the claim fail. A claim that timed out may still take the lease later;
   * it then ends by itself.
   */
  async claim(key: string, ttlMs: number): Promise<boolean> {
    if (!(ttlMs >= 1)) throw new Error(`internal: a lease needs a lifetime of at least 1 ms; got ${ttlMs} for ${key.split(':')[0]}`);
    const leasing = leases.get(this.keyv);
    if (!leasing) throw new Error('internal: leases need a store made by createStore');
    const now = Date.now();
    // keyv's own entry format, so that reads, listings and purges treat a lease as any other key with a lifetime; the
    // random holder makes each lease's entry unique, which is what `release` compares.
    const entry = JSON.stringify({ value: `lease_${randomBytes(12).toString('base64url')}`, expires: now + ttlMs });
    const taken = await this.run(() => leasing.claim(key, entry, ttlMs, now));
    if (taken) this.held.set(key, entry);
    return taken;
  }

  /**
   * Ends the lease `key` if this instance holds it and it has not expired and been taken by another holder since;
   * true when it ended one. Within one process, callers of one key take turns themselves (a single flight), because
   * the lease belongs to the instance, not to the caller.
   */
  async release(key: string): Promise<boolean> {
    const entry = this.held.get(key);
    if (entry === undefined) return false;
    this.held.delete(key);
    const leasing = leases.get(this.keyv)!;
    return this.run(() => leasing.release(key, entry));
  }

  /** Every live entry whose key starts with `prefix` (one scan of the store, within the time bound). */
  entries(prefix: string): Promise<[string, unknown][]> {
    return this.run(async (store) => {
      const found: [string, unknown][] = [];
      if (store.store instanceof Map) {
        // The memory store's keys are matched before any value is parsed: a count of tokens does not parse every approval.
        const under = `${store.namespace}:${prefix}`;
        for (const stored of [...(store.store as Map<string, unknown>).keys()]) {
          if (!stored.startsWith(under)) continue;
          const key = stored.slice(store.namespace!.length + 1);
          const value = await store.get(key); // keyv drops an expired entry as it reads it
          if (value !== undefined) found.push([key, value]);
        }
        return found;
      }
      for await (const [key, value] of store.iterator!(store.namespace as never)) {
        if (String(key).startsWith(prefix)) found.push([String(key), value]);
      }
      return found;
    });
  }
}

/** A store URL's password as written and decoded, for the redactor. */
function passwordsOf(spec: string): string[] {
  if (!URL.canParse(spec)) return [];
  const { password } = new URL(spec);
  try {
    return [password, decodeURIComponent(password)];
  } catch {
    return [password]; // a stray % that is not an escape
  }
}

/** Whether the store answers now: one read of a key nothing writes, given `timeoutMs`. */
export async function checkStore(store: Store, timeoutMs = HEALTH_TIMEOUT_MS): Promise<StoreHealth> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<StoreHealth>((resolve) => {
    timer = setTimeout(() => resolve({ ok: false, reason: `no answer within ${timeoutMs} ms` }), timeoutMs);
  });
  const read = store.get(HEALTH_KEY).then(
    (): StoreHealth => ({ ok: true }),
    (error: unknown): StoreHealth => ({ ok: false, reason: 'a read failed', detail: (error as Error)?.message ?? String(error) }),
  );
  try {
    return await Promise.race([read, late]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * `memory` (one process), `sqlite:PATH` (one host, survives restarts) or `redis://HOST:PORT` (several replicas).
 *
 * Every adapter's `delete` resolves true only for the caller that actually removed the key, which is what makes
 * consuming a confirmation token atomic: the in-memory Map's delete is synchronous, Redis answers DEL with the
 * number of keys it removed, and SQLite's is a single `DELETE ... RETURNING` (sqlite-store.ts).
 * Likewise a lease (SharedStore.claim) is taken by one caller only: the memory store checks and writes its Map in one
 * synchronous step, Redis answers `SET NX PX` with OK to one client, and SQLite's claim is a single upsert that
 * replaces only an expired entry (sqlite-store.ts). Releasing compares the entry and deletes it in one step as well
 * (a Lua script on Redis), so that a holder whose lease expired never ends the next holder's.
 * Operations throw on store failures (`throwOnErrors`) so that an unreachable store is reported, not mistaken for
 * a missing key.
 */
export async function createStore(spec: string): Promise<Store> {
  let store: Keyv;
  if (spec === 'memory') {
    const map = new Map<string, unknown>();
    store = new Keyv({ store: map, throwOnErrors: true });
    // Reading every entry through keyv drops the expired ones (its iterator deletes what it finds expired).
    const memory = store;
    purgers.set(memory, async () => {
      for await (const _ of memory.iterator!(memory.namespace as never)) {
        // nothing to do with live entries
      }
    });
    // No await between reading and writing the Map: nothing else runs in between.
    leases.set(memory, {
      async claim(key, entry, _ttlMs, now) {
        const stored = memory._getKeyPrefix(key);
        if (isLive(map.get(stored), now)) return false;
        map.set(stored, entry);
        return true;
      },
      async release(key, entry) {
        const stored = memory._getKeyPrefix(key);
        return map.get(stored) === entry && map.delete(stored);
      },
    });
  } else if (spec.startsWith('redis://') || spec.startsWith('rediss://')) {
    redactor.add(...passwordsOf(spec));
    const { default: KeyvRedis } = await import('@keyv/redis');
    let everConnected = false;
    const adapter = new KeyvRedis(
      {
        url: spec,
        // Fail fast while disconnected instead of queueing a tool call behind an outage.
        disableOfflineQueue: true,
        socket: {
          connectTimeout: STORE_TIMEOUT_MS,
          // Once connected, reconnect forever with backoff; at start, give up after a few tries so the error shows.
          reconnectStrategy: (attempt: number, cause: Error) =>
            everConnected || attempt < 3 ? Math.min(100 * 2 ** attempt, 2_000) : new Error(cause.message),
        },
      },
      { connectionTimeout: STORE_TIMEOUT_MS, throwOnConnectError: true, throwOnErrors: true },
    );
    adapter.client.on('ready', () => {
      everConnected = true;
    });
    store = new Keyv({ store: adapter, namespace: 'pinterest-mcp', useKeyPrefix: false, throwOnErrors: true });
    const client = () => adapter.getClient() as Promise<unknown> as Promise<LeaseCommands>;
    const stored = (key: string) => adapter.createKeyPrefix(key, adapter.namespace);
    leases.set(store, {
      claim: async (key, entry, ttlMs) =>
        (await (await client()).set(stored(key), entry, { condition: 'NX', expiration: { type: 'PX', value: ttlMs } })) === 'OK',
      release: async (key, entry) => Number(await (await client()).eval(RELEASE_SCRIPT, { keys: [stored(key)], arguments: [entry] })) === 1,
    });
  } else if (spec.startsWith('sqlite:')) {
    const path = spec.slice('sqlite:'.length).replace(/^\/\//, '');
    if (!path) throw new Error('--store sqlite:PATH needs a file path, e.g. sqlite:./pinterest-mcp.sqlite');
    const adapter = await openSqlite(path).catch((error: Error) => {
      throw new Error(`cannot use the store ${spec}: ${error.message}`);
    });
    store = new Keyv({ store: adapter, namespace: 'pinterest-mcp', throwOnErrors: true });
    purgers.set(store, () => adapter.purge());
    const sqlite = store;
    leases.set(store, {
      claim: (key, entry, _ttlMs, now) => adapter.claim(sqlite._getKeyPrefix(key), entry, now),
      release: (key, entry) => adapter.release(sqlite._getKeyPrefix(key), entry),
    });
  } else {
    throw new Error(`--store must be memory, sqlite:PATH or redis://HOST:PORT; got "${describeStore(spec)}"`);
  }
  let firstError: Error | undefined;
  store.on('error', (error: Error) => {
    firstError ??= error; // failures surface on each operation's own promise (throwOnErrors); this one explains them
  });
  if (spec !== 'memory') {
    // Connect now, so that a wrong address stops the server at start rather than at the first confirmation.
    try {
      await store.get('startup-check');
    } catch (error) {
      await store.disconnect().catch(() => {});
      const reason = firstError?.message || (error as Error).message;
      throw new Error(`cannot use the store ${describeStore(spec)}: ${reason}`);
    }
  }
  return store;
}

/** How each store drops its expired keys (memory and sqlite keep them until read; Redis expires them itself). */
const purgers = new WeakMap<Store, () => Promise<void>>();

/** How one store takes and ends a lease, each in one atomic step (see createStore). */
interface Leases {
  /** Writes `entry` (keyv's serialized `{ value, expires }`) under `key` unless a live entry is there; true when written. */
  claim(key: string, entry: string, ttlMs: number, now: number): Promise<boolean>;
  /** Deletes `key` while it holds exactly `entry`; true when it did. */
  release(key: string, entry: string): Promise<boolean>;
}

/** Each store's leases, set by createStore. */
const leases = new WeakMap<Store, Leases>();

/** The two Redis commands leases use, as the client types them (its own type is a union of client kinds). */
interface LeaseCommands {
  set(key: string, value: string, options: { condition: 'NX'; expiration: { type: 'PX'; value: number } }): Promise<string | null>;
  eval(script: string, options: { keys: string[]; arguments: string[] }): Promise<unknown>;
}

/** Deletes KEYS[1] only while it holds ARGV[1]: compare and delete in one step, as Redis runs a script atomically. */
const RELEASE_SCRIPT = "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end";

/** Whether a memory store's raw entry is there and unexpired, by keyv's rule (an entry without `expires` lives on). */
function isLive(raw: unknown, now: number): boolean {
  if (raw === undefined) return false;
  try {
    const { expires } = JSON.parse(String(raw)) as { expires?: unknown };
    return !(typeof expires === 'number' && now > expires);
  } catch {
    return true; // not keyv's: leave it alone
  }
}

/**
 * Drops every expired key now. Memory and SQLite stores keep an expired key until it is read again, so the server
 * calls this periodically; Redis expires keys itself.
 */
export async function purgeExpired(store: Store): Promise<void> {
  await purgers.get(store)?.();
}

/**
 * The sqlite store over node:sqlite (see sqlite-store.ts); refused, with what to do, on a Node that lacks the module.
 * Expired rows are purged at start and periodically (SQLite has no TTL of its own).
 */
async function openSqlite(path: string) {
  const { NodeSqliteStore, loadNodeSqlite, nodeSqliteMissing } = await import('./sqlite-store.js');
  const sqlite = loadNodeSqlite();
  if (!sqlite) throw new Error(nodeSqliteMissing());
  const adapter = new NodeSqliteStore(sqlite, path, STORE_TIMEOUT_MS);
  await adapter.purge();
  return adapter;
}
