// Whop's error answers: the error a handler throws to refuse a request, and the `{ error: { type, message } }` body.
import { STATUS_CODES } from 'node:http';

/** A refusal: answered with its status and an error body naming the field and the fix. */
export class WhopError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** Refuses the request: the handler stops and `status` is answered with `message`. */
export function fail(status: number, message: string): never {
  throw new WhopError(status, message);
}

const ERROR_TYPES: Record<number, string> = {
  400: 'invalid_request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  409: 'conflict',
  429: 'rate_limit_exceeded',
  500: 'server_error',
};

/** The body of an error answer: a type per status (from the status text where Whop names none) and the message. */
export function errorBody(status: number, message: string): unknown {
  const type = ERROR_TYPES[status] ?? (STATUS_CODES[status] ?? 'error').toLowerCase().replace(/\W+/g, '_');
  return { error: { type, message } };
}
