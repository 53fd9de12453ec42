// The guard layer: converts money exactly, checks scope and caps, and holds every write not known to be harmless.
import type { CallToolResult } from '@modelcontextprotocol/server';
import { RequestError, buildRequest } from '../http/request.js';
import type { ConfirmWrites } from '../config/config.js';
import type { Logger } from '../core/logger.js';
import type { SharedStore } from '../core/store.js';
import { errorResult } from '../core/results.js';
import { type Approval, type ApprovalSummary, Approvals, isExpired } from './approvals.js';
import { AuditLog, writeId } from './audit.js';
import type { Caps } from '../money/cap-settings.js';
import { capProblems } from './caps.js';
import { type Change, type PreparedWrite, describeChange, headline, heldChanges, percent, queryObject } from './changes.js';
import { CONFIRMATION_TOKENS, type ConsumeOutcome, Confirmations, DIALOG_IDS, requestHash } from './tokens.js';
import { AmountError, type ConvertedAmount, convertMoney, hasMoney } from './convert.js';
import { type AccountLabel, CurrencyResolver, type Reader } from './currency.js';
import { CurrentValues, readEntities } from './current.js';
import { ENTITY_WRITES, type EntityKind, STATUS_ACTIONS, locateEntities, moneyFieldsOf } from './entities.js';
import { formatMajorAmount, formatMicros, parseAmount } from '../money/amount.js';
import { type SendRecord, WriteOutcome } from './outcome.js';
import { describeWrite, nameOf, parentIds } from './plain.js';
import { AccountScope } from './scope.js';
import { displayJson, oneLine } from '../core/display.js';
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
    /** Most approvals one client may have waiting at once. */
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
  caps: Caps;
  /** Ad accounts every call is limited to; empty: no limit. */
  adAccounts: readonly string[];
  /** Whop: the currency assumed where the account reports none yet (WHOP_CURRENCY, default USD). */
  whopCurrency?: string;
  auditLog?: string;
  logger: Logger;
}

/**
 * Whether held writes answer a model-held confirmation token: `none` (a person approves), `model` (`--approval
 * model`), or `fallback` (auto's `--approval-fallback model` where no approval page exists; logged each time).
 */
export type TokenFlow = 'none' | 'model' | 'fallback';

/** What a preview, a dialog and an approval page show, computed once per call. */
type Summary = ApprovalSummary;

/** Reasons that change spend (everything but access, data and destructive). */
const SPEND_REASONS = new Set<Change['reason']>(['money', 'status', 'activation', 'schedule', 'setting', 'parent', 'unclassified', 'spend']);

/** Why a dialog's second round cannot send, or undefined when its answer decides (an accept sends, a decline not). */
function notConfirmedReason(outcome: ConsumeOutcome, dialog: DialogRound): string | undefined {
  if (outcome === 'mismatch') return 'the dialog was asked for different arguments';
  if (outcome === 'unknown') return 'the dialog expired or was already answered';
  if (dialog.answer === 'failed') return `the confirmation dialog failed (${oneLine(dialog.failure ?? 'no reason given', 200)})`;
  if (dialog.answer === 'unanswered') return 'the dialog came back without a yes/no answer';
  return undefined;
}

/** The plain lines of a summary for a person, under a heading (none for summaries made before they existed). */
function inWords(summary: Summary): string[] {
  return summary.plain?.length ? ['In words:', ...summary.plain.map((line) => `- ${line}`)] : [];
}

function refused(intro: string, problems: readonly Problem[]): GuardDecision {
  return { action: 'respond', result: errorResult([intro, ...problems.map((p) => `- ${p.path}: ${p.message}`)].join('\n')) };
}

/**
 * How the caller repeats this call: the tool itself, or (discover mode) call_tool with the tool's name, where the
 * extra argument (a confirmation_token, an approval_id) goes inside `arguments` like every other one.
 */
