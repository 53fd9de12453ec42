// MCP resources: each API's analytics columns, OAuth scopes per toolset and ad accounts (read through the shared client, cached), and the pending approvals.
import {
  ProtocolError,
  ProtocolErrorCode,
  type ReadResourceResult,
  type Resource,
  ResourceNotFoundError,
  type ResourceTemplateType,
  type Server,
  UriTemplate,
  type Variables,
} from '@modelcontextprotocol/server';
import type { ApiDefinition } from '../apis/index.js';
import type { AccountDirectory, AccountFacts, AccountRead } from '../apis/accounts.js';
import type { Approval, Approvals } from '../guard/approvals.js';
import type { Change } from '../guard/changes.js';
import type { Reader } from '../guard/currency.js';
import type { SharedStore } from '../core/store.js';
import { BoundedStoreCache } from '../core/recent.js';
import { currentPerson, personScope } from '../core/person.js';
import { redactor } from '../core/redact.js';
import { ApiError } from '../http/errors.js';
import type { ToolDef } from '../tools/registry.js';
import type { Selection } from '../tools/selection.js';
import { type ScopeNeed, scopeUnion, scopesByToolset } from '../tools/scopes.js';

const JSON_TYPE = 'application/json';

/** How long what the accounts resources read stays cached in the store (like the guard's account cache, but shorter: accounts come and go). */
export const ACCOUNTS_TTL_MS = 15 * 60 * 1000;

/** What the resources are made from: the app's APIs, tools, internal read, store and approvals. */
export interface ResourceSources {
  /** The scheme of the server's own resources (the pending approvals): its name. */
  server: string;
  /** The APIs that are on (their tools can be offered). */
  apis: readonly ApiDefinition[];
  /** Every tool of every API, selected or not (tool names of operations, scopes of toolsets). */
  tools: readonly ToolDef[];
  /** The deployment's selection: what a read sees unless it is given a request's narrower one. */
  selection: Selection;
  /** The app's internal read through the shared client (the guard's): reads only, without selection or guard. */
  read: Reader;
  /** The shared store the account cache lives in (the app's engine's: asked for on the first account read). */
  store: () => Promise<SharedStore>;
  /** The approvals a person decides on the approval page; absent where this server has no page (none are ever made). */
  approvals?: Pick<Approvals, 'pending'>;
  /** `--ad-accounts`: the accounts resources show only these (empty: every account the credential reaches). */
  adAccounts: readonly string[];
  /** Most accounts kept cached by this process (PINTEREST_MCP_MAX_CACHED_ACCOUNTS). */
  maxCachedAccounts: number;
  /** `--max-result-chars`: no resource's text is longer; lists are cut to fit, saying so. */
  maxChars: number;
}

/** A resource's content: a JSON object whose one list (`list`) is cut to fit the size bound. */
interface Content {
  value: Record<string, unknown>;
  list: string;
  /** Where the rest of a cut list is found. */
  rest: string;
}

interface FixedResource {
  listing: Resource;
  /** `selection`: what the reading request sees (the tools a resource lists are the ones it may call). */
  read(selection: Selection): Promise<Content>;
}

interface TemplateResource {
  listing: ResourceTemplateType;
  template: UriTemplate;
  read(variables: Variables, uri: string): Promise<Content>;
}

/** The resources of one app: listed and read by every protocol server it makes (the account cache is shared). */
export interface Resources {
  list(): Resource[];
  templates(): ResourceTemplateType[];
  /** `selection`: what the reading request sees, when narrower than the deployment's (HTTP's narrowing headers). */
  read(uri: string, selection?: Selection): Promise<ReadResourceResult>;
}

/** The JSON text of a content within `maxChars`: its list cut to the longest start that fits, with how many were left out. */
export function boundedJson(content: Content, maxChars: number): string {
  const whole = JSON.stringify(content.value);
  const items = content.value[content.list];
  if (whole.length <= maxChars || !Array.isArray(items)) return whole;
  const cut = (n: number) =>
    JSON.stringify({ ...content.value, [content.list]: items.slice(0, n), truncated: { shown: n, of: items.length, rest: content.rest } });
  let low = 0;
  let high = items.length;
  while (low < high) {
    const mid = Math.ceil((low + high) / 2);
    if (cut(mid).length <= maxChars) low = mid;
    else high = mid - 1;
  }
  return cut(low);
}

