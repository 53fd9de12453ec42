// HTTP under abuse: slow headers and bodies cut with 408, bounded session table, store health in /healthz and /readyz.
import type { ChildProcess } from 'node:child_process';
import { type IncomingMessage, request as httpRequest } from 'node:http';
import { connect as connectSocket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { type Emulator, startEmulator } from '../../fakes/pinterest/server.js';
import { USD_ACCOUNT } from '../helpers/harness.js';
import { INIT, MCP_HEADERS, type RawAnswer, type Served, callText, connect, raw, serve } from '../helpers/http.js';
import { freePort, startRedis } from '../helpers/processes.js';
import { EVENTUALLY, gate } from '../helpers/waiting.js';

/** Longest a test waits for the server to act on its own; the server's timeouts in these tests are well below it. */
const DEADLINE_MS = EVENTUALLY.timeout;

/**
 * A client that never finishes its request: sends `start`, then `drip` every 50 ms, and keeps its side open. After
 * the server's end of stream it writes once more, which a closed socket refuses and a half-closed one (that would
 * keep reading whatever the client sends) accepts. Resolves with what the server wrote once the socket is closed.
 */
function dripUntilClosed(port: number, start: string, drip: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connectSocket({ port, host: '127.0.0.1', allowHalfOpen: true });
    let answer = '';
    socket.on('data', (chunk: Buffer) => (answer += chunk.toString('latin1')));
    socket.on('error', () => {}); // writing to the closed socket fails; 'close' follows
    socket.on('end', () => socket.write('?'));
    const dripper = setInterval(() => socket.writable && socket.write(drip), 50);
    const deadline = setTimeout(() => {
      socket.destroy();
      reject(new Error(`the server kept the connection open for ${DEADLINE_MS} ms; it wrote ${JSON.stringify(answer)}`));
    }, DEADLINE_MS);
    socket.on('close', () => {
      clearInterval(dripper);
      clearTimeout(deadline);
      resolve(answer);
    });
    socket.write(start);
  });
}

/** Raw session requests from a chosen local address (all of 127/8 reaches the server on 127.0.0.1). */
function sessionClient(served: () => Served, emulator: () => Emulator) {
  const opened: string[] = [];
  const post = (message: unknown, id?: string, localAddress = '127.0.0.1'): Promise<RawAnswer> =>
    raw(served().url, {
      method: 'POST',
      headers: { ...MCP_HEADERS, ...(id ? { 'mcp-session-id': id, 'mcp-protocol-version': '2025-06-18' } : {}) },
      body: JSON.stringify(message),
      localAddress,
    });
  return {
    post,
    async open(localAddress = '127.0.0.1'): Promise<string> {
      const answer = await post(INIT, undefined, localAddress);
      expect(answer.status, answer.body).toBe(200);
      const id = String(answer.headers['mcp-session-id']);
      opened.push(id);
      return id;
    },
    /** Answers a ping (which counts as a request: the session is no longer idle); false when the server says 404. */
    async alive(id: string): Promise<boolean> {
      const answer = await post({ jsonrpc: '2.0', id: 2, method: 'ping' }, id);
      expect([200, 404], answer.body).toContain(answer.status);
      return answer.status === 200;
    },
    /**
     * Starts a tool call whose answer the fake API holds until `release()`; resolves once the API has received it: the
     * session has a request in flight for as long as the test needs, however slow the machine.
     */
    async heldCall(id: string): Promise<{ answer: Promise<RawAnswer>; release(): void }> {
      const before = emulator().requests.length;
      const held = gate();
      emulator().inject({ operationId: 'ad_accounts/get', hold: held.promise });
      const call = { jsonrpc: '2.0', id: 3, method: 'tools/call', params: { name: 'ad_accounts_get', arguments: { ad_account_id: USD_ACCOUNT } } };
      const answer = post(call, id);
      await vi.waitFor(() => expect(emulator().requests.length).toBeGreaterThan(before), EVENTUALLY);
      return { answer, release: held.open };
    },
    /** Ends every session these tests opened (DELETE), so that each test starts with an empty table. */
    async closeAll(): Promise<void> {
      await Promise.all(opened.splice(0).map((id) => raw(served().url, { method: 'DELETE', headers: { 'mcp-session-id': id } })));
    },
  };
}

