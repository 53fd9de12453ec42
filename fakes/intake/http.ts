// The HTTP side every fake shares: reading a request (body within a limit, headers, query), answering, listening on loopback.
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

const HOST = '127.0.0.1';

/** One request as a fake read it, before any catalog looked at it. */
export interface IncomingCall {
  /** Upper case. */
  method: string;
  /** As received: path and query. */
  url: string;
  /** The path as received, without the query string. */
  pathname: string;
  /** Whether the path is the base path or below it. */
  underBase: boolean;
  /** Below the base path (`/v5/pins/1` -> `/pins/1`) when under it, else the whole pathname. */
  path: string;
  /** Raw query string without '?'. */
  rawQuery: string;
  /** Parsed query; repeated keys become arrays. */
  query: Record<string, string | string[]>;
  /** Header names lower-cased, repeated headers joined with ', '. */
  headers: Record<string, string>;
  /** The body, at most the limit of it. */
  raw: Buffer;
}

/** What a fake answers: a JSON body (undefined: none), or a pre-serialized text, with its own headers. */
export interface Answer {
  status: number;
  body?: unknown;
  /** Pre-serialized body (a report file): sent instead of `body`. */
  text?: string;
  headers?: Record<string, string>;
}

/** Reads a request whole: its body (at most `maxBodyBytes`), headers and query, and its path below `basePath`. */
export async function readCall(req: IncomingMessage, basePath: string, maxBodyBytes: number): Promise<IncomingCall> {
  const raw = await readBody(req, maxBodyBytes);
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  const pathname = q >= 0 ? url.slice(0, q) : url;
  const rawQuery = q >= 0 ? url.slice(q + 1) : '';
  const underBase = basePath !== '' && (pathname === basePath || pathname.startsWith(`${basePath}/`));
  return {
    method: (req.method ?? 'GET').toUpperCase(),
    url,
    pathname,
    underBase,
    path: underBase ? pathname.slice(basePath.length) || '/' : pathname,
    rawQuery,
    query: parseQuery(rawQuery),
    headers: flattenHeaders(req.headers),
    raw,
  };
}

/** The request body, at most `maxBytes` of it (the rest is read and dropped, so the fake still answers). */
export function readBody(req: IncomingMessage, maxBytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= maxBytes) chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** Header names lower-cased, a repeated header's values joined with ', '. */
export function flattenHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) out[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

/** A query string's parameters; a repeated key becomes an array of its values. */
export function parseQuery(rawQuery: string): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  if (!rawQuery) return out;
  for (const [key, value] of new URLSearchParams(rawQuery)) {
    const prev = out[key];
    if (prev === undefined) out[key] = value;
    else if (Array.isArray(prev)) prev.push(value);
    else out[key] = [prev, value];
  }
  return out;
}

/** The token of an `Authorization: Bearer <token>` header, or undefined. */
export function bearerToken(authorization: string | undefined): string | undefined {
  return /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '')?.[1];
}

/**
 * An HTTP server for a fake: keep-alive, a malformed request's socket destroyed. When `handle` fails, `crashBody` (given
 * the error) is answered with 500 if nothing was written yet; without `crashBody`, or once writing began, the socket is
 * destroyed.
 */
export function createFakeServer(
  handle: (req: IncomingMessage, res: ServerResponse) => Promise<void>,
  crashBody?: (error: unknown) => unknown,
): Server {
  const server = createServer({ keepAlive: true }, (req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!crashBody || res.headersSent || res.destroyed) return void res.destroy();
      res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify(crashBody(error)));
    });
  });
  server.on('clientError', (_error, socket) => socket.destroy());
  return server;
}

/** Starts `server` on 127.0.0.1 (port 0: a free one) and gives its origin, `http://127.0.0.1:PORT`. Every fake listens so. */
export function listenOnLoopback(server: Server, port = 0): Promise<string> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, HOST, () => {
      server.off('error', reject);
      resolve(`http://${HOST}:${(server.address() as AddressInfo).port}`);
    });
  });
}

/** Stops listening and ends every connection, idle keep-alive ones included. */
export function closeServer(server: Server): Promise<void> {
  return new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

/** Writes an answer: its text or JSON body with Content-Length (JSON unless it names its own Content-Type), or no body. */
export function sendAnswer(res: ServerResponse, answer: Answer): void {
  if (res.destroyed) return;
  const headers: Record<string, string> = { ...answer.headers };
  const text = answer.text ?? (answer.body === undefined || answer.status === 204 ? undefined : JSON.stringify(answer.body));
  if (text === undefined) {
    res.writeHead(answer.status, headers);
    res.end();
    return;
  }
  if (!Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) headers['content-type'] = 'application/json';
  headers['content-length'] = String(Buffer.byteLength(text, 'utf8'));
  res.writeHead(answer.status, headers);
  res.end(text);
}

/** A timer that does not keep the process alive. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
