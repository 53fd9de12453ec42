// Serves MCP over Streamable HTTP at /mcp on node:http, both eras: Host/Origin/bearer checks, limits, legacy sessions, health, drain.
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server as HttpServer, type ServerOptions, type ServerResponse } from 'node:http';
import { isIP, type AddressInfo } from 'node:net';
import { networkInterfaces } from 'node:os';
import type { Duplex } from 'node:stream';
import { NodeStreamableHTTPServerTransport } from '@modelcontextprotocol/node';
import { type AuthInfo, classifyInboundRequest, createMcpHandler, isInitializeRequest } from '@modelcontextprotocol/server';
import { HttpApprovalDesk } from '../approval/desk.js';
import { type ApprovalSurface, NOBODY_WITH_THESE_CHANNELS, channelsLeaveNoWay } from '../approval/surface.js';
import { type ClientIdDocuments, type Config, SIGN_IN_API, SIGN_IN_LABEL, apiConfig, apiConnection } from '../config/index.js';
import type { PeopleSignIn } from '../apis/types.js';
import type { Logger } from '../core/logger.js';
import { asPerson } from '../core/person.js';
import type { SharedStore } from '../core/store.js';
import { scopeUnion, scopesByToolset } from '../tools/scopes.js';
import { oneLine } from '../core/display.js';
import { BodyTooLarge, bearerMatches, clientAddressOf, endAfterBody, isLoopbackHost, readBody, secretDigest } from '../core/requests.js';
import { type App, type Peer, SERVER_INFO, type View } from '../server/app.js';
import { NARROWING_HEADERS, type NarrowingHeaders, describeNarrowing } from '../tools/narrowing.js';
import { serveExchange } from './exchange.js';
import { healthProbes } from './health.js';
import type { OAuthServer } from './oauth/index.js';
import { type Session, type SessionLimits, SessionTable } from './sessions.js';

/**
 * HTTP's approvals: the MCP client is usually a bot, so a person approves on /approvals, signed in with an approver
 * token (PINTEREST_MCP_APPROVER_TOKEN); without approvers there is no page. In the OAuth mode (--auth oauth) the page is
 * always there: each person signs in with the API they signed in to for MCP, and decides their own approvals (and
 * those of the ad accounts --approvers names them for). Each reason no one can approve is told as it is.
 */
export function httpApprovalSurface(config: Pick<Config, 'approval' | 'http'>): ApprovalSurface {
  const { approval } = config;
  const channels = approval.channels;
  const approvers = approval.approvers.length > 0;
  const people = config.http.auth === 'oauth';
  const warnings: ApprovalSurface['warnings'][number][] = [];
  if ((approvers || people) && !channels.includes('page')) {
    warnings.push({
      fields: { approval_channels: [...channels] },
      message: people
        ? '--auth oauth lets each person approve their own writes on the approval page, but --approval-channels leaves out page: no approval page is served'
        : 'approvers are configured (PINTEREST_MCP_APPROVER_TOKEN) but --approval-channels leaves out page: no approval page is served, so they cannot approve',
    });
  }
  if (channels.includes('dialog')) {
    warnings.push({
      message: '--approval-channels includes dialog: an HTTP client that answers its own dialog approves spend; use it only where your HTTP clients are apps a person uses, not bots',
    });
  }
  return {
    page:
      channels.includes('page') && (approvers || people)
        ? {
            signIn: {
              kind: 'token',
              approvers: approval.approvers,
              botToken: config.http.token,
              ...(people ? { people: { label: SIGN_IN_LABEL, byAccount: approval.byAccount } } : {}),
            },
            desk: (_web, logger) =>
              new HttpApprovalDesk({
                webhook: approval.webhook,
                logger,
                ...(people ? { people: { label: SIGN_IN_LABEL, publicUrl: config.http.publicUrl! } } : {}),
              }),
          }
        : undefined,
    unavailable: channels.includes('page')
      ? `this server has no approvers (PINTEREST_MCP_APPROVER_TOKEN)${channels.includes('dialog') ? ' and this client cannot show a confirmation dialog' : ", and over HTTP a client's own dialog does not count as a person's approval (--approval-channels)"}; an operator can add approvers.`
      : channelsLeaveNoWay(channels),
    nobody: approvers || people
      ? NOBODY_WITH_THESE_CHANNELS
      : "no one can approve held writes: no approvers (PINTEREST_MCP_APPROVER_TOKEN), and HTTP clients' own dialogs do not count (--approval-channels)",
    warnings,
  };
}

