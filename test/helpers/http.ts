// The app served over Streamable HTTP in this process, an SDK client for it, and raw requests with any header.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { type ChildProcess, spawn } from 'node:child_process';
import { request as httpRequest } from 'node:http';
import { Agent, fetch as undiciFetch } from 'undici';
import { loadConfig } from '../../src/config/index.js';
import { type Emulator, startEmulator } from '../../fakes/pinterest/server.js';
import { afterAll, beforeAll } from 'vitest';
import { type Logger, createLogger } from '../../src/core/logger.js';
import { type App, createApp } from '../../src/server/app.js';
import { type HttpHandle, httpOptions, serveHttp } from '../../src/transports/http.js';
import { SERVER_ENTRY, TOKEN, textOf } from './harness.js';
import { httpApprovalSurface } from '../../src/transports/http.js';

export const INIT = {
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
};
export const MCP_HEADERS = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };

export interface Served {
  app: App;
  http: HttpHandle;
  url: string;
  close(): Promise<void>;
}

/**
 * The app served over HTTP in this process (fast); the built server is spawned where the process itself matters.
 * `logger` receives its log lines (default: none).
 */
export async function serve(emulator: Emulator, args: string[] = [], env: Record<string, string> = {}, logger: Logger = createLogger('silent')): Promise<Served> {
  const config = loadConfig(['--transport', 'http', '--port', '0', ...args], {
    PINTEREST_API_BASE_URL: emulator.url,
    PINTEREST_ACCESS_TOKEN: TOKEN,
    PINTEREST_MCP_RETRIES: '0',
    ...env,
  });
  const app = await createApp(config, logger, httpApprovalSurface(config));
  const http = await serveHttp(app, httpOptions(config), logger);
  return {
    app,
    http,
    url: `${http.url}/mcp`,
    async close() {
      await http.close();
      await app.close();
    },
  };
}

/**
 * For the enclosing describe: a fresh fake API and the app served over HTTP with `args` and `env`, started before its
 * tests (handed to `started`, which keeps them) and closed after them.
 */
export function servedForDescribe(args: string[], env: Record<string, string>, started: (fixture: { emulator: Emulator; served: Served }) => void): void {
  let fixture: { emulator: Emulator; served: Served } | undefined;
  beforeAll(async () => {
    const emulator = await startEmulator();
    fixture = { emulator, served: await serve(emulator, args, env) };
    started(fixture);
  });
  afterAll(async () => {
    await fixture?.served.close();
    await fixture?.emulator.close();
  });
}

/** An SDK client of the server at `url`; `fetch` (e.g. fetchFrom) decides where its requests leave from. */
export async function connect(url: string, headers: Record<string, string> = {}, fetch?: typeof globalThis.fetch): Promise<Client> {
  const client = new Client({ name: 'http-test', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers }, ...(fetch ? { fetch } : {}) }));
  return client;
}

/**
 * A fetch whose connections leave from `localAddress`: another client address on this machine (any of 127.0.0.0/8
 * reaches a server on 127.0.0.1). undici's own fetch with its own Agent, so that the dispatcher matches the fetch.
 */
export function fetchFrom(localAddress: string): typeof globalThis.fetch {
  const dispatcher = new Agent({ localAddress });
  return ((input: Parameters<typeof globalThis.fetch>[0], init?: RequestInit) =>
    undiciFetch(input as Parameters<typeof undiciFetch>[0], { ...(init as Parameters<typeof undiciFetch>[1]), dispatcher })) as unknown as typeof globalThis.fetch;
}

export async function callText(client: Client, name: string, args: Record<string, unknown>) {
  const result = (await client.callTool({ name, arguments: args })) as CallToolResult;
  return { ...result, text: textOf(result) };
}

export interface RawAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** A raw request, so that Host, Origin, bodies and the client's own address can be anything. */
export function raw(
  url: string,
  options: { method?: string; headers?: Record<string, string>; body?: string | Buffer; localAddress?: string },
): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method: options.method ?? 'GET', headers: options.headers, localAddress: options.localAddress }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

/** The built server as a child process; resolves once it logs where it listens. */
export async function spawnServer(args: string[], env: Record<string, string>): Promise<{ child: ChildProcess; url: string; stderr: () => string }> {
  const child = spawn(process.execPath, [SERVER_ENTRY, '--transport', 'http', '--port', '0', ...args], {
    env: { PATH: process.env.PATH ?? '', PINTEREST_MCP_LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${stderr}`)), 15_000);
    child.stderr!.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
      const match = /"url":"(http:[^"]+\/mcp)","mode"/.exec(stderr);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}:\n${stderr}`));
    });
  });
  return { child, url, stderr: () => stderr };
}
