// The fetch that ky uses for API calls: undici's request() on a keep-alive agent, answering with a standard Response.
// It skips the WHATWG fetch algorithm (CORS, caches, redirects) that a server-to-API call never needs, which is
// most of the per-call CPU of Node's built-in fetch. Failures look like fetch's: TypeError('fetch failed', {cause}).
// Answers are bounded: a success body over the limit is refused while it streams (never buffered whole), and an error
// body is read only as far as its message needs. Every request it sends (API calls, OAuth refreshes, report downloads)
// names this server and its version in its User-Agent.
import type { Dispatcher } from 'undici';
import { USER_AGENT } from '../core/version.js';

/** undici loads on the first API call, not at start-up (it is a large module and stdio sessions may never call). */
let undici: { agent: Dispatcher; request: typeof import('undici').request } | undefined;
async function load(): Promise<NonNullable<typeof undici>> {
  if (!undici) {
    const { Agent, request } = await import('undici');
    undici = { agent: new Agent({ keepAliveTimeout: 30_000, connections: 128 }), request };
  }
  return undici;
}

/** Response headers as undici gives them. */
type ReceivedHeaders = Record<string, string | string[] | undefined>;

function toHeaders(received: ReceivedHeaders): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(received)) {
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
  ) {
    super(`the answer (HTTP ${status}) is larger than ${limit} bytes`);
    this.name = 'ResponseTooLarge';
  }
}

/** Answers up to this size grow in ordinary allocations; a bigger one moves to one reserved region (below). */
const SMALL_BODY_BYTES = 1024 * 1024;
/**
 * Above glibc's largest dynamic mmap threshold (32 MiB on 64-bit), so that the region is always its own mapping: only
 * the pages written become resident, and freeing it hands them back to the system at once. Smaller large buffers
 * come from the heap once a freed mapping has raised the threshold, and a burst of them keeps the process big.
 */
const LARGE_REGION_BYTES = 33 * 1024 * 1024;

/**
 * Reads a body up to `limit` bytes into one buffer, or undefined when it is longer: then it stops reading and destroys
 * the stream (and with it the connection). With `keepStart`, a longer body gives its first `limit` bytes instead.
 */
async function readBounded(body: Dispatcher.ResponseData['body'], limit: number, keepStart = false): Promise<Buffer | undefined> {
  let buffer = Buffer.allocUnsafe(Math.min(limit, 16 * 1024));
  let size = 0;
  for await (const chunk of body as AsyncIterable<Buffer>) {
    const room = limit - size;
    if (chunk.length > room) {
      body.destroy();
      if (!keepStart) return undefined;
      const start = Buffer.allocUnsafe(limit);
      buffer.copy(start, 0, 0, size);
      chunk.copy(start, size, 0, room);
      return start;
    }
    if (size + chunk.length > buffer.length) {
      const needed = size + chunk.length;
      const grown =
        needed <= SMALL_BODY_BYTES
          ? Buffer.allocUnsafe(Math.min(limit, SMALL_BODY_BYTES, Math.max(buffer.length * 2, needed)))
          : Buffer.allocUnsafeSlow(Math.max(limit, LARGE_REGION_BYTES));
      buffer.copy(grown, 0, 0, size);
      buffer = grown;
    }
    chunk.copy(buffer, size);
    size += chunk.length;
  }
  return buffer.subarray(0, size);
}

/**
 * After oversized answers were dropped, their buffers (up to the limit each) stay resident until the garbage collector
 * next runs, which an otherwise quiet process may not do for a long time: a burst of 20 would keep ~400 MB. So one
 * collection is asked for shortly after a burst (one for all the answers dropped within 250 ms). Node exposes no
 * collector call without --expose-gc; setting that flag at run time and taking `gc` from a fresh context is the known
 * way, done on first need.
 */
let collectSoon: NodeJS.Timeout | undefined;
async function releaseDroppedAnswers(): Promise<void> {
  if (collectSoon) return; // one collection soon covers every answer dropped until then
  const [{ setFlagsFromString }, { runInNewContext }] = await Promise.all([import('node:v8'), import('node:vm')]);
  collectSoon ??= setTimeout(() => {
    collectSoon = undefined;
    setFlagsFromString('--expose-gc');
    (runInNewContext('gc') as () => void)();
  }, 250).unref();
}

/**
 * What an API call sends besides its method and URL, handed to the fetch beside ky's Request instead of put in it.
 * ky builds a Request for every call and clones it for its retries: headers given to ky are copied into several
 * Headers objects per call (its option merges, the Request, the clone) and a body into a stream teed for the clone,
 * all read back out here. Handed beside, a call costs a tenth less CPU in the client (253 to 227 us, one process
 * against the fake API), and the credential never sits in the Request that ky keeps on its errors (HTTPError.request,
 * TimeoutError.request).
 */