/** A scope need as the scopes resource shows it. */
function needView(need: ScopeNeed) {
  return {
    tools: need.tools,
    scopes: need.all,
    ...(need.oneOf.length ? { one_of: need.oneOf.map((o) => ({ tools: o.tools, any_of: o.alternatives })) } : {}),
    ...(need.noOAuth.length ? { no_user_token_scope_covers: need.noOAuth } : {}),
  };
}

/** A change of a pending approval, as the approvals resource shows it: what, where, from and to (amounts with their currency). */
function changeView(change: Change) {
  return {
    entity: change.entity,
    ...(change.id ? { id: change.id } : {}),
    ...(change.name ? { name: change.name } : {}),
    field: change.field,
    reason: change.reason,
    ...(change.create ? { create: true } : {}),
    ...(change.from !== undefined ? { from: change.from } : {}),
    ...(change.to !== undefined ? { to: change.to } : {}),
    ...(change.unit ? { unit: change.unit } : {}),
    ...(change.change_percent !== undefined ? { change_percent: change.change_percent } : {}),
    ...(change.spending ? { spending: change.spending } : {}),
  };
}

/**
 * A pending approval as any client may read it: what it does, never how it is bound or who asked (no request hash, no
 * credential fingerprint, no session, no arguments, no sign-in link), redacted.
 */
export function pendingView(approval: Approval) {
  const { summary } = approval;
  return redactor.value({
    approval_id: approval.id,
    tool: approval.tool,
    ...(approval.account ? { ad_account_id: approval.account } : {}),
    ...(summary.account?.name ? { account_name: summary.account.name } : {}),
    ...(approval.currency ? { currency: approval.currency } : {}),
    ...(approval.currency_assumed ? { currency_assumed: approval.currency_assumed } : {}),
    what: summary.title ?? summary.headline,
    // The plain lines, where they say more than `what`.
    ...(summary.plain?.length && summary.plain.join('\n') !== summary.title ? { in_words: summary.plain } : {}),
    changes: summary.changes.map(changeView),
    created_at: approval.created_at,
    expires_at: approval.expires_at,
  });
}

/**
 * Reads of ad accounts through the shared client, each cached in the store for ACCOUNTS_TTL_MS (a store that fails only
 * costs a read), at most `max` entries kept by this process (the least recently used dropped first), and one read at a
 * time per key within this process.
 */
class AccountReads {
  private cache?: BoundedStoreCache<unknown>;
  private readonly inFlight = new Map<string, Promise<unknown>>();

  constructor(
    private readonly store: () => Promise<SharedStore>,
    private readonly read: Reader,
    private readonly max: number,
  ) {}

  async get<T>(api: ApiDefinition, what: AccountRead, shape: (body: unknown) => T): Promise<T> {
    // Per person in the OAuth mode: one person's accounts are never served to another.
    const key = `${personScope()}resource:${api.id}:${what.tool}:${JSON.stringify(what.args)}`;
    // Made on the first read, with the engine's store (the app starts it once, and again only after a failed start).
    const store = await this.store();
    const cache = (this.cache ??= new BoundedStoreCache(store, ACCOUNTS_TTL_MS, this.max));
    const cached = (await cache.get(key)) as T | undefined;
    if (cached !== undefined) return cached;
    const running = this.inFlight.get(key) as Promise<T> | undefined;
    if (running) return running;
    const reading = (async () => {
      const value = shape(await this.read(what.tool, what.args));
      await cache.set(key, value);
      return value;
    })().finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, reading);
    return reading;
  }
}

/** Throws the protocol's error for a read the API refused: not found (404), else an internal error naming what failed. */
function readFailed(uri: string, error: unknown): never {
  if (error instanceof ApiError && error.status === 404) throw new ResourceNotFoundError(uri, `Resource not found: ${uri} (the API answered 404: no such account).`);
  throw new ProtocolError(ProtocolErrorCode.InternalError, redactor.text(`Could not read ${uri}: ${(error as Error).message}`));
}

/** In the OAuth mode a person sees only the approvals they asked for; without signed-in people, every client sees all. */
function ownedByCaller(approval: Approval): boolean {
  const person = currentPerson();
  return person === undefined || approval.requested_by.person === person.id;
}

