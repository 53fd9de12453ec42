// Each person's own credential in the OAuth mode: their tokens from the vault, refreshed one refresh at a time across replicas under a lease.
import { currentPerson, personKeyScope } from '../core/person.js';
import type { Logger } from '../core/logger.js';
import type { SharedStore } from '../core/store.js';
import { type PersonTokens, type TokenVault, type VaultEntry, VaultError } from '../core/vault.js';
import type { AuthProvider } from './client.js';
import { ApiError, parseErrorBody } from './errors.js';
import { boundedFetch } from './fetch.js';

export interface PersonAuthOptions {
  /** The API's name in messages. */
  label: string;
  baseUrl: string;
  /** The token endpoint, relative to the base URL (HTTP Basic app credentials, form body `grant_type=refresh_token`). */
  tokenPath: string;
  clientId: string;
  clientSecret: string;
  vault: TokenVault;
  /** The vault's name for these tokens: the refresh lease is `p:<id>:refresh:<it>`. */
  name: string;
  store: SharedStore;
  logger: Logger;
  timeoutMs: number;
  /** Outside a person's request: the deployment's own credential (what it was configured with). */
  fallback: AuthProvider;
}

/** A token this close to its expiry is refreshed before use, so that a request never leaves with a dying one. */
const EARLY_MS = 60_000;
/** How often a replica waiting for another's refresh looks for its result. */
const WAIT_STEP_MS = 100;

/** Token answers are a few hundred bytes. */
const tokenFetch = boundedFetch(64 * 1024);

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The credential of the person the request acts for (currentPerson): their access token from the vault, refreshed
 * with their refresh token when it is about to expire or the API refused it. One refresh per person at a time: in
 * this process one promise is shared, across replicas a lease in the shared store (SharedStore.claim) lets one
 * refresh while the others wait for the vault's next generation. A rotated refresh token is therefore used once.
 * Outside a person's request the deployment's own credential applies. No token appears in a message or the log.
 */
export function personAuth(options: PersonAuthOptions): AuthProvider {
  const { vault, store, label, logger } = options;
  const basic = `Basic ${Buffer.from(`${options.clientId}:${options.clientSecret}`).toString('base64')}`;
  const signInAgain = `sign in again from your app (reconnect the server) to give this server a fresh ${label} credential.`;
  const inFlight = new Map<string, Promise<PersonTokens>>();
  const bearer = (tokens: PersonTokens) => `Bearer ${tokens.access_token}`;

  async function entryOf(id: string): Promise<VaultEntry> {
    let entry: VaultEntry | undefined;
    try {
      entry = await vault.get(id);
    } catch (error) {
      if (error instanceof VaultError) throw new ApiError(`Your ${label} credential cannot be read here (${error.problem}): ${signInAgain}`, 'auth_missing');
      throw error;
    }
    if (!entry) throw new ApiError(`This server keeps no ${label} credential for you (it expired or was removed): ${signInAgain}`, 'auth_missing');
    return entry;
  }

  /** The refresh itself, by the lease holder: the next generation of the person's tokens, written to the vault. */
  async function refreshNow(id: string, entry: VaultEntry): Promise<PersonTokens> {
    const refreshToken = entry.tokens.refresh_token;
    if (!refreshToken || (entry.tokens.refresh_expires_at ?? Number.POSITIVE_INFINITY) <= Date.now()) {
      throw new ApiError(`Your ${label} access expired and cannot be renewed: ${signInAgain}`, 'auth_refresh');
    }
    let response: Response;
    try {
      response = await tokenFetch(`${options.baseUrl}/${options.tokenPath}`, {
        method: 'POST',
        headers: { authorization: basic, 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshToken }).toString(),
        signal: AbortSignal.timeout(options.timeoutMs),
      });
    } catch (error) {
      const reason = (error as Error).name === 'TimeoutError' ? `no answer within ${options.timeoutMs} ms` : (error as Error).message;
      throw new ApiError(`Your ${label} access token could not be renewed (${reason}). Retry later.`, 'auth_refresh');
    }
    const text = await response.text().catch(() => '');
    if (!response.ok) {
      const { code, message } = parseErrorBody(text);
      const next = response.status >= 500 || response.status === 429 ? `${label} failed or is busy on its side; retry later.` : signInAgain;
      throw new ApiError(`${label} refused to renew your access token (HTTP ${response.status}${message ? `: ${message}` : ''}): ${next}`, 'auth_refresh', { status: response.status, code, apiMessage: message });
    }
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(text) as Record<string, unknown>;
    } catch {
      body = {};
    }
    if (typeof body.access_token !== 'string' || !body.access_token) throw new ApiError(`${label} renewed no access token. Retry later.`, 'auth_refresh');
    const now = Date.now();
    const seconds = (value: unknown) => (typeof value === 'number' && value > 0 ? value : undefined);
    const rotated = typeof body.refresh_token === 'string' && body.refresh_token ? body.refresh_token : undefined;
    const refreshIn = seconds(body.refresh_token_expires_in);
    const tokens: PersonTokens = {
      ...entry.tokens,
      access_token: body.access_token,
      access_expires_at: now + (seconds(body.expires_in) ?? 3600) * 1000,
      ...(rotated ? { refresh_token: rotated, ...(refreshIn ? { refresh_expires_at: now + refreshIn * 1000 } : {}) } : {}),
      ...(typeof body.scope === 'string' ? { scope: body.scope } : {}),
    };
    await vault.put(id, tokens, entry.gen + 1);
    logger.info({ person: id }, `renewed a person's ${label} access token`);
    return tokens;
  }

  /** One refresh of the person's tokens past generation `seen`, across replicas: the lease holder refreshes, the others wait for its write. */
  async function refreshAcross(id: string, seen: number): Promise<PersonTokens> {
    const lease = `${personKeyScope(id)}refresh:${options.name}`;
    const deadline = Date.now() + 2 * options.timeoutMs + 5_000;
    while (Date.now() < deadline) {
      if (await store.claim(lease, options.timeoutMs + 5_000)) {
        try {
          const latest = await entryOf(id);
          return latest.gen > seen ? latest.tokens : await refreshNow(id, latest);
        } finally {
          await store.release(lease).catch(() => false);
        }
      }
      await delay(WAIT_STEP_MS);
      const latest = await entryOf(id);
      if (latest.gen > seen) return latest.tokens;
    }
    throw new ApiError(`Your ${label} access token is being renewed elsewhere and the renewal did not finish in time. Retry.`, 'auth_refresh');
  }

  /** One refresh per person in this process; whoever else asks meanwhile gets its result. */
  function refreshOnce(id: string, seen: number): Promise<PersonTokens> {
    let running = inFlight.get(id);
    if (!running) {
      running = refreshAcross(id, seen).finally(() => inFlight.delete(id));
      inFlight.set(id, running);
    }
    return running;
  }

  return {
    missingHelp: options.fallback.missingHelp,
    renewHelp: `${label} refused your credential: ${signInAgain}`,
    async header() {
      const person = currentPerson();
      if (!person) return options.fallback.header();
      const entry = await entryOf(person.id);
      if (entry.tokens.access_expires_at - EARLY_MS > Date.now()) return bearer(entry.tokens);
      return bearer(await refreshOnce(person.id, entry.gen));
    },
    async refresh(rejected) {
      const person = currentPerson();
      if (!person) return (await options.fallback.refresh?.(rejected)) ?? false;
      const entry = await entryOf(person.id);
      if (bearer(entry.tokens) !== rejected) return true; // renewed meanwhile, here or on another replica
      return bearer(await refreshOnce(person.id, entry.gen)) !== rejected;
    },
  };
}
