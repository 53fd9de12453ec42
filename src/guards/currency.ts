// Finds the currency an ad account bills in (read from the API, cached in the store with a TTL); never converts FX.
import type { ApiDefinition } from '../catalog/apis.js';
import type { Store } from '../store.js';

/** Reads through the API client without the guard (reads only). */
export type Reader = (toolName: string, args: Record<string, unknown>) => Promise<unknown>;

const TTL_MS = 60 * 60 * 1000;

export class CurrencyResolver {
  constructor(
    private readonly store: Store,
    private readonly read: Reader,
  ) {}

  /** The account's currency, or the API's fixed currency; undefined when the call names no ad account. */
  async currencyFor(api: ApiDefinition, args: Record<string, unknown>): Promise<string | undefined> {
    if (api.fixedCurrency) return api.fixedCurrency;
    const account = args.ad_account_id;
    if (typeof account !== 'string') return undefined;
    const key = `currency:${api.id}:${account}`;
    // The store is only a cache here: when it is down, the API answers instead (the confirmation store says so itself).
    const cached = (await this.store.get(key).catch(() => undefined)) as string | undefined;
    if (cached) return cached;
    const body = (await this.read('ad_accounts_get', { ad_account_id: account })) as { currency?: unknown } | undefined;
    const currency = typeof body?.currency === 'string' ? body.currency.toUpperCase() : undefined;
    if (!currency) throw new Error(`ad account ${account} did not report a currency`);
    await this.store.set(key, currency, TTL_MS).catch(() => {});
    return currency;
  }
}
