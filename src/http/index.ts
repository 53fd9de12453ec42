// One configured client per API: base URL and credentials from the configuration.
import type { ApiId } from '../apis/index.js';
import type { Config } from '../config/config.js';
import type { Logger } from '../core/logger.js';
import type { SharedStore } from '../core/store.js';
import { PINTEREST_AUTH_HELP, PINTEREST_RENEW_HELP, pinterestOAuth, staticBearer } from './auth.js';
import { ApiClient, type AuthProvider } from './client.js';

export type Clients = Readonly<Record<ApiId, ApiClient>>;

/** Whether Pinterest tokens are refreshed through oauth/token: the app credentials and a refresh token are all given. */
export function refreshesTokens(
  pinterest: Config['pinterest'],
): pinterest is Config['pinterest'] & { appId: string; appSecret: string; refreshToken: string } {
  return Boolean(pinterest.appId && pinterest.appSecret && pinterest.refreshToken);
}

/**
 * Each API's credential as configured, for the deployment fingerprint (never shown): the refresh token and app id when
 * tokens are refreshed (the access token then changes), else the access token; Whop's key.
 */
export function configuredCredentials(config: Config): Record<ApiId, string | undefined> {
  const { pinterest } = config;
  return {
    pinterest: refreshesTokens(pinterest) ? `refresh:${pinterest.appId}:${pinterest.refreshToken}` : pinterest.accessToken,
    whop: config.whop.apiKey,
  };
}

/** OAuth refresh when the app credentials and a refresh token are configured; otherwise the static access token. */
function pinterestAuth(config: Config, logger: Logger, store: SharedStore): AuthProvider {
  const { pinterest } = config;
  if (refreshesTokens(pinterest)) {
    const { baseUrl, appId, appSecret, refreshToken, accessToken } = pinterest;
    return pinterestOAuth({ baseUrl, appId, appSecret, refreshToken, accessToken, store, logger, timeoutMs: config.client.timeoutMs });
  }
  const { appId, appSecret, refreshToken, accessToken } = pinterest;
  if ((appId || appSecret || refreshToken) && !accessToken) {
    logger.warn('OAuth refresh needs all of PINTEREST_APP_ID, PINTEREST_APP_SECRET and PINTEREST_REFRESH_TOKEN; some are missing');
  }
  return staticBearer(accessToken, PINTEREST_AUTH_HELP, PINTEREST_RENEW_HELP);
}

export function createClients(config: Config, logger: Logger, store: SharedStore): Clients {
  return {
    pinterest: new ApiClient({
      label: 'Pinterest',
      baseUrl: config.pinterest.baseUrl,
      auth: pinterestAuth(config, logger, store),
      sandbox: config.pinterest.sandbox,
      ...config.client,
      logger,
    }),
    whop: new ApiClient({
      label: 'Whop',
      baseUrl: config.whop.baseUrl,
      auth: staticBearer(
        config.whop.apiKey,
        'No Whop API key is configured. Set WHOP_API_KEY to a Whop API key, then restart the server.',
        'check WHOP_API_KEY (the key may be wrong or revoked) and restart the server.',
      ),
      ...config.client,
      logger,
    }),
  };
}
