// Approvals of held writes by a person, kept in the shared store: created by the guard, decided once on a page, read back by the model.
import { randomBytes } from 'node:crypto';
import type { CallToolResult } from '@modelcontextprotocol/server';
import { type Store, inStore } from '../store.js';
import type { Change } from './changes.js';

/** What a person sees to decide, computed by the guard when the write was held. */
export interface ApprovalSummary {
  /** `ad_groups_update on ad account 549755885175 (USD)`. */
  heading: string;
  /** `changes spend`, `is destructive`. */
  verb: string;
  headline: string;
  lines: string[];
  notes: string[];
  changes: Change[];
  request: { method: string; path: string; query: Record<string, string | string[]>; body: unknown };
}

/**
 * `pending` until a person decides; `sending` from the approve until the write's answer is stored (`done`); a
 * `sending` that never ends means the replica stopped mid-send, so the write's outcome is unknown.
 */
export type ApprovalState = 'pending' | 'rejected' | 'sending' | 'done';

export interface Approval {
  id: string;
  tool: string;
  /** The validated arguments (money in natural amounts): the approve runs the tool again with exactly these. */
  args: Record<string, unknown>;
  /** Hash of the exact request; the approve sends only if the arguments still build this request. */
  hash: string;
  account?: string;
  currency?: string;
  created_at: string;
  expires_at: string;
  summary: ApprovalSummary;
  state: ApprovalState;
  /** `page:<approver id>`. */
  decided_by?: string;
  decided_at?: string;
  /** The write's result as the tool answered it (redacted), once sent. */
  outcome?: CallToolResult;
}

/** How a decision went: this caller decided, someone already had, or the approval is gone or expired. */
export type Decision = 'decided' | 'already_decided' | 'expired' | 'unknown';

/** How long a decided approval's outcome stays readable, seconds. */
const OUTCOME_TTL_SECONDS = 24 * 3600;

const RECORD = 'approval:';
/** The key whose removal decides an approval: the store's delete answers true to exactly one caller. */
const CLAIM = 'approval-claim:';

export function isExpired(approval: Approval, now = Date.now()): boolean {
  return approval.state === 'pending' && Date.parse(approval.expires_at) <= now;
}

export class Approvals {
  constructor(
    private readonly store: Store,
    /** How long a person has to decide, seconds. */
    readonly ttlSeconds: number,
    /** The store's address without its password, for the message when it fails. */
    private readonly storeLabel: string,
  ) {}

  private use<T>(operation: () => Promise<T>): Promise<T> {
    return inStore(this.storeLabel, operation);
  }

  async create(fields: Pick<Approval, 'tool' | 'args' | 'hash' | 'account' | 'currency' | 'summary'>): Promise<Approval> {
    const now = Date.now();
    const approval: Approval = {
      id: `apr_${randomBytes(18).toString('base64url')}`,
      ...fields,
      created_at: new Date(now).toISOString(),
      expires_at: new Date(now + this.ttlSeconds * 1000).toISOString(),
      state: 'pending',
    };
    await this.use(async () => {
      await this.store.set(RECORD + approval.id, approval, (this.ttlSeconds + OUTCOME_TTL_SECONDS) * 1000);
      await this.store.set(CLAIM + approval.id, true, this.ttlSeconds * 1000);
    });
    return approval;
  }

  async get(id: string): Promise<Approval | undefined> {
    if (!/^apr_[\w-]{24}$/.test(id)) return undefined;
    return (await this.use(() => this.store.get(RECORD + id))) as Approval | undefined;
  }

  /** Approvals waiting for a decision, oldest first (read from the shared store: every replica lists the same). */
  async pending(): Promise<Approval[]> {
    const found: Approval[] = [];
    await this.use(async () => {
      for await (const [key, value] of this.store.iterator!(this.store.namespace as never)) {
        const approval = value as Approval | undefined;
        if (String(key).startsWith(RECORD) && approval?.state === 'pending' && !isExpired(approval)) found.push(approval);
      }
    });
    return found.sort((a, b) => a.created_at.localeCompare(b.created_at));
  }

  /**
   * Decides a pending approval: exactly one caller across every replica gets 'decided' (it removed the claim), and
   * only that caller may send the write. The record then says `sending` (approve) or `rejected`.
   */
  async decide(id: string, approve: boolean, by: string): Promise<{ decision: Decision; approval?: Approval }> {
    const approval = await this.get(id);
    if (!approval) return { decision: 'unknown' };
    if (approval.state !== 'pending') return { decision: 'already_decided', approval };
    if (isExpired(approval)) return { decision: 'expired', approval };
    if (!(await this.use(() => this.store.delete(CLAIM + id)))) return { decision: 'already_decided', approval: (await this.get(id)) ?? approval };
    const decided: Approval = { ...approval, state: approve ? 'sending' : 'rejected', decided_by: by, decided_at: new Date().toISOString() };
    await this.save(decided);
    return { decision: 'decided', approval: decided };
  }

  /** Stores the approved write's result. */
  async finish(approval: Approval, outcome: CallToolResult): Promise<Approval> {
    const done: Approval = { ...approval, state: 'done', outcome };
    await this.save(done);
    return done;
  }

  private async save(approval: Approval): Promise<void> {
    await this.use(() => this.store.set(RECORD + approval.id, approval, OUTCOME_TTL_SECONDS * 1000));
  }
}
