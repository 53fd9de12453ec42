// Single-use tokens bound to one exact request (confirmation tokens, dialog ids), kept in the shared store so any replica can use them.
import { createHash, randomBytes } from 'node:crypto';
import type { SharedStore } from '../core/store.js';

interface Pending {
  hash: string;
  tool: string;
  expiresAt: string;
}

export type ConsumeOutcome = 'ok' | 'mismatch' | 'unknown';

/** JSON with object keys sorted, so equal requests hash equally whatever the key order. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value).filter(([, v]) => v !== undefined).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

export function requestHash(value: unknown): string {
  return createHash('sha256').update(canonicalJson(value)).digest('hex');
}

/** What a kind of token is called: its prefix and the store's keyspace for it. */
export interface TokenKind {
  prefix: string;
  keyspace: string;
}

/** Tokens the model receives with a held write's preview, to repeat the call with. */
export const CONFIRMATION_TOKENS: TokenKind = { prefix: 'cfm', keyspace: 'confirm' };
/** Ids of confirmation dialogs, which only the client sees (the request state it echoes with the person's answer). */
export const DIALOG_IDS: TokenKind = { prefix: 'dlg', keyspace: 'dialog' };

export class Confirmations {
  constructor(
    private readonly kind: TokenKind,
    private readonly store: SharedStore,
    private readonly ttlSeconds: number,
  ) {}

  async issue(tool: string, hash: string): Promise<{ token: string; expiresAt: string }> {
    const token = `${this.kind.prefix}_${randomBytes(18).toString('base64url')}`;
    const expiresAt = new Date(Date.now() + this.ttlSeconds * 1000).toISOString();
    await this.store.set(`${this.kind.keyspace}:${token}`, { hash, tool, expiresAt } satisfies Pending, this.ttlSeconds * 1000);
    return { token, expiresAt };
  }

  /**
   * Uses a token for the request with `hash`. Exactly one of many concurrent consumers gets 'ok': the store's
   * delete reports whether this caller removed the key, and only the remover may execute.
   */
  async consume(token: string, hash: string): Promise<ConsumeOutcome> {
    const key = `${this.kind.keyspace}:${token}`;
    const pending = (await this.store.get(key)) as Pending | undefined;
    if (!pending || Date.parse(pending.expiresAt) <= Date.now()) return 'unknown';
    if (pending.hash !== hash) return 'mismatch';
    return (await this.store.delete(key)) ? 'ok' : 'unknown';
  }
}
