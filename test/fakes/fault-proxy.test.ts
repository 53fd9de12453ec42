// The fault proxy itself, driven with plain fetch and node:http: matching, every fault kind, streaming, clean close.
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { runInNewContext } from 'node:vm';
import { setFlagsFromString } from 'node:v8';
import { setImmediate as nextTurn, setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { isAbuse429 } from '../../src/http/errors.js';
import { type Emulator, startEmulator } from '../../fakes/pinterest/server.js';
import { type FaultProxy, LOAD_BALANCER_502, LOGIN_PAGE, startFaultProxy } from '../../fakes/fault-proxy.js';
import { WHOP_SEED, WHOP_TEST_KEY, startWhopEmulator } from '../../fakes/whop/server.js';
import { TOKEN, USD_ACCOUNT, startInProcess } from '../helpers/harness.js';
import { EVENTUALLY } from '../helpers/waiting.js';

const AUTH = { authorization: `Bearer ${TOKEN}` };
const ACCOUNT_PATH = `/ad_accounts/${USD_ACCOUNT}`;

/** A raw exchange over node:http: status, headers, the body chunks as they came, and how it ended. */
interface Raw {
  status?: number;
  headers?: IncomingMessage['headers'];
  chunks: Buffer[];
  body: Buffer;
  /** The error the exchange ended with (ECONNRESET, aborted), if any. */
  error?: NodeJS.ErrnoException;
  /** ms from sending to the end. */
  ms: number;
}

/** `giveUp`: when it settles, the client gives up (its request destroyed with code CLIENT_TIMEOUT). */
function raw(url: string, init: { method?: string; headers?: Record<string, string>; body?: string; giveUp?: Promise<unknown> } = {}): Promise<Raw> {
  return new Promise((resolve) => {
    const started = Date.now();
    const out: Raw = { chunks: [], body: Buffer.alloc(0), ms: 0 };
    let settled = false;
    const finish = (error?: NodeJS.ErrnoException) => {
      if (settled) return;
      settled = true;
      out.error = error;
      out.body = Buffer.concat(out.chunks);
      out.ms = Date.now() - started;
      resolve(out);
    };
    const req = httpRequest(url, { method: init.method ?? 'GET', headers: { ...AUTH, ...init.headers }, agent: false }, (res) => {
      out.status = res.statusCode;
      out.headers = res.headers;
      res.on('data', (chunk: Buffer) => out.chunks.push(chunk));
      res.on('end', () => finish());
      res.on('error', (error) => finish(error));
      res.on('aborted', () => finish(Object.assign(new Error('aborted'), { code: 'ECONNRESET' })));
    });
    req.on('error', (error) => finish(error));
    void init.giveUp?.then(() => req.destroy(Object.assign(new Error('client gave up'), { code: 'CLIENT_TIMEOUT' })));
    req.end(init.body);
  });
}

function createBoard(proxy: FaultProxy, name: string): Promise<Raw> {
  return raw(`${proxy.url}/boards`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name }) });
}

const boardsNamed = (emulator: Emulator, name: string) => [...emulator.state.boards.values()].filter((b) => b.name === name);

