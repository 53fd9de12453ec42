// The Pinterest REST API v5 adapter: its catalog (5.23.0), our texts, how it pages, and every rule and word the tools and guard apply to it.
import type { ApiDefinition, Paging } from '../types.js';
import { PINTEREST_WRITE_CLASSES } from './classification.js';
import { PINTEREST_TOOLSETS, PINTEREST_MOVED_TOOLS, PINTEREST_RENAMED_TOOLS } from './toolsets.js';
import { PINTEREST_ENTITIES } from './entities.js';
import { PINTEREST_ITEM_ANSWERS } from './item-answers.js';
import { PINTEREST_MONEY } from './money-fields.js';
import { PINTEREST_CURRENCY } from './currency.js';
import { PINTEREST_PLAIN } from './plain.js';
import { PINTEREST_FIELD_NOTES } from './field-notes.js';
import { PINTEREST_TEXT_RULES } from './text-rules.js';
import { PINTEREST_ACCOUNTS } from './account-fields.js';
import { pinterestAnalyticsColumns } from './analytics-columns.js';
import { effectiveBids } from './effective-bids.js';
import { pinterestCatalog } from './catalog.generated.js';
import { pinterestDescriptions } from './descriptions.js';
import { pinterestConnection } from './settings.js';

/** Pinterest: `bookmark` in and out, items under `items`. */
const BOOKMARKS: Paging = {
  cursorParam: 'bookmark',
  sizeParam: 'page_size',
  defaultPageSize: 25,
  itemsKey: 'items',
  next: (page) => (typeof page.bookmark === 'string' && page.bookmark ? page.bookmark : null),
  withNext: (page, next) => ({ ...page, bookmark: next }),
};

export const pinterestApi = {
  id: 'pinterest' as const,
  label: 'Pinterest',
  catalog: pinterestCatalog,
  responses: () => import('./responses.generated.js').then((m) => m.pinterestResponses),
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
  toolsets: PINTEREST_TOOLSETS,
  movedTools: PINTEREST_MOVED_TOOLS,
  renamedTools: PINTEREST_RENAMED_TOOLS,
  writeClasses: PINTEREST_WRITE_CLASSES,
  entities: PINTEREST_ENTITIES,
  itemAnswers: PINTEREST_ITEM_ANSWERS,
  money: PINTEREST_MONEY,
  currency: PINTEREST_CURRENCY,
  accounts: PINTEREST_ACCOUNTS,
  effectiveBids,
  plain: PINTEREST_PLAIN,
  fieldNotes: PINTEREST_FIELD_NOTES,
  textRules: PINTEREST_TEXT_RULES,
  analyticsColumns: pinterestAnalyticsColumns(pinterestCatalog),
  // Its user tokens (the authorization-code flow): the only OAuth scheme this server sends.
  oauthScheme: 'pinterest_oauth2',
  // Configuration and connection
  ...pinterestConnection,
} satisfies ApiDefinition;

