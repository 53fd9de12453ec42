// The fetch that ky uses for API calls: undici's request() on a keep-alive agent, answering with a standard Response.
// It skips the WHATWG fetch algorithm (CORS, caches, redirects) that a server-to-API call never needs, which is
// most of the per-call CPU of Node's built-in fetch. Failures look like fetch's: TypeError('fetch failed', {cause}).
// Answers are bounded: a success body over the limit is refused while it streams (never buffered whole), and an error
// body is read only as far as its message needs.
import type { Dispatcher } from 'undici';

/** undici loads on the first API call, not at start-up (it is a large module and stdio sessions may never call). */
let undici: { agent: Dispatcher; request: typeof import('undici').request } | undefined;
async function load(): Promise<NonNullable<typeof undici>> {
  if (!undici) {
    const { Agent, request } = await import('undici');
    undici = { agent: new Agent({ keepAliveTimeout: 30_000, connections: 128 }), request };
  }
  return undici;
}

function toHeaders(raw: Record<string, string | string[] | undefined>): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(raw)) {
    if (Array.isArray(value)) for (const v of value) headers.append(name, v);
    else if (value !== undefined) headers.append(name, value);
  }
  return headers;
}

/** How much of an error answer is kept: enough for any message, and a hostile 50 MB error page costs nothing. */
const ERROR_BODY_BYTES = 64 * 1024;

/** A success answer larger than the limit: the status is known (the API processed the request), its body was not read. */
export class ResponseTooLarge extends Error {
  constructor(
    readonly status: number,
    readonly limit: number,
    /** The size the answer declared (Content-Length), when it did. */
    readonly declared?: number,
  ) {
    super(`the answer (HTTP ${status}) is larger than ${limit} bytes`);
    this.name = 'ResponseTooLarge';
  }
}

/** Reads a body up to `limit` bytes; beyond it, stops reading and destroys the stream (and with it the connection). */
async function readBounded(body: Dispatcher.ResponseData['body'], limit: number): Promise<{ bytes: Buffer; cut: boolean }> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body as AsyncIterable<Buffer>) {
    if (size + chunk.length > limit) {
      chunks.push(chunk.subarray(0, limit - size));
      body.destroy();
      return { bytes: Buffer.concat(chunks), cut: true };
    }
    chunks.push(chunk);
    size += chunk.length;
  }
  return { bytes: Buffer.concat(chunks), cut: false };
}

/** fetch for ky, with answers bounded at `maxBytes`. */
export function boundedFetch(maxBytes: number): (input: Request | string | URL, init?: RequestInit) => Promise<Response> {
  return (input, init) => apiFetch(input, init, maxBytes);
}

async function apiFetch(input: Request | string | URL, init: RequestInit | undefined, maxBytes: number): Promise<Response> {
  const req = input instanceof Request ? input : new Request(input, init);
  const headers: Record<string, string> = {};
  req.headers.forEach((value, name) => {
    headers[name] = value;
  });
  const body = req.body ? Buffer.from(await req.arrayBuffer()) : undefined;
  const { agent, request } = await load();
  let answer;
  try {
    answer = await request(req.url, { method: req.method as 'GET', headers, body, signal: req.signal, dispatcher: agent });
  } catch (error) {
    if (req.signal.aborted) throw req.signal.reason ?? error;
    throw new TypeError('fetch failed', { cause: error });
  }
  const success = answer.statusCode >= 200 && answer.statusCode < 300;
  const declared = Number(answer.headers['content-length']);
  if (success && declared > maxBytes) {
    answer.body.destroy();
    throw new ResponseTooLarge(answer.statusCode, maxBytes, declared);
  }
  let bytes: Buffer;
  try {
    const read = await readBounded(answer.body, success ? maxBytes : Math.min(maxBytes, ERROR_BODY_BYTES));
    if (read.cut && success) throw new ResponseTooLarge(answer.statusCode, maxBytes);
    bytes = read.bytes;
  } catch (error) {
    if (error instanceof ResponseTooLarge) throw error;
    if (req.signal.aborted) throw req.signal.reason ?? error;
    throw new TypeError('fetch failed', { cause: error });
  }
  const empty = answer.statusCode === 204 || answer.statusCode === 304 || req.method === 'HEAD';
  return new Response(empty ? null : bytes, { status: answer.statusCode, headers: toHeaders(answer.headers) });
}
