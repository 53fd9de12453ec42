// Real clients of both protocol eras (v2 pinned to 2026-07-28, v2 and 1.x on 2025-11-25) over stdio or HTTP, recording every dialog they are asked.
import { type CallToolResult, Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { Client as LegacyClient } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport as LegacyStdioTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport as LegacyHttpTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { CallToolResultSchema, ElicitRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import type { Readable } from 'node:stream';
import { type stdioServer, textOf } from './harness.js';

export const MODERN_VERSION = '2026-07-28';

export type ClientKind = 'modern' | 'legacy-v2' | 'legacy-1x';

/** The three clients, as test/scenarios/eras.test.ts names them. */
export const CLIENT_KINDS: readonly { kind: ClientKind; era: 'modern' | 'legacy'; label: string }[] = [
  { kind: 'modern', era: 'modern', label: 'v2 client pinned to 2026-07-28' },
  { kind: 'legacy-v2', era: 'legacy', label: 'v2 client, default handshake (2025-11-25)' },
  { kind: 'legacy-1x', era: 'legacy', label: '1.x client (2025-11-25)' },
];

/** What a client declares it can show its user (a type, not an interface: the SDKs' capability types are indexable). */
export type Elicitation = { form?: Record<string, never>; url?: Record<string, never> };

/** One dialog the server asked: an elicitation/create request, or (2026-07-28) an input_required round's request. */
export interface Asked {
  mode: 'form' | 'url';
  message: string;
  url?: string;
}

/** What the person (or a bot posing as one) answers a dialog; anything the SDK lets a handler return, or a throw. */
export type Answer = (asked: Asked) => unknown;

/** Over HTTP, `fetch` (e.g. fetchFrom in ./http.ts) decides the address the client's requests come from. */
export type Target =
  | { kind: 'stdio'; server: ReturnType<typeof stdioServer> }
  | { kind: 'http'; url: string; headers?: Record<string, string>; fetch?: typeof globalThis.fetch };

/**
 * Where a held write's flow over HTTP can differ by era or mode: servers of each mode, and the clients to drive them.
 * Stateless: the 2025-era 1.x client most tests use, and a 2026-07-28 client; `--stateful`: a 2025-era client in its
 * session, and a 2026-07-28 client beside it.
 */
export const HTTP_MATRIX: readonly { mode: string; args: readonly string[]; clients: readonly { kind: ClientKind; label: string }[] }[] = [
  {
    mode: 'stateless',
    args: [],
    clients: [
      { kind: 'legacy-1x', label: '1.x client (2025-11-25)' },
      { kind: 'modern', label: 'v2 client pinned to 2026-07-28' },
    ],
  },
  {
    mode: '--stateful',
    args: ['--stateful'],
    clients: [
      { kind: 'legacy-v2', label: 'v2 client (2025-11-25) in a session' },
      { kind: 'modern', label: 'v2 client pinned to 2026-07-28' },
    ],
  },
];

/** HTTP_MATRIX flattened: one cell per client and mode, for tests that need a server of their own per cell. */
export const HTTP_CELLS: readonly { kind: ClientKind; mode: string; args: readonly string[]; label: string }[] = HTTP_MATRIX.flatMap((m) =>
  m.clients.map((c) => ({ kind: c.kind, mode: m.mode, args: m.args, label: `${c.label}, ${m.mode}` })),
);

export interface EraClientOptions {
  /** Client name; the version is always 1.0.0 (the server names a dialog's approver "<name> 1.0.0"). */
  name: string;
  /** Declared elicitation modes; none declared: no dialog can be asked, and no handler is registered. */
  elicitation?: Elicitation;
  answer?: Answer;
}

export interface EraClient {
  kind: ClientKind;
  /** "<name> <version>", as the server's audit and approvals name this client. */
  declaredAs: string;
  asked: Asked[];
  call(name: string, args: Record<string, unknown>): Promise<CallToolResult & { text: string }>;
  /** HTTP: the 2025-era session id (stateful servers), else undefined. */
  sessionId(): string | undefined;
  /** stdio: what the server wrote to stderr so far. */
  stderr(): string;
  /** stdio: resolves once the server's stderr has ended (after close, everything it wrote has arrived). */
  stderrEnded: Promise<void>;
  close(): Promise<void>;
}

const VERSION = '1.0.0';

/** Records the stderr of a spawned server until it ends. */
function drain(stream: Readable | null | undefined): { text: () => string; ended: Promise<void> } {
  let text = '';
  if (!stream) return { text: () => text, ended: Promise.resolve() };
  stream.on('data', (chunk: Buffer) => {
    text += chunk.toString('utf8');
  });
  const ended = new Promise<void>((resolve) => {
    stream.once('end', resolve);
    stream.once('close', resolve);
  });
  return { text: () => text, ended };
}

function asked(params: { mode?: string; message: string; url?: string }): Asked {
  return { mode: params.mode === 'url' ? 'url' : 'form', message: params.message, ...(params.url !== undefined ? { url: params.url } : {}) };
}

/** One tool call by a fresh client of `kind` at `url` (a bot that connects per call), closed after it answers. */
export async function callOnce(kind: ClientKind, url: string, name: string, args: Record<string, unknown>, fetch?: typeof globalThis.fetch) {
  const client = await connectEra(kind, { kind: 'http', url, ...(fetch ? { fetch } : {}) }, { name: `${kind}-bot` });
  try {
    return await client.call(name, args);
  } finally {
    await client.close();
  }
}

/** Connects a client of `kind` to `target`. */
export async function connectEra(kind: ClientKind, target: Target, options: EraClientOptions): Promise<EraClient> {
  const seen: Asked[] = [];
  const answer = options.answer ?? (() => ({ action: 'decline' }));
  const capabilities = options.elicitation ? { elicitation: options.elicitation } : {};
  const info = { name: options.name, version: VERSION };
  const requestInit = target.kind === 'http' && target.headers ? { headers: target.headers } : undefined;
  const fetch = target.kind === 'http' ? target.fetch : undefined;

  if (kind === 'legacy-1x') {
    const client = new LegacyClient(info, { capabilities });
    if (options.elicitation) {
      client.setRequestHandler(ElicitRequestSchema, async (request) => {
        const params = request.params as { mode?: string; message: string; url?: string };
        seen.push(asked(params));
        return answer(asked(params)) as never;
      });
    }
    const transport = target.kind === 'stdio' ? new LegacyStdioTransport(target.server) : new LegacyHttpTransport(new URL(target.url), { requestInit, fetch });
    const stderr = drain(transport instanceof LegacyStdioTransport ? (transport.stderr as Readable | null) : undefined);
    await client.connect(transport);
    return {
      kind,
      declaredAs: `${info.name} ${VERSION}`,
      asked: seen,
      async call(name, args) {
        const result = (await client.callTool({ name, arguments: args }, CallToolResultSchema)) as CallToolResult;
        return { ...result, text: textOf(result) };
      },
      sessionId: () => (transport instanceof LegacyHttpTransport ? transport.sessionId : undefined),
      stderr: stderr.text,
      stderrEnded: stderr.ended,
      close: () => client.close(),
    };
  }

  const client = new Client(info, { ...(kind === 'modern' && { versionNegotiation: { mode: { pin: MODERN_VERSION } } }), capabilities });
  if (options.elicitation) {
    client.setRequestHandler('elicitation/create', async (request) => {
      const params = request.params as { mode?: string; message: string; url?: string };
      seen.push(asked(params));
      return answer(asked(params)) as never;
    });
  }
  const transport = target.kind === 'stdio' ? new StdioClientTransport(target.server) : new StreamableHTTPClientTransport(new URL(target.url), { requestInit, fetch });
  const stderr = drain(transport instanceof StdioClientTransport ? (transport.stderr as Readable | null) : undefined);
  await client.connect(transport);
  const era = client.getProtocolEra();
  if (era !== (kind === 'modern' ? 'modern' : 'legacy')) throw new Error(`${kind} client negotiated the ${era} era`);
  return {
    kind,
    declaredAs: `${info.name} ${VERSION}`,
    asked: seen,
    async call(name, args) {
      const result = (await client.callTool({ name, arguments: args })) as CallToolResult;
      return { ...result, text: textOf(result) };
    },
    sessionId: () => (transport instanceof StreamableHTTPClientTransport ? transport.sessionId : undefined),
    stderr: stderr.text,
    stderrEnded: stderr.ended,
    close: () => client.close(),
  };
}
