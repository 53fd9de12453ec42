// Shapes of an API catalog: the facts about each operation that tools, guards, client and emulator read.
import type { Classification } from './classification.js';
import type { ToolsetInfo } from './toolsets.js';
import type { ApiEntities } from './entities.js';
import type { ItemAnswer } from './answers.js';
import type { AccountCurrency, ApiMoney } from './money.js';
import type { ApiAccounts } from './accounts.js';
import type { EffectiveBid, EffectiveBidInput } from './bids.js';
import type { FieldNote, PlainWords } from './wording.js';

/** The subset of OpenAPI 3.0 schema keywords that carry facts (no prose, no examples). */
export interface SchemaFacts {
  /** Name of a schema in the catalog's `schemas` table. */
  $ref?: string;
  type?: 'string' | 'integer' | 'number' | 'boolean' | 'object' | 'array';
  enum?: readonly (string | number | boolean | null)[];
  format?: string;
  pattern?: string;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: boolean;
  exclusiveMaximum?: boolean;
  multipleOf?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  uniqueItems?: boolean;
  minProperties?: number;
  maxProperties?: number;
  items?: SchemaFacts;
  properties?: Readonly<Record<string, SchemaFacts>>;
  required?: readonly string[];
  additionalProperties?: boolean | SchemaFacts;
  allOf?: readonly SchemaFacts[];
  oneOf?: readonly SchemaFacts[];
  anyOf?: readonly SchemaFacts[];
  discriminator?: { propertyName: string; mapping?: Readonly<Record<string, string>> };
  nullable?: boolean;
  default?: unknown;
  readOnly?: boolean;
  writeOnly?: boolean;
  deprecated?: boolean;
}

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface ParameterFacts {
  name: string;
  in: 'path' | 'query';
  required: boolean;
  schema: SchemaFacts;
  /** OpenAPI serialization style; absent means the default for the location (simple / form). */
  style?: 'simple' | 'form' | 'deepObject';
  /** Absent means the default for the style (true for form). */
  explode?: boolean;
}

export interface BodyFacts {
  required: boolean;
  mediaType: string;
  schema: SchemaFacts;
}

export interface OperationFacts {
  /** The API's operationId, e.g. `ad_groups/create`. */
  id: string;
  method: HttpMethod;
  /** Path template relative to the API base URL, e.g. `/ad_accounts/{ad_account_id}/campaigns`. */
  path: string;
  tag: string;
  parameters: readonly ParameterFacts[];
  body?: BodyFacts;
  /** The documented success status and whether it carries a JSON body. */
  success: { status: number; json: boolean };
  /** Pinterest's `x-ratelimit-category`; the client keeps one limiter per category. */
  rateLimitCategory?: string;
  /** Pinterest's `x-sandbox`: whether the sandbox host serves the operation. */
  sandbox?: 'enabled' | 'disabled';
  /**
   * A request header that makes a retried write safe (Whop's `Idempotency-Key`): the client sends one key per
   * confirmed request, the same on every retry of it, and may then repeat the write like a read.
   */
  idempotencyHeader?: string;
  /** Accepted security schemes, each with its OAuth scopes (empty for non-OAuth schemes). */
  auth: readonly { scheme: string; scopes: readonly string[] }[];
}

export interface CatalogSource {
  title: string;
  version: string;
  /** SHA-256 of the description file the catalog was generated from. */
  sha256?: string;
}

export interface Catalog {
  source: CatalogSource;
  operations: readonly OperationFacts[];
  schemas: Readonly<Record<string, SchemaFacts>>;
}

/** Success response shapes, used only by the emulator to answer with realistic bodies. */
export interface ResponseCatalog {
  responses: Readonly<Record<string, SchemaFacts>>;
  schemas: Readonly<Record<string, SchemaFacts>>;
}

/** Our own texts for one operation: its tool's title and description. */
export interface OperationText {
  title: string;
  description: string;
}

/**
 * All one API knows, as data and hooks: its catalog and texts, naming, paging, and the rules the guard applies to it.
 * Generic modules read these members and never branch on an API's id.
 */
export interface ApiDefinition {
  /** Short name used in tool names, logs and approvals (`pinterest`, `whop`). */
  id: string;
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
  /** Its named groups of tools a user can select (`toolsets.ts`), by the tags of its operations. */
  toolsets: Readonly<Record<string, ToolsetInfo>>;
  /** Tools (by name) that belong to another of its toolsets than their tag's. */
  movedTools: Readonly<Record<string, string>>;
  /** Every non-GET operation's class, by tool name, with why (`classification.ts`; unknown means held). */
  writeClasses: Readonly<Record<string, Classification>>;
  /** Its entity kinds' rules, where each entity write carries them, and its status switches (`entities.ts`). */
  entities: ApiEntities;
  /** How each write's answer says what became of the items it sent (`answers.ts`). */
  itemAnswers: Readonly<Record<string, ItemAnswer>>;
  /** Its money fields, the currency codes beside amounts, and how its answers state amounts (`money.ts`). */
  money: ApiMoney;
  /** Where the currency of a call's amounts is read, and whether the operator's may be assumed. */
  currency: AccountCurrency;
  /**
   * Where its calls name ad accounts (`--ad-accounts` checks them). Absent when they name none: the API key scopes its
   * accounts, `--ad-accounts` leaves its calls alone, and previews name the entity written instead of an account.
   */
  accounts?: ApiAccounts;
  /**
   * Every bid a write sets or multiplies that a bid multiplier above 1 can raise, for the bid cap (`bids.ts`), reading
   * what the write does not say. Absent where the API has no bid multipliers: the bids a write sets are capped as sent.
   */
  effectiveBids?: (input: EffectiveBidInput) => Promise<EffectiveBid[]>;
  /** How its writes read in plain-language lines: parents, money, targeting and bids in words (`wording.ts`). */
  plain: PlainWords;
  /** Notes on fields whose name, type and enum do not say enough (tool schemas show them). */
  fieldNotes: readonly FieldNote[];
  /**
   * The OAuth security scheme whose scopes its user tokens carry (`docs/getting-a-token.md` lists them per toolset);
   * absent when it takes no OAuth user token.
   */
  oauthScheme?: string;
  /**
   * How the server's instructions name it beside the API they are written for, where its tools are offered
   * (`Whop ads (whop_*)`); absent for that API.
   */
  inInstructions?: string;
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
