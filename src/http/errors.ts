// Errors the client raises, each phrased so that a model knows what went wrong and what to do next.
import { redactor } from '../core/redact.js';

export type ApiErrorKind =
  | 'http' // the API answered with an error status
  | 'auth_missing' // no credentials configured
  | 'sandbox' // operation not served by the sandbox
  | 'network' // no answer (read: retried and gave up)
  | 'timeout' // no answer in time (read)
  | 'outcome_unknown' // a write may have reached the API but no usable answer came back
  | 'unexpected_answer' // a read answered 2xx with something that is not the JSON the operation documents
  | 'too_large' // the answer was larger than the configured limit and was not read
  | 'too_deep' // the answer nests deeper than MAX_NESTING and is not shown
  | 'auth_refresh' // OAuth is configured but obtaining an access token failed (nothing was sent)
  | 'invalid_request'; // the request could not be sent exactly as built (nothing was sent)

/** Kinds raised before a request leaves the process. */
const NOTHING_SENT = new Set<ApiErrorKind>(['auth_missing', 'auth_refresh', 'sandbox', 'invalid_request']);

/** What a failed write did to the account, as far as the client can know. */
export type Applied = 'not_applied' | 'unknown' | 'applied';

export interface ApiErrorDetails {
  status?: number;
  /** Pinterest's numeric code, or Whop's error code or type (`invalid_request`, `rate_limit_exceeded`). */
  code?: number | string;
  apiMessage?: string;
  retryAfterSeconds?: number;
  /** Writes only: whether the API applied it. */
  outcome?: Applied;
}

export class ApiError extends Error {
  constructor(
    message: string,
    readonly kind: ApiErrorKind,
    readonly details: ApiErrorDetails = {},
  ) {
    super(message);
    this.name = 'ApiError';
  }

  get status(): number | undefined {
    return this.details.status;
  }

  /** For a write: whether it was applied; errors raised before anything left say so by their kind. */
  get applied(): Applied {
    return this.details.outcome ?? (NOTHING_SENT.has(this.kind) ? 'not_applied' : 'unknown');
  }
}

/**
 * Error bodies: Pinterest's `{code, message}`, Whop's `{error: {code | type, message}}`, OAuth's `{error,
 * error_description}`; anything else is summarised.
 */
export function parseErrorBody(text: string): { code?: number | string; message?: string } {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return { message: summarize(text) };
  }
  if (!body || typeof body !== 'object') return { message: summarize(text) };
  const fields = body as Record<string, unknown>;
  const nested = fields.error;
  if (nested && typeof nested === 'object' && !Array.isArray(nested)) {
    const inner = nested as Record<string, unknown>;
    const code = typeof inner.code === 'string' || typeof inner.code === 'number' ? inner.code : typeof inner.type === 'string' ? inner.type : undefined;
    return { code, message: typeof inner.message === 'string' ? inner.message : summarize(text) };
  }
  const oauth = typeof fields.error === 'string' && typeof fields.error_description === 'string' ? `${fields.error}: ${fields.error_description}` : undefined;
  const message = typeof fields.message === 'string' ? fields.message : (oauth ?? (typeof fields.error === 'string' ? fields.error : undefined));
  return { code: typeof fields.code === 'number' ? fields.code : undefined, message };
}

/** The start of a text on one line, for messages: control characters become spaces, at most `max` characters. */
export function summarize(text: string, max = 300): string | undefined {
  // Redacted before it is cut: a cut inside a secret could leave fewer characters of it than the redactor recognises.
  const line = redactor.text(text).replace(/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\s]+/gu, ' ').trim();
  if (!line) return undefined;
  return line.length > max ? `${line.slice(0, max)}…` : line;
}

/** A 429 that the API attributes to spam or abuse must not be retried. */
export function isAbuse429(status: number, message: string | undefined): boolean {
  return status === 429 && /spam|abus/i.test(message ?? '');
}

/** @param renewHelp what to do when the API refuses the credentials (each API's auth provider says) */
export function httpErrorHint(status: number, scopes: readonly string[], renewHelp: string): string {
  if (status === 401) return `The credentials were refused (invalid or expired): ${renewHelp}`;
  if (status === 403) {
    return scopes.length
      ? `The token lacks permission: this operation needs the OAuth scopes ${scopes.join(', ')} and access to the account.`
      : 'The token lacks permission for this account or operation.';
  }
  if (status === 404) return 'Check the IDs: the entity does not exist or is not visible to this token.';
  if (status === 429) return 'Rate limited: wait and retry later, or lower page_size / max_items.';
  if (status >= 500) return 'The API failed on its side; a read may be retried later.';
  return 'Fix the request as the message says; nothing else was changed.';
}
