// The authorization server's storage over the shared store: entries with lifetimes, one consumer per code, grants revoked everywhere, on memory and a real Redis.
import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SharedStore, createStore } from '../../src/core/store.js';
import { KeyRing } from '../../src/core/keys.js';
import { Sealer } from '../../src/core/vault.js';
import { type OidcAdapter, sharedStoreAdapter } from '../../src/transports/oauth/adapter.js';
import { redisForDescribe } from '../helpers/processes.js';
import { shared, twoConnections } from '../helpers/stores.js';

const CONSUMERS = 20;
const DAY_MS = 24 * 3600 * 1000;
class AlreadyConsumed extends Error {}

let ids = 0;
/** An id no other test uses, long and random-looking as oidc-provider's are. */
const fresh = (what: string) => `${what}-${++ids}-${Math.random().toString(36).slice(2)}`;
const nowSeconds = () => Math.floor(Date.now() / 1000);
const SEALER = new Sealer(KeyRing.parse(randomBytes(32).toString('base64')), 'authorization store v1');
/** The store key of an entry (the adapter names it by its id's digest). */
const keyOf = (model: string, id: string) => `oidc:${model}:${createHash('sha256').update(id, 'utf8').digest('base64url')}`;

function adapters(store: SharedStore) {
  const factory = sharedStoreAdapter({
    store,
    sealer: SEALER,
    lifetimeWithoutExpiryMs: 90 * DAY_MS,
    revocationMemoryMs: 30 * DAY_MS,
    alreadyConsumed: (what) => new AlreadyConsumed(`${what} already consumed`),
  });
  return (model: string): OidcAdapter => factory(model);
}

