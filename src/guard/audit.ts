// Append-only audit log: a line before each write leaves and one with its outcome (no secrets, no bodies beyond amounts).
import { randomBytes } from 'node:crypto';
import { appendFile } from 'node:fs/promises';
import { redactor } from '../core/redact.js';

/**
 * One line of the audit. Each write gets a `sending` line before it leaves the process and a line with its outcome
 * after, both carrying the same `write_id`; a `sending` line without its pair means the process stopped in between
 * (the approval page reads such writes back to settle them).
 */
export interface AuditEntry {
  time: string;
  /** Pairs a write's `sending` line with its outcome line. */
  write_id: string;
  tool: string;
  ad_account_id?: string;
  request_hash: string;
  /** Each amount sent; `currency_assumed` says why its currency is only assumed (the account reported none). */
  amounts: { field: string; natural: string; api_value: unknown; currency?: string; currency_assumed?: string }[];
  /**
   * `sending` (written before the request leaves), then `ok`, `partial: …`, `failed: …`, `not confirmed: …`,
   * `problems: …`, or for a failed send `not applied`, `outcome unknown`, `applied; answer not read`; `recovered: …`
   * when an approved write whose process stopped mid-send was settled by reading it back.
   */
  outcome: string;
  status?: number;
  /** For a failed send: the client's error kind (`http`, `outcome_unknown`, `too_large`, …). */
  error?: string;
  /** For held writes: the channel that let it through (`page`, `dialog`, `token`) and who acted on it. */
  channel?: string;
  approver?: string;
  approval_id?: string;
  /** Who sent the call: the client's name and version, its session, its address (`stdio` over stdio). */
  client?: string;
  session?: string;
  client_address?: string;
  /** The signed-in person the write was sent for (`--auth oauth`: their Pinterest user id; never their token). */
  person?: string;
}

/** A fresh id pairing one write's audit lines. */
export function writeId(): string {
  return `w_${randomBytes(9).toString('base64url')}`;
}

export class AuditLog {
  constructor(private readonly path: string | undefined) {}

  get enabled(): boolean {
    return this.path !== undefined;
  }

  async write(entry: AuditEntry): Promise<void> {
    if (!this.path) return;
    await appendFile(this.path, `${redactor.text(JSON.stringify(entry))}\n`, 'utf8');
  }
}
