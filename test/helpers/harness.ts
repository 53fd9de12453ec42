// Starts the fake Pinterest API and the server (built, over stdio; or in-process over memory) with a real MCP Client.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { type CallToolResult, type ElicitRequest, ElicitRequestSchema, type ElicitResult } from '@modelcontextprotocol/sdk/types.js';
import { resolve } from 'node:path';
import { loadConfig } from '../../src/config/index.js';
import { type Emulator, startEmulator } from '../../fakes/pinterest/server.js';
import { createLogger } from '../../src/core/logger.js';
import type { App } from '../../src/server/app.js';
import { createStdioApp } from '../../src/transports/stdio.js';

export const TOKEN = 'test-token';
export const USD_ACCOUNT = '549755885175';
export const JPY_ACCOUNT = '549755885176';
export const EUR_ACCOUNT = '549755885177';
/** The weaker, model-held token flow (`--approval model`): tests that drive confirmation tokens ask for it by name. */
export const MODEL_APPROVAL = ['--approval', 'model'] as const;
export const SERVER_ENTRY = resolve(import.meta.dirname, '../../dist/index.js');

export interface Harness {
  client: Client;
  emulator: Emulator;
  /** Calls a tool and returns the result with its first text joined, for readable assertions. */
  call(name: string, args?: Record<string, unknown>): Promise<CallToolResult & { text: string }>;
  /** Requests the fake API received (excluding the guard's own reads when `writesOnly`). */
  sent(filter?: { operationId?: string; writesOnly?: boolean }): Emulator['requests'];
  close(): Promise<void>;
  /** What the server wrote to stderr (stdio harness only). */
  stderr(): string;
  /** stdio harness only: resolves once the server's stderr has ended (after close, all it wrote has arrived). */
  stderrEnded?: Promise<void>;
  /** The server's process id (stdio harness only). */
  pid?: number;
}

export interface HarnessOptions {
  args?: string[];
  env?: Record<string, string>;
  emulator?: Emulator;
  /** Answers the server's elicitations (declares the capability). */
  onElicit?: (request: ElicitRequest) => Promise<ElicitResult>;
  /** The elicitation modes declared with onElicit (default: form). */
  elicitation?: { form?: Record<string, never>; url?: Record<string, never> };
}

/** A result's text blocks joined, for readable assertions (results of either SDK's client). */
export function textOf(result: { content?: readonly { type: string; text?: string }[] }): string {
  return (result.content ?? []).map((c) => (c.type === 'text' ? (c.text ?? '') : '')).join('\n');
}

function wrap(client: Client, emulator: Emulator, close: () => Promise<void>, stderr: () => string = () => ''): Harness {
  return {
    stderr,
    client,
    emulator,
    async call(name, args = {}) {
      const result = (await client.callTool({ name, arguments: args })) as CallToolResult;
      return { ...result, text: textOf(result) };
    },
    sent(filter = {}) {
      return emulator.requests.filter(
        (r) =>
          (!filter.operationId || r.operationId === filter.operationId) && (!filter.writesOnly || r.method !== 'GET'),
      );
    },
    close,
  };
}

function baseEnv(emulator: Emulator, env: Record<string, string> = {}): Record<string, string> {
  return { PINTEREST_API_BASE_URL: emulator.url, PINTEREST_ACCESS_TOKEN: TOKEN, PINTEREST_MCP_RETRIES: '0', ...env };
}

/** How to spawn the built server over stdio against `emulator`: for any SDK's StdioClientTransport. */
export function stdioServer(emulator: Emulator, options: Pick<HarnessOptions, 'args' | 'env'> = {}) {
  const env = { PATH: process.env.PATH ?? '', PINTEREST_MCP_LOG_LEVEL: 'warn', ...baseEnv(emulator, options.env) };
  return { command: process.execPath, args: [SERVER_ENTRY, ...(options.args ?? [])], env, stderr: 'pipe' as const };
}

/** The test client, declaring elicitation and answering it when `onElicit` is given. */
function testClient(options: HarnessOptions): Client {
  const client = new Client(
    { name: 'test-client', version: '1.0.0' },
    options.onElicit ? { capabilities: { elicitation: options.elicitation ?? { form: {} } } } : undefined,
  );
  if (options.onElicit) client.setRequestHandler(ElicitRequestSchema, options.onElicit);
  return client;
}

/** The built server (`dist/index.js`) as a child process over stdio: what users run. */
export async function startStdio(options: HarnessOptions = {}): Promise<Harness> {
  const emulator = options.emulator ?? (await startEmulator());
  const transport = new StdioClientTransport(stdioServer(emulator, options));
  let stderr = '';
  transport.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
  });
  const stderrEnded = new Promise<void>((resolve) => {
    transport.stderr?.once('end', resolve);
    transport.stderr?.once('close', resolve);
  });
  const client = testClient(options);
  await client.connect(transport);
  const harness = wrap(
    client,
    emulator,
    async () => {
      await client.close();
      if (!options.emulator) await emulator.close();
    },
    () => stderr,
  );
  return Object.assign(harness, { pid: transport.pid ?? undefined, stderrEnded });
}

/** The same server in this process over an in-memory transport: faster, for sweeps. */
export async function startInProcess(options: HarnessOptions = {}): Promise<Harness & { app: App }> {
  const emulator = options.emulator ?? (await startEmulator());
  const config = loadConfig(options.args ?? [], baseEnv(emulator, options.env));
  const app = await createStdioApp(config, createLogger('silent'));
  const server = app.createServer();
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await server.connect(serverSide);
  const client = testClient(options);
  await client.connect(clientSide);
  const harness = wrap(client, emulator, async () => {
    await client.close();
    await server.close();
    await app.close();
    if (!options.emulator) await emulator.close();
  });
  return Object.assign(harness, { app });
}
