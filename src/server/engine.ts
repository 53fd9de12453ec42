// An app's call machinery: the store, the API clients, approvals, the guard, the approval page and the runner, with the periodic work on approved writes. Its own chunk of the bundle, loaded when first needed (app.ts says when), so that a start to tools/list compiles none of it.
import { configuredCredential, createClients } from '../http/index.js';
import { buildRequest } from '../http/request.js';
import { CONFIGURED_APIS, type Config, apiConnection } from '../config/index.js';
import { type Approval, Approvals } from '../guard/approvals.js';
import { type Deployment, credentialFingerprint, limitsFingerprint, selectionFingerprint } from '../guard/deployment.js';
import { SpendGuard, type TokenFlow } from '../guard/decide.js';
import type { ApprovalDesk, ApprovalGrant } from '../guard/types.js';
import type { Logger } from '../core/logger.js';
import { asPerson } from '../core/person.js';
import { SharedStore, type Store, createStore, purgeExpired } from '../core/store.js';
import { describeStore } from '../core/store-spec.js';
import { errorResult, resultText } from '../core/results.js';
import { isHeld, isQuestion } from '../calls/answers.js';
import { ToolRunner } from '../calls/runner.js';
import type { ApprovalSurface } from '../approval/surface.js';
import { ApprovalWeb, type Executed } from '../approval/web.js';
import type { ToolDef } from '../tools/registry.js';
import type { Selection } from '../tools/selection.js';

/** Time beyond the client's whole timeout after which an approved write still `sending` counts as interrupted, ms. */
const SEND_MARGIN_MS = 5_000;
/** Most time between two looks for interrupted approved writes, and between two purges of expired keys, ms. */
const SETTLE_INTERVAL_MS = 30_000;
const PURGE_INTERVAL_MS = 60_000;

/** What the app knows at start and the engine is made from. */
export interface EngineParts {
  config: Config;
  logger: Logger;
  surface: ApprovalSurface;
  /** Every tool by name, former names included. */
  byName: ReadonlyMap<string, ToolDef>;
  /** The deployment's selection: what approved writes must still be part of. */
  selection: Selection;
  tokens: TokenFlow;
}

export interface Engine {
  /** The keyv store itself (health checks read it). */
  store: Store;
  /** The store as the guard, approvals and page use it: bounded in time, failing as StoreUnavailable. */
  shared: SharedStore;
  runner: ToolRunner;
  approvals: Approvals;
  /** The approval page's requests (/approvals), where the transport offers the page. */
  approvalWeb?: ApprovalWeb;
  /** A read for the server itself (currencies, current values, read-back, resources): bypasses selection and the guard. */
  read(name: string, args: Record<string, unknown>): Promise<unknown>;
  close(): Promise<void>;
}

/** Where this process sends each API's writes: what approvals are bound to (see Deployment). */
function deploymentsOf(config: Config, selection: Selection): Record<string, Deployment> {
  const selected = selectionFingerprint(selection.tools.map((t) => t.name));
  const limits = limitsFingerprint({ caps: config.caps, adAccounts: config.adAccounts, confirmWrites: config.confirmWrites });
  return Object.fromEntries(
    CONFIGURED_APIS.map((api): [string, Deployment] => {
      const { baseUrl, environment, auth } = apiConnection(config, api);
      return [api.id, { api: api.id, base_url: baseUrl, environment, credential: credentialFingerprint(configuredCredential(auth)), selection: selected, limits }];
    }),
  );
}

/**
 * Runs `work` as the person who asked for the approval (the OAuth mode), so that its write, or the read that settles it,
 * goes out with their credential, never the deployment's or the approver's; as is where nobody signs in.
 */
function asRequester<T>(approval: Approval, work: () => T): T {
  const person = approval.requested_by.person;
  return person ? asPerson(person, work) : work();
}

