// Finds the currency an ad account bills in, and its name for people (read from the API, cached in the store with a TTL); never converts FX.
import type { ApiDefinition, ApiId } from '../apis/index.js';
import type { SharedStore } from '../core/store.js';

/** Reads through the API client without the guard (reads only). */
export type Reader = (toolName: string, args: Record<string, unknown>) => Promise<unknown>;

const TTL_MS = 60 * 60 * 1000;

type Args = Record<string, unknown>;
/** A read that reports the currency, and where in its answer. */
interface Source {
  tool: string;
  args: Args;
  /** The currency in the answer, or undefined when it reports none. */
  pick(body: unknown): unknown;
  /** The name a person knows the account by: the ad account's (Pinterest), or the entity's own (Whop has none). */
  name(body: unknown): unknown;
}

/** An account as a person reads it beside its id: its name and the currency it bills in, where known. */
export interface AccountLabel {
  /** The ad account id the call names (Pinterest). */
  id?: string;
  /** The ad account's name; for Whop, which names no account, the name of the entity the call writes (see `named`). */
  name?: string;
  /** What `name` names when it is not an account's (Whop: `ad group`, `campaign`). */
  named?: string;
  /** The currency the account reports; absent when it reports none. */
  currency?: string;
  /** Whop: the account reported no currency, and WHOP_CURRENCY was assumed. */
  currency_assumed?: boolean;
}

const field = (name: string) => (body: unknown) => (body as Record<string, unknown> | undefined)?.[name];
const bodyOf = (args: Args) => (args.body ?? {}) as Args;
const whopGet = (tool: string, id: unknown): Source | undefined =>
  typeof id === 'string' ? { tool, args: { id }, pick: field('spend_currency'), name: field('title') } : undefined;

/**
 * Whop states an account's currency only as `spend_currency` on its campaigns, ad groups and ads: each call reads it
 * from the entity it names or its parent. A new campaign reads it from the account's other campaigns.
 */
export const WHOP_CURRENCY_SOURCES: Readonly<Record<string, (args: Args) => Source | undefined>> = {
  whop_ad_campaigns_create: (args) => ({
    tool: 'whop_ad_campaigns_list',
    args: { ...(typeof bodyOf(args).account_id === 'string' ? { account_id: bodyOf(args).account_id } : {}), first: 1 },
    pick: (body) => ((body as { data?: Args[] } | undefined)?.data ?? [])[0]?.spend_currency,
    // A new campaign has no name of its own yet: the body's title is shown instead (see account()).
    name: () => undefined,
  }),
  whop_ad_campaigns_update: (args) => whopGet('whop_ad_campaigns_get', args.id),
  whop_ad_groups_create: (args) => whopGet('whop_ad_campaigns_get', bodyOf(args).ad_campaign_id),
  whop_ad_groups_update: (args) => whopGet('whop_ad_groups_get', args.id),
  whop_ads_create: (args) => {
    const inline = bodyOf(args).ad_group as Args | undefined;
    return inline ? whopGet('whop_ad_campaigns_get', inline.ad_campaign_id) : whopGet('whop_ad_groups_get', bodyOf(args).ad_group_id);
  },
};

export class CurrencyResolver {
  /** Per API, the currency assumed where the account reports none (Whop: WHOP_CURRENCY); none for Pinterest. */
  private readonly assumed: Readonly<Partial<Record<ApiId, string>>>;

  constructor(
    private readonly store: SharedStore,
    private readonly read: Reader,
    whopDefault = 'USD',
  ) {
    this.assumed = { whop: whopDefault };
  }

  /** Where this call's currency is read; undefined when it names nothing that has one. */
  private source(api: ApiDefinition, tool: string | undefined, args: Args): Source | undefined {
    if (api.id === 'whop') return tool ? WHOP_CURRENCY_SOURCES[tool]?.(args) : undefined;
    const account = args.ad_account_id;
    return typeof account === 'string' ? { tool: 'ad_accounts_get', args: { ad_account_id: account }, pick: field('currency'), name: field('name') } : undefined;
  }

  /**
   * The currency of the account a call's amounts are in: Pinterest's `ad_account_id`, or the Whop entity the call
   * names. Undefined when a Pinterest call names no ad account; Whop falls back to WHOP_CURRENCY.
   */
  async currencyFor(api: ApiDefinition, args: Args, tool?: string): Promise<string | undefined> {
    const source = this.source(api, tool, args);
    if (!source) return this.assumed[api.id];
    // The store is only a cache here: when it is down, the API answers instead (the confirmation store says so itself).
    const cached = await this.cached(api, source);
    if (cached?.currency) return cached.currency;
    const { currency } = await this.readSource(api, source);
    if (!currency) {
      const assumed = this.assumed[api.id];
      if (assumed) return assumed;
      throw new Error(`ad account ${String(args.ad_account_id)} did not report a currency`);
    }
    return currency;
  }

  /**
   * The account a call names, as a person reads it: name and currency, read with the account (one read per hour,
   * shared with currencyFor). Undefined when the call names no account or the read fails: a label only helps a
   * person, so it never stops a call.
   */
  async account(api: ApiDefinition, args: Args, tool?: string): Promise<AccountLabel | undefined> {
    const id = typeof args.ad_account_id === 'string' ? args.ad_account_id : undefined;
    const source = this.source(api, tool, args);
    const assumed = this.assumed[api.id];
    const label = (found: { name?: string; currency?: string }): AccountLabel => ({
      ...(id ? { id } : {}),
      ...(found.name ? { name: found.name } : {}),
      ...(found.currency ? { currency: found.currency } : assumed ? { currency: assumed, currency_assumed: true } : {}),
    });
    if (!source) return id || assumed ? label({}) : undefined;
    const cached = await this.cached(api, source);
    if (cached) return label(cached);
    try {
      return label(await this.readSource(api, source));
    } catch {
      return id ? { id } : undefined;
    }
  }

  /** The store key of what one source said (an account's name and currency, as one entry). */
  private key(api: ApiDefinition, source: Source): string {
    return `account:${api.id}:${source.tool}:${JSON.stringify(source.args)}`;
  }

  private async cached(api: ApiDefinition, source: Source): Promise<{ name?: string; currency?: string } | undefined> {
    return (await this.store.get(this.key(api, source)).catch(() => undefined)) as { name?: string; currency?: string } | undefined;
  }

  /** Reads a source once and caches what it says about the account's name and currency, in one entry. */
  private async readSource(api: ApiDefinition, source: Source): Promise<{ name?: string; currency?: string }> {
    const body = await this.read(source.tool, source.args);
    const reported = source.pick(body);
    const named = source.name(body);
    const currency = typeof reported === 'string' && reported ? reported.toUpperCase() : undefined;
    const found = { ...(typeof named === 'string' && named ? { name: named } : {}), ...(currency ? { currency } : {}) };
    await this.store.set(this.key(api, source), found, TTL_MS).catch(() => {});
    return found;
  }
}
