// Turns validated tool arguments into an HTTP request following each parameter's documented serialization.
import type { HttpMethod, OperationFacts, ParameterFacts } from '../apis/types.js';
import { isPlainObject } from '../core/json.js';

/** A request ready for the client: the canonical form the guard previews, hashes and confirms. */
export interface ApiRequest {
  method: HttpMethod;
  /**
   * Whether it may change something: a write's tool (every non-GET but the read-only POSTs, such as analytics
   * queries, which the write classes name `read`). A read is retried on failures and its errors speak of reading.
   */
  write: boolean;
  /** Path relative to the API base URL with parameters substituted and URL-encoded. */
  path: string;
  /** Query pairs in serialization order (repeated keys allowed). */
  query: [string, string][];
  body?: unknown;
  /** What is appended to the base URL, exactly as transmitted: path and query string. */
  target: string;
  /** The body exactly as transmitted (JSON text), or undefined when there is none. */
  payload?: string;
}

/** An argument that cannot be turned into the request it names; nothing is sent. */
export class RequestError extends Error {
  constructor(
    readonly path: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Path values that URL parsing would rewrite or that would leave their segment: empty, `.` and `..` (dot segments are
 * removed, also when percent-encoded), separators and controls. Refusing them keeps the request sent equal to the
 * request previewed (`{pin_id: ".."}` would otherwise send `DELETE /v5/`).
 */
function pathValueProblem(value: string): string | undefined {
  if (value === '') return 'must not be empty';
  if (value === '.' || value === '..') return `"${value}" is not an id (URL parsing would remove it from the path)`;
  if (/[/\\?#]/.test(value)) return 'must not contain "/", "\\", "?" or "#"';
  if (/\p{Cc}/u.test(value)) return 'must not contain control characters';
  return unpairedSurrogate(value);
}

/** Text with a lone UTF-16 surrogate has no UTF-8 form: encodeURIComponent throws, URLSearchParams sends U+FFFD instead. */
function unpairedSurrogate(value: string): string | undefined {
  return /\p{Cs}/u.test(value) ? 'must be valid Unicode text (it holds an unpaired surrogate, which cannot be sent in a URL)' : undefined;
}

function scalar(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

/** `deepObject` members: `name[key]=value`, nested objects one bracket per level (`name[report][report_type]`). */
function serializeDeep(prefix: string, object: Record<string, unknown>, out: [string, string][]): void {
  for (const [key, v] of Object.entries(object)) {
    if (v === undefined) continue;
    if (isPlainObject(v)) serializeDeep(`${prefix}[${key}]`, v, out);
    else for (const item of Array.isArray(v) ? v : [v]) out.push([`${prefix}[${key}]`, scalar(item)]);
  }
}

/**
 * Query serialization per OpenAPI 3.0: `form` arrays repeat the key unless `explode: false`, which joins with
 * commas; `deepObject` objects become `name[key]=value`, with array values repeated (`name[key]=a&name[key]=b`),
 * which is how Pinterest's catalog item filters are read. OpenAPI leaves nested deepObjects undefined; catalog
 * report stats need one, sent with a bracket per level, as qs-style servers read it.
 */
function serializeQuery(p: ParameterFacts, value: unknown, out: [string, string][]): void {
  if (p.style === 'deepObject' && isPlainObject(value)) {
    serializeDeep(p.name, value, out);
    return;
  }
  if (Array.isArray(value)) {
    if (p.explode === false) out.push([p.name, value.map(scalar).join(',')]);
    else for (const item of value) out.push([p.name, scalar(item)]);
    return;
  }
  out.push([p.name, scalar(value)]);
}

/**
 * Builds the exact request; throws RequestError for a path value that cannot be sent as given. `write` is the tool's
 * (`tool.writes`); without it any method but GET counts as one.
 */
export function buildRequest(op: OperationFacts, args: Record<string, unknown>, write = op.method !== 'GET'): ApiRequest {
  let path = op.path;
  const query: [string, string][] = [];
  for (const p of op.parameters) {
    const value = args[p.name];
    if (value === undefined) continue;
    if (p.in === 'path') {
      const text = scalar(value);
      const problem = pathValueProblem(text);
      if (problem) throw new RequestError(p.name, problem);
      path = path.replace(`{${p.name}}`, encodeURIComponent(text));
    } else {
      const from = query.length;
      serializeQuery(p, value, query);
      const problem = query.slice(from).map(([key, text]) => unpairedSurrogate(key) ?? unpairedSurrogate(text)).find(Boolean);
      if (problem) throw new RequestError(p.name, problem);
    }
  }
  const request: ApiRequest = { method: op.method, write, path, query, target: path + queryString(query) };
  if (op.body && args.body !== undefined) {
    request.body = args.body;
    request.payload = JSON.stringify(args.body);
  }
  return request;
}

export function queryString(query: readonly [string, string][]): string {
  return query.length ? `?${new URLSearchParams(query as [string, string][]).toString()}` : '';
}
