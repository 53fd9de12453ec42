// The person's confirmation dialog over MCP in both eras: who can be asked, how a question goes out, how its answer comes back.
import {
  CLIENT_CAPABILITIES_META_KEY,
  CLIENT_INFO_META_KEY,
  type ClientCapabilities,
  type InputRequiredResult,
  type Server,
  type ServerContext,
  inputRequired,
  inputResponse,
} from '@modelcontextprotocol/server';
import type { DialogAnswer, DialogRound, Question } from '../guard/types.js';
import { redactor } from '../core/redact.js';

/** The protocol era a server speaks: `legacy` up to 2025-11-25 (initialize), `modern` from 2026-07-28 (per request). */
export type Era = 'legacy' | 'modern';

/** The form the person answers to confirm a held write. */
const CONFIRM_FORM = {
  type: 'object' as const,
  properties: { confirm: { type: 'boolean' as const, title: 'Send this request to the ads API', default: false } },
  required: ['confirm'],
};

/** The key of the form among a round's input requests, and of the person's answer on the next round. */
const CONFIRM_KEY = 'confirm';

/** Whether the client can show its user a form: `elicitation.form`, or a bare `elicitation: {}` (form, before modes). */
function canAskForm(capabilities: ClientCapabilities | undefined): boolean {
  const elicitation = capabilities?.elicitation as { form?: unknown; url?: unknown } | undefined;
  if (!elicitation) return false;
  return elicitation.form !== undefined || elicitation.url === undefined;
}

/** Whether the client can open a link for its user (`elicitation.url`). */
export function canOpenUrl(server: Server, ctx: ServerContext): boolean {
  return (clientCapabilities(server, ctx)?.elicitation as { url?: unknown } | undefined)?.url !== undefined;
}

/** The key of the approval page's link among a round's input requests. */
const APPROVAL_KEY = 'approval';

/** Modern era: the approval page's link as an input_required round; the retry (state: the approval id) reads its status. */
export function openUrlResult(url: string, message: string, approvalId: string): InputRequiredResult {
  return inputRequired({ inputRequests: { [APPROVAL_KEY]: inputRequired.elicitUrl({ message: redactor.text(message), url }) }, requestState: approvalId });
}

/** The approval a modern-era retry names in its request state, after a URL round. */
export function approvalRetry(ctx: ServerContext, era: Era): string | undefined {
  const state = era === 'modern' ? ctx.mcpReq.requestState<unknown>() : undefined;
  return typeof state === 'string' && state.startsWith('apr_') ? state : undefined;
}

/** What the client declared it can do: per request in the modern era, once at initialize in the legacy era. */
function clientCapabilities(server: Server, ctx: ServerContext): ClientCapabilities | undefined {
  const envelope = ctx.mcpReq.envelope as Record<string, unknown> | undefined;
  return (envelope?.[CLIENT_CAPABILITIES_META_KEY] as ClientCapabilities | undefined) ?? server.getClientCapabilities();
}

/**
 * The client's name and version as it declared them (per request in the modern era, at initialize in the legacy era),
 * on one line and bounded: approvals, the page and the audit name who asked (and, for a dialog, who answered).
 */
export function clientName(server: Server, ctx: ServerContext): string | undefined {
  const envelope = ctx.mcpReq.envelope as Record<string, unknown> | undefined;
  const info = (envelope?.[CLIENT_INFO_META_KEY] as { name?: unknown; version?: unknown } | undefined) ?? server.getClientVersion();
  if (!info || typeof info.name !== 'string') return undefined;
  const version = typeof info.version === 'string' ? ` ${info.version}` : '';
  return `${info.name}${version}`.replace(/[\p{Cc}\p{Cf}\s]+/gu, ' ').trim().slice(0, 100) || undefined;
}

/** The person's answer to the form: only an accept with `confirm: true` confirms. */
function answerOf(action: string, content: unknown): DialogAnswer {
  if (action !== 'accept') return 'declined';
  const confirm = (content as Record<string, unknown> | undefined)?.confirm;
  return confirm === true ? 'accepted' : confirm === false ? 'declined' : 'unanswered';
}

/**
 * This request's round of a dialog, or undefined when the client cannot show one (held writes then answer a token).
 * A modern-era retry carries the dialog's id (its request state) and the person's answer; every other request is a
 * first round.
 */
export function dialogRound(server: Server, ctx: ServerContext, era: Era): DialogRound | undefined {
  if (!canAskForm(clientCapabilities(server, ctx))) return undefined;
  const state = era === 'modern' ? ctx.mcpReq.requestState<unknown>() : undefined;
  if (typeof state !== 'string') return { answer: 'unanswered' };
  const view = inputResponse(ctx.mcpReq.inputResponses, CONFIRM_KEY);
  return { id: state, answer: view.kind === 'elicit' ? answerOf(view.action, view.content) : 'unanswered' };
}

/** Modern era: the question as an input_required result; the client asks the person and retries with the answer. */
export function questionResult(question: Question): InputRequiredResult {
  return inputRequired({
    inputRequests: { [CONFIRM_KEY]: inputRequired.elicit({ message: redactor.text(question.message), requestedSchema: CONFIRM_FORM }) },
    requestState: question.state,
  });
}

/**
 * Legacy era: asks the person now, over the live connection (elicitation/create), and returns the next round. A
 * dialog that fails or is not answered within `timeoutMs` is a round that failed (nothing is sent).
 */
export async function askNow(question: Question, ctx: ServerContext, timeoutMs: number): Promise<DialogRound> {
  try {
    const { action, content } = await ctx.mcpReq.elicitInput(
      { mode: 'form', message: redactor.text(question.message), requestedSchema: CONFIRM_FORM },
      { signal: ctx.mcpReq.signal, timeout: timeoutMs },
    );
    return { id: question.state, answer: answerOf(action, content) };
  } catch (error) {
    return { id: question.state, answer: 'failed', failure: (error as Error).message };
  }
}
