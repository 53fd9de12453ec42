// One configured client per API: base URL and credentials from each adapter's connection.
import type { ApiId } from '../apis/index.js';
import type { ApiAuth, ApiConnection, ApiDefinition } from '../apis/types.js';
import { CONFIGURED_APIS, type Config, apiConfig, apiConnection } from '../config/index.js';
import type { Logger } from '../core/logger.js';
import type { SharedStore } from '../core/store.js';
import { KeyRing } from '../core/keys.js';
import { Sealer, TokenVault } from '../core/vault.js';
import { oauthRefresh, staticBearer } from './auth.js';
import { personAuth } from './person-auth.js';
import { ApiClient, type AuthProvider } from './client.js';

export type Clients = Readonly<Record<ApiId, ApiClient>>;

/**
 * The credential as configured, for the deployment fingerprint (never shown): the refresh token and client id where
 * tokens are refreshed (the access token then changes), else the token.
 */
export function configuredCredential(auth: ApiAuth): string | undefined {
  return auth.kind === 'oauth-refresh' ? `refresh:${auth.clientId}:${auth.refreshToken}` : auth.token;
}

/** The provider the adapter's auth describes. */
function authProvider(api: ApiDefinition, { baseUrl, auth }: ApiConnection, config: Config, logger: Logger, store: SharedStore): AuthProvider {
  if (auth.kind === 'oauth-refresh') return oauthRefresh({ ...auth, label: api.label, baseUrl, store, logger, timeoutMs: config.client.timeoutMs });
  if (auth.warning) logger.warn(auth.warning);
  return staticBearer(auth.token, auth.missingHelp, auth.renewHelp);
}

/**
 * With `--auth oauth`, the API people sign in to (its adapter's `signIn`) takes each person's own credential from the
 * vault (under its id, sealed with PINTEREST_MCP_TOKEN_KEY), the configured one only outside a person's request.
 */
function withPeople(api: ApiDefinition, connection: ApiConnection, config: Config, logger: Logger, store: SharedStore, configured: AuthProvider): AuthProvider {
  const signIn = config.transport === 'http' && config.http.auth === 'oauth' && config.http.tokenKey ? api.signIn?.(apiConfig(config, api)) : undefined;
  if (!signIn) return configured;
  const vault = new TokenVault(store, new Sealer(KeyRing.parse(config.http.tokenKey!)), api.id);
  return personAuth({
    label: api.label,
    baseUrl: connection.baseUrl,
    tokenPath: signIn.tokenPath,
    clientId: signIn.clientId,
    clientSecret: signIn.clientSecret,
    vault,
    name: api.id,
    store,
    logger,
    timeoutMs: config.client.timeoutMs,
    fallback: configured,
  });
}

export function createClients(config: Config, logger: Logger, store: SharedStore): Clients {
  return Object.fromEntries(
    CONFIGURED_APIS.map((api) => {
      const connection = apiConnection(config, api);
      const auth = withPeople(api, connection, config, logger, store, authProvider(api, connection, config, logger, store));
      return [api.id, new ApiClient({ label: api.label, baseUrl: connection.baseUrl, auth, sandbox: connection.sandbox, ...config.client, logger })];
    }),
  );
}
