// `npm run bench:latency`: added latency of a tool call over stdio versus calling the fake API endpoint directly.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { resolve } from 'node:path';
import { Worker } from 'node:worker_threads';

const N = Number(process.env.BENCH_CALLS ?? 2000);
const ACCOUNT = '549755885175';
const root = resolve(import.meta.dirname, '..');

// The fake API runs in a worker thread so that its work does not share the measuring event loop.
const worker = new Worker(
  `import { startEmulator } from ${JSON.stringify(resolve(root, 'dist/emulator/server.js'))};
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

const client = new Client({ name: 'latency', version: '1' });
await client.connect(
  new StdioClientTransport({
    command: process.execPath,
    args: [resolve(root, 'dist/index.js'), '--log-level', 'warn'],
    env: { PATH: process.env.PATH ?? '', PINTEREST_API_BASE_URL: apiUrl, PINTEREST_ACCESS_TOKEN: 'test-token' },
  }),
);
async function timeTool(): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < N; i++) {
    const t = performance.now();
    const r = await client.callTool({ name: 'ad_accounts_get', arguments: { ad_account_id: ACCOUNT } });
    if (r.isError) throw new Error(JSON.stringify(r.content));
    times.push(performance.now() - t);
  }
  return times;
}

await timeDirect(); // warm both paths, then measure them interleaved in halves to share machine conditions
await timeTool();
const direct = [...(await timeDirect()), ...(await timeDirect())];
const tool = [...(await timeTool()), ...(await timeTool())];
const d = median(direct);
const m = median(tool);
console.log(JSON.stringify({ calls: direct.length, direct_median_ms: +d.toFixed(3), tool_median_ms: +m.toFixed(3), added_median_ms: +(m - d).toFixed(3), target_ms: 1 }));
await client.close();
await worker.terminate();