/** What a raw client that sent its whole request saw: the server's bytes, and the error its socket got, if any. */
interface WholeRequest {
  answer: string;
  error?: string;
  /** Whether every byte of the request was taken by the socket. */
  sentAll: boolean;
}

/**
 * A client that sends its whole request before it stops, as most do: `head`, then `first` of the body; once the
 * server's complete answer has arrived (servers may answer early), the `rest`. Resolves when the connection is closed.
 */
function sendWholeRequest(port: number, head: string, first: Buffer, rest: Buffer): Promise<WholeRequest> {
  return new Promise((resolve) => {
    const socket = connectSocket({ port, host: '127.0.0.1', allowHalfOpen: true });
    let answer = '';
    let error: string | undefined;
    let sentAll = false;
    let restSent = false;
    socket.on('data', (chunk: Buffer) => {
      answer += chunk.toString('latin1');
      const [headers, body = ''] = answer.split('\r\n\r\n', 2);
      const length = Number(/content-length: (\d+)/i.exec(headers)?.[1] ?? Number.NaN);
      if (!restSent && body.length >= length) {
        restSent = true;
        socket.write(rest, (failed) => (sentAll = !failed));
      }
    });
    socket.on('error', (failed: NodeJS.ErrnoException) => (error = failed.code));
    socket.on('end', () => socket.end());
    socket.on('close', () => resolve({ answer, error, sentAll }));
    socket.write(head);
    socket.write(first);
  });
}

/** `bytes` of body as one HTTP chunk. */
const chunk = (bytes: number, last = false) => Buffer.concat([Buffer.from(`${bytes.toString(16)}\r\n`), Buffer.alloc(bytes, 'x'), Buffer.from(`\r\n${last ? '0\r\n\r\n' : ''}`)]);

describe('bodies over the limit (1,000,000 bytes)', () => {
  let emulator: Emulator;
  let served: Served;
  beforeAll(async () => {
    emulator = await startEmulator();
    served = await serve(emulator, [], { PINTEREST_MCP_MAX_BODY_BYTES: '1000000' });
  });
  afterAll(async () => {
    await served?.close();
    await emulator?.close();
  });

  const requestHead = (framing: string) =>
    `POST /mcp HTTP/1.1\r\n${Object.entries({ ...MCP_HEADERS, host: `127.0.0.1:${served.http.port}` }).map(([k, v]) => `${k}: ${v}\r\n`).join('')}${framing}\r\n\r\n`;
  const refusal = /^HTTP\/1\.1 413 Payload Too Large\r\n[^]*connection: close\r\n[^]*\r\n\r\n\{"jsonrpc":"2\.0","error":\{"code":-32000,"message":"Payload too large: at most 1000000 bytes \(PINTEREST_MCP_MAX_BODY_BYTES\)\."\},"id":null\}$/;

  // Before: the server closed the connection as soon as it had answered, and the client, still sending, got a reset.
  it('answers a chunked body over the limit with 413, and closes the connection only after the client has sent it all', async () => {
    const seen = await sendWholeRequest(served.http.port, requestHead('transfer-encoding: chunked'), chunk(2_000_000), chunk(4_000_000, true));
    expect(seen).toEqual({ answer: expect.stringMatching(refusal), error: undefined, sentAll: true });
    expect(emulator.requests).toHaveLength(0);
  });

  it('answers a declared length over the limit with 413 at once, and closes the connection after the body too', async () => {
    const seen = await sendWholeRequest(served.http.port, requestHead('content-length: 6000000'), Buffer.alloc(1_000_000, 'x'), Buffer.alloc(5_000_000, 'x'));
    expect(seen).toEqual({ answer: expect.stringMatching(refusal), error: undefined, sentAll: true });
  });

  it('gives a node:http client that streams 20 MB chunked the 413 to read', async () => {
    const status = await new Promise<number | undefined>((resolve, reject) => {
      const req = httpRequest(served.url, { method: 'POST', headers: { ...MCP_HEADERS, 'transfer-encoding': 'chunked' } }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode));
      });
      req.on('error', reject);
      const piece = Buffer.alloc(1024 * 1024, 'x');
      let sent = 0;
      const pump = () => {
        while (sent < 20) {
          sent++;
          if (!req.write(piece)) return void req.once('drain', pump);
        }
        req.end();
      };
      pump();
    });
    expect(status).toBe(413);
  });
});