export interface HttpOptions {
  host: string;
  port: number;
  stateful: boolean;
  token?: string;
  /** `oauth`: /mcp takes tokens this server issued to people who signed in with Pinterest (src/transports/oauth/); else the static `token`. */
  auth?: 'bearer' | 'oauth';
  /** With `auth: 'oauth'`: what the authorization server needs besides the app's store and tools. */
  oauth?: OAuthSettings;
  /** Extra allowed Origin values (`*` allows any); loopback origins on the served port are always allowed. */
  allowedOrigins: readonly string[];
  /** Extra allowed Host values: `name:port` exactly, or `name` on any port. */
  allowedHosts: readonly string[];
  maxBodyBytes: number;
  /** Time a client has to send a request's headers (capped at requestTimeoutMs). */
  headersTimeoutMs: number;
  /** Time a client has to send a whole request; the answer (a long call, an SSE stream) is not limited by it. */
  requestTimeoutMs: number;
  /** An idle kept-alive connection is closed after this long. */
  keepAliveTimeoutMs: number;
  /** How long a shutdown waits for calls in flight before cutting them off. */
  shutdownGraceMs?: number;
  /** Stateful mode: bounds of the session table. */
  sessions: SessionLimits;
  /** Reverse proxies whose X-Forwarded-For names the client (PINTEREST_MCP_TRUSTED_PROXIES); none: the socket's peer. */
  trustedProxies: readonly string[];
}

export interface OAuthSettings {
  publicUrl: string;
  /** PINTEREST_MCP_TOKEN_KEY as written. */
  tokenKey: string;
  /** `--client-id-documents`: whose Client ID Metadata Documents are accepted. */
  clientIdDocuments: ClientIdDocuments;
  /** The API people sign in to (the first configured API), its sign-in and base URL. */
  api: { id: string; label: string; baseUrl: string; signIn: PeopleSignIn };
  /** Longest wait for the API's token endpoint and its read that names the person, ms. */
  timeoutMs: number;
}

export interface HttpHandle {
  /** http://HOST:PORT of the listening server (the real port when 0 was asked). */
  url: string;
  port: number;
  /** Stops accepting, lets calls in flight finish (bounded), closes sessions and the listener. Idempotent. */
  close(): Promise<void>;
}

const DEFAULT_GRACE_MS = 10_000;
/** How often Node looks for connections past their header or request timeout (at most this late). */
const TIMEOUT_CHECK_MS = 1_000;
/** Longest wait between two sweeps of idle sessions. */
const SWEEP_MS = 60_000;

/** The peer a request's auth info names (see requestAuth): HTTP, from the address the transport saw. */
function peerOf(authInfo: AuthInfo | undefined): Peer {
  const address = authInfo?.extra?.address;
  return httpPeer(typeof address === 'string' ? address : 'unknown');
}

/** An HTTP client at `address`, as approvals and the page name it. */
function httpPeer(address: string): Peer {
  return { transport: 'http', address, where: `over HTTP from ${oneLine(address, 60)}` };
}

/** The view a request's auth info carries (see requestAuth); none: the deployment's. */
function viewOf(authInfo: AuthInfo | undefined): View | undefined {
  return authInfo?.extra?.view as View | undefined;
}

/** What the modern handler is told about a request: where it came from (`address`), what it sees (`view`), and nothing secret. */
function requestAuth(address: string, view: View): AuthInfo {
  return { token: '', clientId: 'http', scopes: [], extra: { address, view } };
}

/** A request's narrowing headers, as sent (a repeated header arrives joined with commas). */
function narrowingHeadersOf(req: IncomingMessage): NarrowingHeaders {
  const value = (name: string): string | undefined => {
    const header = req.headers[name.toLowerCase()];
    return Array.isArray(header) ? header.join(',') : header;
  };
  return { toolsets: value(NARROWING_HEADERS.toolsets), readOnly: value(NARROWING_HEADERS.readOnly) };
}

