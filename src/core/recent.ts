// Bounded caches in the shared store: the keys a process put there, least recently used first (which ones to drop when full), and the cache over them.
// Hand-written (a Set keeps insertion order, so moving a key to the end marks it used); lru-cache would also hold the values, which live in the store.
import type { SharedStore } from './store.js';

export class RecentKeys {
  private readonly keys = new Set<string>();

  constructor(readonly max: number) {}

  /** Marks `key` as used now; returns the keys to drop, least recently used first, so that at most `max` are kept. */
  use(key: string): string[] {
    this.keys.delete(key);
    this.keys.add(key);
    const dropped: string[] = [];
    for (const oldest of this.keys) {
      if (this.keys.size <= this.max) break;
      this.keys.delete(oldest);
      dropped.push(oldest);
    }
    return dropped;
  }
}

/**
 * A cache kept in the shared store, each entry for `ttlMs`, at most `max` entries put there by this process (the least
 * recently used dropped first; other replicas bound their own). The store failing only costs a read: a get answers
 * nothing and a set or drop is skipped.
 */
export class BoundedStoreCache<T> {
  private readonly recent: RecentKeys;

  constructor(
    private readonly store: SharedStore,
    private readonly ttlMs: number,
    max: number,
  ) {
    this.recent = new RecentKeys(max);
  }

  /** The entry under `key`, if the store has it (it is then the most recently used). */
  async get(key: string): Promise<T | undefined> {
    const found = (await this.store.get(key).catch(() => undefined)) as T | undefined;
    if (found !== undefined) await this.used(key);
    return found;
  }

  async set(key: string, value: T): Promise<void> {
    await this.store.set(key, value, this.ttlMs).catch(() => {});
    await this.used(key);
  }

  private async used(key: string): Promise<void> {
    for (const dropped of this.recent.use(key)) await this.store.delete(dropped).catch(() => false);
  }
}