describe('slow clients', () => {
  let emulator: Emulator;
  let served: Served;
  const table = sessionClient(() => served, () => emulator);
  // Short enough to keep the tests quick, long enough that no client sending its whole request at once (every other
  // test's) comes near them on a loaded machine: the slow clients below never finish, so they are cut whatever the load.
  beforeAll(async () => {
    emulator = await startEmulator();
    served = await serve(emulator, ['--stateful'], {
      PINTEREST_MCP_HTTP_HEADERS_TIMEOUT_MS: '1000',
      PINTEREST_MCP_HTTP_REQUEST_TIMEOUT_MS: '2000',
    });
  });
  afterAll(async () => {
    await table.closeAll();
    await served?.close();
    await emulator?.close();
  });

  it('answers 408 and closes the connection of a client still sending headers past the headers timeout', async () => {
    const answer = await dripUntilClosed(served.http.port, 'POST /mcp HTTP/1.1\r\nhost: 127.0.0.1\r\n', 'x-slow: 1\r\n');
    expect(answer).toMatch(/^HTTP\/1\.1 408 Request Timeout\r\n/);
  });

  it('answers 408 and closes the connection of a client that connects and sends nothing', async () => {
    expect(await dripUntilClosed(served.http.port, '', '')).toMatch(/^HTTP\/1\.1 408 /);
  });

  /** A client that drips its body until the server cuts it: resolves with what the server wrote, once it closed the connection. */
  const dripBody = () => {
    const headers = Object.entries({ ...MCP_HEADERS, host: `127.0.0.1:${served.http.port}`, 'content-length': '100000' });
    const start = `POST /mcp HTTP/1.1\r\n${headers.map(([k, v]) => `${k}: ${v}\r\n`).join('')}\r\n{`;
    return dripUntilClosed(served.http.port, start, ' ');
  };

  /**
   * Resolves once the server has enforced the request timeout on a client that began now: a request that began
   * earlier has then been open for longer than the request timeout, and through the check that cut the later one.
   */
  const pastTheRequestTimeout = async () => expect(await dripBody()).toMatch(/^HTTP\/1\.1 408 Request Timeout\r\n/);

  it('answers 408 and closes the connection of a client dripping its body past the request timeout', async () => {
    await pastTheRequestTimeout();
  });

  it('closes the connection of a client that keeps dripping a refused body, once the request timeout has passed', async () => {
    const headers = Object.entries({ ...MCP_HEADERS, host: `127.0.0.1:${served.http.port}`, 'transfer-encoding': 'chunked' });
    // Over the limit at once, then a chunk of 256 MiB announced and dripped: the 413 comes first, the close with the request timeout.
    const start = `POST /mcp HTTP/1.1\r\n${headers.map(([k, v]) => `${k}: ${v}\r\n`).join('')}\r\n${chunk(1_100_000).toString('latin1')}10000000\r\n`;
    expect(await dripUntilClosed(served.http.port, start, 'x')).toMatch(/^HTTP\/1\.1 413 Payload Too Large\r\n/);
  });

  it('answers a malformed request with 400 and closes the connection', async () => {
    expect(await dripUntilClosed(served.http.port, 'NOT HTTP\r\n\r\n', '')).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
  });

  it('answers headers over the size limit with 431 and closes the connection', async () => {
    const start = `GET /healthz HTTP/1.1\r\nhost: 127.0.0.1\r\nx-big: ${'x'.repeat(20_000)}\r\n\r\n`;
    expect(await dripUntilClosed(served.http.port, start, '')).toMatch(/^HTTP\/1\.1 431 Request Header Fields Too Large\r\n/);
  });

  it('lets an answer take longer than the request timeout: a slow call streams its result over SSE', async () => {
    const client = await connect(served.url);
    const answer = gate();
    try {
      const before = emulator.requests.length;
      emulator.inject({ operationId: 'ad_accounts/get', hold: answer.promise });
      const calling = callText(client, 'ad_accounts_get', { ad_account_id: USD_ACCOUNT });
      await vi.waitFor(() => expect(emulator.requests.length).toBeGreaterThan(before), EVENTUALLY);
      // The fake API holds the answer until a request that began after the call has been cut by the request timeout.
      await pastTheRequestTimeout();
      answer.open();
      const result = await calling;
      expect(result.isError, result.text).toBeFalsy();
      expect(result.structuredContent).toMatchObject({ id: USD_ACCOUNT });
    } finally {
      answer.open();
      await client.close();
    }
  });

  it('keeps a GET event stream open past the request timeout (the request ended when its headers did)', async () => {
    const id = await table.open();
    const headers = { accept: 'text/event-stream', 'mcp-session-id': id, 'mcp-protocol-version': '2025-06-18' };
    const stream = await new Promise<IncomingMessage>((resolve, reject) => httpRequest(served.url, { headers }, resolve).on('error', reject).end());
    expect(stream.statusCode).toBe(200);
    let closed = false;
    stream.on('close', () => (closed = true));
    await pastTheRequestTimeout(); // the check that cut a later request saw this one too
    expect(await table.alive(id)).toBe(true); // and the server has answered since
    expect(closed).toBe(false);
    stream.destroy();
  });
});

