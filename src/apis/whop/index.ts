// The Whop ads API adapter: its catalog (from the official SDK), our texts, and how it pages.
import type { ApiDefinition, Paging } from '../types.js';
import { whopCatalog } from './catalog.generated.js';
import { whopDescriptions } from './descriptions.js';
import { whopConnection } from './settings.js';

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

export const whopApi = {
  id: 'whop' as const,
  label: 'Whop',
  catalog: whopCatalog,
  texts: whopDescriptions,
  toolPrefix: 'whop_',
  paging: CURSORS,
  excluded: {},
  // Configuration and connection
  ...whopConnection,
} satisfies ApiDefinition;

