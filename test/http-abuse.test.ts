// HTTP under abuse: slow headers and bodies cut with 408, bounded session table, store health in /healthz and /readyz.
import { connect as connectSocket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Emulator, startEmulator } from '../src/emulator/server.js';
import { USD_ACCOUNT } from './helpers/harness.js';
import { MCP_HEADERS, type Served, callText, connect, serve } from './helpers/http.js';

/** Longest a test waits for the server to act on its own; the server's timeouts in these tests are well below it. */
const DEADLINE_MS = 10_000;

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

describe('slow clients', () => {
  let emulator: Emulator;
  let served: Served;
  beforeAll(async () => {
    emulator = await startEmulator();
    served = await serve(emulator, ['--stateful'], {
      PINTEREST_MCP_HTTP_HEADERS_TIMEOUT_MS: '300',
      PINTEREST_MCP_HTTP_REQUEST_TIMEOUT_MS: '600',
    });
  });
  afterAll(async () => {
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

  it('answers 408 and closes the connection of a client dripping its body past the request timeout', async () => {
    const headers = Object.entries({ ...MCP_HEADERS, host: `127.0.0.1:${served.http.port}`, 'content-length': '100000' });
    const start = `POST /mcp HTTP/1.1\r\n${headers.map(([k, v]) => `${k}: ${v}\r\n`).join('')}\r\n{`;
    expect(await dripUntilClosed(served.http.port, start, ' ')).toMatch(/^HTTP\/1\.1 408 Request Timeout\r\n/);
  });

  it('answers a malformed request with 400 and closes the connection', async () => {
    expect(await dripUntilClosed(served.http.port, 'NOT HTTP\r\n\r\n', '')).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
  });

  it('lets an answer take longer than the request timeout: a slow call streams its result over SSE', async () => {
    const client = await connect(served.url);
    try {
      emulator.inject({ operationId: 'ad_accounts/get', delayMs: 1_500 });
      const result = await callText(client, 'ad_accounts_get', { ad_account_id: USD_ACCOUNT });
      expect(result.isError, result.text).toBeFalsy();
      expect(result.structuredContent).toMatchObject({ id: USD_ACCOUNT });
    } finally {
      await client.close();
    }
  });
});
