// The built server on Node 22 and 24 (CI's own Node is 20): a smoke run on each, and the sqlite store's tests there.
//
// Usage: npm run build && npm run check:node
// For each version, fetches Node through `npx -y -p node@<version>` (the npm registry's `node` package; the machine's
// Node is left alone) and runs with that binary:
//   - a smoke run of dist/index.js over stdio against the fake Pinterest API (dist/fake-api.js, in this process):
//     tools/list (the same listing, byte for byte, as on this process's Node), one read call (ad_accounts_get: exactly
//     one request reaches the fake API) and one guarded write (campaigns_update: held for a person, nothing sent);
//   - every test whose name mentions sqlite (vitest, in the test files that mention it): node:sqlite exists from Node
//     22.13, so on CI's Node 20 those tests are skipped and only the refusal is tested. Each must pass, none skip.
// Prints one line per step with its time, and exits non-zero if a version cannot be fetched or any step fails.
// Network: loopback only, plus npx fetching Node from the npm registry (cached after the first run).
import { Client } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import type { Emulator } from '../fakes/pinterest/server.js';
import { builtEmulator, entry, isBuilt, root } from './lib/built.js';
import { type RunResult, children, cleanEnv, killGroup, runGrouped, runMain } from './lib/processes.js';

const VERSIONS = ['22', '24'] as const;
const ACCOUNT = '549755885175';
const CAMPAIGN = '687195134101';
const PINTEREST_TOKEN = 'test-token';
const FETCH_TIMEOUT_MS = 5 * 60_000;
const TESTS_TIMEOUT_MS = 5 * 60_000;
/** Tests of the sqlite store, by name (vitest's -t takes a case-sensitive pattern and matches the full name, describe blocks included). */
const SQLITE_TESTS = /sqlite|SQLite/;

const workDir = mkdtempSync(join(tmpdir(), 'check-node-'));
/** Set when a step failed: the folder is then kept, with the vitest reports that say why, and named in the output. */
let keepWorkDir = false;
// Removed however the run ends (passed, not built, a throw, an interrupt: runMain exits the process on each).
process.once('exit', () => {
  if (!keepWorkDir) rmSync(workDir, { recursive: true, force: true });
});

interface Step {
  node: string;
  step: string;
  ok: boolean;
  seconds: number;
  detail: string;
}
const steps: Step[] = [];

/** Runs `body`, timing it, and records its line; a throw is a failed step (its message the detail). */
async function step<T>(node: string, name: string, body: () => Promise<[T, string]>): Promise<T | undefined> {
  const started = Date.now();
  let record: Step;
  let value: T | undefined;
  try {
    const [result, detail] = await body();
    value = result;
    record = { node, step: name, ok: true, seconds: (Date.now() - started) / 1000, detail };
  } catch (error) {
    record = { node, step: name, ok: false, seconds: (Date.now() - started) / 1000, detail: (error as Error).message };
  }
  steps.push(record);
  process.stdout.write(`${record.ok ? 'ok  ' : 'FAIL'}  ${node.padEnd(9)}  ${name.padEnd(34)}  ${record.seconds.toFixed(1).padStart(5)} s  ${record.detail}\n`);
  return value;
}

/** Runs a command in its own process group from the project's folder, bounded in time. */
function run(command: string, args: string[], timeoutMs: number, env: Record<string, string> = cleanEnv()): Promise<RunResult> {
  return runGrouped(command, args, { cwd: root, env, timeoutMs });
}

/** The last lines of a command's stderr without npm's own warnings: what explains a failure. */
const tail = (text: string) => text.split('\n').filter((l) => l.trim() && !/^npm warn/i.test(l)).slice(-4).join(' | ').slice(0, 600);

/** The path and version of Node `major`'s binary, fetched by npx (the `node` package of the npm registry). */
async function fetchNode(major: string): Promise<[{ path: string; version: string }, string]> {
  const result = await run('npx', ['-y', '-p', `node@${major}`, '-c', 'node -p "process.execPath + \' \' + process.version"'], FETCH_TIMEOUT_MS, {
    ...cleanEnv(),
    npm_config_update_notifier: 'false',
  });
  const [path = '', version = ''] = result.stdout.trim().split('\n').at(-1)?.split(' ') ?? [];
  if (result.code !== 0 || !existsSync(path) || !version.startsWith(`v${major}.`)) {
    throw new Error(`npx could not fetch node@${major} (exit ${result.code}${result.timedOut ? ', timed out' : ''}): ${tail(result.stderr) || result.stdout.slice(-300)}`);
  }
  return [{ path, version }, `${version} at ${path}`];
}

