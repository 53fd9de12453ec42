// What a tool call is given and what it answers, apart from the machinery that runs it (runner.ts): the server's listing side uses these without loading the guard or the clients.
import type { CallToolResult } from '@modelcontextprotocol/server';
import type { ApprovalGrant, Caller, DialogRound, HeldApproval, OpenUrl, Question } from '../guard/types.js';
import type { ToolDef } from '../tools/registry.js';

export interface CallContext {
  signal?: AbortSignal;
  /** Sends an MCP progress notification when the client asked for them (request `_meta.progressToken`). */
  progress?: (progress: number, total: number | undefined, message: string) => Promise<void>;
  /** Present when the client supports form elicitation: held writes are asked in a dialog (see GuardInput). */
  dialog?: DialogRound;
  /** Set only by the approval page, in process, for the write a person just approved (see GuardInput). */
  grant?: ApprovalGrant;
  /** The client can open a link for its user (URL-mode elicitation); see GuardInput. */
  openUrl?: OpenUrl;
  /** The approval a 2026-07-28 retry reads (the request state of the URL round that opened its page). */
  approvalId?: string;
  /** The meta-tool the call came through (discover mode's call_tool); answers then say how to repeat it there. */
  via?: string;
  /** Who sent the call (see GuardInput). */
  caller?: Caller;
}

/**
 * What a call answers: a tool result, a question for the person that the call's next round answers, or a held write's
 * result with the approval it created (the server may open the approval's page for the client's user).
 */
export type ToolAnswer = CallToolResult | { ask: Question } | HeldAnswer;

/** A held write's answer: the result the model reads, and the approval waiting for a person. */
export interface HeldAnswer {
  result: CallToolResult;
  held: HeldApproval;
}

export function isQuestion(answer: ToolAnswer): answer is { ask: Question } {
  return 'ask' in answer && answer.ask !== undefined;
}

export function isHeld(answer: ToolAnswer): answer is HeldAnswer {
  return 'held' in answer && answer.held !== undefined;
}

/** What runs a tool call: the ToolRunner, or the server's stand-in that loads it on the first call. */
export interface RunsTools {
  run(tool: ToolDef, args: unknown, ctx?: CallContext): Promise<ToolAnswer>;
}
