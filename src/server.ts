// Assembles the MCP server: tools from every API, selection, guard, clients, store and the protocol handlers.
import {
  CLIENT_CAPABILITIES_META_KEY,
  type CallToolResult,
  type ClientCapabilities,
  type InputRequiredResult,
  Server,
  type ServerContext,
  type Tool,
  inputRequired,
  inputResponse,
} from '@modelcontextprotocol/server';
import { AjvJsonSchemaValidator } from '@modelcontextprotocol/server/validators/ajv';
import { type ApiDefinition, pinterestApi, whopApi } from './catalog/apis.js';
import { createClients } from './client/index.js';
import { buildRequest } from './client/request.js';
import type { Config } from './config.js';
import type { DialogAnswer, DialogRound, Question } from './guards/types.js';
import { SpendGuard } from './guards/guard.js';
import { moneyOverride } from './guards/money-fields.js';
import { type Logger, requestLog } from './logger.js';
import { loadPrompts, registerPrompts } from './prompts.js';
import { redactor } from './redact.js';
import { type Store, createStore, describeStore, storeKind } from './store.js';
import { fieldNote } from './tools/field-notes.js';
import { compactInputSchema, listingStamp, toolListing } from './tools/listing.js';
import { type MetaTool, describeTool, discoverTools } from './tools/meta.js';
import { buildTools, type ToolDef } from './tools/registry.js';
import { errorResult } from './tools/results.js';
import { type CallContext, type ToolAnswer, ToolRunner, isQuestion } from './tools/runner.js';
import { reportWorkflow } from './tools/workflows.js';
import { type Selection, selectTools } from './tools/selection.js';

export const SERVER_INFO = { name: 'pinterest-api-mcp', version: '0.1.0' } as const;

/** The form shown when the client can ask its user directly (MCP elicitation) to confirm a spend change. */
const CONFIRM_FORM = {
  type: 'object' as const,
  properties: { confirm: { type: 'boolean' as const, title: 'Send this request to the ads API', default: false } },
  required: ['confirm'],
};

/** The key of the confirmation form among a round's input requests (and of the person's answer on the next round). */
const CONFIRM_KEY = 'confirm';

/** Whether the client can show its user a form: `elicitation.form`, or a bare `elicitation: {}` (form, before modes). */
function canAskForm(capabilities: ClientCapabilities | undefined): boolean {
  const elicitation = capabilities?.elicitation as { form?: unknown; url?: unknown } | undefined;
  if (!elicitation) return false;
  return elicitation.form !== undefined || elicitation.url === undefined;
}

/** What the client declared it can do: per request in the modern era, once at initialize in the legacy era. */
function clientCapabilities(server: Server, ctx: ServerContext): ClientCapabilities | undefined {
  const envelope = ctx.mcpReq.envelope as Record<string, unknown> | undefined;
  return (envelope?.[CLIENT_CAPABILITIES_META_KEY] as ClientCapabilities | undefined) ?? server.getClientCapabilities();
}

/** The person's answer to the confirmation form: only an accept with `confirm: true` confirms. */
function answerOf(action: string, content: unknown): DialogAnswer {
  if (action !== 'accept') return 'declined';
  const confirm = (content as Record<string, unknown> | undefined)?.confirm;
  return confirm === true ? 'accepted' : confirm === false ? 'declined' : 'unanswered';
}

/** The answer a retried modern-era request carries (its `inputResponses`). */
function carriedAnswer(ctx: ServerContext): DialogAnswer {
  const view = inputResponse(ctx.mcpReq.inputResponses, CONFIRM_KEY);
  return view.kind === 'elicit' ? answerOf(view.action, view.content) : 'unanswered';
}

/** The protocol era a server speaks: `legacy` up to 2025-11-25 (initialize), `modern` from 2026-07-28 (per request). */
export type Era = 'legacy' | 'modern';

/** The APIs served; each contributes one tool per operation. */
export const APIS: readonly ApiDefinition[] = [pinterestApi, whopApi];

/** Everything a transport needs: a factory for protocol servers sharing one set of tools, clients and store. */
export interface App {
  /** Every tool of every API, selected or not. */
  tools: readonly ToolDef[];
  selection: Selection;
  runner: ToolRunner;
  store: Store;
  /** `memory`, `sqlite` or `redis`, without the store's address. */
  storeKind: string;
  /** The tools/list answer, built on first use (the HTTP transport builds it as it starts; stdio waits to be asked). */
  listTools(): Tool[];
  /** A protocol server for one connection (stdio, a legacy session) or one request (stateless HTTP) of the given era. */
  createServer(era?: Era): Server;
  close(): Promise<void>;
}

