// One 2026-07-28 exchange: a request this transport has already read and parsed, served by the SDK's web-standard
// handler (createMcpHandler), and its Response written back to Node's.
//
// @modelcontextprotocol/node's toNodeHandler does the same two conversions, but given the parsed body it serializes it
// again into the web Request as a body stream, which the handler never reads (it is handed the parsed body): that
// cost 7% of a stateless call's server CPU in this era (bench:http-raw). So the Request here carries no body;
// everything else follows toNodeHandler: the exchange is aborted when the client goes, and the answer (JSON, or an
// event stream with progress) is written as it comes, waiting for the socket to drain.
import { once } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AuthInfo } from '@modelcontextprotocol/server';

/** What createMcpHandler returns, as far as an exchange uses it. */
export interface WebHandler {
  fetch(request: Request, options?: { authInfo?: AuthInfo; parsedBody?: unknown }): Promise<Response>;
}

/** Request headers that describe a body, which the Request built here does not have. */
const BODY_HEADERS = new Set(['content-length', 'transfer-encoding', 'content-encoding']);

export async function serveExchange(
  handler: WebHandler,
  req: IncomingMessage,
  res: ServerResponse,
  parsedBody: unknown,
  authInfo: AuthInfo | undefined,
): Promise<void> {
  // The client going away before the answer is written cancels the exchange (the handler's request signal).
  const gone = new AbortController();
  let written = false;
  res.once('close', () => {
    if (!written) gone.abort();
  });
  if (res.destroyed) gone.abort();
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined || name.startsWith(':') || BODY_HEADERS.has(name)) continue;
    if (Array.isArray(value)) for (const item of value) headers.append(name, item);
    else headers.set(name, value);
  }
  const url = `http://${req.headers.host ?? 'localhost'}${req.url ?? '/'}`;
  const request = new Request(url, { method: req.method, headers, signal: gone.signal });
  const response = await handler.fetch(request, { ...(authInfo !== undefined && { authInfo }), parsedBody });
  res.writeHead(response.status, Object.fromEntries(response.headers));
  if (response.body) {
    for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
      if (gone.signal.aborted) break; // leaving the loop cancels the answer's stream
      if (!res.write(chunk)) await once(res, 'drain', { signal: gone.signal }).catch(() => {});
    }
  }
  written = true;
  res.end();
}
