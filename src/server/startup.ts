// The start-up line: what this process serves (version, API environment, credentials, store, approval, tools), logged once.
import { type Config, pinterestEnvironment } from '../config/config.js';
import type { App } from './app.js';
import { refreshesTokens } from '../http/index.js';
import { describeStore } from '../core/store.js';
import { VERSION } from '../core/version.js';

/** The facts of the start-up line, as the JSON log carries them. Never a credential's value, only where one came from. */
export interface StartupFacts {
  version: string;
  transport: Config['transport'];
  environment: 'production' | 'sandbox' | 'custom URL' | 'demo';
  api_host: string;
  credentials: 'access token' | 'refresh token' | 'demo token' | 'none';
  /** Present when the Whop API is configured. */
  whop?: 'api key';
  store: string;
  approval: string;
  mode: Config['mode'];
  toolsets: string[];
  /** Tools in tools/list (in discover mode, its meta-tools) and tools that can be called (through call_tool there). */
  tools_listed: number;
  tools_callable: number;
  read_only: boolean;
}

/** Where the Pinterest credential comes from, by the same rule the client chooses its auth with. */
function credentials(config: Config): StartupFacts['credentials'] {
  if (config.demo) return 'demo token';
  if (refreshesTokens(config.pinterest)) return 'refresh token';
  return config.pinterest.accessToken ? 'access token' : 'none';
}

export function startupFacts(config: Config, app: App): StartupFacts {
  const { approval } = config;
  return {
    version: VERSION,
    transport: config.transport,
    environment: pinterestEnvironment(config),
    api_host: new URL(config.pinterest.baseUrl).host,
    credentials: credentials(config),
    ...(config.whop.apiKey ? { whop: 'api key' as const } : {}),
    store: describeStore(config.store),
    approval: `${approval.mode === 'auto' && approval.modelFallback ? 'auto (model fallback)' : approval.mode} via ${approval.channels.join(',') || 'no channel'}`,
    mode: config.mode,
    toolsets: [...new Set(app.selection.tools.map((t) => t.toolset))],
    tools_listed: app.listedCount,
    tools_callable: app.selection.tools.length,
    read_only: config.readOnly,
  };
}

/** The same facts as one line a person reads on stderr. */
export function startupLine(facts: StartupFacts): string {
  const tools =
    facts.mode === 'discover'
      ? `discover mode: ${facts.tools_listed} meta-tools reach ${facts.tools_callable} tools`
      : `${facts.tools_listed} tools listed`;
  return [
    `pinterest-api-mcp ${facts.version} ready on ${facts.transport}`,
    `Pinterest ${facts.environment} (${facts.api_host}) with ${facts.credentials}${facts.whop ? ', Whop with api key' : ''}`,
    `store ${facts.store}`,
    `approval ${facts.approval}`,
    `toolsets ${facts.toolsets.join(',') || '(none)'}${facts.read_only ? ' (read-only)' : ''}`,
    tools,
  ].join('; ');
}
