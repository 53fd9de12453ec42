// The Whop ads API adapter: its catalog (from the official SDK), our texts, how it pages, and every rule and word the tools and guard apply to it.
import type { ApiDefinition, Paging } from '../types.js';
import { WHOP_WRITE_CLASSES } from './classification.js';
import { WHOP_TOOLSETS } from './toolsets.js';
import { WHOP_ENTITIES } from './entities.js';
import { WHOP_ITEM_ANSWERS } from './item-answers.js';
import { WHOP_MONEY } from './money-fields.js';
import { WHOP_CURRENCY } from './currency.js';
import { WHOP_PLAIN } from './plain.js';
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
  responses: () => import('./responses.generated.js').then((m) => m.whopResponses),
  texts: whopDescriptions,
  toolPrefix: 'whop_',
  paging: CURSORS,
  excluded: {},
  toolsets: WHOP_TOOLSETS,
  movedTools: {},
  renamedTools: {},
  writeClasses: WHOP_WRITE_CLASSES,
  entities: WHOP_ENTITIES,
  itemAnswers: WHOP_ITEM_ANSWERS,
  money: WHOP_MONEY,
  currency: WHOP_CURRENCY,
  plain: WHOP_PLAIN,
  fieldNotes: [],
  textRules: [],
  inInstructions: 'Whop ads (whop_*)',
  // Configuration and connection
  ...whopConnection,
} satisfies ApiDefinition;

