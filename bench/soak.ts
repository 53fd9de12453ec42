// Memory soak: concurrent SDK sessions of mixed load (reads, held writes, approvals decided by a person on /approvals,
// many left to expire) against the built server over HTTP, stateless and --stateful, both eras; the server's RSS every 10 s.
// Target: RSS at the end <= 1.10x RSS after the first minute, per mode. Loopback only.
// Usage: npm run build && npm run bench:soak   (BENCH_MINUTES=10 per mode, BENCH_SESSIONS=50, BENCH_MODES=stateless,stateful,
// BENCH_ERAS=legacy,modern, BENCH_DECIDE=0.4 (share of held writes decided), BENCH_CONFIRM_TTL=60 (seconds a person has),
// BENCH_MAX_PENDING=1000, BENCH_RECONNECT_EVERY=10 (rounds per session), BENCH_HEAP=1 (heap snapshots at minute 1 and at
// the end, compared), BENCH_HEAP_KEEP=1 (keep them), BENCH_MALLOC_ARENA_MAX=2 (default, as deployed; `default` for
// glibc's own), BENCH_NODE_FLAGS (for the server), BENCH_ENTRY=another build)
import { type CallToolResult, type Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { get } from 'node:http';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { PageApprover } from '../test/helpers/approver.js';
import { type Era, connectClient, eras } from './eras.js';
import { cpuMs, projectEntry, root } from './floor/index.js';
import { compareHeaps } from './soak-heap.js';

const MINUTES = Number(process.env.BENCH_MINUTES ?? 10);
const SESSIONS = Number(process.env.BENCH_SESSIONS ?? 50);
const MODES = (process.env.BENCH_MODES ?? 'stateless,stateful').split(',') as Mode[];
/** The share of held writes a person decides; the rest wait until they expire (what grew memory before). */
const DECIDE = Number(process.env.BENCH_DECIDE ?? 0.4);
/**
 * How long a person has to decide (--confirm-ttl). Shorter than the default 600 s so that undecided held writes expire
 * within the run, as they do over a day of real use; BENCH_CONFIRM_TTL=600 measures the default.
 */
const CONFIRM_TTL = process.env.BENCH_CONFIRM_TTL ?? '60';
/** All sessions come from 127.0.0.1, one client address: its pending bound is raised to the setting's maximum. */
const MAX_PENDING = process.env.BENCH_MAX_PENDING ?? '1000';
const RECONNECT_EVERY = Number(process.env.BENCH_RECONNECT_EVERY ?? 10);
const HEAP = process.env.BENCH_HEAP === '1';
/**
 * glibc's malloc arenas for the server, as the Dockerfile and the README's deployment notes set them (2). With glibc's
 * default (8 per core) the live heap stayed flat under the stateless load while RSS kept the freed native memory of
 * every arena (176 -> 389 MB in 6 minutes; with 2 arenas 198 -> 245 MB, given back as it is freed).
 * BENCH_MALLOC_ARENA_MAX=default measures glibc's default.
 */
const MALLOC_ARENAS = process.env.BENCH_MALLOC_ARENA_MAX ?? '2';
const SAMPLE_MS = 10_000;
const TARGET_RATIO = 1.1;
const TOKEN = 'test-token';
const APPROVER_TOKEN = 'bench-approver-token-0123456789abcdef';
const ACCOUNT = '549755885175';
const CAMPAIGN = '687195134101';

type Mode = 'stateless' | 'stateful';

/**
 * The fake API in a worker thread; asked for the writes that reached it since the last ask (its log is then cleared, so
 * that it does not grow over the run).
 */
async function startEmulatorWorker(): Promise<{ url: string; writes(): Promise<number>; stop(): Promise<void> }> {
  const worker = new Worker(
    `import { startEmulator } from ${JSON.stringify(join(root, 'dist/fake-api.js'))};
     import { parentPort } from 'node:worker_threads';
     const emulator = await startEmulator({ acceptedTokens: [${JSON.stringify(TOKEN)}] });
     parentPort.on('message', () => {
       const writes = emulator.requests.filter((r) => r.method !== 'GET').length;
       emulator.requests.length = 0;
       parentPort.postMessage(writes);
     });
     parentPort.postMessage(emulator.url);`,
    { eval: true, type: 'module' } as unknown as ConstructorParameters<typeof Worker>[1],
  );
  const url = await new Promise<string>((res, rej) => {
    worker.once('message', res);
    worker.once('error', rej);
  });
  return {
    url,
    writes: () =>
      new Promise<number>((res) => {
        worker.once('message', res);
        worker.postMessage('writes');
      }),
    stop: async () => void (await worker.terminate()),
  };
}

interface Server {
  url: string;
  base: string;
  child: ChildProcess;
  /** Where the server runs (its heap snapshots land here); removed on stop. */
  dir: string;
  stop(): Promise<void>;
}

async function startServer(apiUrl: string, mode: Mode): Promise<Server> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-soak-'));
  const args = [
    ...(process.env.BENCH_NODE_FLAGS?.split(' ').filter(Boolean) ?? []),
    ...(HEAP ? ['--heapsnapshot-signal=SIGUSR2'] : []),
    projectEntry,
    '--transport', 'http', '--port', '0',
    '--confirm-ttl', CONFIRM_TTL,
    '--max-pending-approvals', MAX_PENDING,
    ...(mode === 'stateful' ? ['--stateful'] : []),
  ];
  const child = spawn(process.execPath, args, {
    cwd: dir,
    env: {
      PATH: process.env.PATH ?? '',
      PINTEREST_API_BASE_URL: apiUrl,
      PINTEREST_ACCESS_TOKEN: TOKEN,
      PINTEREST_MCP_APPROVER_TOKEN: `bench=${APPROVER_TOKEN}`,
      PINTEREST_MCP_LOG_LEVEL: 'info',
      ...(MALLOC_ARENAS === 'default' ? {} : { MALLOC_ARENA_MAX: MALLOC_ARENAS }),
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  // Only the start is kept (to find the address, or to say why it failed); the log is read on, so the pipe never fills.
  let stderr = '';
  const url = await new Promise<string>((res, rej) => {
    child.stderr!.on('data', (chunk: Buffer) => {
      if (stderr.length < 64_000) stderr += chunk.toString('utf8');
      const match = /"url":"(http:[^"]+\/mcp)"/.exec(stderr);
      if (match) res(match[1]);
    });
    child.once('exit', (code) => rej(new Error(`server exited with ${code}: ${stderr.slice(0, 4000)}`)));
  });
  // Stopped with the bench, however it ends (an interrupt, a failure).
  const orphan = () => {
    child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  };
  process.once('exit', orphan);
  return {
    url,
    base: new URL(url).origin,
    child,
    dir,
    stop: () =>
      new Promise<void>((res) => {
        const done = () => {
          process.off('exit', orphan);
          rmSync(dir, { recursive: true, force: true });
          res();
        };
        if (child.exitCode !== null || child.signalCode !== null) return done();
        child.once('exit', done);
        child.kill('SIGTERM');
      }),
  };
}

function rssMb(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Number(match[1]) / 1024 : NaN;
}

/** What the sessions did, by kind, cumulative; the first few unexpected answers, to show at the end. */
class Tally {
  readonly counts = new Map<string, number>();
  readonly surprises: string[] = [];
  add(kind: string, detail?: string): void {
    this.counts.set(kind, (this.counts.get(kind) ?? 0) + 1);
    if (detail && this.surprises.length < 5) this.surprises.push(`${kind}: ${detail.slice(0, 300)}`);
  }
  get(kind: string): number {
    return this.counts.get(kind) ?? 0;
  }
}

const statusOf = (result: CallToolResult) => (result.structuredContent as { status?: string } | undefined)?.status;
const textOf = (result: CallToolResult) => result.content.map((c) => (c.type === 'text' ? c.text : '')).join(' ');

/** A campaign spend cap raise: held for the person. The amount varies with the session and round, as a model's would. */
const raise = (session: number, round: number) => ({
  ad_account_id: ACCOUNT,
  body: [{ id: CAMPAIGN, ad_account_id: ACCOUNT, daily_spend_cap: `${100 + ((session * 7919 + round) % 5000)}.${String(round % 100).padStart(2, '0')}` }],
});

async function connect(url: string, era: Era): Promise<{ client: Client; transport: StreamableHTTPClientTransport }> {
  const transport = new StreamableHTTPClientTransport(new URL(url));
  return { client: await connectClient(era, transport, 'soak'), transport };
}

/**
 * One session's loop until `stop.now`: two reads, a held write, and for DECIDE of the held writes the person's decision
 * on the page (two approvals in three, one rejection) and the session's read of the outcome. Every RECONNECT_EVERY rounds,
 * and after an error, it starts a new session: every other one says goodbye (DELETE), the others just leave, as clients do.
 */
async function session(index: number, url: string, person: PageApprover, tally: Tally, stop: { now: boolean }): Promise<void> {
  const era = eras[index % eras.length];
  let connection: Awaited<ReturnType<typeof connect>> | undefined;
  let goodbyes = 0;
  const leave = async () => {
    if (goodbyes++ % 2 === 0) await connection?.transport.terminateSession().catch(() => {});
    await connection?.client.close().catch(() => {});
    connection = undefined;
  };
  let held = 0;
  let decided = 0;
  for (let round = 1; !stop.now; round++) {
    try {
      if (!connection) {
        connection = await connect(url, era);
        tally.add('session');
      }
      const { client } = connection;
      for (const [name, args] of [
        ['ad_accounts_get', { ad_account_id: ACCOUNT }],
        ['campaigns_list', { ad_account_id: ACCOUNT }],
      ] as const) {
        const read = (await client.callTool({ name, arguments: args })) as CallToolResult;
        tally.add(read.isError ? 'read refused' : 'read', read.isError ? textOf(read) : undefined);
      }
      const args = raise(index, round);
      const answer = (await client.callTool({ name: 'campaigns_update', arguments: args })) as CallToolResult;
      const status = statusOf(answer);
      if (status === 'too_many_pending') tally.add('too_many_pending');
      else if (status !== 'approval_required') tally.add(`write ${status ?? 'without status'}`, textOf(answer));
      // Spread evenly: the person decides whenever this session's decided share falls behind DECIDE.
      else if ((tally.add('held'), ++held) && decided < Math.floor(held * DECIDE + 0.5)) {
        decided++;
        const id = (answer.structuredContent as { approval_id: string }).approval_id;
        const decision = decided % 3 === 0 ? 'reject' : 'approve';
        const page = await person.decide(id, decision);
        tally.add(page.status === 303 ? (decision === 'approve' ? 'approved' : 'rejected') : `decision answered ${page.status}`, page.status === 303 ? undefined : page.html);
        const outcome = (await client.callTool({ name: 'campaigns_update', arguments: { ...args, approval_id: id } })) as CallToolResult;
        // An approved write's outcome is its result with the approval beside it; a rejected one says so.
        const sent = (outcome.structuredContent as { approval?: { status?: string } } | undefined)?.approval?.status === 'approved';
        const read = sent ? 'approved' : statusOf(outcome);
        const expected = decision === 'approve' ? 'approved' : 'approval_rejected';
        tally.add(read === expected ? 'outcome read' : `outcome ${read ?? 'without status'} after ${decision}`, read === expected ? undefined : textOf(outcome));
      }
    } catch (error) {
      tally.add('error', String(error instanceof Error && error.cause ? `${error.message}: ${String(error.cause)}` : error));
      await leave();
      await new Promise((r) => setTimeout(r, 100)); // not a hot loop when the server is gone
      continue;
    }
    if (round % RECONNECT_EVERY === 0) await leave();
  }
  await leave();
}

/** Resolves once `url` answers, on a connection of its own (a pooled one may have been closed while the server was busy). */
function answered(url: string): Promise<void> {
  return new Promise((res, rej) => {
    get(url, { agent: false }, (answer) => answer.resume().once('end', res)).once('error', rej);
  });
}

/** Asks the server (started with --heapsnapshot-signal) for a heap snapshot; resolves with its file once written. */
async function heapSnapshot(server: Server): Promise<string> {
  const before = new Set(readdirSync(server.dir));
  server.child.kill('SIGUSR2');
  for (;;) {
    const file = readdirSync(server.dir).find((f) => f.endsWith('.heapsnapshot') && !before.has(f));
    if (file) {
      // The snapshot is written on the server's main thread: once it answers again, the file is complete.
      await answered(`${server.base}/healthz`);
      return join(server.dir, file);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

const COLUMNS = ['read', 'held', 'too_many_pending', 'approved', 'rejected', 'outcome read', 'session', 'error'] as const;
/**
 * Minute, RSS, the server's share of a core since the last sample and this process's (the clients and the fake API: when
 * it is near a whole core, the load, not the server, sets the pace), then the counts.
 */
const row = (cells: (string | number)[]) => cells.map((c, i) => String(c).padStart([6, 8, 6, 6][i] ?? 17)).join('');

async function soak(mode: Mode, emulator: Awaited<ReturnType<typeof startEmulatorWorker>>): Promise<{ mode: Mode; first: number; last: number; snapshotCost?: number }> {
  const server = await startServer(emulator.url, mode);
  const pid = server.child.pid!;
  await emulator.writes(); // a clean count for this mode
  const person = new PageApprover(server.base);
  const signedIn = await person.signIn(APPROVER_TOKEN);
  if (signedIn.status !== 303) throw new Error(`the approver could not sign in: ${signedIn.status} ${signedIn.html.slice(0, 300)}`);

  console.log(
    `\n${mode}: ${SESSIONS} sessions (${eras.join(' and ')} eras${mode === 'stateful' ? ', legacy ones in sessions' : ''}) for ${MINUTES} min; ` +
      `${Math.round(DECIDE * 100)}% of held writes decided, the rest expire after ${CONFIRM_TTL} s; --max-pending-approvals ${MAX_PENDING}`,
  );
  console.log(`server RSS at start: ${rssMb(pid).toFixed(0)} MB (MALLOC_ARENA_MAX=${MALLOC_ARENAS}); every 10 s its RSS, its and the load's share of a core, and what the sessions did so far:`);
  console.log(row(['min', 'RSS MB', 'CPU', 'load', ...COLUMNS]));
  const tally = new Tally();
  const stop = { now: false };
  const started = performance.now();
  const loops = Array.from({ length: SESSIONS }, (_, i) => session(i, server.url, person, tally, stop));
  const samples: { at: number; rss: number }[] = [];
  const heaps: string[] = [];
  const deadline = MINUTES * 60_000;
  const reference = deadline >= 60_000 ? 60_000 : SAMPLE_MS;
  let before = { at: performance.now(), server: cpuMs(pid)!, load: cpuMs(process.pid)! };
  let snapshotCost: number | undefined;
  let writes = 0;
  for (let at = SAMPLE_MS; at <= deadline; at += SAMPLE_MS) {
    const wait = started + at - performance.now();
    if (wait < 0 && at !== deadline) continue; // missed while the server wrote a heap snapshot
    await new Promise((r) => setTimeout(r, Math.max(0, wait)));
    if (at === deadline) stop.now = true;
    const rss = rssMb(pid);
    const now = { at: performance.now(), server: cpuMs(pid)!, load: cpuMs(process.pid)! };
    const share = (side: 'server' | 'load') => `${Math.round(((now[side] - before[side]) / (now.at - before.at)) * 100)}%`;
    samples.push({ at, rss });
    writes += await emulator.writes();
    console.log(row([(at / 60_000).toFixed(2), rss.toFixed(0), share('server'), share('load'), ...COLUMNS.map((k) => tally.get(k))]));
    before = now;
    // The first snapshot right after the reference sample (minute 1, or the first in a shorter run).
    if (HEAP && at === reference && at !== deadline) {
      const writing = performance.now();
      heaps.push(await heapSnapshot(server));
      snapshotCost = rssMb(pid) - rss;
      console.log(`  (heap snapshot: the server was busy ${((performance.now() - writing) / 1000).toFixed(0)} s writing it, and its RSS grew ${snapshotCost.toFixed(0)} MB by it)`);
      before = { at: performance.now(), server: cpuMs(pid)!, load: cpuMs(process.pid)! };
    }
  }
  stop.now = true;
  await Promise.all(loops);
  writes += await emulator.writes();
  if (HEAP) heaps.push(await heapSnapshot(server));

  const first = samples.find((s) => s.at === reference)!.rss;
  const last = samples[samples.length - 1].rss;
  const others = [...tally.counts].filter(([k]) => !(COLUMNS as readonly string[]).includes(k));
  if (others.length) console.log(`  other answers: ${others.map(([k, v]) => `${k} ${v}`).join(', ')}`);
  for (const s of tally.surprises) console.log(`  e.g. ${s}`);
  const approved = tally.get('approved');
  console.log(`  writes that reached the fake API: ${writes}, approved: ${approved}${writes === approved ? '' : '  MISMATCH: only an approval may send, exactly once'}`);
  console.log(`  load average ${loadavg()[0].toFixed(1)}`);
  if (heaps.length === 2) {
    console.log('  heap, minute 1 -> end:');
    for (const line of compareHeaps(heaps[0], heaps[1])) console.log(`    ${line}`);
    if (process.env.BENCH_HEAP_KEEP === '1') {
      const kept = mkdtempSync(join(tmpdir(), 'bench-soak-heaps-'));
      for (const [i, file] of heaps.entries()) renameSync(file, join(kept, `${mode}-${i ? 'end' : 'minute-1'}.heapsnapshot`));
      console.log(`  heap snapshots kept in ${kept}`);
    }
  }
  await server.stop();
  return { mode, first, last, snapshotCost };
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => process.exit(130)); // runs the 'exit' cleanups
const emulator = await startEmulatorWorker();
const results = [];
try {
  for (const mode of MODES) results.push(await soak(mode, emulator));
} finally {
  await emulator.stop();
}
console.log(`\nserver RSS, end vs after minute 1 (target <= ${TARGET_RATIO.toFixed(2)}x)`);
for (const { mode, first, last, snapshotCost } of results) {
  const ratio = last / first;
  const verdict =
    snapshotCost !== undefined
      ? `n/a: the end includes the heap snapshot's own ${snapshotCost.toFixed(0)} MB (run without BENCH_HEAP for a verdict)`
      : MINUTES >= 2
        ? ratio <= TARGET_RATIO
          ? 'PASS'
          : 'FAIL'
        : 'n/a (a verdict needs BENCH_MINUTES >= 2)';
  console.log(`  ${mode.padEnd(10)} after minute 1 ${first.toFixed(0).padStart(6)} MB   end ${last.toFixed(0).padStart(6)} MB   ratio ${ratio.toFixed(2)}x  ${verdict}`);
}
