// Assembles the MCP server: tools from every API, selection, guard, clients, store and the protocol handlers of either era.
import { type CallToolResult, type InputRequiredResult, Server, type Tool } from '@modelcontextprotocol/server';
import { AjvJsonSchemaValidator } from '@modelcontextprotocol/server/validators/ajv';
import { APIS } from '../apis/index.js';
import { configuredCredential, createClients } from '../http/index.js';
import { buildRequest } from '../http/request.js';
import { CONFIGURED_APIS, type Config, apiConnection } from '../config/index.js';
import { randomUUID } from 'node:crypto';
import { type Era, approvalRetry, askNow, canOpenUrl, clientName, dialogRound, openUrlResult, questionResult } from './dialog.js';
import { type Approval, Approvals } from '../guard/approvals.js';
import { type Deployment, credentialFingerprint, limitsFingerprint, selectionFingerprint } from '../guard/deployment.js';
import { SpendGuard, type TokenFlow } from '../guard/decide.js';
import type { ApprovalDesk, ApprovalGrant, Caller } from '../guard/types.js';
import { moneyOverride } from '../guard/money-fields.js';
import { type Logger, requestLog } from '../core/logger.js';
import { asPerson, currentPerson } from '../core/person.js';
import { loadPrompts, registerPrompts } from './prompts.js';
import { createResources, registerResources } from './resources.js';
import { redactor } from '../core/redact.js';
import { SharedStore, type Store, createStore, describeStore, purgeExpired, storeKind } from '../core/store.js';
import { fieldNote } from '../tools/field-notes.js';
import { compactInputSchema, toolListing } from '../tools/listing.js';
import { type MetaTool, describeTool, discoverTools } from '../calls/meta.js';
import { buildTools, type ToolDef, toolsByName } from '../tools/registry.js';
import { answeredAs } from '../calls/renamed.js';
import { boundResult, errorResult, resultText } from '../core/results.js';
import { type CallContext, type ToolAnswer, ToolRunner, isHeld, isQuestion } from '../calls/runner.js';
import { reportWorkflow } from '../calls/workflows.js';
import type { ApprovalSurface } from '../approval/surface.js';
import { ApprovalWeb, type Executed } from '../approval/web.js';
import { type Selection, selectTools } from '../tools/selection.js';
import { NARROWING_HEADERS, NOT_NARROWED, type Narrowing, type NarrowingHeaders, narrowSelection, narrowingKey, readNarrowing } from '../tools/narrowing.js';
import { RecentKeys } from '../core/recent.js';
import { VERSION } from '../core/version.js';
import { serverInstructions } from './instructions.js';

export const SERVER_INFO = { name: 'pinterest-api-mcp', version: VERSION } as const;

/** The transport end of a protocol server: which transport, and the client's address (HTTP) or `stdio`. */
export type Peer = Pick<Caller, 'transport' | 'address' | 'where'>;

/** The one client of a stdio server, the person's own app on this computer: also the peer of a server made without one. */
export const STDIO_PEER: Peer = { transport: 'stdio', address: 'stdio', where: 'over stdio on this computer' };

/** Time beyond the client's whole timeout after which an approved write still `sending` counts as interrupted, ms. */
const SEND_MARGIN_MS = 5_000;
/** Most time between two looks for interrupted approved writes, and between two purges of expired keys, ms. */
const SETTLE_INTERVAL_MS = 30_000;
const PURGE_INTERVAL_MS = 60_000;
/** Most narrowed views (distinct X-MCP-Toolsets / X-MCP-Readonly values) one app keeps built; the least recently used goes first. */
const MAX_VIEWS = 32;

/**
 * What a protocol server's client sees: the deployment's selection, or a request's narrower one (HTTP's narrowing
 * headers), with the listing, meta tools, workflows and instructions made from it. Built once per distinct narrowing.
 */
