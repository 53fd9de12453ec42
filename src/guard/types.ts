// The guard's seam: every validated call passes through `Guard.review` before the client may send anything.
import type { CallToolResult } from '@modelcontextprotocol/server';
import type { ApiError } from '../http/errors.js';
import type { ApiResponse } from '../http/client.js';
import type { ApiRequest } from '../http/request.js';
import type { ToolDef } from '../tools/registry.js';
import type { Approval } from './approvals.js';

export interface GuardInput {
  tool: ToolDef;
  /** Validated API arguments (parameters and `body`), money still in natural amounts. */
  args: Record<string, unknown>;
  /** The same arguments as the client sent them (plain JSON): what an approval keeps, to run the call again. */
  sentArgs: Record<string, unknown>;
  dryRun: boolean;
  /** The model-held token flow (`--approval model`): repeats a previewed request once. */
  confirmationToken?: string;
  /** Reads the outcome of an approval the person decides on the approval page; it never sends anything itself. */
  approvalId?: string;
  /**
   * The approval page's own call for the write a person just approved: set in process only, never from arguments,
   * so nothing a model sends can carry one.
   */
  grant?: ApprovalGrant;
  /**
   * Present when the client can open a link for its user (URL-mode elicitation): asks it to open the approval page's
   * sign-in link. The link goes to the client's dialog only, never into a result.
   */
  openUrl?: OpenUrl;
  /** The meta-tool that carried the call (discover mode's `call_tool`): the texts say to repeat the call through it. */
  via?: string;
  /** Who sent the call (client, session, address): approvals and audit lines name them. Absent for the page's own call. */
  caller?: Caller;
  signal?: AbortSignal;
  /**
   * Present when the client can show the person a form (MCP form elicitation): a held write is then asked in a dialog
   * instead of answered with a token, and the person's answer is final.
   */
  dialog?: DialogRound;
}

/** Asks the client to open `url` for its user, saying `message`. */
export type OpenUrl = (url: string, message: string) => void;

/** Who sent a tool call, as far as the transport knows: what approvals, the page and the audit say about who asked. */
export interface Caller {
  /** The transport's name (`stdio`, `http`). */
  transport: string;
  /** How the client is connected, in words for a person (`over stdio on this computer`, `over HTTP from 10.0.0.7`). */
  where?: string;
  /** The client's name and version as it declared them (initialize, or the 2026-07-28 request envelope). */
  client?: string;
  /** The 2025-era session (stateful HTTP), when there is one. */
  session?: string;
  /** The client's network address (HTTP), or `stdio`. */
  address?: string;
  /**
   * The signed-in person the request acts for (`--auth oauth`: their Pinterest user id), whose credential an approved
   * write is sent with; absent in the single-credential modes.
   */
  person?: string;
}

/** The key a client's pending approvals are counted under: its address (HTTP) or its connection (stdio). */
export function callerKey(caller: Caller | undefined): string {
  return `${caller?.transport ?? 'stdio'}:${caller?.address ?? 'local'}`;
}

/** What became of an approved write: sent (the API applied it), failed (refused: not applied), unknown, or not sent at all. */
export type GrantOutcome = 'sent' | 'failed' | 'unknown' | 'not_sent';

/** A person's approve of one approval, which the page's call carries to the guard. */
export interface ApprovalGrant {
  approvalId: string;
  /** The request the person saw; the guard sends only if the arguments still build exactly this one. */
  hash: string;
  /** Who approved, for the audit. */
  by: ApprovedBy;
  /** Set by the guard: whether the write left, and how it ended (`not_sent` until it is sent). */
  outcome?: GrantOutcome;
}

/** Where a person approves held writes: the transport's approval page. The guard hands it each approval it creates. */
export interface ApprovalDesk {
  /** The page of one approval, with no secret in it: where a person who closed the tab finds it again. */
  address(approval: Approval): Promise<string>;
  /** The page that lists every pending approval. */
  listAddress(): Promise<string>;
  /**
   * Makes a new approval reachable by a person (opens the browser, posts the webhook; where no browser opens and the
   * client's own dialog counts, the sign-in link goes to `openUrl`), and says in one sentence what actually happened,
   * for the model (never a sign-in link: those are for the person). Logs its failures, never throws.
   */
  announce(approval: Approval, openUrl?: OpenUrl): Promise<string>;
  /**
   * When a pending approval is polled: brings it back to the person if they lost it (stdio: a fresh sign-in link once
   * they came back to the page signed out). One sentence for the model, or undefined when nothing was done.
   */
  remind?(approval: Approval): Promise<string | undefined>;
}

/**
 * Who let a held write through, as the audit names it: the channel, and the approver on it (the page's signed-in
 * user, the client's name and version for a dialog, `model` for the token).
 */
export interface ApprovedBy {
  channel: 'page' | 'dialog' | 'token';
  approver: string;
}

/**
 * One round of the confirmation dialog. The first round (no `id`) asks; the retried round carries the dialog's id
 * back (the request state the client echoes) with the person's answer.
 */
export interface DialogRound {
  id?: string;
  /**
   * 'accepted' only on an accept with `confirm: true`; 'unanswered' when the answer is missing or malformed; 'failed'
   * when the dialog could not be shown or timed out (`failure` says why).
   */
  answer: DialogAnswer;
  failure?: string;
}

export type DialogAnswer = 'accepted' | 'declined' | 'unanswered' | 'failed';

/** Turns a read's answer into what the caller sees (see GuardDecision's `present`). */
export type Present = (content: Record<string, unknown>) => Promise<{ content: Record<string, unknown>; notes: string[] }>;

export type GuardDecision =
  /**
   * Send this request; `after` (optional, writes) reports on the outcome (per-item results, read-back checks); `shape`
   * (optional) changes the answer's body before the caller sees it (accounts outside `--ad-accounts` removed);
   * `failed` (optional) records a failed send.
   */
  | {
      action: 'send';
      request: ApiRequest;
      after?: (response: ApiResponse) => Promise<string[]>;
      shape?: (body: unknown) => unknown;
      /**
       * Reads: the answer as the caller will see it, once pages are collected and `fields` applied (so notes speak
       * only of what is shown): analytics rows gain natural-unit amounts, other amounts are restated in notes.
       */
      present?: Present;
      /** Called when sending failed (the client's ApiError): records what happened to the write (audit). */
      failed?: (error: ApiError) => Promise<void>;
      /**
       * Called just before the request leaves, after every check passed (writes): the audit's `sending` line. When it
       * throws, nothing is sent.
       */
      beforeSend?: () => Promise<void>;
    }
  /**
   * Answer without sending (preview, refusal, poll). `held` is set when the answer created an approval that waits for a
   * person (`approval_required`): the server may then open its page for the client's user.
   */
  | { action: 'respond'; result: CallToolResult; held?: HeldApproval }
  /** Ask the person in a dialog (`message`), then come back with the answer and `state` (see DialogRound). */
  | { action: 'ask'; question: Question };

/** An approval a held write just created, waiting for a person on the approval page. */
export interface HeldApproval {
  approvalId: string;
  /** When it expires unless decided (ISO 8601). */
  expiresAt: string;
}

/** A dialog for the person, answered on the call's next round. */
export interface Question {
  message: string;
  /** Names the dialog on the next round; random and single-use (it is looked up, not trusted). */
  state: string;
}

/** Why a call is refused before anything is sent: the argument (`body[0].budget`) and what is wrong with it. */
export interface Problem {
  path: string;
  message: string;
}

export interface Guard {
  review(input: GuardInput): Promise<GuardDecision>;
}
