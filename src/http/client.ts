// The one HTTP client every tool goes through (undici): auth, base URL, safe retries, per-category limits, error mapping.
import { randomUUID } from 'node:crypto';
import type { OperationFacts } from '../apis/types.js';
import type { Logger } from '../core/logger.js';
import { MAX_NESTING, mayNestTooDeep, nestsDeeperThan } from '../core/walk.js';
import { type Answer, ResponseTooLarge, sendBounded } from './fetch.js';
import { AttemptTimeout, type Outcome, runAttempts } from './attempts.js';
import { ApiError, type Applied, httpErrorHint, isAbuse429, parseErrorBody, summarize } from './errors.js';
import { CategoryLimiter } from './limiter.js';
import type { ApiRequest } from './request.js';

/** Supplies the Authorization header; `refresh` (optional) obtains a new credential after a 401. */
export interface AuthProvider {
  header(): Promise<string | undefined>;
  /**
   * Called after the API refused `rejected` (an Authorization header) with 401; resolves true when a different
   * credential is now available from `header()`. Throws an ApiError when refreshing itself failed.
   */
  refresh?(rejected: string): Promise<boolean>;
  /** What to tell the model when no credential is configured. */
  missingHelp: string;
  /** What to tell the model when the API refuses the credential (401). */
  renewHelp: string;
}

export interface ClientOptions {
  /** Human name used in messages (`<label> API error 400 ...`): the adapter's label. */
  label: string;
  baseUrl: string;
  auth: AuthProvider;
  /** Set when requests go to the sandbox: operations whose `x-sandbox` is `disabled` are refused, with `leave` as the fix. */
  sandbox?: { leave: string };
  /** Limit for one attempt. */
  timeoutMs: number;
  /** Limit for the whole call: every attempt, backoff and Retry-After wait. */
  totalTimeoutMs: number;
  /** Repeats after the first attempt (reads on transient failures, writes only on a plain 429). */
  retries: number;
  /** Upper bound for one backoff delay; a Retry-After longer than this is reported instead of waited out. */
  maxDelayMs?: number;
  /** Largest answer read; a bigger success answer is refused (ResponseTooLarge) without being buffered whole. */
  maxResponseBytes: number;
  logger: Logger;
}

export interface ApiResponse {
  status: number;
  /** Parsed JSON (the text, for an operation that does not answer JSON), or undefined for an empty body (204). */
  body: unknown;
}

/** What the attempts of one call got back, to tell "not processed" from "may have been processed" when it fails. */
interface AttemptLog {
  /** Attempts answered 429 (which the APIs send before processing anything). */
  rateLimited: number;
  /** Attempts that got no answer (network failure, per-attempt timeout, cut off by the deadline). */
  unanswered: number;
}

export interface SendOptions {
  signal?: AbortSignal;
}

/** Statuses after which a read is repeated. A write is repeated only after a 429 that is not about abuse. */
const READ_RETRY_STATUS = [408, 429, 500, 502, 503, 504];
const WRITE_RETRY_STATUS = [429];
/**
 * What an error answer without a message is called: its HTTP reason phrase ("Internal Server Error"), not an empty
 * string. node:http loads here, on an error, rather than with the server (stdio never needs it otherwise).
 */
async function reasonPhrase(status: number): Promise<string> {
  const { STATUS_CODES } = await import('node:http');
  return STATUS_CODES[status] ?? 'no message';
}

/** Statuses whose Retry-After is waited out before the next attempt. */
const RETRY_AFTER_STATUS = new Set([429, 503]);
/** Connection failures that prove the request never left: safe to say so, even for a write. */
const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);
const DEFAULT_MAX_DELAY_MS = 20_000;
/** First backoff delay (doubled on each retry, jittered, capped at maxDelayMs). */
const FIRST_BACKOFF_MS = 300;
/** The reason the call's own deadline gives when it passes (a caller's cancellation gives another). */
const DEADLINE = 'TimeoutError';
/** Whether an attempt ended without an answer because time ran out: its own timeout or the call's deadline. */
const outOfTime = (error: unknown): boolean => error instanceof AttemptTimeout || (error as Error | undefined)?.name === DEADLINE;

/**
 * The wait an answer's Retry-After asks for, in ms (seconds, or an HTTP date); `unreadable` when the header is there but
 * says nothing usable (`soon`, `Infinity`), which is backed off like an answer without one instead of waited out.
 */
