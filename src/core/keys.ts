// The operator's key ring (PINTEREST_MCP_TOKEN_KEY): parsing, rotation order, and keys derived per purpose. Its own module so that checking the setting at start loads no JOSE code (the vault's sealing does).
import { hkdfSync } from 'node:crypto';
import { redactor } from './redact.js';
import { Refused } from './settings.js';

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
