// The guard's texts: what the model and the person read when a call is refused, previewed, held, asked or polled.
import type { CallToolResult } from '@modelcontextprotocol/server';
import { errorResult, problemLines } from '../core/results.js';
import { displayJson, oneLine } from '../core/display.js';
import type { Approval, ApprovalSummary } from './approvals.js';
import type { Change } from './changes.js';
import type { ConsumeOutcome } from './tokens.js';
import type { DialogRound, GuardInput, Problem } from './types.js';

/** Reasons that change spend (everything but access, data and destructive). */
const SPEND_REASONS = new Set<Change['reason']>(['money', 'status', 'activation', 'schedule', 'setting', 'parent', 'unclassified', 'spend']);

/** The first line of a refusal, above its problems. */
export const REFUSED = {
  /** Out of scope, or over a cap. */
  checks: (tool: string) => `Refused ${tool}; nothing was sent.`,
  invalid: (tool: string) => `Invalid arguments for ${tool}; nothing was sent.`,
  /** The page's grant no longer matches what the arguments build. */
  notApproved: (tool: string) => `Not sent: ${tool} no longer builds the request that was approved (an amount's currency changed?).`,
  tokensOff: (tool: string) => `Refused ${tool}: confirmation tokens are not accepted here, because a person approves held writes; nothing was sent.`,
};

/** A refusal: its first line, then one line per problem (`- body[0].budget: ...`). */
export function refusal(intro: string, problems: readonly Problem[]): CallToolResult {
  return errorResult([intro, ...problemLines(problems.map((p) => `${p.path}: ${p.message}`))].join('\n'));
}

/**
 * How the caller repeats this call: the tool itself, or (discover mode) call_tool with the tool's name, where the
 * extra argument (a confirmation_token, an approval_id) goes inside `arguments` like every other one.
 */
export function callAgain(input: Pick<GuardInput, 'tool' | 'via'>, plus?: string, instead?: string): string {
  const { tool, via } = input;
  const extra = plus ? ` plus ${plus}` : instead ? ` ${instead}` : '';
  if (via) return `call ${via} again with name "${tool.name}" and the same arguments${extra}${plus ? ' (inside "arguments")' : ''}`;
  return `call ${tool.name} again with the same arguments${extra}`;
}

/** The plain lines of a summary for a person, under a heading (none for summaries made before they existed). */
export function inWords(summary: ApprovalSummary): string[] {
  return summary.plain?.length ? ['In words:', ...summary.plain.map((line) => `- ${line}`)] : [];
}

// What a summary says (see summarize in prepare.ts).

/** `pins_create on ad account 549755885175 (USD)`: the tool, the account it names and the currency. */
export function summaryHeading(tool: string, args: Record<string, unknown>, currency: string | undefined, assumed?: string): string {
  const account = typeof args.ad_account_id === 'string' ? ` on ad account ${oneLine(args.ad_account_id, 40)}` : '';
  return `${tool}${account}${currency ? ` (${currency}${assumed ? `, assumed: ${assumed}` : ''})` : ''}`;
}

/** What the held write does, as a verb phrase after its heading. */
export function heldVerb(changes: readonly Change[]): string {
  return changes.some((c) => SPEND_REASONS.has(c.reason))
    ? 'changes spend'
    : changes.some((c) => c.reason === 'access')
      ? 'changes who has access'
      : changes.some((c) => c.reason === 'data')
        ? 'sends personal data or changes what bidding learns from'
        : changes.length
          ? 'is destructive'
          : 'is a write, and every write is confirmed here (--confirm-writes all)';
}

/** A write held only because every write is (`--confirm-writes all`): its line, headline and plain line. */
export const ORDINARY_WRITE = {
  line: (tool: string) => `- ${tool}: an ordinary write (no money or delivery status changes)`,
  headline: 'Held: 1 ordinary write.',
  plain: (title: string) => `${oneLine(title, 80)}: an ordinary write (no money or delivery status changes)`,
};

/** A change's note when the entity it updates is not found. */
export const notFoundNote = (kind: string, id: unknown) => `no ${kind} ${id} found in this ad account: the API will likely reject this item`;

