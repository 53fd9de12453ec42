// Real-client checks: the official MCP conformance suites and the MCP Inspector CLI against the built server.
//
// Usage: npm run build && npm run check:clients
// Starts the fake Pinterest API (dist/fake-api.js) in this process and the built server
// (dist/index.js --transport http: stateless, --stateful, and with a bearer token) on free loopback ports, then runs,
// through `npx -p node@22` (both tools need Node 22; the machine's Node is left alone):
//   - @modelcontextprotocol/conformance@0.2.0-alpha.12 `server --requirements <revision>` for 2025-11-25 (initialize
//     era) and 2026-07-28 (server/discover, per-request _meta), against the stateless and the --stateful server (the
//     suite takes one revision per run and tests HTTP servers only, so stdio is not covered by it);
//   - @modelcontextprotocol/conformance@0.1.16 `server --suite all` against the same two servers, as before;
//   - @modelcontextprotocol/inspector@2.12.0 `--cli`, in its legacy and modern protocol eras, over HTTP (with the
//     bearer header) and over stdio (it spawns dist/index.js): tools/list, prompts/list, prompts/get, a read tool
//     (ad_accounts_get) and a guarded write (campaigns_update -> approval_required, nothing sent);
//   - a few raw HTTP checks of the documented transport (GET 405, bearer required);
//   - the official MCP Python SDK (mcp==2.3.0, scripts/python-client/requirements.txt, installed into a virtual
//     environment under the OS temp dir that later runs reuse) running scripts/python-client/check.py over stdio and
//     HTTP, in the initialize era and 2026-07-28: tools/list, a read, prompts, resources, and a held budget change
//     answered through its elicitation callback (accepted: exactly that write reaches the fake API; declined:
//     nothing), and over plain HTTP, where a client's dialog is not a person's, held with nothing asked or sent.
//     No python3, or a failed install, fails this step with the reason. CHECK_ONLY=python runs this step alone.
// Conformance results are read from the suites' checks.json files and judged against
// scripts/conformance-expected-failures.json (scenario or check ids, era, mode, reason): an expected failure is
// reported as such, any other failure fails the run, and a listed scenario or check that passes (or no longer
// runs) also fails the run, so that the list stays true.
// Prints one table (suite, era/requirements, scenario, result, detail) and exits non-zero on anything unexpected; the
// logs and raw results (a folder under the OS temp dir) are kept, and named, only then.
// Network: loopback only, plus npx fetching the pinned packages (and Node 22) from the npm registry, and pip the
// Python SDK from the configured package index (first run only).
import { type ChildProcess, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Emulator } from '../fakes/pinterest/server.js';
import { builtEmulator, entry, isBuilt, root } from './lib/built.js';
import { type RunResult, children, cleanEnv, killGroup, runGrouped, runMain, track } from './lib/processes.js';

const CONFORMANCE = '@modelcontextprotocol/conformance';
/** Conformance versions run, and the runs of each: 0.2.0-alpha.12 once per spec revision, 0.1.16 its whole suite. */
const CONFORMANCE_RUNS: readonly { version: string; era: string; args: string }[] = [
  { version: '0.2.0-alpha.12', era: '2025-11-25', args: '--requirements 2025-11-25' },
  { version: '0.2.0-alpha.12', era: '2026-07-28', args: '--requirements 2026-07-28' },
  { version: '0.1.16', era: 'all', args: '--suite all' },
];
const INSPECTOR_PACKAGE = '@modelcontextprotocol/inspector@2.12.0';
/** The Inspector's names for the two protocol eras (`--protocol-era`), and the revision each negotiates. */
const INSPECTOR_ERAS = { legacy: 'legacy (2025-11-25)', modern: 'modern (2026-07-28)' } as const;
const NODE_PACKAGE = 'node@22';
const EXPECTED_FILE = 'scripts/conformance-expected-failures.json';
const SERVER_INFO_META = 'io.modelcontextprotocol/serverInfo';

const ACCOUNT = '549755885175';
const CAMPAIGN = '687195134101';
const PINTEREST_TOKEN = 'test-token';
const HTTP_TOKEN = 'check-clients-http-token';
const RUN_TIMEOUT_MS = 15 * 60_000;

type Mode = 'stateless' | 'stateful';
interface ExpectedEntry {
  suite: string;
  eras: string[];
  modes?: Mode[];
  scenarios: string[];
  checks?: string[];
  reason: string;
}
/** One expanded expectation: for suite|era|mode|scenario, the checks that may fail (all of them without `checks`). */
interface Expectation {
  checks?: Set<string>;
  reason: string;
  seen: boolean;
}

