// The guard's decisions: send, refuse, preview, hold for a person (approval page, dialog, token), or read an approval.
import type { CallToolResult } from '@modelcontextprotocol/server';
import { RequestError } from '../http/request.js';
import { type ConfirmWrites, SETTINGS, settingName } from '../config/index.js';
import type { Logger } from '../core/logger.js';
import type { SharedStore } from '../core/store.js';
import { KeyedQueue } from '../core/queue.js';
import { type Approval, type ApprovalSummary, Approvals, isExpired } from './approvals.js';
import { AuditLog, writeId } from './audit.js';
import type { Caps } from '../money/cap-settings.js';
import { capProblems } from './caps.js';
import { type Change, type PreparedWrite, heldChanges } from './changes.js';
import { CONFIRMATION_TOKENS, Confirmations, Crowded, DIALOG_IDS, type TokenBounds } from './tokens.js';
import { AmountError } from './convert.js';
import { type AssumedCurrency, CurrencyResolver, type Reader } from './currency.js';
import { CurrentValues } from './current.js';
import {
  POLL,
  REFUSED,
  SETTLE,
  approvalRequired,
  approvalUnavailable,
  approvedOutcome,
  confirmationRequired,
  declined,
  dialogQuestion,
  dryRun,
  notConfirmed,
  notConfirmedReason,
  refusal,
  tokenRefused,
  tooManyPending,
  type FullBound,
} from './messages.js';
import { type SendRecord, WriteOutcome } from './outcome.js';
import { type SummaryReaders, prepareRequest, resolveParents, summarize } from './prepare.js';
import { AccountScope } from './scope.js';
import { type ToolDef, apiArguments } from '../tools/registry.js';
import { type ApprovalDesk, type ApprovedBy, type DialogRound, type Guard, type GuardDecision, type GuardInput, type Problem, callerKey } from './types.js';

export interface GuardOptions {
  store: SharedStore;
  read: Reader;
  confirmWrites: ConfirmWrites;
  /** Lifetime of confirmation tokens and dialog ids, seconds. */
  confirmTtlSeconds: number;
  /** Approvals on the approval page (their lifetime is the same). */
  approvals: Approvals;
  approval: {
    tokens: TokenFlow;
    /** The transport's approval page; none where no person can approve there (HTTP without approvers). */
    desk?: ApprovalDesk;
    /** Most approvals one client may have waiting at once (the total is the Approvals' own bound). */
    maxPending: number;
    /**
     * How long an approved write may take to send (the client's whole timeout and a margin), ms: a `sending` approval
     * older than this was interrupted, and its outcome was not recorded.
     */
    sendBoundMs: number;
    /** Why no person can approve here, for the held answer when there is neither a page nor a dialog. */
    unavailable: string;
    /**
     * Whether the client's own dialog counts as a person's approval here (the `dialog` channel). When it does not, a
     * dialog round is never asked, whatever the call carries.
     */
    dialogs: boolean;
  };
  /** Most unused confirmation tokens, and most unanswered dialogs, per client and in all; unbounded when absent. */
  confirmations?: TokenBounds;
  /** Most accounts' names and currencies this process keeps cached in the store (least recently used dropped first). */
  cachedAccounts?: number;
  caps: Caps;
  /** Ad accounts every call is limited to; empty: no limit. */
  adAccounts: readonly string[];
  /** The currency assumed where an API's account reports none yet (the API's setting), and why; none by default. */
  assumedCurrency?: AssumedCurrency;
  auditLog?: string;
  logger: Logger;
}

/**
 * Whether held writes answer a model-held confirmation token: `none` (a person approves), `model` (`--approval
 * model`), or `fallback` (auto's `--approval-fallback model` where no approval page exists; logged each time).
 */
export type TokenFlow = 'none' | 'model' | 'fallback';

function refused(intro: string, problems: readonly Problem[]): GuardDecision {
  return { action: 'respond', result: refusal(intro, problems) };
}

export class SpendGuard implements Guard {
  private readonly confirmations: Confirmations;
  private readonly dialogs: Confirmations;
  private readonly approvals: Approvals;
  private readonly currencies: CurrencyResolver;
  private readonly outcome: WriteOutcome;
  private readonly scope: AccountScope;
  private readonly readers: SummaryReaders;
  /** Each client's held calls, counted, created and announced one at a time. */
  private readonly queue = new KeyedQueue();

