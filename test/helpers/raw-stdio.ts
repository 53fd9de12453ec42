// The built server over stdio, spoken to line by line: for what an SDK client never sends (bad JSON-RPC, huge lines).
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { SERVER_ENTRY } from './harness.js';

/** Longest a test waits for an answer; a missing answer fails the test with what did arrive. */
const ANSWER_DEADLINE_MS = 15_000;

export interface RawStdio {
  child: ChildProcess;
  /** Writes one line (a newline is added); resolves once the pipe took it. */
  send(line: string | object): Promise<void>;
  /** The first message from the server, not yet taken, that `matches`; waits for it. */
  next(matches: (message: Record<string, unknown>) => boolean, what: string): Promise<Record<string, unknown>>;
  /** Everything the server wrote to stderr so far. */
  stderr(): string;
  /** Ends stdin and resolves with the exit code. */
  end(): Promise<number | null>;
}

/** Spawns `dist/index.js` on stdio with an API base URL nothing listens on (these tests never reach an API). */
export function spawnRawStdio(env: Record<string, string> = {}): RawStdio {
  const child = spawn(process.execPath, [SERVER_ENTRY], {
    env: {
      PATH: process.env.PATH ?? '',
      PINTEREST_ACCESS_TOKEN: 'raw-stdio-test-token',
      PINTEREST_API_BASE_URL: 'http://127.0.0.1:9/v5',
      PINTEREST_MCP_LOG_LEVEL: 'warn',
      ...env,
    },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const exited = once(child, 'exit').then(([code]) => code as number | null);
  const messages: Record<string, unknown>[] = [];
  const waiters: (() => void)[] = [];
  let pending = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    pending += chunk.toString('utf8');
    const lines = pending.split('\n');
    pending = lines.pop()!;
    for (const line of lines) if (line.trim()) messages.push(JSON.parse(line) as Record<string, unknown>);
    for (const wake of waiters.splice(0)) wake();
  });
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  child.on('exit', () => {
    for (const wake of waiters.splice(0)) wake();
  });
  return {
    child,
    send: (line) =>
      new Promise((resolve, reject) => child.stdin!.write(`${typeof line === 'string' ? line : JSON.stringify(line)}\n`, (error) => (error ? reject(error) : resolve()))),
    async next(matches, what) {
      const deadline = Date.now() + ANSWER_DEADLINE_MS;
      for (;;) {
        const at = messages.findIndex(matches);
        if (at >= 0) return messages.splice(at, 1)[0];
        if (child.exitCode !== null) throw new Error(`the server exited (${child.exitCode}) before ${what}; stderr:\n${stderr}`);
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`no ${what} within ${ANSWER_DEADLINE_MS} ms; got ${JSON.stringify(messages)}; stderr:\n${stderr}`);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, left);
          waiters.push(() => {
            clearTimeout(timer);
            resolve();
          });
        });
      }
    },
    stderr: () => stderr,
    async end() {
      child.stdin!.end();
      return exited;
    },
  };
}

/** A message with this id (an answer to the request that carried it). */
export const answerTo = (id: unknown) => (message: Record<string, unknown>) => message.id === id;

/** An error answer without an id (to a line whose id could not be read). */
export const idlessError = (message: Record<string, unknown>) => !('id' in message) && 'error' in message;
