// Finds the currency an ad account bills in, and its name for people (read from the API, cached in the store with a TTL); never converts FX.
import { personScope } from '../core/person.js';
import type { ApiDefinition } from '../apis/index.js';
import type { ApiConnection } from '../apis/types.js';
import type { CurrencySource as Source } from '../apis/money.js';
import type { SharedStore } from '../core/store.js';
import { BoundedStoreCache } from '../core/recent.js';

/** Reads through the API client without the guard (reads only). */
export type Reader = (toolName: string, args: Record<string, unknown>) => Promise<unknown>;

const TTL_MS = 60 * 60 * 1000;

type Args = Record<string, unknown>;

/** An account as a person reads it beside its id: its name and the currency it bills in, where known. */
export interface AccountLabel {
  /** The ad account id the call names (`ad_account_id`). */
  id?: string;
  /** The ad account's name; where the API names no account, the name of the entity the call writes (see `named`). */
  name?: string;
  /** What `name` names when it is not an account's (`ad group`, `campaign`). */
  named?: string;
  /** The currency the account reports, or the one assumed where it reports none; absent when neither. */
  currency?: string;
  /** The account reported no currency and `currency` is the operator's, assumed: why, in the API's words. */
  currency_assumed?: string;
}

/** The currency of a call's amounts: its code, and why where it is only assumed (the account reports none). */
export interface ResolvedCurrency {
  code?: string;
  assumed?: string;
}

/** What an API assumes where an account reports no currency: its connection's `assumedCurrency`. */
export type AssumedCurrency = (api: ApiDefinition) => ApiConnection['assumedCurrency'];

export class CurrencyResolver {
  /** What each source said, for an hour, at most `maxEntries` kept in the store by this process. */
  private readonly cache: BoundedStoreCache<{ name?: string; currency?: string }>;

  constructor(
    store: SharedStore,
    private readonly read: Reader,
    /** The currency assumed where an API's account reports none yet: its connection's `assumedCurrency`, if any. */
    private readonly assumed: AssumedCurrency = () => undefined,
    /** Most accounts cached (PINTEREST_MCP_MAX_CACHED_ACCOUNTS); the least recently used is dropped first. */
    maxEntries = Number.POSITIVE_INFINITY,
  ) {
    this.cache = new BoundedStoreCache(store, TTL_MS, maxEntries);
  }

  /**
   * The currency of the account a call's amounts are in, read where its API says (`api.currency`). Undefined when the
   * call names nothing that reports one and the API assumes none.
   */
  async currencyFor(api: ApiDefinition, args: Args, tool?: string): Promise<string | undefined> {
    return (await this.currencyOf(api, args, tool)).code;
  }

  /** currencyFor, saying why where the currency is only assumed, so that every amount shown in it can say so too. */
  async currencyOf(api: ApiDefinition, args: Args, tool?: string): Promise<ResolvedCurrency> {
    const assumed = (): ResolvedCurrency => {
      const operator = this.assumed(api);
      return operator ? { code: operator.code, assumed: operator.why } : {};
    };
    const source = api.currency.source(args, tool);
    if (!source) return assumed();
    // The store is only a cache here: when it is down, the API answers instead (the confirmation store says so itself).
    const cached = await this.cached(api, source);
    if (cached?.currency) return { code: cached.currency };
    const { currency } = await this.readSource(api, source);
    if (currency) return { code: currency };
    const operator = assumed();
    if (operator.code) return operator;
    throw new Error(`ad account ${String(args.ad_account_id)} did not report a currency`);
  }

  /**
   * The account a call names, as a person reads it: name and currency, read with the account (one read per hour,
   * shared with currencyFor). Undefined when the call names no account or the read fails: a label only helps a
   * person, so it never stops a call.
   */
  async account(api: ApiDefinition, args: Args, tool?: string): Promise<AccountLabel | undefined> {
    const id = typeof args.ad_account_id === 'string' ? args.ad_account_id : undefined;
    const source = api.currency.source(args, tool);
    const assumed = this.assumed(api);
    const label = (found: { name?: string; currency?: string }): AccountLabel => ({
      ...(id ? { id } : {}),
      ...(found.name ? { name: found.name } : {}),
      ...(found.currency ? { currency: found.currency } : assumed ? { currency: assumed.code, currency_assumed: assumed.why } : {}),
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
    // Per person in the OAuth mode: what one person's credential read is never served to another.
    return `${personScope()}account:${api.id}:${source.tool}:${JSON.stringify(source.args)}`;
  }

  private cached(api: ApiDefinition, source: Source): Promise<{ name?: string; currency?: string } | undefined> {
    return this.cache.get(this.key(api, source));
  }

  /** Reads a source once and caches what it says about the account's name and currency, in one entry. */
  private async readSource(api: ApiDefinition, source: Source): Promise<{ name?: string; currency?: string }> {
    const body = await this.read(source.tool, source.args);
    const reported = source.pick(body);
    const named = source.name(body);
    const currency = typeof reported === 'string' && reported ? reported.toUpperCase() : undefined;
    const found = { ...(typeof named === 'string' && named ? { name: named } : {}), ...(currency ? { currency } : {}) };
    await this.cache.set(this.key(api, source), found);
    return found;
  }
}
