// `npm run bench:latency`: added latency of a tool call over stdio versus calling the fake API endpoint directly, per era.
// BENCH_CALLS=2000 calls per half; BENCH_ERAS=legacy,modern to choose.
import type { Client } from '@modelcontextprotocol/client';
import { resolve } from 'node:path';
import { Worker } from 'node:worker_threads';
import { type Era, connectClient, eras, stdioTransport } from './eras.js';

const N = Number(process.env.BENCH_CALLS ?? 2000);
const ACCOUNT = '549755885175';
const TARGET_MS = 1;
const root = resolve(import.meta.dirname, '..');

// The fake API runs in a worker thread so that its work does not share the measuring event loop.
const worker = new Worker(
  `import { startEmulator } from ${JSON.stringify(resolve(root, 'dist/fake-api.js'))};
   import { parentPort } from 'node:worker_threads';
   const emulator = await startEmulator();
   parentPort.postMessage(emulator.url);`,
  { eval: true, type: 'module' } as unknown as ConstructorParameters<typeof Worker>[1],
);
const apiUrl = await new Promise<string>((res) => worker.once('message', res));

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function timeDirect(): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < N; i++) {
    const t = performance.now();
    const r = await fetch(`${apiUrl}/ad_accounts/${ACCOUNT}`, { headers: { authorization: 'Bearer test-token' } });
    await r.json();
    times.push(performance.now() - t);
  }
  return times;
}

async function connect(era: Era): Promise<Client> {
  const params = {
    command: process.execPath,
    args: [resolve(root, 'dist/index.js'), '--log-level', 'warn'],
    env: { PATH: process.env.PATH ?? '', PINTEREST_API_BASE_URL: apiUrl, PINTEREST_ACCESS_TOKEN: 'test-token' },
  };
  return connectClient(era, stdioTransport(era, params), 'latency');
}

async function timeTool(client: Client): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < N; i++) {
    const t = performance.now();
    const r = await client.callTool({ name: 'ad_accounts_get', arguments: { ad_account_id: ACCOUNT } });
    if (r.isError) throw new Error(JSON.stringify(r.content));
    times.push(performance.now() - t);
  }
  return times;
}

const clients = new Map<Era, Client>();
for (const era of eras) clients.set(era, await connect(era));
// Warm every path, then measure them interleaved in halves to share machine conditions.
await timeDirect();
for (const client of clients.values()) await timeTool(client);
const direct: number[] = [];
const tool = new Map<Era, number[]>(eras.map((era) => [era, []]));
for (let half = 0; half < 2; half++) {
  direct.push(...(await timeDirect()));
  for (const [era, client] of clients) tool.get(era)!.push(...(await timeTool(client)));
}
const d = median(direct);
console.log(`added latency of a stdio tool call (ad_accounts_get) over a direct fetch, ${direct.length} calls each, target <= ${TARGET_MS} ms`);
console.log(`  direct        median ${d.toFixed(3)} ms`);
for (const [era, times] of tool) {
  const m = median(times);
  const added = m - d;
  console.log(`  ${era.padEnd(6)} call   median ${m.toFixed(3)} ms  added ${added.toFixed(3)} ms  ${added <= TARGET_MS ? 'PASS' : 'FAIL'}`);
}
for (const client of clients.values()) await client.close();
await worker.terminate();
