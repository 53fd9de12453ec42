// Errors the client raises, each phrased so that a model knows what went wrong and what to do next.

export type ApiErrorKind =
  | 'http' // the API answered with an error status
  | 'auth_missing' // no credentials configured
  | 'sandbox' // operation not served by the sandbox
  | 'network' // no answer (read: retried and gave up)
  | 'timeout' // no answer in time (read)
  | 'outcome_unknown' // a write may have reached the API but no answer came back
  | 'invalid_request'; // the request could not be sent exactly as built (nothing was sent)

export class ApiError extends Error {
  constructor(
    message: string,
    readonly kind: ApiErrorKind,
    readonly details: { status?: number; code?: number; apiMessage?: string; retryAfterSeconds?: number } = {},
  ) {
    super(message);
    this.name = 'ApiError';
  }

  get status(): number | undefined {
    return this.details.status;
  }
}

/** Pinterest (and Whop) error bodies: `{code, message}`; anything else is summarised. */
export function parseErrorBody(text: string): { code?: number; message?: string } {
  try {
    const body = JSON.parse(text) as Record<string, unknown>;
    const message = typeof body.message === 'string' ? body.message : typeof body.error === 'string' ? body.error : undefined;
    return { code: typeof body.code === 'number' ? body.code : undefined, message };
  } catch {
    return { message: text.trim().slice(0, 300) || undefined };
  }
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
