// Benchmark of the Streamable HTTP transport: N concurrent MCP sessions against the built server and the fake API.
// Both eras against one server: legacy-era clients (initialize; stateless unless BENCH_STATEFUL=1) and modern-era clients
// (pinned to 2026-07-28, every request self-contained).
// Usage: npm run build && npm run bench:http   (BENCH_SESSIONS=50 BENCH_SECONDS=10 BENCH_STATEFUL=1 BENCH_ERAS=legacy,modern
// BENCH_NODE_FLAGS=... to vary)
import { type CallToolResult, type Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { resolve } from 'node:path';
import { Worker } from 'node:worker_threads';
import { type Era, connectClient, eras } from './eras.js';

const SESSIONS = Number(process.env.BENCH_SESSIONS ?? 50);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const STATEFUL = process.env.BENCH_STATEFUL === '1';
const TARGET_RATE = 1000;
const TARGET_ADDED_MS = 1; // bench:latency's target (stdio), shown beside the HTTP figure for comparison
const ACCOUNT = '549755885175';
/** BENCH_TOOL=describe_tool measures the MCP/HTTP layer alone (no call to the fake API). */
const TOOL =
  process.env.BENCH_TOOL === 'describe_tool'
    ? { name: 'describe_tool', arguments: { name: 'ad_accounts_get' } }
    : { name: 'ad_accounts_get', arguments: { ad_account_id: ACCOUNT } };
const TOKEN = 'test-token';
const root = resolve(import.meta.dirname, '..');

/** The fake API runs in a worker thread, so that its work does not compete with the clients' event loop. */
async function startEmulatorWorker(): Promise<{ url: string; stop(): Promise<void> }> {
  const worker = new Worker(
    `import { startEmulator } from ${JSON.stringify(resolve(root, 'dist/fake-api.js'))};
     import { parentPort } from 'node:worker_threads';
     const emulator = await startEmulator({ acceptedTokens: [${JSON.stringify(TOKEN)}] });
     parentPort.postMessage(emulator.url);`,
    { eval: true, type: 'module' } as unknown as ConstructorParameters<typeof Worker>[1],
  );
  const url = await new Promise<string>((res, rej) => {
    worker.once('message', res);
    worker.once('error', rej);
  });
  return { url, stop: async () => void (await worker.terminate()) };
}

async function startServer(apiUrl: string): Promise<{ url: string; pid: number; stop(): Promise<void> }> {
  const nodeFlags = process.env.BENCH_NODE_FLAGS?.split(' ').filter(Boolean) ?? []; // e.g. --cpu-prof for profiling
  const args = [...nodeFlags, resolve(root, 'dist/index.js'), '--transport', 'http', '--port', '0', ...(STATEFUL ? ['--stateful'] : [])];
  const child = spawn(process.execPath, args, {
    env: { PATH: process.env.PATH ?? '', PINTEREST_API_BASE_URL: apiUrl, PINTEREST_ACCESS_TOKEN: TOKEN, PINTEREST_MCP_LOG_LEVEL: 'info' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  const url = await new Promise<string>((res, rej) => {
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
      const match = /"url":"(http:[^"]+\/mcp)"/.exec(stderr);
      if (match) res(match[1]);
    });
    child.once('exit', (code) => rej(new Error(`server exited with ${code}: ${stderr}`)));
  });
  return {
    url,
    pid: child.pid!,
    stop: () =>
      new Promise<void>((res) => {
        if (child.exitCode !== null) return res();
        child.once('exit', () => res());
        child.kill('SIGTERM');
      }),
  };
}

function rssMb(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Math.round(Number(match[1]) / 1024) : NaN;
}

/** CPU seconds (user + system) a process has used so far. */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (100 Hz)
}

function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

const median = (values: number[]) => percentile([...values].sort((x, y) => x - y), 50);
const fmt = (ms: number) => `${ms.toFixed(2)} ms`;

async function connect(url: string, era: Era): Promise<Client> {
  return connectClient(era, new StreamableHTTPClientTransport(new URL(url)));
}

async function call(client: Client): Promise<number> {
  const started = performance.now();
  const result = (await client.callTool(TOOL)) as CallToolResult;
  const ms = performance.now() - started;
  if (result.isError) throw new Error(`tool call failed: ${JSON.stringify(result.content)}`);
  return ms;
}