export function httpOptions(config: Config): HttpOptions {
  const { tokenKey, publicUrl, clientIdDocuments, ...http } = config.http;
  return { host: config.host, port: config.port, stateful: config.stateful, ...http, ...(http.auth === 'oauth' ? { oauth: oauthSettings(config) } : {}) };
}

/** The OAuth mode's settings (loadConfig has checked that they are all given): people sign in to SIGN_IN_API. */
function oauthSettings(config: Config): OAuthSettings {
  const { publicUrl, tokenKey, clientIdDocuments } = config.http;
  const api = SIGN_IN_API;
  const signIn = api?.signIn?.(apiConfig(config, api));
  if (!api || !signIn) throw new Error(`--auth oauth needs the ${SIGN_IN_LABEL} app people sign in to (the demo does not offer the sign-in yet)`);
  return {
    publicUrl: publicUrl!,
    tokenKey: tokenKey!,
    clientIdDocuments,
    api: { id: api.id, label: api.label, baseUrl: apiConnection(config, api).baseUrl, signIn },
    timeoutMs: config.client.timeoutMs,
  };
}

/**
 * The OAuth mode's server (its module, and oidc-provider under it, load only in that mode): the sign-in asks for the
 * scopes of the tools of that API this deployment serves, and what naming the person needs.
 */
async function startOAuth(app: App, store: SharedStore, settings: OAuthSettings, logger: Logger): Promise<OAuthServer> {
  const { createOAuthServer } = await import('./oauth/index.js');
  const { api } = settings;
  const tools = app.selection.tools.filter((tool) => tool.api.id === api.id);
  const scopes = scopeUnion([...scopesByToolset(tools).flatMap((row) => [row.read, row.write]), { tools: 0, all: [...api.signIn.extraScopes], oneOf: [], noOAuth: [] }]);
  return createOAuthServer({
    publicUrl: settings.publicUrl,
    tokenKey: settings.tokenKey,
    clientIdDocuments: settings.clientIdDocuments,
    store,
    upstream: { ...api.signIn, label: api.label, apiBaseUrl: api.baseUrl, scopes, timeoutMs: settings.timeoutMs },
    vaultName: api.id,
    logger,
  });
}

export { isLoopbackHost };

/** Refuses configurations that would expose the tools without authentication. */
export function assertSafeBinding(options: Pick<HttpOptions, 'host' | 'token' | 'auth'>): void {
  if (!isLoopbackHost(options.host) && !options.token && options.auth !== 'oauth') {
    throw new Error(
      `refusing to serve HTTP on ${options.host} without a bearer token: anyone who can reach it could use the ` +
        'Pinterest account. Set PINTEREST_MCP_HTTP_TOKEN (or PINTEREST_MCP_HTTP_TOKEN_FILE), or bind to 127.0.0.1.',
    );
  }
}

const bracket = (host: string) => (isIP(host) === 6 ? `[${host}]` : host);

function allowedHostSet(options: HttpOptions, port: number): { exact: Set<string>; anyPort: Set<string> } {
  const exact = new Set([`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`, `${bracket(options.host.toLowerCase())}:${port}`]);
  if (options.host === '0.0.0.0' || options.host === '::') {
    // Bound to every interface: the machine's own addresses are legitimate Host values.
    for (const addresses of Object.values(networkInterfaces())) {
      for (const a of addresses ?? []) exact.add(`${bracket(a.address.toLowerCase())}:${port}`);
    }
  }
  // The public URL's host is where clients reach the server (behind a proxy, in the OAuth mode).
  if (options.oauth) exact.add(new URL(options.oauth.publicUrl).host.toLowerCase());
  const anyPort = new Set<string>();
  for (const entry of options.allowedHosts.map((h) => h.toLowerCase())) {
    if (/^\[[^\]]+\]:\d+$|^[^:\[\]]+:\d+$/.test(entry)) exact.add(entry);
    else anyPort.add(bracket(entry.replace(/^\[|\]$/g, '')));
  }
  return { exact, anyPort };
}

function hostAllowed(host: string | undefined, allowed: { exact: Set<string>; anyPort: Set<string> }): boolean {
  if (!host) return false;
  const h = host.toLowerCase();
  if (allowed.exact.has(h)) return true;
  const name = h.replace(/:\d+$/, '');
  return allowed.anyPort.has(name);
}