export function createResources(sources: ResourceSources): Resources {
  const fixed = new Map<string, FixedResource>();
  const templates: TemplateResource[] = [];
  const allowed = sources.adAccounts.length ? new Set(sources.adAccounts) : undefined;
  const accountReads = new AccountReads(sources.store, sources.read, sources.maxCachedAccounts);
  const add = (listing: Omit<Resource, 'mimeType'>, read: (selection: Selection) => Promise<Content>) => fixed.set(listing.uri, { listing: { ...listing, mimeType: JSON_TYPE }, read });

  for (const api of sources.apis) {
    const apiTools = sources.tools.filter((tool) => tool.api === api);
    /** The API's tools the reading request may call. */
    const offered = (selection: Selection) => selection.tools.filter((tool) => tool.api === api);

    const columns = api.analyticsColumns;
    if (columns) {
      const operations = new Set(columns.operations);
      // The plain `<level>_analytics` tools first: the ones a model looks for. Tool names are ASCII, so code-point order
      // is alphabetical; localeCompare would build ICU's collator at start-up (5 ms, bench:startup).
      const order = (a: string, b: string) => Number(!a.endsWith('_analytics')) - Number(!b.endsWith('_analytics')) || (a < b ? -1 : a > b ? 1 : 0);
      const named = apiTools.filter((tool) => operations.has(tool.op.id)).map((tool) => tool.name).sort(order);
      add(
        {
          uri: `${api.id}://analytics/columns`,
          name: `${api.id}_analytics_columns`,
          title: `${api.label} analytics columns`,
          description:
            `The ${columns.columns.length} columns ${api.label}'s analytics tools (${named.slice(0, 3).join(', ')}${named.length > 3 ? ` and ${named.length - 3} more` : ''}) take in "columns": ` +
            'for each, kind (what the value holds and in which unit; "kinds" explains each) and adds_up (whether its values may be summed across rows and days). ' +
            'Read it before choosing columns or totalling rows.',
        },
        async (selection) => ({
          value: {
            tools_on_this_server: offered(selection).filter((tool) => operations.has(tool.op.id)).map((tool) => tool.name).sort(order),
            kinds: columns.kinds, notes: columns.notes, columns: columns.columns },
          list: 'columns',
          rest: 'describe_tool of an analytics tool lists every column',
        }),
      );
    }

    if (api.oauthScheme && apiTools.length) {
      add(
        {
          uri: `${api.id}://oauth/scopes`,
          name: `${api.id}_oauth_scopes`,
          title: `${api.label} OAuth scopes per toolset`,
          description:
            `The OAuth scopes ${api.label}'s access token needs, per toolset: for its read tools and for its write tools, with which toolsets this server offers, ` +
            'and the scopes every tool offered here needs together. Read it when a call is refused for a missing scope (401 or 403).',
        },
        // Worked out when read, not at start-up.
        async (selection) => {
          const tools = offered(selection);
          const on = new Set(tools.map((tool) => tool.toolset));
          return {
            value: {
              source: `security scheme ${api.oauthScheme} of ${api.label}'s OpenAPI description ${api.catalog.source.version}`,
              this_server_needs: scopeUnion(scopesByToolset(tools).flatMap((row) => [row.read, row.write])),
              toolsets: scopesByToolset(apiTools).map((row) => ({
                toolset: row.toolset,
                default: row.isDefault,
                on_this_server: on.has(row.toolset),
                read: needView(row.read),
                write: needView(row.write),
              })),
            },
            list: 'toolsets',
            rest: 'docs/getting-a-token.md lists every toolset',
          };
        },
      );
    }

    const directory = api.accounts?.directory;
    if (directory) {
      const base = `${api.id}://ad-accounts`;
      const note = directory.timeZoneNote ? { time_zone_note: directory.timeZoneNote } : {};
      add(
        {
          uri: base,
          name: `${api.id}_ad_accounts`,
          title: `${api.label} ad accounts`,
          description:
            `The ${api.label} ad accounts this server's credential reaches${allowed ? ' and --ad-accounts allows' : ''}: id, name, currency (every amount a tool takes or shows for the account is in it), ` +
            `country and time_zone${directory.timeZoneNote ? ` (null: ${api.label} does not report it; time_zone_note says what report dates follow)` : ''}. ` +
            `Read through the API at most once per ${ACCOUNTS_TTL_MS / 60_000} minutes.`,
        },
        async () => {
          let page: { accounts: AccountFacts[]; more: boolean };
          try {
            page = await accountReads.get(api, directory.list, (body) => listed(directory, body));
          } catch (error) {
            readFailed(base, error);
          }
          const accounts = allowed ? page.accounts.filter((account) => allowed.has(account.id)) : page.accounts;
          return {
            value: { ...note, ...(page.more ? { more_accounts: `more than one page: ${directory.list.tool} lists the rest` } : {}), accounts },
            list: 'accounts',
            rest: `${base}/{ad_account_id} reads one account`,
          };
        },
      );
      const uriTemplate = `${base}/{ad_account_id}`;
      templates.push({
        listing: {
          uriTemplate,
          name: `${api.id}_ad_account`,
          title: `One ${api.label} ad account`,
          description: `One ${api.label} ad account by its id: id, name, currency, country and time_zone, as in ${base}. Read through the API at most once per ${ACCOUNTS_TTL_MS / 60_000} minutes.`,
          mimeType: JSON_TYPE,
        },
        template: new UriTemplate(uriTemplate),
        async read(variables, uri) {
          const id = String(variables.ad_account_id ?? '');
          const one = directory.one(id);
          if (!one) throw new ResourceNotFoundError(uri, `Resource not found: ${uri} ("${id.slice(0, 40)}" is not an ad account id).`);
          if (allowed && !allowed.has(id)) {
            throw new ProtocolError(ProtocolErrorCode.InvalidParams, `ad account ${id} is outside this server's accounts (${[...allowed].join(', ')}); the operator sets them with --ad-accounts`);
          }
          let account: AccountFacts | undefined;
          try {
            account = await accountReads.get(api, one, (body) => directory.facts(body));
          } catch (error) {
            readFailed(uri, error);
          }
          if (!account) throw new ProtocolError(ProtocolErrorCode.InternalError, `Could not read ${uri}: the API's answer names no account.`);
          return { value: { ...note, account }, list: 'account', rest: '' };
        },
      });
    }
  }

  const { approvals } = sources;
  if (approvals) {
    add(
      {
        uri: `${sources.server}://approvals/pending`,
        name: 'pending_approvals',
        title: 'Writes waiting for approval',
        description:
          "Writes this server holds for a person's approval on its approval page, not yet decided or expired, oldest first: approval_id, tool, account and currency, " +
          'what the write does, each change (entity, field, from, to, amounts with their currency) and expires_at. No secret is in it. ' +
          'To learn a decision, repeat the held call with the same arguments and approval_id.',
      },
      async () => ({
        value: { approvals: (await approvals.pending()).filter(ownedByCaller).map(pendingView) },
        list: 'approvals',
        rest: 'the approval page lists every one',
      }),
    );
  }

  const names = () => [...fixed.keys(), ...templates.map((t) => t.listing.uriTemplate)].join(', ');
  // Redacted before it is cut, so that a cut cannot leave the start of a secret at the end of the text.
  const contents = (uri: string, content: Content): ReadResourceResult => ({
    contents: [{ uri, mimeType: JSON_TYPE, text: boundedJson({ ...content, value: redactor.value(content.value) }, sources.maxChars) }],
  });

  return {
    list: () => [...fixed.values()].map((r) => r.listing),
    templates: () => templates.map((t) => t.listing),
    async read(uri, selection = sources.selection) {
      const resource = fixed.get(uri);
      if (resource) return contents(uri, await resource.read(selection));
      for (const template of templates) {
        const variables = template.template.match(uri);
        if (variables) return contents(uri, await template.read(variables, uri));
      }
      throw new ResourceNotFoundError(uri, `Resource not found: ${uri}. This server's resources are ${names()}.`);
    },
  };
}

/** The accounts of a list's answer (those that name an id), and whether more pages follow. */
function listed(directory: AccountDirectory, body: unknown): { accounts: AccountFacts[]; more: boolean } {
  const { items, more } = directory.page(body);
  return { accounts: items.flatMap((item) => directory.facts(item) ?? []), more };
}

/**
 * Serves resources/list, resources/templates/list and resources/read on a server that declared the `resources`
 * capability; `selection` is what its client sees, when narrower than the deployment's.
 */
export function registerResources(server: Server, resources: Resources, selection?: Selection): void {
  server.setRequestHandler('resources/list', async () => ({ resources: resources.list() }));
  server.setRequestHandler('resources/templates/list', async () => ({ resourceTemplates: resources.templates() }));
  server.setRequestHandler('resources/read', async (request) => resources.read(request.params.uri, selection));
}