export async function createApp(config: Config, logger: Logger): Promise<App> {
  redactor.add(...config.secrets);
  const tools = APIS.flatMap((api) =>
    buildTools(api, { overrideProperty: moneyOverride(api.id), describeProperty: fieldNote(api.id) }),
  );
  const byName = new Map(tools.map((t) => [t.name, t]));
  const selection = selectTools(tools, config);
  const store = await createStore(config.store);
  const clients = createClients(config, logger, store);

  /** Reads for the guard itself (currencies, current values, read-back); they bypass selection and the guard. */
  const read = async (name: string, args: Record<string, unknown>): Promise<unknown> => {
    const tool = byName.get(name);
    if (!tool || tool.writes) throw new Error(`internal read ${name} is not available`);
    return (await clients[tool.api.id].send(tool.op, buildRequest(tool.op, args))).body;
  };
  const guard = new SpendGuard({
    store,
    storeLabel: describeStore(config.store),
    read,
    confirmWrites: config.confirmWrites,
    confirmTtlSeconds: config.confirmTtlSeconds,
    caps: config.caps,
    adAccounts: config.adAccounts,
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
  // Discover mode lists only meta-tools; tools mode lists the selection plus describe_tool.
  const metaTools: MetaTool[] =
    config.mode === 'discover' ? discoverTools(selection, byName, runner) : [describeTool(selection, byName)];
  const report = config.mode === 'discover' ? undefined : reportWorkflow(selection, byName, runner, config.client);
  if (report) metaTools.push(report);
  const metaByName = new Map(metaTools.map((m) => [m.name, m]));
  const directTools = config.mode === 'discover' ? [] : selection.tools;
  let listed: Tool[] | undefined;
  const listTools = () =>
    (listed ??= [
      ...directTools.map((t) => toolListing(t, compactInputSchema(t, () => listingStamp(tools)))),
      ...metaTools.map((m) => m.listing),
    ]);
  const jsonSchemaValidator = new AjvJsonSchemaValidator();
  const prompts = loadPrompts();
  const promptTools = selection.tools.map((t) => t.name);

  const answer = async (name: string, args: unknown, ctx: CallContext): Promise<ToolAnswer> => {
    const metaTool = metaByName.get(name);
    if (metaTool) return metaTool.run(args, ctx);
    const tool = config.mode === 'discover' ? undefined : byName.get(name);
    if (!tool) return errorResult(`Unknown tool "${name}". Call tools/list to see the available tools.`);
    const refusal = selection.refusal(tool);
    if (refusal) return errorResult(refusal);
    return runner.run(tool, args, ctx);
  };

  return {
    tools,
    selection,
    runner,
    store,
    storeKind: storeKind(config.store),
    listTools,
    createServer(era = 'legacy') {
      const server = new Server(SERVER_INFO, {
        capabilities: { tools: {}, logging: {}, prompts: {} },
        jsonSchemaValidator, // one shared instance: each new one compiles its own Ajv (HTTP makes one server per request)
        // The legacy era's dialog is asked below, not by the SDK's shim, so that its failures read like ours.
        inputRequired: { legacyShim: false },
      });
      registerPrompts(server, promptTools, { discover: config.mode === 'discover', prompts });
      server.setRequestHandler('tools/list', async () => ({ tools: listTools() }));

      /** Legacy era: asks the person now, over the live connection (elicitation/create), within a token's lifetime. */
      const askNow = async (question: Question, ctx: ServerContext): Promise<DialogRound> => {
        try {
          const { action, content } = await ctx.mcpReq.elicitInput(
            { mode: 'form', message: redactor.text(question.message), requestedSchema: CONFIRM_FORM },
            { signal: ctx.mcpReq.signal, timeout: config.confirmTtlSeconds * 1000 },
          );
          return { id: question.state, answer: answerOf(action, content) };
        } catch (error) {
          return { id: question.state, answer: 'failed', failure: (error as Error).message };
        }
      };

      server.setRequestHandler('tools/call', async (request, ctx): Promise<CallToolResult | InputRequiredResult> => {
        const progressToken = ctx.mcpReq._meta?.progressToken;
        const call: CallContext = { signal: ctx.mcpReq.signal };
        if (progressToken !== undefined) {
          call.progress = (progress, total, message) =>
            ctx.mcpReq.notify({ method: 'notifications/progress', params: { progressToken, progress, total, message: redactor.text(message) } });
        }
        if (canAskForm(clientCapabilities(server, ctx))) {
          const state = era === 'modern' ? ctx.mcpReq.requestState<unknown>() : undefined;
          call.dialog = typeof state === 'string' ? { id: state, answer: carriedAnswer(ctx) } : { answer: 'unanswered' };
        }
        const log = (level: 'warning' | 'error', data: Record<string, unknown>) => {
          ctx.mcpReq.log(level, data, SERVER_INFO.name).catch(() => {});
        };
        const run = () => requestLog.run(log, () => answer(request.params.name, request.params.arguments, call));
        let outcome = await run();
        if (isQuestion(outcome) && era === 'legacy') {
          // The same two rounds as the modern era, the second one here with the answer the dialog gave.
          call.dialog = await askNow(outcome.ask, ctx);
          outcome = await run();
        }
        if (isQuestion(outcome)) {
          // Modern era: the client asks the person and retries the call with the answer and this state.
          return inputRequired({
            inputRequests: {
              [CONFIRM_KEY]: inputRequired.elicit({ message: redactor.text(outcome.ask.message), requestedSchema: CONFIRM_FORM }),
            },
            requestState: outcome.ask.state,
          });
        }
        // Every result leaves through the redactor, whatever the upstream echoed into it.
        return redactor.value(outcome);
      });
      return server;
    },
    async close() {
      await store.disconnect().catch(() => {});
    },
  };
}
