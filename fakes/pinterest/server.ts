// The fake Pinterest API v5 on node:http: routing, auth, validation, fault injection, stateful and synthesized answers.
import { createServer, STATUS_CODES, type IncomingMessage, type Server as HttpServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import type { OperationFacts } from '../../src/apis/types.js';
import { pinterestCatalog } from '../../src/apis/pinterest/catalog.generated.js';
import { pinterestResponses } from './responses.generated.js';
import { Router } from '../intake/router.js';
import { RequestValidator } from '../intake/validate.js';
import { ResponseSynthesizer } from '../intake/synthesize.js';
import { EmulatorState } from './state.js';
import { HttpError, handlers, reportFileText, reportReady, type HandlerResult } from './handlers.js';
import { isPlainObject } from '../../src/core/json.js';

export { EmulatorState, SEED, SEED_TIME } from './state.js';
export type {
  AdAccountRecord,
  AdGroupRecord,
  AdRecord,
  BoardRecord,
  BoardSectionRecord,
  CampaignRecord,
  KeywordRecord,
  PinRecord,
  ProductGroupPromotionRecord,
  ReportRecord,
  UserAccountRecord,
} from './state.js';

export interface EmulatorOptions {
  /** Default 0 (a random free port). The emulator always binds 127.0.0.1. */
  port?: number;
  /** Bearer tokens accepted; default ['test-token']. */
  acceptedTokens?: string[];
  /** Enables POST /v5/oauth/token (refresh_token grant with HTTP Basic app credentials). */
  oauth?: { appId: string; appSecret: string; refreshToken: string; expiresInSeconds?: number };
  /** Async reports: how many GET polls answer IN_PROGRESS before FINISHED (default 1). */
  reportPollsUntilReady?: number;
  /** Artificial delay before every response (default 0). */
  latencyMs?: number;
}

export interface RecordedRequest {
  /** Matched catalog operation, null if no route matched. */
  operationId: string | null;
  method: string;
  /** Path without the /v5 prefix and without the query string. */
  path: string;
  /** Raw query string without '?'. */
  rawQuery: string;
  /** Parsed query; repeated keys become arrays. */
  query: Record<string, string | string[]>;
  headers: Record<string, string>;
  /** Parsed JSON (or form fields for oauth/token), the raw text when it did not parse, undefined when empty. */
  body: unknown;
  /** Whether the request conforms to the catalog (route, parameters and body). */
  valid: boolean;
  problems: string[];
  /** Status answered; 0 when the socket was dropped by a fault. */
  status: number;
}

/** An injected failure, matched against incoming requests in order. */
export interface Fault {
  operationId?: string;
  method?: string;
  /** How many matching requests it applies to (default 1). */
  times?: number;
  status?: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** Delay before answering (or before dropping). */
  delayMs?: number;
  /** Destroy the socket without answering: 'before' = request not applied to state; 'after' = applied, then dropped. */
  drop?: 'before' | 'after';
  /**
   * Applies the request as usual, then answers what this makes of the answer: an API that did the write but answered
   * in another shape. `body: undefined` sends no body (a 204, or a 200 with none). Not with `status` or `drop`.
   */
  rewrite?: (answer: { status: number; body: unknown }) => { status: number; body: unknown };
  /**
   * Applies the request as usual, then answers only once this settles: a write the API took whose answer is late (the
   * test releases it when it has done what it wanted meanwhile: failed a store, killed the server). Not with `status`.
   */
  hold?: Promise<unknown>;
}

export interface Emulator {
  /** Base URL clients use, e.g. http://127.0.0.1:PORT/v5 */
  url: string;
  /** http://127.0.0.1:PORT */
  origin: string;
  /** Every request received, in order (including auth failures and faults). */
  requests: RecordedRequest[];
  /** The live entity store. */
  state: EmulatorState;
  inject(fault: Fault): void;
  clearFaults(): void;
  /** Re-seeds the state and clears recorded requests and faults. */
  reset(): void;
  /** Tokens issued by oauth/token stop being accepted. */
  expireTokens(): void;
  close(): Promise<void>;
}

const HOST = '127.0.0.1';
const DEFAULT_TOKEN_LIFETIME = 30 * 24 * 3600;
const REFRESH_TOKEN_LIFETIME = 365 * 24 * 3600;
const OAUTH_SCOPE =
  'ads:read ads:write boards:read boards:write catalogs:read catalogs:write pins:read pins:write user_accounts:read';
const MAX_BODY_BYTES = 16 * 1024 * 1024;

const AUTH_FAILED = { code: 2, message: 'Authentication failed.' };

/** Catalog-derived machinery is stateless and shared by every emulator in the process. */
let engine: { router: Router; validator: RequestValidator; synthesizer: ResponseSynthesizer } | undefined;
function getEngine(): NonNullable<typeof engine> {
  engine ??= {
    router: new Router(pinterestCatalog),
    validator: new RequestValidator(pinterestCatalog),
    synthesizer: new ResponseSynthesizer(pinterestResponses),
  };
  return engine;
}

interface ActiveFault extends Fault {
  remaining: number;
}

interface Outgoing extends HandlerResult {
  /** Pre-serialized body (report files). */
  text?: string;
}

export async function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const { router, validator, synthesizer } = getEngine();
  const state = new EmulatorState();
  const requests: RecordedRequest[] = [];
  let faults: ActiveFault[] = [];
  const accepted = new Set(options.acceptedTokens ?? ['test-token']);
  /** Tokens issued by oauth/token -> expiry (ms since epoch). */
  const issued = new Map<string, number>();
  const pollsUntilReady = Math.max(0, options.reportPollsUntilReady ?? 1);
  const latencyMs = Math.max(0, options.latencyMs ?? 0);
  let origin = '';

  function takeFault(operationId: string | null, method: string): ActiveFault | undefined {
    const fault = faults.find(
      (f) =>
        f.remaining > 0 &&
        (f.operationId === undefined || f.operationId === operationId) &&
        (f.method === undefined || f.method.toUpperCase() === method),
    );
    if (!fault) return undefined;
    fault.remaining -= 1;
    if (fault.remaining <= 0) faults = faults.filter((f) => f !== fault);
    return fault;
  }

  function bearerOk(authorization: string | undefined): boolean {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
    if (!match) return false;
    const token = match[1];
    if (accepted.has(token)) return true;
    const expiry = issued.get(token);
    return expiry !== undefined && expiry > Date.now();
  }

  function oauthToken(headers: Record<string, string>, body: unknown, problems: string[]): Outgoing {
    const oauth = options.oauth;
    if (!oauth) return { status: 401, body: AUTH_FAILED };
    const basic = /^Basic\s+(\S+)\s*$/i.exec(headers.authorization ?? '');
    const decoded = basic ? Buffer.from(basic[1], 'base64').toString('utf8') : '';
    const colon = decoded.indexOf(':');
    if (colon < 0 || decoded.slice(0, colon) !== oauth.appId || decoded.slice(colon + 1) !== oauth.appSecret) {
      return { status: 401, body: AUTH_FAILED };
    }
    if (problems.length) return { status: 400, body: { code: 1, message: problems.join('; ') } };
    const fields = (body ?? {}) as Record<string, unknown>;
    if (fields.grant_type !== 'refresh_token') {
      return { status: 400, body: { code: 1, message: `Unsupported grant_type '${String(fields.grant_type)}'` } };
    }
    if (fields.refresh_token !== oauth.refreshToken) return { status: 401, body: AUTH_FAILED };
    const expiresIn = oauth.expiresInSeconds ?? DEFAULT_TOKEN_LIFETIME;
    const token = `pina_${randomBytes(18).toString('base64url')}`;
    issued.set(token, Date.now() + expiresIn * 1000);
    return {
      status: 200,
      body: {
        response_type: 'refresh_token',
        access_token: token,
        token_type: 'bearer',
        expires_in: expiresIn,
        scope: OAUTH_SCOPE,
        refresh_token_expires_in: REFRESH_TOKEN_LIFETIME,
      },
    };
  }

  function synthesized(op: OperationFacts, path: Record<string, unknown>): Outgoing {
    if (!op.success.json) return { status: op.success.status };
    const body = synthesizer.body(op.id);
    if (isPlainObject(body)) {
      // Echo the addressed entity's id and ad account so bodies match the request.
      const object = body;
      const idParams = op.parameters.filter((p) => p.in === 'path' && p.name.endsWith('id'));
      const last = idParams[idParams.length - 1];
      if (last && last.name !== 'ad_account_id' && 'id' in object && path[last.name] !== undefined) object.id = String(path[last.name]);
      if ('ad_account_id' in object && path.ad_account_id !== undefined) object.ad_account_id = String(path.ad_account_id);
    }
    return { status: op.success.status, body };
  }

  function answer(
    op: OperationFacts | undefined,
    isFile: string | undefined,
    headers: Record<string, string>,
    params: { path: Record<string, unknown>; query: Record<string, unknown> },
    body: unknown,
    problems: string[],
  ): Outgoing {
    if (isFile !== undefined) {
      const text = reportReady(state, isFile, pollsUntilReady) ? reportFileText(state, isFile) : undefined;
      return text === undefined ? { status: 404, body: { code: 404, message: 'Not found' } } : { status: 200, text };
    }
    if (!op) return { status: 404, body: { code: 404, message: 'Not found' } };
    if (op.id === 'oauth/token') return oauthToken(headers, body, problems);
    if (!bearerOk(headers.authorization)) return { status: 401, body: AUTH_FAILED };
    if (problems.length) return { status: 400, body: { code: 1, message: problems.join('; ') } };
    const account = params.path.ad_account_id;
    if (account !== undefined && !state.adAccounts.has(String(account))) {
      return { status: 404, body: { code: 404, message: `Ad account ${String(account)} not found` } };
    }
    const handler = handlers[op.id];
    if (!handler) return synthesized(op, params.path);
    try {
      return handler({
        operationId: op.id,
        path: params.path,
        query: params.query,
        body,
        state,
        origin,
        reportPollsUntilReady: pollsUntilReady,
      });
    } catch (error) {
      if (error instanceof HttpError) return { status: error.status, body: { code: error.code, message: error.message } };
      return { status: 500, body: { code: 500, message: `Emulator error: ${(error as Error).message}` } };
    }
  }

  async function onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = await readBody(req);
    const method = (req.method ?? 'GET').toUpperCase();
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const pathname = q >= 0 ? url.slice(0, q) : url;
    const rawQuery = q >= 0 ? url.slice(q + 1) : '';
    const headers = flattenHeaders(req);
    const query = parseQuery(rawQuery);
    const isApi = pathname === '/v5' || pathname.startsWith('/v5/');
    const path = isApi ? pathname.slice(3) || '/' : pathname;
    const fileMatch = !isApi && method === 'GET' ? /^\/files\/report-([A-Za-z0-9_-]+)\.json$/.exec(pathname) : null;
    const fileToken = fileMatch?.[1];
    const match = isApi ? router.match(method, path) : null;
    const op = match?.operation;

    const problems: string[] = [];
    const parsed = parseBody(raw, headers['content-type'], op, problems);
    let params: { path: Record<string, unknown>; query: Record<string, unknown> } = { path: {}, query: {} };
    if (op && match) {
      const result = validator.validateParams(op, { path: match.params, query });
      params = result;
      problems.push(...result.problems);
      if (op.body) {
        if (parsed.value === undefined) {
          if (op.body.required && parsed.ok) problems.push('request body is required');
        } else if (parsed.ok) {
          problems.push(...validator.validateBody(op, parsed.value));
        }
      }
    } else if (fileToken === undefined) {
      problems.push(`no operation matches ${method} ${path}`);
    }

    const record: RecordedRequest = {
      operationId: op?.id ?? null,
      method,
      path,
      rawQuery,
      query,
      headers,
      body: parsed.value,
      valid: problems.length === 0,
      problems,
      status: 0,
    };
    requests.push(record);

    const fault = takeFault(record.operationId, method);
    if (fault?.delayMs) await sleep(fault.delayMs);
    if (fault?.drop === 'before') {
      req.socket.destroy();
      return;
    }
    if (fault && fault.status !== undefined && fault.drop === undefined) {
      const body = fault.body !== undefined ? fault.body : defaultFaultBody(fault.status);
      record.status = fault.status;
      await send(res, { status: fault.status, body, headers: fault.headers }, latencyMs);
      return;
    }
    let outgoing = answer(op, fileToken, headers, params, parsed.value, problems);
    if (fault?.rewrite) outgoing = { ...fault.rewrite({ status: outgoing.status, body: outgoing.body }), headers: outgoing.headers };
    if (fault?.hold) await fault.hold.catch(() => {});
    if (fault?.drop === 'after') {
      req.socket.destroy();
      return;
    }
    record.status = outgoing.status;
    await send(res, outgoing, latencyMs);
  }

  const server = createServer({ keepAlive: true }, (req, res) => {
    onRequest(req, res).catch(() => {
      if (!res.headersSent && !res.destroyed) {
        res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ code: 500, message: 'Emulator error' }));
      } else {
        res.destroy();
      }
    });
  });
  server.keepAliveTimeout = 10_000;
  server.on('clientError', (_error, socket) => socket.destroy());

  origin = await listenOnLoopback(server, options.port);

  return {
    url: `${origin}/v5`,
    origin,
    requests,
    state,
    inject(fault: Fault): void {
      faults.push({ ...fault, remaining: fault.times ?? 1 });
    },
    clearFaults(): void {
      faults = [];
    },
    reset(): void {
      state.reset();
      requests.length = 0;
      faults = [];
    },
    expireTokens(): void {
      for (const token of issued.keys()) issued.set(token, 0);
    },
    close(): Promise<void> {
      return new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

/** Starts `server` on 127.0.0.1 (port 0: a free one) and gives its origin, `http://127.0.0.1:PORT`. Every fake API listens so. */
export function listenOnLoopback(server: HttpServer, port = 0): Promise<string> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, HOST, () => {
      server.off('error', reject);
      resolve(`http://${HOST}:${(server.address() as AddressInfo).port}`);
    });
  });
}

