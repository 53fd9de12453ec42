// The one table of settings: every flag and variable of the server, each API's own beside them, and the Config type derived from it.
import type { APIS } from '../apis/index.js';
import { type Setting, type SettingValue, baseUrl, boolean, integer, list, oneOf, text } from '../core/settings.js';
import {
  type Approver,
  type ClientIdDocuments,
  accountApprovers,
  approverTokens,
  approverTokensFile,
  caps,
  clientIdDocuments,
  confirmWrites,
  firstLineOfFile,
  publicUrl,
  storeSpec,
  tokenKeyRing,
  tokenKeyRingFile,
  trustedProxies,
  writtenFile,
} from './values.js';
import { CONFIGURED_APIS, DEMO_API, SIGN_IN_LABEL } from './apis.js';
import type { OptionalHold } from '../apis/classification.js';

/**
 * A server setting, with `to`: where its value goes in Config (a dotted path), or null where loadConfig combines it
 * with others (`httpToken` or its file) or it acts on the command line itself (`--help`). Types the entry so that its
 * default matches its value type (the constraint keeps literal types).
 */
function setting<T extends string | number | boolean | object | undefined, const To extends string | null>(
  definition: Setting<T> & { to: To },
): Setting<T> & { to: To } {
  return definition;
}

/**
 * The transports `--transport` offers, and whose approval counts on each unless `--approval-channels` says otherwise
 * (with a person's approval, and with `--approval model`, which adds the model's token): a client on stdio is the
 * person's own app, so its dialog counts; over HTTP the client is usually a bot, so only the page does. A new
 * transport is a row here, its module in src/transports/, and its choice in src/cli/serve.ts.
 */
export const TRANSPORTS = {
  stdio: { channels: { person: ['dialog', 'page'], model: ['dialog'] } },
  http: { channels: { person: ['page'], model: [] } },
} as const satisfies Record<string, { channels: { person: readonly ('dialog' | 'page')[]; model: readonly 'dialog'[] } }>;

/**
 * The server's own settings once: flag, environment variable, type and range, default, help line and where the value
 * goes. loadConfig reads them all, helpText prints them, and the README's configuration table is checked against them.
 * Ranges not fixed elsewhere: timeouts stop at 10 minutes per attempt and an hour overall, retries at 10.
 */