  constructor(private readonly options: GuardOptions) {
    this.confirmations = new Confirmations(CONFIRMATION_TOKENS, options.store, options.confirmTtlSeconds, options.confirmations);
    this.dialogs = new Confirmations(DIALOG_IDS, options.store, options.confirmTtlSeconds, options.confirmations);
    this.approvals = options.approvals;
    this.currencies = new CurrencyResolver(options.store, options.read, options.assumedCurrency, options.cachedAccounts);
    this.outcome = new WriteOutcome(options.read, this.currencies, new AuditLog(options.auditLog), options.logger);
    this.scope = new AccountScope(options.adAccounts);
    this.readers = { read: options.read, currencies: this.currencies, logger: options.logger };
  }

  /**
   * The order is the point: (1) what the call would send, refused when out of scope or invalid; (2) an approval_id
   * poll, answered from the approval alone; (3) only then the checks that guard a send (changes, caps), and the send,
   * token, dialog or hold they lead to.
   */
  async review(input: GuardInput): Promise<GuardDecision> {
    const { tool } = input;
    // Scope first: it bounds what a call may read as well as send, and a poll's answer can carry the write's result.
    const outOfScope = this.scope.problems(tool, input.args);
    if (outOfScope.length) return refused(REFUSED.checks(tool.name), outOfScope);
    let prepared: PreparedWrite;
    try {
      prepared = await prepareRequest(input, this.currencies);
    } catch (error) {
      if (error instanceof AmountError || error instanceof RequestError) {
        return refused(REFUSED.invalid(tool.name), [{ path: error.path, message: error.message }]);
      }
      throw error;
    }
    if (!tool.writes) {
      return { action: 'send', request: prepared.request, shape: (body) => this.scope.filter(tool, body), present: (content) => this.outcome.present(input, content) };
    }
    // An approval_id only ever reads an approval's outcome, held or not, so polling can never send a write twice. It is
    // answered before the send-time checks: they ran when the approval was made and run again when the page sends it,
    // while a poll may report a write the page already sent (caps lowered since must not answer "nothing was sent").
    // A dry run with an approval_id is still a dry run.
    if (input.approvalId !== undefined && !input.dryRun) {
      return { action: 'respond', result: await this.approvalStatus(input, input.approvalId, prepared.hash) };
    }
    return this.decideWrite(input, prepared);
  }

  /** A write that is not a poll: the send-time checks, then a dry run, the page's grant, a send, a token, a dialog or a hold. */
  private async decideWrite(input: GuardInput, prepared: PreparedWrite): Promise<GuardDecision> {
    const { tool } = input;
    const current = new CurrentValues(this.options.read, tool.api.id, input.args, prepared.entities);
    const changes = await resolveParents(heldChanges(tool, prepared, this.options.confirmWrites), current);
    const overCap = await capProblems({
      api: tool.api.id,
      tool: tool.name,
      caps: this.options.caps,
      amounts: prepared.amounts,
      entities: prepared.entities,
      body: prepared.request.body,
      current,
      currency: async () => (prepared.currency ? { code: prepared.currency, assumed: prepared.currencyAssumed } : await this.currencies.currencyOf(tool.api, input.args, tool.name)),
    });
    if (overCap.length) return refused(REFUSED.checks(tool.name), overCap);

    const send = (approvedBy?: ApprovedBy): GuardDecision => {
      const record: SendRecord = { writeId: writeId(), approvedBy, approvalId: input.grant?.approvalId };
      const { grant } = input;
      return {
        action: 'send',
        request: prepared.request,
        beforeSend: () => this.outcome.sending(input, prepared, record),
        after: (r) => {
          if (grant) grant.outcome = 'sent';
          return this.outcome.report(input, prepared, r, record);
        },
        failed: (error) => {
          if (grant) grant.outcome = error.applied === 'not_applied' ? 'failed' : error.applied === 'applied' ? 'sent' : 'unknown';
          return this.outcome.failed(input, prepared, error, record);
        },
      };
    };
    if (input.dryRun) return { action: 'respond', result: await this.preview(input, prepared, changes, current, false) };
    if (input.grant) {
      if (input.grant.hash === prepared.hash) return send(input.grant.by);
      return refused(REFUSED.notApproved(tool.name), []);
    }
    const held = changes.length > 0 || this.options.confirmWrites === 'all';
    if (!held) return send();

    if (input.confirmationToken !== undefined) {
      if (this.options.approval.tokens === 'none') return refused(REFUSED.tokensOff(tool.name), []);
      const outcome = await this.confirmations.consume(input.confirmationToken, prepared.hash);
      if (outcome === 'ok') return send({ channel: 'token', approver: 'model' });
      return { action: 'respond', result: tokenRefused(outcome, await this.preview(input, prepared, changes, current, true)) };
    }
    if (input.dialog && this.options.approval.dialogs) {
      const approver = input.caller?.client ?? 'a client that gave no name';
      return this.dialogRound(input, input.dialog, prepared, changes, current, send({ channel: 'dialog', approver }));
    }
    return this.hold(input, prepared, changes, current);
  }

