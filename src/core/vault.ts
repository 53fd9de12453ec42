// Encryption at rest of each person's upstream tokens: the operator's key ring, keys derived from it per purpose, sealed records (JWE) in the shared store.
import { hkdfSync } from 'node:crypto';
import { CompactEncrypt, compactDecrypt, decodeProtectedHeader } from 'jose';
import { personKeyScope } from './person.js';
import { redactor } from './redact.js';
import { Refused } from './settings.js';
import type { SharedStore } from './store.js';

/** The fewest random bytes an operator key may have: AES-256 and HMAC-SHA256 keys are 32 bytes. */
export const MIN_KEY_BYTES = 32;

/** The kid of a key given without one (a ring of one key). */
export const DEFAULT_KID = 'k1';

/** HKDF's salt: fixed, so that one operator secret gives the same keys on every replica. */
const HKDF_SALT = 'pinterest-api-mcp';

/** What a derived key is for (HKDF's `info`): one secret keys several things without any two sharing a key. */
export type KeyPurpose = 'vault v1' | 'cookies v1' | 'signing v1' | 'forms v1' | 'authorization store v1';

/** A kid is written into every sealed record's header and into messages: short and plain. */
const KID = /^[A-Za-z0-9._-]{1,32}$/;

/** One key written in base64url (as JOSE writes keys) or standard base64 (as `openssl rand -base64 32` does), padding optional. */
const BASE64URL = /^[A-Za-z0-9_-]+={0,2}$/;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/** How to make a key, said where one is refused. */
const HOW_TO_MAKE_ONE = `make one with: openssl rand -base64 ${MIN_KEY_BYTES}`;

/**
 * The operator's keys (`PINTEREST_MCP_TOKEN_KEY`): `kid:key` entries separated by commas, each key at least 32 random
 * bytes; a single key may come without a kid (it is then `k1`). The first key is current: it seals everything new;
 * every key listed opens what it sealed, which is how keys rotate (put the new key first, remove the old one later).
 *
 * The keys themselves are never used directly, only keys derived per purpose (`derive`), and never appear in a
 * message: errors name the entry by position and kid. They are registered with the redactor as they are read.
 */
export class KeyRing {
  readonly #keys: ReadonlyMap<string, Buffer>;
  readonly #derived = new Map<string, Uint8Array>();
  /** The kid of the key that seals (the first listed). */
  readonly current: string;

  private constructor(keys: Map<string, Buffer>) {
    this.#keys = keys;
    this.current = keys.keys().next().value!;
  }

  /** Reads a ring; throws Refused (without the setting's name, which the reader adds) saying what is wrong and where. */
  static parse(spec: string): KeyRing {
    const entries = spec.split(',').map((entry) => entry.trim());
    const keys = new Map<string, Buffer>();
    const written: string[] = [];
    entries.forEach((entry, index) => {
      const where = entries.length > 1 ? `entry ${index + 1} of ${entries.length}` : 'the key';
      if (!entry) throw new Refused(`${where} is empty: write kid:key, separated by commas (e.g. k2:NEW,k1:OLD)`);
      const colon = entry.indexOf(':');
      const kid = colon < 0 ? DEFAULT_KID : entry.slice(0, colon).trim();
      const text = colon < 0 ? entry : entry.slice(colon + 1).trim();
      if (!KID.test(kid)) throw new Refused(`${where} has the kid ${JSON.stringify(kid.slice(0, 40))}; a kid is 1 to 32 letters, digits, '.', '_' or '-'`);
      const named = `${where} (kid ${kid})`;
      if (keys.has(kid)) throw new Refused(`${named} repeats the kid ${kid}: each key needs its own kid${colon < 0 ? ` (a key without one is ${DEFAULT_KID})` : ''}`);
      if (!text) throw new Refused(`${named} has no key after its kid; ${HOW_TO_MAKE_ONE}`);
      if (!BASE64URL.test(text) && !BASE64.test(text)) throw new Refused(`${named} is not base64url (or base64): only letters, digits, '-' and '_' (or '+' and '/'), then up to two '='; ${HOW_TO_MAKE_ONE}`);
      const unpadded = text.replace(/=+$/, '');
      if (unpadded.length % 4 === 1) throw new Refused(`${named} is not base64url: its length cannot be that of encoded bytes (cut short?); ${HOW_TO_MAKE_ONE}`);
      const key = Buffer.from(unpadded.replaceAll('+', '-').replaceAll('/', '_'), 'base64url');
      if (key.length < MIN_KEY_BYTES) throw new Refused(`${named} decodes to ${key.length} bytes; a key needs at least ${MIN_KEY_BYTES} random bytes: ${HOW_TO_MAKE_ONE}`);
      keys.set(kid, key);
      written.push(text);
    });
    redactor.add(...written);
    return new KeyRing(keys);
  }

  /** Every kid, the current one first. */
  get kids(): string[] {
    return [...this.#keys.keys()];
  }

  has(kid: string): boolean {
    return this.#keys.has(kid);
  }

  /**
   * The 32-byte key for `purpose` from the key `kid` (the current one by default): HKDF-SHA256 with a fixed salt and
   * the purpose as its info, so that keys for different purposes are independent and none reveals the operator's key.
   */
  derive(purpose: KeyPurpose, kid = this.current): Uint8Array {
    const cached = this.#derived.get(`${kid}\n${purpose}`);
    if (cached) return cached;
    const key = this.#keys.get(kid);
    if (!key) throw new Error(`internal: the key ring has no key ${kid}`);
    const derived = new Uint8Array(hkdfSync('sha256', key, HKDF_SALT, purpose, 32));
    this.#derived.set(`${kid}\n${purpose}`, derived);
    return derived;
  }
}

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
