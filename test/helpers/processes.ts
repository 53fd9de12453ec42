// Child processes for tests: a free loopback port, waiting for a line of output, a real redis-server when installed.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { type AddressInfo, createServer } from 'node:net';
import { afterAll, beforeAll } from 'vitest';

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

/** Waits until a child process writes `pattern` to stdout or stderr. */
export function waitFor(child: ChildProcess, pattern: RegExp, what: string): Promise<string> {
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what} did not start:\n${output}`)), 15_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString('utf8');
      const match = pattern.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1] ?? match[0]);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${what} exited with ${code}:\n${output}`));
    });
  });
}

/** The redis-server on PATH, or '' when there is none (then every test that needs it fails, naming the fix). */
const redisServer = spawnSync('sh', ['-c', 'command -v redis-server'], { encoding: 'utf8' }).stdout.trim();

/** A throwaway redis-server on loopback, without persistence; resolves once it accepts connections. */
export async function startRedis(port: number): Promise<ChildProcess> {
  if (!redisServer) throw new Error('redis-server is not on PATH: install it (apt-get install redis-server; .ci/run does)');
  const redis = spawn(redisServer, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  await waitFor(redis, /Ready to accept connections/, 'redis-server');
  return redis;
}

/**
 * A redis-server of its own for the enclosing describe: started before its tests, killed after them. Returns its URL,
 * known once the describe's tests run.
 */
export function redisForDescribe(): () => string {
  let redis: ChildProcess | undefined;
  let url = '';
  beforeAll(async () => {
    const port = await freePort();
    redis = await startRedis(port);
    url = `redis://127.0.0.1:${port}`;
  }, 30_000);
  afterAll(() => {
    redis?.kill('SIGKILL');
  });
  return () => url;
}
