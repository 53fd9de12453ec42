// Which ad accounts a call may touch: the body's account must be the path's, and `--ad-accounts` limits every tool.
import type { SchemaFacts } from '../apis/types.js';
import type { ToolDef } from '../tools/registry.js';
import type { AccountField } from '../apis/accounts.js';
import { classify } from '../apis/classification.js';
import { pathText, walkJson } from '../core/walk.js';
import type { Problem } from './types.js';

interface Named {
  /** Where the id sits: `ad_account_id`, `body[0].ad_account_id`, `body.invites[0].asset_id_to_permissions["123"]`. */
  path: string;
  id: string;
  field: AccountField;
}

type AccountFields = Readonly<Record<string, AccountField>>;

const isId = (value: unknown): value is string | number => typeof value === 'string' || typeof value === 'number';

/** The ids one account field holds: its value, each item of a list, or the keys of a map. */
function idsOf(field: AccountField, value: unknown, path: string, out: Named[]): void {
  if (field.holds === 'keys') {
    if (value && typeof value === 'object' && !Array.isArray(value)) for (const id of Object.keys(value)) out.push({ path: `${path}[${JSON.stringify(id)}]`, id, field });
  } else if (Array.isArray(value)) value.forEach((item, i) => isId(item) && out.push({ path: `${path}[${i}]`, id: String(item), field }));
  else if (isId(value)) out.push({ path, id: String(value), field });
}

/** Every account id named in the body, at any depth. */
function bodyAccounts(fields: AccountFields, body: unknown, out: Named[]): void {
  walkJson(body, (value, path, key) => {
    const field = typeof key === 'string' && Object.hasOwn(fields, key) ? fields[key] : undefined;
    if (!field) return;
    idsOf(field, value, pathText(path, 'body'), out);
    // A list of objects under an account key (none today) is still searched.
    return field.holds === 'value' ? undefined : 'skip';
  });
}

/** The keys of a tool's parameters and body that can name an ad account (for the fix a refusal suggests). */
function accountKeysOf(tool: ToolDef, fields: AccountFields): string[] {
  const keys = new Set(tool.op.parameters.map((p) => p.name).filter((name) => Object.hasOwn(fields, name)));
  const walk = (schema: SchemaFacts | undefined, seen: ReadonlySet<string>): void => {
    if (!schema) return;
    if (schema.$ref) {
      if (!seen.has(schema.$ref)) walk(tool.api.catalog.schemas[schema.$ref], new Set([...seen, schema.$ref]));
      return;
    }
    for (const part of [...(schema.allOf ?? []), ...(schema.oneOf ?? []), ...(schema.anyOf ?? []), schema.items]) walk(part, seen);
    if (typeof schema.additionalProperties === 'object') walk(schema.additionalProperties, seen);
    for (const [key, child] of Object.entries(schema.properties ?? {})) {
      if (Object.hasOwn(fields, key)) keys.add(key);
      walk(child, seen);
    }
  };
  walk(tool.op.body?.schema, new Set());
  return [...keys];
}

export class AccountScope {
  private readonly allowed: ReadonlySet<string> | undefined;

  /** `accounts` empty: every account is allowed (the body must still match the path). */
  constructor(accounts: readonly string[]) {
    this.allowed = accounts.length ? new Set(accounts) : undefined;
  }

  /**
   * Why this call may not be sent: a body account that differs from the path's, an account outside the list, or,
   * under a list, a write that names no account though it is not marked as touching none. Calls of an API that names
   * no ad accounts (no `api.accounts`) are outside `--ad-accounts`: its accounts are its own (its API key scopes them).
   */
  problems(tool: ToolDef, args: Record<string, unknown>): Problem[] {
    const fields = tool.api.accounts?.fields;
    if (!fields) return [];
    const problems: Problem[] = [];
    const named: Named[] = [];
    for (const p of tool.op.parameters) {
      const field = Object.hasOwn(fields, p.name) ? fields[p.name] : undefined;
      if (field) idsOf(field, args[p.name], p.name, named);
    }
    bodyAccounts(fields, args.body, named);
    const pathAccount = tool.op.parameters.some((p) => p.in === 'path' && p.name === 'ad_account_id') ? args.ad_account_id : undefined;
    for (const { path, id, field } of named) {
      if (pathAccount !== undefined && path.endsWith('.ad_account_id') && id !== String(pathAccount)) {
        problems.push({ path, message: `is ${id} but the path's ad_account_id is ${String(pathAccount)}; one call writes one ad account, so they must be equal` });
      } else if (this.allowed && !this.allowed.has(id)) {
        problems.push({
          path,
          message:
            field.names === 'asset'
              ? `asset ${id} is not one of this server's ad accounts (${this.list()}); under --ad-accounts a business asset named here must be one of them`
              : `ad account ${id} is outside this server's accounts (${this.list()}); the operator sets them with --ad-accounts`,
        });
      }
    }
    if (this.allowed && tool.writes) {
      const account = classify(tool.name)?.account;
      // `unnamed` marks writes with no field that could name an account: anything named there is not the API's.
      if (account && 'unnamed' in account) {
        problems.push({ path: '(arguments)', message: `reaches ad accounts it does not name: ${account.unnamed}; this server is limited to ad accounts ${this.list()} (--ad-accounts)` });
      } else if (!account && named.length === 0) {
        const keys = accountKeysOf(tool, fields);
        const fix = keys.length ? `name one of them in ${keys.join(' or ')}` : 'it has no field that names one';
        problems.push({ path: '(arguments)', message: `names no ad account, and this server is limited to ad accounts ${this.list()} (--ad-accounts): ${fix}` });
      }
    }
    return problems;
  }

  /** Keeps only allowed accounts in the results of account lists; other bodies pass unchanged. */
  filter(tool: ToolDef, body: unknown): unknown {
    if (!this.allowed || !tool.api.accounts?.lists.includes(tool.name) || !body || typeof body !== 'object') return body;
    const items = (body as { items?: unknown }).items;
    if (!Array.isArray(items)) return body;
    const allowed = this.allowed;
    return { ...body, items: items.filter((item) => allowed.has(String((item as { id?: unknown } | null)?.id))) };
  }

  private list(): string {
    return [...(this.allowed ?? [])].join(', ');
  }
}