/** Request headers a browser client may send: the fixed MCP ones, and the `Mcp-Param-*` headers it asks for. */
const CORS_HEADERS = `Authorization, Content-Type, Accept, Mcp-Session-Id, Mcp-Protocol-Version, Mcp-Method, Mcp-Name, Last-Event-ID, ${NARROWING_HEADERS.toolsets}, ${NARROWING_HEADERS.readOnly}`;
function allowedRequestHeaders(requested: string | undefined): string {
  const params = (requested ?? '').split(',').map((h) => h.trim()).filter((h) => /^mcp-param-[a-z0-9-]+$/i.test(h));
  return [CORS_HEADERS, ...params].join(', ');
}

/** Whether a message (or any message of a batch) carries a progress token, so that its answer must be a stream. */
function asksForProgress(body: unknown): boolean {
  const messages = Array.isArray(body) ? body : [body];
  return messages.some((m) => {
    const meta = (m as { params?: { _meta?: { progressToken?: unknown } } } | null)?.params?._meta;
    return meta?.progressToken !== undefined;
  });
}

const normalizeOrigin = (origin: string) => origin.trim().toLowerCase().replace(/\/+$/, '');

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(text)), ...headers });
  res.end(text);
}

/** A JSON-RPC error answer, as the SDK's transport phrases its own refusals. */
function rpcError(res: ServerResponse, status: number, message: string, headers: Record<string, string> = {}, code = -32000): void {
  sendJson(res, status, { jsonrpc: '2.0', error: { code, message }, id: null }, headers);
}

/**
 * How much of a refused body is still read (and dropped) so that the client, once it has sent it, reads the 413
 * instead of a reset; beyond it the connection is closed. The request timeout bounds the time it may take.
 */
const REFUSED_BODY_LINGER_BYTES = 64 * 1024 * 1024;

/** 413 for a body over the limit, declared or found while reading (chunked): answered at once, the connection closed after the body. */
function refuseTooLarge(req: IncomingMessage, res: ServerResponse, limit: number): void {
  const text = JSON.stringify({ jsonrpc: '2.0', error: { code: -32000, message: `Payload too large: at most ${limit} bytes (PINTEREST_MCP_MAX_BODY_BYTES).` }, id: null });
  res.writeHead(413, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(text)), connection: 'close' });
  res.write(text);
  endAfterBody(req, res, REFUSED_BODY_LINGER_BYTES);
}

/** Node's limits on slow clients (headers, then the whole request, each in bounded time) and on idle connections. */
function timeoutOptions(options: HttpOptions): ServerOptions {
  const headersTimeout = Math.min(options.headersTimeoutMs, options.requestTimeoutMs); // Node refuses a larger one
  return {
    headersTimeout,
    requestTimeout: options.requestTimeoutMs,
    keepAliveTimeout: options.keepAliveTimeoutMs,
    connectionsCheckingInterval: Math.min(TIMEOUT_CHECK_MS, headersTimeout),
  };
}

/** The raw answer to a request Node gave up on: too slow (408), headers too large (431) or unparseable (400). */
function clientErrorAnswer(code: string | undefined): string {
  const status =
    code === 'ERR_HTTP_REQUEST_TIMEOUT' ? '408 Request Timeout' : code === 'HPE_HEADER_OVERFLOW' ? '431 Request Header Fields Too Large' : '400 Bad Request';
  return `HTTP/1.1 ${status}\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`;
}

/** The protocol revision of the 2026-07-28 era (per-request envelopes, no sessions). */
const MODERN_REVISION = '2026-07-28';

/** A single JSON-RPC request or notification (a method, and nothing a response carries). */
function isMessageWithMethod(body: unknown): boolean {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return false;
  const message = body as Record<string, unknown>;
  return typeof message.method === 'string' && !('result' in message) && !('error' in message);
}