function retryAfter(answer: Answer): number | 'unreadable' | undefined {
  const value = answer.header('retry-after')?.trim();
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? 'unreadable' : Math.max(0, date - Date.now());
}

function retryAfterMs(answer: Answer): number | undefined {
  const asked = retryAfter(answer);
  return asked === 'unreadable' ? undefined : asked;
}

/** Whop says how long to wait in the 429's message ("Try again in 12 seconds."). */
function retryAfterInMessage(message: string | undefined): number | undefined {
  const seconds = /try again in (\d+) seconds?/i.exec(message ?? '')?.[1];
  return seconds === undefined ? undefined : Number(seconds) * 1000;
}

function causeCode(error: unknown): string | undefined {
  const cause = (error as { cause?: { code?: unknown } } | undefined)?.cause;
  return typeof cause?.code === 'string' ? cause.code : undefined;
}

export class ApiClient {
  private readonly limiter = new CategoryLimiter();
  /** The base URL's path as URL parsing normalises it (`/v5`), against which each request's path is checked. */
  private readonly basePath: string;

  constructor(private readonly options: ClientOptions) {
    this.basePath = new URL(options.baseUrl).pathname.replace(/\/$/, '');
  }

  /**
   * Why no request can be sent, or undefined; lets callers refuse before previews. No credential configured, or
   * obtaining one failed (an OAuth refresh: its own error, which says why).
   */
  async credentialProblem(): Promise<ApiError | undefined> {
    return this.credential().then(
      () => undefined,
      (error: ApiError) => error,
    );
  }

  /** The Authorization header to send; throws an ApiError saying that nothing was sent when there is none. */
  private async credential(): Promise<string> {
    let header: string | undefined;
    try {
      header = await this.options.auth.header();
    } catch (error) {
      const why = error instanceof ApiError ? error : new ApiError(`Could not obtain ${this.options.label} credentials: ${(error as Error).message}.`, 'auth_refresh');
      throw new ApiError(`Nothing was sent. ${why.message}`, why.kind, why.details);
    }
    if (!header) throw new ApiError(this.options.auth.missingHelp, 'auth_missing');
    return header;
  }

  async send(op: OperationFacts, request: ApiRequest, sendOptions: SendOptions = {}): Promise<ApiResponse> {
    if (this.options.sandbox && op.sandbox === 'disabled') {
      throw new ApiError(
        `${op.id} is not available in the ${this.options.label} sandbox. ${this.options.sandbox.leave}`,
        'sandbox',
      );
    }
    const url = this.exactUrl(request);
    const header = await this.credential();
    // One deadline for the whole call, whatever happens inside (retries, waits, a token refresh), linked by hand to the
    // caller's cancellation: cheaper than AbortSignal.any + AbortSignal.timeout, and the timer ends with the call.
    const controller = new AbortController();
    const signal = controller.signal;
    const deadline = setTimeout(
      () => controller.abort(new DOMException(`The call took longer than ${this.options.totalTimeoutMs} ms.`, DEADLINE)),
      this.options.totalTimeoutMs,
    );
    const cancel = () => controller.abort(sendOptions.signal?.reason);
    if (sendOptions.signal?.aborted) cancel();
    else sendOptions.signal?.addEventListener('abort', cancel, { once: true });
    try {
      return await this.sendWithin(op, request, url, header, signal);
    } finally {
      clearTimeout(deadline);
      sendOptions.signal?.removeEventListener('abort', cancel);
    }
  }

  private async sendWithin(op: OperationFacts, request: ApiRequest, url: string, header: string, signal: AbortSignal): Promise<ApiResponse> {
    const auth = this.options.auth;
    const category = op.rateLimitCategory;
    const run = async (credential: string): Promise<ApiResponse> => {
      try {
        return await this.limiter.run(category, () => this.attempts(op, request, url, credential, signal), signal);
      } catch (error) {
        if (error instanceof ApiError) throw error;
        // Aborted while queued behind its category (deadline or cancellation): nothing was sent.
        throw new ApiError(`The ${this.options.label} API call did not start in time (its rate-limit category is busy); nothing was sent. Try again later.`, 'timeout', {
          outcome: 'not_applied',
        });
      }
    };
    try {
      return await run(header);
    } catch (error) {
      if (!(error instanceof ApiError) || error.status !== 401 || !auth.refresh) throw error;
      if (request.write) {
        // A write is never repeated; refresh anyway so that the caller's next attempt can succeed.
        const refreshed = await auth.refresh(header).catch(() => false);
        if (!refreshed) throw error;
        throw new ApiError(
          `${error.message} A new access token has since been obtained. The API refused this ${request.method} before ` +
            'applying it, so nothing was changed: make the call again (a write that needed confirmation needs a new preview).',
          'http',
          error.details,
        );
      }
      const refreshed = await auth.refresh(header).catch((failure: unknown) => {
        if (!(failure instanceof ApiError)) throw failure;
        throw new ApiError(`The ${this.options.label} API refused the access token (HTTP 401). ${failure.message}`, failure.kind, failure.details);
      });
      if (!refreshed) throw error;
      const fresh = await auth.header();
      if (!fresh) throw error;
      this.options.logger.info({ op: op.id }, 'repeating a read with a refreshed access token');
      return await run(fresh);
    }
  }

