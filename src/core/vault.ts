// Encryption at rest of each person's upstream tokens: sealed records (JWE) under keys derived from the operator's key ring (keys.ts), in the shared store.
import { CompactEncrypt, compactDecrypt, decodeProtectedHeader } from 'jose';
import { personKeyScope } from './person.js';
import { redactor } from './redact.js';
import type { SharedStore } from './store.js';
import type { KeyPurpose, KeyRing } from './keys.js';

/** Why a sealed record did not open. */
export type VaultProblem = 'unknown_key' | 'wrong_person' | 'unreadable';

/** A sealed record that does not open; the message names the kid and the person, never a key or a token. */
export class VaultError extends Error {
  constructor(
    readonly problem: VaultProblem,
    message: string,
  ) {
    super(message);
    this.name = 'VaultError';
  }
}

/** What `open` gives back besides the record. */
export interface Opened<T> {
  record: T;
  /** The key that sealed it. */
  kid: string;
  /** Sealed with a key other than the current one: seal it again to move it to the current key. */
  stale: boolean;
  /** The generation given to `seal`, if any. */
  gen?: number;
}

const ALG = 'dir';
const ENC = 'A256GCM';

/**
 * Seals records for one person each: JWE compact serialization (jose), AES-256-GCM with a key derived from the ring
 * for `purpose`, straight (`dir`). The protected header `{ alg, enc, kid, sub, gen? }` is the cipher's additional
 * authenticated data: a record copied under another person's key, or with its header edited, does not open.
 */
export class Sealer {
  constructor(
    private readonly ring: KeyRing,
    private readonly purpose: KeyPurpose = 'vault v1',
  ) {}

  /** `record` (JSON) sealed for the person `sub` with the current key; `gen` is bound to it too. */
  async seal(record: unknown, { sub, gen }: { sub: string; gen?: number }): Promise<string> {
    if (!sub) throw new Error('internal: a sealed record needs the person it belongs to');
    if (gen !== undefined && !(Number.isSafeInteger(gen) && gen >= 0)) throw new Error(`internal: a record's generation is a whole number; got ${gen}`);
    const kid = this.ring.current;
    return new CompactEncrypt(new TextEncoder().encode(JSON.stringify(record)))
      .setProtectedHeader({ alg: ALG, enc: ENC, kid, sub, ...(gen !== undefined ? { gen } : {}) })
      .encrypt(this.ring.derive(this.purpose, kid));
  }

  /**
   * The record sealed for the person `sub`, opened with the key its header names. Throws VaultError when the ring no
   * longer holds that key (`unknown_key`), when it was sealed for someone else (`wrong_person`), or when it was altered
   * or is not a record this sealer wrote (`unreadable`).
   */
  async open<T = unknown>(jwe: string, { sub }: { sub: string }): Promise<Opened<T>> {
    const unreadable = (why: string) => new VaultError('unreadable', `the sealed record of ${sub} does not open: ${why}; it was altered, or not written by this server`);
    let kid: unknown;
    try {
      ({ kid } = decodeProtectedHeader(jwe));
    } catch {
      throw unreadable('it is not a JWE');
    }
    if (typeof kid !== 'string') throw unreadable('its header names no key');
    if (!this.ring.has(kid)) {
      throw new VaultError('unknown_key', `the sealed record of ${sub} was sealed with the key ${JSON.stringify(kid.slice(0, 40))}, which the key ring (${this.ring.kids.join(', ')}) does not hold: put that key back in the ring, or the person signs in again`);
    }
    let opened: Awaited<ReturnType<typeof compactDecrypt>>;
    try {
      opened = await compactDecrypt(jwe, this.ring.derive(this.purpose, kid), { keyManagementAlgorithms: [ALG], contentEncryptionAlgorithms: [ENC] });
    } catch {
      throw unreadable(`it fails authentication with the key ${kid}`);
    }
    // Only now is the header authenticated.
    const header = opened.protectedHeader;
    if (header.sub !== sub) throw new VaultError('wrong_person', `the sealed record read for ${sub} belongs to another person; it is not used`);
    let record: T;
    try {
      record = JSON.parse(new TextDecoder().decode(opened.plaintext)) as T;
    } catch {
      throw unreadable('its content is not JSON');
    }
    const gen = typeof header.gen === 'number' ? header.gen : undefined;
    return { record, kid, stale: kid !== this.ring.current, ...(gen !== undefined ? { gen } : {}) };
  }
}

/** A person's tokens from an upstream OAuth server, as the vault keeps them; times are epoch milliseconds. */
export interface PersonTokens {
  access_token: string;
  access_expires_at: number;
  refresh_token?: string;
  refresh_expires_at?: number;
  scope?: string;
  username?: string;
}

/** A person's tokens as read from the vault. */
export interface VaultEntry {
  tokens: PersonTokens;
  /** Counts the writes of this person's tokens (1 at sign-in; each refresh writes the next), bound into the seal. */
  gen: number;
  /** Sealed with an old key: write it again to re-seal it with the current one. */
  stale: boolean;
}

/**
 * Each person's tokens for one upstream (`name`), sealed in the shared store under the person's key scope
 * (`p:<id>:tokens:<name>`): the stored value is the JWE and nothing else. Every token written or read joins the
 * redactor, as tokens obtained at run time do elsewhere. A record that does not open is an error (VaultError), not
 * a miss, and is left in place: during a rolling key change, a replica that lacks the new key must not delete what
 * the others can read.
 */
export class TokenVault {
  constructor(
    private readonly store: SharedStore,
    private readonly sealer: Sealer,
    private readonly name: string,
  ) {}

  /** The store key of a person's record. */
  keyOf(personId: string): string {
    return `${personKeyScope(personId)}tokens:${this.name}`;
  }

  /**
   * Seals and stores the person's tokens, as generation `gen`. The record lives as long as the longest-lived token
   * (the refresh token's expiry, or else the access token's); tokens that have all expired are refused.
   */
  async put(personId: string, tokens: PersonTokens, gen = 1): Promise<void> {
    if (typeof tokens.access_token !== 'string' || !tokens.access_token) throw new Error('internal: the vault keeps tokens with an access token');
    redactor.add(tokens.access_token, tokens.refresh_token);
    const ttlMs = Math.max(tokens.access_expires_at, tokens.refresh_expires_at ?? 0) - Date.now();
    if (!(ttlMs >= 1)) throw new Error(`internal: the tokens of ${personId} have all expired; the vault keeps only live ones`);
    const jwe = await this.sealer.seal(tokens, { sub: personId, gen });
    await this.store.set(this.keyOf(personId), jwe, ttlMs);
  }

  /** The person's tokens, or undefined when there are none (never stored, expired or deleted). Throws VaultError for a record that does not open. */
  async get(personId: string): Promise<VaultEntry | undefined> {
    const stored = await this.store.get(this.keyOf(personId));
    if (stored === undefined) return undefined;
    if (typeof stored !== 'string') throw new VaultError('unreadable', `the sealed record of ${personId} is not a JWE; it is not used`);
    const { record, stale, gen } = await this.sealer.open<PersonTokens>(stored, { sub: personId });
    if (typeof record?.access_token !== 'string') throw new VaultError('unreadable', `the sealed record of ${personId} holds no access token; it is not used`);
    redactor.add(record.access_token, record.refresh_token);
    return { tokens: record, gen: gen ?? 1, stale };
  }

  /** Forgets the person's tokens; true when there were some. */
  delete(personId: string): Promise<boolean> {
    return this.store.delete(this.keyOf(personId));
  }
}