function callAgain(input: GuardInput, plus?: string, instead?: string): string {
  const { tool, via } = input;
  const extra = plus ? ` plus ${plus}` : instead ? ` ${instead}` : '';
  if (via) return `call ${via} again with name "${tool.name}" and the same arguments${extra}${plus ? ' (inside "arguments")' : ''}`;
  return `call ${tool.name} again with the same arguments${extra}`;
}

export class SpendGuard implements Guard {
  private readonly confirmations: Confirmations;
  private readonly dialogs: Confirmations;
  private readonly approvals: Approvals;
  private readonly currencies: CurrencyResolver;
  private readonly outcome: WriteOutcome;
  private readonly scope: AccountScope;
  private readonly queues = new Map<string, Promise<unknown>>();

  constructor(private readonly options: GuardOptions) {
    this.confirmations = new Confirmations(CONFIRMATION_TOKENS, options.store, options.confirmTtlSeconds);
    this.dialogs = new Confirmations(DIALOG_IDS, options.store, options.confirmTtlSeconds);
    this.approvals = options.approvals;
    this.currencies = new CurrencyResolver(options.store, options.read, options.whopCurrency);
    this.outcome = new WriteOutcome(options.read, this.currencies, new AuditLog(options.auditLog), options.logger);
    this.scope = new AccountScope(options.adAccounts);
  }

  async review(input: GuardInput): Promise<GuardDecision> {
    const { tool } = input;
    const outOfScope = this.scope.problems(tool, input.args);
    if (outOfScope.length) return refused(`Refused ${tool.name}; nothing was sent.`, outOfScope);
    let prepared: PreparedWrite;
    try {
      prepared = await this.prepare(input);
    } catch (error) {
      if (error instanceof AmountError || error instanceof RequestError) {
        return refused(`Invalid arguments for ${tool.name}; nothing was sent.`, [{ path: error.path, message: error.message }]);
      }
      throw error;
    }
    if (!tool.writes) {
      return { action: 'send', request: prepared.request, shape: (body) => this.scope.filter(tool, body), present: (content) => this.outcome.present(input, content) };
    }

    const current = new CurrentValues(this.options.read, tool.api.id, input.args, prepared.entities);
    const changes = await this.resolveParents(heldChanges(tool, prepared, this.options.confirmWrites), current);
    const overCap = await capProblems({
      api: tool.api.id,
      tool: tool.name,
      caps: this.options.caps,
      amounts: prepared.amounts,
      entities: prepared.entities,
      body: prepared.request.body,
      current,
      currency: async () => prepared.currency ?? (await this.currencies.currencyFor(tool.api, input.args, tool.name)),
    });
    if (overCap.length) return refused(`Refused ${tool.name}; nothing was sent.`, overCap);

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
    // An approval_id only ever reads an approval's outcome, held or not, so polling can never send a write twice.
    if (input.approvalId !== undefined) return { action: 'respond', result: await this.approvalStatus(input, input.approvalId, prepared.hash) };
    if (input.grant) {
      if (input.grant.hash === prepared.hash) return send(input.grant.by);
      return refused(`Not sent: ${tool.name} no longer builds the request that was approved (an amount's currency changed?).`, []);
    }
    const held = changes.length > 0 || this.options.confirmWrites === 'all';
    if (!held) return send();

    if (input.confirmationToken !== undefined) {
      if (this.options.approval.tokens === 'none') {
        return refused(`Refused ${tool.name}: confirmation tokens are not accepted here, because a person approves held writes; nothing was sent.`, []);
      }
      const outcome = await this.confirmations.consume(input.confirmationToken, prepared.hash);
      if (outcome === 'ok') return send({ channel: 'token', approver: 'model' });
      const fresh = await this.preview(input, prepared, changes, current, true);
      const why =
        outcome === 'mismatch'
          ? 'Refused: this confirmation_token was issued for a different request (the arguments changed). Nothing was sent. Review the new preview below; confirm it with its own token.'
          : 'Refused: this confirmation_token is unknown, already used or expired. Nothing was sent. Review the new preview below; confirm it with its own token.';
      return { action: 'respond', result: { ...fresh, isError: true, content: [{ type: 'text', text: why }, ...fresh.content] } };
    }
    if (input.dialog && this.options.approval.dialogs) {
      const approver = input.caller?.client ?? 'a client that gave no name';
      return this.dialogRound(input, input.dialog, prepared, changes, current, send({ channel: 'dialog', approver }));
    }
    return { action: 'respond', result: await this.hold(input, prepared, changes, current) };
  }