/** Reads and expands the expected-failures file; a malformed or contradictory entry stops the run. */
function loadExpected(file: string): Map<string, Expectation> {
  const { entries } = JSON.parse(readFileSync(file, 'utf8')) as { entries: ExpectedEntry[] };
  const map = new Map<string, Expectation>();
  const eras = new Map<string, Set<string>>();
  for (const run of CONFORMANCE_RUNS) eras.set(run.version, (eras.get(run.version) ?? new Set()).add(run.era));
  for (const entry of entries) {
    const known = eras.get(entry.suite);
    const bad = !known
      ? `unknown suite ${entry.suite}`
      : entry.eras.find((e) => !known.has(e))
        ? `era not run for ${entry.suite}: ${entry.eras.join(', ')}`
        : (entry.modes ?? []).find((m) => m !== 'stateless' && m !== 'stateful')
          ? `unknown mode in ${entry.modes?.join(', ')}`
          : !entry.reason || !entry.scenarios.length
            ? 'no reason or no scenarios'
            : undefined;
    if (bad) throw new Error(`${file}: ${bad} (entry for ${entry.scenarios.join(', ')})`);
    for (const era of entry.eras)
      for (const mode of entry.modes ?? (['stateless', 'stateful'] as const))
        for (const scenario of entry.scenarios) {
          const key = `${entry.suite}|${era}|${mode}|${scenario}`;
          if (map.has(key)) throw new Error(`${file}: ${scenario} is listed twice for ${entry.suite} ${era} ${mode}`);
          map.set(key, { checks: entry.checks ? new Set(entry.checks) : undefined, reason: entry.reason, seen: false });
        }
  }
  return map;
}

type Outcome = 'passed' | 'expected failure' | 'failed' | 'unexpected pass' | 'stale entry';
/** What fails the run. */
const UNEXPECTED: readonly Outcome[] = ['failed', 'unexpected pass', 'stale entry'];
interface Row {
  suite: string;
  era: string;
  scenario: string;
  outcome: Outcome;
  detail: string;
  /** Passed, but only on this server's Unknown-tool/Unknown-prompt answer to a fixture the suite expected. */
  vacuous?: boolean;
}
const rows: Row[] = [];
function record(suite: string, era: string, scenario: string, ok: boolean, detail = ''): void {
  rows.push({ suite, era, scenario, outcome: ok ? 'passed' : 'failed', detail });
}

const workDir = mkdtempSync(join(tmpdir(), 'check-clients-'));
/** Set when something was unexpected: the folder is then kept, with the logs and raw results that say why. */
let keepWorkDir = false;
// Removed however the run ends (passed, not built, a throw, an interrupt: runMain exits the process on each).
process.once('exit', () => {
  if (!keepWorkDir) rmSync(workDir, { recursive: true, force: true });
});

/** The Inspector keeps a catalog, client settings and OAuth state under ~/.mcp-inspector unless told otherwise. */
const INSPECTOR_STATE = {
  MCP_CATALOG_PATH: join(workDir, 'inspector/mcp.json'),
  MCP_CLIENT_CONFIG_PATH: join(workDir, 'inspector/client.json'),
  MCP_STORAGE_DIR: join(workDir, 'inspector/storage'),
  MCP_INSPECTOR_OAUTH_STATE_PATH: join(workDir, 'inspector/oauth.json'),
};

/**
 * The server's settings: the fake API, its token, quiet logs, no retries; an approver, so that held writes wait for a
 * person over HTTP too, and no browser (stdio prints the approval link on stderr instead of opening one).
 */
function serverEnv(emulator: Emulator): Record<string, string> {
  return {
    PINTEREST_API_BASE_URL: emulator.url,
    PINTEREST_ACCESS_TOKEN: PINTEREST_TOKEN,
    PINTEREST_MCP_LOG_LEVEL: 'warn',
    PINTEREST_MCP_RETRIES: '0',
    PINTEREST_MCP_APPROVER_TOKEN: 'checker=check-clients-approver-0123456789abcdef',
    BROWSER: 'false',
  };
}

