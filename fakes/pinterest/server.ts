// The fake Pinterest API v5 on node:http: routing, auth, validation, fault injection, stateful and synthesized answers.
//
// Who a token acts as: static tokens (`acceptedTokens`) and tokens from the app's own refresh token (`oauth.refreshToken`)
// act as the seed business user (SEED.user), who reaches the three seeded ad accounts. With `oauth.apps`, people sign
// in as a person would at www.pinterest.com/oauth/: `GET /oauth/` (outside /v5, at `oauthUrl`) shows the consent page
// (pick Alice or Bob of PEOPLE, Allow or Deny; a plain form, no script), the redirect carries a single-use code (60 s by
// the fake's clock), and `POST /v5/oauth/token` exchanges it (`grant_type=authorization_code`, the same redirect_uri,
// HTTP Basic app credentials) and refreshes the person's tokens (`grant_type=refresh_token`: a new access token and a
// rotated refresh token). A person's token sees that person's user_account and ad accounts only: another ad account
// answers 403 (code 29), an operation whose scopes the token lacks 401 (code 3). Boards and pins are not per person.
// The sign-in pages are www.pinterest.com's, not the API's: they are not in `requests` and faults never apply to them.
import { STATUS_CODES, type IncomingMessage, type ServerResponse } from 'node:http';
import { randomBytes } from 'node:crypto';
import type { OperationFacts } from '../../src/apis/types.js';
import { pinterestCatalog } from '../../src/apis/pinterest/catalog.generated.js';
import { pinterestResponses } from '../../src/apis/pinterest/responses.generated.js';
import { CatalogIntake, parseBody, recordOf, type CheckedCall, type RecordedCall } from '../intake/catalog.js';
import { type Answer, type IncomingCall, bearerToken, closeServer, createFakeServer, listenOnLoopback, readCall, sendAnswer, sleep } from '../intake/http.js';
import { EmulatorState, type UserAccountRecord } from './state.js';
import { AUTHORIZE_PATH, CONSENT_PATH, INSUFFICIENT_SCOPE, type OAuthApp, PeopleSignIn, authFailed, basicCredentials, scopesAllow } from './oauth.js';
import { HttpError, handlers, reportFileText, reportReady } from './handlers.js';
import { isPlainObject } from '../../src/core/json.js';

export { EmulatorState, PEOPLE, SEED, SEED_TIME, type PersonKey } from './state.js';
export { PINTEREST_SCOPES, type OAuthApp } from './oauth.js';
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
  /** Enables POST /v5/oauth/token (HTTP Basic app credentials) and, with `apps`, the sign-in of people. */
  oauth?: {
    /** The app of a server configured with one refresh token: that token never rotates and acts as the seed user. */
    appId?: string;
    appSecret?: string;
    refreshToken?: string;
    /** Lifetime of every access token oauth/token issues (default 30 days, as Pinterest's). */
    expiresInSeconds?: number;
    /** Apps people sign in to at `oauthUrl`; any app seeds PEOPLE (Alice and Bob, with Bob's ad account). */
    apps?: OAuthApp[];
  };
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
  /** The operation it applies to (any when absent); null for requests outside the API (a report file). */
  operationId?: string | null;
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
  /** The authorize page people are sent to, as https://www.pinterest.com/oauth/ is: http://127.0.0.1:PORT/oauth/ */
  oauthUrl: string;
  /** Every API request received, in order (including auth failures and faults); the sign-in pages are not API requests. */
  requests: RecordedRequest[];
  /** The live entity store. */
  state: EmulatorState;
  inject(fault: Fault): void;
  clearFaults(): void;
  /** Re-seeds the state and clears recorded requests, faults and `codesIssued` (issued tokens stay valid). */
  reset(): void;
  /** Access tokens issued by oauth/token stop being accepted (people's refresh tokens still work). */
  expireTokens(): void;
  /** A person withdrew the app's access: their access and refresh tokens are refused (a refresh answers 401). */
  revokePerson(userId: string): void;
  /** Codes the consent page handed out so far. */
  readonly codesIssued: number;
  close(): Promise<void>;
}

