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
  /**
   * A `sending` approval whose process stopped is settled by reading the entity back: how many replicas began that
   * (each won its own try), and when the last one began, so that a settler that stopped too is taken over.
   */
  settle_attempt?: number;
  settling_since?: string;
  /** The write's result as the tool answered it (redacted), once sent. */
  outcome?: CallToolResult;
  /** Why the outcome is what it is, when the result alone does not say (not sent, recovered after an interruption). */
  note?: string;
}

/** How a decision went: this caller decided, someone already had, the approval is gone, expired, or was interrupted. */
export type Decision = 'decided' | 'already_decided' | 'expired' | 'unknown' | 'interrupted';

/** How long a decided approval's outcome stays readable, seconds. */
const OUTCOME_TTL_SECONDS = 24 * 3600;
/**
 * How often a record the store refused is offered to it again (and a doubted claim looked at): only while there is one,
 * and never two rounds at once, so a store that is still down is asked at most once per its own timeout.
 */
const RESTORE_INTERVAL_MS = 500;

const RECORD = 'approval:';
/** The key whose removal decides an approval: the store's delete answers true to exactly one caller. */
const CLAIM = 'approval-claim:';
/** The keys whose removal lets one replica settle a `sending` approval whose process stopped: one per try. */
const SETTLE = 'approval-settle:';

/** The key of the `attempt`-th try at settling (the first is stored with the approve). */
function settleKey(id: string, attempt: number): string {
  return attempt === 0 ? SETTLE + id : `${SETTLE}${id}:${attempt}`;
}

/** Since when a `sending` approval has waited for its outcome: its send began, or the last settler began reading back. */
function waitingSince(approval: Approval): number {
  return Date.parse(approval.settling_since ?? approval.sending_since ?? approval.decided_at ?? approval.created_at);
}

