// The Pinterest REST API v5 adapter: its catalog (5.23.0), our texts, and how it pages.
import type { ApiDefinition, Paging } from '../types.js';
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
  // Configuration and connection
  ...pinterestConnection,
} satisfies ApiDefinition;

