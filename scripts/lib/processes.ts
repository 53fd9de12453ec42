// Child processes of the check scripts (check:clients, check:node): a clean environment, commands run in their own
// process group and bounded in time, every child stopped when the script ends, is interrupted or fails.
import { type ChildProcess, spawn } from 'node:child_process';

/** This process's environment without the server's own settings (a developer's PINTEREST_* must not leak in). */
export function cleanEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value !== undefined && !key.startsWith('PINTEREST_') && !key.startsWith('WHOP_')) env[key] = value;
  }
  return env;
}

/** Every child still running: stopped by `killGroup` on the way out. */
export const children = new Set<ChildProcess>();
/** Children started detached, in a process group of their own (npx -> sh -> node): their whole group is stopped. */
const groups = new Set<ChildProcess>();

/** Stops a child this script started: a detached one's whole group, another the child alone. */
export function killGroup(child: ChildProcess): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  if (groups.has(child)) {
    try {
      process.kill(-child.pid, 'SIGTERM');
      return;
    } catch {
      // already gone, or not a group: fall through
    }
  }
  child.kill('SIGTERM');
}

/** Keeps track of a child until it exits, so that it is stopped if the script ends first. */
export function track(child: ChildProcess): ChildProcess {
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

/** Runs a command in its own process group, bounded in time (the group goes on timeout). */
export function runGrouped(command: string, args: string[], options: { cwd: string; env: Record<string, string>; timeoutMs: number }): Promise<RunResult> {
  return new Promise((done, fail) => {
    const child = spawn(command, args, { cwd: options.cwd, env: options.env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    children.add(child);
    groups.add(child);
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup(child);
    }, options.timeoutMs);
    child.once('error', fail);
    child.once('close', (code) => {
      clearTimeout(timer);
      children.delete(child);
      groups.delete(child);
      done({ code, stdout, stderr, timedOut });
    });
  });
}

/**
 * Runs a check script's main and exits with its code: 130 when interrupted, 2 when it throws (with the stack on
 * stderr under `label`); every child is stopped first.
 */
export function runMain(label: string, main: () => Promise<number>): void {
  const stopAll = () => {
    for (const child of children) killGroup(child);
  };
  const interrupted = () => {
    stopAll();
    process.exit(130);
  };
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);
  main().then(
    (code) => process.exit(code),
    (error: unknown) => {
      stopAll();
      process.stderr.write(`${label} failed: ${(error as Error).stack ?? String(error)}\n`);
      process.exit(2);
    },
  );
}
