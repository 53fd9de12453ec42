// The APIs this server exposes, one adapter folder each: adding an API is its folder plus one line here.
import type { ApiDefinition, OperationFacts } from './types.js';
import { pinterestApi } from './pinterest/index.js';
import { whopApi } from './whop/index.js';

export type { ApiDefinition, Paging } from './types.js';
export { pinterestApi, whopApi };

/** Every API, in listing order. */
export const APIS = [pinterestApi, whopApi] as const satisfies readonly ApiDefinition[];

/** An API's id (`pinterest`, `whop`): generic code keys its tables by it, never branches on it. */
export type ApiId = ApiDefinition['id'];

/** Tool name for an operation: prefix + operationId with `/` replaced by `_`. */
export function toolName(api: ApiDefinition, op: OperationFacts): string {
  return api.toolPrefix + op.id.replaceAll('/', '_');
}

/** The API of an id (`tool.api.id`); throws for an id no API has. */
export function apiById(id: ApiId): ApiDefinition {
  const api = APIS.find((a) => a.id === id);
  if (!api) throw new Error(`no API ${id}`);
  return api;
}
