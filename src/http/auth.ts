// Credentials for each API: a static bearer token, or OAuth refresh through the API's token endpoint.
import type { OAuthRefreshAuth } from '../apis/types.js';
import type { Logger } from '../core/logger.js';
import { redactor } from '../core/redact.js';
import type { SharedStore } from '../core/store.js';
import { ApiError, parseErrorBody } from './errors.js';
import { boundedFetch } from './fetch.js';
import type { AuthProvider } from './client.js';

export function staticBearer(token: string | undefined, missingHelp: string, renewHelp: string): AuthProvider {
  const header = token ? `Bearer ${token}` : undefined;
  return { header: async () => header, missingHelp, renewHelp };
}

/** Token answers are a few hundred bytes; anything near this is not one. */
const tokenFetch = boundedFetch(64 * 1024);

export interface OAuthRefreshOptions extends Omit<OAuthRefreshAuth, 'kind'> {
  /** The API's name in messages (its adapter's label). */
  label: string;
  /** API base URL; the token endpoint is `${baseUrl}/${tokenPath}`. */
  baseUrl: string;
  store: SharedStore;
  logger: Logger;
  timeoutMs: number;
}

interface StoredToken {
  access_token: string;
  /** Epoch ms. */
  expires_at: number;
  /** Present when the API rotated the refresh token. */
  refresh_token?: string;
}

/** Stored tokens are dropped a little before the API expires them, so a request never leaves with a dying token. */
function storeTtlMs(expiresInSeconds: number): number {
  const ms = expiresInSeconds * 1000;
  return Math.max(1000, ms - Math.min(60_000, ms / 10));
}

/**
 * OAuth refresh: the access token is read from the store (shared by replicas), obtained through
 * `POST {tokenPath}` (HTTP Basic client credentials, form body `grant_type=refresh_token`) when there is none, and
 * refreshed after a 401. Concurrent refreshes in one process share one request; a replica that sees a newer token
 * in the store than the one refused uses it instead of refreshing again. No secret is ever logged or put in a message.
 */
export function oauthRefresh(options: OAuthRefreshOptions): AuthProvider {
  const { logger, store, label, tokenPath } = options;
  /** How every refresh failure starts (OAuth is configured; obtaining a token failed). */
  const refreshFailed = `The ${label} access token could not be refreshed through ${tokenPath}`;
  const credentials = Buffer.from(`${options.clientId}:${options.clientSecret}`).toString('base64');
  const basic = `Basic ${credentials}`;
  redactor.add(credentials);
  let current: StoredToken | undefined = options.accessToken
    ? { access_token: options.accessToken, expires_at: Number.POSITIVE_INFINITY }
    : undefined;
  let refreshing: Promise<StoredToken> | undefined;

  const valid = (token: StoredToken | undefined): token is StoredToken => !!token && token.expires_at > Date.now();
  const bearer = (token: StoredToken) => `Bearer ${token.access_token}`;

  /** The token in the store (perhaps obtained by another replica); its secrets join the redactor. */
  async function readStore(): Promise<StoredToken | undefined> {
    try {
      const stored = (await store.get(options.storeKey)) as StoredToken | undefined;
      redactor.add(stored?.access_token, stored?.refresh_token);
      return stored;
    } catch (error) {
      logger.warn({ error: (error as Error).message }, 'could not read the OAuth token from the store');
      return undefined;
    }
  }

  async function requestToken(): Promise<StoredToken> {
    const stored = await readStore();
    const refreshToken = stored?.refresh_token ?? options.refreshToken;
    let response: Response;
    try {
      response = await tokenFetch(`${options.baseUrl}/${tokenPath}`, {
        method: 'POST',
        headers: { authorization: basic, 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshToken }).toString(),
        signal: AbortSignal.timeout(options.timeoutMs),
      });
    } catch (error) {
      const cause = (error as Error).cause as Error | undefined;
      const reason = (error as Error).name === 'TimeoutError' ? `no answer within ${options.timeoutMs} ms` : (cause?.message ?? (error as Error).message);
      throw new ApiError(`${refreshFailed} (${reason}). Check the network and retry.`, 'auth_refresh');
    }
    const text = await response.text().catch(() => '');
    if (!response.ok) {
      const { code, message } = parseErrorBody(text);
      const answer = `HTTP ${response.status}${code !== undefined ? `, code ${code}` : ''}${message ? `: ${message}` : ''}`;
      const next =
        response.status >= 500 || response.status === 429
          ? `${label} failed or is busy on its side; retry later.`
          : options.refusedHelp;
      throw new ApiError(`${refreshFailed}: ${label} refused to refresh the access token (${answer}). ${next}`, 'auth_refresh', {
        status: response.status,
        code,
        apiMessage: message,
      });
    }
    let body: { access_token?: unknown; expires_in?: unknown; refresh_token?: unknown };
    try {
      body = JSON.parse(text) as typeof body;
    } catch {
      body = {};
    }
    if (typeof body.access_token !== 'string' || !body.access_token) {
      throw new ApiError(`${refreshFailed}: ${label} answered HTTP ${response.status} without an access token. Retry later.`, 'auth_refresh', { status: response.status });
    }
    redactor.add(body.access_token, typeof body.refresh_token === 'string' ? body.refresh_token : undefined);
    const expiresIn = typeof body.expires_in === 'number' && body.expires_in > 0 ? body.expires_in : 3600;
    const ttl = storeTtlMs(expiresIn);
    const token: StoredToken = { access_token: body.access_token, expires_at: Date.now() + ttl };
    const rotated = typeof body.refresh_token === 'string' && body.refresh_token ? body.refresh_token : stored?.refresh_token;
    if (rotated) token.refresh_token = rotated;
    try {
      await store.set(options.storeKey, token, ttl);
    } catch (error) {
      logger.warn({ error: (error as Error).message }, 'could not keep the OAuth token in the store; using it in this process only');
    }
    logger.info({ expiresInSeconds: expiresIn }, `obtained a ${label} access token through ${tokenPath}`);
    return token;
  }

  /** One refresh at a time in this process; everyone waiting gets its result. */
  function refreshOnce(): Promise<StoredToken> {
    refreshing ??= requestToken().finally(() => {
      refreshing = undefined;
    });
    return refreshing;
  }

  return {
    missingHelp: options.missingHelp,
    renewHelp: options.renewHelp,
    async header() {
      if (valid(current)) return bearer(current);
      const stored = await readStore();
      current = valid(stored) ? stored : await refreshOnce();
      return bearer(current);
    },
    async refresh(rejected) {
      if (current && bearer(current) === rejected) current = undefined;
      // Another replica (or request) may have refreshed already.
      const stored = await readStore();
      if (valid(stored) && bearer(stored) !== rejected) {
        current = stored;
        return true;
      }
      const fresh = await refreshOnce();
      current = fresh;
      return bearer(fresh) !== rejected;
    },
  };
}
