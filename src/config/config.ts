// Every flag and environment variable, defined once in SETTINGS and parsed strictly into a typed Config.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { type JSONPath, visit } from 'jsonc-parser';
import { OPTIONAL_HOLDS, type OptionalHold, confirmationLevels } from '../apis/classification.js';
import { type Caps, CapSettingError, parseCaps } from '../money/cap-settings.js';
import { MONEY_KINDS, MONEY_KIND_HELP } from '../money/kinds.js';
import { minorUnit } from '../money/currencies.js';
import { secretProblem } from '../core/redact.js';
import { closest } from '../core/suggest.js';
export type { LogLevel } from '../core/logger.js';
import type { LogLevel } from '../core/logger.js';
import { DEFAULT_TOOLSETS, TOOLSETS } from '../apis/toolsets.js';

export type Transport = 'stdio' | 'http';
export type Mode = 'tools' | 'discover';
/** Which classes are held on top of the always-held ones (spend, access, entity, unclassified), or every write. */
export type ConfirmWrites = ReadonlySet<OptionalHold> | 'all';
/** Who may send a held write: a person only, a person with the operator's fallback to the model, or the model (tokens). */
export type ApprovalMode = 'auto' | 'person' | 'model';
/**
 * Where an approval can come from: the approval page (a person signed in there), the client's own dialog (counts as a
 * person only where the operator says the client is a person's app), the model-held token (`--approval model`).
 */
export type ApprovalChannel = 'page' | 'dialog' | 'token';
export const APPROVAL_CHANNELS: readonly ApprovalChannel[] = ['page', 'dialog', 'token'];
export type { Caps } from '../money/cap-settings.js';

export interface Config {
  transport: Transport;
  host: string;
  port: number;
  stateful: boolean;
  /** `memory`, `sqlite:PATH` or `redis://HOST:PORT`. */
  store: string;
  /** Longest wait for one store operation, ms. */
  storeTimeoutMs: number;
  mode: Mode;
  /** Selected toolset names; `['all']` selects every tool, `default` the default toolsets. Empty means the default toolsets. */
  toolsets: string[];
  /** Extra single tools added to the selection. */
  tools: string[];
  /** Tools left out whatever selects them. */
  excludeTools: string[];
  readOnly: boolean;
  confirmWrites: ConfirmWrites;
  confirmTtlSeconds: number;
  approval: {
    mode: ApprovalMode;
    /** `auto` only: held writes fall back to the model's token where no person can be asked (logged each time). */
    modelFallback: boolean;
    /**
     * The channels whose approval counts here. `dialog` is a person's act only where the operator says the client is
     * a person's app: the default on stdio, never assumed over HTTP. `token` is present exactly in `model` mode.
     */
    channels: ApprovalChannel[];
    /** Most approvals one client may have waiting at once; the next held call answers too_many_pending. */
    maxPending: number;
    /** stdio: a browser tab opens at most once per this many seconds; later approvals wait on the page's list. */
    tabSeconds: number;
    /** Approvers of the HTTP transport's /approvals page, by id. */
    approvers: Approver[];
    /** stdio: the loopback port of the approval page; 0 picks a free one. */
    pagePort: number;
    /** Receives a JSON summary of each approval created. */
    webhook?: string;
    /** stdio: `$BROWSER`, the command that opens the approval page. */
    browser?: string;
  };
  caps: Caps;
  /** Pinterest ad account ids every tool is limited to; empty means no limit. */
  adAccounts: string[];
  auditLog?: string;
  maxResultChars: number;
  logLevel: LogLevel;
  demo: boolean;
  /** The value of every secret setting that was given, for the redactor. */
  secrets: string[];
  http: {
    token?: string;
    allowedOrigins: string[];
    allowedHosts: string[];
    maxBodyBytes: number;
    headersTimeoutMs: number;
    requestTimeoutMs: number;
    keepAliveTimeoutMs: number;
    /** Stateful mode: most sessions per client address and overall, and when an idle one is closed. */
    sessions: { perClient: number; total: number; idleSeconds: number };
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
    /** The account currency assumed where Whop reports none yet (no campaign with a spend_currency). */
    currency: string;
  };
  client: {
    timeoutMs: number;
    totalTimeoutMs: number;
    retries: number;
    /** Largest API answer read, bytes; a bigger one is refused without being buffered whole. */
    maxResponseBytes: number;
  };
}

/** Someone who may approve held writes on the HTTP transport's /approvals page. */
export interface Approver {
  id: string;
  token: string;
}

export const PRODUCTION_URL = 'https://api.pinterest.com/v5';
export const SANDBOX_URL = 'https://api-sandbox.pinterest.com/v5';
export const WHOP_URL = 'https://api.whop.com/api/v1';

export class ConfigError extends Error {}

/** Which Pinterest the server talks to, in words for people (start-up line, approval page). */
export function pinterestEnvironment(config: Pick<Config, 'demo' | 'pinterest'>): 'production' | 'sandbox' | 'custom URL' | 'demo' {
  if (config.demo) return 'demo';
  if (config.pinterest.baseUrl === PRODUCTION_URL) return 'production';
  return config.pinterest.baseUrl === SANDBOX_URL ? 'sandbox' : 'custom URL';
}

/** Why a value was refused, without the setting's name (the reader adds the flag or variable it came from). */
class Refused extends Error {}

/** The likely cause of a value that is given but has an empty part, said where one is refused. */
const UNSET_HINT = 'a template variable that is unset?';

