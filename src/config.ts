// Command-line flags and environment variables, parsed once into a typed Config (node:util parseArgs).
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

export type Transport = 'stdio' | 'http';
export type Mode = 'tools' | 'discover';
export type ConfirmWrites = 'spend' | 'spend,destructive' | 'all';
export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

export interface Config {
  transport: Transport;
  host: string;
  port: number;
  stateful: boolean;
  /** `memory`, `sqlite:PATH` or `redis://HOST:PORT`. */
  store: string;
  mode: Mode;
  /** Selected toolset names; `['all']` selects every tool. Empty means the default toolsets. */
  toolsets: string[];
  /** Extra single tools added to the selection. */
  tools: string[];
  readOnly: boolean;
  confirmWrites: ConfirmWrites;
  confirmTtlSeconds: number;
  /** Caps in natural units (decimal strings) per money kind, e.g. { daily_budget: '500' }. */
  caps: Record<string, string>;
  /** Ad accounts every tool is limited to; empty: no limit. */
  adAccounts: string[];
  auditLog?: string;
  maxResultChars: number;
  logLevel: LogLevel;
  demo: boolean;
  http: {
    token?: string;
    allowedOrigins: string[];
    allowedHosts: string[];
    maxBodyBytes: number;
  };
  pinterest: {
    baseUrl: string;
    sandbox: boolean;
    accessToken?: string;
    appId?: string;
    appSecret?: string;
    refreshToken?: string;
  };
  whop: {
    baseUrl: string;
    apiKey?: string;
  };
  client: {
    timeoutMs: number;
    totalTimeoutMs: number;
    retries: number;
  };
}

export const PRODUCTION_URL = 'https://api.pinterest.com/v5';
export const SANDBOX_URL = 'https://api-sandbox.pinterest.com/v5';
export const WHOP_URL = 'https://api.whop.com/api/v1';

/** Every flag, its environment variable and its help line: the README's configuration table mirrors this. */
export const OPTIONS = {
  transport: { type: 'string', env: 'PINTEREST_MCP_TRANSPORT', help: 'stdio (default) or http' },
  host: { type: 'string', env: 'PINTEREST_MCP_HOST', help: 'HTTP bind address (default 127.0.0.1)' },
  port: { type: 'string', env: 'PINTEREST_MCP_PORT', help: 'HTTP port (default 3000)' },
  stateful: { type: 'boolean', env: 'PINTEREST_MCP_STATEFUL', help: 'keep HTTP sessions (needed for elicitation)' },
  store: { type: 'string', env: 'PINTEREST_MCP_STORE', help: 'memory (default), sqlite:PATH or redis://HOST:PORT' },
  mode: { type: 'string', env: 'PINTEREST_MCP_MODE', help: 'tools (default) or discover' },
  toolsets: { type: 'string', env: 'PINTEREST_MCP_TOOLSETS', help: 'comma-separated toolsets, or all' },
  tools: { type: 'string', env: 'PINTEREST_MCP_TOOLS', help: 'comma-separated extra tools' },
  'read-only': { type: 'boolean', env: 'PINTEREST_MCP_READ_ONLY', help: 'list and allow only tools that do not write' },
  'confirm-writes': { type: 'string', env: 'PINTEREST_MCP_CONFIRM_WRITES', help: 'spend (default) or all' },
  'confirm-ttl': { type: 'string', env: 'PINTEREST_MCP_CONFIRM_TTL', help: 'confirmation token lifetime in seconds (default 600)' },
  caps: { type: 'string', env: 'PINTEREST_MCP_CAPS', help: 'money caps, e.g. daily_budget=500,bid=20,lifetime_budget=10000' },
  'audit-log': { type: 'string', env: 'PINTEREST_MCP_AUDIT_LOG', help: 'append one JSON line per executed write to this file' },
  'max-result-chars': { type: 'string', env: 'PINTEREST_MCP_MAX_RESULT_CHARS', help: 'cut results longer than this (default 25000)' },
  'log-level': { type: 'string', env: 'PINTEREST_MCP_LOG_LEVEL', help: 'fatal, error, warn, info (default), debug, trace or silent' },
  demo: { type: 'boolean', env: 'PINTEREST_MCP_DEMO', help: 'serve an in-process fake Pinterest API (no token needed)' },
  help: { type: 'boolean', env: undefined, help: 'print this help' },
} as const;

type OptionName = keyof typeof OPTIONS;

export class ConfigError extends Error {}

function truthy(value: string | undefined): boolean {
  return value !== undefined && ['1', 'true', 'yes', 'on'].includes(value.toLowerCase());
}

function list(value: string | undefined): string[] {
  return (value ?? '').split(',').map((s) => s.trim()).filter(Boolean);
}

function integer(name: string, value: string | undefined, fallback: number, min = 0): number {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new ConfigError(`--${name} must be an integer >= ${min}, got "${value}"`);
  return n;
}

function oneOf<T extends string>(name: string, value: string | undefined, allowed: readonly T[], fallback: T): T {
  if (value === undefined || value === '') return fallback;
  if (!(allowed as readonly string[]).includes(value)) {
    throw new ConfigError(`--${name} must be one of ${allowed.join(', ')}, got "${value}"`);
  }
  return value as T;
}

