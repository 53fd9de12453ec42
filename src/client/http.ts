// The one HTTP client every tool goes through (ky): auth, base URL, safe retries, per-category limits, error mapping.
import ky, { HTTPError, isTimeoutError, type KyInstance } from 'ky';
import type { OperationFacts } from '../catalog/types.js';
import type { Logger } from '../logger.js';
import { ApiError, httpErrorHint, isAbuse429, parseErrorBody } from './errors.js';
import { CategoryLimiter } from './limiter.js';
import { type ApiRequest, queryString } from './request.js';

/** Supplies the Authorization header; `refresh` (optional) obtains a new credential after a 401. */
export interface AuthProvider {
  header(): Promise<string | undefined>;
  refresh?(): Promise<boolean>;
  /** What to tell the model when no credential is configured. */
  missingHelp: string;
}

export interface ClientOptions {
  /** Human name used in messages ("Pinterest API error 400 ..."). */
  label: string;
  baseUrl: string;
  auth: AuthProvider;
  /** Refuse operations whose `x-sandbox` is `disabled` (the base URL is the sandbox). */
  sandbox?: boolean;
  timeoutMs: number;
  totalTimeoutMs: number;
  retries: number;
  /** Upper bound for one backoff delay, including a server's Retry-After. */
  maxDelayMs?: number;
  logger: Logger;
}

export interface ApiResponse {
  status: number;
  /** Parsed JSON, or undefined for an empty body (204). */
  body: unknown;
}

export interface SendOptions {
  signal?: AbortSignal;
}

const RETRY_STATUS = [408, 429, 500, 502, 503, 504];

/** Whether a failed attempt may be repeated: reads on any transient failure, writes only on a 429 that did nothing. */
async function retryDecision(error: Error, method: string): Promise<boolean | undefined> {
  const read = method === 'get';
  if (error instanceof HTTPError) {
    const status = error.response.status;
    if (status === 429) {
      const { message } = parseErrorBody(await error.response.clone().text());
      return isAbuse429(status, message) ? false : undefined; // undefined: ky's default honours Retry-After
    }
    return read && RETRY_STATUS.includes(status) ? undefined : false;
  }
  if (isTimeoutError(error)) return read; // a write that timed out may have been applied
  return read ? undefined : false; // network failure: same reasoning
}

export class ApiClient {
  private readonly http: KyInstance;
  private readonly limiter = new CategoryLimiter();

  constructor(private readonly options: ClientOptions) {
    this.http = ky.create({
      timeout: options.timeoutMs,
      throwHttpErrors: true,
      retry: {
        limit: options.retries,
        methods: ['get', 'post', 'put', 'patch', 'delete'],
        statusCodes: RETRY_STATUS,
        afterStatusCodes: [429, 503],
        backoffLimit: options.maxDelayMs ?? 10_000,
        maxRetryAfter: options.maxDelayMs ?? 60_000,
        jitter: true,
        shouldRetry: ({ error }) => retryDecision(error, (error as HTTPError).request?.method?.toLowerCase() ?? 'get'),
      },
      hooks: {
        beforeRetry: [
          ({ request, retryCount }) => {
            options.logger.warn({ method: request.method, path: new URL(request.url).pathname, retryCount }, 'retrying request');
          },
        ],
      },
    });
  }

  async send(op: OperationFacts, request: ApiRequest, sendOptions: SendOptions = {}): Promise<ApiResponse> {
    if (this.options.sandbox && op.sandbox === 'disabled') {
      throw new ApiError(
        `${op.id} is not available in the ${this.options.label} sandbox. Unset PINTEREST_SANDBOX to call production.`,
        'sandbox',
      );
    }
    let auth = await this.options.auth.header();
    if (!auth) throw new ApiError(this.options.auth.missingHelp, 'auth_missing');
    try {
      return await this.limiter.run(op.rateLimitCategory, () => this.attempt(op, request, auth!, sendOptions));
    } catch (error) {
      const canRefresh = error instanceof ApiError && error.status === 401 && request.method === 'GET';
      if (!canRefresh || !(await this.options.auth.refresh?.())) throw error;
      auth = await this.options.auth.header();
      return this.limiter.run(op.rateLimitCategory, () => this.attempt(op, request, auth!, sendOptions));
    }
  }

  private async attempt(op: OperationFacts, request: ApiRequest, auth: string, sendOptions: SendOptions): Promise<ApiResponse> {
    const url = this.options.baseUrl + request.path + queryString(request.query);
    const signals = [AbortSignal.timeout(this.options.totalTimeoutMs)];
    if (sendOptions.signal) signals.push(sendOptions.signal);
    const started = performance.now();
    try {
      const response = await this.http(url, {
        method: request.method,
        headers: { authorization: auth, accept: 'application/json' },
        json: request.body,
        signal: AbortSignal.any(signals),
      });
      const text = await response.text();
      this.options.logger.debug(
        { op: op.id, status: response.status, ms: Math.round(performance.now() - started) },
        'api call',
      );
      return { status: response.status, body: text ? JSON.parse(text) : undefined };
    } catch (error) {
      throw await this.mapError(op, request, error);
    }
  }

  private async mapError(op: OperationFacts, request: ApiRequest, error: unknown): Promise<ApiError> {
    const label = this.options.label;
    if (error instanceof HTTPError) {
      const status = error.response.status;
      const { code, message } = parseErrorBody(await error.response.text().catch(() => ''));
      const retryAfter = Number(error.response.headers.get('retry-after'));
      const scopes = op.auth.flatMap((a) => a.scopes);
      const text =
        `${label} API error ${status}${code !== undefined ? ` (code ${code})` : ''}: ${message ?? error.response.statusText}. ` +
        httpErrorHint(status, scopes);
      return new ApiError(text, 'http', {
        status,
        code,
        apiMessage: message,
        retryAfterSeconds: Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : undefined,
      });
    }
    const aborted = error instanceof Error && (error.name === 'AbortError' || error.name === 'TimeoutError');
    if (request.method !== 'GET') {
      return new ApiError(
        `Outcome unknown: the ${label} API did not answer this ${request.method} ${request.path}, and it may have been applied. ` +
          'Read the entity before retrying; the write was not repeated automatically.',
        'outcome_unknown',
      );
    }
    if (isTimeoutError(error) || aborted) {
      return new ApiError(`The ${label} API did not answer in time. Try again later or narrow the request.`, 'timeout');
    }
    const reason = error instanceof Error ? ((error.cause as Error | undefined)?.message ?? error.message) : String(error);
    return new ApiError(`Could not reach the ${label} API (${reason}). Check the network or the base URL and retry.`, 'network');
  }
}
