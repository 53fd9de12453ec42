// The fake Pinterest API v5 on node:http: routing, auth, validation, fault injection, stateful and synthesized answers.
import { STATUS_CODES, type IncomingMessage, type ServerResponse } from 'node:http';
import { randomBytes } from 'node:crypto';
import type { OperationFacts } from '../../src/apis/types.js';
import { pinterestCatalog } from '../../src/apis/pinterest/catalog.generated.js';
import { pinterestResponses } from './responses.generated.js';
import { CatalogIntake, parseBody, recordOf, type CheckedCall, type RecordedCall } from '../intake/catalog.js';
import { type Answer, type IncomingCall, bearerToken, closeServer, createFakeServer, listenOnLoopback, readCall, sendAnswer, sleep } from '../intake/http.js';
import { EmulatorState } from './state.js';
import { HttpError, handlers, reportFileText, reportReady } from './handlers.js';
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
  /**
   * The fake's current time in milliseconds (default Date.now): entities' timestamps, the date an update takes effect
   * in analytics, and `today`. A test moves it to make changes on earlier days or at a fixed date.
   */
  clock?: () => number;
}

/** A request as received; `path` is below /v5 (the whole path for a report file), `body` holds form fields for oauth/token. */
export interface RecordedRequest extends RecordedCall {
  /** Matched catalog operation, null if no route matched. */
  operationId: string | null;
  /** Raw query string without '?'. */
  rawQuery: string;
  /**
   * Set once the connection closed before the answer went out, other than by a `drop` fault: the client gave up (a
   * cancelled call, a timeout), or close() ended it. A test awaits it to know the server let go of a held request.
   */
  abandoned?: true;
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

const API_BASE = '/v5';
const DEFAULT_TOKEN_LIFETIME = 30 * 24 * 3600;
const REFRESH_TOKEN_LIFETIME = 365 * 24 * 3600;
const OAUTH_SCOPE =
  'ads:read ads:write boards:read boards:write catalogs:read catalogs:write pins:read pins:write user_accounts:read';
const MAX_BODY_BYTES = 16 * 1024 * 1024;

const AUTH_FAILED = { code: 2, message: 'Authentication failed.' };

/** Built on the first start (not on import), then shared by every emulator in the process. */
let catalogIntake: CatalogIntake | undefined;

interface ActiveFault extends Fault {
  remaining: number;
}

/** Report files are downloads outside the API: `GET /files/report-<token>.json`. */
const REPORT_FILE = /^\/files\/report-([A-Za-z0-9_-]+)\.json$/;

export async function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const intake = (catalogIntake ??= new CatalogIntake(pinterestCatalog, pinterestResponses));
  const state = new EmulatorState(options.clock);
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
    const token = bearerToken(authorization);
    if (token === undefined) return false;
    if (accepted.has(token)) return true;
    const expiry = issued.get(token);
    return expiry !== undefined && expiry > Date.now();
  }

  function oauthToken(headers: Record<string, string>, body: unknown, problems: string[]): Answer {
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

  function synthesized(op: OperationFacts, path: Record<string, unknown>): Answer {
    if (!op.success.json) return { status: op.success.status };
    const body = intake.synthesizer.body(op.id);
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

  function answer(call: IncomingCall, checked: CheckedCall, fileToken: string | undefined): Answer {
    if (fileToken !== undefined) {
      const text = reportReady(state, fileToken, pollsUntilReady) ? reportFileText(state, fileToken) : undefined;
      return text === undefined ? { status: 404, body: { code: 404, message: 'Not found' } } : { status: 200, text };
    }
    const { op, params, body, problems } = checked;
    if (!op) return { status: 404, body: { code: 404, message: 'Not found' } };
    if (op.id === 'oauth/token') return oauthToken(call.headers, body, problems);
    if (!bearerOk(call.headers.authorization)) return { status: 401, body: AUTH_FAILED };
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

  async function send(res: ServerResponse, outgoing: Answer): Promise<void> {
    if (latencyMs > 0) await sleep(latencyMs);
    sendAnswer(res, outgoing);
  }

  async function onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const call = await readCall(req, API_BASE, MAX_BODY_BYTES);
    const fileToken = !call.underBase && call.method === 'GET' ? REPORT_FILE.exec(call.pathname)?.[1] : undefined;
    // A report file is a download outside the API: no operation to match, nothing to check.
    const checked: CheckedCall =
      fileToken === undefined
        ? intake.check(call)
        : { op: undefined, params: { path: {}, query: {} }, body: parseBody(call.raw, call.headers['content-type'], undefined, []).value, problems: [] };
    const record: RecordedRequest = { operationId: checked.op?.id ?? null, ...recordOf(call, checked), rawQuery: call.rawQuery };
    requests.push(record);
    let dropped = false;
    res.once('close', () => {
      if (!res.writableFinished && !dropped) record.abandoned = true;
    });

    const fault = takeFault(record.operationId, call.method);
    if (fault?.delayMs) await sleep(fault.delayMs);
    if (fault?.drop === 'before') {
      dropped = true;
      req.socket.destroy();
      return;
    }
    if (fault && fault.status !== undefined && fault.drop === undefined) {
      const body = fault.body !== undefined ? fault.body : defaultFaultBody(fault.status);
      record.status = fault.status;
      await send(res, { status: fault.status, body, headers: fault.headers });
      return;
    }
    let outgoing = answer(call, checked, fileToken);
    if (fault?.rewrite) outgoing = { ...fault.rewrite({ status: outgoing.status, body: outgoing.body }), headers: outgoing.headers };
    if (fault?.hold) await fault.hold.catch(() => {});
    if (fault?.drop === 'after') {
      dropped = true;
      req.socket.destroy();
      return;
    }
    record.status = outgoing.status;
    await send(res, outgoing);
  }

  const server = createFakeServer(onRequest, () => ({ code: 500, message: 'Emulator error' }));
  server.keepAliveTimeout = 10_000;

  origin = await listenOnLoopback(server, options.port);

  return {
    url: `${origin}${API_BASE}`,
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
      return closeServer(server);
    },
  };
}

function defaultFaultBody(status: number): unknown {
  if (status === 429) return { code: 8, message: 'Rate limit exceeded' };
  return { code: status, message: STATUS_CODES[status] ?? 'Error' };
}