/**
 * The server's settings: the fake API and its token, quiet logs, no retries; an approver, so that a guarded write is
 * held for a person (the link goes to stderr: no browser).
 */
function serverEnv(emulator: Emulator): Record<string, string> {
  return {
    ...cleanEnv(),
    PINTEREST_API_BASE_URL: emulator.url,
    PINTEREST_ACCESS_TOKEN: PINTEREST_TOKEN,
    PINTEREST_MCP_LOG_LEVEL: 'warn',
    PINTEREST_MCP_RETRIES: '0',
    PINTEREST_MCP_APPROVER_TOKEN: 'checker=check-node-approver-0123456789abcdef',
    BROWSER: 'false',
  };
}

/** Connects an MCP client to dist/index.js run by `nodePath` over stdio; its stderr is kept for failure messages. */
async function connectStdio(nodePath: string, emulator: Emulator): Promise<{ client: Client; stderr: () => string }> {
  const transport = new StdioClientTransport({ command: nodePath, args: [entry], env: serverEnv(emulator), cwd: workDir, stderr: 'pipe' });
  let stderr = '';
  transport.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const client = new Client({ name: 'check-node', version: '1.0.0' });
  try {
    await client.connect(transport);
  } catch (error) {
    throw new Error(`${(error as Error).message}; server stderr: ${tail(stderr)}`);
  }
  return { client, stderr: () => stderr };
}

/** tools/list as this process's Node serves it: what every other Node must serve byte for byte. */
async function referenceListing(emulator: Emulator): Promise<[string, string]> {
  const { client } = await connectStdio(process.execPath, emulator);
  try {
    const { tools } = await client.listTools();
    return [JSON.stringify(tools), `${tools.length} tools on ${process.version}`];
  } finally {
    await client.close();
  }
}

/** Start, tools/list, one read, one held write: on the fetched Node, against the fake API. */
async function smoke(nodePath: string, emulator: Emulator, reference: string): Promise<[true, string]> {
  const { client, stderr } = await connectStdio(nodePath, emulator);
  try {
    const { tools } = await client.listTools();
    if (JSON.stringify(tools) !== reference) throw new Error(`tools/list differs from ${process.version}'s (${tools.length} tools)`);

    const reads = () => emulator.requests.filter((r) => r.operationId === 'ad_accounts/get').length;
    const readsBefore = reads();
    const read = await client.callTool({ name: 'ad_accounts_get', arguments: { ad_account_id: ACCOUNT } });
    const text = (read.content as { text?: string }[]).map((c) => c.text ?? '').join('\n');
    if (read.isError || !text.includes(ACCOUNT)) throw new Error(`ad_accounts_get failed: ${text.slice(0, 300)}`);
    if (reads() - readsBefore !== 1) throw new Error(`ad_accounts_get reached the fake API ${reads() - readsBefore} times, not once`);

    const writes = () => emulator.requests.filter((r) => r.method !== 'GET').length;
    const writesBefore = writes();
    const args = { ad_account_id: ACCOUNT, body: [{ id: CAMPAIGN, ad_account_id: ACCOUNT, daily_spend_cap: '60' }] };
    const held = await client.callTool({ name: 'campaigns_update', arguments: args });
    const status = (held.structuredContent as { status?: string } | undefined)?.status;
    if (status !== 'approval_required') throw new Error(`campaigns_update answered status ${status}, not approval_required`);
    if (writes() !== writesBefore) throw new Error(`campaigns_update sent ${writes() - writesBefore} writes to the fake API while held`);
    return [true, `${tools.length} tools (same listing); read: 1 request; write held for a person, 0 sent`];
  } catch (error) {
    throw new Error(`${(error as Error).message}; server stderr: ${tail(stderr())}`);
  } finally {
    await client.close();
  }
}

