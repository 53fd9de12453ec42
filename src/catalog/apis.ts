// The APIs this server exposes: each pairs a catalog of facts with our own texts and naming rules.
import type { Catalog, OperationFacts } from './types.js';
import { pinterestCatalog } from './pinterest.generated.js';
import { pinterestDescriptions, type OperationText } from './pinterest-descriptions.js';
import { whopCatalog } from './whop.js';
import { whopDescriptions } from './whop-descriptions.js';

export type ApiId = 'pinterest' | 'whop';

export interface ApiDefinition {
  id: ApiId;
  /** Human name used in messages ("Pinterest API error 400 ..."). */
  label: string;
  catalog: Catalog;
  texts: Readonly<Record<string, OperationText>>;
  /** Prefix that keeps tool names of different APIs apart (`whop_`). */
  toolPrefix: string;
  /** Currency of every amount when the API has no per-account currency (Whop bills in dollars). */
  fixedCurrency?: string;
  /** Operations in the catalog that are deliberately not tools, with the reason. */
  excluded: Readonly<Record<string, string>>;
}

export const pinterestApi: ApiDefinition = {
  id: 'pinterest',
  label: 'Pinterest',
  catalog: pinterestCatalog,
  texts: pinterestDescriptions,
  toolPrefix: '',
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
  fixedCurrency: 'USD',
  excluded: {},
};

/** Tool name for an operation: prefix + operationId with `/` replaced by `_`. */
export function toolName(api: ApiDefinition, op: OperationFacts): string {
  return api.toolPrefix + op.id.replaceAll('/', '_');
}
