// Approvals of held writes by a person, kept in the shared store: created by the guard, decided once on a page, read back by the model.
import { randomBytes } from 'node:crypto';
import type { CallToolResult } from '@modelcontextprotocol/server';
import { redactor } from '../core/redact.js';
import { type SharedStore, StoreUnavailable } from '../core/store.js';
import type { Change } from './changes.js';
import type { AccountLabel } from './currency.js';
import { type Deployment, deploymentMismatch } from './deployment.js';
import { type Caller, callerKey } from './types.js';

/** What a person sees to decide, computed by the guard when the write was held. */
export interface ApprovalSummary {
  /** `ad_groups_update on ad account 549755885175 (USD)`. */
  heading: string;
  /**
   * What the write does in one line a person reads first (`Raise the daily budget of ad group "US Prospecting" from
   * 10.00 USD to 12.50 USD per day (+25%)`); absent in approvals made before it existed.
   */
  title?: string;
  /** One plain-language line per entity the write creates or changes (plain.ts). */
  plain?: string[];
  /** The account with its name and currency, where the call names one. */
  account?: AccountLabel;
  /** `changes spend`, `is destructive`. */
  verb: string;
  headline: string;
  lines: string[];
  notes: string[];
  changes: Change[];
  request: { method: string; path: string; query: Record<string, string | string[]>; body: unknown };
}

/**
 * The life of an approval. `pending` until a person decides: `rejected`, or `sending` from the approve until the
 * write's answer is stored as `sent` (the API applied it), `failed` (the API refused it: nothing changed), `unknown`
 * (no usable answer) or `not_sent` (a check or the store stopped it before it left). Each state is stored before the
 * step it guards: `sending` before the write leaves, so no write leaves without a record saying so.
 */
export type ApprovalState = 'pending' | 'rejected' | 'sending' | 'sent' | 'failed' | 'unknown' | 'not_sent';

/** States after which nothing more happens. */
export const FINAL_STATES: ReadonlySet<ApprovalState> = new Set(['rejected', 'sent', 'failed', 'unknown', 'not_sent']);

export interface Approval {
  id: string;
  tool: string;
  /** The arguments as the client sent them (money in natural amounts): the approve runs the tool again with exactly these. */
  args: Record<string, unknown>;
  /** Hash of the exact request; the approve sends only if the arguments still build this request. */
  hash: string;
  account?: string;
  currency?: string;
  /** Why `currency` is only assumed (the account reports none), in the API's words. */
  currency_assumed?: string;
  created_at: string;
  expires_at: string;
  summary: ApprovalSummary;
  /** Where the write goes; only a process with an equal deployment lists or executes it. */
  deployment: Deployment;
  /** Who asked for the write. */
  requested_by: Caller;
  state: ApprovalState;
  /** The approver's id on the page. */
  decided_by?: string;
  decided_at?: string;
  /** When the write began to be sent (`sending`), so that a send that never ended can be told from one in flight. */
  sending_since?: string;
  /** The write's result as the tool answered it (redacted), once sent. */
  outcome?: CallToolResult;
  /** Why the outcome is what it is, when the result alone does not say (not sent, recovered after an interruption). */
  note?: string;
}

/** How a decision went: this caller decided, someone already had, the approval is gone, expired, or was interrupted. */
export type Decision = 'decided' | 'already_decided' | 'expired' | 'unknown' | 'interrupted';

/** How long a decided approval's outcome stays readable, seconds. */
const OUTCOME_TTL_SECONDS = 24 * 3600;
/** How often a record the store refused is offered to it again. */
const RESTORE_INTERVAL_MS = 2_000;

const RECORD = 'approval:';
/** The key whose removal decides an approval: the store's delete answers true to exactly one caller. */
const CLAIM = 'approval-claim:';
/** The key whose removal lets one replica settle a `sending` approval whose process stopped. */
const SETTLE = 'approval-settle:';

export function isExpired(approval: Approval, now = Date.now()): boolean {
  return approval.state === 'pending' && Date.parse(approval.expires_at) <= now;
}

export interface ApprovalsOptions {
  store: SharedStore;
  /** How long a person has to decide, seconds. */
  ttlSeconds: number;
  /** This process's deployment per API: approvals are bound to it, and only equal ones are listed or executed here. */
  deployments: Readonly<Record<string, Deployment>>;
  /** Most approval records kept in the store in all (PINTEREST_MCP_MAX_APPROVALS); unbounded when absent. */
  maxStored?: number;
}

/** Why no approval may be created now: the client's own waiting ones, or the store's records in all, are at their bound. */
export interface NoRoom {
  bound: 'client' | 'all';
  count: number;
  limit: number;
}

/** When an approval stopped mattering to anyone who could still act on it: decided, or expired undecided. */
function settledAt(approval: Approval): string {
  return approval.decided_at ?? approval.expires_at;
}

