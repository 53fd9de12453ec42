// The start-up line: what this process serves (version, API environment, credentials, store, approval, tools), logged once.
import type { APIS } from '../apis/index.js';
import type { ApiDefinition } from '../apis/types.js';
import { CONFIGURED_APIS, type Config, SIGN_IN_LABEL, apiConnection } from '../config/index.js';
import type { App } from './app.js';
import { describeStore } from '../core/store-spec.js';
import { NARROWING_HEADERS } from '../tools/narrowing.js';
import { VERSION } from '../core/version.js';

/** The first API is the server's own: the line always says where it is. Every other API is said with its credential, or why it is off. */
const [MAIN_API, ...OTHER_APIS] = CONFIGURED_APIS;
type OtherApiId = Exclude<(typeof APIS)[number]['id'], (typeof APIS)[0]['id']>;

/** The facts of the start-up line, as the JSON log carries them. Never a credential's value, only where one came from. */
export type StartupFacts = {
  version: string;
  transport: Config['transport'];
  /** HTTP only: who may call /mcp: `oauth` (people signed in through this server), `bearer` (the static token) or `none` (loopback, no token). */
  auth?: 'oauth' | 'bearer' | 'none';
  /** HTTP only: the request headers with which a client may narrow (never widen) the tools it sees. */
  narrowing_headers?: string[];
  /** The first API's environment (`production`, `sandbox`, `custom URL`, `demo`), host and credential. */
  environment: string;
  api_host: string;
  credentials: string;
  store: string;
  approval: string;
  mode: Config['mode'];
  toolsets: string[];
  /** Tools in tools/list (in discover mode, its meta-tools) and tools that can be called (through call_tool there). */
  tools_listed: number;
  tools_callable: number;
  read_only: boolean;
  /** Each API that is off, under its id, with why (`{ whop: 'WHOP_API_KEY is not set' }`); empty when every API is on. */
  apis_off: Record<string, string>;
  /**
   * Each API that is on but has no toolset selected, under its id, with the fix (`{ whop: 'run with --toolsets
   * default,whop' }`): its key alone does not list its tools. Empty when every API that is on is selected.
   */
  apis_not_listed: Record<string, string>;
} & {
  /** Each other API that is on, under its id: its credential (`api key`). */
  [Id in OtherApiId]?: string;
};

/** What the API's credential is (`access token`, `refresh token`, `demo token`, `none`), by the rule its client's auth follows. */
function credentials(config: Config, api: ApiDefinition): string {
  if (config.demo && api.demo) return 'demo token';
  const { auth } = apiConnection(config, api);
  if (auth.kind === 'oauth-refresh') return 'refresh token';
  return auth.token ? auth.tokenName : 'none';
}

export function startupFacts(config: Config, app: App): StartupFacts {
  const { approval } = config;
  const main = apiConnection(config, MAIN_API);
  return {
    version: VERSION,
    transport: config.transport,
    ...(config.transport === 'http'
      ? {
          auth: config.http.auth === 'oauth' ? ('oauth' as const) : config.http.token ? ('bearer' as const) : ('none' as const),
          narrowing_headers: [NARROWING_HEADERS.toolsets, NARROWING_HEADERS.readOnly],
        }
      : {}),
    environment: main.environment,
    api_host: new URL(main.baseUrl).host,
    credentials: credentials(config, MAIN_API),
    ...Object.fromEntries(OTHER_APIS.filter((api) => !(api.id in app.selection.apisOff)).map((api) => [api.id, credentials(config, api)])),
    store: describeStore(config.store),
    approval: `${approval.mode === 'auto' && approval.modelFallback ? 'auto (model fallback)' : approval.mode} via ${approval.channels.join(',') || 'no channel'}`,
    mode: config.mode,
    toolsets: [...new Set(app.selection.tools.map((t) => t.toolset))],
    tools_listed: app.listedCount,
    tools_callable: app.selection.tools.length,
    read_only: config.readOnly,
    apis_off: { ...app.selection.apisOff },
    apis_not_listed: { ...app.selection.apisNotSelected },
  };
}

/** How the line says who may call over HTTP. */
const AUTH_WORDS: Record<NonNullable<StartupFacts['auth']>, string> = {
  oauth: `oauth: each person signs in with ${SIGN_IN_LABEL}`,
  bearer: 'bearer token',
  none: 'none: loopback without a token',
};

/** The same facts as one line a person reads on stderr. */
export function startupLine(facts: StartupFacts): string {
  const tools =
    facts.mode === 'discover'
      ? `discover mode: ${facts.tools_listed} meta-tools reach ${facts.tools_callable} tools`
      : `${facts.tools_listed} tools listed`;
  const mainOff = facts.apis_off[MAIN_API.id];
  const others = OTHER_APIS.flatMap((api) => {
    const credential = (facts as Readonly<Record<string, unknown>>)[api.id];
    const notListed = facts.apis_not_listed[api.id];
    if (credential) return [`, ${api.label} with ${String(credential)}${notListed ? ` (not listed: ${notListed})` : ''}`];
    const off = facts.apis_off[api.id];
    return off ? [`, ${api.label} off (${off})`] : [];
  });
  return [
    `pinterest-api-mcp ${facts.version} ready on ${facts.transport}${facts.auth ? ` (auth ${AUTH_WORDS[facts.auth]})` : ''}`,
    `${MAIN_API.label} ${facts.environment} (${facts.api_host}) ${mainOff ? `off (${mainOff})` : `with ${facts.credentials}`}${others.join('')}`,
    `store ${facts.store}`,
    `approval ${facts.approval}`,
    `toolsets ${facts.toolsets.join(',') || '(none)'}${facts.read_only ? ' (read-only)' : ''}`,
    tools,
    ...(facts.narrowing_headers ? [`a request may narrow them with ${facts.narrowing_headers.join(', ')}`] : []),
  ].join('; ');
}
