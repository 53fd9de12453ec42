// `npm run bench:startup`: process spawn to a tools/list answer over stdio, every tool listed (median of runs).
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { resolve } from 'node:path';

const entry = resolve(import.meta.dirname, '../dist/index.js');
const runs = Number(process.env.RUNS ?? 15);
const times: number[] = [];
let tools = 0;
for (let i = 0; i < runs; i++) {
  const client = new Client({ name: 'bench', version: '1' });
  const started = performance.now();
  await client.connect(
    new StdioClientTransport({
      command: process.execPath,
      args: [entry, '--toolsets', 'all', '--log-level', 'silent'],
      env: { PATH: process.env.PATH ?? '', PINTEREST_API_BASE_URL: 'http://127.0.0.1:9/v5' },
    }),
  );
  tools = (await client.listTools()).tools.length;
  times.push(performance.now() - started);
  await client.close();
}
times.sort((a, b) => a - b);
const median = times[Math.floor(times.length / 2)];
console.log(JSON.stringify({ runs, tools, median_ms: Math.round(median), min_ms: Math.round(times[0]), max_ms: Math.round(times.at(-1)!), target_ms: 350 }));