export class Approvals {
  readonly ttlSeconds: number;
  /** Records the store refused (it failed mid-transition), kept here and offered again until it takes them. */
  private readonly unsaved = new Map<string, Approval>();
  private restoring?: NodeJS.Timeout;
  /** Approvals this process is sending now: never settled as interrupted while their send is in flight. */
  readonly inFlight = new Set<string>();

  constructor(private readonly options: ApprovalsOptions) {
    this.ttlSeconds = options.ttlSeconds;
  }

  private get store(): SharedStore {
    return this.options.store;
  }

  /** This process's deployment for an API. */
  deploymentFor(api: string): Deployment | undefined {
    return this.options.deployments[api];
  }

  /** Why this process cannot execute the approval (another deployment), or undefined when it can. */
  mismatch(approval: Approval): string | undefined {
    const here = this.deploymentFor(approval.deployment?.api);
    if (!here) return `it is for the ${approval.deployment?.api ?? 'unknown'} API, which this server does not serve`;
    return deploymentMismatch(approval.deployment, here);
  }

  /**
   * Stores a new approval, redacted (whatever an upstream echoed into names or notes never rests in the store). The
   * claim is stored first: a record without its claim could be shown but never decided. When storing the record fails,
   * the caller tells the model nothing was created, yet a timed-out SET may still land: the record is then settled
   * `not_sent` here (never decidable) and stored so once the store is back, so that no one approves a write the model
   * was told failed, and asks for again.
   */
  async create(fields: Pick<Approval, 'tool' | 'args' | 'hash' | 'account' | 'currency' | 'currency_assumed' | 'summary' | 'deployment' | 'requested_by'>): Promise<Approval> {
    const now = Date.now();
    const approval: Approval = redactor.value({
      id: `apr_${randomBytes(18).toString('base64url')}`,
      ...fields,
      created_at: new Date(now).toISOString(),
      expires_at: new Date(now + this.ttlSeconds * 1000).toISOString(),
      state: 'pending' as const,
    });
    await this.store.set(CLAIM + approval.id, true, this.ttlSeconds * 1000);
    try {
      await this.store.set(RECORD + approval.id, approval, (this.ttlSeconds + OUTCOME_TTL_SECONDS) * 1000);
    } catch (error) {
      this.saveLater({ ...approval, state: 'not_sent', note: 'The store failed while this approval was being created, so it cannot be decided; nothing was sent.' });
      throw error;
    }
    return approval;
  }

  async get(id: string): Promise<Approval | undefined> {
    if (!/^apr_[\w-]{24}$/.test(id)) return undefined;
    const unsaved = this.unsaved.get(id);
    if (unsaved) return unsaved;
    return (await this.store.get(RECORD + id)) as Approval | undefined;
  }

  /** Every approval record in the store, with the ones this process holds unsaved in their place. */
  private async all(): Promise<Approval[]> {
    const found = new Map<string, Approval>();
    for (const [, value] of await this.store.entries(RECORD)) {
      const approval = value as Approval | undefined;
      if (approval?.id) found.set(approval.id, approval);
    }
    for (const [id, approval] of this.unsaved) found.set(id, approval);
    return [...found.values()];
  }

  /**
   * Approvals waiting for a decision that this process could execute (its deployment), oldest first; read from the
   * shared store, so every equally configured replica lists the same.
   */
  async pending(): Promise<Approval[]> {
    const now = Date.now();
    return (await this.all())
      .filter((a) => a.state === 'pending' && !isExpired(a, now) && this.mismatch(a) === undefined)
      .sort((a, b) => a.created_at.localeCompare(b.created_at));
  }

  /**
   * Whether the client `key` (callerKey) may create one more approval: fewer than `perClient` of its own wait on this
   * deployment's page (the ones a person can decide there), and the store keeps fewer than `maxStored` records in all.
   * At the total bound, the records no one can act on any more are dropped first, oldest first: decided ones whose
   * outcome is stored (their day of polling is cut short) and expired ones. A record a person may still decide, or one
   * being sent, is never dropped: then there is no room. One scan of the store; the caller makes one approval per client
   * at a time in this process (other clients and replicas that create at the same moment may each pass the bound in all
   * once).
   */
  async room(key: string, perClient: number): Promise<NoRoom | undefined> {
    const now = Date.now();
    const all = await this.all();
    const own = all.filter((a) => a.state === 'pending' && !isExpired(a, now) && this.mismatch(a) === undefined && callerKey(a.requested_by) === key).length;
    if (own >= perClient) return { bound: 'client', count: own, limit: perClient };
    const limit = this.options.maxStored ?? Number.POSITIVE_INFINITY;
    if (all.length < limit) return undefined;
    const droppable = all
      .filter((a) => (FINAL_STATES.has(a.state) || isExpired(a, now)) && !this.unsaved.has(a.id))
      .sort((a, b) => settledAt(a).localeCompare(settledAt(b)));
    const dropped = droppable.slice(0, all.length - limit + 1);
    for (const approval of dropped) await this.drop(approval.id);
    const left = all.length - dropped.length;
    return left < limit ? undefined : { bound: 'all', count: left, limit };
  }

