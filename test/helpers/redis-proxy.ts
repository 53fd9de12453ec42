// A RESP-aware TCP proxy in front of a real redis-server: makes Redis hang or go down at an exact command, for tests.
import { type AddressInfo, type Server, type Socket, connect, createServer } from 'node:net';

/** One command as the client sent it: the name in upper case, the arguments as UTF-8 strings. */
export interface RedisCommand {
  name: string;
  args: string[];
}

/** `pause`: Redis looks hung (connections stay open, no byte moves); `stop`: Redis looks down (connections closed, new ones refused). */
export type RedisFault = 'pause' | 'stop';

export interface RedisProxy {
  readonly port: number;
  /** `redis://127.0.0.1:<port>`, for createStore. */
  readonly url: string;
  /**
   * The commands forwarded to Redis, in order: the name, and the first argument as `key` (the key, for the commands the
   * store sends). A command held back by a `before` fault is not here.
   */
  readonly commands: Array<{ name: string; key?: string }>;
  /** Holds every byte in both directions, on open connections and new ones, until resume(). */
  pause(): void;
  resume(): void;
  /** Closes every connection and refuses new ones until start(). */
  stop(): Promise<void>;
  start(): Promise<void>;
  /**
   * Once, on the first forwarded command that matches: `before` applies the fault instead of forwarding it (Redis never
   * sees it; after resume() it is forwarded); `after` forwards it and applies the fault when Redis's reply arrives, holding
   * that reply (Redis applied the command; the client has no answer, and after a stop never gets it). Commands the same
   * connection sent after the matching one wait for that reply, as they would behind a Redis that stopped there.
   * Resolves with the command once the fault is applied.
   */
  when(matches: (command: RedisCommand) => boolean, fault: RedisFault, timing: { at: 'before' | 'after' }): Promise<RedisCommand>;
  close(): Promise<void>;
}

interface Trigger {
  matches: (command: RedisCommand) => boolean;
  fault: RedisFault;
  at: 'before' | 'after';
  fire: (command: RedisCommand) => void;
}

interface Connection {
  client: Socket;
  redis: Socket;
  /** Bytes from the client not yet forwarded, and from Redis not yet delivered. */
  toRedis: Buffer;
  toClient: Buffer;
  /** One entry per forwarded command awaiting its reply (one reply each: no pub/sub), with the `after` trigger armed on it. */
  replies: Array<{ command: RedisCommand; trigger?: Trigger }>;
}

/** Starts a proxy on 127.0.0.1 (a free port) forwarding to the redis-server on `redisPort`. */
export async function startRedisProxy(redisPort: number): Promise<RedisProxy> {
  const connections = new Set<Connection>();
  const triggers: Trigger[] = [];
  const commands: RedisProxy['commands'] = [];
  let paused = false;
  let port = 0;
  let server: Server | undefined;

  const open = (c: Connection) => connections.has(c);

  function applyFault(fault: RedisFault) {
    if (fault === 'pause') proxy.pause();
    else void proxy.stop();
  }

  function pumpToRedis(c: Connection) {
    // While an `after` trigger waits for its reply, this connection's later commands wait too.
    while (open(c) && !paused && !c.replies.some((r) => r.trigger)) {
      const frame = readFrame(c.toRedis, 0);
      if (!frame) return;
      const command = commandOf(frame);
      const index = triggers.findIndex((t) => t.matches(command));
      const trigger = index < 0 ? undefined : triggers.splice(index, 1)[0];
      if (trigger?.at === 'before') {
        trigger.fire(command);
        applyFault(trigger.fault); // a pause leaves the command in toRedis, forwarded on resume; a stop drops it
        continue;
      }
      c.redis.write(c.toRedis.subarray(0, frame.end));
      c.toRedis = c.toRedis.subarray(frame.end);
      commands.push({ name: command.name, key: command.args[0] });
      c.replies.push({ command, trigger });
    }
  }

  function pumpToClient(c: Connection) {
    while (open(c) && !paused) {
      const frame = readFrame(c.toClient, 0);
      if (!frame) break;
      // RESP3 push messages (`>`) are not replies to a command.
      if (frame.type !== '>') {
        const expected = c.replies[0];
        if (expected?.trigger) {
          const { trigger } = expected;
          expected.trigger = undefined; // fires once; after a pause, resume() delivers this reply
          trigger.fire(expected.command);
          applyFault(trigger.fault);
          continue;
        }
        c.replies.shift();
      }
      c.client.write(c.toClient.subarray(0, frame.end));
      c.toClient = c.toClient.subarray(frame.end);
    }
    pumpToRedis(c); // a reply may have opened the way for commands held behind an `after` trigger
  }

  function accept(client: Socket) {
    const redis = connect(redisPort, '127.0.0.1');
    const c: Connection = { client, redis, toRedis: Buffer.alloc(0), toClient: Buffer.alloc(0), replies: [] };
    connections.add(c);
    const drop = () => {
      connections.delete(c);
      client.destroy();
      redis.destroy();
    };
    client.on('data', (chunk: Buffer) => {
      c.toRedis = Buffer.concat([c.toRedis, chunk]);
      pumpToRedis(c);
    });
    redis.on('data', (chunk: Buffer) => {
      c.toClient = Buffer.concat([c.toClient, chunk]);
      pumpToClient(c);
    });
    for (const socket of [client, redis]) {
      socket.on('error', drop);
      socket.on('close', drop);
    }
  }

  function listen(): Promise<void> {
    if (server?.listening) return Promise.resolve();
    server = createServer(accept);
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        port = (server!.address() as AddressInfo).port;
        resolve();
      });
    });
  }

  const proxy: RedisProxy = {
    get port() {
      return port;
    },
    get url() {
      return `redis://127.0.0.1:${port}`;
    },
    commands,
    pause() {
      paused = true;
    },
    resume() {
      paused = false;
      for (const c of connections) pumpToClient(c); // delivers held replies, then forwards held commands
    },
    stop() {
      const closed = new Promise<void>((resolve) => (server?.listening ? server.close(() => resolve()) : resolve()));
      for (const c of connections) {
        connections.delete(c);
        c.client.destroy();
        c.redis.destroy();
      }
      return closed;
    },
    start: listen,
    when(matches, fault, { at }) {
      return new Promise((resolve) => triggers.push({ matches, fault, at, fire: resolve }));
    },
    async close() {
      paused = false;
      triggers.length = 0;
      await proxy.stop();
    },
  };
  await listen();
  return proxy;
}