describe('fault proxy in front of the fake Pinterest API', () => {
  let emulator: Emulator;
  let proxy: FaultProxy;
  beforeAll(async () => {
    emulator = await startEmulator();
    proxy = await startFaultProxy({ upstream: emulator.url });
  });
  afterAll(async () => {
    await proxy?.close();
    await emulator?.close();
  });
  beforeEach(() => {
    proxy.clear();
    proxy.requests.length = 0;
    emulator.reset();
  });

  it('has the emulator URL shape and passes requests through untouched without a rule', async () => {
    expect(proxy.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v5$/);
    expect(proxy.url).not.toBe(emulator.url);
    const direct = await fetch(`${emulator.url}/ad_accounts?page_size=2`, { headers: AUTH });
    const proxied = await fetch(`${proxy.url}/ad_accounts?page_size=2`, { headers: AUTH });
    expect(proxied.status).toBe(200);
    expect(proxied.headers.get('content-type')).toBe(direct.headers.get('content-type'));
    expect(await proxied.json()).toEqual(await direct.json());

    const created = await createBoard(proxy, 'through the proxy');
    expect(created.status).toBe(201);
    expect(boardsNamed(emulator, 'through the proxy')).toHaveLength(1);
    const seen = emulator.requests.at(-1)!;
    expect(seen).toMatchObject({ method: 'POST', path: '/boards', valid: true, body: { name: 'through the proxy' } });
    expect(seen.headers.authorization).toBe(AUTH.authorization);
    expect(seen.headers.host).toBe(new URL(emulator.url).host);

    expect(proxy.requests.map((r) => [r.method, r.path, r.url, r.fault, r.forwarded, r.upstreamStatus])).toEqual([
      ['GET', '/ad_accounts', '/v5/ad_accounts?page_size=2', null, true, 200],
      ['POST', '/boards', '/v5/boards', null, true, 201],
    ]);
    expect(proxy.requests[1].body).toBe('{"name":"through the proxy"}');
    expect(proxy.forwarded()).toBe(2);
    expect(proxy.forwarded({ method: 'get' })).toBe(1);
    expect(proxy.forwarded({ path: /^\/boards/ })).toBe(1);
    expect(proxy.forwarded({ method: 'POST', path: '/ad_accounts' })).toBe(0);
  });

  it('matches rules by method and path (string or RegExp, query ignored), in order, `times` times', async () => {
    const byPath = proxy.inject({ path: ACCOUNT_PATH, kind: 'status', status: 503, times: 2 });
    const byMethod = proxy.inject({ method: 'post', path: /^\/boards$/, kind: 'status', status: 418 });
    expect([byPath.applied, byPath.remaining]).toEqual([0, 2]);

    expect((await fetch(`${proxy.url}/ad_accounts`, { headers: AUTH })).status).toBe(200); // a different path
    expect((await fetch(`${proxy.url}${ACCOUNT_PATH}?page_size=1`, { headers: AUTH })).status).toBe(503);
    expect((await createBoard(proxy, 'teapot')).status).toBe(418);
    expect((await createBoard(proxy, 'second')).status).toBe(201); // times defaults to 1
    expect((await fetch(`${proxy.url}${ACCOUNT_PATH}`, { headers: AUTH })).status).toBe(503);
    expect((await fetch(`${proxy.url}${ACCOUNT_PATH}`, { headers: AUTH })).status).toBe(200); // used up
    expect([byPath.applied, byPath.remaining, byMethod.applied, byMethod.remaining]).toEqual([2, 0, 1, 0]);
    expect(proxy.requests.map((r) => r.fault)).toEqual([null, 'status', 'status', null, 'status', null]);

    // The first matching rule wins; clear() drops the rest.
    proxy.inject({ kind: 'status', status: 502 });
    proxy.inject({ kind: 'status', status: 504 });
    expect((await fetch(`${proxy.url}/ad_accounts`, { headers: AUTH })).status).toBe(502);
    proxy.clear();
    expect((await fetch(`${proxy.url}/ad_accounts`, { headers: AUTH })).status).toBe(200);
  });

  describe('status', () => {
    it('answers without forwarding, with Retry-After in seconds or as an HTTP date', async () => {
      proxy.inject({ kind: 'status', status: 429, retryAfter: 7 });
      const later = new Date(Date.UTC(2030, 0, 2, 3, 4, 5));
      proxy.inject({ kind: 'status', status: 503, retryAfter: later, headers: { 'x-extra': 'yes' } });
      const first = await fetch(`${proxy.url}${ACCOUNT_PATH}`, { headers: AUTH });
      expect(first.status).toBe(429);
      expect(first.headers.get('retry-after')).toBe('7');
      expect(first.headers.get('content-type')).toBe('application/json');
      expect(await first.json()).toEqual({ code: 429, message: 'Injected 429' });
      const second = await fetch(`${proxy.url}${ACCOUNT_PATH}`, { headers: AUTH });
      expect(second.headers.get('retry-after')).toBe('Wed, 02 Jan 2030 03:04:05 GMT');
      expect(second.headers.get('x-extra')).toBe('yes');
      expect(emulator.requests).toHaveLength(0);
      expect(proxy.forwarded()).toBe(0);
    });

    it('serves any body and content type: a load balancer HTML page, plain text, a JSON object', async () => {
      proxy.inject({ kind: 'status', status: 502, body: LOAD_BALANCER_502, contentType: 'text/html' });
      proxy.inject({ kind: 'status', status: 500, body: 'upstream connect error' });
      proxy.inject({ kind: 'status', status: 400, body: { code: 1, message: 'nope' } });
      const html = await fetch(`${proxy.url}/boards`, { headers: AUTH });
      expect([html.status, html.headers.get('content-type'), await html.text()]).toEqual([502, 'text/html', LOAD_BALANCER_502]);
      const text = await fetch(`${proxy.url}/boards`, { headers: AUTH });
      expect([text.status, text.headers.get('content-type'), await text.text()]).toEqual([500, 'text/plain; charset=utf-8', 'upstream connect error']);
      const json = await fetch(`${proxy.url}/boards`, { headers: AUTH });
      expect([json.status, await json.json()]).toEqual([400, { code: 1, message: 'nope' }]);
    });

    it('spam mode: a 429 whose JSON message is about spam or abuse', async () => {
      proxy.inject({ kind: 'status', spam: true });
      const answer = await createBoard(proxy, 'spammy');
      expect(answer.status).toBe(429);
      const body = JSON.parse(answer.body.toString()) as { message: string };
      expect(isAbuse429(429, body.message)).toBe(true);
      expect(boardsNamed(emulator, 'spammy')).toHaveLength(0);
    });
  });

  describe('reset-after-body', () => {
    it('lets the upstream apply the request, then resets the connection before any of the answer', async () => {
      proxy.inject({ method: 'POST', kind: 'reset-after-body' });
      const answer = await createBoard(proxy, 'applied then reset');
      expect(answer.status).toBeUndefined();
      expect(answer.error?.code).toBe('ECONNRESET');
      expect(boardsNamed(emulator, 'applied then reset')).toHaveLength(1);
      expect(proxy.requests[0]).toMatchObject({ fault: 'reset-after-body', forwarded: true, upstreamStatus: 201, bytesSent: 0, done: true });
      // fetch sees a failed request, not an answer
      proxy.inject({ kind: 'reset-after-body' });
      await expect(fetch(`${proxy.url}${ACCOUNT_PATH}`, { headers: AUTH })).rejects.toThrow(/fetch failed/);
    });

    it('can deliver the headers and part of the body first, then reset or close', async () => {
      const whole = await raw(`${emulator.url}${ACCOUNT_PATH}`);
      for (const how of ['reset', 'close'] as const) {
        proxy.inject({ kind: 'reset-after-body', deliverBytes: 10, how });
        const answer = await raw(`${proxy.url}${ACCOUNT_PATH}`);
        expect(answer.status, how).toBe(200);
        expect(answer.headers?.['content-length']).toBe(String(whole.body.length));
        expect(answer.body.toString(), how).toBe(whole.body.subarray(0, 10).toString());
        expect(answer.error, how).toBeDefined();
      }
    });
  });

  describe('hang', () => {
    it('never answers, until the client gives up; without forward the upstream never sees it', async () => {
      proxy.inject({ kind: 'hang' });
      // The client gives up 300 ms after the proxy has its request (however long that took): no answer came meanwhile.
      const arrived = vi.waitFor(() => expect(proxy.requests).toHaveLength(1), EVENTUALLY);
      const answer = await raw(`${proxy.url}${ACCOUNT_PATH}`, { giveUp: arrived.then(() => sleep(300)) });
      expect(answer.status).toBeUndefined();
      expect(answer.error?.code).toBe('CLIENT_TIMEOUT');
      expect(emulator.requests).toHaveLength(0);
      await expect(fetch(`${proxy.url}${ACCOUNT_PATH}`, { headers: AUTH }).then((r) => r.status)).resolves.toBe(200);
      // The proxy learns of the client's going on its own turn of the event loop.
      await vi.waitFor(() => expect(proxy.requests[0]).toMatchObject({ fault: 'hang', forwarded: false, bytesSent: 0, done: true }), EVENTUALLY);
    });

    it('with forward: the upstream applied it, and still no answer comes', async () => {
      proxy.inject({ method: 'POST', kind: 'hang', forward: true });
      const giveUp = new AbortController();
      const posting = fetch(`${proxy.url}/boards`, {
        method: 'POST',
        headers: { ...AUTH, 'content-type': 'application/json' },
        body: '{"name":"hung"}',
        signal: giveUp.signal,
      });
      // The client gives up once the upstream has answered the proxy: the proxy had the answer, and kept it.
      await vi.waitFor(() => expect(proxy.requests[0]?.upstreamStatus).toBe(201), EVENTUALLY);
      giveUp.abort();
      await expect(posting).rejects.toThrow(/aborted/i);
      expect(boardsNamed(emulator, 'hung')).toHaveLength(1);
      expect(proxy.requests[0]).toMatchObject({ forwarded: true, upstreamStatus: 201, bytesSent: 0 });
    });

    it('close() ends hanging connections', async () => {
      const own = await startFaultProxy({ upstream: emulator.url });
      own.inject({ kind: 'hang', times: 2 });
      const hanging = [raw(`${own.url}${ACCOUNT_PATH}`), raw(`${own.url}/boards`)];
      await vi.waitFor(() => expect(own.requests).toHaveLength(2), EVENTUALLY);
      await own.close();
      // Left open, these would never end (the test would time out).
      const ended = await Promise.all(hanging);
      expect(ended.map((r) => r.error?.code)).toEqual(['ECONNRESET', 'ECONNRESET']);
      // The server side learns of the closed sockets on its own turn of the event loop.
      await vi.waitFor(() => expect(own.requests.map((r) => r.done)).toEqual([true, true]), EVENTUALLY);
    });
  });

  it('drip: the whole upstream answer, N bytes every M ms', async () => {
    const whole = await raw(`${emulator.url}${ACCOUNT_PATH}`);
    proxy.inject({ kind: 'drip', bytes: 20, everyMs: 25 });
    const answer = await raw(`${proxy.url}${ACCOUNT_PATH}`);
    expect(answer.status).toBe(200);
    expect(answer.body.equals(whole.body)).toBe(true);
    const steps = Math.ceil(whole.body.length / 20);
    expect(steps).toBeGreaterThan(4);
    expect(answer.ms).toBeGreaterThanOrEqual((steps - 1) * 25 - 10);
    expect(answer.chunks.length).toBeGreaterThanOrEqual(steps - 1); // arrived piece by piece
    expect(Math.max(...answer.chunks.map((c) => c.length))).toBeLessThanOrEqual(40);
  });

  describe('invalid-json-200', () => {
    it('serves a login page with 200 without forwarding', async () => {
      proxy.inject({ kind: 'invalid-json-200' });
      const answer = await fetch(`${proxy.url}${ACCOUNT_PATH}`, { headers: AUTH });
      expect(answer.status).toBe(200);
      expect(answer.headers.get('content-type')).toMatch(/^text\/html/);
      expect(await answer.text()).toBe(LOGIN_PAGE);
      expect(emulator.requests).toHaveLength(0);
    });

    it('forwarded: the write is applied and its answer arrives cut in half, with a matching length', async () => {
      proxy.inject({ method: 'POST', kind: 'invalid-json-200', body: 'truncated', forward: true });
      const answer = await createBoard(proxy, 'garbled');
      expect(boardsNamed(emulator, 'garbled')).toHaveLength(1);
      expect(answer.status).toBe(200);
      expect(answer.error).toBeUndefined();
      expect(answer.headers?.['content-type']).toBe('application/json');
      expect(answer.headers?.['content-length']).toBe(String(answer.body.length));
      const text = answer.body.toString();
      expect(text.startsWith('{"')).toBe(true);
      expect(() => JSON.parse(text)).toThrow();
      expect(proxy.requests[0]).toMatchObject({ forwarded: true, upstreamStatus: 201 });
    });

    it('serves any other text, or a cut object when not forwarded', async () => {
      proxy.inject({ kind: 'invalid-json-200', body: 'OK', contentType: 'text/plain' });
      proxy.inject({ kind: 'invalid-json-200', body: 'truncated' });
      const ok = await fetch(`${proxy.url}/boards`, { headers: AUTH });
      expect([ok.headers.get('content-type'), await ok.text()]).toEqual(['text/plain', 'OK']);
      const cut = await (await fetch(`${proxy.url}/boards`, { headers: AUTH })).text();
      expect(cut.startsWith('{"id":')).toBe(true);
      expect(() => JSON.parse(cut)).toThrow();
      expect(emulator.requests).toHaveLength(0);
    });
  });

  describe('oversized', () => {
    it('serves exactly the size asked, JSON-looking; a small one parses as a list of items', async () => {
      proxy.inject({ kind: 'oversized', bytes: 1_000_000, declareLength: true });
      const answer = await raw(`${proxy.url}/boards`);
      expect(answer.headers?.['content-length']).toBe('1000000');
      expect(answer.body.length).toBe(1_000_000);
      const parsed = JSON.parse(answer.body.toString()) as { items: { id: string }[] };
      expect(parsed.items.length).toBeGreaterThan(5000);
      expect(parsed.items.at(-1)).toEqual({ id: 'last' });
      expect(emulator.requests).toHaveLength(0);

      proxy.inject({ method: 'POST', kind: 'oversized', bytes: 300_000, forward: true });
      const chunked = await createBoard(proxy, 'flooded');
      expect(chunked.headers?.['content-length']).toBeUndefined();
      expect(chunked.headers?.['transfer-encoding']).toBe('chunked');
      expect(chunked.body.length).toBe(300_000);
      expect(boardsNamed(emulator, 'flooded')).toHaveLength(1);
    });

    it('streams 50 MB as the client reads, without the proxy holding it', async () => {
      setFlagsFromString('--expose-gc');
      const gc = runInNewContext('gc') as () => void;
      const held = () => {
        gc();
        const m = process.memoryUsage();
        return m.heapUsed + m.arrayBuffers;
      };
      const size = 50 * 1024 * 1024;
      proxy.inject({ kind: 'oversized', bytes: size });
      const base = held();
      let peak = 0;
      const result = await new Promise<{ bytes: number; head: string; tail: string; paused: number }>((resolve, reject) => {
        httpRequest(`${proxy.url}/boards`, { headers: AUTH, agent: false }, (res) => {
          let bytes = 0;
          let head = '';
          let tail = '';
          let nextSample = 0;
          let paused = -1;
          res.on('data', (chunk: Buffer) => {
            if (!head) head = chunk.subarray(0, 10).toString();
            tail = (tail + chunk.toString('latin1')).slice(-20);
            bytes += chunk.length;
            if (bytes >= nextSample) {
              nextSample += 5 * 1024 * 1024;
              peak = Math.max(peak, held() - base);
            }
            if (paused < 0 && bytes > size / 4) {
              // Stop reading for a while: a streaming proxy stops writing (socket buffers fill), a buffering one would not.
              res.pause();
              const before = proxy.requests.at(-1)!.bytesSent;
              setTimeout(() => {
                paused = proxy.requests.at(-1)!.bytesSent - before;
                res.resume();
              }, 300);
            }
          });
          res.on('end', () => resolve({ bytes, head, tail, paused }));
          res.on('error', reject);
        }).end();
      });
      expect(result.bytes).toBe(size);
      expect(result.head).toBe('{"items":[');
      expect(result.tail.endsWith('{"id":"last"}]}')).toBe(true);
      expect(result.paused).toBeLessThan(8 * 1024 * 1024); // what socket buffers hold, not the remaining 37 MB
      expect(peak).toBeLessThan(16 * 1024 * 1024);
      expect(proxy.requests.at(-1)).toMatchObject({ bytesSent: size, forwarded: false, done: true });
    });

    it('stops generating when the client goes away', async () => {
      proxy.inject({ kind: 'oversized', bytes: 200 * 1024 * 1024 });
      await new Promise<void>((resolve) => {
        const req = httpRequest(`${proxy.url}/boards`, { headers: AUTH, agent: false }, (res) => {
          res.once('data', () => {
            req.destroy();
            resolve();
          });
        });
        req.on('error', () => {});
        req.end();
      });
      const record = proxy.requests.at(-1)!;
      // The proxy learns of the client's going on its own turn; from then on it writes nothing more.
      await vi.waitFor(() => expect(record.done).toBe(true), EVENTUALLY);
      const sent = record.bytesSent;
      await nextTurn();
      expect(record.bytesSent).toBe(sent);
      expect(sent).toBeLessThan(20 * 1024 * 1024);
    });
  });

  describe('echo', () => {
    it('echoes the request headers, Authorization included, as JSON with the given status', async () => {
      proxy.inject({ kind: 'echo', status: 400 });
      const answer = await fetch(`${proxy.url}${ACCOUNT_PATH}?q=1`, { headers: { ...AUTH, 'x-trace': 'abc' } });
      expect(answer.status).toBe(400);
      const body = (await answer.json()) as { message: string; headers: Record<string, string>; path: string; method: string; body: string };
      expect(body.headers.authorization).toBe(AUTH.authorization);
      expect(body.headers['x-trace']).toBe('abc');
      expect(body.message).toContain(`authorization: ${AUTH.authorization}`);
      expect([body.method, body.path, body.body]).toEqual(['GET', ACCOUNT_PATH, '']);
      expect(emulator.requests).toHaveLength(0);
    });

    it('or as an HTML page (escaped), 200 by default', async () => {
      proxy.inject({ kind: 'echo', format: 'html' });
      const answer = await fetch(`${proxy.url}${ACCOUNT_PATH}`, { headers: { ...AUTH, 'x-odd': '<b>' } });
      expect(answer.status).toBe(200);
      expect(answer.headers.get('content-type')).toMatch(/^text\/html/);
      const html = await answer.text();
      expect(html).toContain(`authorization: ${AUTH.authorization}`);
      expect(html).toContain('x-odd: &#60;b&#62;');
      expect(html).not.toContain('<b>');
    });

    it('or as a plain dump of the request line, headers and body', async () => {
      proxy.inject({ kind: 'echo', format: 'text', status: 401 });
      const answer = await fetch(`${proxy.url}/oauth/token`, { method: 'POST', headers: AUTH, body: 'grant_type=refresh_token&refresh_token=r1' });
      expect(answer.status).toBe(401);
      expect(answer.headers.get('content-type')).toMatch(/^text\/plain/);
      const dump = await answer.text();
      expect(dump).toMatch(/^POST \/v5\/oauth\/token\n/);
      expect(dump).toContain(`authorization: ${AUTH.authorization}`);
      expect(dump.endsWith('\n\ngrant_type=refresh_token&refresh_token=r1')).toBe(true);
    });

    it('spells each header value and the body as asked: base64, base64url, cut to a prefix or suffix, or as character references', async () => {
      const value = 'Bearer pina_echoed-0123456789abcdef';
      const headers = { authorization: value };
      const expected = {
        base64: Buffer.from(value).toString('base64'),
        base64url: Buffer.from(value).toString('base64url'),
        prefix: `${value.slice(0, 24)}...`,
        suffix: `...${value.slice(-16)}`,
      };
      for (const [spelling, spelled] of Object.entries(expected)) {
        proxy.inject({ kind: 'echo', status: 400, spelling: spelling as keyof typeof expected });
        const body = (await (await fetch(`${proxy.url}${ACCOUNT_PATH}`, { headers })).json()) as { message: string; headers: Record<string, string> };
        expect(body.headers.authorization, spelling).toBe(spelled);
        expect(body.message, spelling).toContain(`authorization: ${spelled}`);
        expect(body.message, spelling).not.toContain(value);
      }
      proxy.inject({ kind: 'echo', format: 'html', spelling: 'entities' });
      const html = await (await fetch(`${proxy.url}/oauth/token`, { method: 'POST', headers, body: 'a=<b>' })).text();
      const references = [...value].map((c, i) => (i % 2 ? `&#x${c.codePointAt(0)!.toString(16)};` : `&#${c.codePointAt(0)};`)).join('');
      expect(html).toContain(`authorization: ${references}`);
      expect(html).toContain('&#97;&#x3d;&#60;&#x62;&#62;</pre>'); // the body, each character once (not escaped again)
      expect(html).not.toContain(value);
      expect(emulator.requests).toHaveLength(0);
    });
  });

  it('answers 502 when the upstream is gone', async () => {
    const gone = await startEmulator();
    const own = await startFaultProxy({ upstream: gone.url });
    await gone.close();
    try {
      const answer = await fetch(`${own.url}${ACCOUNT_PATH}`, { headers: AUTH });
      expect(answer.status).toBe(502);
      expect(await answer.text()).toMatch(/upstream failed/);
    } finally {
      await own.close();
    }
  });

  it('refuses an upstream off loopback', async () => {
    await expect(startFaultProxy({ upstream: 'http://example.com/v5' })).rejects.toThrow(/loopback/);
    await expect(startFaultProxy({ upstream: 'https://127.0.0.1/v5' })).rejects.toThrow(/http only/);
  });

  it('smoke: the MCP server reaches the emulator through the proxy', async () => {
    const h = await startInProcess({ emulator, args: ['--toolsets', 'all'], env: { PINTEREST_API_BASE_URL: proxy.url } });
    try {
      const read = await h.call('ad_accounts_get', { ad_account_id: USD_ACCOUNT });
      expect(read.isError, read.text).toBeFalsy();
      expect(read.structuredContent).toMatchObject({ id: USD_ACCOUNT, currency: 'USD' });
      const write = await h.call('boards_create', { body: { name: 'smoke board' } });
      expect(write.isError, write.text).toBeFalsy();
      expect(boardsNamed(emulator, 'smoke board')).toHaveLength(1);
      expect(proxy.forwarded({ method: 'GET', path: ACCOUNT_PATH })).toBe(1);
      expect(proxy.forwarded({ method: 'POST', path: '/boards' })).toBe(1);
      expect(emulator.requests.every((r) => r.valid)).toBe(true);
      // a fault reaches the tool as an API error
      proxy.inject({ path: ACCOUNT_PATH, kind: 'status', status: 404, body: { code: 404, message: 'gone away' } });
      const refused = await h.call('ad_accounts_get', { ad_account_id: USD_ACCOUNT });
      expect(refused.isError).toBe(true);
      expect(refused.text).toMatch(/404.*gone away/);
    } finally {
      await h.close();
    }
  });
});

describe('fault proxy in front of the fake Whop API', () => {
  it('keeps the /api/v1 base and matches paths below it', async () => {
    const whop = await startWhopEmulator();
    const proxy = await startFaultProxy({ upstream: whop.url });
    try {
      expect(proxy.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/api\/v1$/);
      const body = JSON.stringify({ ad_campaign_id: WHOP_SEED.campaign, title: 'via proxy' });
      const send = () =>
        fetch(`${proxy.url}/ad_groups`, { method: 'POST', headers: { authorization: `Bearer ${WHOP_TEST_KEY}`, 'content-type': 'application/json' }, body });
      proxy.inject({ method: 'POST', path: '/ad_groups', kind: 'status', status: 503 });
      expect((await send()).status).toBe(503);
      expect(whop.requests).toHaveLength(0);
      const created = await send();
      expect(created.status, await created.clone().text()).toBe(200);
      expect(whop.requests).toHaveLength(1);
      expect(whop.requests[0]).toMatchObject({ valid: true, path: '/ad_groups' });
      expect(proxy.forwarded({ path: '/ad_groups' })).toBe(1);
    } finally {
      await proxy.close();
      await whop.close();
    }
  });
});
