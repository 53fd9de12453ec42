// Which ad accounts a call may touch: the body's account must be the path's, and `--ad-accounts` limits every tool.
import type { ToolDef } from '../tools/registry.js';
import type { Problem } from './types.js';

/** Argument and body keys that name a Pinterest ad account (an advertiser, in the integration and log bodies). */
const ACCOUNT_KEYS = new Set(['ad_account_id', 'advertiser_id', 'connected_advertiser_id']);

/** Tools that would bring a new account into being: outside any fixed list of accounts. */
const CREATES_ACCOUNTS = new Set(['ad_accounts_create']);

/** Tools whose results list accounts: under `--ad-accounts`, their items are filtered to the allowed ones. */
const LISTS_ACCOUNTS = new Set(['ad_accounts_list']);

/** Every account id named in the body, with where (`body[0].ad_account_id`). */
function bodyAccounts(value: unknown, path: string, out: { path: string; id: unknown }[]): void {
  if (Array.isArray(value)) value.forEach((item, i) => bodyAccounts(item, `${path}[${i}]`, out));
  else if (value && typeof value === 'object') {
    for (const [key, child] of Object.entries(value)) {
      if (ACCOUNT_KEYS.has(key) && child !== undefined && child !== null && typeof child !== 'object') out.push({ path: `${path}.${key}`, id: child });
      else bodyAccounts(child, `${path}.${key}`, out);
    }
  }
}

export class AccountScope {
  private readonly allowed: ReadonlySet<string> | undefined;

  /** `accounts` empty: every account is allowed (the body must still match the path). */
  constructor(accounts: readonly string[]) {
    this.allowed = accounts.length ? new Set(accounts) : undefined;
  }

  /** Why this call may not be sent: a body account that differs from the path's, or an account outside the list. */
  problems(tool: ToolDef, args: Record<string, unknown>): Problem[] {
    const problems: Problem[] = [];
    const named: { path: string; id: unknown }[] = [];
    for (const p of tool.op.parameters) {
      if (ACCOUNT_KEYS.has(p.name) && args[p.name] !== undefined) named.push({ path: p.name, id: args[p.name] });
    }
    bodyAccounts(args.body, 'body', named);
    const pathAccount = tool.op.parameters.some((p) => p.in === 'path' && p.name === 'ad_account_id') ? args.ad_account_id : undefined;
    for (const { path, id } of named) {
      if (pathAccount !== undefined && path.endsWith('.ad_account_id') && String(id) !== String(pathAccount)) {
        problems.push({ path, message: `is ${String(id)} but the path's ad_account_id is ${String(pathAccount)}; one call writes one ad account, so they must be equal` });
      } else if (this.allowed && !this.allowed.has(String(id))) {
        problems.push({ path, message: `ad account ${String(id)} is outside this server's accounts (${this.list()}); the operator sets them with --ad-accounts` });
      }
    }
    if (this.allowed && CREATES_ACCOUNTS.has(tool.name)) {
      problems.push({ path: '(arguments)', message: `this server is limited to ad accounts ${this.list()} (--ad-accounts), so it does not create others` });
    }
    return problems;
  }

  /** Keeps only allowed accounts in the results of account lists; other bodies pass unchanged. */
  filter(tool: ToolDef, body: unknown): unknown {
    if (!this.allowed || !LISTS_ACCOUNTS.has(tool.name) || !body || typeof body !== 'object') return body;
    const items = (body as { items?: unknown }).items;
    if (!Array.isArray(items)) return body;
    const allowed = this.allowed;
    return { ...body, items: items.filter((item) => allowed.has(String((item as { id?: unknown } | null)?.id))) };
  }

  private list(): string {
    return [...(this.allowed ?? [])].join(', ');
  }
}