/** A parent change's note when the current parent could not be read. */
export const PARENT_UNREAD_NOTE = 'the current parent could not be read, so this may move it';

const requestLine = (summary: ApprovalSummary) => `Request: ${displayJson(summary.request)}`;

// Previews (dry run, and the model-held token).

export function dryRun(summary: ApprovalSummary): CallToolResult {
  const { heading, headline, lines, notes, changes, request } = summary;
  const text = [`Dry run of ${heading}: nothing was sent.`, ...(changes.length ? [headline] : []), ...lines, ...notes, requestLine(summary)].join('\n');
  return { content: [{ type: 'text', text }], structuredContent: { status: 'dry_run', request, changes } };
}

export function confirmationRequired(input: Pick<GuardInput, 'tool' | 'via'>, summary: ApprovalSummary, token: string, expiresAt: string): CallToolResult {
  const { heading, verb, headline, lines, notes, changes, request } = summary;
  const text = [
    `Confirmation required: ${heading} ${verb}. Nothing has been sent.`,
    headline,
    ...lines,
    ...notes,
    requestLine(summary),
    `Show this to the user. To execute exactly this request once, ${callAgain(input, `confirmation_token "${token}"`)} (expires ${expiresAt}).`,
  ].join('\n');
  return {
    content: [{ type: 'text', text }],
    structuredContent: { status: 'confirmation_required', confirmation_token: token, expires_at: expiresAt, request, changes },
  };
}

/** A token that did not confirm: why, above a fresh preview with its own token (or why no new token was issued). */
export function tokenRefused(outcome: Exclude<ConsumeOutcome, 'ok'>, fresh: CallToolResult): CallToolResult {
  const previewed = (fresh.structuredContent as { status?: string } | undefined)?.status === 'confirmation_required';
  const next = previewed ? ' Review the new preview below; confirm it with its own token.' : '';
  const why =
    outcome === 'mismatch'
      ? `Refused: this confirmation_token was issued for a different request (the arguments changed). Nothing was sent.${next}`
      : `Refused: this confirmation_token is unknown, already used or expired. Nothing was sent.${next}`;
  return { ...fresh, isError: true, content: [{ type: 'text', text: why }, ...fresh.content] };
}

// Held for a person.

export function approvalUnavailable(tool: string, verb: string, unavailable: string): CallToolResult {
  const text = `Not sent: ${tool} ${verb}, and a person must approve it, but no one can here: ${unavailable} Tell the user.`;
  return { isError: true, content: [{ type: 'text', text }], structuredContent: { status: 'approval_unavailable' } };
}

/** A bound that refused a held write: what it counts, of whom, how many there are, its limit and the setting that sets it. */
export interface FullBound {
  counts: 'approvals' | 'tokens' | 'dialogs';
  bound: 'client' | 'all';
  count: number;
  limit: number;
  setting: string;
}

/** What each bound counts, and what frees a place (after which the call is made again). */
const PENDING_WORDS = {
  approvals: {
    created: 'no approval was created',
    client: 'approvals from this client are already waiting for a person',
    all: 'approvals of all clients wait for a person or are being sent',
    free: (ttl: number, page?: string) => `Ask the user to decide them on the approval page (${page}), or wait until they expire (each lasts ${ttl} s)`,
  },
  tokens: {
    created: 'no confirmation token was issued',
    client: 'confirmation tokens issued to this client are still unused',
    all: 'confirmation tokens of all clients are still unused',
    free: (ttl: number) => `Confirm the ones the user wants (call again with their confirmation_token), or wait until they expire (each lasts ${ttl} s)`,
  },
  dialogs: {
    created: 'no dialog was opened',
    client: 'confirmation dialogs for this client are still unanswered',
    all: 'confirmation dialogs of all clients are still unanswered',
    free: (ttl: number) => `Ask the user to answer the open ones, or wait until they expire (each lasts ${ttl} s)`,
  },
} as const;