/** Quotes one argument for `sh -c` (npx -c runs its command through the shell). */
const sh = (arg: string) => `'${arg.replaceAll("'", `'\\''`)}'`;

async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => resolvePort(port));
    });
  });
}

/** Runs `npx -y -p node@22 -p <packages> -c <command>` in its own process group, bounded in time. */
function npx(packages: string[], command: string, timeoutMs = RUN_TIMEOUT_MS): Promise<RunResult> {
  const args = ['-y', '-p', NODE_PACKAGE, ...packages.flatMap((p) => ['-p', p]), '-c', command];
  const env = { ...cleanEnv(), npm_config_update_notifier: 'false', ...INSPECTOR_STATE };
  return runGrouped('npx', args, { cwd: workDir, env, timeoutMs });
}

interface RunningServer {
  url: string;
  origin: string;
  process: ChildProcess;
  stderr: () => string;
}

/** Starts `node dist/index.js --transport http` (plus `extraArgs`) on a free loopback port and waits for /healthz. */
async function startServer(emulator: Emulator, httpToken?: string, extraArgs: string[] = []): Promise<RunningServer> {
  const port = await freePort();
  const env = { ...cleanEnv(), ...serverEnv(emulator), ...(httpToken ? { PINTEREST_MCP_HTTP_TOKEN: httpToken } : {}) };
  const child = spawn(process.execPath, [entry, '--transport', 'http', '--host', '127.0.0.1', '--port', String(port), ...extraArgs], {
    env,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  track(child);
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const origin = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the server exited with code ${child.exitCode}:\n${stderr}`);
    try {
      const res = await fetch(`${origin}/healthz`);
      if (res.ok) return { url: `${origin}/mcp`, origin, process: child, stderr: () => stderr };
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 150));
  }
  throw new Error(`the server did not answer ${origin}/healthz within 20 s:\n${stderr}`);
}

/** Raw checks of the documented HTTP interface: stateless, POST only, bearer token when configured. */
async function checkTransport(open: RunningServer, secured: RunningServer): Promise<void> {
  const initialize = {
    jsonrpc: '2.0',
    id: 1,
    method: 'initialize',
    params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'check-clients', version: '1.0.0' } },
  };
  const post = (url: string, headers: Record<string, string> = {}) =>
    fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers },
      body: JSON.stringify(initialize),
    });
  const era = 'initialize';
  try {
    const get = await fetch(open.url, { headers: { accept: 'text/event-stream' } });
    record('http', era, 'GET /mcp is 405 (stateless)', get.status === 405, `status ${get.status}`);
    const res = await post(open.url);
    // The answer is one JSON body or (the SDK's stateless legacy leg) an SSE stream of one message: both are allowed.
    const raw = await res.text();
    const json = res.headers.get('content-type')?.startsWith('text/event-stream') ? (/^data: (.*)$/m.exec(raw)?.[1] ?? '') : raw;
    const body = JSON.parse(json) as { result?: { capabilities?: Record<string, unknown>; serverInfo?: { name?: string } } };
    const caps = Object.keys(body.result?.capabilities ?? {}).sort().join(', ');
    record('http', era, 'POST initialize (no session id)', res.ok && !res.headers.get('mcp-session-id') && !!body.result?.capabilities?.prompts, `status ${res.status}, ${res.headers.get('content-type')}; capabilities: ${caps}`);
    const anonymous = await post(secured.url);
    record('http', era, 'bearer required when PINTEREST_MCP_HTTP_TOKEN is set', anonymous.status === 401, `no header: ${anonymous.status}`);
    const wrong = await post(secured.url, { authorization: 'Bearer wrong' });
    const right = await post(secured.url, { authorization: `Bearer ${HTTP_TOKEN}` });
    record('http', era, 'wrong bearer refused, right one accepted', wrong.status === 401 && right.ok, `wrong: ${wrong.status}, right: ${right.status}`);
  } catch (error) {
    record('http', era, 'transport checks', false, (error as Error).message);
  }
}

interface Check {
  id?: string;
  status: string;
  errorMessage?: string | null;
  details?: unknown;
}

/** Scenarios an 0.2.x run reports as "not scored" for its revision (extension, pending, added-after-release). */
function notScored(stdout: string): Map<string, string> {
  const section = stdout.split(/^Not scored for /m)[1] ?? '';
  return new Map([...section.matchAll(/^\s+[✓✗] (\S+) \(([\w-]+)\)$/gm)].map((m) => [m[1] ?? '', m[2] ?? '']));
}

