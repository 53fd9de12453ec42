// Shapes of an API catalog: the facts about each operation that tools, guards, client and emulator read.
import type { Classification } from './classification.js';
import type { ToolsetInfo } from './toolsets.js';
import type { ApiEntities } from './entities.js';
import type { ItemAnswer } from './answers.js';
import type { AccountCurrency, ApiMoney } from './money.js';
import type { ApiAccounts } from './accounts.js';
import type { AnalyticsColumns } from './analytics.js';
import type { EffectiveBid, EffectiveBidInput } from './bids.js';
import type { FieldNote, PlainWords } from './wording.js';
import type { Setting } from '../core/settings.js';

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

/**
 * Success response shapes as the description documents them: the fakes answer with bodies of these shapes,
 * describe_tool builds each tool's output schema from them, and a read's `fields` is checked against that schema before
 * sending (loaded on first use: start-up never reads them).
 */
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
  /** Its operations' success response shapes, loaded on first use (a chunk of its own in the bundle). */
  responses(): Promise<ResponseCatalog>;
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
  /**
   * Former tool names (old -> current) kept callable for one release after an operation is renamed: never listed, a
   * call by one runs the current tool and its answer names the current name.
   */
  renamedTools: Readonly<Record<string, string>>;
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
   * Rules the description states in words but its schema cannot (or loses: `required` beside a `$ref`), checked with
   * the schema of the component they name, so a request the API would refuse for them is never sent.
   */
  textRules: readonly TextRule[];
  /** Its analytics columns with what each holds and whether it adds up (the columns resource); absent where its reports take no columns. */
  analyticsColumns?: AnalyticsColumns;
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

  // Configuration and connection
  /**
   * The API's own settings (environment variables: credentials never come from a flag or a config file), in the order
   * --help lists them; loadConfig keeps what `configure` makes of their values under `config.apis[id]`.
   */
  settings: Readonly<Record<string, ApiSetting>>;
  /** The API's configuration from its settings' values, by setting name. */
  configure(values: Readonly<Record<string, unknown>>): ApiConfig;
  /** Where and how requests go with this configuration: base URL, environment, sandbox, authentication. */
  connect(config: ApiConfig): ApiConnection;
  /**
   * For an API that is off until it is set up (Whop: until WHOP_API_KEY is given): it is on once its connection carries
   * a credential. On, its tools are listed and callable when selected like any other (`--toolsets default,whop`,
   * `--toolsets all`, discover mode); `toolsets` are the toolsets that hold its tools, which the start-up line and
   * --help name as the fix when none is selected (a key alone does not add them, so the default listing keeps its
   * size). Off, none of its tools is listed, searched or callable, and the start-up line and refusals say `<env> is not
   * set`. Absent: always on, its toolsets chosen by --toolsets.
   */
  turnedOnBy?: { env: string; toolsets: readonly string[] };
  /** For the API whose fake `--demo` serves in-process: the configuration that points at the fake, with its token. */
  demo?(config: ApiConfig, fake: { url: string; token: string; signIn?: { appId: string; appSecret: string; oauthUrl: string } }): ApiConfig;
  /**
   * For the API people sign in to with `--auth oauth`: its OAuth app and pages from this configuration, or undefined
   * when the app's credentials are not given. Absent for an API without a sign-in of people.
   */
  signIn?(config: ApiConfig): PeopleSignIn | undefined;
  /** With `signIn`: the variables that give its app's credentials, as a refusal names them when they are missing. */
  signInApp?: string;
}

/** How people sign in to an API (OAuth authorization code at its authorize page, the code exchanged at its token endpoint). */
export interface PeopleSignIn {
  /** The page people are sent to. */
  authorizeUrl: string;
  /** The token endpoint, relative to the base URL (HTTP Basic app credentials, form body). */
  tokenPath: string;
  clientId: string;
  clientSecret: string;
  /** The read, relative to the base URL, whose answer names the person: `idField` holds their id, `nameField` their name. */
  whoAmI: { path: string; idField: string; nameField?: string };
  /** How its authorize page separates scopes. */
  scopeSeparator: string;
  /** Scopes asked beside the tools' own: what `whoAmI` needs. */
  extraScopes: readonly string[];
}

/**
 * One of an API's settings. `listedBefore` names the server setting it comes just before in the settings table (and
 * so in --help), for a row that stood there before the API's settings moved into its adapter; others follow the server's.
 */
export type ApiSetting = Setting<unknown> & { listedBefore?: string };

/** An API's configuration, in the shape its adapter gives it; generic code only hands it back to the adapter. */
export type ApiConfig = object;

/** Where and how an API's requests go, as generic code (clients, deployments, start-up line) reads it. */
export interface ApiConnection {
  baseUrl: string;
  /** Where the base URL points, for people (start-up line, approval page): `production`, `sandbox`, `custom URL`. */
  environment: string;
  /** Set when requests go to the API's sandbox: operations it lacks are refused before sending, with `leave` as the fix. */
  sandbox?: { leave: string };
  auth: ApiAuth;
  /**
   * The currency assumed where an account reports none yet (the operator's setting), and why, in the API's words
   * written after every amount in it (`20.00 USD (assumed: <why>)`); absent where none is ever assumed.
   */
  assumedCurrency?: { code: string; why: string };
}

/** How requests authenticate, as data: src/http builds the provider (the adapter stays below src/http). */
export type ApiAuth = BearerAuth | OAuthRefreshAuth;

/** What the model is told about credentials, in the API's own words (its variables). */
interface AuthHelp {
  /** When no credential is configured. */
  missingHelp: string;
  /** When the API refuses the credential (401). */
  renewHelp: string;
}

/** A fixed bearer token, or none configured. */
export interface BearerAuth extends AuthHelp {
  kind: 'bearer';
  token: string | undefined;
  /** What the token is, for the start-up line: `access token`, `api key`. */
  tokenName: string;
  /** Logged once as the client is built: a setting that does nothing as given (half the refresh credentials). */
  warning?: string;
}

/**
 * OAuth 2 refresh: an access token is obtained by `POST {baseUrl}/{tokenPath}` with the client id and secret (HTTP
 * Basic) and the refresh token, kept in the shared store under `storeKey` (every replica uses the same one), and
 * obtained again after a 401. A configured `accessToken` is used until it is refused.
 */
export interface OAuthRefreshAuth extends AuthHelp {
  kind: 'oauth-refresh';
  tokenPath: string;
  clientId: string;
  clientSecret: string;
  refreshToken: string;
  accessToken?: string;
  storeKey: string;
  /** The fix said when the token endpoint refuses the refresh (a wrong or revoked credential). */
  refusedHelp: string;
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

/**
 * A rule a description states in words about one component schema, with the words (`source`: where, and the text
 * quoted exactly; a test finds it in the description).
 * - `oneOfSets`: at least one set of fields is present whole (`[['em'], ['client_ip_address', 'client_user_agent']]`).
 * - `requiredIf`: `field` is present when `present` is, or when `equals` names one of a field's values.
 */
export type TextRule = { component: string; source: { where: string; text: string } } & (
  | { kind: 'oneOfSets'; sets: readonly (readonly string[])[] }
  | { kind: 'requiredIf'; field: string; present?: string; equals?: { field: string; values: readonly string[] } }
);