  /** Removes an approval no one can act on any more, with its keys. */
  private async drop(id: string): Promise<void> {
    await this.store.delete(RECORD + id);
    await this.store.delete(CLAIM + id);
    await this.store.delete(SETTLE + id);
  }

  /** `sending` approvals of this deployment whose send began before `before` (ms) and is not in flight here. */
  async stalled(before: number): Promise<Approval[]> {
    return (await this.all()).filter(
      (a) => a.state === 'sending' && Date.parse(a.sending_since ?? a.decided_at ?? a.created_at) < before && !this.inFlight.has(a.id) && this.mismatch(a) === undefined,
    );
  }

  /**
   * Decides a pending approval: exactly one caller across every replica gets 'decided' (it removed the claim), and
   * only that caller may send the write. The record then says `sending` (approve) or `rejected`, stored before this
   * returns: when the store refuses it, nothing may be sent (StoreUnavailable is thrown, and the record is settled as
   * not sent once the store is back).
   */
  async decide(id: string, approve: boolean, by: string): Promise<{ decision: Decision; approval?: Approval }> {
    const approval = await this.get(id);
    if (!approval) return { decision: 'unknown' };
    if (approval.state !== 'pending') return { decision: 'already_decided', approval };
    if (isExpired(approval)) return { decision: 'expired', approval };
    if (!(await this.store.delete(CLAIM + id))) {
      const now = (await this.get(id)) ?? approval;
      // Pending without its claim: a decision began and the store failed before it was recorded; nothing was sent.
      return { decision: now.state === 'pending' ? 'interrupted' : 'already_decided', approval: now };
    }
    const at = new Date().toISOString();
    const decided: Approval = approve
      ? { ...approval, state: 'sending', decided_by: by, decided_at: at, sending_since: at }
      : { ...approval, state: 'rejected', decided_by: by, decided_at: at };
    try {
      if (approve) await this.store.set(SETTLE + id, true, OUTCOME_TTL_SECONDS * 1000);
      await this.store.set(RECORD + id, decided, OUTCOME_TTL_SECONDS * 1000);
    } catch (error) {
      this.saveLater(
        approve
          ? { ...decided, state: 'not_sent', note: 'The store failed while the approve was being recorded, so the write was not sent.' }
          : decided,
      );
      throw error;
    }
    return { decision: 'decided', approval: decided };
  }

  /**
   * Stores how an approved write ended (redacted). When the store refuses it, this process keeps the record, answers
   * from it, and offers it to the store again until it takes it; the caller is told by StoreUnavailable.
   */
  async finish(approval: Approval, state: ApprovalState, outcome: CallToolResult | undefined, note?: string): Promise<Approval> {
    const done: Approval = redactor.value({ ...approval, state, ...(outcome ? { outcome } : {}), ...(note ? { note } : {}) });
    try {
      await this.save(done);
    } catch (error) {
      this.saveLater(done);
      throw error;
    }
    return done;
  }

  /** Wins the right to settle an interrupted send: exactly one replica gets true. */
  async claimSettle(id: string): Promise<boolean> {
    return this.store.delete(SETTLE + id);
  }

  private async save(approval: Approval): Promise<void> {
    await this.store.set(RECORD + approval.id, approval, OUTCOME_TTL_SECONDS * 1000);
    // Once the outcome is stored, nothing is left to settle: the settle key would only wait out its day.
    if (FINAL_STATES.has(approval.state)) await this.store.delete(SETTLE + approval.id).catch(() => false);
  }

  private saveLater(approval: Approval): void {
    this.unsaved.set(approval.id, approval);
    this.restoring ??= setInterval(() => void this.restore(), RESTORE_INTERVAL_MS).unref();
  }

  /** Offers every unsaved record to the store again; true when none is left. */
  async restore(): Promise<boolean> {
    for (const [id, approval] of this.unsaved) {
      try {
        await this.save(approval);
        this.unsaved.delete(id);
      } catch (error) {
        if (!(error instanceof StoreUnavailable)) throw error;
        break; // still down: the next round tries again
      }
    }
    if (this.unsaved.size === 0 && this.restoring) {
      clearInterval(this.restoring);
      this.restoring = undefined;
    }
    return this.unsaved.size === 0;
  }

  /** Records this process could not store yet (for shutdown: one last try). */
  get unsavedCount(): number {
    return this.unsaved.size;
  }

  close(): void {
    if (this.restoring) clearInterval(this.restoring);
    this.restoring = undefined;
  }
}