export async function startEngine(parts: EngineParts): Promise<Engine> {
  const { config, logger, surface, byName, selection, tokens } = parts;
  const { approval } = config;
  const store = await createStore(config.store);
  const shared = new SharedStore(store, describeStore(config.store), config.storeTimeoutMs);
  const clients = createClients(config, logger, shared);

  const read = async (name: string, args: Record<string, unknown>): Promise<unknown> => {
    const tool = byName.get(name);
    if (!tool || tool.writes) throw new Error(`internal read ${name} is not available`);
    return (await clients[tool.api.id].send(tool.op, buildRequest(tool.op, args, tool.writes))).body;
  };
  const approvals = new Approvals({
    store: shared,
    ttlSeconds: config.confirmTtlSeconds,
    deployments: deploymentsOf(config, selection),
    maxStored: approval.maxStored,
  });
  let approvalWeb: ApprovalWeb | undefined;
  let desk: (ApprovalDesk & { close?(): Promise<void> }) | undefined;
  if (surface.page) {
    approvalWeb = new ApprovalWeb({
      approvals,
      store: shared,
      logger,
      signIn: surface.page.signIn,
      execute: (approved, approver) => executeApproved(approved, approver),
    });
    desk = await surface.page.desk(approvalWeb, logger);
  }
  /** How long an approved write may take to send (the client's whole timeout and a margin): past it, `sending` was interrupted. */
  const sendBoundMs = config.client.totalTimeoutMs + SEND_MARGIN_MS;
  const guard = new SpendGuard({
    store: shared,
    approvals,
    approval: {
      tokens,
      desk,
      maxPending: approval.maxPending,
      sendBoundMs,
      unavailable: surface.unavailable,
      dialogs: approval.channels.includes('dialog'),
    },
    read,
    confirmWrites: config.confirmWrites,
    confirmTtlSeconds: config.confirmTtlSeconds,
    confirmations: { perClient: config.confirmations.maxPending, total: config.confirmations.maxStored },
    cachedAccounts: config.maxCachedAccounts,
    caps: config.caps,
    adAccounts: config.adAccounts,
    assumedCurrency: (api) => apiConnection(config, api).assumedCurrency,
    auditLog: config.auditLog,
    logger,
  });
  const runner = new ToolRunner({
    clients,
    guard,
    logger,
    maxResultChars: config.maxResultChars,
    schemaHint: (tool) => `Full input schema: call describe_tool with {"name":"${tool.name}"}.`,
  });

  /**
   * The approved write: the same tool with the same arguments, carrying the person's grant (never an argument), sent
   * only where this process may: the approval's deployment is this one, and this process offers the tool.
   */
  async function executeApproved(approved: Approval, approver: string): Promise<Executed> {
    const notSent = (why: string): Executed => ({ state: 'not_sent', note: `${why}.`, result: errorResult(`Not sent: ${why}. Nothing was changed.`) });
    const tool = byName.get(approved.tool);
    if (!tool) return notSent(`this server does not know the tool ${approved.tool}`);
    const elsewhere = approvals.mismatch(approved);
    if (elsewhere) return notSent(`this server cannot execute it: ${elsewhere}`);
    const refusal = selection.refusal(tool);
    if (refusal) return notSent(`this server does not offer it: ${refusal.replace(/[:.] nothing was sent\.?$/i, '')}`);
    const grant: ApprovalGrant = { approvalId: approved.id, hash: approved.hash, by: { channel: 'page', approver }, outcome: 'not_sent' };
    const result = await asRequester(approved, () => runner.run(tool, approved.args, { grant, caller: approved.requested_by }));
    if (isQuestion(result)) throw new Error('an approved write asked a question');
    if (isHeld(result)) throw new Error('an approved write was held for approval again');
    const state = grant.outcome ?? 'not_sent';
    return { state, result, note: state === 'not_sent' ? resultText(result).split('\n')[0] : undefined };
  }

  /**
   * Approved writes whose process stopped mid-send (still `sending` past the send bound) are settled by reading the
   * entity back: `sent` when it shows the change, else `unknown`. One replica wins each try; a try whose settler stopped
   * too (past the bound again since it began) is taken over by the next. Pending approvals whose claim a stopped decider
   * removed are settled as well (Approvals.watchOrphans). Runs as the engine starts and then periodically, so a restart
   * or a store that comes back settles them within SETTLE_INTERVAL_MS. Only a process with an approval page does it:
   * approvals exist only where a person can decide them. A send that will pass the bound before the next scan is looked
   * at as it does.
   */
  let nextLook: NodeJS.Timeout | undefined;
  const settleStalled = async () => {
    await approvals.watchOrphans();
    for (const stalled of await approvals.stalled(Date.now() - sendBoundMs)) {
      const now = Date.now();
      const claimed = await approvals.claimSettle(stalled.id, now - sendBoundMs, now - 2 * sendBoundMs);
      if (!claimed) continue;
      const tool = byName.get(claimed.tool);
      const check = tool
        ? await asRequester(claimed, () => guard.settleInterrupted(claimed, tool))
        : { applied: false, lines: [`this server does not know the tool ${claimed.tool}`] };
      const note = check.applied
        ? 'The server stopped before it recorded the outcome; reading the entity back shows the change in place.'
        : 'The server stopped before it recorded the outcome, and reading back could not confirm the change: check the entity before asking for it again.';
      logger.warn({ approval: claimed.id, tool: claimed.tool, applied: check.applied, attempt: claimed.settle_attempt }, 'settled an approved write whose send was interrupted');
      await approvals.settle(claimed, check.applied ? 'sent' : 'unknown', { content: [{ type: 'text', text: check.lines.join('\n') }] }, note);
    }
    const next = await approvals.nextStall(sendBoundMs);
    if (next !== undefined && next - Date.now() < SETTLE_INTERVAL_MS) {
      clearTimeout(nextLook);
      nextLook = setTimeout(settle, next - Date.now() + 100).unref();
    }
  };
  const settle = () => void settleStalled().catch((error: unknown) => logger.warn({ err: error }, 'could not settle interrupted approved writes yet'));
  const settling = approvalWeb ? setInterval(settle, Math.min(SETTLE_INTERVAL_MS, sendBoundMs)).unref() : undefined;
  if (approvalWeb) setImmediate(settle);
  const purging = setInterval(() => void purgeExpired(store).catch(() => {}), PURGE_INTERVAL_MS).unref();

  return {
    store,
    shared,
    runner,
    approvals,
    approvalWeb,
    read,
    async close() {
      clearInterval(settling);
      clearTimeout(nextLook);
      clearInterval(purging);
      approvals.close();
      await approvals.restore().catch(() => false);
      await desk?.close?.();
      await store.disconnect().catch(() => {});
    },
  };
}
