// One configured client per API: base URL and credentials from each adapter's connection.
import type { ApiId } from '../apis/index.js';
import type { ApiAuth, ApiConnection, ApiDefinition } from '../apis/types.js';
import { CONFIGURED_APIS, type Config, apiConnection } from '../config/index.js';
import type { Logger } from '../core/logger.js';
import type { SharedStore } from '../core/store.js';
import { oauthRefresh, staticBearer } from './auth.js';
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

export function createClients(config: Config, logger: Logger, store: SharedStore): Clients {
  return Object.fromEntries(
    CONFIGURED_APIS.map((api) => {
      const connection = apiConnection(config, api);
      const auth = authProvider(api, connection, config, logger, store);
      return [api.id, new ApiClient({ label: api.label, baseUrl: connection.baseUrl, auth, sandbox: connection.sandbox, ...config.client, logger })];
    }),
  );
}
