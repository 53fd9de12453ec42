// The guard's seam: every validated call passes through `Guard.review` before the client may send anything.
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
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
  /** Asks the person directly (form elicitation); resolves true only on an explicit accept. Absent when unsupported. */
  askUser?: (message: string) => Promise<boolean>;
}

export type GuardDecision =
  /** Send this request; `after` (optional) reports on the outcome (per-item results, read-back checks). */
  | { action: 'send'; request: ApiRequest; after?: (response: ApiResponse) => Promise<string[]> }
  /** Answer without sending (preview, refusal). */
  | { action: 'respond'; result: CallToolResult };

export interface Guard {
  review(input: GuardInput): Promise<GuardDecision>;
}