function defaultFaultBody(status: number): unknown {
  if (status === 429) return { code: 8, message: 'Rate limit exceeded' };
  return { code: status, message: STATUS_CODES[status] ?? 'Error' };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

async function send(res: ServerResponse, outgoing: Outgoing, latencyMs: number): Promise<void> {
  if (latencyMs > 0) await sleep(latencyMs);
  if (res.destroyed) return;
  const headers: Record<string, string> = { ...outgoing.headers };
  const text = outgoing.text ?? (outgoing.body === undefined || outgoing.status === 204 ? undefined : JSON.stringify(outgoing.body));
  if (text === undefined) {
    res.writeHead(outgoing.status, headers);
    res.end();
    return;
  }
  if (!Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) headers['content-type'] = 'application/json';
  headers['content-length'] = String(Buffer.byteLength(text, 'utf8'));
  res.writeHead(outgoing.status, headers);
  res.end(text);
}

/** The request body, at most MAX_BODY_BYTES of it (the rest is read and dropped). */
export function readBody(req: IncomingMessage, maxBytes = MAX_BODY_BYTES): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= maxBytes) chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function flattenHeaders(req: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    out[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

function parseQuery(rawQuery: string): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  if (!rawQuery) return out;
  for (const [key, value] of new URLSearchParams(rawQuery)) {
    const prev = out[key];
    if (prev === undefined) out[key] = value;
    else if (Array.isArray(prev)) prev.push(value);
    else out[key] = [prev, value];
  }
  return out;
}

/** Parses a body by its Content-Type; `ok` is false when it could not be read as the operation expects. */
function parseBody(
  raw: Buffer,
  contentType: string | undefined,
  op: OperationFacts | undefined,
  problems: string[],
): { value: unknown; ok: boolean } {
  if (raw.length === 0) return { value: undefined, ok: true };
  const text = raw.toString('utf8');
  const mediaType = (contentType ?? '').split(';')[0].trim().toLowerCase();
  const expected = op?.body?.mediaType;
  if (expected && mediaType !== expected) {
    problems.push(`Content-Type must be ${expected}${mediaType ? `, not ${mediaType}` : ''}`);
  }
  if (mediaType === 'application/x-www-form-urlencoded') {
    return { value: Object.fromEntries(new URLSearchParams(text)), ok: !expected || expected === mediaType };
  }
  if (mediaType === 'application/json' || mediaType.endsWith('+json') || (!mediaType && expected === 'application/json')) {
    try {
      return { value: JSON.parse(text), ok: !expected || expected === mediaType };
    } catch {
      if (expected) problems.push('request body is not valid JSON');
      return { value: text, ok: false };
    }
  }
  return { value: text, ok: false };
}
