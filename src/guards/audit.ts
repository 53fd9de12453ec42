// Append-only audit log: one JSON line per write sent, failed sends included (no secrets, no request bodies beyond amounts).
import { appendFile } from 'node:fs/promises';
import { redactor } from '../redact.js';

export interface AuditEntry {
  time: string;
  tool: string;
  ad_account_id?: string;
  request_hash: string;
  amounts: { field: string; natural: string; api_value: unknown; currency?: string }[];
  /** `ok`, `partial: …`, `failed: …`, `not confirmed: …`, `problems: …`, or for a failed send `not applied`, `outcome unknown`, `applied; answer not read`. */
  outcome: string;
  status?: number;
  /** For a failed send: the client's error kind (`http`, `outcome_unknown`, `too_large`, …). */
  error?: string;
  /** Who let a held write through: `dialog`, `page:<approver id>` or `model-token`; absent for writes not held. */
  approved_by?: string;
}

export class AuditLog {
  constructor(private readonly path: string | undefined) {}

  async write(entry: AuditEntry): Promise<void> {
    if (!this.path) return;
    await appendFile(this.path, `${redactor.text(JSON.stringify(entry))}\n`, 'utf8');
  }
}
