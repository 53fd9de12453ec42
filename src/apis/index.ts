// The APIs this server exposes: each pairs a catalog of facts with our own texts and naming rules.
import type { Catalog, OperationFacts } from './types.js';
import { pinterestCatalog } from './pinterest/catalog.generated.js';
import { pinterestDescriptions, type OperationText } from './pinterest/descriptions.js';
import { whopCatalog } from './whop/catalog.generated.js';
import { whopDescriptions } from './whop/descriptions.js';

export type ApiId = 'pinterest' | 'whop';

export interface ApiDefinition {
  id: ApiId;
  /** Human name used in messages ("Pinterest API error 400 ..."). */
  label: string;
  catalog: Catalog;
  texts: Readonly<Record<string, OperationText>>;
  /** Prefix that keeps tool names of different APIs apart (`whop_`). */
  toolPrefix: string;
  /** How the API pages its lists: the tools take `max_items` and follow this cursor. */
  paging: Paging;
  /** Operations in the catalog that are deliberately not tools, with the reason. */
  excluded: Readonly<Record<string, string>>;
}

/** A list API's paging convention, as data. */
export interface Paging {
  /** Query parameter that asks for the next page. */
  cursorParam: string;
  /** Query parameter of the page size, and the size the API uses when it is left out. */
  sizeParam: string;
  defaultPageSize: number;
  /** Where a page's items sit in the answer. */
  itemsKey: string;
  /** The cursor of the page after this one, or null at the end of the list. */
  next(page: Record<string, unknown>): string | null;
  /** A collected answer that continues after its last item with `next` (null: the list is complete). */
  withNext(page: Record<string, unknown>, next: string | null): Record<string, unknown>;
}

/** Pinterest: `bookmark` in and out, items under `items`. */
const BOOKMARKS: Paging = {
  cursorParam: 'bookmark',
  sizeParam: 'page_size',
  defaultPageSize: 25,
  itemsKey: 'items',
  next: (page) => (typeof page.bookmark === 'string' && page.bookmark ? page.bookmark : null),
  withNext: (page, next) => ({ ...page, bookmark: next }),
};

/** Whop (GraphQL-style cursors): `first`/`after` in, `{data, page_info: {end_cursor, has_next_page}}` out. */
const CURSORS: Paging = {
  cursorParam: 'after',
  sizeParam: 'first',
  defaultPageSize: 20,
  itemsKey: 'data',
  next: (page) => {
    const info = page.page_info as { end_cursor?: unknown; has_next_page?: unknown } | undefined;
    return info?.has_next_page === true && typeof info.end_cursor === 'string' && info.end_cursor ? info.end_cursor : null;
  },
  withNext: (page, next) => ({ ...page, page_info: { ...(page.page_info as object | undefined), end_cursor: next, has_next_page: next !== null } }),
};

export const pinterestApi: ApiDefinition = {
  id: 'pinterest',
  label: 'Pinterest',
  catalog: pinterestCatalog,
  texts: pinterestDescriptions,
  toolPrefix: '',
  paging: BOOKMARKS,
  excluded: {
    'oauth/token':
      'credential exchange; the client calls it itself to refresh access tokens, so it is never a tool',
    'oauth/conversion_token':
      'mints a new long-lived access token; as a tool it would hand a credential to the model, and secrets never leave the process',
    'token/revoke':
      "revokes tokens with the app's id and secret (basic auth); revoking the server's own credential is an operator's task, not an assistant's",
  },
};

export const whopApi: ApiDefinition = {
  id: 'whop',
  label: 'Whop',
  catalog: whopCatalog,
  texts: whopDescriptions,
  toolPrefix: 'whop_',
  paging: CURSORS,
  excluded: {},
};

/** Tool name for an operation: prefix + operationId with `/` replaced by `_`. */
export function toolName(api: ApiDefinition, op: OperationFacts): string {
  return api.toolPrefix + op.id.replaceAll('/', '_');
}