/** Judges one scenario's checks against its expectation (if any) and adds its row. */
function judge(suite: string, era: string, scenario: string, checks: Check[] | undefined, expected: Expectation | undefined, label: string): void {
  const verdicts = (checks ?? []).filter((c) => c.status === 'SUCCESS' || c.status === 'FAILURE');
  const failures = verdicts.filter((c) => c.status === 'FAILURE');
  const warnings = (checks ?? []).filter((c) => c.status === 'WARNING');
  // Only SUCCESS and FAILURE are verdicts; a scenario with warnings, notes or skips alone was not judged.
  const passed = verdicts.length > 0 && failures.length === 0;
  const counts = !checks
    ? 'no results (the scenario crashed)'
    : verdicts.length
      ? `${verdicts.length - failures.length}/${verdicts.length} checks passed`
      : 'not judged (no pass/fail check)';
  const notes: string[] = [];
  if (label) notes.push(`not scored by the suite: ${label}`);
  const vacuous = passed && /Unknown (tool|prompt) \\"/.test(JSON.stringify(checks));
  if (vacuous) notes.push("passed on this server's Unknown-tool/prompt answer (the suite's fixture is absent)");
  const add = (outcome: Outcome, detail: string) => rows.push({ suite, era, scenario, outcome, detail: detail.slice(0, 400), vacuous });
  const firstFailure = (list: Check[]) => list.map((c) => `${c.id}: ${c.errorMessage ?? 'failed'}`)[0];
  if (expected) expected.seen = true;

  if (!expected) {
    const extra = [...(failures.length ? [firstFailure(failures) ?? ''] : []), ...warnings.map((w) => `warning ${w.id}: ${w.errorMessage ?? ''}`)];
    add(passed ? 'passed' : 'failed', [counts, ...notes, ...extra].join('; '));
  } else if (!expected.checks) {
    if (passed) add('unexpected pass', `${counts}, but listed in ${EXPECTED_FILE}: remove the entry`);
    else add('expected failure', `${counts}; ${expected.reason}`);
  } else {
    // Per-check entry: the listed checks may fail, every other check must pass, and each listed one must still fail.
    const listed = expected.checks;
    const unexpected = failures.filter((c) => !listed.has(c.id ?? ''));
    const stale = [...listed].filter((id) => !failures.some((c) => c.id === id));
    if (unexpected.length) add('failed', [counts, `unexpected: ${firstFailure(unexpected)}`, ...notes].join('; '));
    else if (stale.length) add('unexpected pass', `${counts}; listed checks no longer failing: ${stale.join(', ')}: remove them from ${EXPECTED_FILE}`);
    else add('expected failure', `${counts}; expected to fail: ${[...listed].join(', ')}: ${expected.reason}`);
  }
}

/** One conformance run (a version and a requirement set or suite) against one server; its checks.json files become rows. */
async function runConformance(
  server: RunningServer,
  mode: Mode,
  run: (typeof CONFORMANCE_RUNS)[number],
  expectations: Map<string, Expectation>,
): Promise<void> {
  const suite = `conformance@${run.version}/${mode}`;
  const name = `conformance-${run.version}-${run.era}-${mode}`;
  const outDir = join(workDir, name);
  const log = join(workDir, `${name}.log`);
  const result = await npx([`${CONFORMANCE}@${run.version}`], `conformance server --url ${sh(server.url)} ${run.args} -o ${sh(outDir)}`);
  writeFileSync(log, `${result.stdout}\n--- stderr ---\n${result.stderr}`);
  const scenarios = [...result.stdout.matchAll(/^=== Running scenario: (\S+) ===$/gm)].map((m) => m[1] ?? '');
  if (!scenarios.length) {
    const why = `exit ${result.code}${result.timedOut ? ', timed out' : ''}; see ${log}`;
    record(suite, run.era, '(suite)', false, `no scenario ran (${why}): ${result.stderr.split('\n').filter((l) => l && !/npm warn/i.test(l)).slice(-3).join(' ')}`);
    return;
  }
  const labels = notScored(result.stdout);
  const dirs = existsSync(outDir) ? readdirSync(outDir) : [];
  for (const scenario of scenarios) {
    const prefix = `server-${scenario}-`;
    const dir = dirs.find((d) => d.startsWith(prefix) && /^\d{4}-\d\d-\d\dT[\d-]+Z$/.test(d.slice(prefix.length)));
    const file = dir ? join(outDir, dir, 'checks.json') : undefined;
    const checks = file && existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Check[]) : undefined;
    judge(suite, run.era, scenario, checks, expectations.get(`${run.version}|${run.era}|${mode}|${scenario}`), labels.get(scenario) ?? '');
  }
  for (const [key, expected] of expectations) {
    const [version, era, entryMode, scenario = ''] = key.split('|');
    if (version === run.version && era === run.era && entryMode === mode && !expected.seen) {
      rows.push({ suite, era: run.era, scenario, outcome: 'stale entry', detail: `listed in ${EXPECTED_FILE} but the suite did not run it` });
    }
  }
}

type Era = keyof typeof INSPECTOR_ERAS;
/** How the Inspector reaches the server: over HTTP with the bearer header, or by spawning it over stdio. */
type Target = { kind: 'http'; server: RunningServer } | { kind: 'stdio'; emulator: Emulator };