export interface View {
  /** What narrowed it (NOT_NARROWED: the deployment's own view). */
  narrowing: Narrowing;
  /** narrowingKey(narrowing): '' for the deployment's own view. */
  key: string;
  selection: Selection;
  /** The tools/list answer of this view, built on first use. */
  listTools(): Tool[];
  listedCount: number;
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

/** Everything a transport needs: a factory for protocol servers sharing one set of tools, clients and store. */
export interface App {
  /** Every tool of every API, selected or not. */
  tools: readonly ToolDef[];
  selection: Selection;
  runner: ToolRunner;
  store: Store;
  /**
   * The approval page's requests (/approvals): HTTP mounts it when approvers are configured; stdio serves it on a
   * loopback port of its own. None with `--approval model`.
   */
  approvalWeb?: ApprovalWeb;
  /** `memory`, `sqlite` or `redis`, without the store's address. */
  storeKind: string;
  /** The tools/list answer, built on first use (the HTTP transport builds it as it starts; stdio waits to be asked). */
  listTools(): Tool[];
  /** How many tools tools/list answers with, without building it. */
  listedCount: number;
  /** The deployment's own view (what a request that narrows nothing sees). */
  view: View;
  /**
   * The view a request's narrowing headers ask for (HTTP only): a subset of the deployment's, or why they are refused
   * (a toolset it does not offer, an unknown one, a value the header does not take). Never wider than the deployment's.
   * A header not sent keeps `inherited`'s part (default: the deployment's).
   */
  narrowed(headers: NarrowingHeaders, inherited?: Narrowing): { view: View } | { error: string };
  /**
   * A protocol server for one connection (stdio, a legacy session) or one request (stateless HTTP) of the given era;
   * `peer` says which transport and client address it serves (approvals, the audit and the pending bound use it);
   * `view`, what its client sees (default: the deployment's).
   */
  createServer(era?: Era, peer?: Peer, view?: View): Server;
  close(): Promise<void>;
}

/**
 * The app of one process: tools, clients, store, guard and approvals. `surface` is what the transport offers a person
 * for approvals (stdio: its loopback page; HTTP: /approvals for configured approvers): the server never asks which
 * transport it runs on.
 */
export async function createApp(config: Config, logger: Logger, surface: ApprovalSurface): Promise<App> {
  redactor.add(...config.secrets);
  const { approval } = config;
  const channels = new Set(approval.channels);
  const pageExists = surface.page !== undefined;
  const tokens: TokenFlow = channels.has('token') ? 'model' : approval.mode === 'auto' && approval.modelFallback && !pageExists ? 'fallback' : 'none';
  // Only the token flow lists confirmation_token.
  const tools = APIS.flatMap((api) =>
    buildTools(api, { overrideProperty: moneyOverride(api.id), describeProperty: fieldNote(api.id), confirmationToken: tokens !== 'none' }),
  );
  const byName = toolsByName(tools); // former names included: callable, never listed
  const selection = selectTools(tools, config);
  const store = await createStore(config.store);
  const shared = new SharedStore(store, describeStore(config.store), config.storeTimeoutMs);
  const clients = createClients(config, logger, shared);

  /** Reads for the guard itself (currencies, current values, read-back); they bypass selection and the guard. */
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
    desk = surface.page.desk(approvalWeb, logger);
  } else if (tokens === 'none' && !channels.has('dialog')) {
    logger.warn({ approval_channels: [...channels] }, surface.nobody);
  }
  for (const warning of surface.warnings) logger.warn(warning.fields ?? {}, warning.message);
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
      dialogs: channels.has('dialog'),
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
  const runner = new ToolRunner({
    clients,
    guard,
    logger,
    maxResultChars: config.maxResultChars,
    schemaHint: (tool) => `Full input schema: call describe_tool with {"name":"${tool.name}"}.`,
  });
  /** One tool's tools/list entry, shared by every view that lists it. */
  const listings = new Map<ToolDef, Tool>();
  const listingOf = (t: ToolDef) => {
    let listing = listings.get(t);
    if (!listing) listings.set(t, (listing = toolListing(t, compactInputSchema(t, tokens !== 'none'))));
    return listing;
  };
  /** A view's parts the protocol servers use: its meta tools by name, its instructions, the tool names prompts may rely on. */
  interface Parts {
    metaByName: ReadonlyMap<string, MetaTool>;
    instructions: string;
    promptTools: ReadonlySet<string>;
  }
  const parts = new WeakMap<View, Parts>();
  /**
   * Tools mode lists the selection, describe_tool and the workflows; discover mode lists only its meta-tools, which
   * reach the workflows like any other tool (search_tools, describe_tool, call_tool). A narrowed view makes its own from
   * its narrower selection: a workflow whose tools it leaves out is not offered.
   */
  const makeView = (narrowing: Narrowing, viewSelection: Selection): View => {
    const report = reportWorkflow(viewSelection, byName, runner, config.client);
    const workflows = report ? [report] : [];
    const metaTools: MetaTool[] =
      config.mode === 'discover'
        ? discoverTools(viewSelection, byName, runner, workflows)
        : [describeTool(viewSelection, byName, workflows), ...workflows];
    const directTools = config.mode === 'discover' ? [] : viewSelection.tools;
    let listed: Tool[] | undefined;
    const view: View = {
      narrowing,
      key: narrowingKey(narrowing),
      selection: viewSelection,
      listTools: () => (listed ??= [...directTools.map(listingOf), ...metaTools.map((m) => m.listing)]),
      listedCount: directTools.length + metaTools.length,
    };
    parts.set(view, {
      metaByName: new Map(metaTools.map((m) => [m.name, m])),
      instructions: serverInstructions({
        discover: config.mode === 'discover',
        tokens: tokens !== 'none',
        plus: [...new Set(viewSelection.tools.map((t) => t.api))].flatMap((api) => (api.inInstructions ? [api.inInstructions] : [])),
        report: report !== undefined,
      }),
      promptTools: new Set(viewSelection.tools.map((t) => t.name)),
    });
    return view;
  };
  const deploymentView = makeView(NOT_NARROWED, selection);
  const views = new Map<string, View>([['', deploymentView]]);
  const recentViews = new RecentKeys(MAX_VIEWS);
  const narrowed = (headers: NarrowingHeaders, inherited?: Narrowing): { view: View } | { error: string } => {
    const asked = readNarrowing(headers, selection, inherited);
    if ('error' in asked) return asked;
    const key = narrowingKey(asked.narrowing);
    if (key === '') return { view: deploymentView };
    let view = views.get(key);
    if (!view) views.set(key, (view = makeView(asked.narrowing, narrowSelection(selection, asked.narrowing))));
    for (const dropped of recentViews.use(key)) views.delete(dropped);
    return { view };
  };
  const jsonSchemaValidator = new AjvJsonSchemaValidator();
  const prompts = loadPrompts();
  // Read by every protocol server of this app: one account cache, read through the shared client like the guard's reads.
  const resources = createResources({
    server: SERVER_INFO.name,
    apis: APIS.filter((api) => !Object.hasOwn(selection.apisOff, api.id)),
    tools,
    selection,
    read,
    store: shared,
    approvals: approvalWeb ? approvals : undefined,
    adAccounts: config.adAccounts,
    maxCachedAccounts: config.maxCachedAccounts,
    maxChars: config.maxResultChars,
  });