async function main(): Promise<void> {
  const emulator = await startEmulatorWorker();
  const server = await startServer(emulator.url);
  console.log(`server ${server.url} (${STATEFUL ? 'stateful' : 'stateless'}), fake API ${emulator.url}, tool ${TOOL.name}`);
  try {
    const direct = `${emulator.url}/ad_accounts/${ACCOUNT}`;
    const headers = { authorization: `Bearer ${TOKEN}`, accept: 'application/json' };
    for (const era of eras) {
      // Warm up both paths (JIT, connection pools, the listing cache).
      const warm = await connect(server.url, era);
      for (let i = 0; i < 300; i++) {
        await (await fetch(direct, { headers })).text();
        await call(warm);
      }

      // Added latency: the same endpoint called directly vs through one MCP client, sequentially, in this run.
      const directMs: number[] = [];
      const toolMs: number[] = [];
      for (let i = 0; i < 1000; i++) {
        const started = performance.now();
        await (await fetch(direct, { headers })).text();
        directMs.push(performance.now() - started);
        toolMs.push(await call(warm));
      }
      await warm.close();

      // Throughput: SESSIONS concurrent clients, each calling in a loop for SECONDS.
      const clients = await Promise.all(Array.from({ length: SESSIONS }, () => connect(server.url, era)));
      const rss = [rssMb(server.pid)];
      const latencies: number[] = [];
      let errors = 0;
      const deadline = performance.now() + SECONDS * 1000;
      const middle = setTimeout(() => rss.push(rssMb(server.pid)), (SECONDS * 1000) / 2);
      const started = performance.now();
      const serverCpu = cpuSeconds(server.pid);
      const benchCpu = process.cpuUsage();
      await Promise.all(
        clients.map(async (client) => {
          while (performance.now() < deadline) {
            try {
              latencies.push(await call(client));
            } catch {
              errors++;
            }
          }
        }),
      );
      const elapsed = (performance.now() - started) / 1000;
      const serverCpuShare = (cpuSeconds(server.pid) - serverCpu) / elapsed;
      const benchUsage = process.cpuUsage(benchCpu);
      const benchCpuShare = (benchUsage.user + benchUsage.system) / 1e6 / elapsed;
      clearTimeout(middle);
      rss.push(rssMb(server.pid));
      await Promise.all(clients.map((c) => c.close()));

      latencies.sort((x, y) => x - y);
      const rate = latencies.length / elapsed;
      const added = median(toolMs) - median(directMs);
      const mode = era === 'modern' ? 'per-request' : STATEFUL ? 'stateful sessions' : 'stateless';
      console.log(`\n${era} era (${mode}): ${SESSIONS} concurrent clients for ${elapsed.toFixed(1)} s`);
      console.log(`  calls:        ${latencies.length} (${errors} errors)`);
      console.log(`  calls/s:      ${rate.toFixed(0)}  target >= ${TARGET_RATE}  ${rate >= TARGET_RATE && errors === 0 ? 'PASS' : 'FAIL'}`);
      console.log(`  latency p50:  ${fmt(percentile(latencies, 50))}`);
      console.log(`  latency p99:  ${fmt(percentile(latencies, 99))}`);
      console.log(`  server RSS:   ${rss.join(' MB -> ')} MB (start, middle, end)`);
      console.log(`  server CPU:   ${(serverCpuShare * 100).toFixed(0)}% of a core, ${((serverCpuShare * 1000) / rate).toFixed(2)} ms per call`);
      console.log(`  bench CPU:    ${(benchCpuShare * 100).toFixed(0)}% of a core (${SESSIONS} SDK clients), machine has ${availableParallelism()} CPUs, load ${loadavg()[0].toFixed(1)}`);
      console.log(`  added latency, 1 client, sequential, 1000 calls each:`);
      console.log(`    fake API direct (fetch) median: ${fmt(median(directMs))}`);
      console.log(`    MCP tool call median:           ${fmt(median(toolMs))}`);
      console.log(`    added by the server per call:   ${fmt(added)}  (informative; the ${TARGET_ADDED_MS} ms target is bench:latency's, over stdio)`);
    }
  } finally {
    await server.stop();
    await emulator.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
