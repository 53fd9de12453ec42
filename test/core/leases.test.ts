// Leases in the shared store (SharedStore.claim/release): one holder among concurrent claimants, on memory, SQLite and a real Redis.
import { join } from 'node:path';
import type KeyvRedis from '@keyv/redis';
import { type TestContext, afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { SharedStore, createStore, purgeExpired } from '../../src/core/store.js';
import { redisForDescribe } from '../helpers/processes.js';
import { shared, twoConnections } from '../helpers/stores.js';
import { NODE_SQLITE, needsNodeSqlite } from '../helpers/sqlite.js';
import { tempDir } from '../helpers/temp.js';

const CLAIMANTS = 20;
let keys = 0;
/** A key no other test uses. */
const fresh = (what: string) => `lease-test:${what}:${++keys}`;

interface Kind {
  /** Two SharedStore instances over one store, as two replicas (or two parts of one process) see it. */
  open(): Promise<{ a: SharedStore; b: SharedStore; close(): Promise<void> }>;
  /** Skips the test where this store cannot run, saying why. */
  needs?(ctx: TestContext): void;
}

function leaseTests(name: string, kind: Kind) {
  describe(`leases on ${name}`, () => {
    let a: SharedStore;
    let b: SharedStore;
    let close: (() => Promise<void>) | undefined;
    beforeAll(async () => {
      if (kind.needs && !NODE_SQLITE) return; // each test says why it is skipped
      ({ a, b, close } = await kind.open());
    });
    afterAll(async () => close?.());

    it(`${name}: of ${CLAIMANTS} concurrent claims across two instances, exactly one takes the lease`, async (ctx) => {
      kind.needs?.(ctx);
      for (let round = 0; round < 3; round++) {
        const key = fresh('race');
        const outcomes = await Promise.all(Array.from({ length: CLAIMANTS }, (_, i) => (i % 2 ? b : a).claim(key, 60_000)));
        expect(outcomes.filter(Boolean)).toHaveLength(1);
        expect(await a.claim(key, 60_000)).toBe(false);
        expect(await b.claim(key, 60_000)).toBe(false);
        // The lease is an ordinary entry with a lifetime: it reads as its holder's random mark.
        expect(await a.get(key)).toMatch(/^lease_[\w-]{16}$/);
      }
    });

    it(`${name}: release ends the lease for its holder only; then the next claim takes it`, async (ctx) => {
      kind.needs?.(ctx);
      const key = fresh('release');
      expect(await a.release(key)).toBe(false); // nothing held
      expect(await a.claim(key, 60_000)).toBe(true);
      expect(await b.release(key)).toBe(false); // b does not hold it
      expect(await b.claim(key, 60_000)).toBe(false);
      expect(await a.release(key)).toBe(true);
      expect(await a.release(key)).toBe(false);
      expect(await a.get(key)).toBeUndefined();
      expect(await b.claim(key, 60_000)).toBe(true);
      expect(await a.claim(key, 60_000)).toBe(false);
      expect(await b.release(key)).toBe(true);
    });

    it(`${name}: a lease ends by itself after its lifetime, and its late holder's release leaves the next holder's alone`, async (ctx) => {
      kind.needs?.(ctx);
      const key = fresh('expiry');
      const lifetime = 300;
      const started = Date.now();
      expect(await a.claim(key, lifetime)).toBe(true);
      expect(await b.claim(key, 60_000)).toBe(false);
      // The holder "crashed": b keeps claiming until the lease has run out.
      await vi.waitFor(async () => expect(await b.claim(key, 60_000)).toBe(true), { timeout: 10_000, interval: 20 });
      expect(Date.now() - started).toBeGreaterThanOrEqual(lifetime);
      expect(await a.release(key)).toBe(false); // a's lease is over; b's is another
      expect(await a.claim(key, 60_000)).toBe(false);
      expect(await b.release(key)).toBe(true);
    });

    it(`${name}: a live key of another kind is not taken; once it expires, it is`, async (ctx) => {
      kind.needs?.(ctx);
      const key = fresh('taken');
      await a.set(key, { any: 'value' }, 60_000);
      expect(await b.claim(key, 60_000)).toBe(false);
      expect(await a.get(key)).toEqual({ any: 'value' });
      const short = fresh('short');
      await a.set(short, 'soon gone', 100);
      await vi.waitFor(async () => expect(await b.claim(short, 60_000)).toBe(true), { timeout: 10_000, interval: 20 });
      expect(await b.release(short)).toBe(true);
    });

    it(`${name}: refuses a lease without a lifetime`, async (ctx) => {
      kind.needs?.(ctx);
      await expect(a.claim(fresh('no-ttl'), 0)).rejects.toThrow(/a lease needs a lifetime of at least 1 ms; got 0 for lease-test/);
    });
  });
}

leaseTests('memory', {
  async open() {
    const store = await createStore('memory');
    return { a: shared(store), b: shared(store), close: () => store.disconnect() };
  },
});


let sqliteDir = '';
beforeAll(() => {
  sqliteDir = tempDir('leases-');
});

leaseTests('sqlite (two connections to one file)', {
  needs: needsNodeSqlite,
  async open() {
    const file = join(sqliteDir, 'leases.sqlite');
    return twoConnections(`sqlite:${file}`);
  },
});

describe('leases on redis (two connections)', () => {
  const redisUrl = redisForDescribe();

  leaseTests('redis', {
    async open() {
      return twoConnections(redisUrl());
    },
  });

  it('redis: the lease carries its lifetime in Redis (PX), so Redis drops it even if nobody reads it again', async () => {
    const store = await createStore(redisUrl());
    try {
      const key = fresh('pttl');
      expect(await shared(store).claim(key, 30_000)).toBe(true);
      const client = (store.store as KeyvRedis<unknown>).client as unknown as { pTTL(key: string): Promise<number> };
      const left = await client.pTTL(`pinterest-mcp::${key}`);
      expect(left).toBeGreaterThan(0);
      expect(left).toBeLessThanOrEqual(30_000);
    } finally {
      await store.disconnect();
    }
  });
});

describe('leases and purging', () => {
  it('sqlite: an expired lease is an expired entry like any other: the purge removes its row', async (ctx) => {
    needsNodeSqlite(ctx);
    const file = join(sqliteDir, 'purge.sqlite');
    const store = await createStore(`sqlite:${file}`);
    const reader = new NODE_SQLITE!.DatabaseSync(file);
    try {
      const key = fresh('purge');
      const started = Date.now();
      expect(await shared(store).claim(key, 50)).toBe(true);
      const rows = () => reader.prepare('SELECT key FROM pinterest_mcp').all().map((row) => row.key);
      expect(rows()).toEqual([`pinterest-mcp:${key}`]);
      await vi.waitFor(() => expect(Date.now()).toBeGreaterThan(started + 55), { timeout: 5_000, interval: 10 });
      await purgeExpired(store);
      expect(rows()).toEqual([]);
    } finally {
      reader.close();
      await store.disconnect();
    }
  });

  it('memory: an expired lease reads as absent and is purged', async () => {
    const store = await createStore('memory');
    const key = fresh('purge');
    const started = Date.now();
    expect(await shared(store).claim(key, 50)).toBe(true);
    expect((store.store as Map<string, unknown>).size).toBe(1);
    await vi.waitFor(() => expect(Date.now()).toBeGreaterThan(started + 55), { timeout: 5_000, interval: 10 });
    await purgeExpired(store);
    expect((store.store as Map<string, unknown>).size).toBe(0);
  });
});
