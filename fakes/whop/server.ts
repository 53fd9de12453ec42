// The fake Whop ads API on 127.0.0.1: its HTTP server and request pipeline (injected failures, auth, idempotency, routing).
import { STATUS_CODES, type IncomingMessage, type ServerResponse } from 'node:http';
import { whopCatalog } from '../../src/apis/whop/catalog.generated.js';
import { isPlainObject } from '../../src/core/json.js';
import { CatalogIntake, recordOf, type RecordedCall } from '../intake/catalog.js';
import { type Answer, bearerToken, closeServer, createFakeServer, listenOnLoopback, readCall, sendAnswer } from '../intake/http.js';
import { WhopError, errorBody } from './errors.js';
import { handlers, type Context } from './handlers.js';
import { moneyProblems } from './money.js';
import { whopResponses } from '../../src/apis/whop/responses.generated.js';
import type { Checked } from './shapes.js';
import { WhopState } from './state.js';

export { WHOP_SEED } from './state.js';

export const WHOP_TEST_KEY = 'whop-test-key';

export interface WhopEmulatorOptions {
  /** Accepted as `Authorization: Bearer <key>`; default [WHOP_TEST_KEY]. */
  apiKeys?: string[];
  /** ISO code the account bills in, reported as spend_currency (upper case, e.g. 'USD'); default 'USD'. */
  currency?: string;
  /** Create the WHOP_SEED entities; default true. */
  seed?: boolean;
}

/** A request as received; `path` is below /api/v1 (`/ad_groups`). */
export interface WhopRecordedRequest extends RecordedCall {
  /** The operation id it matched (`ad_groups/update`), undefined when no route matched. */
  op?: string;
  /** True when the answer was replayed for a repeated Idempotency-Key (nothing was applied again). */
  replayed?: boolean;
}

export interface WhopEmulator {
  /** http://127.0.0.1:PORT/api/v1 (what WHOP_API_BASE_URL takes). */
  url: string;
  /** Every request received, in order, refused ones included. */
  requests: WhopRecordedRequest[];
  /** Entities as the API answers them, by id. */
  campaigns: Map<string, Record<string, unknown>>;
  adGroups: Map<string, Record<string, unknown>>;
  ads: Map<string, Record<string, unknown>>;
  audiences: Map<string, Record<string, unknown>>;
  /** The next `count` requests (any route) are answered `status` with a Whop error body, before anything is applied; for 429 a `retry-after: 0` header. */
  failNext(count: number, status: number): void;
  close(): Promise<void>;
}

const BASE_PATH = '/api/v1';
const MAX_BODY_BYTES = 1024 * 1024;

/** Built on the first start (not on import), then shared by every emulator in the process. */
let catalogIntake: CatalogIntake | undefined;

/** JSON with object keys sorted, so equal bodies compare equal whatever their key order. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (isPlainObject(value)) {
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical(value[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value) ?? 'undefined';
}

export async function startWhopEmulator(options: WhopEmulatorOptions = {}): Promise<WhopEmulator> {
  const intake = (catalogIntake ??= new CatalogIntake(whopCatalog, whopResponses, { refuseUnlistedProperties: true }));
  const keys = new Set(options.apiKeys ?? [WHOP_TEST_KEY]);
  const state = new WhopState((options.currency ?? 'USD').toUpperCase(), intake.synthesizer);
  const requests: WhopRecordedRequest[] = [];
  const failures: number[] = [];
  const idempotent = new Map<string, { fingerprint: string; status: number; text: string }>();

  if (options.seed ?? true) state.seed();

  function answer(record: WhopRecordedRequest, ctx: Context | undefined): Answer {
    const failure = failures.shift();
    if (failure !== undefined) {
      if (failure === 429) return { status: 429, body: errorBody(429, 'Rate limit exceeded. Try again in 1 seconds.'), headers: { 'retry-after': '0' } };
      return { status: failure, body: errorBody(failure, `Injected failure: ${STATUS_CODES[failure] ?? 'error'}`) };
    }
    if (!ctx || !record.op) return { status: 404, body: errorBody(404, `No route for ${record.method} ${BASE_PATH}${record.path}`) };
    const bearer = bearerToken(record.headers.authorization);
    if (bearer === undefined || !keys.has(bearer)) return { status: 401, body: errorBody(401, 'Invalid or missing API key') };
    if (record.problems.length) return { status: 400, body: errorBody(400, record.problems.join('; ')) };

    const key = record.method === 'POST' ? record.headers['idempotency-key'] : undefined;
    const fingerprint = `${record.method} ${record.path} ${canonical(record.body)}`;
    if (key !== undefined) {
      const seen = idempotent.get(key);
      if (seen && seen.fingerprint !== fingerprint) {
        return { status: 409, body: errorBody(409, `Idempotency-Key ${key} was already used for a different request`) };
      }
      if (seen) {
        record.replayed = true;
        return { status: seen.status, body: JSON.parse(seen.text), headers: { 'idempotent-replayed': 'true' } };
      }
    }
    let out: Answer;
    try {
      // Derived fields are laid over again on both sides: a test may have edited the maps in between.
      state.refresh();
      out = handlers[record.op](ctx);
      state.refresh();
    } catch (error) {
      if (!(error instanceof WhopError)) throw error;
      return { status: error.status, body: errorBody(error.status, error.message) };
    }
    if (key !== undefined && out.status < 300) idempotent.set(key, { fingerprint, status: out.status, text: JSON.stringify(out.body) });
    return out;
  }

  async function onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const call = await readCall(req, BASE_PATH, MAX_BODY_BYTES);
    const checked = intake.check(call);
    const { op, params, body } = checked;
    if (op && !op.body && call.raw.length) checked.problems.push(`${op.id} takes no request body`);
    if (op) checked.problems.push(...moneyProblems(op.id, body, state.currency));
    const ctx: Context | undefined = op && { path: params.path, query: params.query, body: (isPlainObject(body) ? body : {}) as Checked, state };
    const record: WhopRecordedRequest = { ...recordOf(call, checked), op: op?.id };
    requests.push(record);
    const out = answer(record, ctx);
    record.status = out.status;
    sendAnswer(res, out);
  }

  const server = createFakeServer(onRequest, (error) => errorBody(500, `Emulator error: ${(error as Error).message}`));
  const origin = await listenOnLoopback(server);

  return {
    url: `${origin}${BASE_PATH}`,
    requests,
    campaigns: state.campaigns,
    adGroups: state.adGroups,
    ads: state.ads,
    audiences: state.audiences,
    failNext(count: number, status: number): void {
      for (let i = 0; i < count; i++) failures.push(status);
    },
    close: () => closeServer(server),
  };
}
