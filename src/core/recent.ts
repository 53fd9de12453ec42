// The keys a process put in a bounded cache, least recently used first: which ones to drop when it is full.
// Hand-written (a Set keeps insertion order, so moving a key to the end marks it used); lru-cache would also hold the values, which live in the store.

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