  /**
   * Approved writes whose process stopped mid-send (still `sending` past the send bound) are settled by reading the
   * entity back: `sent` when it shows the change, else `unknown`. One replica wins each try; a try whose settler stopped
   * too (past the bound again since it began) is taken over by the next. Pending approvals whose claim a stopped decider
   * removed are settled as well (Approvals.watchOrphans). Runs at start and then periodically, so a restart or a store
   * that comes back settles them within SETTLE_INTERVAL_MS. Only a process with an approval page does it: approvals
   * exist only where a person can decide them. A send that will pass the bound before the next scan is looked at as
   * it does.
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

  const answer = async (view: View, name: string, args: unknown, ctx: CallContext): Promise<ToolAnswer> => {
    const metaTool = parts.get(view)!.metaByName.get(name);
    if (metaTool) return metaTool.run(args, ctx);
    const tool = config.mode === 'discover' ? undefined : byName.get(name);
    if (!tool) return errorResult(`Unknown tool "${name}". Call tools/list to see the available tools.`);
    const refusal = view.selection.refusal(tool);
    if (refusal) return errorResult(refusal);
    return answeredAs(name, tool, await runner.run(tool, args, ctx));
  };

  return {
    tools,
    selection,
    runner,
    store,
    approvalWeb,
    storeKind: storeKind(config.store),
    listTools: deploymentView.listTools,
    listedCount: deploymentView.listedCount,
    view: deploymentView,
    narrowed,
    createServer(era = 'legacy', peer: Peer = STDIO_PEER, view: View = deploymentView) {
      const { instructions, promptTools } = parts.get(view)!;
      const server = new Server(SERVER_INFO, {
        instructions,
        capabilities: { tools: {}, logging: {}, prompts: {}, resources: {} },
        jsonSchemaValidator, // one shared instance: each new one compiles its own Ajv (HTTP makes one server per request)
        // The legacy era's dialog is asked by askNow (src/server/dialog.ts), not by the SDK's shim, so its failures read like ours.
        inputRequired: { legacyShim: false },
      });
      const narrowedBy = view === deploymentView ? undefined : `${NARROWING_HEADERS.toolsets} / ${NARROWING_HEADERS.readOnly} headers`;
      registerPrompts(server, promptTools, { discover: config.mode === 'discover', prompts, narrowedBy });
      registerResources(server, resources, view.selection);
      server.setRequestHandler('tools/list', async () => ({ tools: view.listTools() }));

      server.setRequestHandler('tools/call', async (request, ctx): Promise<CallToolResult | InputRequiredResult> => {
        const progressToken = ctx.mcpReq._meta?.progressToken;
        const call: CallContext = { signal: ctx.mcpReq.signal };
        if (progressToken !== undefined) {
          call.progress = (progress, total, message) =>
            ctx.mcpReq.notify({ method: 'notifications/progress', params: { progressToken, progress, total, message: redactor.text(message) } });
        }
        const person = currentPerson();
        call.caller = { ...peer, client: clientName(server, ctx), ...(ctx.sessionId ? { session: ctx.sessionId } : {}), ...(person ? { person: person.id } : {}) };
        // A client's own dialog is a person's approval only where the operator says so (--approval-channels dialog).
        if (channels.has('dialog')) call.dialog = dialogRound(server, ctx, era);
        call.approvalId = approvalRetry(ctx, era);
        // The approval page's sign-in link for a client that can open links (a dialog act too): now (legacy), or as the
        // answer's round (modern).
        let link: { url: string; message: string } | undefined;
        if (channels.has('dialog') && !call.dialog && canOpenUrl(server, ctx)) {
          call.openUrl =
            era === 'legacy'
              ? (url, message) => {
                  ctx.mcpReq
                    .elicitInput({ mode: 'url', message: redactor.text(message), url, elicitationId: randomUUID() }, { signal: ctx.mcpReq.signal })
                    .catch(() => {}); // the person's answer only says whether they opened it; the page decides
                }
              : (url, message) => {
                  link = { url, message };
                };
        }
        const log = (level: 'warning' | 'error', data: Record<string, unknown>) => {
          ctx.mcpReq.log(level, data, SERVER_INFO.name).catch(() => {});
        };
        const run = () => requestLog.run(log, () => answer(view, request.params.name, request.params.arguments, call));
        let outcome = await run();
        if (isQuestion(outcome) && era === 'legacy') {
          // The same two rounds as the modern era, the second one here with the answer the dialog gave.
          call.dialog = await askNow(outcome.ask, ctx, config.confirmTtlSeconds * 1000);
          outcome = await run();
        }
        if (isQuestion(outcome)) return questionResult(outcome.ask);
        // A held write whose approval page the client can open for its user: that URL round answers instead.
        if (isHeld(outcome) && link) return openUrlResult(link.url, link.message, outcome.held.approvalId);
        // Every result leaves through the redactor, whatever the upstream echoed into it, and within --max-result-chars.
        return boundResult(redactor.value(isHeld(outcome) ? outcome.result : outcome), config.maxResultChars);
      });
      return server;
    },
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
