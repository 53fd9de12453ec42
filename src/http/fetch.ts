// How this server sends HTTP: undici's request() on a keep-alive agent, without the WHATWG fetch algorithm (CORS, caches,
// redirects, a Request and its signals per call) that a server-to-API call never needs, which is most of the per-call
// CPU of Node's built-in fetch. `sendBounded` answers an `Answer` (the API client, report downloads); `boundedFetch` is
// the same as a fetch function with a standard Response, for the OAuth libraries. Failures look like fetch's: the abort
// reason when aborted, else TypeError('fetch failed', {cause}). Answers are bounded: a success body over the limit is
// refused while it streams (never buffered whole), and an error body is read only as far as its message needs. Every
// request names this server and its version in its User-Agent.
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

/** One request as sent: method, headers (the User-Agent is added) and a body, sent exactly as given. */
export interface Outgoing {
  method: string;
  headers: Record<string, string>;
  body?: string | Buffer;
  signal?: AbortSignal;
}

/** An answer read whole (bounded): its status, its headers as received and its bytes (none for 204, 304 and HEAD). */
export class Answer {
  constructor(
    readonly status: number,
    readonly bytes: Buffer | undefined,
    readonly received: ReceivedHeaders,
  ) {}

  /** A header's value (`name` in lower case), several values joined as one. */
  header(name: string): string | undefined {
    const value = this.received[name];
    return Array.isArray(value) ? value.join(', ') : value;
  }

  /** A 2xx: the answer to return (anything else is an error, or worth another attempt). */
  get ok(): boolean {
    return isSuccess(this.status);
  }

  text(): string {
    return this.bytes?.toString('utf8') ?? '';
  }
}

const isSuccess = (status: number): boolean => status >= 200 && status < 300;

/** Sends one request and reads its answer, up to `maxBytes` for a success (else ResponseTooLarge). */
export async function sendBounded(url: string, outgoing: Outgoing, maxBytes: number): Promise<Answer> {
  const { signal } = outgoing;
  const headers = { ...outgoing.headers, 'user-agent': USER_AGENT }; // last, so no header given can replace it
  const { agent, request } = await load();
  /** A failure as fetch reports it: the abort reason when aborted, else TypeError('fetch failed', {cause}). */
  const failed = (error: unknown) => (signal?.aborted ? (signal.reason ?? error) : new TypeError('fetch failed', { cause: error }));
  let answer;
  try {
    answer = await request(url, { method: outgoing.method as 'GET', headers, body: outgoing.body, signal, dispatcher: agent });
  } catch (error) {
    throw failed(error);
  }
  const success = isSuccess(answer.statusCode);
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
  const empty = answer.statusCode === 204 || answer.statusCode === 304 || outgoing.method === 'HEAD';
  return new Answer(answer.statusCode, empty ? undefined : bytes, answer.headers);
}

/** fetch with answers bounded at `maxBytes`, for libraries that take a fetch function (OAuth). */
export function boundedFetch(maxBytes: number): (input: Request | string | URL, init?: RequestInit) => Promise<Response> {
  return async (input, init) => {
    const req = input instanceof Request ? input : new Request(input, init);
    const headers: Record<string, string> = {};
    req.headers.forEach((value, name) => {
      headers[name] = value;
    });
    const body = req.body ? Buffer.from(await req.arrayBuffer()) : undefined;
    const answer = await sendBounded(req.url, { method: req.method, headers, body, signal: req.signal }, maxBytes);
    return new (readResponse ??= readResponseClass())(answer) as unknown as Response;
  };
}

/**
 * A Response whose body has already been read (bounded, above): `text()`, `json()`, `arrayBuffer()` and `clone()`
 * answer from those bytes, and `body` is null, rather than wrapping the bytes in a ReadableStream only for the caller
 * to read them back out of it. (A real subclass of Response, typed loosely: the DOM typings declare these methods as
 * properties.) Defined on first use: naming the global Response loads Node's whole fetch implementation, several
 * milliseconds of start-up.
 */
let readResponse: ReturnType<typeof readResponseClass> | undefined;
function readResponseClass() {
  return class ReadResponse extends (Response as unknown as new (body: null, init: ResponseInit) => object) {
    readonly #answer: Answer;
    #headers: Headers | undefined;
    #used = false;

    constructor(answer: Answer) {
      super(null, { status: answer.status });
      this.#answer = answer;
    }

    /** Made when first read. */
    get headers(): Headers {
      return (this.#headers ??= toHeaders(this.#answer.received));
    }

    get bodyUsed(): boolean {
      return this.#used;
    }

    #take(): Buffer {
      if (this.#used) throw new TypeError('Body is unusable: Body has already been read');
      this.#used = true;
      return this.#answer.bytes ?? Buffer.alloc(0);
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
      return new ReadResponse(this.#answer);
    }
  };
}
