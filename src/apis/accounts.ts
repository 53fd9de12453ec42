// The shape of where an API's calls name ad accounts, which `--ad-accounts` checks (src/guard/scope.ts).

export interface AccountField {
  /** Where the ids are: the key's value (one id, or a list of them), or the keys of the map it holds. */
  holds: 'value' | 'keys';
  /** `asset`: a business asset id, which is an ad account or something else (a profile, an asset group). */
  names: 'account' | 'asset';
  why: string;
}

export interface ApiAccounts {
  /**
   * Keys that name ad accounts wherever a call has them (parameters, bodies, map keys). Under `--ad-accounts` every id
   * they hold must be an allowed account.
   */
  fields: Readonly<Record<string, AccountField>>;
  /** Tools whose results list accounts: under `--ad-accounts`, their items are filtered to the allowed ones. */
  lists: readonly string[];
  /** How the accounts resource reads its ad accounts; absent where it offers none. */
  directory?: AccountDirectory;
}

/** One ad account as the accounts resource shows it. */
export interface AccountFacts {
  id: string;
  name?: string;
  /** The currency its amounts are in (every money field of its tools), as the API reports it. */
  currency?: string;
  country?: string;
  /** Its time zone, or null where the API does not report one (`AccountDirectory.timeZoneNote` says what then). */
  time_zone: string | null;
}

/** A read through the shared client: a read tool and its arguments. */
export interface AccountRead {
  tool: string;
  args: Record<string, unknown>;
}

/** How the accounts resource reads an API's ad accounts (read tools only, through the shared client). */
export interface AccountDirectory {
  /** The read of the accounts the credential reaches (one page, as large as the API allows). */
  list: AccountRead;
  /** The accounts in the list's answer, and whether it has more pages. */
  page(body: unknown): { items: unknown[]; more: boolean };
  /** The read of one account; undefined when `id` cannot be one of this API's account ids (nothing is read then). */
  one(id: string): AccountRead | undefined;
  /** What the resource shows of one account answer (an item of the list, or the one-account read). */
  facts(body: unknown): AccountFacts | undefined;
  /** Said beside the accounts where `time_zone` is null: why, and what the dates of its reports follow instead. */
  timeZoneNote?: string;
}