/** How one kind of value is read from text. */
interface ValueType<T> {
  /** The accepted values in short (`10..86400`, `stdio, http`), printed after the help line; none when the line says it. */
  summary?: string;
  /** Reads trimmed, non-empty text, or throws Refused. */
  parse(text: string): T;
  /** Given on the command line as a bare flag (`--read-only`) rather than with a value. */
  bare?: true;
}

interface Setting<T> {
  /** Command-line flag without its dashes; none for a setting read only from the environment. */
  flag?: string;
  /** Environment variable; none for a flag that only makes sense on the command line (`--help`). */
  env?: string;
  type: ValueType<T>;
  /** The value when neither the flag nor the variable is given (an empty value counts as not given). */
  default: T;
  /** One line for --help; `(default …)` is added from `default` unless the line already speaks of the default. */
  help: string;
  /**
   * A credential: help marks it, no message prints its value (its type never echoes what it read), it must be long
   * enough to be redacted, and the redactor replaces it in everything that leaves the process (`Config.secrets`).
   */
  secret?: true;
}

const BOOLEAN_SPELLINGS = { true: ['1', 'true', 'yes', 'on'], false: ['0', 'false', 'no', 'off'] } as const;
const BOOLEAN_ACCEPTED = BOOLEAN_SPELLINGS.true.map((yes, i) => `${yes}/${BOOLEAN_SPELLINGS.false[i]}`).join(', ');

const boolean: ValueType<boolean> = {
  bare: true,
  parse(text) {
    const spelling = text.toLowerCase();
    if ((BOOLEAN_SPELLINGS.true as readonly string[]).includes(spelling)) return true;
    if ((BOOLEAN_SPELLINGS.false as readonly string[]).includes(spelling)) return false;
    throw new Refused(`must be one of ${BOOLEAN_ACCEPTED} (any case); got "${text}"`);
  },
};

function integer(min: number, max: number): ValueType<number> {
  return {
    summary: `${min}..${max}`,
    parse(text) {
      const n = /^[+-]?\d+$/.test(text) ? Number(text) : Number.NaN;
      if (!(n >= min && n <= max)) throw new Refused(`must be an integer from ${min} to ${max}; got "${text}"`);
      return n;
    },
  };
}

function oneOf<T extends string>(values: readonly T[]): ValueType<T> {
  return {
    summary: values.join(', '),
    parse(text) {
      if (!(values as readonly string[]).includes(text)) throw new Refused(`must be one of ${values.join(', ')}; got "${text}"`);
      return text as T;
    },
  };
}

const text: ValueType<string> = { parse: (value) => value };
const currencyCode: ValueType<string> = {
  summary: 'ISO 4217 code',
  parse(value) {
    const code = value.trim().toUpperCase();
    if (!minorUnit(code)) throw new Refused(`must be an ISO 4217 currency code this server knows, such as USD; got "${value}"`);
    return code;
  },
};

/**
 * The part of a `scheme://…` URL that is written but empty (`https:///v5`, `https://host:/v5`, `https://user:@host`,
 * `https://host//v5`, `?key=`), as a template leaves it when a variable is unset; URL parsing would fill such a
 * part in from what follows (`https:///v5` is the host `v5`) or drop it. The URL is never printed: it may hold a key.
 */