/** A held write refused at a bound: nothing was created, what is full (and its setting), and how a place is freed. */
export function tooManyPending(input: Pick<GuardInput, 'tool' | 'via'>, full: FullBound, ttlSeconds: number, page?: string): CallToolResult {
  const words = PENDING_WORDS[full.counts];
  const count = full.bound === 'client' ? `${full.count} ${words.client} (at most ${full.limit})` : `${full.count} ${words.all} (at most ${full.limit} in all)`;
  const text =
    `Not sent, and ${words.created}: ${count}. ${words.free(ttlSeconds, page)}; then ${callAgain(input)}. ` +
    `The operator sets this bound with ${full.setting}.`;
  return {
    isError: true,
    content: [{ type: 'text', text }],
    structuredContent: { status: 'too_many_pending', pending: full.count, limit: full.limit, setting: full.setting, ...(page ? { page } : {}) },
  };
}

/** The held answer: what waits for the person, what `announced` did to reach them, and how to read the outcome. */
export function approvalRequired(input: Pick<GuardInput, 'tool' | 'via'>, summary: ApprovalSummary, approval: Approval, announced: string, page: string): CallToolResult {
  const text = [
    `Approval required: ${summary.heading} ${summary.verb}. Nothing has been sent.`,
    ...inWords(summary),
    summary.headline,
    ...summary.lines,
    ...summary.notes,
    requestLine(summary),
    `${announced} Ask the user to approve or reject it on the approval page (expires ${approval.expires_at}). ` +
      `Then ${callAgain(input, `approval_id "${approval.id}"`)} to read the outcome; that call sends nothing itself.`,
  ].join('\n');
  return {
    content: [{ type: 'text', text }],
    structuredContent: {
      status: 'approval_required',
      approval_id: approval.id,
      expires_at: approval.expires_at,
      page,
      request: summary.request,
      changes: summary.changes,
    },
  };
}

// The answers to an approval_id poll: they read an approval, and never send.

function pollAnswer(id: string, status: string, text: string, isError = false, extra: Record<string, unknown> = {}): CallToolResult {
  return {
    ...(isError ? { isError } : {}),
    content: [{ type: 'text', text }],
    structuredContent: { status, approval_id: id, ...extra },
  };
}

const decided = (approval: Approval) => ({ decided_by: approval.decided_by, decided_at: approval.decided_at });

export const POLL = {
  unknown: (tool: string, id: string) =>
    pollAnswer(id, 'approval_unknown', `No approval ${oneLine(id, 40)} for ${tool} exists (unknown, or gone: a decided or expired approval is kept a day, less when the server needs room for new ones). Nothing was sent.`, true),
  elsewhere: (tool: string, id: string, elsewhere: string) =>
    pollAnswer(id, 'approval_elsewhere', `Approval ${id} cannot be read here: ${elsewhere}. Call ${tool} with it on the server that asked for it. Nothing was sent.`, true),
  mismatch: (tool: string, id: string) =>
    pollAnswer(id, 'approval_mismatch', `Approval ${id} is for different arguments of ${tool}; call with the arguments it was created for. Nothing was sent.`, true),
  expired: (input: Pick<GuardInput, 'tool' | 'via'>, approval: Approval) =>
    pollAnswer(
      approval.id,
      'approval_expired',
      `Approval ${approval.id} expired at ${approval.expires_at} without a decision; nothing was sent. To ask again, ${callAgain(input, undefined, 'without approval_id')}.`,
    ),
  pending: (input: Pick<GuardInput, 'tool' | 'via'>, approval: Approval, where: string, reminded: string | undefined) =>
    pollAnswer(
      approval.id,
      'approval_pending',
      `Approval ${approval.id} is not decided yet; nothing was sent.${reminded ? ` ${reminded}` : ''} Ask the user to approve or reject it on the approval page (${where}; expires ${approval.expires_at}), then ${callAgain(input, `approval_id "${approval.id}"`)}.`,
      false,
      { expires_at: approval.expires_at, page: where },
    ),
  rejected: (tool: string, approval: Approval) =>
    pollAnswer(approval.id, 'approval_rejected', `The person rejected ${tool} (approval ${approval.id}); nothing was sent.`, false, decided(approval)),
  sending: (input: Pick<GuardInput, 'tool' | 'via'>, approval: Approval) =>
    pollAnswer(
      approval.id,
      'approval_sending',
      `Approved by ${approval.decided_by}; the write is being sent now. In a moment, ${callAgain(input, `approval_id "${approval.id}"`)}.`,
      false,
      decided(approval),
    ),
  unrecorded: (approval: Approval) =>
    pollAnswer(
      approval.id,
      'approval_outcome_unrecorded',
      `Approved by ${approval.decided_by} and sent at most once, but its outcome was not recorded (the server or its store stopped during the send). ` +
        'Do not send it again: read the entity to see whether the change is there. The server settles this approval by reading the entity back.',
      true,
      decided(approval),
    ),
  notSent: (approval: Approval) =>
    pollAnswer(
      approval.id,
      'approval_not_sent',
      approval.decided_by
        ? `Approved by ${approval.decided_by}, but not sent: ${approval.note ?? 'a check refused it before it left'} Nothing was changed.`
        : `Approval ${approval.id} was not sent: ${approval.note ?? 'it could not be decided.'} Nothing was changed; to ask again, call without approval_id.`,
      true,
      decided(approval),
    ),
};