function adapterTests(name: string, open: () => Promise<{ a: SharedStore; b: SharedStore; close(): Promise<void> }>) {
  describe(`oidc-provider's adapter on ${name}`, () => {
    let a: SharedStore;
    let b: SharedStore;
    let close: () => Promise<void>;
    beforeAll(async () => {
      ({ a, b, close } = await open());
    });
    afterAll(async () => close?.());

    it(`${name}: what one replica stores the other finds, each model apart, with the lifetime oidc-provider gives`, async () => {
      const id = fresh('at');
      const payload = { jti: id, kind: 'AccessToken', accountId: '549755800002', grantId: fresh('grant'), iat: nowSeconds() };
      const before = Date.now();
      await adapters(a)('AccessToken').upsert(id, payload, 3600);
      expect(await adapters(b)('AccessToken').find(id)).toEqual(payload);
      expect(await adapters(b)('RefreshToken').find(id)).toBeUndefined();
      const stored = await b.get(keyOf('AccessToken', id));
      const expiresAt = (stored as { expiresAt: number }).expiresAt;
      expect(expiresAt).toBeGreaterThanOrEqual(before + 3600_000);
      expect(expiresAt).toBeLessThanOrEqual(Date.now() + 3600_000);
    });

    it(`${name}: keys name an entry by its id's digest, and values are sealed: the store holds no token, code or session id in clear`, async () => {
      const token = fresh('secret-token');
      const session = fresh('secret-session');
      await adapters(a)('RefreshToken').upsert(token, { jti: token, iat: nowSeconds() }, 60);
      await adapters(a)('Session').upsert(session, { jti: session, uid: fresh('uid'), accountId: '549755800002' }, 60);
      const all = await a.entries('oidc:');
      expect(all.length).toBeGreaterThan(0);
      expect(JSON.stringify(all)).not.toContain(token);
      expect(JSON.stringify(all)).not.toContain(session);
      expect(JSON.stringify(all)).not.toContain('549755800002');
      expect(await adapters(b)('RefreshToken').find(token)).toMatchObject({ jti: token });
    });

    it(`${name}: a sealed entry copied under another entry's key does not open there`, async () => {
      const [mine, theirs] = [fresh('at'), fresh('at')];
      await adapters(a)('AccessToken').upsert(mine, { jti: mine, accountId: '549755800002', iat: nowSeconds() }, 60);
      await b.set(keyOf('AccessToken', theirs), await b.get(keyOf('AccessToken', mine)), 60_000);
      expect(await adapters(b)('AccessToken').find(theirs)).toBeUndefined();
      expect(await adapters(b)('AccessToken').find(mine)).toMatchObject({ jti: mine });
    });

    it(`${name}: a registered client without an expiry lives the configured lifetime`, async () => {
      const clientId = fresh('client');
      const before = Date.now();
      await adapters(a)('Client').upsert(clientId, { client_id: clientId, redirect_uris: ['http://127.0.0.1/cb'] });
      expect(await adapters(b)('Client').find(clientId)).toMatchObject({ client_id: clientId });
      const stored = await b.get(keyOf('Client', clientId));
      expect((stored as { expiresAt: number }).expiresAt).toBeGreaterThanOrEqual(before + 90 * DAY_MS);
    });

    it(`${name}: of ${CONSUMERS} concurrent consumptions of one code across two replicas exactly one succeeds, the rest are replays that revoke its grant`, async () => {
      for (let round = 0; round < 3; round++) {
        const code = fresh('code');
        const grantId = fresh('grant');
        const sibling = fresh('at');
        await adapters(a)('AuthorizationCode').upsert(code, { jti: code, grantId, iat: nowSeconds() - 1 }, 60);
        await adapters(a)('AccessToken').upsert(sibling, { jti: sibling, grantId, iat: nowSeconds() - 1 }, 3600);
        expect((await adapters(b)('AuthorizationCode').find(code))?.consumed).toBeUndefined();
        const outcomes = await Promise.allSettled(Array.from({ length: CONSUMERS }, (_, i) => adapters(i % 2 ? b : a)('AuthorizationCode').consume(code)));
        expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
        const refused = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
        expect(refused).toHaveLength(CONSUMERS - 1);
        for (const r of refused) expect(r.reason).toBeInstanceOf(AlreadyConsumed);
        // The replays revoked the grant: what it issued is refused on both replicas, code included.
        expect(await adapters(a)('AccessToken').find(sibling)).toBeUndefined();
        expect(await adapters(b)('AuthorizationCode').find(code)).toBeUndefined();
      }
    });

    it(`${name}: a consumed refresh token reads as consumed on the other replica (oidc-provider then treats its use as a replay)`, async () => {
      const token = fresh('rt');
      await adapters(a)('RefreshToken').upsert(token, { jti: token, grantId: fresh('grant'), iat: nowSeconds() }, 3600);
      await adapters(a)('RefreshToken').consume(token);
      expect((await adapters(b)('RefreshToken').find(token))?.consumed).toEqual(expect.any(Number));
      await expect(adapters(b)('RefreshToken').consume(token)).rejects.toBeInstanceOf(AlreadyConsumed);
    });

    it(`${name}: consuming what is not there fails as a replay`, async () => {
      await expect(adapters(a)('AuthorizationCode').consume(fresh('missing'))).rejects.toBeInstanceOf(AlreadyConsumed);
    });

    it(`${name}: revoking a grant on one replica refuses everything issued under it on the other at once, and nothing of other grants`, async () => {
      const grantId = fresh('grant');
      const other = fresh('grant');
      const [at, rt, code, kept] = [fresh('at'), fresh('rt'), fresh('code'), fresh('at')];
      const iat = nowSeconds() - 1;
      await adapters(a)('AccessToken').upsert(at, { jti: at, grantId, iat }, 3600);
      await adapters(a)('RefreshToken').upsert(rt, { jti: rt, grantId, iat }, 3600);
      await adapters(a)('AuthorizationCode').upsert(code, { jti: code, grantId, iat }, 60);
      await adapters(a)('AccessToken').upsert(kept, { jti: kept, grantId: other, iat }, 3600);
      await adapters(b)('RefreshToken').revokeByGrantId(grantId);
      expect(await adapters(a)('AccessToken').find(at)).toBeUndefined();
      expect(await adapters(a)('RefreshToken').find(rt)).toBeUndefined();
      expect(await adapters(b)('AuthorizationCode').find(code)).toBeUndefined();
      expect(await adapters(a)('AccessToken').find(kept)).toMatchObject({ grantId: other });
      // An entry issued after the revocation (a later second) is not refused by it.
      const later = fresh('at');
      await adapters(a)('AccessToken').upsert(later, { jti: later, grantId, iat: nowSeconds() + 2 }, 3600);
      expect(await adapters(b)('AccessToken').find(later)).toMatchObject({ jti: later });
    });

    it(`${name}: a session is found by its uid, a device code by its user code, and neither once destroyed`, async () => {
      const [sessionId, uid] = [fresh('session'), fresh('uid')];
      await adapters(a)('Session').upsert(sessionId, { jti: sessionId, uid, accountId: '549755800003' }, 600);
      expect(await adapters(b)('Session').findByUid(uid)).toMatchObject({ jti: sessionId, accountId: '549755800003' });
      await adapters(b)('Session').destroy(sessionId);
      expect(await adapters(a)('Session').find(sessionId)).toBeUndefined();
      expect(await adapters(a)('Session').findByUid(uid)).toBeUndefined();
      const [device, userCode] = [fresh('device'), 'BCDF-GHJK'];
      await adapters(a)('DeviceCode').upsert(device, { jti: device, userCode, iat: nowSeconds() }, 600);
      expect(await adapters(b)('DeviceCode').findByUserCode(userCode)).toMatchObject({ jti: device });
    });
  });
}

adapterTests('memory', async () => {
  const store = await createStore('memory');
  return { a: shared(store), b: shared(store), close: () => store.disconnect() };
});

describe('on redis', () => {
  const redisUrl = redisForDescribe();

  adapterTests('redis (two connections)', () => twoConnections(redisUrl()));
});