  /**
   * The call's attempts, by the method's rules: a read (or a write that carries an idempotency key) is repeated after
   * no answer or a transient status, any other write only after a plain 429. A 2xx comes back parsed; anything else
   * comes out as the ApiError that says what happened.
   */
  private async attempts(op: OperationFacts, request: ApiRequest, url: string, auth: string, signal: AbortSignal): Promise<ApiResponse> {
    // A write that carries an idempotency key is repeated like a read: the API applies one key once, so a retry of a
    // write that was processed gets the first answer back instead of applying it again. One key per call (the same on
    // every retry of it); a new call is a new intended write.
    const idempotency = op.idempotencyHeader && request.write ? { [op.idempotencyHeader]: randomUUID() } : undefined;
    const repeatable = !request.write || idempotency !== undefined;
    const statuses = repeatable ? READ_RETRY_STATUS : WRITE_RETRY_STATUS;
    const maxDelayMs = this.options.maxDelayMs ?? DEFAULT_MAX_DELAY_MS;
    const { logger, maxResponseBytes } = this.options;
    const started = performance.now();
    const log: AttemptLog = { rateLimited: 0, unanswered: 0 };
    // The body exactly as previewed and hashed (JSON text built once with the request).
    const outgoing = {
      method: request.method,
      headers: {
        authorization: auth,
        accept: 'application/json',
        ...(request.payload !== undefined ? { 'content-type': 'application/json' } : {}),
        ...idempotency,
      },
      body: request.payload,
    };
    const outcome = await runAttempts(
      async (attemptSignal) => {
        try {
          const answer = await sendBounded(url, { ...outgoing, signal: attemptSignal }, maxResponseBytes);
          if (answer.status === 429) log.rateLimited++;
          return answer;
        } catch (error) {
          if (!(error instanceof ResponseTooLarge)) log.unanswered++;
          throw error;
        }
      },
      {
        retries: this.options.retries,
        timeoutMs: this.options.timeoutMs,
        signal,
        waitBefore: (retry, failure) => {
          if ('error' in failure) {
            // No answer (network failure or a timeout): a read (or a keyed write) is repeated; any other write may have
            // been applied. An answer too large would be as large again.
            return repeatable && !(failure.error instanceof ResponseTooLarge) ? this.backoff(retry, maxDelayMs) : undefined;
          }
          const { answer } = failure;
          if (!statuses.includes(answer.status)) return undefined;
          if (!RETRY_AFTER_STATUS.has(answer.status)) return this.backoff(retry, maxDelayMs);
          if (answer.status === 429 && isAbuse429(answer.status, parseErrorBody(answer.text()).message)) return undefined;
          // Retry-After is waited out when it can be read and is short; a longer one is reported instead. One that says
          // nothing usable (`soon`) is backed off like an answer without one, never waited for at a cap.
          const asked = retryAfter(answer);
          if (typeof asked !== 'number') return this.backoff(retry, maxDelayMs);
          if (asked > maxDelayMs) return undefined;
          if (answer.status === 429) this.limiter.pause(op.rateLimitCategory, asked);
          return asked;
        },
        repeating: (retryCount, failure, waitedMs) => {
          const reason = 'answer' in failure ? failure.answer.status : outOfTime(failure.error) ? 'timeout' : 'network';
          logger.warn({ op: op.id, method: request.method, path: request.path, retryCount, reason, waitedMs: Math.round(waitedMs) }, 'retrying request');
        },
      },
    );
    if ('error' in outcome || !outcome.answer.ok) throw await this.mapError(op, request, outcome, signal, log);
    const { answer } = outcome;
    logger.debug({ op: op.id, status: answer.status, ms: Math.round(performance.now() - started) }, 'api call');
    return { status: answer.status, body: this.parseBody(op, request, answer) };
  }

