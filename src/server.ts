// Assembles the MCP server: tools from every API, selection, guard, clients and the protocol handlers.
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import {
  CallToolRequestSchema,
  ListToolsRequestSchema,
  type CallToolResult,
  type Tool,
} from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { type ApiId, pinterestApi } from './catalog/apis.js';
import { PINTEREST_AUTH_HELP, staticBearer } from './client/auth.js';
import { ApiClient } from './client/http.js';
import type { Config } from './config.js';
import { SpendGuard } from './guards/guard.js';
import { moneyOverride } from './guards/money-fields.js';
import { buildRequest } from './client/request.js';
import { createStore } from './store.js';
import type { Logger } from './logger.js';
import { buildTools, type ToolDef } from './tools/registry.js';
import { errorResult } from './tools/results.js';
import { ToolRunner } from './tools/runner.js';

export const SERVER_INFO = { name: 'pinterest-api-mcp', version: '0.1.0' } as const;

/** Everything a transport needs: a factory for protocol servers sharing one set of tools, clients and store. */
export interface App {
  tools: readonly ToolDef[];
  runner: ToolRunner;
  createServer(): Server;
  close(): Promise<void>;
}

function listing(tool: ToolDef): Tool {
  return {
    name: tool.name,
    title: tool.title,
    description: tool.description,
    inputSchema: z.toJSONSchema(tool.input, { io: 'input', target: 'draft-7', unrepresentable: 'any' }) as Tool['inputSchema'],
    annotations: tool.annotations,
  };
}

export async function createApp(config: Config, logger: Logger): Promise<App> {
  const tools = buildTools(pinterestApi, { overrideProperty: moneyOverride('pinterest') });
  const byName = new Map(tools.map((t) => [t.name, t]));
  const clients: Record<ApiId, ApiClient | undefined> = {
    pinterest: new ApiClient({
      label: 'Pinterest',
      baseUrl: config.pinterest.baseUrl,
      auth: staticBearer(config.pinterest.accessToken, PINTEREST_AUTH_HELP),
      sandbox: config.pinterest.sandbox,
      ...config.client,
      logger,
    }),
    whop: undefined,
  };
  const store = await createStore(config.store);
  /** Reads for the guard itself (currencies, current values, read-back); they bypass selection and the guard. */
  const read = async (name: string, args: Record<string, unknown>): Promise<unknown> => {
    const tool = byName.get(name);
    const client = tool && clients[tool.api.id];
    if (!tool || !client || tool.writes) throw new Error(`internal read ${name} is not available`);
    return (await client.send(tool.op, buildRequest(tool.op, args))).body;
  };
  const guard = new SpendGuard({
    store,
    read,
    confirmWrites: config.confirmWrites,
    confirmTtlSeconds: config.confirmTtlSeconds,
    caps: config.caps,
    auditLog: config.auditLog,
    logger,
  });
  const runner = new ToolRunner({ clients, guard, logger, maxResultChars: config.maxResultChars });
  let listed: Tool[] | undefined;

  return {
    tools,
    runner,
    createServer() {
      const server = new Server(SERVER_INFO, { capabilities: { tools: {}, logging: {} } });
      server.setRequestHandler(ListToolsRequestSchema, async () => ({ tools: (listed ??= tools.map(listing)) }));
      server.setRequestHandler(CallToolRequestSchema, async (request, extra): Promise<CallToolResult> => {
        const tool = byName.get(request.params.name);
        if (!tool) return errorResult(`Unknown tool "${request.params.name}". Call tools/list to see the available tools.`);
        return runner.run(tool, request.params.arguments, { signal: extra.signal });
      });
      return server;
    },
    async close() {
      await store.disconnect().catch(() => {});
    },
  };
}