  /** A held write with no dialog: an approval on the page (person), a token (model), or a refusal where no one can approve. */
  private async hold(input: GuardInput, prepared: PreparedWrite, changes: Change[], current: CurrentValues): Promise<CallToolResult> {
    const { tool } = input;
    const { desk, tokens } = this.options.approval;
    if (desk) return this.approvalRequired(input, prepared, await this.summary(input, prepared, changes, current, true), desk);
    if (tokens !== 'none') {
      if (tokens === 'fallback') {
        this.options.logger.warn({ tool: tool.name, approval: 'model-token' }, 'no person can approve here: falling back to a model-held token (--approval-fallback model)');
      }
      return this.preview(input, prepared, changes, current, true);
    }
    const text = `Not sent: ${tool.name} ${(await this.summary(input, prepared, changes, current)).verb}, and a person must approve it, but no one can here: ${this.options.approval.unavailable} Tell the user.`;
    return { isError: true, content: [{ type: 'text', text }], structuredContent: { status: 'approval_unavailable' } };
  }

  /** Stores an approval for the person and tells the model where it is decided and how to read the outcome. */
  private async approvalRequired(input: GuardInput, prepared: PreparedWrite, summary: Summary, desk: ApprovalDesk): Promise<CallToolResult> {
    const { tool } = input;
    const deployment = this.approvals.deploymentFor(tool.api.id);
    if (!deployment) throw new Error(`no deployment is known for the ${tool.api.id} API`);
    const key = callerKey(input.caller);
    // One client's held calls are counted and created one at a time here, so that concurrent calls cannot pass the bound together.
    return this.oneAtATime(key, async () => {
      const waiting = await this.approvals.pendingCount(key);
      if (waiting >= this.options.approval.maxPending) {
        const page = await desk.listAddress();
        const text =
          `Not sent, and no approval was created: ${waiting} approvals from this client are already waiting for a person (at most ${this.options.approval.maxPending}). ` +
          `Ask the user to decide them on the approval page (${page}), or wait until they expire; then ${callAgain(input)}.`;
        return { isError: true, content: [{ type: 'text', text }], structuredContent: { status: 'too_many_pending', pending: waiting, limit: this.options.approval.maxPending, page } };
      }
      const approval = await this.approvals.create({
        tool: tool.name,
        args: input.sentArgs,
        hash: prepared.hash,
        account: typeof input.args.ad_account_id === 'string' ? input.args.ad_account_id : undefined,
        currency: prepared.currency,
        summary,
        deployment,
        requested_by: input.caller ?? { transport: 'stdio' },
      });
      const announced = await desk.announce(approval, input.openUrl);
      const text = [
        `Approval required: ${summary.heading} ${summary.verb}. Nothing has been sent.`,
        ...inWords(summary),
        summary.headline,
        ...summary.lines,
        ...summary.notes,
        `Request: ${displayJson(summary.request)}`,
        `${announced} Ask the user to approve or reject it on the approval page (expires ${approval.expires_at}). ` +
          `Then ${callAgain(input, `approval_id "${approval.id}"`)} to read the outcome; that call sends nothing itself.`,
      ].join('\n');
      return {
        content: [{ type: 'text', text }],
        structuredContent: {
          status: 'approval_required',
          approval_id: approval.id,
          expires_at: approval.expires_at,
          page: await desk.address(approval),
          request: summary.request,
          changes: summary.changes,
        },
      };
    });
  }

  /** Runs `task` after every earlier task of the same key has finished (a per-client queue in this process). */
  private oneAtATime<T>(key: string, task: () => Promise<T>): Promise<T> {
    const before = this.queues.get(key) ?? Promise.resolve();
    const run = before.then(task, task);
    const tail = run.then(
      () => undefined,
      () => undefined,
    );
    this.queues.set(key, tail);
    void tail.then(() => {
      if (this.queues.get(key) === tail) this.queues.delete(key);
    });
    return run;
  }