/** The test files that mention sqlite: where its tests are. */
function sqliteTestFiles(): string[] {
  const found: string[] = [];
  const walk = (dir: string) => {
    for (const item of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, item.name);
      if (item.isDirectory()) walk(path);
      else if (item.name.endsWith('.test.ts') && SQLITE_TESTS.test(readFileSync(path, 'utf8'))) found.push(relative(root, path));
    }
  };
  walk(join(root, 'test'));
  return found.sort();
}

interface VitestReport {
  testResults: { name: string; assertionResults: { fullName: string; status: string; failureMessages?: string[] }[] }[];
}

/** Runs the sqlite tests with vitest on `nodePath`: every one must pass there (none skipped). */
async function sqliteTests(nodePath: string, major: string): Promise<[true, string]> {
  const files = sqliteTestFiles();
  const report = join(workDir, `vitest-node${major}.json`);
  const vitest = join(root, 'node_modules/vitest/vitest.mjs');
  // --no-isolate: the source is loaded once for the few tests selected instead of once per file (about a third of the
  // time); each of those tests closes what it opens, as it must in the suite anyway.
  const args = [vitest, 'run', ...files, '-t', SQLITE_TESTS.source, '--no-isolate', '--reporter=json', `--outputFile=${report}`];
  const result = await run(nodePath, args, TESTS_TIMEOUT_MS);
  if (!existsSync(report)) throw new Error(`vitest wrote no report (exit ${result.code}${result.timedOut ? ', timed out' : ''}): ${tail(result.stderr)}`);
  const { testResults } = JSON.parse(readFileSync(report, 'utf8')) as VitestReport;
  const tests = testResults.flatMap((file) => file.assertionResults.filter((t) => SQLITE_TESTS.test(t.fullName)).map((t) => ({ ...t, file: relative(root, file.name) })));
  const bad = tests.filter((t) => t.status !== 'passed');
  if (!tests.length) throw new Error(`no test named sqlite ran in ${files.join(', ')}`);
  if (bad.length || result.code !== 0) {
    const first = bad.map((t) => `${t.file} > ${t.fullName}: ${t.status} ${(t.failureMessages ?? [])[0]?.split('\n')[0] ?? ''}`);
    throw new Error(`${bad.length} of ${tests.length} not passed (vitest exit ${result.code}): ${first.slice(0, 3).join(' | ') || tail(result.stderr)}`);
  }
  return [true, `${tests.length} passed in ${files.length} files`];
}

async function main(): Promise<number> {
  const started = Date.now();
  if (!isBuilt()) return 2;
  const startEmulator = await builtEmulator();
  /** Runs `body` against a fake API of its own, so that the requests it counts are its own. */
  const withEmulator = async <T>(body: (emulator: Emulator) => Promise<T>): Promise<T> => {
    const emulator = await startEmulator({ acceptedTokens: [PINTEREST_TOKEN] });
    try {
      return await body(emulator);
    } finally {
      await emulator.close();
    }
  };
  try {
    // The downloads and the reference listing at once (the network is the wait); the runs after them one at a time,
    // so that each version's time is its own on a small machine.
    const [reference, ...fetched] = await Promise.all([
      step(process.version, 'reference tools/list', () => withEmulator(referenceListing)),
      ...VERSIONS.map((major) => step(`node@${major}`, 'fetch through npx', () => fetchNode(major))),
    ]);
    for (const [index, major] of VERSIONS.entries()) {
      const node = fetched[index] as { path: string; version: string } | undefined;
      if (!node || reference === undefined) continue;
      await step(node.version, 'smoke: list, read, held write', () => withEmulator((emulator) => smoke(node.path, emulator, reference as string)));
      await step(node.version, 'sqlite store tests', () => sqliteTests(node.path, major));
    }
  } finally {
    for (const child of children) killGroup(child);
  }
  const failed = steps.filter((s) => !s.ok);
  const seconds = ((Date.now() - started) / 1000).toFixed(0);
  process.stdout.write(`\ncheck:node: ${steps.length - failed.length} of ${steps.length} steps passed on ${VERSIONS.map((v) => `Node ${v}`).join(' and ')}; ${seconds} s\n`);
  if (failed.length) process.stdout.write(`Failed: ${failed.map((s) => `${s.node} ${s.step}`).join(', ')}\n`);
  if (failed.length) {
    keepWorkDir = true;
    process.stdout.write(`Reports: ${workDir}\n`);
  }
  return failed.length ? 1 : 0;
}

runMain('check:node', main);
