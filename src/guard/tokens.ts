// Single-use tokens bound to one exact request (confirmation tokens, dialog ids), kept in the shared store so any replica can use them.
import { createHash, randomBytes } from 'node:crypto';
import type { SharedStore } from '../core/store.js';
import { KeyedQueue } from '../core/queue.js';

interface Pending {
  hash: string;
  tool: string;
  expiresAt: string;
  /** The client it was issued to (callerKey), for the bound per client. */
  client?: string;
}

/** How many unused tokens of a kind may be kept: per client, and in the store in all. */
export interface TokenBounds {
  perClient: number;
  total: number;
}

/** A token not issued because a bound is full: which one, how many are kept, and the bound. */
export class Crowded extends Error {
  constructor(
    readonly bound: 'client' | 'all',
    readonly count: number,
    readonly limit: number,
  ) {
    super(`${count} unused tokens ${bound === 'client' ? 'of this client' : 'in all'} (at most ${limit})`);
    this.name = 'Crowded';
  }
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
  /** Each client's issues, counted and stored one at a time, so that its concurrent calls cannot pass its bound together. */
  private readonly queue = new KeyedQueue();

  constructor(
    private readonly kind: TokenKind,
    private readonly store: SharedStore,
    private readonly ttlSeconds: number,
    /** Bounds on unused tokens; none for tokens whose number something else bounds (sign-in links: one per approval). */
    private readonly bounds?: TokenBounds,
  ) {}

  /**
   * A new token for the request with `hash`, issued to `client` (callerKey). Throws Crowded when the client's bound or
   * the store's is full. Counted from the shared store, one issue per client at a time in this process; other clients
   * and replicas that issue at the same moment may each pass the bound in all once.
   */
  issue(tool: string, hash: string, client?: string): Promise<{ token: string; expiresAt: string }> {
    return this.bounds ? this.queue.run(client ?? '', () => this.issueNow(tool, hash, client)) : this.issueNow(tool, hash, client);
  }

  private async issueNow(tool: string, hash: string, client: string | undefined): Promise<{ token: string; expiresAt: string }> {
    if (this.bounds) await this.checkRoom(client, this.bounds);
    const token = `${this.kind.prefix}_${randomBytes(18).toString('base64url')}`;
    const expiresAt = new Date(Date.now() + this.ttlSeconds * 1000).toISOString();
    const pending: Pending = { hash, tool, expiresAt, ...(client === undefined ? {} : { client }) };
    await this.store.set(`${this.kind.keyspace}:${token}`, pending, this.ttlSeconds * 1000);
    return { token, expiresAt };
  }

  /** Throws Crowded when a new token for `client` would pass a bound: the unused, unexpired tokens of this kind are counted. */
  private async checkRoom(client: string | undefined, bounds: TokenBounds): Promise<void> {
    const now = Date.now();
    const live = (await this.store.entries(`${this.kind.keyspace}:`)).map(([, value]) => value as Pending).filter((p) => Date.parse(p?.expiresAt) > now);
    const own = live.filter((p) => p.client === client).length;
    if (own >= bounds.perClient) throw new Crowded('client', own, bounds.perClient);
    if (live.length >= bounds.total) throw new Crowded('all', live.length, bounds.total);
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