  /** What became of an approval: still pending, rejected, expired, or the sent write's own result. Sends nothing. */
  private async approvalStatus(input: GuardInput, id: string, hash: string): Promise<CallToolResult> {
    const { tool } = input;
    const approval = await this.approvals.get(id);
    const answer = (status: string, text: string, isError = false, extra: Record<string, unknown> = {}): CallToolResult => ({
      ...(isError ? { isError } : {}),
      content: [{ type: 'text', text }],
      structuredContent: { status, approval_id: id, ...extra },
    });
    if (!approval || approval.tool !== tool.name) {
      return answer('approval_unknown', `No approval ${oneLine(id, 40)} for ${tool.name} exists (unknown, or gone a day after its decision). Nothing was sent.`, true);
    }
    // Another deployment's approval: its page here refuses it, and its outcome is another API's (sandbox or production).
    const elsewhere = this.approvals.mismatch(approval);
    if (elsewhere) {
      return answer('approval_elsewhere', `Approval ${id} cannot be read here: ${elsewhere}. Call ${tool.name} with it on the server that asked for it. Nothing was sent.`, true);
    }
    if (approval.hash !== hash) {
      return answer('approval_mismatch', `Approval ${id} is for different arguments of ${tool.name}; call with the arguments it was created for. Nothing was sent.`, true);
    }
    const decided = { decided_by: approval.decided_by, decided_at: approval.decided_at };
    if (isExpired(approval)) {
      return answer('approval_expired', `Approval ${id} expired at ${approval.expires_at} without a decision; nothing was sent. To ask again, ${callAgain(input, undefined, 'without approval_id')}.`);
    }
    switch (approval.state) {
      case 'pending': {
        const where = (await this.options.approval.desk?.address(approval)) ?? 'the approval page';
        const reminded = await this.options.approval.desk?.remind?.(approval);
        return answer(
          'approval_pending',
          `Approval ${id} is not decided yet; nothing was sent.${reminded ? ` ${reminded}` : ''} Ask the user to approve or reject it on the approval page (${where}; expires ${approval.expires_at}), then ${callAgain(input, `approval_id "${id}"`)}.`,
          false,
          { expires_at: approval.expires_at, page: where },
        );
      }
      case 'rejected':
        return answer('approval_rejected', `The person rejected ${tool.name} (approval ${id}); nothing was sent.`, false, decided);
      case 'sending': {
        const since = Date.parse(approval.sending_since ?? approval.decided_at ?? approval.created_at);
        if (Date.now() - since <= this.options.approval.sendBoundMs) {
          return answer('approval_sending', `Approved by ${approval.decided_by}; the write is being sent now. In a moment, ${callAgain(input, `approval_id "${id}"`)}.`, false, decided);
        }
        return answer(
          'approval_outcome_unrecorded',
          `Approved by ${approval.decided_by} and sent at most once, but its outcome was not recorded (the server or its store stopped during the send). ` +
            'Do not send it again: read the entity to see whether the change is there. The server settles this approval by reading the entity back.',
          true,
          decided,
        );
      }
      case 'not_sent':
        return answer('approval_not_sent', `Approved by ${approval.decided_by}, but not sent: ${approval.note ?? 'a check refused it before it left'} Nothing was changed.`, true, decided);
      case 'sent':
      case 'failed':
      case 'unknown':
        return this.approvedOutcome(approval);
    }
  }

