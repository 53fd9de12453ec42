// Assembles the MCP server: tools from every API, selection, guard, clients, store and the protocol handlers.
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { AjvJsonSchemaValidator } from '@modelcontextprotocol/sdk/validation/ajv-provider.js';
import type { RequestHandlerExtra } from '@modelcontextprotocol/sdk/shared/protocol.js';
import {
  type CallToolRequest,
  CallToolRequestSchema,
  ListToolsRequestSchema,
  type CallToolResult,
  type ServerNotification,
  type ServerRequest,
  type Tool,
} from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { type ApiDefinition, pinterestApi, whopApi } from './catalog/apis.js';
import { createClients } from './client/index.js';
import { buildRequest } from './client/request.js';
import type { Config } from './config.js';
import { SpendGuard } from './guards/guard.js';
import { moneyOverride } from './guards/money-fields.js';
import { type LogSink, type Logger, logSinks } from './logger.js';
import { registerPrompts } from './prompts.js';
import { redactor } from './redact.js';
import { type Store, createStore, describeStore, storeKind } from './store.js';
import { fieldNote } from './tools/field-notes.js';
import { compactInputSchema, listingStamp, toolListing } from './tools/listing.js';
import { type MetaTool, describeTool, discoverTools } from './tools/meta.js';
import { buildTools, type ToolDef } from './tools/registry.js';
import { errorResult } from './tools/results.js';
import { type CallContext, ToolRunner } from './tools/runner.js';
import { reportWorkflow } from './tools/workflows.js';
import { type Selection, selectTools } from './tools/selection.js';

export const SERVER_INFO = { name: 'pinterest-api-mcp', version: '0.1.0' } as const;

/** The form shown when the client can ask its user directly (MCP elicitation) to confirm a spend change. */
const CONFIRM_FORM = {
  type: 'object' as const,
  properties: { confirm: { type: 'boolean' as const, title: 'Send this request to the ads API', default: false } },
  required: ['confirm'],
};

/**
 * tools/call as the SDK's protocol layer parses it before any handler: params left unchecked, so that the SDK Server's
 * own check of CallToolRequestSchema runs and answers malformed params (arguments that are not an object, a name that
 * is not a string) with InvalidParams. Registered with CallToolRequestSchema itself, the protocol layer's parse threw a
 * bare ZodError first and the client got -32603 Internal error.
 */
const CallToolEnvelopeSchema = CallToolRequestSchema.extend({ params: z.unknown() });

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
  createServer(): Server;
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

  return {
    tools,
    selection,
    runner,
    store,
    storeKind: storeKind(config.store),
    listTools,
    createServer() {
      const server = new Server(SERVER_INFO, {
        capabilities: { tools: {}, logging: {}, prompts: {} },
        jsonSchemaValidator, // one shared instance: each new one compiles its own Ajv (HTTP makes many servers)
      });
      registerPrompts(server, selection.tools.map((t) => t.name), { discover: config.mode === 'discover' });
      server.setRequestHandler(ListToolsRequestSchema, async () => ({ tools: listTools() }));
      const callTool = async (
        request: CallToolRequest,
        extra: RequestHandlerExtra<ServerRequest, ServerNotification>,
      ): Promise<CallToolResult> => {
        const progressToken = request.params._meta?.progressToken;
        const ctx: CallContext = { signal: extra.signal };
        if (progressToken !== undefined) {
          ctx.progress = (progress, total, message) =>
            extra.sendNotification({ method: 'notifications/progress', params: { progressToken, progress, total, message: redactor.text(message) } });
        }
        if (server.getClientCapabilities()?.elicitation?.form) {
          ctx.askUser = async (message) => {
            const answer = await server.elicitInput(
              { mode: 'form', message: redactor.text(message), requestedSchema: CONFIRM_FORM },
              { signal: extra.signal, timeout: config.confirmTtlSeconds * 1000 },
            );
            if (answer.action !== 'accept') return 'declined';
            const confirm = answer.content?.confirm;
            if (typeof confirm !== 'boolean') throw new Error('the dialog answered accept without a yes/no confirm');
            return confirm ? 'accepted' : 'declined';
          };
        }
        const metaTool = metaByName.get(request.params.name);
        if (metaTool) return metaTool.run(request.params.arguments, ctx);
        const tool = config.mode === 'discover' ? undefined : byName.get(request.params.name);
        if (!tool) return errorResult(`Unknown tool "${request.params.name}". Call tools/list to see the available tools.`);
        const refusal = selection.refusal(tool);
        if (refusal) return errorResult(refusal);
        return runner.run(tool, request.params.arguments, ctx);
      };
      // Every result leaves through the redactor, whatever the upstream echoed into it. The SDK Server checks params
      // against CallToolRequestSchema before this runs (see CallToolEnvelopeSchema).
      server.setRequestHandler(CallToolEnvelopeSchema, async (envelope, extra) =>
        redactor.value(await callTool(envelope as CallToolRequest, extra)),
      );
      // Warnings and errors reach clients that enabled logging (the SDK applies each session's logging/setLevel).
      const sink: LogSink = (level, data) => {
        server.sendLoggingMessage({ level, logger: SERVER_INFO.name, data }).catch(() => {});
      };
      logSinks.add(sink);
      const previousOnClose = server.onclose;
      server.onclose = () => {
        logSinks.delete(sink);
        previousOnClose?.();
      };
      return server;
    },
    async close() {
      await store.disconnect().catch(() => {});
    },
  };
}
