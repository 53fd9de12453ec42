// The guard's seam: every validated call passes through `Guard.review` before the client may send anything.
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { ApiError } from '../client/errors.js';
import type { ApiResponse } from '../client/http.js';
import type { ApiRequest } from '../client/request.js';
import type { ToolDef } from '../tools/registry.js';

export interface GuardInput {
  tool: ToolDef;
  /** Validated API arguments (parameters and `body`), money still in natural amounts. */
  args: Record<string, unknown>;
  dryRun: boolean;
  confirmationToken?: string;
  signal?: AbortSignal;
  /**
   * Asks the person directly (form elicitation): 'accepted' only on an explicit accept with confirm ticked; throws
   * when the dialog fails, times out or answers malformed. Absent when the client cannot ask.
   */
  askUser?: (message: string) => Promise<'accepted' | 'declined'>;
}

export type GuardDecision =
  /**
   * Send this request; `after` (optional) reports on the outcome (per-item results, read-back checks); `shape`
   * (optional) changes the answer's body before the caller sees it (accounts outside `--ad-accounts` removed);
   * `failed` (optional) records a failed send.
   */
  | {
      action: 'send';
      request: ApiRequest;
      after?: (response: ApiResponse) => Promise<string[]>;
      shape?: (body: unknown) => unknown;
      /** Called when sending failed (the client's ApiError): records what happened to the write (audit). */
      failed?: (error: ApiError) => Promise<void>;
    }
  /** Answer without sending (preview, refusal). */
  | { action: 'respond'; result: CallToolResult };

/** Why a call is refused before anything is sent: the argument (`body[0].budget`) and what is wrong with it. */
export interface Problem {
  path: string;
  message: string;
}

export interface Guard {
  review(input: GuardInput): Promise<GuardDecision>;
}
