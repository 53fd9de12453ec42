// One configured client per API: base URL and credentials from the configuration.
import type { ApiId } from '../catalog/apis.js';
import type { Config } from '../config.js';
import type { Logger } from '../logger.js';
import type { Store } from '../store.js';
import { PINTEREST_AUTH_HELP, staticBearer } from './auth.js';
import { ApiClient } from './http.js';

export type Clients = Readonly<Record<ApiId, ApiClient>>;

export function createClients(config: Config, logger: Logger, _store: Store): Clients {
  return {
    pinterest: new ApiClient({
      label: 'Pinterest',
      baseUrl: config.pinterest.baseUrl,
      auth: staticBearer(config.pinterest.accessToken, PINTEREST_AUTH_HELP),
      sandbox: config.pinterest.sandbox,
      ...config.client,
      logger,
    }),
    whop: new ApiClient({
      label: 'Whop',
      baseUrl: config.whop.baseUrl,
      auth: staticBearer(config.whop.apiKey, 'No Whop API key is configured. Set WHOP_API_KEY to a Whop API key, then restart the server.'),
      ...config.client,
      logger,
    }),
  };
}