  private summary(input: GuardInput, prepared: PreparedWrite, changes: Change[], current: CurrentValues, forPerson = false): Promise<ApprovalSummary> {
    return summarize(this.readers, input, prepared, changes, current, forPerson);
  }

  /** A held write with no dialog: an approval on the page (person), a token (model), or a refusal where no one can approve. */
  private async hold(input: GuardInput, prepared: PreparedWrite, changes: Change[], current: CurrentValues): Promise<GuardDecision> {
    const { tool } = input;
    const { desk, tokens } = this.options.approval;
    if (desk) return this.approvalRequired(input, prepared, await this.summary(input, prepared, changes, current, true), desk);
    if (tokens !== 'none') {
      if (tokens === 'fallback') {
        this.options.logger.warn({ tool: tool.name, approval: 'model-token' }, 'no person can approve here: falling back to a model-held token (--approval-fallback model)');
      }
      return { action: 'respond', result: await this.preview(input, prepared, changes, current, true) };
    }
    return { action: 'respond', result: approvalUnavailable(tool.name, (await this.summary(input, prepared, changes, current)).verb, this.options.approval.unavailable) };
  }

  /**
   * Stores an approval for the person and tells the model where it is decided and how to read the outcome; the decision
   * names the approval (`held`), so that the server can open its page for the client's user.
   */
  private async approvalRequired(input: GuardInput, prepared: PreparedWrite, summary: ApprovalSummary, desk: ApprovalDesk): Promise<GuardDecision> {
    const { tool } = input;
    const deployment = this.approvals.deploymentFor(tool.api.id);
    if (!deployment) throw new Error(`no deployment is known for the ${tool.api.id} API`);
    const key = callerKey(input.caller);
    const { maxPending } = this.options.approval;
    // One client's held calls are counted and created one at a time here, so that its concurrent calls cannot pass a
    // bound together (calls of other clients, like other replicas, may each pass the bound in all once: no call waits
    // on another client's, even when the store hangs).
    return this.queue.run(key, async () => {
      const full = await this.approvals.room(key, maxPending);
      if (full) {
        const setting = settingName(full.bound === 'client' ? SETTINGS.maxPendingApprovals : SETTINGS.maxApprovals);
        return { action: 'respond', result: this.tooManyPending(input, { counts: 'approvals', ...full, setting }, await desk.listAddress()) };
      }
      const approval = await this.approvals.create({
        tool: tool.name,
        args: input.sentArgs,
        hash: prepared.hash,
        account: typeof input.args.ad_account_id === 'string' ? input.args.ad_account_id : undefined,
        currency: prepared.currency,
        ...(prepared.currencyAssumed ? { currency_assumed: prepared.currencyAssumed } : {}),
        summary,
        deployment,
        requested_by: input.caller ?? { transport: 'stdio' },
      });
      const announced = await desk.announce(approval, input.openUrl);
      const result = approvalRequired(input, summary, approval, announced, await desk.address(approval));
      return { action: 'respond', result, held: { approvalId: approval.id, expiresAt: approval.expires_at } };
    });
  }

  /** A held write refused at a bound (see FullBound). */
  private tooManyPending(input: GuardInput, full: FullBound, page?: string): CallToolResult {
    return tooManyPending(input, full, this.options.confirmTtlSeconds, page);
  }

  /** A token or dialog refused at a bound: the bound's setting named. */
  private crowded(input: GuardInput, counts: 'tokens' | 'dialogs', crowded: Crowded): { action: 'respond'; result: CallToolResult } {
    const setting = settingName(crowded.bound === 'client' ? SETTINGS.maxPendingConfirmations : SETTINGS.maxConfirmations);
    return { action: 'respond', result: this.tooManyPending(input, { counts, bound: crowded.bound, count: crowded.count, limit: crowded.limit, setting }) };
  }