export async function serveHttp(app: App, options: HttpOptions, logger: Logger): Promise<HttpHandle> {
  assertSafeBinding(options);
  const expectedToken = options.token ? secretDigest(options.token) : undefined;
  // HTTP serves from its start what the call machinery holds: the store (sessions, OAuth, health) and /approvals.
  const { store, shared, approvalWeb } = await app.engine();
  const oauth = options.auth === 'oauth' && options.oauth ? await startOAuth(app, shared, options.oauth, logger) : undefined;
  if (options.auth === 'oauth' && !oauth) throw new Error('internal: --auth oauth without its settings');
  // The page signs people in through this authorization server's sign-in with the API (its app and callback).
  if (oauth) approvalWeb?.signPeopleInWith(oauth.pageSignIn);
  const graceMs = options.shutdownGraceMs ?? DEFAULT_GRACE_MS;
  const sessions = new SessionTable(options.sessions);
  // The one reading of where a request comes from: approvals pending per client, sessions per client, the page's
  // sign-in throttle and the audit all count under it.
  const clientOf = clientAddressOf(options.trustedProxies);
  const onerror = (error: Error) => logger.debug({ err: error }, 'MCP request refused or failed');
  // Every 2026-07-28 request, on a fresh protocol server of its own (the era has no sessions), handed over with the body
  // already parsed (serveExchange); the client's address travels to it in the request's auth info (no token: only
  // where the request came from).
  const modern = createMcpHandler(({ authInfo }) => app.createServer('modern', peerOf(authInfo), viewOf(authInfo)), {
    legacy: 'reject',
    onerror,
    maxRequestBodySize: options.maxBodyBytes,
  });
  let allowedHosts = allowedHostSet(options, options.port);
  let allowedOrigins = new Set<string>();
  const anyOrigin = options.allowedOrigins.includes('*');
  /** POST requests being answered (tool calls and other messages); long-lived GET streams are not counted. */
  let inFlight = 0;
  let draining = false;
  let drained: (() => void) | undefined;

  const finished = () => {
    inFlight--;
    if (draining && inFlight === 0) drained?.();
  };

  function originAllowed(origin: string): boolean {
    return anyOrigin || allowedOrigins.has(normalizeOrigin(origin));
  }

  async function handleMcp(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!hostAllowed(req.headers.host, allowedHosts)) {
      logger.warn({ host: req.headers.host }, 'refused a request with a Host header that is not allowed');
      return rpcError(res, 403, 'Forbidden: Host header not allowed (add it to PINTEREST_MCP_ALLOWED_HOSTS).');
    }
    const origin = req.headers.origin;
    const cors: Record<string, string> = {};
    if (origin !== undefined) {
      if (!originAllowed(origin)) {
        logger.warn({ origin }, 'refused a request from an Origin that is not allowed');
        return rpcError(res, 403, 'Forbidden: Origin not allowed (add it to PINTEREST_MCP_ALLOWED_ORIGINS).');
      }
      Object.assign(cors, { 'access-control-allow-origin': origin, vary: 'Origin', 'access-control-expose-headers': 'Mcp-Session-Id, WWW-Authenticate' });
      if (req.method === 'OPTIONS') {
        res.writeHead(204, {
          ...cors,
          'access-control-allow-methods': options.stateful ? 'GET, POST, DELETE' : 'POST',
          'access-control-allow-headers': allowedRequestHeaders(req.headers['access-control-request-headers']),
          'access-control-max-age': '600',
        });
        res.end();
        return;
      }
      for (const [name, value] of Object.entries(cors)) res.setHeader(name, value);
    }
    if (expectedToken && !bearerMatches(req.headers.authorization, expectedToken)) {
      return rpcError(res, 401, 'Unauthorized: send Authorization: Bearer <PINTEREST_MCP_HTTP_TOKEN>.', {
        'www-authenticate': 'Bearer realm="pinterest-api-mcp"',
      });
    }
    if (oauth) {
      // Nothing of the request is read before its token is checked; then everything it does acts as its person.
      const person = await oauth.authenticate(req, res);
      if (person === undefined) return;
      return asPerson(person, () => serveMcp(req, res, person));
    }
    return serveMcp(req, res, undefined);
  }

  /** A /mcp request past the admission checks, for `person` in the OAuth mode. */
  async function serveMcp(req: IncomingMessage, res: ServerResponse, person: string | undefined): Promise<void> {
    const method = req.method ?? 'GET';
    const allowed = options.stateful ? ['GET', 'POST', 'DELETE'] : ['POST'];
    if (!allowed.includes(method)) {
      const why = options.stateful ? '' : ' This server is stateless (start it with --stateful for sessions and server-sent events).';
      return rpcError(res, 405, `Method not allowed.${why}`, { allow: allowed.join(', ') });
    }
    let body: unknown;
    if (method === 'POST') {
      const declared = Number(req.headers['content-length']);
      if (Number.isFinite(declared) && declared > options.maxBodyBytes) return refuseTooLarge(req, res, options.maxBodyBytes);
      let raw: Buffer;
      try {
        raw = await readBody(req, options.maxBodyBytes);
      } catch (error) {
        if (error instanceof BodyTooLarge) return refuseTooLarge(req, res, options.maxBodyBytes);
        if (req.destroyed) return; // the client left, or was cut off by the request timeout (answered as a client error)
        throw error;
      }
      try {
        body = JSON.parse(raw.toString('utf8'));
      } catch {
        return rpcError(res, 400, 'Parse error: the body is not valid JSON.', {}, -32700);
      }
    }
    // 2025 era: --stateful keeps clients in sessions (server-sent events, server-to-client requests); a session's
    // view is fixed by its initialize request, so its later requests are checked against it (handleStateful).
    const legacy = isLegacy(req, body);
    if (legacy && options.stateful) return handleStateful(req, res, body, person);
    // Every other request sees what its own narrowing headers ask for (the 2026-07-28 era has no sessions).
    const asked = app.narrowed(narrowingHeadersOf(req));
    if ('error' in asked) return refuseNarrowing(res, asked.error);
    if (!legacy) return serveExchange(modern, req, res, body, requestAuth(clientOf(req), asked.view));
    return serveLegacyRequest(req, res, body, asked.view);
  }

  /** 400 for narrowing headers that ask for what this deployment does not offer, or that a session cannot change. */
  function refuseNarrowing(res: ServerResponse, message: string): void {
    logger.debug({ reason: message }, 'refused a request whose narrowing headers this deployment cannot honour');
    rpcError(res, 400, `Bad Request: ${message}`, {}, -32600);
  }

  /**
   * A 2025-era request without a session, on a fresh protocol server and transport (any replica can answer it). It is
   * answered as plain JSON unless it asked for progress: with no session there is nothing else to send it (no
   * logging level was set, no dialog can be asked), and JSON costs about a tenth less server CPU than an event stream (bench:http-raw).
   */
  async function serveLegacyRequest(req: IncomingMessage, res: ServerResponse, body: unknown, view: View): Promise<void> {
    const json = !asksForProgress(body);
    const server = app.createServer('legacy', httpPeer(clientOf(req)), view, json);
    const transport = new NodeStreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: json });
    res.once('close', () => {
      transport.close().catch(() => {});
    });
    await server.connect(transport);
    await transport.handleRequest(req, res, body);
  }

  /**
   * Whether the SDK's handler would serve this request as the 2025 era (no per-request envelope): the SDK's own
   * classification (what isLegacyRequest runs) fed the three headers it reads and the parsed body, without building a
   * web Request for it (that cost about a tenth of a stateless call's server CPU, bench:http-raw).
   */
  function isLegacy(req: IncomingMessage, body: unknown): boolean {
    // A request or notification naming the 2026-07-28 revision in its header is never the 2025 era (the SDK's
    // classifyRequestBody: it is modern or refused, and the modern handler refuses it the same way); classifying it
    // here too cost a fortieth of a modern call's server CPU (bench:http-raw), mostly in failed response-shape parses.
    if (req.headers['mcp-protocol-version'] === MODERN_REVISION && isMessageWithMethod(body)) return false;
    const header = (name: string): string | undefined => {
      const value = req.headers[name];
      return Array.isArray(value) ? value.join(', ') : value;
    };
    const outcome = classifyInboundRequest({
      httpMethod: (req.method ?? 'GET').toUpperCase(),
      protocolVersionHeader: header('mcp-protocol-version'),
      mcpMethodHeader: header('mcp-method'),
      mcpNameHeader: header('mcp-name'),
      ...(body !== undefined && { body }),
    });
    return outcome.kind === 'legacy';
  }

  async function handleStateful(req: IncomingMessage, res: ServerResponse, body: unknown, person: string | undefined): Promise<void> {
    const header = req.headers['mcp-session-id'];
    const sessionId = Array.isArray(header) ? header[0] : header;
    if (sessionId) {
      const session = sessions.get(sessionId);
      // A session belongs to the person who opened it: another person's token does not continue it.
      if (!session || session.person !== person) {
        return rpcError(res, 404, 'Session not found: it expired, was closed to make room, or the server restarted. Initialize a new session.', {}, -32001);
      }
      // Its view was fixed by its initialize request: a header left out keeps it; one that asks for another is refused
      // (its listing was answered already, and a silent change, or a silent ignore, would mislead the client).
      const asked = app.narrowed(narrowingHeadersOf(req), session.view.narrowing);
      if ('error' in asked) return refuseNarrowing(res, asked.error);
      if (asked.view.key !== session.view.key) {
        return refuseNarrowing(
          res,
          `this session's view was fixed by the ${NARROWING_HEADERS.toolsets} and ${NARROWING_HEADERS.readOnly} headers of its initialize request ` +
            `(${describeNarrowing(session.view.narrowing)}); send the same values (or leave them out), or initialize a new session to see another selection.`,
        );
      }
      return serveInSession(session, req, res, body);
    }
    const initialize = req.method === 'POST' && (Array.isArray(body) ? body.some(isInitializeRequest) : isInitializeRequest(body));
    if (!initialize) return rpcError(res, 400, 'Bad Request: no Mcp-Session-Id header; start with an initialize request.');
    const asked = app.narrowed(narrowingHeadersOf(req));
    if ('error' in asked) return refuseNarrowing(res, asked.error);
    const client = clientOf(req);
    const refusal = sessions.admit(client);
    if (refusal) {
      logger.warn({ client }, 'refused a new session: every session it could replace has a request in flight');
      return rpcError(res, 503, refusal, { 'retry-after': '5' });
    }
    const session = openSession(client, person, asked.view);
    res.once('close', () => {
      if (!session.transport.sessionId) session.server.close().catch(() => {}); // initialize refused: no session began
    });
    await session.server.connect(session.transport);
    await serveInSession(session, req, res, body);
  }

  /** A session entered in the table at once (its id chosen here), so that concurrent initializes count against the bounds. */
  function openSession(client: string, person: string | undefined, view: View): Session {
    const id = randomUUID();
    const transport = new NodeStreamableHTTPServerTransport({ sessionIdGenerator: () => id, onsessionclosed: () => sessions.remove(id) });
    transport.onclose = () => sessions.remove(id);
    const session: Session = { id, client, person, server: app.createServer('legacy', httpPeer(client), view), view, transport, lastSeen: performance.now(), busy: 0 };
    sessions.add(session);
    return session;
  }

  async function serveInSession(session: Session, req: IncomingMessage, res: ServerResponse, body: unknown): Promise<void> {
    const done = sessions.begin(session);
    // A GET is a stream of server messages that may stay open for hours: it does not keep the session busy.
    if (req.method === 'GET') done();
    else res.once('close', done);
    await session.transport.handleRequest(req, res, body);
  }

  /** The approvers' page (the Host is checked as for /mcp; the page checks Origin, sessions and CSRF itself). */
  function approvalsPage(req: IncomingMessage, res: ServerResponse): void {
    if (!hostAllowed(req.headers.host, allowedHosts)) return sendJson(res, 403, { error: 'Host header not allowed' });
    if (!approvalWeb) {
      return sendJson(res, 404, {
        error: 'no approval page: it needs approvers (PINTEREST_MCP_APPROVER_TOKEN) or --auth oauth, and page among --approval-channels (not --approval model)',
      });
    }
    void approvalWeb.handle(req, res, clientOf(req));
  }

  /** The authorization server and the discovery documents (the Host is checked as for /mcp). */
  function oauthRoutes(server: OAuthServer, req: IncomingMessage, res: ServerResponse, path: string): void {
    if (!hostAllowed(req.headers.host, allowedHosts)) return sendJson(res, 403, { error: 'Host header not allowed' });
    server.serve(req, res, path, clientOf(req)).catch((error: unknown) => {
      logger.error({ err: error }, 'an OAuth request failed');
      if (!res.headersSent) sendJson(res, 500, { error: 'server_error' });
      else res.end();
    });
  }

  const probes = healthProbes(app, store, logger);

  /** /healthz: serving and the store answers; /readyz (`ready`): also the tool listing is built. */
  async function health(req: IncomingMessage, res: ServerResponse, ready: boolean): Promise<void> {
    if (req.method !== 'GET' && req.method !== 'HEAD') return sendJson(res, 405, { error: 'method not allowed' }, { allow: 'GET, HEAD' });
    // Nothing secret: no token, no store address, no account.
    const about = { name: SERVER_INFO.name, version: SERVER_INFO.version, mode: options.stateful ? 'stateful' : 'stateless', store: app.storeKind };
    if (draining) return sendJson(res, 503, { status: 'draining', ...about });
    const { status, ...reason } = await probes.check(ready);
    sendJson(res, status === 'ok' ? 200 : 503, { status, ...about, ...reason });
  }

  /** The response being written on each connection: once it has started, a client error can only close the socket. */
  const answering = new WeakMap<Duplex, ServerResponse>();
  const httpServer: HttpServer = createServer(timeoutOptions(options), (req, res) => {
    answering.set(req.socket, res);
    res.once('close', () => {
      if (answering.get(req.socket) === res) answering.delete(req.socket);
    });
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/healthz' || path === '/readyz') {
      health(req, res, path === '/readyz').catch((error: unknown) => {
        logger.error({ err: error }, 'health check failed');
        sendJson(res, 500, { status: 'error' });
      });
      return;
    }
    if (path === '/approvals' || path.startsWith('/approvals/')) return approvalsPage(req, res);
    if (oauth?.owns(path)) return oauthRoutes(oauth, req, res, path);
    if (path !== '/mcp') return sendJson(res, 404, { error: 'not found: MCP is served at /mcp' });
    if (draining) return rpcError(res, 503, 'Server is shutting down: retry on another replica.', { connection: 'close', 'retry-after': '1' });
    const counted = req.method === 'POST';
    if (counted) {
      inFlight++;
      res.once('close', finished);
    }
    handleMcp(req, res).catch((error: unknown) => {
      logger.error({ err: error }, 'HTTP request failed');
      if (!res.headersSent) rpcError(res, 500, 'Internal server error.', {}, -32603);
      else res.end();
    });
  });
  httpServer.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => {
    logger.debug({ code: error.code }, 'closed a connection after a client error');
    if (socket.writable && !answering.get(socket)?.headersSent) socket.write(clientErrorAnswer(error.code));
    socket.destroy(); // not end(): a client still sending would keep a half-closed socket open
  });

  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(options.port, options.host, () => {
      httpServer.off('error', reject);
      resolve();
    });
  });
  const port = (httpServer.address() as AddressInfo).port;
  allowedHosts = allowedHostSet(options, port);
  allowedOrigins = new Set(
    [`http://127.0.0.1:${port}`, `http://localhost:${port}`, `http://[::1]:${port}`, ...options.allowedOrigins].map(normalizeOrigin),
  );
  const url = `http://${bracket(options.host)}:${port}`;
  setImmediate(probes.prime);

  const sweeper = setInterval(() => sessions.sweep(), Math.min(SWEEP_MS, options.sessions.idleSeconds * 1000)).unref();

  let closing: Promise<void> | undefined;
  async function close(): Promise<void> {
    draining = true;
    clearInterval(sweeper);
    const stopped = new Promise<void>((resolve) => httpServer.close(() => resolve()));
    httpServer.closeIdleConnections();
    if (inFlight > 0) {
      logger.info({ inFlight, graceMs }, 'waiting for calls in flight');
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        new Promise<void>((resolve) => {
          drained = resolve;
        }),
        new Promise<void>((resolve) => {
          timer = setTimeout(resolve, graceMs);
        }),
      ]);
      clearTimeout(timer);
      if (inFlight > 0) logger.warn({ inFlight }, 'shutdown grace period over: cutting off calls still in flight');
    }
    await sessions.closeAll();
    await modern.close();
    httpServer.closeAllConnections();
    await stopped;
  }

  logger.info(
    { url: `${url}/mcp`, mode: options.stateful ? 'stateful' : 'stateless', auth: oauth ? 'oauth' : expectedToken ? 'bearer' : 'none', ...(oauth ? { resource: oauth.resource } : {}) },
    'MCP server listening',
  );
  return {
    url,
    port,
    close: () => (closing ??= close()),
  };
}
