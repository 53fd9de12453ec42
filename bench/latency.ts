// `npm run bench:latency`: added latency of a tool call over stdio versus calling the fake API endpoint directly, per era,
// beside the floor's (the bare SDK answering each call with one fetch, bench/floor/); target: project <= floor + 0.3 ms.
// BENCH_CALLS=2000 calls per half; BENCH_ERAS=legacy,modern to choose; BENCH_ENTRY=another build.
import type { Client } from '@modelcontextprotocol/client';
import { resolve } from 'node:path';
import { Worker } from 'node:worker_threads';
import { type Era, connectClient, eras, stdioTransport } from './eras.js';
import { floorEntry, median, projectEntry, sideBySide, writeFloorListing } from './floor/index.js';

const N = Number(process.env.BENCH_CALLS ?? 2000);
const ACCOUNT = '549755885175';
const TARGET_PLUS_MS = 0.3;
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

const listing = await writeFloorListing([]);
type Side = 'project' | 'floor';
async function connect(era: Era, side: Side): Promise<Client> {
  const params = {
    command: process.execPath,
    args: side === 'project' ? [projectEntry, '--log-level', 'warn'] : [floorEntry],
    env: { PATH: process.env.PATH ?? '', PINTEREST_API_BASE_URL: apiUrl, PINTEREST_ACCESS_TOKEN: 'test-token', FLOOR_LISTING: listing.file },
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

const sides: Side[] = ['project', 'floor'];
const clients = new Map<string, Client>();
for (const era of eras) for (const side of sides) clients.set(`${era} ${side}`, await connect(era, side));
// Warm every path, then measure them interleaved in halves to share machine conditions.
await timeDirect();
for (const client of clients.values()) await timeTool(client);
const direct: number[] = [];
const tool = new Map<string, number[]>([...clients.keys()].map((key) => [key, []]));
for (let half = 0; half < 2; half++) {
  direct.push(...(await timeDirect()));
  for (const [key, client] of clients) tool.get(key)!.push(...(await timeTool(client)));
}
const d = median(direct);
console.log(`added latency of a stdio tool call (ad_accounts_get) over a direct fetch (median ${d.toFixed(3)} ms), ${direct.length} calls each, medians`);
for (const era of eras) {
  const added = (side: Side) => median(tool.get(`${era} ${side}`)!) - d;
  console.log(sideBySide(`${era} added latency`, added('project'), added('floor'), 'ms', { plus: TARGET_PLUS_MS }, 3));
}
for (const client of clients.values()) await client.close();
await worker.terminate();
