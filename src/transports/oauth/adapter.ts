// oidc-provider's storage adapter over the shared store: every client, grant, code, token and session of the authorization server, so any replica serves any request.
import { createHash } from 'node:crypto';
import type { SharedStore } from '../../core/store.js';
import type { Sealer } from '../../core/vault.js';

/** What oidc-provider stores: a JSON object (its `grantId`, `uid`, `userCode` and `iat` are read here). */
export type AdapterPayload = Record<string, unknown> & { grantId?: string; uid?: string; userCode?: string; iat?: number; consumed?: unknown };

/** oidc-provider's Adapter interface (its types are not shipped): one instance per model. */
export interface OidcAdapter {
  upsert(id: string, payload: AdapterPayload, expiresIn?: number): Promise<void>;
  find(id: string): Promise<AdapterPayload | undefined>;
  findByUid(uid: string): Promise<AdapterPayload | undefined>;
  findByUserCode(userCode: string): Promise<AdapterPayload | undefined>;
  consume(id: string): Promise<void>;
  destroy(id: string): Promise<void>;
  revokeByGrantId(grantId: string): Promise<void>;
}

export interface AdapterOptions {
  store: SharedStore;
  /**
   * Seals every stored payload and every session id an index key points to (AES-256-GCM under the operator's key):
   * oidc-provider's records carry the token or code itself (`jti`), so whoever reads the store must not read them.
   */
  sealer: Sealer;
  /** The lifetime of what oidc-provider stores without one (registered clients), ms. */
  lifetimeWithoutExpiryMs: number;
  /** How long a grant's revocation is remembered: at least the longest lifetime of anything issued under a grant, ms. */
  revocationMemoryMs: number;
  /** The error a second consumption of a code or refresh token raises (oidc-provider's InvalidGrant, answered as invalid_grant). */
  alreadyConsumed: (what: string) => Error;
}

/** The models whose entries belong to a grant (the memory adapter's list): revoking the grant refuses them all. */
const GRANTABLE = new Set(['AccessToken', 'AuthorizationCode', 'RefreshToken', 'DeviceCode', 'BackchannelAuthenticationRequest', 'PreAuthorizedCode']);

/** The models oidc-provider consumes (single use): only their reads look for the consumed mark. */
const CONSUMABLE = new Set(['AuthorizationCode', 'RefreshToken', 'DeviceCode', 'BackchannelAuthenticationRequest', 'PushedAuthorizationRequest', 'PreAuthorizedCode']);

/** Store keys name an entry by its id's digest: a token, a code or a session id is never written in clear as a key. */
const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest('base64url');

/** What is stored under an entry's key: the payload, sealed, and when it expires (epoch ms), which consuming it needs. */
interface Stored {
  sealed: string;
  expiresAt: number;
}

/**
 * An adapter factory for oidc-provider (`adapter` in its configuration) over the shared store, under `oidc:`:
 * - an entry lives as long as oidc-provider says (`expiresIn`), or `lifetimeWithoutExpiryMs` when it gives none;
 * - `consume` takes a lease (SharedStore.claim), so of two replicas redeeming one code or refresh token at the same
 *   moment exactly one succeeds; the other gets `alreadyConsumed` and the grant is revoked, as a replay would;
 * - `revokeByGrantId` writes the grant's revocation time, which `find` compares with each entry's `iat`: every
 *   replica refuses what was issued under the grant until then, at once, without a list of the grant's entries
 *   (keyv has no sets) and without scanning the store;
 * - sessions are found by uid, device codes by user code, through index keys written beside them;
 * - every payload (and the id an index key names) is sealed for the key it is stored under, so the store holds no
 *   token, code or session id in clear, and a record copied under another key does not open.
 */