describe('session table bounds (--stateful, 3 per address, 5 in all)', () => {
  let emulator: Emulator;
  let served: Served;
  const table = sessionClient(() => served, () => emulator);
  beforeAll(async () => {
    emulator = await startEmulator();
    served = await serve(emulator, ['--stateful'], { PINTEREST_MCP_HTTP_MAX_SESSIONS_PER_CLIENT: '3', PINTEREST_MCP_HTTP_MAX_SESSIONS: '5' });
  });
  afterEach(() => table.closeAll());
  afterAll(async () => {
    await served?.close();
    await emulator?.close();
  });

  it('a 4th session from one address closes its longest-idle session, not an older one with a call in flight', async () => {
    const [busy, idlest, recent] = [await table.open(), await table.open(), await table.open()];
    const { answer: call, release } = await table.heldCall(busy);
    expect(await table.alive(idlest)).toBe(true); // now idle since after the call began: only `busy` is older
    expect(await table.alive(recent)).toBe(true);
    const newest = await table.open();
    expect(await table.alive(idlest)).toBe(false);
    release();
    const answer = await call;
    expect(answer.status).toBe(200);
    expect(answer.body).toContain(USD_ACCOUNT);
    for (const id of [busy, recent, newest]) expect(await table.alive(id)).toBe(true);
  });

  it('an evicted session answers 404 "session not found", as an expired one does', async () => {
    const first = await table.open('127.0.0.7');
    for (let i = 0; i < 3; i++) await table.open('127.0.0.7');
    const answer = await table.post({ jsonrpc: '2.0', id: 2, method: 'tools/list' }, first);
    expect(answer.status).toBe(404);
    expect(JSON.parse(answer.body).error).toMatchObject({ code: -32001, message: expect.stringMatching(/^Session not found/) });
  });

  it('counts sessions per address: another address opens its own, and the overall bound closes the longest-idle of all', async () => {
    const [a1, a2, a3] = [await table.open('127.0.0.1'), await table.open('127.0.0.1'), await table.open('127.0.0.1')];
    const [b1, b2] = [await table.open('127.0.0.2'), await table.open('127.0.0.2')];
    const b3 = await table.open('127.0.0.2'); // the 6th: over the overall bound of 5, not over 127.0.0.2's own 3
    expect(await table.alive(a1)).toBe(false);
    for (const id of [a2, a3, b1, b2, b3]) expect(await table.alive(id)).toBe(true);
  });

  it('refuses a new session with 503 when every session it could replace has a call in flight', async () => {
    const own = [await table.open('127.0.0.3'), await table.open('127.0.0.3'), await table.open('127.0.0.3')];
    const calls: Promise<RawAnswer>[] = [];
    const releases: (() => void)[] = [];
    const hold = async (id: string) => {
      const { answer, release } = await table.heldCall(id);
      calls.push(answer);
      releases.push(release);
    };
    for (const id of own) await hold(id);
    const refused = await table.post(INIT, undefined, '127.0.0.3');
    expect(refused.status).toBe(503);
    expect(refused.headers['retry-after']).toBeDefined();
    expect(JSON.parse(refused.body).error.message).toMatch(/^Too many sessions from this address \(3\), each with a request in flight/);
    const others = [await table.open('127.0.0.4'), await table.open('127.0.0.4')]; // 5 in all now, every one busy but these
    for (const id of others) await hold(id);
    const full = await table.post(INIT, undefined, '127.0.0.5');
    expect(full.status).toBe(503);
    expect(JSON.parse(full.body).error.message).toMatch(/^Too many sessions \(5\), each with a request in flight/);
    for (const release of releases) release();
    expect((await Promise.all(calls)).map((a) => a.status)).toEqual([200, 200, 200, 200, 200]);
    await table.open('127.0.0.3'); // the calls are over: an idle session makes room again
  });
});