  /** The approved write's result as it was answered on the page, headed by who approved it and how it ended. */
  private approvedOutcome(approval: Approval): CallToolResult {
    const outcome = approval.outcome ?? { content: [] };
    const ended: Record<'sent' | 'failed' | 'unknown', string> = {
      sent: 'and sent once',
      failed: 'and sent once; the API refused it, so nothing was changed',
      unknown: 'and sent once; its outcome is unknown: read the entity before acting again',
    };
    const state = approval.state as 'sent' | 'failed' | 'unknown';
    const note = approval.note ? ` ${approval.note}` : '';
    const head = `Approved by ${approval.decided_by} at ${approval.decided_at} ${ended[state]} (approval ${approval.id}).${note} The write's result:`;
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
      const { token } = await this.dialogs.issue(tool.name, prepared.hash);
      const message = [`${summary.heading} ${summary.verb}:`, ...inWords(summary), summary.headline, ...summary.lines, ...summary.notes, `Request: ${displayJson(summary.request)}`].join('\n');
      return { action: 'ask', question: { message, state: token } };
    }
    const outcome = await this.dialogs.consume(dialog.id, prepared.hash);
    const why = notConfirmedReason(outcome, dialog);
    if (!why && dialog.answer === 'accepted') return send;
    // Not sent: the answer shows the request and its changes (read again, as they are now).
    const { request } = await this.summary(input, prepared, changes, current);
    if (why) {
      this.options.logger.warn({ tool: tool.name, why }, 'the confirmation dialog did not confirm; nothing was sent');
      const text =
        `The person did not confirm ${tool.name}: ${why}. Nothing was sent and no confirmation token was issued. ` +
        `To ask again, ${callAgain(input)}.`;
      return { action: 'respond', result: { isError: true, content: [{ type: 'text', text }], structuredContent: { status: 'not_confirmed', request, changes } } };
    }
    const text = `The user did not confirm ${tool.name}; nothing was sent.`;
    return { action: 'respond', result: { content: [{ type: 'text', text }], structuredContent: { status: 'declined', request, changes } } };
  }

  /**
   * Settles an approved write whose outcome was lost (its process stopped mid-send): prepares the same request again
   * from the arguments as sent, then reads its entities back. Sends nothing.
   */
  async settleInterrupted(approval: Approval, tool: ToolDef): Promise<{ applied: boolean; lines: string[] }> {
    const sentArgs = approval.args;
    const parsed = tool.input.safeParse(sentArgs);
    if (!parsed.success) return { applied: false, lines: [`The arguments of ${tool.name} no longer validate, so it cannot be read back: check the account.`] };
    const input: GuardInput = { tool, args: apiArguments(parsed.data as Record<string, unknown>), sentArgs, dryRun: false, caller: approval.requested_by };
    const approver = approval.decided_by?.replace(/^page:/, '') ?? 'unknown';
    try {
      return await this.outcome.verify(input, await this.prepare(input), { writeId: writeId(), approvedBy: { channel: 'page', approver }, approvalId: approval.id });
    } catch (error) {
      return { applied: false, lines: [`Reading ${tool.name} back failed (${(error as Error).message}): check the account.`] };
    }
  }

  /** Converts money, builds the exact request and, for writes, its hash (tool + the request as transmitted). */
  private async prepare(input: GuardInput): Promise<PreparedWrite> {
    const { tool, args } = input;
    let converted = args;
    const amounts: ConvertedAmount[] = [];
    let currency: string | undefined;
    if (hasMoney(args)) {
      currency = await this.currencies.currencyFor(tool.api, args, tool.name);
      converted = convertMoney(args, { currency }, amounts) as Record<string, unknown>;
    }
    const request = buildRequest(tool.op, converted);
    // Only writes can be confirmed, so only they need the hash that binds a token to the request.
    const hash = tool.writes ? requestHash({ tool: tool.name, method: request.method, target: request.target, payload: request.payload ?? null }) : '';
    const write = ENTITY_WRITES[tool.name];
    const { entities, stray } = write ? locateEntities(write, request.body, args) : { entities: [], stray: [] };
    // A status action names its entity by path: located (with no fields) so that previews read its current status.
    const action = STATUS_ACTIONS[tool.name];
    if (action && typeof args.id === 'string') entities.push({ kind: action.kind, create: false, id: args.id, location: 0, index: 0, path: 'id', item: {} });
    return { request, amounts, currency, hash, entities, stray };
  }

  /** A parent id equal to the current one only addresses the entity: not a change. Others say where they move from. */
  private async resolveParents(changes: Change[], current: CurrentValues): Promise<Change[]> {
    const kept: Change[] = [];
    for (const change of changes) {
      if (!change.pending) {
        kept.push(change);
        continue;
      }
      delete change.pending;
      // Parent changes come only from entities, so `entity` names their kind.
      const entity = await current.entity(change.entity as EntityKind, change.id);
      if (entity && String(entity[change.field]) === String(change.to)) continue;
      if (entity) change.from = entity[change.field];
      else change.note = 'the current parent could not be read, so this may move it';
      kept.push(change);
    }
    return kept;
  }

  /** Adds current values (read from the API) to the changes of updated entities. */
  private async withCurrentValues(input: GuardInput, prepared: PreparedWrite, changes: Change[], current: CurrentValues): Promise<string[]> {
    const notes = new Set<string>();
    for (const change of changes) {
      const located = prepared.entities.find((e) => !e.create && e.kind === change.entity && e.index === change.index && e.id === change.id);
      if (!located || change.from !== undefined) continue;
      const problem = await current.problem(located.kind);
      if (problem) {
        notes.add(problem);
        continue;
      }
      if (!(await current.readable(located.kind))) continue;
      const entity = await current.entity(located.kind, change.id);
      if (!entity) {
        change.note = `no ${located.kind} ${change.id} found in this ad account: the API will likely reject this item`;
        continue;
      }
      const name = entity.name ?? entity.title;
      if (change.name === undefined && typeof name === 'string') change.name = name;
      if (change.reason === 'money') {
        const field = moneyFieldsOf(input.tool.api.id, located.kind).find((f) => f.inputName === change.field);
        const from = field ? entity[field.apiName] : undefined;
        const { currency } = prepared;
        if (field?.unit === 'micro' && (typeof from === 'number' || typeof from === 'string')) {
          change.from = formatMicros(String(from), currency);
          change.from_micro = String(from);
          if (change.to_micro !== undefined) change.change_percent = percent(BigInt(from), BigInt(change.to_micro));
        } else if (field?.unit === 'major' && typeof from === 'number') {
          change.from = formatMajorAmount(String(from), currency);
          const to = prepared.amounts.find((a) => a.holder === located.item && a.field.apiName === field.apiName)?.micros;
          if (typeof to === 'bigint') change.change_percent = percent(parseAmount(from).micros, to);
        } else if (from === null) change.from = null;
      } else if (!change.field.includes('.') && change.field in entity) {
        change.from = entity[change.field];
      }
    }
    return [...notes];
  }

  /**
   * What a preview shows: the changes in natural amounts (with current values), notes and the exact request; for a
   * person (`forPerson`: the approval page and the dialog), also the write in plain words and the account's name.
   */
  private async summary(input: GuardInput, prepared: PreparedWrite, changes: Change[], current: CurrentValues, forPerson = false): Promise<Summary> {
    const { tool } = input;
    const notes = (await this.withCurrentValues(input, prepared, changes, current)).map((n) => oneLine(n));
    const request = {
      method: prepared.request.method,
      path: prepared.request.path,
      query: queryObject(prepared.request.query),
      body: prepared.request.body,
    };
    const lines = changes.map((c) => `- ${describeChange(c)}`);
    if (!changes.length) lines.push(`- ${tool.name}: an ordinary write (no money or delivery status changes)`);
    const account = typeof input.args.ad_account_id === 'string' ? ` on ad account ${oneLine(input.args.ad_account_id, 40)}` : '';
    const currency = prepared.currency ? ` (${prepared.currency})` : '';
    const verb = changes.some((c) => SPEND_REASONS.has(c.reason))
      ? 'changes spend'
      : changes.some((c) => c.reason === 'access')
        ? 'changes who has access'
        : changes.some((c) => c.reason === 'data')
          ? 'sends personal data or changes what bidding learns from'
          : changes.length
            ? 'is destructive'
            : 'is a write, and every write is confirmed here (--confirm-writes all)';
    const summary: Summary = { heading: `${tool.name}${account}${currency}`, verb, headline: changes.length ? headline(changes) : 'Held: 1 ordinary write.', lines, notes, changes, request };
    if (!forPerson) return summary;
    try {
      return { ...summary, ...(await this.inPlainWords(input, prepared, changes, current)) };
    } catch (error) {
      // The words are a reading aid: without them the person still sees every change and the exact request.
      this.options.logger.error({ err: error, tool: tool.name }, 'the held write could not be put in plain words');
      return summary;
    }
  }

  /** The write in plain words (one line per entity, parents named), and the account with its name and currency. */
  private async inPlainWords(input: GuardInput, prepared: PreparedWrite, changes: Change[], current: CurrentValues): Promise<Pick<Summary, 'title' | 'plain' | 'account'>> {
    const { tool } = input;
    const account = await this.currencies.account(tool.api, input.args, tool.name);
    const parents = parentIds(tool.api.id, prepared.entities, prepared.request.body);
    const loaded = new Map<EntityKind, Promise<Map<string, Record<string, unknown>> | undefined>>();
    const parentName = async (kind: EntityKind, id: string): Promise<string | undefined> => {
      let entities = loaded.get(kind);
      if (!entities) loaded.set(kind, (entities = readEntities(this.options.read, tool.api.id, kind, input.args, parents.get(kind) ?? [id]).catch(() => undefined)));
      return nameOf(kind, (await entities)?.get(id));
    };
    const plain = await describeWrite({
      api: tool.api.id,
      tool: { name: tool.name, title: tool.title, path: tool.op.path },
      args: input.args,
      body: prepared.request.body,
      currency: prepared.currency ?? account?.currency,
      entities: prepared.entities,
      changes,
      current: (kind, id) => current.entity(kind, id),
      parentName,
    });
    if (!changes.length) plain.lines.push(`${oneLine(tool.title, 80)}: an ordinary write (no money or delivery status changes)`);
    return { title: plain.lines.length === 1 ? plain.lines[0] : plain.title, plain: plain.lines, ...(account ? { account: await this.whopNamed(input, prepared, current, account) } : {}) };
  }

  /** Whop names no account: the label carries the name of the entity the write creates or changes instead. */
  private async whopNamed(input: GuardInput, prepared: PreparedWrite, current: CurrentValues, account: AccountLabel): Promise<AccountLabel> {
    const entity = prepared.entities[0];
    if (input.tool.api.id !== 'whop' || account.id || !entity) return account;
    const name = nameOf(entity.kind, entity.item) ?? (entity.create ? undefined : nameOf(entity.kind, await current.entity(entity.kind, entity.id)));
    return name ? { ...account, name, named: entity.kind.replace('_', ' ') } : account;
  }

  private async preview(input: GuardInput, prepared: PreparedWrite, changes: Change[], current: CurrentValues, withToken: boolean): Promise<CallToolResult> {
    const { tool } = input;
    const { heading, verb, headline: head, lines, notes, request } = await this.summary(input, prepared, changes, current);
    const shown = `Request: ${displayJson(request)}`;
    if (!withToken) {
      const text = [`Dry run of ${heading}: nothing was sent.`, ...(changes.length ? [head] : []), ...lines, ...notes, shown].join('\n');
      return { content: [{ type: 'text', text }], structuredContent: { status: 'dry_run', request, changes } };
    }
    const { token, expiresAt } = await this.confirmations.issue(tool.name, prepared.hash);
    const text = [
      `Confirmation required: ${heading} ${verb}. Nothing has been sent.`,
      head,
      ...lines,
      ...notes,
      shown,
      `Show this to the user. To execute exactly this request once, ${callAgain(input, `confirmation_token "${token}"`)} (expires ${expiresAt}).`,
    ].join('\n');
    return {
      content: [{ type: 'text', text }],
      structuredContent: { status: 'confirmation_required', confirmation_token: token, expires_at: expiresAt, request, changes },
    };
  }
}
