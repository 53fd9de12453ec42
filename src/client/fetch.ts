// The fetch that ky uses for API calls: undici's request() on a keep-alive agent, answering with a standard Response.
// It skips the WHATWG fetch algorithm (CORS, caches, redirects) that a server-to-API call never needs, which is
// most of the per-call CPU of Node's built-in fetch. Failures look like fetch's: TypeError('fetch failed', {cause}).
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

export async function apiFetch(input: Request | string | URL, init?: RequestInit): Promise<Response> {
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
  const bytes = await answer.body.arrayBuffer();
  const empty = answer.statusCode === 204 || answer.statusCode === 304 || req.method === 'HEAD';
  return new Response(empty ? null : bytes, { status: answer.statusCode, headers: toHeaders(answer.headers) });
}