/** One Inspector CLI call (`--format json`); returns its `result`, or throws with its output. */
async function inspector(target: Target, era: Era, args: string[]): Promise<Record<string, unknown>> {
  // The target comes first: `--header` and `-e` take values, and the method options end them.
  const connect =
    target.kind === 'http'
      ? [target.server.url, '--transport', 'http', '--header', `Authorization: Bearer ${HTTP_TOKEN}`]
      : [...Object.entries(serverEnv(target.emulator)).flatMap(([k, v]) => ['-e', `${k}=${v}`]), '--transport', 'stdio', process.execPath, entry];
  const command = ['mcp-inspector', '--cli', '--protocol-era', era, '--format', 'json', ...connect, ...args].map(sh).join(' ');
  const run = await npx([INSPECTOR_PACKAGE], command, 5 * 60_000);
  const start = run.stdout.indexOf('{');
  const output = start >= 0 ? (JSON.parse(run.stdout.slice(start)) as { result?: Record<string, unknown>; error?: { message?: string } }) : undefined;
  if (run.code !== 0 || !output?.result) {
    const said = output?.error?.message ?? (run.stderr.split('\n').filter((l) => l && !/npm warn/i.test(l)).join(' ') || run.stdout);
    throw new Error(`exit ${run.code}${run.timedOut ? ' (timed out)' : ''}: ${said.slice(0, 400)}`);
  }
  const result = output.result;
  // The era really negotiated: only modern-era results carry the server's identity in _meta (the CLI drops the
  // _meta of list results, which it gathers across pages, so only the other methods can tell).
  if (args[args.indexOf('--method') + 1]?.endsWith('/list')) return result;
  const identified = !!(result._meta as Record<string, unknown> | undefined)?.[SERVER_INFO_META];
  if (identified !== (era === 'modern')) throw new Error(`the result ${identified ? 'carries' : 'lacks'} _meta.${SERVER_INFO_META}: not the ${era} era`);
  return result;
}

async function runInspector(target: Target, era: Era, emulator: Emulator): Promise<void> {
  const suite = `inspector@2.12.0/${target.kind}`;
  const eraLabel = INSPECTOR_ERAS[era];
  const attempt = async (scenario: string, body: () => Promise<[boolean, string]>) => {
    try {
      const [ok, detail] = await body();
      record(suite, eraLabel, scenario, ok, detail);
    } catch (error) {
      record(suite, eraLabel, scenario, false, (error as Error).message);
    }
  };

  await attempt('tools/list', async () => {
    const result = await inspector(target, era, ['--method', 'tools/list']);
    const tools = (result.tools ?? []) as { name: string; inputSchema?: unknown }[];
    const names = new Set(tools.map((t) => t.name));
    const missing = ['ad_accounts_get', 'campaigns_update', 'campaigns_create'].filter((n) => !names.has(n));
    const noSchema = tools.filter((t) => !t.inputSchema).map((t) => t.name);
    return [tools.length > 0 && !missing.length && !noSchema.length, `${tools.length} tools${missing.length ? `; missing ${missing.join(', ')}` : ''}${noSchema.length ? `; no inputSchema: ${noSchema.join(', ')}` : ''}`];
  });

  await attempt('prompts/list', async () => {
    const result = await inspector(target, era, ['--method', 'prompts/list']);
    const names = ((result.prompts ?? []) as { name: string }[]).map((p) => p.name);
    return [names.includes('launch_campaign'), names.join(', ')];
  });

  await attempt('prompts/get performance_report (with arguments)', async () => {
    const result = await inspector(target, era, [
      '--method', 'prompts/get', '--prompt-name', 'performance_report',
      '--prompt-args', `ad_account_id="${ACCOUNT}"`, 'start_date=2026-01-01', 'end_date=2026-01-31',
    ]);
    const text = ((result.messages ?? []) as { content?: { text?: string } }[]).map((m) => m.content?.text ?? '').join('\n');
    const ok = text.includes(`ad account ${ACCOUNT} from 2026-01-01 to 2026-01-31`) && !text.includes('{{');
    return [ok, ok ? 'placeholders filled' : `unexpected text: ${text.slice(0, 200)}`];
  });

  await attempt(`tools/call ad_accounts_get ${ACCOUNT} (read)`, async () => {
    // --tool-args-json passes the arguments verbatim (no key=value coercion): the id stays a string.
    const result = await inspector(target, era, ['--method', 'tools/call', '--tool-name', 'ad_accounts_get', '--tool-args-json', JSON.stringify({ ad_account_id: ACCOUNT })]);
    const text = ((result.content ?? []) as { type: string; text?: string }[]).map((c) => c.text ?? '').join('\n');
    const ok = result.isError !== true && text.includes(ACCOUNT) && text.includes('"currency":"USD"');
    return [ok, ok ? 'account read, currency USD' : `unexpected result: ${text.slice(0, 200)}`];
  });

  await attempt(`tools/call campaigns_update daily_spend_cap 60 (guarded write)`, async () => {
    const before = emulator.requests.filter((r) => r.method !== 'GET').length;
    const args = { ad_account_id: ACCOUNT, body: [{ id: CAMPAIGN, ad_account_id: ACCOUNT, daily_spend_cap: '60' }] };
    const result = await inspector(target, era, ['--method', 'tools/call', '--tool-name', 'campaigns_update', '--tool-args-json', JSON.stringify(args)]);
    const structured = (result.structuredContent ?? {}) as { status?: string; approval_id?: string; confirmation_token?: string; changes?: { to?: string }[] };
    const writes = emulator.requests.filter((r) => r.method !== 'GET').length - before;
    const ok =
      structured.status === 'approval_required' && !!structured.approval_id && !structured.confirmation_token && structured.changes?.[0]?.to === '60.00 USD' && writes === 0;
    return [ok, `status ${structured.status}; change to ${structured.changes?.[0]?.to}; approval ${structured.approval_id ? 'held for a person' : 'missing'}; writes sent to Pinterest: ${writes}`];
  });
}