export interface RequestContent {
  headers: Record<string, string>;
  /** JSON text, sent exactly as given. */
  body?: string;
}

/** fetch for ky, with answers bounded at `maxBytes`; `content`, when given, is what is sent (else the Request's own). */
export function boundedFetch(maxBytes: number): (input: Request | string | URL, init?: RequestInit, content?: RequestContent) => Promise<Response> {
  return (input, init, content) => apiFetch(input, init, maxBytes, content);
}

async function apiFetch(input: Request | string | URL, init: RequestInit | undefined, maxBytes: number, content?: RequestContent): Promise<Response> {
  const req = input instanceof Request ? input : new Request(input, init);
  let headers: Record<string, string>;
  let body: string | Buffer | undefined;
  if (content) {
    headers = { ...content.headers };
    body = content.body;
  } else {
    headers = {};
    req.headers.forEach((value, name) => {
      headers[name] = value;
    });
    body = req.body ? Buffer.from(await req.arrayBuffer()) : undefined;
  }
  headers['user-agent'] = USER_AGENT; // last, so no header set above can replace it
  const { agent, request } = await load();
  /** A failure as fetch reports it: the abort reason when aborted, else TypeError('fetch failed', {cause}). */
  const failed = (error: unknown) => (req.signal.aborted ? (req.signal.reason ?? error) : new TypeError('fetch failed', { cause: error }));
  let answer;
  try {
    answer = await request(req.url, { method: req.method as 'GET', headers, body, signal: req.signal, dispatcher: agent });
  } catch (error) {
    throw failed(error);
  }
  const success = answer.statusCode >= 200 && answer.statusCode < 300;
  const declared = Number(answer.headers['content-length']);
  if (success && declared > maxBytes) {
    answer.body.destroy();
    throw new ResponseTooLarge(answer.statusCode, maxBytes);
  }
  let bytes: Buffer;
  try {
    if (success) {
      const read = await readBounded(answer.body, maxBytes);
      if (!read) {
        void releaseDroppedAnswers();
        throw new ResponseTooLarge(answer.statusCode, maxBytes);
      }
      bytes = read;
    } else {
      // An error answer keeps only its start (enough for the message); the rest is dropped unread.
      bytes = (await readBounded(answer.body, Math.min(maxBytes, ERROR_BODY_BYTES), true))!;
    }
  } catch (error) {
    throw error instanceof ResponseTooLarge ? error : failed(error);
  }
  const empty = answer.statusCode === 204 || answer.statusCode === 304 || req.method === 'HEAD';
  return new (readResponse ??= readResponseClass())(empty ? undefined : bytes, answer.statusCode, answer.headers) as unknown as Response;
}

/**
 * A Response whose body has already been read (bounded, above): `text()`, `json()`, `arrayBuffer()` and `clone()`
 * answer from those bytes, and `body` is null. A standard Response would wrap the bytes in a ReadableStream only for
 * the caller to read them back out of it, which cost about a tenth of a call's CPU (bench:latency). Nothing that
 * reads this answer streams it: ky streams a body only for onDownloadProgress, which the client does not use.
 * (A real subclass of Response, typed loosely: the DOM typings declare these methods as properties.) Defined on the
 * first answer: naming the global Response loads Node's whole fetch implementation, several milliseconds of start-up.
 */
let readResponse: ReturnType<typeof readResponseClass> | undefined;
function readResponseClass() {
  return class ReadResponse extends (Response as unknown as new (body: null, init: ResponseInit) => object) {
    readonly #bytes: Buffer | undefined;
    readonly #status: number;
    readonly #received: ReceivedHeaders;
    #headers: Headers | undefined;
    #used = false;

    constructor(bytes: Buffer | undefined, status: number, received: ReceivedHeaders) {
      super(null, { status });
      this.#bytes = bytes;
      this.#status = status;
      this.#received = received;
    }

    /** Made when first read: most answers are read only for their status and body. */
    get headers(): Headers {
      return (this.#headers ??= toHeaders(this.#received));
    }

    get bodyUsed(): boolean {
      return this.#used;
    }

    #take(): Buffer {
      if (this.#used) throw new TypeError('Body is unusable: Body has already been read');
      this.#used = true;
      return this.#bytes ?? Buffer.alloc(0);
    }

    async text(): Promise<string> {
      return this.#take().toString('utf8');
    }

    async json(): Promise<unknown> {
      return JSON.parse(await this.text());
    }

    async arrayBuffer(): Promise<ArrayBuffer> {
      const bytes = this.#take();
      return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
    }

    clone(): ReadResponse {
      if (this.#used) throw new TypeError('Response.clone: Body has already been consumed.');
      return new ReadResponse(this.#bytes, this.#status, this.#received);
    }
  };
}