  /** What became of an approval: still pending, rejected, expired, or the sent write's own result. Sends nothing. */
  private async approvalStatus(input: GuardInput, id: string, hash: string): Promise<CallToolResult> {
    const { tool } = input;
    const approval = await this.approvals.get(id);
    if (!approval || approval.tool !== tool.name) return POLL.unknown(tool.name, id);
    // Another deployment's approval: its page here refuses it, and its outcome is another API's (sandbox or production).
    const elsewhere = this.approvals.mismatch(approval);
    if (elsewhere) return POLL.elsewhere(tool.name, id, elsewhere);
    if (approval.hash !== hash) return POLL.mismatch(tool.name, id);
    if (isExpired(approval)) return POLL.expired(input, approval);
    switch (approval.state) {
      case 'pending': {
        const where = (await this.options.approval.desk?.address(approval)) ?? 'the approval page';
        const reminded = await this.options.approval.desk?.remind?.(approval);
        return POLL.pending(input, approval, where, reminded);
      }
      case 'rejected':
        return POLL.rejected(tool.name, approval);
      case 'sending': {
        const since = Date.parse(approval.sending_since ?? approval.decided_at ?? approval.created_at);
        return Date.now() - since <= this.options.approval.sendBoundMs ? POLL.sending(input, approval) : POLL.unrecorded(approval);
      }
      case 'not_sent':
        return POLL.notSent(approval);
      case 'sent':
      case 'failed':
      case 'unknown':
        return approvedOutcome(approval);
    }
  }

  /**
   * Asks the person directly (MCP form elicitation) instead of issuing a token. The first round asks, under a
   * single-use dialog id bound to this exact request; the next round sends only on an explicit accept with
   * `confirm: true` for that id. Anything else (a decline, no answer, an expired, reused or foreign id, changed
   * arguments) sends nothing, and no token is issued either: the person's dialog is final.
   */
  private async dialogRound(
    input: GuardInput,
    dialog: DialogRound,
    prepared: PreparedWrite,
    changes: Change[],
    current: CurrentValues,
    send: GuardDecision,
  ): Promise<GuardDecision> {
    const { tool } = input;
    if (dialog.id === undefined) {
      const summary = await this.summary(input, prepared, changes, current, true);
      let token: string;
      try {
        ({ token } = await this.dialogs.issue(tool.name, prepared.hash, callerKey(input.caller)));
      } catch (error) {
        if (error instanceof Crowded) return this.crowded(input, 'dialogs', error);
        throw error;
      }
      return { action: 'ask', question: { message: dialogQuestion(summary), state: token } };
    }
    const outcome = await this.dialogs.consume(dialog.id, prepared.hash);
    const why = notConfirmedReason(outcome, dialog);
    if (!why && dialog.answer === 'accepted') return send;
    // Not sent: the answer shows the request and its changes (read again, as they are now).
    const summary = await this.summary(input, prepared, changes, current);
    if (why) {
      this.options.logger.warn({ tool: tool.name, why }, 'the confirmation dialog did not confirm; nothing was sent');
      return { action: 'respond', result: notConfirmed(input, why, summary) };
    }
    return { action: 'respond', result: declined(tool.name, summary) };
  }

  /**
   * Settles an approved write whose outcome was lost (its process stopped mid-send): prepares the same request again
   * from the arguments as sent, then reads its entities back. Sends nothing.
   */
  async settleInterrupted(approval: Approval, tool: ToolDef): Promise<{ applied: boolean; lines: string[] }> {
    const sentArgs = approval.args;
    const parsed = tool.input.safeParse(sentArgs);
    if (!parsed.success) return { applied: false, lines: [SETTLE.invalid(tool.name)] };
    const input: GuardInput = { tool, args: apiArguments(parsed.data as Record<string, unknown>), sentArgs, dryRun: false, caller: approval.requested_by };
    const approver = approval.decided_by?.replace(/^page:/, '') ?? 'unknown';
    try {
      return await this.outcome.verify(input, await prepareRequest(input, this.currencies), { writeId: writeId(), approvedBy: { channel: 'page', approver }, approvalId: approval.id });
    } catch (error) {
      return { applied: false, lines: [SETTLE.readFailed(tool.name, (error as Error).message)] };
    }
  }

  private async preview(input: GuardInput, prepared: PreparedWrite, changes: Change[], current: CurrentValues, withToken: boolean): Promise<CallToolResult> {
    const summary = await this.summary(input, prepared, changes, current);
    if (!withToken) return dryRun(summary);
    try {
      const { token, expiresAt } = await this.confirmations.issue(input.tool.name, prepared.hash, callerKey(input.caller));
      return confirmationRequired(input, summary, token, expiresAt);
    } catch (error) {
      if (error instanceof Crowded) return this.crowded(input, 'tokens', error).result;
      throw error;
    }
  }
}