const PYTHON_SDK = 'mcp==2.3.0';
const PYTHON_DIR = join(root, 'scripts/python-client');
const PYTHON_SUITE = 'python-sdk@2.3.0';
/** The Python SDK's names for the eras: `legacy` (initialize) and `modern` (its default server/discover probe). */
const PYTHON_ERAS = { legacy: 'legacy (initialize)', modern: 'modern (2026-07-28)' } as const;
type PythonEra = keyof typeof PYTHON_ERAS;

/**
 * A virtual environment with the pinned SDK (scripts/python-client/requirements.txt), under the OS temp dir and named
 * after the requirements' hash, so that later runs reuse it; it counts as made only once pip has finished. Throws with
 * the reason when python3 or the install fails: the step then fails, it is never skipped.
 */
async function pythonEnvironment(): Promise<string> {
  const requirements = join(PYTHON_DIR, 'requirements.txt');
  const hash = createHash('sha256').update(readFileSync(requirements)).digest('hex').slice(0, 12);
  const venv = join(tmpdir(), `pinterest-api-mcp-python-client-${hash}`);
  const python = join(venv, 'bin', 'python');
  const made = join(venv, '.installed');
  if (existsSync(made)) return python;
  const run = async (command: string, args: string[], what: string) => {
    const result = await runGrouped(command, args, { cwd: workDir, env: cleanEnv(), timeoutMs: 10 * 60_000 }).catch((error: Error) => {
      throw new Error(`${what}: ${error.message}`);
    });
    if (result.code !== 0) {
      const said = `${result.stderr}\n${result.stdout}`.split('\n').filter((l) => l.trim()).slice(-3).join(' ');
      throw new Error(`${what} failed (exit ${result.code}${result.timedOut ? ', timed out' : ''}): ${said.slice(0, 400)}`);
    }
  };
  rmSync(venv, { recursive: true, force: true });
  await run('python3', ['-m', 'venv', venv], 'python3 -m venv');
  // An index that cannot be reached is given up after one short try (pip's defaults wait minutes on each): the machine's
  // other indexes and wheel folders (its pip configuration) answer the rest.
  await run(python, ['-m', 'pip', 'install', '--disable-pip-version-check', '--retries', '1', '--timeout', '15', '-r', requirements], `pip install ${PYTHON_SDK}`);
  writeFileSync(made, `${PYTHON_SDK}\n`);
  return python;
}

/** Each held write asks for a budget the ad group does not have yet (41, 42, ... USD), so that it is a change. */
let nextBudget = 41;

interface PythonLine {
  step: string;
  ok: boolean;
  detail: string;
  status?: string;
  is_error?: boolean;
  dialogs?: { mode: string }[];
}

/**
 * One run of scripts/python-client/check.py: connect, list, read, prompts, resources and, with `write`, one held
 * ad group budget change answered through the SDK's elicitation callback. `dialogCounts` says whether the server
 * takes the client's dialog as the person's approval (stdio by default, HTTP only with --approval-channels dialog):
 * then an accept sends exactly one write and a decline none; otherwise the write is held and nothing is asked or sent.
 */