const API_BASE = '/v5';
const DEFAULT_TOKEN_LIFETIME = 30 * 24 * 3600;
/** Another ad account than the token's person's (the description's answer to a user without access). */
const NO_ACCESS = { code: 29, message: 'You are not permitted to access that resource.' };
/** What the answer to the app's own refresh token says of it (a legacy refresh token's year). */
const APP_REFRESH_TOKEN_LIFETIME = 365 * 24 * 3600;
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
  const now = options.clock ?? Date.now;
  const apps = options.oauth?.apps ?? [];
  const state = new EmulatorState(options.clock, { people: apps.length > 0 });
  const signIn = new PeopleSignIn(apps, now, options.oauth?.expiresInSeconds);
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

  /** Who a bearer token acts as, and the scopes it is limited to (a person's token), or undefined when refused. */
  function callerOf(authorization: string | undefined): { user: UserAccountRecord; scopes?: readonly string[] } | undefined {
    const token = bearerToken(authorization);
    if (token === undefined) return undefined;
    const expiry = issued.get(token);
    if (accepted.has(token) || (expiry !== undefined && expiry > now())) return { user: state.user };
    const grant = signIn.grantOf(token);
    const person = grant && state.userOf(grant.userId);
    return person ? { user: person, scopes: grant.scopes } : undefined;
  }

  function oauthToken(headers: Record<string, string>, body: unknown, problems: string[]): Answer {
    const oauth = options.oauth;
    const credentials = basicCredentials(headers.authorization);
    if (!oauth || !credentials) return authFailed();
    const ownApp = oauth.appId !== undefined && credentials.id === oauth.appId && credentials.secret === oauth.appSecret;
    const app = signIn.app(credentials.id, credentials.secret);
    if (!ownApp && !app) return authFailed();
    if (problems.length) return { status: 400, body: { code: 1, message: problems.join('; ') } };
    const fields = (body ?? {}) as Record<string, unknown>;
    if (fields.grant_type === 'authorization_code' && app) return signIn.exchangeCode(app, fields);
    if (fields.grant_type !== 'refresh_token') {
      return { status: 400, body: { code: 1, message: `Unsupported grant_type '${String(fields.grant_type)}'` } };
    }
    if (!ownApp || oauth.refreshToken === undefined || fields.refresh_token !== oauth.refreshToken) {
      return (app && signIn.refresh(app, fields)) || authFailed();
    }
    const expiresIn = oauth.expiresInSeconds ?? DEFAULT_TOKEN_LIFETIME;
    const token = `pina_${randomBytes(18).toString('base64url')}`;
    issued.set(token, now() + expiresIn * 1000);
    return {
      status: 200,
      body: {
        response_type: 'refresh_token',
        access_token: token,
        token_type: 'bearer',
        expires_in: expiresIn,
        scope: OAUTH_SCOPE,
        refresh_token_expires_in: APP_REFRESH_TOKEN_LIFETIME,
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
    const caller = callerOf(call.headers.authorization);
    if (!caller) return { status: 401, body: AUTH_FAILED };
    if (caller.scopes && !scopesAllow(op, caller.scopes)) return { status: 401, body: INSUFFICIENT_SCOPE };
    if (problems.length) return { status: 400, body: { code: 1, message: problems.join('; ') } };
    const account = params.path.ad_account_id;
    if (account !== undefined && !state.adAccounts.has(String(account))) {
      return { status: 404, body: { code: 404, message: `Ad account ${String(account)} not found` } };
    }
    // An ad account named in the path or the query (acting on behalf of an account's business) must be the caller's.
    const named = account ?? params.query.ad_account_id;
    if (named !== undefined && state.adAccounts.has(String(named)) && !state.canAccess(caller.user.id, String(named))) {
      return { status: 403, body: NO_ACCESS };
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
        user: caller.user,
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

  /** The sign-in pages (www.pinterest.com's in reality), or undefined for any other request. */
  function signInPage(call: IncomingCall): Answer | undefined {
    if (call.underBase) return undefined;
    if (call.method === 'GET' && (call.pathname === AUTHORIZE_PATH || `${call.pathname}/` === AUTHORIZE_PATH)) return signIn.authorize(call.query);
    if (call.method === 'POST' && call.pathname === CONSENT_PATH) return signIn.decide(call.raw);
    return undefined;
  }

  async function onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const call = await readCall(req, API_BASE, MAX_BODY_BYTES);
    const page = signInPage(call);
    if (page) return send(res, page);
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
    oauthUrl: `${origin}${AUTHORIZE_PATH}`,
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
      signIn.codesIssued = 0;
    },
    expireTokens(): void {
      for (const token of issued.keys()) issued.set(token, 0);
      signIn.expireAccessTokens();
    },
    revokePerson(userId: string): void {
      signIn.revokeUser(userId);
    },
    get codesIssued(): number {
      return signIn.codesIssued;
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