/** A RESP2 or RESP3 value: its type byte (`+`, `$`, `*`, `%`, `>`...), and its content. */
export interface Frame {
  type: string;
  value: string | null | Frame[];
  /** The offset just past the frame. */
  end: number;
}

const LINE_TYPES = new Set(['+', '-', ':', '_', '#', ',', '(']);
const BLOB_TYPES = new Set(['$', '!', '=']);
const AGGREGATE_TYPES = new Set(['*', '~', '>', '%', '|']);

/**
 * Reads one RESP value at `start`, or undefined while `buffer` holds only part of it. Hand-written because the proxy
 * needs each frame's byte offsets to cut the stream at an exact command or reply, which node-redis's decoder does not
 * expose. Covers RESP2 and RESP3 (https://redis.io/docs/latest/develop/reference/protocol-spec/).
 */
export function readFrame(buffer: Buffer, start: number): Frame | undefined {
  const lineEnd = buffer.indexOf('\r\n', start);
  if (lineEnd < 0) return undefined;
  const type = String.fromCharCode(buffer[start]);
  const line = buffer.toString('utf8', start + 1, lineEnd);
  if (LINE_TYPES.has(type)) return { type, value: line, end: lineEnd + 2 };
  const length = Number(line);
  if (!Number.isInteger(length)) throw new Error(`RESP: cannot read ${JSON.stringify(buffer.toString('utf8', start, lineEnd))}`);
  if (length < 0) return { type, value: null, end: lineEnd + 2 }; // RESP2 null bulk string or null array
  if (BLOB_TYPES.has(type)) {
    const end = lineEnd + 2 + length + 2;
    return end > buffer.length ? undefined : { type, value: buffer.toString('utf8', lineEnd + 2, end - 2), end };
  }
  if (!AGGREGATE_TYPES.has(type)) throw new Error(`RESP: unknown type ${JSON.stringify(type)}`);
  // Maps and attributes hold key-value pairs; an attribute annotates the value that follows it, which it is read with.
  const count = type === '%' || type === '|' ? 2 * length : length;
  const items: Frame[] = [];
  let end = lineEnd + 2;
  for (let i = 0; i < count; i++) {
    const item = readFrame(buffer, end);
    if (!item) return undefined;
    items.push(item);
    end = item.end;
  }
  if (type === '|') return readFrame(buffer, end);
  return { type, value: items, end };
}

/** A client's command is an array of bulk strings (node-redis never sends inline commands). */
function commandOf(frame: Frame): RedisCommand {
  if (frame.type !== '*' || !Array.isArray(frame.value) || frame.value.length === 0) {
    throw new Error(`RESP: a command must be a non-empty array, got type ${frame.type}`);
  }
  const [name, ...args] = frame.value.map((item) => String(item.value));
  return { name: name.toUpperCase(), args };
}
