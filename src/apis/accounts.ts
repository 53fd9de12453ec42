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
}