function parseCaps(value: string | undefined): Record<string, string> {
  const caps: Record<string, string> = {};
  for (const entry of list(value)) {
    const [kind, amount] = entry.split('=').map((s) => s.trim());
    if (!kind || !amount || !/^\d+(\.\d{1,6})?$/.test(amount)) {
      throw new ConfigError(`--caps entries look like daily_budget=500; got "${entry}"`);
    }
    caps[kind] = amount;
  }
  return caps;
}

export function helpText(): string {
  const lines = Object.entries(OPTIONS).map(
    ([name, o]) => `  --${name.padEnd(18)} ${o.help}${o.env ? ` [${o.env}]` : ''}`,
  );
  return `Usage: pinterest-api-mcp [options]\n\n${lines.join('\n')}\n`;
}

export function loadConfig(argv: string[] = process.argv.slice(2), env: NodeJS.ProcessEnv = process.env): Config & { help: boolean } {
  const { values } = parseArgs({
    args: argv,
    options: Object.fromEntries(Object.entries(OPTIONS).map(([k, o]) => [k, { type: o.type }])) as Record<
      OptionName,
      { type: 'string' | 'boolean' }
    >,
    strict: true,
    allowPositionals: false,
  });
  const get = (name: OptionName): string | undefined => {
    const v = values[name];
    if (typeof v === 'string') return v;
    if (v === true) return 'true';
    const envName = OPTIONS[name].env;
    return envName ? env[envName] : undefined;
  };

  const sandbox = truthy(env.PINTEREST_SANDBOX);
  const httpToken = env.PINTEREST_MCP_HTTP_TOKEN || undefined;
  return {
    help: values.help === true,
    transport: oneOf('transport', get('transport'), ['stdio', 'http'] as const, 'stdio'),
    host: get('host') || '127.0.0.1',
    port: integer('port', get('port'), 3000),
    stateful: truthy(get('stateful')),
    store: get('store') || 'memory',
    mode: oneOf('mode', get('mode'), ['tools', 'discover'] as const, 'tools'),
    toolsets: list(get('toolsets')),
    tools: list(get('tools')),
    readOnly: truthy(get('read-only')),
    confirmWrites: oneOf('confirm-writes', get('confirm-writes'), ['spend', 'spend,destructive', 'all'] as const, 'spend,destructive'),
    confirmTtlSeconds: integer('confirm-ttl', get('confirm-ttl'), 600, 1),
    caps: parseCaps(get('caps')),
    adAccounts: list(env.PINTEREST_MCP_AD_ACCOUNTS),
    auditLog: get('audit-log') || undefined,
    maxResultChars: integer('max-result-chars', get('max-result-chars'), 25_000, 1000),
    logLevel: oneOf(
      'log-level',
      get('log-level'),
      ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const,
      'info',
    ),
    demo: truthy(get('demo')),
    http: {
      // The bearer token, or the first line of PINTEREST_MCP_HTTP_TOKEN_FILE (a mounted secret).
      token:
        httpToken ??
        (env.PINTEREST_MCP_HTTP_TOKEN_FILE
          ? (() => {
              let text: string;
              try {
                text = readFileSync(env.PINTEREST_MCP_HTTP_TOKEN_FILE, 'utf8');
              } catch (error) {
                throw new ConfigError(`PINTEREST_MCP_HTTP_TOKEN_FILE cannot be read: ${(error as Error).message}`);
              }
              const token = text.split(/\r?\n/)[0].trim();
              if (!token) throw new ConfigError('PINTEREST_MCP_HTTP_TOKEN_FILE is empty');
              return token;
            })()
          : undefined),
      allowedOrigins: list(env.PINTEREST_MCP_ALLOWED_ORIGINS),
      allowedHosts: list(env.PINTEREST_MCP_ALLOWED_HOSTS),
      maxBodyBytes: integer('PINTEREST_MCP_MAX_BODY_BYTES', env.PINTEREST_MCP_MAX_BODY_BYTES, 1_000_000, 1024),
    },
    pinterest: {
      baseUrl: (env.PINTEREST_API_BASE_URL || (sandbox ? SANDBOX_URL : PRODUCTION_URL)).replace(/\/+$/, ''),
      sandbox,
      accessToken: env.PINTEREST_ACCESS_TOKEN || undefined,
      appId: env.PINTEREST_APP_ID || undefined,
      appSecret: env.PINTEREST_APP_SECRET || undefined,
      refreshToken: env.PINTEREST_REFRESH_TOKEN || undefined,
    },
    whop: {
      baseUrl: (env.WHOP_API_BASE_URL || WHOP_URL).replace(/\/+$/, ''),
      apiKey: env.WHOP_API_KEY || undefined,
    },
    client: {
      timeoutMs: integer('PINTEREST_MCP_TIMEOUT_MS', env.PINTEREST_MCP_TIMEOUT_MS, 30_000, 1),
      totalTimeoutMs: integer('PINTEREST_MCP_TOTAL_TIMEOUT_MS', env.PINTEREST_MCP_TOTAL_TIMEOUT_MS, 90_000, 1),
      retries: integer('PINTEREST_MCP_RETRIES', env.PINTEREST_MCP_RETRIES, 3, 0),
    },
  };
}