export const SERVER_SETTINGS = {
  transport: setting({ to: 'transport', flag: 'transport', env: 'PINTEREST_MCP_TRANSPORT', type: oneOf(Object.keys(TRANSPORTS) as (keyof typeof TRANSPORTS)[]), default: 'stdio', help: 'how clients connect' }),
  host: setting({ to: 'host', flag: 'host', env: 'PINTEREST_MCP_HOST', type: text, default: '127.0.0.1', help: 'HTTP bind address' }),
  port: setting({ to: 'port', flag: 'port', env: 'PINTEREST_MCP_PORT', type: integer(0, 65_535), default: 3000, help: 'HTTP port; 0 picks any free port' }),
  stateful: setting({ to: 'stateful', flag: 'stateful', env: 'PINTEREST_MCP_STATEFUL', type: boolean, default: false, help: 'keep HTTP sessions for 2025-era clients (their dialogs over HTTP need one)' }),
  store: setting({ to: 'store', flag: 'store', env: 'PINTEREST_MCP_STORE', type: storeSpec, default: 'memory', help: 'memory, sqlite:PATH or redis://HOST:PORT' }),
  mode: setting({ to: 'mode', flag: 'mode', env: 'PINTEREST_MCP_MODE', type: oneOf(['tools', 'discover'] as const), default: 'tools', help: 'list every selected tool, or discover them through search' }),
  toolsets: setting({
    to: 'toolsets',
    flag: 'toolsets',
    env: 'PINTEREST_MCP_TOOLSETS',
    type: list(),
    default: [],
    help: 'comma-separated toolsets (listed below); default names the default ones (default,pins), all every tool (default: the default toolsets)',
  }),
  tools: setting({ to: 'tools', flag: 'tools', env: 'PINTEREST_MCP_TOOLS', type: list(), default: [], help: 'comma-separated extra tools' }),
  excludeTools: setting({ to: 'excludeTools', flag: 'exclude-tools', env: 'PINTEREST_MCP_EXCLUDE_TOOLS', type: list(), default: [], help: 'comma-separated tools to leave out, whatever selects them' }),
  readOnly: setting({ to: 'readOnly', flag: 'read-only', env: 'PINTEREST_MCP_READ_ONLY', type: boolean, default: false, help: 'list and allow only tools that do not write' }),
  confirmWrites: setting({
    to: 'confirmWrites',
    flag: 'confirm-writes',
    env: 'PINTEREST_MCP_CONFIRM_WRITES',
    type: confirmWrites,
    default: new Set<OptionalHold>(['data', 'destructive']),
    help: 'which writes need confirmation: spend (money, status, schedules, targeting, bidding, billing, access: always held), data (also personal data and what bidding learns from), destructive (also deletes), in any combination, or all (every write); default spend,data,destructive',
  }),
  confirmTtlSeconds: setting({ to: 'confirmTtlSeconds', flag: 'confirm-ttl', env: 'PINTEREST_MCP_CONFIRM_TTL', type: integer(10, 86_400), default: 600, help: 'confirmation token lifetime, seconds' }),
  approval: setting({
    to: 'approval.mode',
    flag: 'approval',
    env: 'PINTEREST_MCP_APPROVAL',
    type: oneOf(['auto', 'person', 'model'] as const),
    default: 'auto',
    help: 'who sends a held write: person (a dialog or the approval page), auto (person, plus --approval-fallback where no person can be asked) or model (the weaker confirmation_token flow)',
  }),
  approvalFallback: setting({
    to: null,
    flag: 'approval-fallback',
    env: 'PINTEREST_MCP_APPROVAL_FALLBACK',
    type: oneOf(['none', 'model'] as const),
    default: 'none',
    help: 'with --approval auto: model lets a held write fall back to the token flow where no person can be asked (each fallback is logged)',
  }),
  approvalChannels: setting({
    to: null,
    flag: 'approval-channels',
    env: 'PINTEREST_MCP_APPROVAL_CHANNELS',
    type: list({ pattern: /^(page|dialog)$/, is: 'page or dialog (token comes with --approval model)' }),
    default: undefined,
    help: "whose approval counts: page (a person on the approval page), dialog (the client's own dialog: only where your clients are apps a person uses, not bots); default dialog,page on stdio, page on HTTP",
  }),
  maxPendingApprovals: setting({
    to: 'approval.maxPending',
    flag: 'max-pending-approvals',
    env: 'PINTEREST_MCP_MAX_PENDING_APPROVALS',
    type: integer(1, 1_000),
    default: 10,
    help: 'most approvals one client may have waiting; the next held call answers too_many_pending',
  }),
  maxApprovals: setting({
    to: 'approval.maxStored',
    env: 'PINTEREST_MCP_MAX_APPROVALS',
    type: integer(1, 1_000_000),
    default: 1_000,
    help: 'most approvals kept in the store in all (waiting, being sent, decided within their day); a new one first drops the oldest decided or expired ones, else the held call answers too_many_pending',
  }),
  maxPendingConfirmations: setting({
    to: 'confirmations.maxPending',
    flag: 'max-pending-confirmations',
    env: 'PINTEREST_MCP_MAX_PENDING_CONFIRMATIONS',
    type: integer(1, 10_000),
    default: 20,
    help: 'most unused confirmation tokens, and most unanswered confirmation dialogs, one client may have; the next held call answers too_many_pending',
  }),
  maxConfirmations: setting({
    to: 'confirmations.maxStored',
    env: 'PINTEREST_MCP_MAX_CONFIRMATIONS',
    type: integer(1, 1_000_000),
    default: 10_000,
    help: 'most unused confirmation tokens, and most unanswered confirmation dialogs, kept in the store in all; the next held call answers too_many_pending',
  }),
  maxCachedAccounts: setting({
    to: 'maxCachedAccounts',
    env: 'PINTEREST_MCP_MAX_CACHED_ACCOUNTS',
    type: integer(1, 1_000_000),
    default: 10_000,
    help: "most ad accounts' names and currencies each process keeps cached in the store (an hour each); the least recently used is dropped first",
  }),
  approvalTabSeconds: setting({
    to: 'approval.tabSeconds',
    env: 'PINTEREST_MCP_APPROVAL_TAB_SECONDS',
    type: integer(0, 3_600),
    default: 30,
    help: "stdio: a browser tab opens at most once per this many seconds; later approvals wait on the page's list",
  }),
  approvalPort: setting({ to: 'approval.pagePort', flag: 'approval-port', env: 'PINTEREST_MCP_APPROVAL_PORT', type: integer(0, 65_535), default: 0, help: 'stdio: loopback port of the approval page; 0 picks any free port' }),
  browser: setting({
    to: 'approval.browser',
    env: 'BROWSER',
    type: text,
    default: undefined,
    help: 'stdio: command that opens the approval page (%s is the link); default xdg-open, open or start',
    emptyIsUnset: "a shared variable, not this server's: other programs read an empty BROWSER as unset too; it only picks how a tab opens",
  }),
  approvalWebhook: setting({ to: 'approval.webhook', flag: 'approval-webhook', env: 'PINTEREST_MCP_APPROVAL_WEBHOOK', type: baseUrl, default: undefined, help: 'POST a JSON summary of each new approval here (no secrets)' }),
  caps: setting({ to: 'caps', flag: 'caps', env: 'PINTEREST_MCP_CAPS', type: caps, default: {}, help: "money caps per kind (listed below) and currency, e.g. daily_budget=50 USD,daily_budget=7500 JPY,bid=2 USD; a capped kind refuses accounts in a currency it has no cap for; a cap without a currency applies in any account's currency" }),
  adAccounts: setting({
    to: 'adAccounts',
    flag: 'ad-accounts',
    env: 'PINTEREST_MCP_AD_ACCOUNTS',
    type: list({ pattern: /^\d+$/, is: 'an ad account id (digits only)' }),
    default: [],
    help: 'limit every tool to these ad accounts (comma-separated ids); others are refused',
  }),
  auditLog: setting({ to: 'auditLog', flag: 'audit-log', env: 'PINTEREST_MCP_AUDIT_LOG', type: writtenFile, default: undefined, help: 'append one JSON line per executed write to this file' }),
  maxResultChars: setting({ to: 'maxResultChars', flag: 'max-result-chars', env: 'PINTEREST_MCP_MAX_RESULT_CHARS', type: integer(1000, 10_000_000), default: 25_000, help: 'cut answers longer than this, errors and previews too' }),
  logLevel: setting({
    to: 'logLevel',
    flag: 'log-level',
    env: 'PINTEREST_MCP_LOG_LEVEL',
    type: oneOf(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const),
    default: 'info',
    help: 'stderr log level; warnings also go to MCP clients that enable logging',
  }),
  demo: setting({ to: 'demo', flag: 'demo', env: 'PINTEREST_MCP_DEMO', type: boolean, default: false, help: `serve an in-process fake ${DEMO_API?.label} API (no token needed)` }),
  config: setting({
    to: null,
    flag: 'config',
    env: 'PINTEREST_MCP_CONFIG',
    type: text,
    default: undefined,
    help: 'JSON file of settings keyed by flag name, e.g. {"toolsets": "default,pins", "read-only": true}; flags and variables win over it',
  }),
  help: setting({ to: null, flag: 'help', type: boolean, default: false, help: 'print this help' }),
  version: setting({ to: null, flag: 'version', type: boolean, default: false, help: 'print the version' }),

  auth: setting({
    to: 'http.auth',
    flag: 'auth',
    env: 'PINTEREST_MCP_AUTH',
    type: oneOf(['bearer', 'oauth'] as const),
    default: 'bearer',
    help: `HTTP: how /mcp callers authenticate: bearer (one static token, PINTEREST_MCP_HTTP_TOKEN) or oauth (each person signs in with ${SIGN_IN_LABEL} through this server, MCP authorization; needs --public-url and PINTEREST_MCP_TOKEN_KEY)`,
  }),
  publicUrl: setting({
    to: 'http.publicUrl',
    flag: 'public-url',
    env: 'PINTEREST_MCP_PUBLIC_URL',
    type: publicUrl,
    default: undefined,
    help: 'with --auth oauth: the canonical URL clients reach this server at (https; http only on loopback); tokens are issued for <it>/mcp',
  }),
  clientIdDocuments: setting({
    to: null,
    flag: 'client-id-documents',
    env: 'PINTEREST_MCP_CLIENT_ID_DOCUMENTS',
    type: clientIdDocuments,
    default: undefined,
    help: 'with --auth oauth: clients that name themselves by the https URL of their metadata document (Client ID Metadata Documents, fetched from there): on (any host), off (dynamic registration only), or the hosts whose documents are accepted, comma-separated (default on)',
  }),
  tokenKey: setting({
    to: null,
    env: 'PINTEREST_MCP_TOKEN_KEY',
    type: tokenKeyRing,
    default: undefined,
    secret: true,
    help: `with --auth oauth: the key ring that encrypts people's ${SIGN_IN_LABEL} tokens at rest and signs the sign-in cookies, kid:key entries comma-separated (each key 32 random bytes or more, base64: openssl rand -base64 32); the first seals, every one opens (rotation)`,
  }),
  tokenKeyFile: setting({ to: null, env: 'PINTEREST_MCP_TOKEN_KEY_FILE', type: tokenKeyRingFile, default: undefined, secret: true, help: 'file with that key ring, one kid:key per line (a mounted secret)' }),
  httpToken: setting({ to: null, env: 'PINTEREST_MCP_HTTP_TOKEN', type: text, default: undefined, secret: true, help: 'bearer token every /mcp request must carry (required off loopback)' }),
  httpTokenFile: setting({ to: null, env: 'PINTEREST_MCP_HTTP_TOKEN_FILE', type: firstLineOfFile, default: undefined, secret: true, help: 'file whose first line is that bearer token (a mounted secret)' }),
  allowedOrigins: setting({ to: 'http.allowedOrigins', env: 'PINTEREST_MCP_ALLOWED_ORIGINS', type: list(), default: [], help: 'extra allowed Origin values, comma-separated (loopback is always allowed)' }),
  allowedHosts: setting({ to: 'http.allowedHosts', env: 'PINTEREST_MCP_ALLOWED_HOSTS', type: list(), default: [], help: 'extra allowed Host values, comma-separated (loopback is always allowed)' }),
  trustedProxies: setting({
    to: 'http.trustedProxies',
    env: 'PINTEREST_MCP_TRUSTED_PROXIES',
    type: trustedProxies,
    default: [],
    help: "reverse proxies in front of the server (addresses, CIDRs, or loopback, linklocal, uniquelocal), comma-separated: a request from one counts as from the client it forwards (the right-most X-Forwarded-For address not itself trusted), for the per-client bounds, the sign-in throttle and the audit; by default only the socket's address counts",
  }),
  maxBodyBytes: setting({ to: 'http.maxBodyBytes', env: 'PINTEREST_MCP_MAX_BODY_BYTES', type: integer(1024, 100_000_000), default: 1_000_000, help: 'HTTP request body limit, bytes' }),
  headersTimeoutMs: setting({
    to: 'http.headersTimeoutMs',
    env: 'PINTEREST_MCP_HTTP_HEADERS_TIMEOUT_MS',
    type: integer(100, 600_000),
    default: 10_000,
    help: "time a client has to send an HTTP request's headers, milliseconds (at most the request timeout); then 408 and the connection closes",
  }),
  requestTimeoutMs: setting({
    to: 'http.requestTimeoutMs',
    env: 'PINTEREST_MCP_HTTP_REQUEST_TIMEOUT_MS',
    type: integer(100, 3_600_000),
    default: 60_000,
    help: 'time a client has to send a whole HTTP request, milliseconds; then 408 and the connection closes (answers may take longer)',
  }),
  maxSessionsPerClient: setting({
    to: 'http.sessions.perClient',
    env: 'PINTEREST_MCP_HTTP_MAX_SESSIONS_PER_CLIENT',
    type: integer(1, 1_000_000),
    default: 50,
    help: 'with --stateful, most sessions kept for one client address; a new one closes its longest-idle session',
  }),
  maxSessions: setting({
    to: 'http.sessions.total',
    env: 'PINTEREST_MCP_HTTP_MAX_SESSIONS',
    type: integer(1, 1_000_000),
    default: 1_000,
    help: 'with --stateful, most sessions kept in all; a new one closes the longest-idle session',
  }),
  sessionIdleSeconds: setting({ to: 'http.sessions.idleSeconds', env: 'PINTEREST_MCP_HTTP_SESSION_IDLE_SECONDS', type: integer(1, 86_400), default: 300, help: 'with --stateful, a session without requests for this long is closed, seconds' }),
  keepAliveTimeoutMs: setting({ to: 'http.keepAliveTimeoutMs', env: 'PINTEREST_MCP_HTTP_KEEP_ALIVE_TIMEOUT_MS', type: integer(100, 600_000), default: 5_000, help: 'an idle kept-alive HTTP connection is closed after this long, milliseconds' }),
  timeoutMs: setting({ to: 'client.timeoutMs', env: 'PINTEREST_MCP_TIMEOUT_MS', type: integer(1, 600_000), default: 30_000, help: 'timeout of one API request attempt, milliseconds' }),
  totalTimeoutMs: setting({ to: 'client.totalTimeoutMs', env: 'PINTEREST_MCP_TOTAL_TIMEOUT_MS', type: integer(1, 3_600_000), default: 90_000, help: 'timeout of one API call across its retries, milliseconds' }),
  retries: setting({ to: 'client.retries', env: 'PINTEREST_MCP_RETRIES', type: integer(0, 10), default: 3, help: 'retries of a failed read (and of a write that carries an idempotency key)' }),
  storeTimeoutMs: setting({
    to: 'storeTimeoutMs',
    env: 'PINTEREST_MCP_STORE_TIMEOUT_MS',
    type: integer(100, 60_000),
    default: 5_000,
    help: 'longest wait for one operation of the shared store, milliseconds; then it counts as unavailable (a held write is then not sent)',
  }),
  maxResponseBytes: setting({ to: 'client.maxResponseBytes', env: 'PINTEREST_MCP_MAX_RESPONSE_BYTES', type: integer(1024, 1_000_000_000), default: 20_000_000, help: 'largest API answer read (bigger ones are refused unread), bytes' }),
  approverToken: setting({
    to: null,
    env: 'PINTEREST_MCP_APPROVER_TOKEN',
    type: approverTokens,
    default: undefined,
    secret: true,
    help: 'HTTP: who may approve on /approvals, as id=token entries, comma-separated (a bare token is the approver "approver"); distinct from the bearer token',
  }),
  approverTokenFile: setting({ to: null, env: 'PINTEREST_MCP_APPROVER_TOKEN_FILE', type: approverTokensFile, default: undefined, secret: true, help: 'file with those approvers, one id=token per line (a mounted secret)' }),
  approvers: setting({
    to: 'approval.byAccount',
    flag: 'approvers',
    env: 'PINTEREST_MCP_APPROVERS',
    type: accountApprovers,
    default: {},
    help: `with --auth oauth: people who may also decide the approvals of an ad account, as ACCOUNT=USER_ID entries (the user id ${SIGN_IN_LABEL}'s sign-in names them by), comma-separated (name an account again for each further person); they sign in on /approvals like everyone, who otherwise sees only their own approvals`,
  }),
};

