// The token vault: the operator's key ring, sealed records bound to their person, rotation, tampering, and no token in clear in the store.
import { randomBytes } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { decodeProtectedHeader } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { REDACTED, redactor } from '../../src/core/redact.js';
import { Refused } from '../../src/core/settings.js';
import { SharedStore, createStore } from '../../src/core/store.js';
import { KeyRing } from '../../src/core/keys.js';
import { type PersonTokens, Sealer, TokenVault, VaultError } from '../../src/core/vault.js';
import { needsNodeSqlite } from '../helpers/sqlite.js';
import { tempDir } from '../helpers/temp.js';

const key = (bytes = 32) => randomBytes(bytes).toString('base64url');
const [K1, K2] = [key(), key()];
const ALICE = '1001';
const BOB = '1002';
const HOUR = 3_600_000;

/** Tokens that look like Pinterest's, unique per call so that each test's redaction is its own. */
function tokens(): PersonTokens {
  return {
    access_token: `pina_${randomBytes(24).toString('base64url')}`,
    access_expires_at: Date.now() + HOUR,
    refresh_token: `pinr_${randomBytes(24).toString('base64url')}`,
    refresh_expires_at: Date.now() + 60 * 24 * HOUR,
    scope: 'ads:read,user_accounts:read',
  };
}

