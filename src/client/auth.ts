// Credentials for each API: a static bearer token, or Pinterest OAuth refresh through oauth/token.
import type { AuthProvider } from './http.js';

export function staticBearer(token: string | undefined, missingHelp: string): AuthProvider {
  const header = token ? `Bearer ${token}` : undefined;
  return { header: async () => header, missingHelp };
}

export const PINTEREST_AUTH_HELP =
  'No Pinterest credentials are configured. Set PINTEREST_ACCESS_TOKEN to an OAuth access token ' +
  '(or PINTEREST_APP_ID, PINTEREST_APP_SECRET and PINTEREST_REFRESH_TOKEN), then restart the server. ' +
  'To try the server without a token, start it with --demo.';
