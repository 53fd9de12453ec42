// Pinterest's settings and how the server connects to it: production or sandbox URL, an access token or OAuth refresh.
import { BLANK_CREDENTIAL_IS_UNSET, type SettingValues, baseUrl, boolean, setting, text } from '../../core/settings.js';
import type { ApiAuth, ApiConnection, ApiDefinition, PeopleSignIn } from '../types.js';

export const PRODUCTION_URL = 'https://api.pinterest.com/v5';
export const SANDBOX_URL = 'https://api-sandbox.pinterest.com/v5';
/** Where people sign in to Pinterest (the description's authorizationUrl), for --auth oauth. */
export const SIGN_IN_URL = 'https://www.pinterest.com/oauth/';

/** Where the current access token lives in the shared store, so every replica uses (and refreshes) the same one. */
export const OAUTH_STORE_KEY = 'oauth:pinterest';

/** A page's URL, checked as a base URL is but kept as written: Pinterest's sign-in page ends in a slash (/oauth/). */
const pageUrl: typeof baseUrl = {
  parse(value) {
    baseUrl.parse(value);
    return value;
  },
};

export const pinterestSettings = {
  // The sandbox and the base URL are listed among the server's settings, before the approvers, as they always were.
  sandbox: {
    ...setting({ env: 'PINTEREST_SANDBOX', type: boolean, default: false, help: `use ${SANDBOX_URL} (operations the sandbox lacks are refused)` }),
    listedBefore: 'approverToken',
  },
  baseUrl: {
    ...setting({
      env: 'PINTEREST_API_BASE_URL',
      type: baseUrl,
      default: undefined,
      help: `Pinterest API base URL (default ${PRODUCTION_URL}, or the sandbox's with PINTEREST_SANDBOX)`,
    }),
    listedBefore: 'approverToken',
  },
  accessToken: setting({ env: 'PINTEREST_ACCESS_TOKEN', type: text, default: undefined, secret: true, help: 'Pinterest OAuth access token', emptyIsUnset: BLANK_CREDENTIAL_IS_UNSET }),
  appId: setting({ env: 'PINTEREST_APP_ID', type: text, default: undefined, help: 'Pinterest app id, to refresh access tokens through oauth/token', emptyIsUnset: BLANK_CREDENTIAL_IS_UNSET }),
  appSecret: setting({ env: 'PINTEREST_APP_SECRET', type: text, default: undefined, secret: true, help: 'Pinterest app secret, to refresh access tokens', emptyIsUnset: BLANK_CREDENTIAL_IS_UNSET }),
  oauthUrl: setting({
    env: 'PINTEREST_OAUTH_URL',
    type: pageUrl,
    default: undefined,
    help: `with --auth oauth: Pinterest's sign-in page people are sent to (default ${SIGN_IN_URL}); its code is exchanged at the API's oauth/token`,
  }),
  refreshToken: setting({ env: 'PINTEREST_REFRESH_TOKEN', type: text, default: undefined, secret: true, help: 'Pinterest refresh token, to refresh access tokens', emptyIsUnset: BLANK_CREDENTIAL_IS_UNSET }),
};

/** `config.apis.pinterest`: the settings' values, the base URL always set (production, or the sandbox's). */
export type PinterestConfig = Omit<SettingValues<typeof pinterestSettings>, 'baseUrl' | 'oauthUrl'> & { baseUrl: string; oauthUrl: string };

const AUTH_HELP =
  'No Pinterest credentials are configured. Set PINTEREST_ACCESS_TOKEN to an OAuth access token ' +
  '(or PINTEREST_APP_ID, PINTEREST_APP_SECRET and PINTEREST_REFRESH_TOKEN), then restart the server. ' +
  'To try the server without a token, start it with --demo.';

/** OAuth refresh when the app credentials and a refresh token are all given; otherwise the static access token. */
function pinterestAuth({ appId, appSecret, refreshToken, accessToken }: PinterestConfig): ApiAuth {
  if (appId && appSecret && refreshToken) {
    return {
      kind: 'oauth-refresh',
      tokenPath: 'oauth/token',
      clientId: appId,
      clientSecret: appSecret,
      refreshToken,
      accessToken,
      storeKey: OAUTH_STORE_KEY,
      missingHelp: AUTH_HELP,
      renewHelp: 'the refresh token may have been revoked: set fresh PINTEREST_REFRESH_TOKEN (and app credentials) and restart the server.',
      refusedHelp:
        'Check PINTEREST_APP_ID, PINTEREST_APP_SECRET and PINTEREST_REFRESH_TOKEN (the refresh token may be revoked or expired), then restart the server.',
    };
  }
  return {
    kind: 'bearer',
    token: accessToken,
    tokenName: 'access token',
    missingHelp: AUTH_HELP,
    renewHelp: 'set a fresh PINTEREST_ACCESS_TOKEN (or the refresh credentials) and restart the server.',
    warning:
      (appId || appSecret || refreshToken) && !accessToken
        ? 'OAuth refresh needs all of PINTEREST_APP_ID, PINTEREST_APP_SECRET and PINTEREST_REFRESH_TOKEN; some are missing'
        : undefined,
  };
}

/** The adapter's configuration and connection members (src/apis/types.ts). */
export const pinterestConnection = {
  settings: pinterestSettings,
  configure: (values: SettingValues<typeof pinterestSettings>): PinterestConfig => ({
    ...values,
    baseUrl: values.baseUrl ?? (values.sandbox ? SANDBOX_URL : PRODUCTION_URL),
    oauthUrl: values.oauthUrl ?? SIGN_IN_URL,
  }),
  connect: (config: PinterestConfig): ApiConnection => ({
    baseUrl: config.baseUrl,
    environment: config.baseUrl === PRODUCTION_URL ? 'production' : config.baseUrl === SANDBOX_URL ? 'sandbox' : 'custom URL',
    sandbox: config.sandbox ? { leave: 'Unset PINTEREST_SANDBOX to call production.' } : undefined,
    auth: pinterestAuth(config),
  }),
  // --auth oauth: people sign in at www.pinterest.com/oauth/ to the app PINTEREST_APP_ID; user_account names them.
  signInApp: 'PINTEREST_APP_ID and PINTEREST_APP_SECRET',
  signIn: (config: PinterestConfig): PeopleSignIn | undefined =>
    config.appId && config.appSecret
      ? {
          authorizeUrl: config.oauthUrl,
          tokenPath: 'oauth/token',
          clientId: config.appId,
          clientSecret: config.appSecret,
          whoAmI: { path: 'user_account', idField: 'id', nameField: 'username' },
          scopeSeparator: ',',
          extraScopes: ['user_accounts:read'],
        }
      : undefined,
  // --demo serves a fake Pinterest API: its URL and token replace the configured ones.
  // With --auth oauth, people sign in at the fake's own sign-in page, to the app it was started with.
  demo: (config: PinterestConfig, fake: { url: string; token: string; signIn?: { appId: string; appSecret: string; oauthUrl: string } }): PinterestConfig => ({
    ...config,
    baseUrl: fake.url,
    accessToken: fake.token,
    sandbox: false,
    ...(fake.signIn ? { appId: fake.signIn.appId, appSecret: fake.signIn.appSecret, oauthUrl: fake.signIn.oauthUrl } : {}),
  }),
} satisfies Partial<ApiDefinition>;
