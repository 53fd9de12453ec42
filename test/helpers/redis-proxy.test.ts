// The Redis proxy itself: its RESP reader, and each fault before/after a command, with the server's store going through it.
import { type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { connect } from 'node:net';
import type KeyvRedis from '@keyv/redis';
import { createClient } from '@keyv/redis';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type Store, checkStore, createStore } from '../../src/core/store.js';
import { freePort, startRedis } from './processes.js';
import { type RedisCommand, type RedisProxy, readFrame, startRedisProxy } from './redis-proxy.js';

/** One frame of every RESP2 and RESP3 type, as Redis writes them. */
const FRAMES: Array<[type: string, bytes: string]> = [
  ['+', '+OK\r\n'],
  ['-', '-ERR wrong\r\n'],
  [':', ':42\r\n'],
  ['$', '$5\r\nhe\r\no\r\n'], // a bulk string may hold CRLF
  ['$', '$-1\r\n'],
  ['*', '*2\r\n$3\r\nGET\r\n$1\r\nk\r\n'],
  ['*', '*-1\r\n'],
  ['*', '*0\r\n'],
  ['_', '_\r\n'],
  ['#', '#t\r\n'],
  [',', ',1.5\r\n'],
  ['(', '(3492890328409238509324850943850943825024385\r\n'],
  ["!", "!8\r\nSYNTAX x\r\n"],
  ['=', '=7\r\ntxt:abc\r\n'],
  ['%', '%1\r\n+a\r\n*1\r\n:1\r\n'],
  ['~', '~2\r\n+a\r\n+b\r\n'],
  ['>', '>2\r\n+invalidate\r\n*1\r\n$1\r\nk\r\n'],
  [':', '|1\r\n+ttl\r\n:3\r\n:7\r\n'], // an attribute is read together with the value it annotates
];

describe('readFrame', () => {
  it('reads every RESP2 and RESP3 type, and nothing from any incomplete prefix', () => {
    const stream = Buffer.from(FRAMES.map(([, bytes]) => bytes).join(''));
    const boundaries = new Set<number>([0]);
    const types: string[] = [];
    for (let offset = 0; offset < stream.length; ) {
      const frame = readFrame(stream, offset);
      if (!frame) throw new Error(`no frame at ${offset}`);
      types.push(frame.type);
      offset = frame.end;
      boundaries.add(offset);
    }
    expect(types).toEqual(FRAMES.map(([type]) => type));
    expect(Math.max(...boundaries)).toBe(stream.length);
    // Cut anywhere, the frames read are exactly those wholly before the cut: a split frame waits for its rest.
    for (let cut = 0; cut <= stream.length; cut++) {
      const prefix = stream.subarray(0, cut);
      let offset = 0;
      for (let frame = readFrame(prefix, 0); frame; frame = readFrame(prefix, offset)) offset = frame.end;
      expect(boundaries.has(offset) && [...boundaries].every((b) => b <= offset || b > cut)).toBe(true);
    }
  });
});

const isSet = (key: string) => (c: RedisCommand) => c.name === 'SET' && c.args[0] === `pinterest-mcp::${key}`;

/** Settles-or-not of a promise, read without waiting. */
function watch<T>(promise: Promise<T>) {
  const state = { settled: false, promise };
  promise.then(
    () => (state.settled = true),
    () => (state.settled = true),
  );
  return state;
}

/** Resolves once the store's node-redis client is connected and ready again. */
const ready = (store: Store) => once((store.store as KeyvRedis<unknown>).client, 'ready');

