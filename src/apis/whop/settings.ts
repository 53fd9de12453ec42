// Whop's settings and how the server connects to it: its API key (which also turns the Whop tools on), base URL and currency.
import { BLANK_CREDENTIAL_IS_UNSET, type SettingValues, baseUrl, setting, text } from '../../core/settings.js';
import { currencyCode } from '../../money/settings.js';
import type { ApiConnection, ApiDefinition } from '../types.js';

export const WHOP_URL = 'https://api.whop.com/api/v1';

export const whopSettings = {
  apiKey: setting({ env: 'WHOP_API_KEY', type: text, default: undefined, secret: true, help: 'Whop API key (turns the whop toolset on; list it with --toolsets default,whop)', emptyIsUnset: BLANK_CREDENTIAL_IS_UNSET }),
  baseUrl: setting({ env: 'WHOP_API_BASE_URL', type: baseUrl, default: WHOP_URL, help: 'Whop API base URL' }),
  currency: setting({
    env: 'WHOP_CURRENCY',
    type: currencyCode,
    default: 'USD',
    help: "Whop account currency, assumed only where Whop reports none yet (an account's first campaign)",
  }),
};

/** `config.apis.whop`: the settings' values; `currency` is assumed where Whop reports none yet (no campaign with a spend_currency). */
export type WhopConfig = SettingValues<typeof whopSettings>;

/** The adapter's configuration and connection members (src/apis/types.ts). */
export const whopConnection = {
  settings: whopSettings,
  configure: (values: WhopConfig): WhopConfig => values,
  connect: (config: WhopConfig): ApiConnection => ({
    baseUrl: config.baseUrl,
    environment: config.baseUrl === WHOP_URL ? 'production' : 'custom URL',
    auth: {
      kind: 'bearer',
      token: config.apiKey,
      tokenName: 'api key',
      missingHelp: 'No Whop API key is configured. Set WHOP_API_KEY to a Whop API key, then restart the server.',
      renewHelp: 'check WHOP_API_KEY (the key may be wrong or revoked) and restart the server.',
    },
    assumedCurrency: { code: config.currency, why: 'Whop reports no currency yet; WHOP_CURRENCY sets it' },
  }),
  turnedOnBy: { env: 'WHOP_API_KEY', toolsets: ['whop'] },
} satisfies Partial<ApiDefinition>;