/** The approved write's result as it was answered on the page, headed by who approved it and how it ended. */
export function approvedOutcome(approval: Approval): CallToolResult {
  const outcome = approval.outcome ?? { content: [] };
  const ended: Record<'sent' | 'failed' | 'unknown', string> = {
    sent: 'and sent once',
    failed: 'and sent once; the API refused it, so nothing was changed',
    unknown: 'and sent once; its outcome is unknown: read the entity before acting again',
  };
  const state = approval.state as 'sent' | 'failed' | 'unknown';
  const note = approval.note ? ` ${approval.note}` : '';
  // Settled after its process stopped mid-send, without the change read back: it may never have left.
  const how = state === 'unknown' && approval.settle_attempt ? 'and sent at most once; whether the change is in place is unknown: read the entity before acting again' : ended[state];
  const head = `Approved by ${approval.decided_by} at ${approval.decided_at} ${how} (approval ${approval.id}).${note} The write's result:`;
  const structured = (outcome.structuredContent ?? {}) as Record<string, unknown>;
  return {
    ...outcome,
    content: [{ type: 'text', text: head }, ...outcome.content],
    structuredContent: {
      ...structured,
      approval: { id: approval.id, status: 'approved', outcome: approval.state, decided_by: approval.decided_by, decided_at: approval.decided_at },
    },
  };
}

// The client's confirmation dialog.

/** What the dialog asks the person. */
export function dialogQuestion(summary: ApprovalSummary): string {
  return [`${summary.heading} ${summary.verb}:`, ...inWords(summary), summary.headline, ...summary.lines, ...summary.notes, requestLine(summary)].join('\n');
}

/** Why a dialog's second round cannot send, or undefined when its answer decides (an accept sends, a decline not). */
export function notConfirmedReason(outcome: ConsumeOutcome, dialog: DialogRound): string | undefined {
  if (outcome === 'mismatch') return 'the dialog was asked for different arguments';
  if (outcome === 'unknown') return 'the dialog expired or was already answered';
  if (dialog.answer === 'failed') return `the confirmation dialog failed (${oneLine(dialog.failure ?? 'no reason given', 200)})`;
  if (dialog.answer === 'unanswered') return 'the dialog came back without a yes/no answer';
  return undefined;
}

export function notConfirmed(input: Pick<GuardInput, 'tool' | 'via'>, why: string, summary: ApprovalSummary): CallToolResult {
  const text =
    `The person did not confirm ${input.tool.name}: ${why}. Nothing was sent and no confirmation token was issued. ` +
    `To ask again, ${callAgain(input)}.`;
  return { isError: true, content: [{ type: 'text', text }], structuredContent: { status: 'not_confirmed', request: summary.request, changes: summary.changes } };
}

export function declined(tool: string, summary: ApprovalSummary): CallToolResult {
  const text = `The user did not confirm ${tool}; nothing was sent.`;
  return { content: [{ type: 'text', text }], structuredContent: { status: 'declined', request: summary.request, changes: summary.changes } };
}

// Settling an approved write whose send was interrupted (the page's outcome).

export const SETTLE = {
  invalid: (tool: string) => `The arguments of ${tool} no longer validate, so it cannot be read back: check the account.`,
  readFailed: (tool: string, message: string) => `Reading ${tool} back failed (${message}): check the account.`,
};