/** A decision this process began whose claim the store may or may not have removed (the store failed on it). */
interface Doubt {
  /** The person's decision, when it was this process's own that failed; none for a claim found missing. */
  decision?: { approve: boolean; by: string };
  /** When this process first saw the approval pending without its claim. */
  orphanSince?: number;
}

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
  /** Approvals whose claim a store failure may have removed without a decision being recorded, checked until the store says. */
  private readonly doubts = new Map<string, Doubt>();
  private recheck?: NodeJS.Timeout;
  private restoringNow?: Promise<boolean>;

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

  /**
   * `sending` approvals of this deployment that have waited for their outcome since before `before` (ms): their send,
   * or the last try at settling them, began then. Not the ones in flight here.
   */
  async stalled(before: number): Promise<Approval[]> {
    return (await this.all()).filter((a) => a.state === 'sending' && waitingSince(a) < before && !this.inFlight.has(a.id) && this.mismatch(a) === undefined);
  }

  /**
   * When the next `sending` approval of this deployment not in flight here will have waited `boundMs` (ms since the
   * epoch), for one that has not yet; undefined when none waits.
   */
  async nextStall(boundMs: number): Promise<number | undefined> {
    const now = Date.now();
    const times = (await this.all())
      .filter((a) => a.state === 'sending' && !this.inFlight.has(a.id) && this.mismatch(a) === undefined)
      .map((a) => waitingSince(a) + boundMs)
      .filter((at) => at > now);
    return times.length ? Math.min(...times) : undefined;
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
    let claimed: boolean;
    try {
      claimed = await this.store.delete(CLAIM + id);
    } catch (error) {
      // The claim may be gone (Redis applied the removal, its answer was lost) with nothing recorded: checked once the store answers.
      if (error instanceof StoreUnavailable) this.doubt(id, { decision: { approve, by } });
      throw error;
    }
    if (!claimed) {
      const now = (await this.get(id)) ?? approval;
      if (now.state !== 'pending') return { decision: 'already_decided', approval: now };
      // Pending without its claim: a decision began and the store failed before it was recorded; nothing was sent. It can
      // never be decided, so it is settled `not_sent` once no decider can still be recording it (see resolveDoubt).
      this.doubt(id, {});
      return { decision: 'interrupted', approval: now };
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

  /**
   * Wins a try at settling a `sending` approval that has waited since before `before` (ms): exactly one replica wins each
   * try, and gets the record as it stands then, marked with the try, which is stored before anything is read back. The
   * next try's key is stored before this one is taken: a settler that stops before it records the outcome leaves the
   * next replica a try to win once `before` passes it. A try that was won but never marked (the store failed right
   * after) is passed over once the approval has waited since before `abandonedBefore`.
   */
  async claimSettle(id: string, before: number, abandonedBefore: number): Promise<Approval | undefined> {
    if (this.unsaved.has(id)) return undefined; // its outcome is known here, waiting for the store
    const approval = (await this.store.get(RECORD + id)) as Approval | undefined;
    if (approval?.state !== 'sending' || waitingSince(approval) >= before || this.mismatch(approval) !== undefined) return undefined;
    const first = approval.settle_attempt ?? 0;
    const tries = waitingSince(approval) < abandonedBefore ? [first, first + 1] : [first];
    for (const attempt of tries) {
      await this.store.set(settleKey(id, attempt + 1), true, OUTCOME_TTL_SECONDS * 1000);
      if (!(await this.store.delete(settleKey(id, attempt)))) continue;
      const settling: Approval = { ...approval, settle_attempt: attempt + 1, settling_since: new Date().toISOString() };
      await this.save(settling);
      return settling;
    }
    return undefined;
  }

  /**
   * Stores the outcome a settler read back, unless the approval moved on meanwhile (its own process recorded the
   * outcome after all, or a later try took over a settler that seemed stopped): then undefined.
   */
  async settle(settling: Approval, state: ApprovalState, outcome: CallToolResult, note: string): Promise<Approval | undefined> {
    const now = (await this.store.get(RECORD + settling.id)) as Approval | undefined;
    if (now?.state !== 'sending' || now.settle_attempt !== settling.settle_attempt) return undefined;
    return this.finish(settling, state, outcome, note);
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

  /** Remembers a claim the store may have removed, and checks it with the unsaved records until the store says. */
  private doubt(id: string, doubt: Doubt): void {
    const known = this.doubts.get(id);
    this.doubts.set(id, { ...doubt, decision: doubt.decision ?? known?.decision, orphanSince: known?.orphanSince });
    this.restoring ??= setInterval(() => void this.restore(), RESTORE_INTERVAL_MS).unref();
  }

  /**
   * Pending approvals of this deployment whose claim is gone (a decider stopped, or its store failed, between removing
   * the claim and recording the decision): they can never be decided, so they are settled like the ones this process
   * doubts. For the periodic scan.
   */
  async watchOrphans(): Promise<void> {
    for (const approval of await this.pending()) {
      if (this.doubts.has(approval.id)) continue;
      if ((await this.store.get(CLAIM + approval.id)) === undefined) this.doubt(approval.id, {});
    }
  }

  /**
   * How long an approval must be seen pending without its claim before it is settled: a decider that removed the claim
   * has its answer within one store timeout and its decision stored within another; past both, none is still recording.
   */
  private get orphanGraceMs(): number {
    return 2 * this.store.timeoutMs + 500;
  }

  /**
   * Settles a doubted claim, reading the store: when the claim is still there, nothing was decided (the approval can be
   * decided again; a rejection this process was asked for is made now). When it is gone and the approval stays pending
   * past the grace, no decision was recorded and none can be: a rejection is recorded as made, anything else `not_sent`.
   * True when the doubt is resolved.
   */
  private async resolveDoubt(id: string, doubt: Doubt): Promise<boolean> {
    if (this.unsaved.has(id)) return true; // decided here; the unsaved record is its truth
    const approval = (await this.store.get(RECORD + id)) as Approval | undefined;
    if (approval?.state !== 'pending' || isExpired(approval)) return true;
    if ((await this.store.get(CLAIM + id)) !== undefined) {
      if (!doubt.decision || doubt.decision.approve) return true;
      // A rejection the store failed to take is made now; found without its claim meanwhile, it stays in doubt.
      return (await this.decide(id, false, doubt.decision.by)).decision !== 'interrupted';
    }
    const now = Date.now();
    if (doubt.orphanSince === undefined) {
      doubt.orphanSince = now;
      clearTimeout(this.recheck);
      this.recheck = setTimeout(() => void this.restore(), this.orphanGraceMs + 50).unref();
      return false;
    }
    if (now - doubt.orphanSince < this.orphanGraceMs) return false;
    const at = new Date(now).toISOString();
    const { decision } = doubt;
    const settled: Approval = !decision
      ? { ...approval, state: 'not_sent', note: 'A decision on it was interrupted by a store failure before it was recorded, so it cannot be decided; nothing was sent.' }
      : decision.approve
        ? { ...approval, state: 'not_sent', decided_by: decision.by, decided_at: at, note: 'The store failed while the approve was being recorded, so the write was not sent.' }
        : { ...approval, state: 'rejected', decided_by: decision.by, decided_at: at };
    await this.save(settled);
    return true;
  }

  /** Offers every unsaved record to the store again, then settles the doubted claims; true when no record is left unsaved. */
  restore(): Promise<boolean> {
    // One round at a time: the interval, the grace's recheck and close may ask together.
    this.restoringNow ??= this.restoreRound().finally(() => {
      this.restoringNow = undefined;
    });
    return this.restoringNow;
  }

  private async restoreRound(): Promise<boolean> {
    try {
      for (const [id, approval] of this.unsaved) {
        await this.save(approval);
        this.unsaved.delete(id);
      }
      for (const [id, doubt] of this.doubts) {
        if (await this.resolveDoubt(id, doubt)) this.doubts.delete(id);
      }
    } catch (error) {
      if (!(error instanceof StoreUnavailable)) throw error;
      // still down: the next round tries again
    }
    if (this.unsaved.size === 0 && this.doubts.size === 0 && this.restoring) {
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
    clearTimeout(this.recheck);
    this.restoring = undefined;
  }
}
