// Turns validated tool arguments into an HTTP request following each parameter's documented serialization.
import type { HttpMethod, OperationFacts, ParameterFacts } from '../catalog/types.js';

/** A request ready for the client: the canonical form the guard previews, hashes and confirms. */
export interface ApiRequest {
  method: HttpMethod;
  /** Path relative to the API base URL with parameters substituted and URL-encoded. */
  path: string;
  /** Query pairs in serialization order (repeated keys allowed). */
  query: [string, string][];
  body?: unknown;
}

function scalar(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

/**
 * Query serialization per OpenAPI 3.0: `form` arrays repeat the key unless `explode: false`, which joins with
 * commas; `deepObject` objects become `name[key]=value`, with array values repeated (`name[key]=a&name[key]=b`),
 * which is how Pinterest's catalog item filters are read.
 */
function serializeQuery(p: ParameterFacts, value: unknown, out: [string, string][]): void {
  if (p.style === 'deepObject' && value && typeof value === 'object' && !Array.isArray(value)) {
    for (const [key, v] of Object.entries(value)) {
      if (v === undefined) continue;
      for (const item of Array.isArray(v) ? v : [v]) out.push([`${p.name}[${key}]`, scalar(item)]);
    }
    return;
  }
  if (Array.isArray(value)) {
    if (p.explode === false) out.push([p.name, value.map(scalar).join(',')]);
    else for (const item of value) out.push([p.name, scalar(item)]);
    return;
  }
  out.push([p.name, scalar(value)]);
}

export function buildRequest(op: OperationFacts, args: Record<string, unknown>): ApiRequest {
  let path = op.path;
  const query: [string, string][] = [];
  for (const p of op.parameters) {
    const value = args[p.name];
    if (value === undefined) continue;
    if (p.in === 'path') path = path.replace(`{${p.name}}`, encodeURIComponent(scalar(value)));
    else serializeQuery(p, value, query);
  }
  const request: ApiRequest = { method: op.method, path, query };
  if (op.body && args.body !== undefined) request.body = args.body;
  return request;
}

export function queryString(query: readonly [string, string][]): string {
  return query.length ? `?${new URLSearchParams(query as [string, string][]).toString()}` : '';
}