function emptyUrlPart(text: string): string | undefined {
  const [, authority = '', path = '', query] = /^[a-z][\w+.-]*:\/\/([^/?#]*)([^?#]*)(?:\?([^#]*))?/i.exec(text) ?? [];
  const at = authority.lastIndexOf('@');
  const userInfo = at >= 0 ? authority.slice(0, at) : undefined;
  const hostAndPort = authority.slice(at + 1);
  if (!hostAndPort || hostAndPort.startsWith(':')) return 'an empty host';
  if (hostAndPort.endsWith(':')) return 'an empty port';
  // `:password@` is how Redis URLs give a password alone; an empty password, or nothing before the @, is a gap.
  if (userInfo !== undefined && (!userInfo || userInfo.endsWith(':'))) return 'an empty user name or password';
  if (path.replace(/\/+$/, '').includes('//')) return 'an empty path segment';
  if (query !== undefined && query.split('&').some((pair) => !pair || pair.endsWith('='))) return 'an empty query parameter';
  return undefined;
}

/** An http(s) base URL, without trailing slashes. */
const baseUrl: ValueType<string> = {
  parse(value) {
    let url: URL | undefined;
    try {
      url = new URL(value);
    } catch {
      url = undefined;
    }
    // The written form must say http(s)://: URL parsing also takes `https:host`.
    if (!url || !['http:', 'https:'].includes(url.protocol) || !/^https?:\/\//i.test(value)) throw new Refused(`must be an http(s) URL; got "${value}"`);
    const empty = emptyUrlPart(value);
    if (empty) throw new Refused(`has ${empty}: ${UNSET_HINT} Set it, or write the whole URL`);
    return value.replace(/\/+$/, '');
  },
};

/** `memory`, `sqlite:PATH` or `redis(s)://…`, none with an empty part; other forms are refused when the store opens. */
const storeSpec: ValueType<string> = {
  parse(value) {
    if (/^sqlite:(\/\/)?$/.test(value)) throw new Refused(`has an empty path after sqlite: ${UNSET_HINT} Set it, or give a file, e.g. sqlite:./pinterest-mcp.sqlite`);
    const empty = /^rediss?:\/\//.test(value) ? emptyUrlPart(value) : undefined;
    if (empty) throw new Refused(`has ${empty}: ${UNSET_HINT} Set it, or write the whole redis:// URL`);
    return value;
  },
};

/** A file the server writes to; a path ending in a separator names a directory, as `/var/log/${NAME}` does with NAME unset. */
const writtenFile: ValueType<string> = {
  parse(path) {
    if (/[/\\]$/.test(path)) throw new Refused(`names a directory, not a file: ${UNSET_HINT} Set it, or name the file; got "${path}"`);
    return path;
  },
};

/** A mounted secret's file, whole; a file that cannot be read is refused (its content is never printed). */
function secretFile(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new Refused(`cannot be read: ${(error as Error).message}`);
  }
}

/** The first line of a file (a mounted secret); the file's content is never printed. */
const firstLineOfFile: ValueType<string> = {
  parse(path) {
    const line = secretFile(path).split(/\r?\n/)[0].trim();
    if (!line) throw new Refused(`is empty: ${path}`);
    return line;
  },
};

/** Why a list with empty entries is refused (they are named by position from 1, with the fix), or nothing. */
function emptyEntriesProblem(found: readonly string[], fix: string): string | undefined {
  const empty = found.flatMap((entry, i) => (entry ? [] : [i + 1]));
  if (empty.length === 0) return undefined;
  const which = `${empty.length === 1 ? 'an empty entry' : 'empty entries'} (${empty.join(', ')} of ${found.length})`;
  return `has ${which}: ${UNSET_HINT} Set it, or ${fix}`;
}

/**
 * Entries separated by commas (or `separator`), trimmed. An empty one is refused rather than dropped: `123,,456`, a
 * trailing comma or `${A},${B}` with a variable unset must not quietly become a shorter list than the one written.
 */
function entries(value: string, { separator = /,/, named = 'comma' }: { separator?: RegExp; named?: string } = {}): string[] {
  const found = value.split(separator).map((entry) => entry.trim());
  const problem = emptyEntriesProblem(found, `remove the extra ${named}`);
  if (problem) throw new Refused(problem);
  return found;
}

/** `id=token` entries (a bare token is the approver `approver`), comma-separated or one per line; ids are unique. */
function approverEntries(value: string): Approver[] {
  const approvers: Approver[] = [];
  for (const entry of entries(value, { separator: /,|\r?\n/, named: 'comma or blank line' })) {
    const equals = entry.indexOf('=');
    const id = equals >= 0 ? entry.slice(0, equals).trim() : 'approver';
    const token = equals >= 0 ? entry.slice(equals + 1).trim() : entry;
    if (!id) throw new Refused(`has an entry that starts with = (an empty approver id): ${UNSET_HINT} Entries look like alice=TOKEN`);
    if (!/^[\w.@-]{1,64}$/.test(id)) throw new Refused('approver ids are 1 to 64 letters, digits or ._@- (entries look like alice=TOKEN)');
    const problem = secretProblem(token);
    if (problem) throw new Refused(`has a token that ${problem}`);
    if (approvers.some((a) => a.id === id)) throw new Refused(`names the approver ${id} twice`);
    approvers.push({ id, token });
  }
  return approvers;
}

const approverTokens: ValueType<Approver[]> = { parse: approverEntries };

/** Approvers from a file (a mounted secret), one `id=token` per line; the file's content is never printed. */
const approverTokensFile: ValueType<Approver[]> = {
  parse(path) {
    // One line end closes a text file; any other blank line is an entry left empty.
    const content = secretFile(path).replace(/\r?\n$/, '');
    if (!content.trim()) throw new Refused(`is empty: ${path}`);
    return approverEntries(content);
  },
};

/** Comma-separated entries, each matching `pattern` when one is given. */
function list(item?: { pattern: RegExp; is: string }): ValueType<string[]> {
  return {
    parse(value) {
      const found = entries(value);
      const bad = item && found.find((entry) => !item.pattern.test(entry));
      if (bad !== undefined) throw new Refused(`entries must each be ${item?.is}; "${bad}" is not`);
      return found;
    },
  };
}

/** `--confirm-writes`: `all`, or classes held on top of the always-held ones; `spend` names those and adds nothing. */
const confirmWrites: ValueType<ConfirmWrites> = {
  parse(value) {
    const names = entries(value);
    if (names.length === 1 && names[0] === 'all') return 'all';
    const valid = ['spend', ...OPTIONAL_HOLDS];
    const held = new Set<OptionalHold>();
    for (const name of names) {
      if (name === 'all') throw new Refused(`takes all alone (it holds every write); got "${value}"`);
      if (!valid.includes(name)) {
        const near = closest(name, [...valid, 'all'], 2);
        throw new Refused(`has an unknown class "${name}"${near.length ? ` (closest: ${near.join(', ')})` : ''}; name spend, data, destructive in any combination, or all`);
      }
      if (names.indexOf(name) !== names.lastIndexOf(name)) throw new Refused(`names ${name} twice`);
      if (name !== 'spend') held.add(name as OptionalHold);
    }
    return held;
  },
};

/** `kind=amount [CODE]` entries (src/money/cap-settings.ts): a known money kind, one cap per kind and currency. */
const caps: ValueType<Caps> = {
  parse(value) {
    try {
      return parseCaps(entries(value));
    } catch (error) {
      if (error instanceof CapSettingError) throw new Refused(error.message);
      throw error;
    }
  },
};

/** Types the table's entries so that each default matches its value type (the constraint keeps literal types). */
function setting<T extends string | number | boolean | object | undefined>(definition: Setting<T>): Setting<T> {
  return definition;
}

/**
 * Every setting once: flag, environment variable, type and range, default and help line. loadConfig reads them all,
 * helpText prints them, and the README's configuration table is checked against them.
 * Ranges not fixed elsewhere: timeouts stop at 10 minutes per attempt and an hour overall, retries at 10.
 */
export const SETTINGS = {
  transport: setting({ flag: 'transport', env: 'PINTEREST_MCP_TRANSPORT', type: oneOf(['stdio', 'http'] as const), default: 'stdio', help: 'how clients connect' }),
  host: setting({ flag: 'host', env: 'PINTEREST_MCP_HOST', type: text, default: '127.0.0.1', help: 'HTTP bind address' }),
  port: setting({ flag: 'port', env: 'PINTEREST_MCP_PORT', type: integer(0, 65_535), default: 3000, help: 'HTTP port; 0 picks any free port' }),
  stateful: setting({ flag: 'stateful', env: 'PINTEREST_MCP_STATEFUL', type: boolean, default: false, help: 'keep HTTP sessions for 2025-era clients (their dialogs over HTTP need one)' }),
  store: setting({ flag: 'store', env: 'PINTEREST_MCP_STORE', type: storeSpec, default: 'memory', help: 'memory, sqlite:PATH or redis://HOST:PORT' }),
  mode: setting({ flag: 'mode', env: 'PINTEREST_MCP_MODE', type: oneOf(['tools', 'discover'] as const), default: 'tools', help: 'list every selected tool, or discover them through search' }),
  toolsets: setting({
    flag: 'toolsets',
    env: 'PINTEREST_MCP_TOOLSETS',
    type: list(),
    default: [],
    help: 'comma-separated toolsets (listed below); default names the default ones (default,pins), all every tool (default: the default toolsets)',
  }),
  tools: setting({ flag: 'tools', env: 'PINTEREST_MCP_TOOLS', type: list(), default: [], help: 'comma-separated extra tools' }),
  excludeTools: setting({ flag: 'exclude-tools', env: 'PINTEREST_MCP_EXCLUDE_TOOLS', type: list(), default: [], help: 'comma-separated tools to leave out, whatever selects them' }),
  readOnly: setting({ flag: 'read-only', env: 'PINTEREST_MCP_READ_ONLY', type: boolean, default: false, help: 'list and allow only tools that do not write' }),
  confirmWrites: setting({
    flag: 'confirm-writes',
    env: 'PINTEREST_MCP_CONFIRM_WRITES',
    type: confirmWrites,
    default: new Set<OptionalHold>(['data', 'destructive']),
    help: 'which writes need confirmation: spend (money, status, schedules, targeting, bidding, billing, access: always held), data (also personal data and what bidding learns from), destructive (also deletes), in any combination, or all (every write); default spend,data,destructive',
  }),
  confirmTtlSeconds: setting({ flag: 'confirm-ttl', env: 'PINTEREST_MCP_CONFIRM_TTL', type: integer(10, 86_400), default: 600, help: 'confirmation token lifetime, seconds' }),
  approval: setting({
    flag: 'approval',
    env: 'PINTEREST_MCP_APPROVAL',
    type: oneOf(['auto', 'person', 'model'] as const),
    default: 'auto',
    help: 'who sends a held write: person (a dialog or the approval page), auto (person, plus --approval-fallback where no person can be asked) or model (the weaker confirmation_token flow)',
  }),
  approvalFallback: setting({
    flag: 'approval-fallback',
    env: 'PINTEREST_MCP_APPROVAL_FALLBACK',
    type: oneOf(['none', 'model'] as const),
    default: 'none',
    help: 'with --approval auto: model lets a held write fall back to the token flow where no person can be asked (each fallback is logged)',
  }),
  approvalChannels: setting({
    flag: 'approval-channels',
    env: 'PINTEREST_MCP_APPROVAL_CHANNELS',
    type: list({ pattern: /^(page|dialog)$/, is: 'page or dialog (token comes with --approval model)' }),
    default: undefined,
    help: "whose approval counts: page (a person on the approval page), dialog (the client's own dialog: only where your clients are apps a person uses, not bots); default dialog,page on stdio, page on HTTP",
  }),
  maxPendingApprovals: setting({
    flag: 'max-pending-approvals',
    env: 'PINTEREST_MCP_MAX_PENDING_APPROVALS',
    type: integer(1, 1_000),
    default: 10,
    help: 'most approvals one client may have waiting; the next held call answers too_many_pending',
  }),
  approvalTabSeconds: setting({
    env: 'PINTEREST_MCP_APPROVAL_TAB_SECONDS',
    type: integer(0, 3_600),
    default: 30,
    help: "stdio: a browser tab opens at most once per this many seconds; later approvals wait on the page's list",
  }),
  approvalPort: setting({ flag: 'approval-port', env: 'PINTEREST_MCP_APPROVAL_PORT', type: integer(0, 65_535), default: 0, help: 'stdio: loopback port of the approval page; 0 picks any free port' }),
  browser: setting({ env: 'BROWSER', type: text, default: undefined, help: 'stdio: command that opens the approval page (%s is the link); default xdg-open, open or start' }),
  approvalWebhook: setting({ flag: 'approval-webhook', env: 'PINTEREST_MCP_APPROVAL_WEBHOOK', type: baseUrl, default: undefined, help: 'POST a JSON summary of each new approval here (no secrets)' }),
  caps: setting({ flag: 'caps', env: 'PINTEREST_MCP_CAPS', type: caps, default: {}, help: "money caps per kind (listed below) and currency, e.g. daily_budget=50 USD,daily_budget=7500 JPY,bid=2 USD; a capped kind refuses accounts in a currency it has no cap for; a cap without a currency applies in any account's currency" }),
  adAccounts: setting({
    flag: 'ad-accounts',
    env: 'PINTEREST_MCP_AD_ACCOUNTS',
    type: list({ pattern: /^\d+$/, is: 'an ad account id (digits only)' }),
    default: [],
    help: 'limit every tool to these ad accounts (comma-separated ids); others are refused',
  }),
  auditLog: setting({ flag: 'audit-log', env: 'PINTEREST_MCP_AUDIT_LOG', type: writtenFile, default: undefined, help: 'append one JSON line per executed write to this file' }),
  maxResultChars: setting({ flag: 'max-result-chars', env: 'PINTEREST_MCP_MAX_RESULT_CHARS', type: integer(1000, 10_000_000), default: 25_000, help: 'cut results longer than this' }),
  logLevel: setting({
    flag: 'log-level',
    env: 'PINTEREST_MCP_LOG_LEVEL',
    type: oneOf(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const),
    default: 'info',
    help: 'stderr log level; warnings also go to MCP clients that enable logging',
  }),
  demo: setting({ flag: 'demo', env: 'PINTEREST_MCP_DEMO', type: boolean, default: false, help: 'serve an in-process fake Pinterest API (no token needed)' }),
  config: setting({
    flag: 'config',
    env: 'PINTEREST_MCP_CONFIG',
    type: text,
    default: undefined,
    help: 'JSON file of settings keyed by flag name, e.g. {"toolsets": "default,pins", "read-only": true}; flags and variables win over it',
  }),
  help: setting({ flag: 'help', type: boolean, default: false, help: 'print this help' }),
  version: setting({ flag: 'version', type: boolean, default: false, help: 'print the version' }),

  httpToken: setting({ env: 'PINTEREST_MCP_HTTP_TOKEN', type: text, default: undefined, secret: true, help: 'bearer token every /mcp request must carry (required off loopback)' }),
  httpTokenFile: setting({ env: 'PINTEREST_MCP_HTTP_TOKEN_FILE', type: firstLineOfFile, default: undefined, secret: true, help: 'file whose first line is that bearer token (a mounted secret)' }),
  allowedOrigins: setting({ env: 'PINTEREST_MCP_ALLOWED_ORIGINS', type: list(), default: [], help: 'extra allowed Origin values, comma-separated (loopback is always allowed)' }),
  allowedHosts: setting({ env: 'PINTEREST_MCP_ALLOWED_HOSTS', type: list(), default: [], help: 'extra allowed Host values, comma-separated (loopback is always allowed)' }),
  maxBodyBytes: setting({ env: 'PINTEREST_MCP_MAX_BODY_BYTES', type: integer(1024, 100_000_000), default: 1_000_000, help: 'HTTP request body limit, bytes' }),
  headersTimeoutMs: setting({
    env: 'PINTEREST_MCP_HTTP_HEADERS_TIMEOUT_MS',
    type: integer(100, 600_000),
    default: 10_000,
    help: "time a client has to send an HTTP request's headers, milliseconds (at most the request timeout); then 408 and the connection closes",
  }),
  requestTimeoutMs: setting({
    env: 'PINTEREST_MCP_HTTP_REQUEST_TIMEOUT_MS',
    type: integer(100, 3_600_000),
    default: 60_000,
    help: 'time a client has to send a whole HTTP request, milliseconds; then 408 and the connection closes (answers may take longer)',
  }),
  maxSessionsPerClient: setting({
    env: 'PINTEREST_MCP_HTTP_MAX_SESSIONS_PER_CLIENT',
    type: integer(1, 1_000_000),
    default: 50,
    help: 'with --stateful, most sessions kept for one client address; a new one closes its longest-idle session',
  }),
  maxSessions: setting({
    env: 'PINTEREST_MCP_HTTP_MAX_SESSIONS',
    type: integer(1, 1_000_000),
    default: 1_000,
    help: 'with --stateful, most sessions kept in all; a new one closes the longest-idle session',
  }),
  sessionIdleSeconds: setting({ env: 'PINTEREST_MCP_HTTP_SESSION_IDLE_SECONDS', type: integer(1, 86_400), default: 300, help: 'with --stateful, a session without requests for this long is closed, seconds' }),
  keepAliveTimeoutMs: setting({ env: 'PINTEREST_MCP_HTTP_KEEP_ALIVE_TIMEOUT_MS', type: integer(100, 600_000), default: 5_000, help: 'an idle kept-alive HTTP connection is closed after this long, milliseconds' }),
  timeoutMs: setting({ env: 'PINTEREST_MCP_TIMEOUT_MS', type: integer(1, 600_000), default: 30_000, help: 'timeout of one API request attempt, milliseconds' }),
  totalTimeoutMs: setting({ env: 'PINTEREST_MCP_TOTAL_TIMEOUT_MS', type: integer(1, 3_600_000), default: 90_000, help: 'timeout of one API call across its retries, milliseconds' }),
  retries: setting({ env: 'PINTEREST_MCP_RETRIES', type: integer(0, 10), default: 3, help: 'retries of a failed read (and of a write that carries an idempotency key)' }),
  storeTimeoutMs: setting({
    env: 'PINTEREST_MCP_STORE_TIMEOUT_MS',
    type: integer(100, 60_000),
    default: 5_000,
    help: 'longest wait for one operation of the shared store, milliseconds; then it counts as unavailable (a held write is then not sent)',
  }),
  maxResponseBytes: setting({ env: 'PINTEREST_MCP_MAX_RESPONSE_BYTES', type: integer(1024, 1_000_000_000), default: 20_000_000, help: 'largest API answer read (bigger ones are refused unread), bytes' }),
  sandbox: setting({ env: 'PINTEREST_SANDBOX', type: boolean, default: false, help: `use ${SANDBOX_URL} (operations the sandbox lacks are refused)` }),
  pinterestBaseUrl: setting({
    env: 'PINTEREST_API_BASE_URL',
    type: baseUrl,
    default: undefined,
    help: `Pinterest API base URL (default ${PRODUCTION_URL}, or the sandbox's with PINTEREST_SANDBOX)`,
  }),
  approverToken: setting({
    env: 'PINTEREST_MCP_APPROVER_TOKEN',
    type: approverTokens,
    default: undefined,
    secret: true,
    help: 'HTTP: who may approve on /approvals, as id=token entries, comma-separated (a bare token is the approver "approver"); distinct from the bearer token',
  }),
  approverTokenFile: setting({ env: 'PINTEREST_MCP_APPROVER_TOKEN_FILE', type: approverTokensFile, default: undefined, secret: true, help: 'file with those approvers, one id=token per line (a mounted secret)' }),
  accessToken: setting({ env: 'PINTEREST_ACCESS_TOKEN', type: text, default: undefined, secret: true, help: 'Pinterest OAuth access token' }),
  appId: setting({ env: 'PINTEREST_APP_ID', type: text, default: undefined, help: 'Pinterest app id, to refresh access tokens through oauth/token' }),
  appSecret: setting({ env: 'PINTEREST_APP_SECRET', type: text, default: undefined, secret: true, help: 'Pinterest app secret, to refresh access tokens' }),
  refreshToken: setting({ env: 'PINTEREST_REFRESH_TOKEN', type: text, default: undefined, secret: true, help: 'Pinterest refresh token, to refresh access tokens' }),
  whopApiKey: setting({ env: 'WHOP_API_KEY', type: text, default: undefined, secret: true, help: 'Whop API key (also lists the whop toolset)' }),
  whopBaseUrl: setting({ env: 'WHOP_API_BASE_URL', type: baseUrl, default: WHOP_URL, help: 'Whop API base URL' }),
  whopCurrency: setting({ env: 'WHOP_CURRENCY', type: currencyCode, default: 'USD', help: "Whop account currency, assumed only where Whop reports none yet (an account's first campaign)" }),
};

type SettingName = keyof typeof SETTINGS;
type SettingValues = { [Name in SettingName]: (typeof SETTINGS)[Name] extends Setting<infer T> ? T : never };
type FlagValues = Record<string, string | boolean | undefined>;

function describeDefault(value: unknown): string | undefined {
  if (value === undefined || (Array.isArray(value) && value.length === 0)) return undefined;
  if (typeof value === 'boolean') return value ? 'on' : 'off';
  if (typeof value === 'object') return Object.keys(value as object).length === 0 ? undefined : JSON.stringify(value);
  return String(value);
}

/** Help lines for some settings, each under a name (`--port` or a variable), the help aligned in one column. */
function helpLines(named: [string, Setting<unknown>][], showEnv: boolean): string[] {
  const width = Math.max(...named.map(([name]) => name.length));
  return named.map(([name, definition]) => {
    const shownDefault = /\bdefault\b/.test(definition.help) ? undefined : describeDefault(definition.default);
    const notes = [definition.type.summary, shownDefault && `default ${shownDefault}`, definition.secret && 'secret'].filter(Boolean);
    const env = showEnv && definition.env ? ` [${definition.env}]` : '';
    return `  ${name.padEnd(width)}  ${definition.help}${notes.length > 0 ? ` (${notes.join('; ')})` : ''}${env}`;
  });
}

/** One line per toolset: its name, the default mark and what it holds. */
function toolsetLines(): string[] {
  const names = Object.keys(TOOLSETS) as (keyof typeof TOOLSETS)[];
  const width = Math.max(...names.map((n) => n.length)) + 2;
  return names.map((name) => {
    const mark = (DEFAULT_TOOLSETS as readonly string[]).includes(name) ? ' *' : '';
    return `  ${(name + mark).padEnd(width)}  ${TOOLSETS[name].description}`;
  });
}

export function helpText(): string {
  const all: Setting<unknown>[] = Object.values(SETTINGS);
  const flags = all.flatMap((s): [string, Setting<unknown>][] => (s.flag ? [[`--${s.flag}`, s]] : []));
  const envOnly = all.flatMap((s): [string, Setting<unknown>][] => (!s.flag && s.env ? [[s.env, s]] : []));
  return [
    'Usage: pinterest-api-mcp [options]',
    '',
    'Options (each also read from the environment variable in brackets; a flag wins):',
    ...helpLines(flags, true),
    '',
    'Environment only (credentials are never printed):',
    ...helpLines(envOnly, false),
    '',
    `Booleans accept ${BOOLEAN_ACCEPTED} in any case; a bare flag means on. Empty values count as not given; an empty entry in a list (1,,2) is refused.`,
    '',
    'Toolsets for --toolsets (* marks the default ones; whop is added whenever WHOP_API_KEY is set):',
    ...toolsetLines(),
    '',
    'Kinds for --caps (amounts in major units of the currency named, e.g. bid=2 USD):',
    ...MONEY_KINDS.map((kind) => `  ${kind.padEnd(15)}  ${MONEY_KIND_HELP[kind]}`),
    '',
    'What --confirm-writes holds for confirmation (everything else is sent at once):',
    ...confirmationLevels().map((line) => `  ${line}`),
    '',
  ].join('\n');
}

/** Parses one given value (`undefined` or empty: not given), naming where it came from when it is refused. */
function parseGiven<T>(definition: Setting<T>, source: string, given: string | undefined): { value: T } | undefined {
  const trimmed = given?.trim();
  if (!trimmed) return undefined;
  try {
    const value = definition.type.parse(trimmed);
    const problem = definition.secret && typeof value === 'string' ? secretProblem(value) : undefined;
    if (problem) throw new Refused(problem);
    return { value };
  } catch (error) {
    if (error instanceof Refused) throw new ConfigError(`${source} ${error.message}`);
    throw error;
  }
}

/** Where a setting's text came from, in the order that decides: flag, variable, --config file. */
interface Sources {
  flags: FlagValues;
  env: NodeJS.ProcessEnv;
  /** The config file's settings as flag text, by flag name, and the file's path for messages. */
  file?: { path: string; values: Record<string, string> };
}

/**
 * A setting's value: the flag's if given, else the variable's, else the config file's, else the default. Every one
 * given is checked, so that a bad value is reported even where another source overrides it.
 */
function readSetting<T>(definition: Setting<T>, { flags, env, file }: Sources): T {
  const fromFile = definition.flag && file ? parseGiven(definition, `${file.path}: "${definition.flag}"`, file.values[definition.flag]) : undefined;
  const fromEnv = definition.env ? parseGiven(definition, definition.env, env[definition.env]) : undefined;
  const flagValue = definition.flag ? flags[definition.flag] : undefined;
  const fromFlag = parseGiven(definition, `--${definition.flag}`, flagValue === true ? 'true' : flagValue || undefined);
  return (fromFlag ?? fromEnv ?? fromFile ?? { value: definition.default }).value;
}

/** Flags that act on the command line itself and cannot come from a config file. */
const COMMAND_LINE_ONLY: readonly string[] = ['config', 'help', 'version'];

/** A config file value as the text its flag would carry: arrays join with commas, objects as key=value entries (caps). */
function flagText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'boolean' || (typeof value === 'number' && Number.isFinite(value))) return String(value);
  if (Array.isArray(value) && value.every((v) => typeof v === 'string' || typeof v === 'number')) return value.join(',');
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    const pairs = Object.entries(value);
    // A list under a key gives that key several entries (caps in several currencies: {"bid": ["2 USD", "300 JPY"]}).
    const scalar = (v: unknown) => typeof v === 'string' || typeof v === 'number';
    if (pairs.every(([, v]) => scalar(v) || (Array.isArray(v) && v.length > 0 && v.every(scalar)))) {
      return pairs.flatMap(([k, v]) => (Array.isArray(v) ? v : [v]).map((one) => `${k}=${String(one)}`)).join(',');
    }
  }
  return undefined;
}