  /** The jittered, doubling wait before repeat number `retry`, at most `maxDelayMs`. */
  private backoff(retry: number, maxDelayMs: number): number {
    return Math.min(maxDelayMs, Math.random() * FIRST_BACKOFF_MS * 2 ** (retry - 1));
  }

  /**
   * The answer's body: JSON for an operation that documents JSON, where anything else (an HTML page from a proxy,
   * truncated JSON) is an error, never a success; a write's outcome is then unknown. JSON nested deeper than
   * MAX_NESTING is refused too (a write's 2xx was applied).
   */
  private parseBody(op: OperationFacts, request: ApiRequest, response: Answer): unknown {
    const text = response.text();
    if (!text) return undefined;
    const label = this.options.label;
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      if (!op.success.json) return text;
    }
    if (body !== undefined) {
      if (!mayNestTooDeep(text) || !nestsDeeperThan(body)) return body;
      const deeper = `nests deeper than ${MAX_NESTING} levels (no documented answer does) and is not shown`;
      if (!request.write) {
        throw new ApiError(`The ${label} API's answer ${deeper}. Nothing was changed. Retry later; if it persists, check the base URL and any proxy in between.`, 'too_deep', {
          status: response.status,
        });
      }
      throw new ApiError(
        `The ${label} API accepted this ${request.method} ${request.path} (HTTP ${response.status}), so it was applied, but its answer ${deeper}. ` +
          'Do not repeat it: read the entity to see the result.',
        'too_deep',
        { status: response.status, outcome: 'applied' },
      );
    }
    const type = response.header('content-type')?.split(';')[0] || 'no content type';
    const what = `HTTP ${response.status} with something that is not JSON (${type}, ${text.length} characters, starting ${JSON.stringify(summarize(text, 60) ?? '')})`;
    if (!request.write) {
      throw new ApiError(
        `Unexpected answer: the ${label} API answered ${what}. Nothing was changed. Retry later; if it persists, check the base URL and any proxy in between.`,
        'unexpected_answer',
        { status: response.status },
      );
    }
    throw new ApiError(
      `Unexpected answer: the ${label} API answered this ${request.method} ${request.path} ${what}, so the outcome is unknown: it may have been applied. ` +
        'Read the entity before retrying; the write was not repeated automatically.',
      'outcome_unknown',
      { status: response.status, outcome: 'unknown' },
    );
  }

  /**
   * The URL to send, refused when URL parsing would change its path or query (dot segments, backslashes): what is sent
   * must be what was previewed and confirmed.
   */
  private exactUrl(request: ApiRequest): string {
    const url = this.options.baseUrl + request.target;
    const parsed = new URL(url);
    const expected = this.basePath + request.target;
    if (parsed.pathname + parsed.search !== expected) {
      throw new ApiError(`Refused: URL parsing would change ${request.method} ${request.target} into ${parsed.pathname}${parsed.search}; nothing was sent.`, 'invalid_request');
    }
    return url;
  }

  /** The ApiError of an answer that is not a success: the API's own message, and what the model should do. */
  private async answerError(op: OperationFacts, request: ApiRequest, answer: Answer): Promise<ApiError> {
    const label = this.options.label;
    const write = request.write;
    /** The write's outcome, for writes only. */
    const outcome = (value: Applied) => (write ? { outcome: value } : {});
    const status = answer.status;
    const { code, message } = parseErrorBody(answer.text());
    const retryAfter = retryAfterMs(answer) ?? retryAfterInMessage(message);
    const retryAfterSeconds = retryAfter !== undefined && retryAfter > 0 ? Math.ceil(retryAfter / 1000) : undefined;
    const scopes = op.auth.flatMap((a) => a.scopes);
    let hint = httpErrorHint(status, scopes, this.options.auth.renewHelp);
    if (isAbuse429(status, message)) {
      hint = `${label} refused this as spam or abuse; it was not retried. Do not repeat it automatically: review the content or account.`;
    } else if (status === 429) {
      hint = `Rate limited${retryAfterSeconds ? `: ${label} asks to wait ${retryAfterSeconds} s` : ''}; nothing was changed. Retry later, or lower page_size / max_items.`;
    } else if (write && status >= 500 && op.idempotencyHeader) {
      hint = 'The API failed on its side. This write carried an idempotency key, so the automatic retries could not apply it twice, but it may have been applied once: read the entity to check before trying again.';
    } else if (write && status >= 500) {
      hint = 'The API failed on its side and this write was not repeated, because it may have been applied: read the entity to check before trying again.';
    }
    if (status === 503 && retryAfterSeconds) hint += ` ${label} asks to wait ${retryAfterSeconds} s before trying again.`;
    const text =
      `${label} API error ${status}${code !== undefined ? ` (${typeof code === 'number' ? `code ${code}` : code})` : ''}: ${message ?? (await reasonPhrase(status))}. ` + hint;
    return new ApiError(text, 'http', { status, code, apiMessage: message, retryAfterSeconds, ...outcome(status >= 500 ? 'unknown' : 'not_applied') });
  }

  /** The ApiError of a call that ended without a success: an answer's, or what kept it from being answered. */
  private async mapError(op: OperationFacts, request: ApiRequest, ended: Outcome, signal: AbortSignal, log: AttemptLog): Promise<ApiError> {
    const label = this.options.label;
    const write = request.write;
    /** The write's outcome, for writes only. */
    const outcome = (value: Applied) => (write ? { outcome: value } : {});
    if ('answer' in ended) return this.answerError(op, request, ended.answer);
    const { error } = ended;
    if (error instanceof ResponseTooLarge) {
      const limit = `${error.limit} bytes (PINTEREST_MCP_MAX_RESPONSE_BYTES)`;
      if (write) {
        return new ApiError(
          `The ${label} API accepted this ${request.method} ${request.path} (HTTP ${error.status}), so it was applied, but its answer is larger than ${limit} ` +
            'and was not read. Do not repeat it: read the entity to see the result.',
          'too_large',
          { status: error.status, outcome: 'applied' },
        );
      }
      return new ApiError(
        `The ${label} API's answer is larger than ${limit} and was not read. Ask for less: a smaller page_size, narrower filters or dates.`,
        'too_large',
        { status: error.status },
      );
    }
    const codeName = causeCode(error);
    if (codeName && NOT_SENT_CODES.has(codeName)) {
      return new ApiError(
        `Could not reach the ${label} API (${codeName}): the request was not sent${write ? ', so nothing was changed' : ''}. ` +
          'Check the network or the base URL and retry.',
        'network',
        outcome('not_applied'),
      );
    }
    const cancelled = signal.aborted && (signal.reason as Error | undefined)?.name !== DEADLINE;
    if (log.unanswered === 0 && log.rateLimited > 0) {
      // Every attempt was answered 429, and the deadline (or a cancellation) came while waiting to try again: the API
      // processed none of them.
      return new ApiError(
        `Rate limited: the ${label} API answered 429 to ${log.rateLimited === 1 ? 'the attempt' : `each of the ${log.rateLimited} attempts`} of this ` +
          `${request.method} ${request.path}, and the call ${cancelled ? 'was cancelled' : `ran out of time (${this.options.totalTimeoutMs} ms)`} while waiting to retry. ` +
          `Nothing was ${write ? 'changed' : 'read'}: retry later, or lower page_size / max_items.`,
        'http',
        { status: 429, ...outcome('not_applied') },
      );
    }
    if (write) {
      return new ApiError(
        `Outcome unknown: the ${label} API did not answer this ${request.method} ${request.path}` +
          `${cancelled ? ' (the call was cancelled)' : outOfTime(error) || signal.aborted ? ' in time' : ''}, and it may have been applied. ` +
          (op.idempotencyHeader
            ? 'It carried an idempotency key, so the automatic retries could not apply it twice. Read the entity before trying again.'
            : 'Read the entity before retrying; the write was not repeated automatically.'),
        'outcome_unknown',
        outcome('unknown'),
      );
    }
    if (cancelled) return new ApiError(`The call to the ${label} API was cancelled.`, 'timeout');
    if (outOfTime(error) || signal.aborted) {
      return new ApiError(
        `The ${label} API did not answer in time (limits: ${this.options.timeoutMs} ms per attempt, ` +
          `${this.options.totalTimeoutMs} ms per call). Try again later or narrow the request.`,
        'timeout',
      );
    }
    const reason = error instanceof Error ? ((error.cause as Error | undefined)?.message ?? error.message) : String(error);
    return new ApiError(`Could not reach the ${label} API (${reason}). Check the network or the base URL and retry.`, 'network');
  }
}
