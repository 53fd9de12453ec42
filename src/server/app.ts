// Assembles the MCP server: tools from every API, selection, views and the protocol handlers of either era; the call machinery (engine.ts) is loaded when first needed.
import { type CallToolResult, type InputRequiredResult, LOG_LEVEL_META_KEY, Server, type Tool } from '@modelcontextprotocol/server';
import { AjvJsonSchemaValidator } from '@modelcontextprotocol/server/validators/ajv';
import { APIS } from '../apis/index.js';
import type { Config } from '../config/index.js';
import { randomUUID } from 'node:crypto';
import { type Era, approvalRetry, askNow, canOpenUrl, clientName, dialogRound, openUrlResult, questionResult } from './dialog.js';
import type { TokenFlow } from '../guard/decide.js';
import type { Caller } from '../guard/types.js';
import { moneyOverride } from '../guard/money-fields.js';
import { type Logger, requestLog } from '../core/logger.js';
import { currentPerson } from '../core/person.js';
import { registerPrompts } from './prompts.js';
import { createResources, registerResources } from './resources.js';
import { redactor } from '../core/redact.js';
import { storeKind } from '../core/store-spec.js';
import { fieldNote } from '../tools/field-notes.js';
import { compactInputSchema, toolListing } from '../tools/listing.js';
import { type MetaTool, describeTool, discoverTools } from '../calls/meta.js';
import { buildTools, type ToolDef, toolsByName } from '../tools/registry.js';
import { answeredAs } from '../calls/renamed.js';
import { boundResult, errorResult } from '../core/results.js';
import { type CallContext, type RunsTools, type ToolAnswer, isHeld, isQuestion } from '../calls/answers.js';
import { reportWorkflow } from '../calls/workflows.js';
import type { ApprovalSurface } from '../approval/surface.js';
import { type Selection, selectTools } from '../tools/selection.js';
import { NARROWING_HEADERS, NOT_NARROWED, type Narrowing, type NarrowingHeaders, narrowSelection, narrowingKey, readNarrowing } from '../tools/narrowing.js';
import { RecentKeys } from '../core/recent.js';
import { VERSION } from '../core/version.js';
import { serverInstructions } from './instructions.js';
import type { Engine } from './engine.js';

export const SERVER_INFO = { name: 'pinterest-api-mcp', version: VERSION } as const;

/** The transport end of a protocol server: which transport, and the client's address (HTTP) or `stdio`. */
export type Peer = Pick<Caller, 'transport' | 'address' | 'where'>;

/** The one client of a stdio server, the person's own app on this computer: also the peer of a server made without one. */
export const STDIO_PEER: Peer = { transport: 'stdio', address: 'stdio', where: 'over stdio on this computer' };

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

/** Everything a transport needs: a factory for protocol servers sharing one set of tools, and the call machinery behind them. */
export interface App {
  /** Every tool of every API, selected or not. */
  tools: readonly ToolDef[];
  selection: Selection;
  /**
   * The call machinery (store, clients, guard, approvals, approval page, runner), started once: by the first tool call
   * or resource read, by a transport that needs it from the start (HTTP: its store and /approvals), or by createApp
   * itself for a store that outlives the process (sqlite, redis), which may hold approved writes to settle.
   */
  engine(): Promise<Engine>;
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
   * `view`, what its client sees (default: the deployment's); `answersOnly`: the transport carries a request's answer
   * and nothing before it (stateless 2025-era HTTP answered as plain JSON), so no warning can reach the client.
   */
  createServer(era?: Era, peer?: Peer, view?: View, answersOnly?: boolean): Server;
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
  if (!pageExists && tokens === 'none' && !channels.has('dialog')) logger.warn({ approval_channels: [...channels] }, surface.nobody);
  for (const warning of surface.warnings) logger.warn(warning.fields ?? {}, warning.message);

  let starting: Promise<Engine> | undefined;
  const engine = (): Promise<Engine> =>
    (starting ??= import('./engine.js')
      .then(({ startEngine }) => startEngine({ config, logger, surface, byName, selection, tokens }))
      .catch((error: unknown) => {
        starting = undefined; // the next call tries again (a store that was down at first)
        throw error;
      }));
  /** The runner the meta tools and workflows call through: the engine's, started by their first call. */
  const runner: RunsTools = { run: async (tool, args, ctx) => (await engine()).runner.run(tool, args, ctx) };
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
  // Read by every protocol server of this app: one account cache, read through the shared client like the guard's reads.
  const resources = createResources({
    server: SERVER_INFO.name,
    apis: APIS.filter((api) => !Object.hasOwn(selection.apisOff, api.id)),
    tools,
    selection,
    read: async (name, args) => (await engine()).read(name, args),
    store: async () => (await engine()).shared,
    approvals: pageExists ? { pending: async () => (await engine()).approvals.pending() } : undefined,
    adAccounts: config.adAccounts,
    maxCachedAccounts: config.maxCachedAccounts,
    maxChars: config.maxResultChars,
  });
  // A store that outlives the process may hold approved writes a stopped process left to settle, and should refuse a
  // bad address at start: its engine starts now. The memory store begins empty, so its engine waits for a first call.
  if (storeKind(config.store) !== 'memory') await engine();

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
    engine,
    storeKind: storeKind(config.store),
    listTools: deploymentView.listTools,
    listedCount: deploymentView.listedCount,
    view: deploymentView,
    narrowed,
    createServer(era = 'legacy', peer: Peer = STDIO_PEER, view: View = deploymentView, answersOnly = false) {
      const { instructions, promptTools } = parts.get(view)!;
      const server = new Server(SERVER_INFO, {
        instructions,
        capabilities: { tools: {}, logging: {}, prompts: {}, resources: {} },
        jsonSchemaValidator, // one shared instance: each new one compiles its own Ajv (HTTP makes one server per request)
        // The legacy era's dialog is asked by askNow (src/server/dialog.ts), not by the SDK's shim, so its failures read like ours.
        inputRequired: { legacyShim: false },
      });
      const narrowedBy = view === deploymentView ? undefined : `${NARROWING_HEADERS.toolsets} / ${NARROWING_HEADERS.readOnly} headers`;
      registerPrompts(server, promptTools, { discover: config.mode === 'discover', narrowedBy });
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
        // The call's warnings go to its client where they can reach it: a 2025-era client (its session's level decides)
        // unless the transport carries only the answer, a 2026-07-28 request that gave its own log level. Only then is
        // the sink bound to the call (AsyncLocalStorage, whose promise hooks cost every later call on Node 20: a tenth
        // of a stateless HTTP call's server CPU, bench:http-raw).
        const logs = !answersOnly && (era === 'legacy' || (ctx.mcpReq.envelope as Record<string, unknown> | undefined)?.[LOG_LEVEL_META_KEY] !== undefined);
        const work = () => answer(view, request.params.name, request.params.arguments, call);
        const run = () => (logs ? requestLog.run(log, work) : work());
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
      const started = starting;
      if (started) await (await started.catch(() => undefined))?.close();
    },
  };
}