describe('Redis proxy in front of a real redis-server', () => {
  let redis: ChildProcess;
  let redisPort: number;
  /** Straight to Redis, to see what Redis holds. */
  let direct: Store;
  let proxy: RedisProxy;
  /** The server's store, through the proxy. */
  let store: Store;

  beforeAll(async () => {
    redisPort = await freePort();
    redis = await startRedis(redisPort);
    direct = await createStore(`redis://127.0.0.1:${redisPort}`);
  });
  afterAll(async () => {
    await direct?.disconnect();
    redis?.kill('SIGKILL');
  });
  beforeEach(async () => {
    await direct.clear();
    proxy = await startRedisProxy(redisPort);
    store = await createStore(proxy.url);
  });
  afterEach(async () => {
    await proxy.close();
    await (store.store as KeyvRedis<unknown>).disconnect(true);
  });

  it('logs what the store sends for set, get, has, delete, iterator and clear', async () => {
    expect(proxy.commands).toEqual([
      { name: 'CLIENT', key: 'SETINFO' },
      { name: 'CLIENT', key: 'SETINFO' },
      { name: 'GET', key: 'pinterest-mcp::startup-check' },
    ]);
    proxy.commands.length = 0;
    await store.set('a', { n: 1 }, 60_000);
    expect(await store.get('a')).toEqual({ n: 1 });
    expect(await store.has('a')).toBe(true);
    expect(await store.delete('a')).toBe(true);
    await store.set('b', 'two');
    const entries = [];
    for await (const entry of store.iterator!()) entries.push(entry);
    expect(entries).toEqual([['b', 'two']]);
    await store.clear();
    expect(proxy.commands).toEqual([
      { name: 'SET', key: 'pinterest-mcp::a' },
      { name: 'GET', key: 'pinterest-mcp::a' },
      { name: 'EXISTS', key: 'pinterest-mcp::a' },
      { name: 'UNLINK', key: 'pinterest-mcp::a' },
      { name: 'SET', key: 'pinterest-mcp::b' },
      { name: 'SCAN', key: '0' },
      { name: 'MGET', key: 'pinterest-mcp::b' },
      { name: 'SCAN', key: '0' },
      { name: 'UNLINK', key: 'pinterest-mcp::b' },
    ]);
  });

  it('reads pipelined commands and commands split across chunks', async () => {
    const socket = connect(proxy.port, '127.0.0.1');
    socket.setNoDelay(true);
    let received = '';
    const replies = new Promise<void>((resolve) =>
      socket.on('data', (chunk: Buffer) => {
        received += chunk.toString('utf8');
        if (received.endsWith(':1\r\n')) resolve();
      }),
    );
    try {
      const command = (...parts: string[]) => `*${parts.length}\r\n${parts.map((p) => `$${Buffer.byteLength(p)}\r\n${p}\r\n`).join('')}`;
      socket.write(command('SET', 'raw', 'v') + command('GET', 'raw'));
      for (const byte of command('DEL', 'raw')) await new Promise((resolve) => socket.write(byte, resolve));
      await replies;
      expect(received).toBe('+OK\r\n$1\r\nv\r\n:1\r\n');
      expect(proxy.commands.slice(-3)).toEqual([
        { name: 'SET', key: 'raw' },
        { name: 'GET', key: 'raw' },
        { name: 'DEL', key: 'raw' },
      ]);
    } finally {
      socket.destroy();
    }
  });

  it('stop before a SET: Redis never sees it, the call fails; after start() the store reconnects', async () => {
    const fired = proxy.when(isSet('k'), 'stop', { at: 'before' });
    await expect(store.set('k', 'v')).rejects.toThrow();
    expect(await fired).toMatchObject({ name: 'SET', args: ['pinterest-mcp::k', expect.stringContaining('"v"')] });
    expect(await direct.get('k')).toBeUndefined();
    expect(proxy.commands).not.toContainEqual({ name: 'SET', key: 'pinterest-mcp::k' });

    const reconnected = ready(store);
    await proxy.start();
    await reconnected;
    expect(await store.set('k', 'v2')).toBe(true);
    expect(await direct.get('k')).toBe('v2');
  });

  it('stop after a SET: Redis applied it, the client never gets the answer', async () => {
    const sending = (c: RedisCommand) => c.name === 'SET' && /approval:/.test(c.args[0]) && c.args[1].includes('"state":"sending"');
    const fired = proxy.when(sending, 'stop', { at: 'after' });
    await store.set('approval:1', { state: 'pending' });
    await expect(store.set('approval:1', { state: 'sending' })).rejects.toThrow();
    await fired;
    expect(await direct.get('approval:1')).toEqual({ state: 'sending' });
  });

  it('pause before a SET: Redis has not seen it and the call waits; resume() forwards it', async () => {
    const fired = proxy.when(isSet('k'), 'pause', { at: 'before' });
    const setting = watch(store.set('k', 'v'));
    await fired;
    expect(await direct.get('k')).toBeUndefined();
    expect(setting.settled).toBe(false);
    proxy.resume();
    expect(await setting.promise).toBe(true);
    expect(await direct.get('k')).toBe('v');
  });

  it('pause after a SET: Redis applied it while the call still waits for its answer; resume() delivers it', async () => {
    const fired = proxy.when(isSet('k'), 'pause', { at: 'after' });
    const setting = watch(store.set('k', 'v'));
    await fired;
    expect(await direct.get('k')).toBe('v');
    expect(setting.settled).toBe(false);
    proxy.resume();
    expect(await setting.promise).toBe(true);
  });

  it('pause() keeps connections open and answers nothing; resume() answers what waited', async () => {
    proxy.pause();
    const reading = store.get('never-written');
    expect(await checkStore(store, 200)).toEqual({ ok: false, reason: 'no answer within 200 ms' });
    expect((store.store as KeyvRedis<unknown>).client.isReady).toBe(true);
    proxy.resume();
    expect(await reading).toBeUndefined();
    expect(await checkStore(store)).toEqual({ ok: true });
  });

  it('stop() closes connections and refuses new ones; start() accepts again on the same port and the store reconnects', async () => {
    const { port } = proxy;
    await proxy.stop();
    await expect(store.get('k')).rejects.toThrow();
    const refused = connect(port, '127.0.0.1');
    const [error] = await once(refused, 'error');
    expect((error as NodeJS.ErrnoException).code).toBe('ECONNREFUSED');

    const reconnected = ready(store);
    await proxy.start();
    expect(proxy.port).toBe(port);
    await reconnected;
    await store.set('k', 'back');
    expect(await store.get('k')).toBe('back');
  });

  it('with RESP3 (HELLO 3), counts maps, sets, doubles, nulls and errors as one reply each', async () => {
    // node-redis speaks RESP2 unless asked; a RESP3 client checks the reply counting on RESP3's own types.
    const client = createClient({ url: proxy.url, RESP: 3 });
    await client.connect();
    try {
      await client.hSet('h', { a: '1' });
      await client.sAdd('s', ['x']);
      await client.zAdd('z', { score: 1.5, value: 'm' });
      await client.set('text', 'abc');
      const fired = proxy.when((c) => c.name === 'ECHO', 'pause', { at: 'after' });
      // Sent in one pipeline: the pause falls exactly after ECHO's reply, and PING waits behind it.
      const earlier = [client.hGetAll('h'), client.sMembers('s'), client.zScore('z', 'm'), client.get('missing'), client.incr('text')];
      const echo = watch(client.echo('marker'));
      const ping = watch(client.ping());
      expect(await fired).toEqual({ name: 'ECHO', args: ['marker'] });
      expect(proxy.commands.map((c) => c.name)).toContain('HELLO');
      expect(proxy.commands.at(-1)).toEqual({ name: 'ECHO', key: 'marker' });
      const [map, set, score, missing, notANumber] = await Promise.allSettled(earlier);
      expect([map, set, score, missing].map((r) => (r as PromiseFulfilledResult<unknown>).value)).toEqual([{ a: '1' }, ['x'], 1.5, null]);
      expect(notANumber.status).toBe('rejected');
      expect([echo.settled, ping.settled]).toEqual([false, false]);
      proxy.resume();
      expect([await echo.promise, await ping.promise]).toEqual(['marker', 'PONG']);
    } finally {
      client.destroy();
    }
  });
});