/** A key given twice in one object of a JSON text, with where it sits and the lines (from 1) of both. */
interface DuplicateKey {
  key: string;
  parents: JSONPath;
  lines: [number, number];
}

/** The first key given twice in one object of a JSON text that JSON.parse took: it keeps the last silently. */
function firstDuplicateKey(text: string): DuplicateKey | undefined {
  const openObjects: Map<string, number>[] = [];
  let found: DuplicateKey | undefined;
  visit(
    text,
    {
      onObjectBegin: () => {
        openObjects.push(new Map());
      },
      onObjectEnd: () => {
        openObjects.pop();
      },
      onObjectProperty: (key, _offset, _length, line, _character, parents) => {
        const seen = openObjects[openObjects.length - 1];
        const earlier = seen.get(key);
        if (earlier !== undefined) found ??= { key, parents: parents(), lines: [earlier + 1, line + 1] };
        seen.set(key, line);
      },
    },
  );
  return found;
}

/** The settings of a `--config` JSON file, keyed by flag name, each checked later by the same table as its flag. */
function readConfigFile(path: string): { path: string; values: Record<string, string> } {
  let text: string;
  let parsed: unknown;
  try {
    // JSON.parse is the strict grammar (no comments, no trailing commas) and says where the text goes wrong.
    text = readFileSync(path, 'utf8');
    parsed = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(`--config ${path} cannot be read as JSON: ${(error as Error).message}`);
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new ConfigError(`--config ${path} must hold one JSON object of settings keyed by flag name, such as {"read-only": true}`);
  }
  const duplicate = firstDuplicateKey(text);
  if (duplicate) {
    const where = duplicate.parents.length ? ` in "${duplicate.parents.join('.')}"` : '';
    const [first, second] = duplicate.lines;
    throw new ConfigError(
      `${path}: "${duplicate.key}" is given twice${where} (${first === second ? `line ${first}` : `lines ${first} and ${second}`}); JSON keeps only the last, so give it once`,
    );
  }
  const flagNames = (Object.values(SETTINGS) as Setting<unknown>[]).flatMap((s) => (s.flag && !COMMAND_LINE_ONLY.includes(s.flag) ? [s.flag] : []));
  const values: Record<string, string> = {};
  for (const [key, value] of Object.entries(parsed)) {
    if (!flagNames.includes(key)) {
      const near = closest(key, flagNames, 3);
      throw new ConfigError(
        `${path}: "${key}" is not a setting a config file takes (keys are flag names without dashes${near.length ? `; closest: ${near.join(', ')}` : ''}); credentials come from the environment only`,
      );
    }
    const given = flagText(value);
    if (given === undefined) throw new ConfigError(`${path}: "${key}" must be a string, number, boolean or list, as its flag would take`);
    // Joined with commas, [""] would be an empty value, which counts as not given: check the entries themselves.
    const empty = Array.isArray(value) ? emptyEntriesProblem(value.map((entry) => String(entry).trim()), 'remove the empty entry') : undefined;
    if (empty) throw new ConfigError(`${path}: "${key}" ${empty}`);
    values[key] = given;
  }
  return { path, values };
}