async function runPython(python: string, target: Target, era: PythonEra, emulator: Emulator, write: { answer: 'accept' | 'decline'; dialogCounts: boolean; tableBasics: boolean }): Promise<void> {
  const label = target.kind === 'http' ? `http${write.dialogCounts ? ' --stateful, dialog counts' : ''}` : 'stdio';
  const suite = `${PYTHON_SUITE}/${label}`;
  const budget = nextBudget++;
  const connect =
    target.kind === 'http' ? ['--url', target.server.url, '--bearer', HTTP_TOKEN] : ['--stdio', process.execPath, entry];
  const args = [join(PYTHON_DIR, 'check.py'), '--era', era, '--write', write.answer, '--budget', String(budget), ...connect];
  const env = { ...cleanEnv(), ...(target.kind === 'stdio' ? serverEnv(target.emulator) : {}) };
  const before = emulator.requests.length;
  const result = await runGrouped(python, args, { cwd: workDir, env, timeoutMs: 5 * 60_000 });
  const sent = emulator.requests.slice(before).filter((r) => r.method !== 'GET');
  const writes = sent.length;
  // The one write an accept sends must be the change asked for: PATCH ad_groups with the budget in micro-currency.
  const exact = sent.every((r) => r.method === 'PATCH' && r.path.endsWith(`/ad_accounts/${ACCOUNT}/ad_groups`) && JSON.stringify(r.body).includes(`"budget_in_micro_currency":${budget * 1_000_000}`));
  const lines = result.stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as PythonLine);
  for (const line of lines) {
    if (!line.step.startsWith('ad_groups_update')) {
      // Every run repeats the basic steps: they are tabled once per target and era, and whenever they fail.
      if (write.tableBasics || !line.ok) record(suite, PYTHON_ERAS[era], line.step, line.ok, line.detail);
      continue;
    }
    const dialogs = (line.dialogs ?? []).map((d) => d.mode);
    const expected = !write.dialogCounts
      ? line.status === 'approval_required' && dialogs.length === 0 && writes === 0
      : write.answer === 'accept'
        ? dialogs.join() === 'form' && !line.is_error && writes === 1 && exact
        : dialogs.join() === 'form' && line.status === 'declined' && writes === 0;
    record(suite, PYTHON_ERAS[era], line.step, expected, `${line.detail}; writes sent to Pinterest: ${writes}${writes ? (exact ? ' (the change asked for)' : ` (not the change asked for: ${sent.map((r) => `${r.method} ${r.path} ${JSON.stringify(r.body).slice(0, 120)}`).join(', ')})`) : ''}`);
  }
  if (result.code !== 0 || !lines.length || (!lines.some((l) => l.step.startsWith('ad_groups_update')))) {
    const said = result.stderr.split('\n').filter((l) => l.trim()).slice(-3).join(' ');
    record(suite, PYTHON_ERAS[era], '(run)', false, `exit ${result.code}${result.timedOut ? ' (timed out)' : ''}: ${said.slice(0, 400)}`);
  }
}

function printTable(seconds: number): void {
  const header = { suite: 'suite', era: 'era/requirements', scenario: 'scenario', outcome: 'result', detail: 'detail' };
  const all = [header, ...rows];
  const width = (key: 'suite' | 'era' | 'scenario' | 'outcome') => Math.max(...all.map((r) => r[key].length));
  const [ws, we, wc, wo] = [width('suite'), width('era'), width('scenario'), width('outcome')];
  const line = (r: { suite: string; era: string; scenario: string; outcome: string; detail: string }) =>
    `${r.suite.padEnd(ws)}  ${r.era.padEnd(we)}  ${r.scenario.padEnd(wc)}  ${r.outcome.padEnd(wo)}  ${r.detail}`;
  process.stdout.write(`\n${line(header)}\n${'-'.repeat(ws + we + wc + wo + 20)}\n`);
  for (const r of rows) process.stdout.write(`${line(r)}\n`);
  const count = (o: Outcome) => rows.filter((r) => r.outcome === o).length;
  const vacuous = rows.filter((r) => r.outcome === 'passed' && r.vacuous).length;
  const unexpected = rows.filter((r) => UNEXPECTED.includes(r.outcome));
  process.stdout.write(
    `\nSummary - passed: ${count('passed')} (of which ${vacuous} only on the Unknown-tool/prompt answer to an absent fixture), ` +
      `expected failures: ${count('expected failure')}, failed: ${count('failed')}, ` +
      `unexpected passes: ${count('unexpected pass')}, stale entries: ${count('stale entry')}; ${seconds.toFixed(0)} s\n`,
  );
  process.stdout.write(`Expected failures and their reasons: ${EXPECTED_FILE}\n`);
  if (unexpected.length) process.stdout.write(`Unexpected: ${unexpected.map((r) => `${r.suite} ${r.era} ${r.scenario} (${r.outcome})`).join(', ')}\n`);
}

