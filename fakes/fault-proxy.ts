// A fault-injecting HTTP proxy on loopback: forwards to a fake API and misbehaves on cue (resets, hangs, drips, junk, floods).
import { Agent, request as httpRequest, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { closeServer, createFakeServer, listenOnLoopback, readCall, sleep } from './intake/http.js';

const MAX_BODY_BYTES = 16 * 1024 * 1024;

/** Which requests a rule applies to; every given field must match. */
export interface FaultMatch {
  /** HTTP method, any case. */
  method?: string;
  /**
   * The path below the proxy's base path (the upstream's, e.g. `/v5`), without the query string: `/ad_accounts/1` for
   * `GET /v5/ad_accounts/1?x=1`, as the emulator records `path`. A string must be equal; a RegExp is tested.
   */
  path?: string | RegExp;
  /** How many matching requests the rule applies to (default 1); rules are tried in the order injected. */
  times?: number;
}

/**
 * Answers without forwarding: any status, headers and body (a string is sent as is, anything else as JSON).
 * `retryAfter` sets `Retry-After`: a number of seconds, or a Date sent as an HTTP date.
 * `spam: true` is Pinterest's abuse refusal: status 429 (unless given) and a JSON body whose message says spam/abuse.
 * See LOAD_BALANCER_502 for a load balancer's HTML error page.
 */
export interface StatusFault {
  kind: 'status';
  status?: number;
  headers?: Record<string, string>;
  body?: unknown;
  /** Default: application/json for non-string bodies, text/plain for strings. */
  contentType?: string;
  retryAfter?: number | Date;
  spam?: boolean;
}

/**
 * Forwards the request (so the upstream processes it), reads the upstream's whole answer, then kills the client's
 * connection. With `deliverBytes` undefined nothing of the answer is delivered; with a number, the status line, the
 * upstream's headers (its Content-Length included, so the client can tell the body is short) and that many bytes of the
 * body are delivered first. `how`: 'reset' (default) sends a TCP RST (ECONNRESET); 'close' ends the connection with a
 * FIN (the client sees the server close early). Partial deliveries wait until the bytes are written before closing.
 */
export interface ResetAfterBodyFault {
  kind: 'reset-after-body';
  deliverBytes?: number;
  how?: 'reset' | 'close';
}

/**
 * Never answers: the connection stays open until the client gives up (or the proxy closes). With `forward: true` the
 * request is first sent to the upstream and its answer read and dropped, so the upstream saw (and applied) it.
 */
export interface HangFault {
  kind: 'hang';
  forward?: boolean;
}

/**
 * Forwards, then delivers the upstream's status and headers at once and its body `bytes` bytes (default 16) every
 * `everyMs` ms (default 50): a slow network or a server trickling its answer.
 */
export interface DripFault {
  kind: 'drip';
  bytes?: number;
  everyMs?: number;
}

/**
 * Answers 200 with a body that is not JSON. `body`: 'login-page' (default, an HTML sign-in page served as text/html),
 * 'truncated' (the upstream's JSON cut in half when forwarded, else a cut object, served as application/json with a
 * correct Content-Length for the cut text), or any string (served with `contentType`, default text/html).
 * `forward: true` (default false) sends the request upstream first: a write applied, then a garbled answer.
 */
export interface InvalidJsonFault {
  kind: 'invalid-json-200';
  body?: 'login-page' | 'truncated' | string;
  contentType?: string;
  forward?: boolean;
}

/**
 * Answers 200 with a JSON-looking body of `bytes` bytes (`{"items":[` + repeated items + `]}`), generated on the fly
 * from one reused chunk and written only as fast as the client reads (it is never held whole in the proxy).
 * `declareLength` sends Content-Length (default: chunked, no length). `forward: true` sends the request upstream first.
 */
export interface OversizedFault {
  kind: 'oversized';
  bytes: number;
  declareLength?: boolean;
  forward?: boolean;
}

/**
 * Answers without forwarding, echoing the request's method, URL, headers (Authorization included) and body, as
 * misconfigured APIs and proxies do: `format` 'json' (default; the `message` also lists the headers, as some error
 * pages do), 'html' (an error page) or 'text' (a plain dump); `status` default 200; `spelling` how each header value
 * and the body are written (see EchoSpelling).
 */
export interface EchoFault {
  kind: 'echo';
  status?: number;
  format?: 'json' | 'html' | 'text';
  spelling?: EchoSpelling;
}

/**
 * How an echo writes what it repeats, as upstreams that encode or shorten credentials do: 'raw' (default), 'base64'
 * or 'base64url' (each value encoded, `Bearer ` included, so the token sits inside the encoding), 'prefix' (the first
 * 24 characters and `...`), 'suffix' (`...` and the last 16), 'entities' (every character a numeric HTML character
 * reference, decimal and hex in turn).
 */
export type EchoSpelling = 'raw' | 'base64' | 'base64url' | 'prefix' | 'suffix' | 'entities';

const ECHO_SPELLINGS: Readonly<Record<EchoSpelling, (text: string) => string>> = {
  raw: (text) => text,
  base64: (text) => Buffer.from(text, 'utf8').toString('base64'),
  base64url: (text) => Buffer.from(text, 'utf8').toString('base64url'),
  prefix: (text) => (text.length > 24 ? `${text.slice(0, 24)}...` : text),
  suffix: (text) => (text.length > 16 ? `...${text.slice(-16)}` : text),
  entities: (text) => [...text].map((c, i) => (i % 2 ? `&#x${c.codePointAt(0)!.toString(16)};` : `&#${c.codePointAt(0)};`)).join(''),
};

export type Fault = StatusFault | ResetAfterBodyFault | HangFault | DripFault | InvalidJsonFault | OversizedFault | EchoFault;
export type FaultKind = Fault['kind'];
export type FaultRule = FaultMatch & Fault;

/** What the proxy saw of one request and what it did with it. */
export interface ProxiedRequest {
  method: string;
  /** Below the base path, without the query string (what rules match). */
  path: string;
  /** As received: path and query. */
  url: string;
  headers: Record<string, string>;
  /** The request body as UTF-8 text ('' when empty). */
  body: string;
  /** The fault applied, or null when passed through untouched. */
  fault: FaultKind | null;
  /** Whether the request was sent to the upstream. */
  forwarded: boolean;
  /** The upstream's status when forwarded and answered. */
  upstreamStatus?: number;
  /** Body bytes written to the client so far. */
  bytesSent: number;
  /** Set once the exchange with the client is over (answered, killed, or abandoned by the client). */
  done: boolean;
}

/** A rule once injected: how often it applied and how many applications remain. */
export interface InjectedRule {
  readonly rule: FaultRule;
  readonly applied: number;
  readonly remaining: number;
}

export interface FaultProxy {
  /** Base URL for clients, the upstream's with the proxy's origin: `http://127.0.0.1:PORT/v5` for Pinterest. */
  url: string;
  /** http://127.0.0.1:PORT */
  origin: string;
  /** Every request received, in order. */
  requests: ProxiedRequest[];
  /** How many requests were forwarded upstream, optionally only those matching a method and/or path. */
  forwarded(filter?: { method?: string; path?: string | RegExp }): number;
  inject(rule: FaultRule): InjectedRule;
  /** Removes every rule not yet used up. */
  clear(): void;
  /** Stops listening and ends every open connection, hanging and dripping ones included. */
  close(): Promise<void>;
}

export interface FaultProxyOptions {
  /** The upstream's base URL (an emulator's `url`), http on loopback. */
  upstream: string;
  /** Default 0 (a free port). */
  port?: number;
}

/** A load balancer's own 502 page (HTML, not the API's JSON), for `{ kind: 'status', status: 502, body: LOAD_BALANCER_502, contentType: 'text/html' }`. */
export const LOAD_BALANCER_502 =
  '<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n';

/** A captive portal's or SSO proxy's sign-in page, served with 200 where JSON was expected. */
export const LOGIN_PAGE =
  '<!DOCTYPE html><html><head><title>Sign in</title></head><body><form method="post" action="/login">' +
  '<label>Email <input name="email"></label><label>Password <input name="password" type="password"></label>' +
  '<button type="submit">Sign in</button></form></body></html>';

/** The message of Pinterest's abuse refusal (a 429 the client must not retry). */
export const SPAM_MESSAGE = 'Your request was blocked because it looks like spam or abuse of the Pinterest API.';

/** One item of an oversized body. */
const OVERSIZED_ITEM = '{"id":"1057925269001","title":"oversized answer item","description":"padding padding padding"},';
const OVERSIZED_CHUNK = Buffer.from(OVERSIZED_ITEM.repeat(Math.ceil(65_536 / OVERSIZED_ITEM.length)));

/** Headers that describe one connection, not the message; never copied across the proxy. */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'te', 'trailer', 'upgrade', 'host']);