/** What `fn` threw, for its message and kind. */
async function failure(fn: () => unknown): Promise<Error> {
  try {
    await fn();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a failure');
}

describe('the key ring (PINTEREST_MCP_TOKEN_KEY)', () => {
  it('reads kid:key entries, the first current; a lone key without a kid is k1; base64 as openssl writes it is read too', () => {
    const ring = KeyRing.parse(` k2:${K2} , k1:${K1}\n`);
    expect(ring.kids).toEqual(['k2', 'k1']);
    expect(ring.current).toBe('k2');
    expect(KeyRing.parse(K1).kids).toEqual(['k1']);
    const openssl = randomBytes(33).toString('base64'); // + and / likely, = possible
    expect(KeyRing.parse(`ops-2026.1:${openssl}`).current).toBe('ops-2026.1');
    // The same key written either way derives the same keys.
    const bytes = randomBytes(32);
    expect(KeyRing.parse(bytes.toString('base64')).derive('vault v1')).toEqual(KeyRing.parse(bytes.toString('base64url')).derive('vault v1'));
  });

  it('derives a separate 32-byte key per purpose and per key, none of them the operator key', () => {
    const ring = KeyRing.parse(`k2:${K2},k1:${K1}`);
    const derived = [ring.derive('vault v1'), ring.derive('cookies v1'), ring.derive('vault v1', 'k1'), ring.derive('signing v1', 'k1')];
    for (const one of derived) expect(one).toHaveLength(32);
    const distinct = new Set(derived.map((one) => Buffer.from(one).toString('hex')));
    expect(distinct.size).toBe(4);
    for (const raw of [K1, K2]) expect(distinct.has(Buffer.from(raw, 'base64url').toString('hex'))).toBe(false);
    expect(ring.derive('vault v1')).toEqual(KeyRing.parse(`k2:${K2}`).derive('vault v1')); // same secret, same key on every replica
  });

  it('refuses a bad spec, saying what and where, never printing a key', () => {
    const short = key(16);
    const cases: [string, RegExp][] = [
      [`k1:${short}`, /^the key \(kid k1\) decodes to 16 bytes; a key needs at least 32 random bytes: make one with: openssl rand -base64 32$/],
      [`k2:${K2},k1:${short}`, /^entry 2 of 2 \(kid k1\) decodes to 16 bytes/],
      [`k1:${K1.slice(0, 20)}*${K1.slice(20)}`, /^the key \(kid k1\) is not base64url \(or base64\): only letters, digits, '-' and '_'/],
      [`k1:${K1.slice(0, 20)}+-${K1.slice(20)}`, /^the key \(kid k1\) is not base64url/], // the two alphabets mixed
      [`k1:${K1}xy`, /^the key \(kid k1\) is not base64url: its length cannot be that of encoded bytes/], // 43 + 2 characters: 4n + 1
      [`k1:${K1},k1:${K2}`, /^entry 2 of 2 \(kid k1\) repeats the kid k1: each key needs its own kid$/],
      [`${K1},${K2}`, /^entry 2 of 2 \(kid k1\) repeats the kid k1: each key needs its own kid \(a key without one is k1\)$/],
      [`k2:${K2},`, /^entry 2 of 2 is empty: write kid:key, separated by commas/],
      ['', /^the key is empty/],
      [`k1:`, /^the key \(kid k1\) has no key after its kid/],
      [`bad kid:${K1}`, /^the key has the kid "bad kid"; a kid is 1 to 32 letters/],
    ];
    for (const [index, [spec, expected]] of cases.entries()) {
      let error: Error | undefined;
      try {
        KeyRing.parse(spec);
      } catch (e) {
        error = e as Error;
      }
      expect(error, `case ${index}`).toBeInstanceOf(Refused);
      expect(error!.message, `case ${index}`).toMatch(expected);
      for (const secret of [K1, K2, short, K1.slice(0, 20), K1.slice(20)]) expect(error!.message).not.toContain(secret);
    }
  });

  it('registers the keys with the redactor as it reads them', () => {
    const fresh = key();
    KeyRing.parse(`k9:${fresh}`);
    expect(redactor.text(`key=${fresh}`)).toBe(`key=${REDACTED}`);
  });
});

describe('sealed records', () => {
  const ring = KeyRing.parse(`k1:${K1}`);
  const sealer = new Sealer(ring);

  it('round-trips a record for its person; the header is dir + A256GCM with kid and sub; nothing of it is in clear', async () => {
    const record = tokens();
    const jwe = await sealer.seal(record, { sub: ALICE, gen: 3 });
    expect(decodeProtectedHeader(jwe)).toEqual({ alg: 'dir', enc: 'A256GCM', kid: 'k1', sub: ALICE, gen: 3 });
    for (const secret of [record.access_token, record.refresh_token!, record.access_token.slice(5, 17)]) expect(jwe).not.toContain(secret);
    expect(Buffer.from(jwe.split('.')[3], 'base64url').toString('latin1')).not.toContain('pina_');
    expect(await sealer.open(jwe, { sub: ALICE })).toEqual({ record, kid: 'k1', stale: false, gen: 3 });
  });

  it('refuses a record of another person: copied as it is, or with its header rewritten to them', async () => {
    const jwe = await sealer.seal(tokens(), { sub: ALICE });
    const copied = await failure(() => sealer.open(jwe, { sub: BOB }));
    expect(copied).toBeInstanceOf(VaultError);
    expect(copied).toMatchObject({ problem: 'wrong_person', message: `the sealed record read for ${BOB} belongs to another person; it is not used` });

    const [, ...rest] = jwe.split('.');
    const header = Buffer.from(JSON.stringify({ ...decodeProtectedHeader(jwe), sub: BOB })).toString('base64url');
    const rewritten = await failure(() => sealer.open([header, ...rest].join('.'), { sub: BOB }));
    expect(rewritten).toMatchObject({ problem: 'unreadable', message: expect.stringMatching(/fails authentication with the key k1; it was altered/) });
  });

  it('refuses a record altered anywhere (ciphertext, tag, IV), and what is not a JWE', async () => {
    const jwe = await sealer.seal(tokens(), { sub: ALICE });
    const parts = jwe.split('.');
    const flip = (text: string) => {
      const bytes = Buffer.from(text, 'base64url');
      bytes[0] ^= 1;
      return bytes.toString('base64url');
    };
    for (const part of [2, 3, 4]) {
      const altered = parts.map((p, i) => (i === part ? flip(p) : p)).join('.');
      expect(await failure(() => sealer.open(altered, { sub: ALICE }))).toMatchObject({ problem: 'unreadable' });
    }
    for (const junk of ['', 'not a record', 'a.b.c.d.e']) {
      expect(await failure(() => sealer.open(junk, { sub: ALICE }))).toMatchObject({ problem: 'unreadable', message: expect.stringMatching(/not a JWE/) });
    }
  });

  it('does not open a record with a key derived for another purpose from the same secret', async () => {
    const jwe = await new Sealer(ring, 'cookies v1').seal({ a: 1 }, { sub: ALICE });
    expect(await failure(() => sealer.open(jwe, { sub: ALICE }))).toMatchObject({ problem: 'unreadable' });
  });

  it('rotates: a ring with a new key first opens what the old key sealed (stale) and seals anew with the new key', async () => {
    const record = tokens();
    const old = await sealer.seal(record, { sub: ALICE });
    const rotated = new Sealer(KeyRing.parse(`k2:${K2},k1:${K1}`));
    expect(await rotated.open(old, { sub: ALICE })).toEqual({ record, kid: 'k1', stale: true });
    const resealed = await rotated.seal(record, { sub: ALICE });
    expect(decodeProtectedHeader(resealed).kid).toBe('k2');
    expect(await rotated.open(resealed, { sub: ALICE })).toMatchObject({ kid: 'k2', stale: false });
    // The old ring cannot read what the new key sealed (a replica not yet restarted), nor can a ring without k1 read the old record.
    const unknown = await failure(() => sealer.open(resealed, { sub: ALICE }));
    expect(unknown).toMatchObject({ problem: 'unknown_key', message: `the sealed record of ${ALICE} was sealed with the key "k2", which the key ring (k1) does not hold: put that key back in the ring, or the person signs in again` });
    expect(await failure(() => new Sealer(KeyRing.parse(`k2:${K2}`)).open(old, { sub: ALICE }))).toMatchObject({ problem: 'unknown_key' });
  });

  it('does not let a kid of the same name with another key open a record', async () => {
    const jwe = await sealer.seal(tokens(), { sub: ALICE });
    expect(await failure(() => new Sealer(KeyRing.parse(`k1:${K2}`)).open(jwe, { sub: ALICE }))).toMatchObject({ problem: 'unreadable' });
  });
});

describe('the token vault over the shared store', () => {
  let dir = '';
  beforeAll(() => {
    dir = tempDir('vault-');
  });
  const sealer = new Sealer(KeyRing.parse(`k1:${K1}`));

  async function memoryVault() {
    const keyv = await createStore('memory');
    const store = new SharedStore(keyv, 'test store', 5_000);
    return { keyv, store, vault: new TokenVault(store, sealer, 'upstream') };
  }

  it('puts, gets and deletes a person’s tokens under their own key; the stored value is only the JWE', async () => {
    const { keyv, store, vault } = await memoryVault();
    const alice = tokens();
    const bob = tokens();
    await vault.put(ALICE, alice);
    await vault.put(BOB, bob, 4);
    expect(vault.keyOf(ALICE)).toBe(`p:${ALICE}:tokens:upstream`);
    expect(await vault.get(ALICE)).toEqual({ tokens: alice, gen: 1, stale: false });
    expect(await vault.get(BOB)).toEqual({ tokens: bob, gen: 4, stale: false });

    const stored = await store.get(vault.keyOf(ALICE));
    expect(stored).toEqual(expect.stringMatching(/^[\w-]+\.\.[\w-]+\.[\w-]+\.[\w-]+$/)); // compact JWE, dir: empty key part
    // Nothing in the raw store (the memory store's own Map of serialized entries) holds a token or a part of one.
    const raw = JSON.stringify([...(keyv.store as Map<string, unknown>).entries()]);
    for (const t of [alice, bob]) {
      for (const secret of [t.access_token, t.refresh_token!, t.access_token.slice(5, 17), t.refresh_token!.slice(-12)]) expect(raw).not.toContain(secret);
    }
    // Its lifetime is the refresh token's.
    const entry = JSON.parse((keyv.store as Map<string, string>).get(`keyv:${vault.keyOf(ALICE)}`)!) as { expires: number };
    expect(entry.expires).toBeGreaterThanOrEqual(alice.refresh_expires_at!);

    expect(await vault.delete(ALICE)).toBe(true);
    expect(await vault.get(ALICE)).toBeUndefined();
    expect(await vault.delete(ALICE)).toBe(false);
    expect(await vault.get(BOB)).toEqual({ tokens: bob, gen: 4, stale: false });
    expect(await vault.get('1003')).toBeUndefined();
  });

  it('refuses Alice’s record copied under Bob’s key, and leaves it where it is', async () => {
    const { store, vault } = await memoryVault();
    await vault.put(ALICE, tokens());
    await store.set(vault.keyOf(BOB), await store.get(vault.keyOf(ALICE)), HOUR);
    expect(await failure(() => vault.get(BOB))).toMatchObject({ problem: 'wrong_person' });
    expect(await store.get(vault.keyOf(BOB))).toBeDefined();
    await store.set(vault.keyOf(BOB), { access_token: 'in clear?' }, HOUR);
    expect(await failure(() => vault.get(BOB))).toMatchObject({ problem: 'unreadable', message: `the sealed record of ${BOB} is not a JWE; it is not used` });
  });

  it('registers the tokens it reads with the redactor, as those obtained at run time are', async () => {
    const { store, vault } = await memoryVault();
    const written = tokens();
    // Sealed elsewhere (another replica): this process learns of the tokens only by reading them.
    await store.set(vault.keyOf(ALICE), await sealer.seal(written, { sub: ALICE }), HOUR);
    expect(redactor.text(`Bearer ${written.access_token}`)).toBe(`Bearer ${written.access_token}`);
    await vault.get(ALICE);
    expect(redactor.text(`Bearer ${written.access_token} and ${written.refresh_token}`)).toBe(`Bearer ${REDACTED} and ${REDACTED}`);
    const put = tokens();
    await vault.put(BOB, put);
    expect(redactor.text(put.access_token)).toBe(REDACTED);
  });

  it('refuses tokens that have all expired, and tokens without an access token', async () => {
    const { vault } = await memoryVault();
    const gone = { ...tokens(), access_expires_at: Date.now() - 1, refresh_expires_at: Date.now() - 1 };
    await expect(vault.put(ALICE, gone)).rejects.toThrow(/internal: the tokens of 1001 have all expired/);
    await expect(vault.put(ALICE, { ...tokens(), access_token: '' })).rejects.toThrow(/internal: the vault keeps tokens with an access token/);
    expect(await vault.get(ALICE)).toBeUndefined();
  });

  it('sqlite: the store file holds no token in clear', async (ctx) => {
    needsNodeSqlite(ctx);
    const file = join(dir, 'vault.sqlite');
    const keyv = await createStore(`sqlite:${file}`);
    const vault = new TokenVault(new SharedStore(keyv, 'test store', 5_000), sealer, 'upstream');
    const alice = tokens();
    try {
      await vault.put(ALICE, alice);
      expect((await vault.get(ALICE))?.tokens).toEqual(alice);
    } finally {
      await keyv.disconnect();
    }
    const files = readdirSync(dir).filter((name) => name.startsWith('vault.sqlite'));
    const bytes = files.map((name) => readFileSync(join(dir, name)).toString('latin1')).join('');
    expect(bytes).toContain(`p:${ALICE}:tokens:upstream`);
    for (const secret of [alice.access_token, alice.refresh_token!, alice.access_token.slice(5, 17)]) expect(bytes).not.toContain(secret);
  });
});