describe('idle sessions (--stateful, idle timeout 1 s)', () => {
  let emulator: Emulator;
  let served: Served;
  const table = sessionClient(() => served, () => emulator);
  // The sweeps (an interval) and the idle clock (performance.now()) on a clock the test moves: a session is idle for
  // exactly as long as the test says, however slow the machine. Everything else runs on real time.
  beforeAll(async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'performance'] });
    emulator = await startEmulator();
    served = await serve(emulator, ['--stateful'], { PINTEREST_MCP_HTTP_SESSION_IDLE_SECONDS: '1' });
  });
  afterAll(async () => {
    await table.closeAll();
    await served?.close();
    vi.useRealTimers();
    await emulator?.close();
  });

  it('closes a session left idle past the timeout, and not before', async () => {
    const id = await table.open();
    const other = await table.open();
    vi.advanceTimersByTime(1_000); // a sweep at exactly the idle timeout: not past it
    expect(await table.alive(other)).toBe(true);
    vi.advanceTimersByTime(1_000); // the next sweep: `id` has been idle for 2 s, `other` for 1 s since its ping
    expect(await table.alive(id)).toBe(false);
    expect(await table.alive(other)).toBe(true);
  });

  it('keeps a session whose call outlasts the idle timeout, and counts idleness from the end of the call', async () => {
    const id = await table.open();
    const { answer: call, release } = await table.heldCall(id);
    vi.advanceTimersByTime(3_000); // three sweeps while the call is in flight
    release();
    const answer = await call;
    expect(answer.status).toBe(200);
    expect(answer.body).toContain(USD_ACCOUNT);
    vi.advanceTimersByTime(1_000); // a sweep one idle timeout after the call ended (3 s after it began)
    expect(await table.alive(id)).toBe(true);
  });
});

describe('/healthz and /readyz with a real Redis store', () => {
  let emulator: Emulator;
  let served: Served;
  let redis: ChildProcess;
  let port: number;
  const probe = async (path: string) => {
    const answer = await raw(served.url.replace('/mcp', path), {});
    return { status: answer.status, body: JSON.parse(answer.body) as { status: string; store: string; reason?: string }, text: answer.body };
  };
  /** Probes until `path` answers `status` (the Redis client reconnects with a backoff of its own). */
  const until = async (path: string, status: number) => {
    const deadline = Date.now() + DEADLINE_MS;
    let last = await probe(path);
    while (last.status !== status && Date.now() < deadline) {
      await sleep(100);
      last = await probe(path);
    }
    expect(last.status, last.text).toBe(status);
    return last;
  };
  beforeAll(async () => {
    port = await freePort();
    redis = await startRedis(port);
    emulator = await startEmulator();
    served = await serve(emulator, ['--store', `redis://127.0.0.1:${port}`]);
  });
  afterAll(async () => {
    await served?.close();
    await emulator?.close();
    redis?.kill('SIGKILL');
  });

  it('answers 200 while Redis answers, 503 with a reason (and no address) once it is gone, and 200 when it is back', async () => {
    for (const path of ['/healthz', '/readyz']) expect(await probe(path)).toMatchObject({ status: 200, body: { status: 'ok', store: 'redis' } });

    const exited = new Promise((resolve) => redis.once('exit', resolve));
    redis.kill('SIGKILL');
    await exited;
    for (const path of ['/healthz', '/readyz']) {
      const down = await until(path, 503);
      expect(down.body).toMatchObject({ status: 'unavailable', store: 'redis', reason: expect.stringMatching(/^the store \(redis\) is unavailable: /) });
      expect(down.text).not.toContain(String(port));
    }

    redis = await startRedis(port);
    for (const path of ['/healthz', '/readyz']) expect((await until(path, 200)).body).toMatchObject({ status: 'ok', store: 'redis' });
  });

  it('answers 503 when Redis accepts connections but does not answer, within the check timeout', async () => {
    redis.kill('SIGSTOP');
    try {
      const hung = await probe('/healthz');
      expect(hung.status).toBe(503);
      expect(hung.body.reason).toMatch(/^the store \(redis\) is unavailable: no answer within \d+ ms$/);
    } finally {
      redis.kill('SIGCONT');
    }
    await until('/readyz', 200);
  });
});