export function sharedStoreAdapter(options: AdapterOptions): (model: string) => OidcAdapter {
  const { store } = options;
  const revokedKey = (grantId: string) => `oidc:revoked-grant:${digest(grantId)}`;
  /** An id an index key points to, sealed for that key, and read back (undefined when absent or not openable). */
  const setIndex = (key: string, id: string, ttlMs: number) => options.sealer.seal(id, { sub: key }).then((sealed) => store.set(key, sealed, ttlMs));
  const getIndex = async (key: string): Promise<string | undefined> => {
    const sealed = await store.get(key);
    if (typeof sealed !== 'string') return undefined;
    const id = (await options.sealer.open<unknown>(sealed, { sub: key }).catch(() => undefined))?.record;
    return typeof id === 'string' ? id : undefined;
  };

  class SharedStoreAdapter implements OidcAdapter {
    constructor(private readonly model: string) {}

    private key(id: string): string {
      return `oidc:${this.model}:${digest(id)}`;
    }

    private consumedKey(id: string): string {
      return `oidc:consumed:${this.model}:${digest(id)}`;
    }

    /** The payload stored under `id`, opened; undefined when there is none, or it does not open (another key, altered). */
    private async read(id: string): Promise<{ payload: AdapterPayload; expiresAt: number } | undefined> {
      const stored = (await store.get(this.key(id))) as Stored | undefined;
      if (typeof stored?.sealed !== 'string') return undefined;
      const opened = await options.sealer.open<AdapterPayload>(stored.sealed, { sub: this.key(id) }).catch(() => undefined);
      return opened && { payload: opened.record, expiresAt: stored.expiresAt };
    }

    async upsert(id: string, payload: AdapterPayload, expiresIn?: number): Promise<void> {
      const ttlMs = typeof expiresIn === 'number' && expiresIn > 0 ? expiresIn * 1000 : options.lifetimeWithoutExpiryMs;
      const key = this.key(id);
      const stored: Stored = { sealed: await options.sealer.seal(payload, { sub: key }), expiresAt: Date.now() + ttlMs };
      await store.set(key, stored, ttlMs);
      if (this.model === 'Session' && typeof payload.uid === 'string') await setIndex(`oidc:uid:${digest(payload.uid)}`, id, ttlMs);
      if (typeof payload.userCode === 'string') await setIndex(`oidc:user-code:${digest(payload.userCode)}`, id, ttlMs);
    }

    async find(id: string): Promise<AdapterPayload | undefined> {
      const [stored, consumed] = await Promise.all([this.read(id), CONSUMABLE.has(this.model) ? store.get(this.consumedKey(id)) : undefined]);
      if (!stored) return undefined;
      const payload = { ...stored.payload };
      if (GRANTABLE.has(this.model) && typeof payload.grantId === 'string') {
        const revokedAt = (await store.get(revokedKey(payload.grantId))) as number | undefined;
        // Issued (iat, seconds) no later than the revocation: refused. A grant is never reused for a new sign-in here.
        if (typeof revokedAt === 'number' && (typeof payload.iat !== 'number' || payload.iat * 1000 <= revokedAt)) return undefined;
      }
      if (consumed !== undefined) payload.consumed ??= Math.floor(Date.now() / 1000);
      return payload;
    }

    async findByUid(uid: string): Promise<AdapterPayload | undefined> {
      const id = await getIndex(`oidc:uid:${digest(uid)}`);
      return id === undefined ? undefined : this.find(id);
    }

    async findByUserCode(userCode: string): Promise<AdapterPayload | undefined> {
      const id = await getIndex(`oidc:user-code:${digest(userCode)}`);
      return id === undefined ? undefined : this.find(id);
    }

    async consume(id: string): Promise<void> {
      const stored = await this.read(id);
      const left = stored ? stored.expiresAt - Date.now() : 0;
      if (stored && left >= 1 && (await store.claim(this.consumedKey(id), left))) return;
      // Another request (on any replica) consumed it first: this one is a replay.
      if (typeof stored?.payload.grantId === 'string') await this.revokeByGrantId(stored.payload.grantId);
      throw options.alreadyConsumed(this.model);
    }

    async destroy(id: string): Promise<void> {
      const stored = await this.read(id);
      await store.delete(this.key(id));
      const uid = stored?.payload.uid;
      if (this.model === 'Session' && typeof uid === 'string' && (await getIndex(`oidc:uid:${digest(uid)}`)) === id) await store.delete(`oidc:uid:${digest(uid)}`);
    }

    async revokeByGrantId(grantId: string): Promise<void> {
      await store.set(revokedKey(grantId), Date.now(), options.revocationMemoryMs);
    }
  }

  return (model: string) => new SharedStoreAdapter(model);
}