interface ActiveRule {
  rule: FaultRule;
  applied: number;
  remaining: number;
}

interface UpstreamAnswer {
  status: number;
  headers: Record<string, string | string[]>;
  body: Buffer;
}

function pathMatches(pattern: string | RegExp | undefined, path: string): boolean {
  if (pattern === undefined) return true;
  if (typeof pattern === 'string') return pattern === path;
  pattern.lastIndex = 0;
  return pattern.test(path);
}

function endToEnd(headers: IncomingHttpHeaders): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined && !HOP_BY_HOP.has(name.toLowerCase())) out[name] = value;
  }
  return out;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export async function startFaultProxy(options: FaultProxyOptions): Promise<FaultProxy> {
  const upstream = new URL(options.upstream);
  if (upstream.protocol !== 'http:') throw new Error(`the fault proxy forwards to http only, not ${upstream.protocol}`);
  if (!['127.0.0.1', 'localhost', '[::1]'].includes(upstream.hostname)) throw new Error(`the fault proxy forwards to loopback only, not ${upstream.hostname}`);
  const basePath = upstream.pathname.replace(/\/+$/, '');
  const agent = new Agent({ keepAlive: true });
  const requests: ProxiedRequest[] = [];
  let rules: ActiveRule[] = [];
  /** Open client connections, ended by close() (hanging ones never end by themselves). */
  const sockets = new Set<Socket>();
  let closing = false;

  function take(method: string, path: string): FaultRule | undefined {
    const active = rules.find(
      (r) => r.remaining > 0 && (r.rule.method === undefined || r.rule.method.toUpperCase() === method) && pathMatches(r.rule.path, path),
    );
    if (!active) return undefined;
    active.applied += 1;
    active.remaining -= 1;
    if (active.remaining <= 0) rules = rules.filter((r) => r !== active);
    return active.rule;
  }

  /** Sends the request upstream and reads the whole answer. */
  function forwardBuffered(req: IncomingMessage, body: Buffer, record: ProxiedRequest): Promise<UpstreamAnswer> {
    return new Promise((resolve, reject) => {
      const out = httpRequest(
        { host: upstream.hostname.replace(/^\[|\]$/g, ''), port: upstream.port, method: req.method, path: req.url, headers: upstreamHeaders(req, body), agent },
        (answer) => {
          record.upstreamStatus = answer.statusCode;
          const chunks: Buffer[] = [];
          answer.on('data', (chunk: Buffer) => chunks.push(chunk));
          answer.on('end', () => resolve({ status: answer.statusCode ?? 502, headers: endToEnd(answer.headers), body: Buffer.concat(chunks) }));
          answer.on('error', reject);
        },
      );
      record.forwarded = true;
      out.on('error', reject);
      out.end(body);
    });
  }

  function upstreamHeaders(req: IncomingMessage, body: Buffer): Record<string, string | string[]> {
    const headers = endToEnd(req.headers);
    delete headers['content-length'];
    if (body.length || req.headers['content-length'] !== undefined) headers['content-length'] = String(body.length);
    headers.host = upstream.host;
    return headers;
  }

  /** Writes `text` with its length; marks the exchange done when written. */
  function sendWhole(res: ServerResponse, record: ProxiedRequest, status: number, headers: Record<string, string | string[]>, body: Buffer | string): void {
    const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
    const out = { ...headers };
    for (const name of Object.keys(out)) if (name.toLowerCase() === 'content-length') delete out[name];
    out['content-length'] = String(bytes.length);
    res.writeHead(status, out);
    res.end(bytes, () => {
      record.bytesSent += bytes.length;
    });
  }

  /** Writes `chunk`, resolving once the client has taken it (backpressure), or false when the client went away. */
  function write(res: ServerResponse, chunk: Buffer): Promise<boolean> {
    if (res.destroyed || closing) return Promise.resolve(false);
    if (res.write(chunk)) return Promise.resolve(true);
    return new Promise((resolve) => {
      const settle = (ok: boolean) => () => {
        res.off('drain', onDrain);
        res.off('close', onClose);
        resolve(ok && !res.destroyed);
      };
      const onDrain = settle(true);
      const onClose = settle(false);
      res.on('drain', onDrain);
      res.on('close', onClose);
    });
  }

  async function passThrough(req: IncomingMessage, res: ServerResponse, body: Buffer, record: ProxiedRequest): Promise<void> {
    const answer = await forwardBuffered(req, body, record);
    sendWhole(res, record, answer.status, answer.headers, answer.body);
  }

  async function apply(rule: FaultRule, req: IncomingMessage, res: ServerResponse, body: Buffer, record: ProxiedRequest): Promise<void> {
    switch (rule.kind) {
      case 'status': {
        const status = rule.status ?? (rule.spam ? 429 : 500);
        const payload = rule.body !== undefined ? rule.body : rule.spam ? { code: 8, message: SPAM_MESSAGE } : { code: status, message: `Injected ${status}` };
        const text = typeof payload === 'string' ? payload : JSON.stringify(payload);
        const headers: Record<string, string> = {
          'content-type': rule.contentType ?? (typeof payload === 'string' ? 'text/plain; charset=utf-8' : 'application/json'),
          ...rule.headers,
        };
        if (rule.retryAfter !== undefined) {
          headers['retry-after'] = rule.retryAfter instanceof Date ? rule.retryAfter.toUTCString() : String(rule.retryAfter);
        }
        sendWhole(res, record, status, headers, text);
        return;
      }
      case 'reset-after-body': {
        const answer = await forwardBuffered(req, body, record);
        const socket = req.socket;
        if (rule.deliverBytes !== undefined) {
          const part = answer.body.subarray(0, Math.max(0, rule.deliverBytes));
          // The upstream's headers as they are (Content-Length of the whole body), then part of the body.
          res.writeHead(answer.status, { ...answer.headers, 'content-length': String(answer.body.length) });
          res.flushHeaders();
          if (part.length) await write(res, part);
          record.bytesSent += part.length;
          await new Promise<void>((resolve) => socket.write('', () => resolve()));
          await sleep(20); // let the peer read what was delivered before the connection dies
        }
        kill(socket, rule.how ?? 'reset');
        record.done = true;
        return;
      }
      case 'hang': {
        if (rule.forward) await forwardBuffered(req, body, record);
        // Nothing is written; the socket is ended by the client giving up or by close().
        return;
      }
      case 'drip': {
        const answer = await forwardBuffered(req, body, record);
        res.writeHead(answer.status, { ...answer.headers, 'content-length': String(answer.body.length) });
        res.flushHeaders();
        const step = Math.max(1, rule.bytes ?? 16);
        for (let at = 0; at < answer.body.length; at += step) {
          if (at > 0) await sleep(Math.max(0, rule.everyMs ?? 50));
          const chunk = answer.body.subarray(at, at + step);
          if (!(await write(res, chunk))) return;
          record.bytesSent += chunk.length;
        }
        res.end();
        return;
      }
      case 'invalid-json-200': {
        const answer = rule.forward ? await forwardBuffered(req, body, record) : undefined;
        const kind = rule.body ?? 'login-page';
        if (kind === 'truncated') {
          const whole = answer?.body.length ? answer.body : Buffer.from('{"id":"1057925269001","title":"a pin","description":"cut off here');
          sendWhole(res, record, 200, { 'content-type': 'application/json' }, whole.subarray(0, Math.max(1, Math.floor(whole.length / 2))));
        } else {
          const text = kind === 'login-page' ? LOGIN_PAGE : kind;
          sendWhole(res, record, 200, { 'content-type': rule.contentType ?? 'text/html; charset=utf-8' }, text);
        }
        return;
      }
      case 'oversized': {
        if (rule.forward) await forwardBuffered(req, body, record);
        await streamOversized(res, record, rule);
        return;
      }
      case 'echo': {
        const status = rule.status ?? 200;
        const spell = ECHO_SPELLINGS[rule.spelling ?? 'raw'];
        const headers = Object.fromEntries(Object.entries(record.headers).map(([name, value]) => [name, spell(value)]));
        const body = record.body && spell(record.body);
        const lines = Object.entries(headers).map(([name, value]) => `${name}: ${value}`);
        if (rule.format === 'html') {
          // Character references are HTML already; everything else is escaped.
          const value = rule.spelling === 'entities' ? (text: string) => text : escapeHtml;
          const dump = [escapeHtml(`${record.method} ${record.url}`), ...Object.entries(headers).map(([name, v]) => `${escapeHtml(name)}: ${value(v)}`), '', value(body)];
          const html = `<html><body><h1>${status}</h1><pre>${dump.join('\n')}</pre></body></html>`;
          sendWhole(res, record, status, { 'content-type': 'text/html; charset=utf-8' }, html);
        } else if (rule.format === 'text') {
          sendWhole(res, record, status, { 'content-type': 'text/plain; charset=utf-8' }, `${record.method} ${record.url}\n${lines.join('\n')}\n\n${body}`);
        } else {
          const echoed = {
            code: status,
            message: `Request headers: ${lines.join('; ')}`,
            method: record.method,
            path: record.path,
            headers,
            body,
          };
          sendWhole(res, record, status, { 'content-type': 'application/json' }, JSON.stringify(echoed));
        }
        return;
      }
    }
  }

  async function streamOversized(res: ServerResponse, record: ProxiedRequest, rule: OversizedFault): Promise<void> {
    const head = Buffer.from('{"items":[');
    const tail = Buffer.from('{"id":"last"}]}');
    const total = Math.max(head.length + tail.length, Math.floor(rule.bytes));
    res.writeHead(200, { 'content-type': 'application/json', ...(rule.declareLength ? { 'content-length': String(total) } : {}) });
    if (!(await write(res, head))) return;
    record.bytesSent += head.length;
    let left = total - head.length - tail.length;
    while (left > 0) {
      // Whole items while they fit; the last stretch is padded with spaces (JSON whitespace) to hit the size exactly.
      const chunk = left >= OVERSIZED_CHUNK.length ? OVERSIZED_CHUNK : padded(left);
      if (!(await write(res, chunk))) return;
      record.bytesSent += chunk.length;
      left -= chunk.length;
    }
    if (!(await write(res, tail))) return;
    record.bytesSent += tail.length;
    res.end();
  }

  function padded(length: number): Buffer {
    const items = Math.floor(length / OVERSIZED_ITEM.length);
    return Buffer.concat([OVERSIZED_CHUNK.subarray(0, items * OVERSIZED_ITEM.length), Buffer.alloc(length - items * OVERSIZED_ITEM.length, ' ')]);
  }

  function kill(socket: Socket, how: 'reset' | 'close'): void {
    if (how === 'reset' && typeof socket.resetAndDestroy === 'function') socket.resetAndDestroy();
    else socket.destroy();
  }

  async function onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const { method, path, url, headers, raw: body } = await readCall(req, basePath, MAX_BODY_BYTES);
    const record: ProxiedRequest = {
      method,
      path,
      url,
      headers,
      body: body.toString('utf8'),
      fault: null,
      forwarded: false,
      bytesSent: 0,
      done: false,
    };
    requests.push(record);
    res.on('close', () => {
      record.done = true;
    });
    const rule = take(method, path);
    record.fault = rule?.kind ?? null;
    try {
      if (rule) await apply(rule, req, res, body, record);
      else await passThrough(req, res, body, record);
    } catch (error) {
      // The upstream failed (refused, reset): answer as a gateway would, unless the fault already wrote.
      if (!res.headersSent && !res.destroyed) {
        sendWhole(res, record, 502, { 'content-type': 'text/plain' }, `fault proxy: upstream failed: ${(error as Error).message}`);
      } else res.destroy();
    }
  }

  const server = createFakeServer(onRequest);
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  const origin = await listenOnLoopback(server, options.port);

  return {
    url: origin + basePath,
    origin,
    requests,
    forwarded(filter = {}) {
      return requests.filter(
        (r) => r.forwarded && (filter.method === undefined || filter.method.toUpperCase() === r.method) && pathMatches(filter.path, r.path),
      ).length;
    },
    inject(rule) {
      const active: ActiveRule = { rule, applied: 0, remaining: Math.max(0, rule.times ?? 1) };
      rules.push(active);
      return {
        rule,
        get applied() {
          return active.applied;
        },
        get remaining() {
          return active.remaining;
        },
      };
    },
    clear() {
      rules = [];
    },
    close() {
      closing = true;
      rules = [];
      const closed = closeServer(server);
      for (const socket of sockets) socket.destroy();
      agent.destroy();
      return closed;
    },
  };
}