function parseFlags(argv: string[]): FlagValues {
  const options: Record<string, { type: 'string' | 'boolean' }> = {};
  for (const definition of Object.values(SETTINGS) as Setting<unknown>[]) {
    if (definition.flag) options[definition.flag] = { type: definition.type.bare ? 'boolean' : 'string' };
  }
  try {
    return parseArgs({ args: argv, options, strict: true, allowPositionals: false }).values;
  } catch (error) {
    // Unknown flags, a missing value, a value given to a bare flag.
    if ((error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) throw new ConfigError((error as Error).message);
    throw error;
  }
}

/**
 * The approval channels in force: the operator's list, else the transport's default (stdio: the client is the
 * person's own app, so its dialog counts; HTTP: the client is usually a bot, so only the page). `model` mode sends
 * held writes on the model's token, and a dialog where allowed; it serves no approval page.
 */
function approvalChannels(mode: ApprovalMode, listed: readonly string[] | undefined, transport: Transport): ApprovalChannel[] {
  const given = listed as ApprovalChannel[] | undefined;
  if (mode === 'model') {
    if (given?.includes('page')) throw new ConfigError('--approval-channels page needs --approval person or auto: with --approval model the model confirms held writes itself');
    return ['token', ...(given ?? (transport === 'stdio' ? ['dialog' as const] : []))];
  }
  const channels = given ?? (transport === 'stdio' ? ['dialog', 'page'] : ['page']);
  return [...new Set(channels)];
}

export function loadConfig(
  argv: string[] = process.argv.slice(2),
  env: NodeJS.ProcessEnv = process.env,
): Config & { help: boolean; version: boolean } {
  const flags = parseFlags(argv);
  const configPath = readSetting(SETTINGS.config, { flags, env });
  const sources: Sources = { flags, env, file: configPath ? readConfigFile(configPath) : undefined };
  const settings = Object.fromEntries(
    Object.entries(SETTINGS).map(([name, definition]) => [name, readSetting(definition as Setting<unknown>, sources)]),
  ) as SettingValues;
  const httpToken = settings.httpToken ?? settings.httpTokenFile;
  const approvers = settings.approverToken ?? settings.approverTokenFile ?? [];
  if (settings.approvalFallback === 'model' && settings.approval !== 'auto') {
    throw new ConfigError(`--approval-fallback model needs --approval auto (got --approval ${settings.approval})`);
  }
  const channels = approvalChannels(settings.approval, settings.approvalChannels, settings.transport);
  if (httpToken && approvers.some((a) => a.token === httpToken)) {
    throw new ConfigError('PINTEREST_MCP_APPROVER_TOKEN must differ from PINTEREST_MCP_HTTP_TOKEN: the bot that calls tools must not approve them');
  }
  return {
    help: settings.help,
    version: settings.version,
    transport: settings.transport,
    host: settings.host,
    port: settings.port,
    stateful: settings.stateful,
    store: settings.store,
    storeTimeoutMs: settings.storeTimeoutMs,
    mode: settings.mode,
    toolsets: settings.toolsets,
    tools: settings.tools,
    excludeTools: settings.excludeTools,
    readOnly: settings.readOnly,
    confirmWrites: settings.confirmWrites,
    confirmTtlSeconds: settings.confirmTtlSeconds,
    approval: {
      mode: settings.approval,
      modelFallback: settings.approvalFallback === 'model',
      channels,
      maxPending: settings.maxPendingApprovals,
      tabSeconds: settings.approvalTabSeconds,
      approvers,
      pagePort: settings.approvalPort,
      webhook: settings.approvalWebhook,
      browser: settings.browser,
    },
    caps: settings.caps,
    adAccounts: settings.adAccounts,
    auditLog: settings.auditLog,
    maxResultChars: settings.maxResultChars,
    logLevel: settings.logLevel,
    demo: settings.demo,
    secrets: (Object.keys(SETTINGS) as SettingName[]).flatMap((name) => {
      const value = settings[name];
      return (SETTINGS[name] as Setting<unknown>).secret && typeof value === 'string' ? [value] : [];
    }).concat(approvers.map((a) => a.token)),
    http: {
      token: httpToken,
      allowedOrigins: settings.allowedOrigins,
      allowedHosts: settings.allowedHosts,
      maxBodyBytes: settings.maxBodyBytes,
      headersTimeoutMs: settings.headersTimeoutMs,
      requestTimeoutMs: settings.requestTimeoutMs,
      keepAliveTimeoutMs: settings.keepAliveTimeoutMs,
      sessions: { perClient: settings.maxSessionsPerClient, total: settings.maxSessions, idleSeconds: settings.sessionIdleSeconds },
    },
    pinterest: {
      baseUrl: settings.pinterestBaseUrl ?? (settings.sandbox ? SANDBOX_URL : PRODUCTION_URL),
      sandbox: settings.sandbox,
      accessToken: settings.accessToken,
      appId: settings.appId,
      appSecret: settings.appSecret,
      refreshToken: settings.refreshToken,
    },
    whop: { baseUrl: settings.whopBaseUrl, apiKey: settings.whopApiKey, currency: settings.whopCurrency },
    client: { timeoutMs: settings.timeoutMs, totalTimeoutMs: settings.totalTimeoutMs, retries: settings.retries, maxResponseBytes: settings.maxResponseBytes },
  };
}