/** How a setting is named to whoever sets it, in answers that point to it: its flag, else its variable. */
export function settingName(row: Pick<Setting<unknown>, 'flag' | 'env'>): string {
  return row.flag ? `--${row.flag}` : (row.env ?? '');
}

/**
 * Every setting: the server's, and each API's own (src/apis/<api>/settings.ts) keyed `<api>.<name>`, after the
 * server's or where a row says it is listed. Read in this order, and listed in it by --help.
 */
export const SETTINGS: typeof SERVER_SETTINGS & Readonly<Record<string, Setting<unknown>>> = Object.fromEntries(withApiSettings()) as typeof SETTINGS;

/** The server's rows with each API's rows inserted before the row they name, or appended in APIS order. */
function withApiSettings(): [string, Setting<unknown>][] {
  const rows: [string, Setting<unknown>][] = Object.entries(SERVER_SETTINGS);
  const after: [string, Setting<unknown>][] = [];
  for (const api of CONFIGURED_APIS) {
    for (const [name, row] of Object.entries(api.settings)) {
      const at = row.listedBefore === undefined ? -1 : rows.findIndex(([key]) => key === row.listedBefore);
      if (row.listedBefore !== undefined && at < 0) throw new Error(`${api.id}.${name} is listed before ${row.listedBefore}, which is not a server setting`);
      if (at < 0) after.push([`${api.id}.${name}`, row]);
      else rows.splice(at, 0, [`${api.id}.${name}`, row]);
    }
  }
  return [...rows, ...after];
}