/** The conformance suites, the raw transport checks and the Inspector CLI. */
async function otherClients(emulator: Emulator, expectations: Map<string, Expectation>, secured: RunningServer): Promise<void> {
  // Open (no bearer) for the conformance suites, whose client sends no Authorization header; secured for the rest.
  const open = await startServer(emulator);
  const stateful = await startServer(emulator, undefined, ['--stateful']);
  process.stdout.write(`Server, stateless: ${open.url}\nServer, --stateful: ${stateful.url}\n`);
  await checkTransport(open, secured);
  for (const run of CONFORMANCE_RUNS) {
    for (const [server, mode] of [[open, 'stateless'], [stateful, 'stateful']] as const) {
      process.stdout.write(`Running ${CONFORMANCE}@${run.version} ${run.args} against the ${mode} server ...\n`);
      await runConformance(server, mode, run, expectations);
    }
  }
  for (const target of [{ kind: 'http', server: secured }, { kind: 'stdio', emulator }] as const) {
    for (const era of Object.keys(INSPECTOR_ERAS) as Era[]) {
      process.stdout.write(`Running the MCP Inspector CLI (${INSPECTOR_PACKAGE}, ${era} era) over ${target.kind} ...\n`);
      await runInspector(target, era, emulator);
    }
  }
}

/** The official Python SDK over stdio and HTTP, in both eras: the basics, then a held write accepted and declined. */
async function runPythonClient(emulator: Emulator, secured: RunningServer, dialogs: RunningServer): Promise<void> {
  process.stdout.write(`Preparing the Python SDK (${PYTHON_SDK}) in a virtual environment ...\n`);
  const started = Date.now();
  let python: string;
  try {
    python = await pythonEnvironment();
  } catch (error) {
    record(PYTHON_SUITE, '-', 'python3 -m venv, pip install', false, (error as Error).message);
    return;
  }
  record(PYTHON_SUITE, '-', 'python3 -m venv, pip install', true, `ready in ${((Date.now() - started) / 1000).toFixed(0)} s: ${python}`);
  for (const era of Object.keys(PYTHON_ERAS) as PythonEra[]) {
    process.stdout.write(`Running the Python SDK client (${era} era) over stdio and HTTP ...\n`);
    const stdio = { kind: 'stdio', emulator } as const;
    await runPython(python, stdio, era, emulator, { answer: 'accept', dialogCounts: true, tableBasics: true });
    await runPython(python, stdio, era, emulator, { answer: 'decline', dialogCounts: true, tableBasics: false });
    // Plain HTTP: the client's accept is not a person's, so the write stays held and the dialog is never opened.
    await runPython(python, { kind: 'http', server: secured }, era, emulator, { answer: 'accept', dialogCounts: false, tableBasics: true });
    await runPython(python, { kind: 'http', server: dialogs }, era, emulator, { answer: 'accept', dialogCounts: true, tableBasics: false });
    await runPython(python, { kind: 'http', server: dialogs }, era, emulator, { answer: 'decline', dialogCounts: true, tableBasics: false });
  }
}

/** CHECK_ONLY=python runs the Python SDK's step alone (to iterate on it; the full run takes minutes). */
const pythonOnly = process.env.CHECK_ONLY === 'python';

async function main(): Promise<number> {
  const started = Date.now();
  if (!isBuilt()) return 2;
  const expectations = loadExpected(join(root, EXPECTED_FILE));
  mkdirSync(INSPECTOR_STATE.MCP_STORAGE_DIR, { recursive: true });
  const startEmulator = await builtEmulator();
  const emulator = await startEmulator({ acceptedTokens: [PINTEREST_TOKEN] });
  try {
    const secured = await startServer(emulator, HTTP_TOKEN);
    // Over HTTP the client's dialog counts as the person only where the operator says so (README: Who approves spend);
    // 2025-era clients get their dialog over HTTP only in a session (--stateful).
    const dialogs = await startServer(emulator, HTTP_TOKEN, ['--stateful', '--approval-channels', 'page,dialog']);
    process.stdout.write(`Fake Pinterest API: ${emulator.url}\nServer, bearer token: ${secured.url}\nServer, bearer token, --stateful, dialog counts: ${dialogs.url}\n`);
    if (!pythonOnly) await otherClients(emulator, expectations, secured);
    await runPythonClient(emulator, secured, dialogs);
  } finally {
    for (const child of children) killGroup(child);
    await emulator.close();
  }
  printTable((Date.now() - started) / 1000);
  if (!rows.some((r) => UNEXPECTED.includes(r.outcome))) return 0;
  keepWorkDir = true;
  process.stdout.write(`Logs and raw results: ${workDir}\n`);
  return 1;
}

runMain('check:clients', main);