/** An object holding `value` at a dotted path: `PathObject<'http.maxBodyBytes', number>` is `{ http: { maxBodyBytes: number } }`. */
type PathObject<Path extends string, Value> = Path extends `${infer Head}.${infer Rest}`
  ? { [Key in Head]: PathObject<Rest, Value> }
  : { [Key in Path]: Value };
type UnionToIntersection<Union> = (Union extends unknown ? (each: Union) => void : never) extends (all: infer All) => void ? All : never;

/** What the rows of a table with `to` put into Config, each at its path. */
type Placed<Table> = UnionToIntersection<
  { [Name in keyof Table]: Table[Name] extends { to: infer To extends string } ? PathObject<To, SettingValue<Table[Name]>> : never }[keyof Table]
>;

/** Each API's configuration, under its id, in the shape its adapter's `configure` gives it. */
export type ApiConfigs = { [Api in (typeof APIS)[number] as Api['id']]: ReturnType<Api['configure']> };

/** Where an approval can come from: the approval page, the client's own dialog, the model-held token (`--approval model`). */
export type ApprovalChannel = 'page' | 'dialog' | 'token';

/** What loadConfig makes of several settings together, beside the rows that have a `to`. */
interface Combined {
  approval: {
    /** `auto` only: held writes fall back to the model's token where no person can be asked (logged each time). */
    modelFallback: boolean;
    /**
     * The channels whose approval counts here. `dialog` is a person's act only where the operator says the client is
     * a person's app: the default on stdio, never assumed over HTTP. `token` is present exactly in `model` mode.
     */
    channels: ApprovalChannel[];
    /** Approvers of the HTTP transport's /approvals page, by id (PINTEREST_MCP_APPROVER_TOKEN or its file). */
    approvers: Approver[];
  };
  http: {
    /** The bearer token every /mcp request must carry (PINTEREST_MCP_HTTP_TOKEN or its file). */
    token: string | undefined;
    /** With `--auth oauth`: the key ring as written (PINTEREST_MCP_TOKEN_KEY or its file), read into a KeyRing where it is used. */
    tokenKey: string | undefined;
    /** With `--auth oauth`: whose Client ID Metadata Documents the authorization server accepts (`on` unless given). */
    clientIdDocuments: ClientIdDocuments;
  };
  /** The value of every secret setting that was given, for the redactor. */
  secrets: string[];
  apis: ApiConfigs;
}

/** One object type of an intersection of them, at every depth (what an editor shows of Config stays readable). */
type Flat<T> = T extends ReadonlySet<unknown> | readonly unknown[] ? T : T extends object ? { [Key in keyof T]: Flat<T[Key]> } : T;

/** The values of the server's rows that have a `to`, each at its path. */
export type PlacedConfig = Flat<Placed<typeof SERVER_SETTINGS>>;

/** The server's configuration: each setting's value where its row says, and what loadConfig combines. */
export type Config = Flat<Placed<typeof SERVER_SETTINGS> & Combined>;

export type Transport = Config['transport'];
export type Mode = Config['mode'];
/** Who may send a held write: a person only, a person with the operator's fallback to the model, or the model (tokens). */
export type ApprovalMode = Config['approval']['mode'];
