// `npm run bench:startup`: process spawn to a tools/list answer over stdio, every tool listed, per protocol era (median of runs).
// RUNS=15 runs per era, interleaved; BENCH_ERAS=legacy,modern to choose.
import { resolve } from 'node:path';
import { type Era, connectClient, eras, stdioTransport } from './eras.js';

const entry = resolve(import.meta.dirname, '../dist/index.js');
const runs = Number(process.env.RUNS ?? 15);
const TARGET_MS = 350;
async function once(era: Era): Promise<{ ms: number; tools: number }> {
  const params = {
    command: process.execPath,
    args: [entry, '--toolsets', 'all', '--log-level', 'silent'],
    env: { PATH: process.env.PATH ?? '', PINTEREST_API_BASE_URL: 'http://127.0.0.1:9/v5' },
  };
  const started = performance.now();
  const client = await connectClient(era, stdioTransport(era, params));
  const tools = (await client.listTools()).tools.length;
  const ms = performance.now() - started;
  await client.close();
  return { ms, tools };
}

const times: Record<Era, number[]> = { legacy: [], modern: [] };
const tools: Record<Era, number> = { legacy: 0, modern: 0 };
for (let i = 0; i < runs; i++) {
  for (const era of eras) {
    const r = await once(era);
    times[era].push(r.ms);
    tools[era] = r.tools;
  }
}
console.log(`start-up: spawn to tools/list (--toolsets all), ${runs} runs per era, target <= ${TARGET_MS} ms`);
for (const era of eras) {
  const t = times[era].sort((a, b) => a - b);
  const median = t[Math.floor(t.length / 2)];
  console.log(
    `  ${era.padEnd(6)}  median ${Math.round(median)} ms  (min ${Math.round(t[0])}, max ${Math.round(t.at(-1)!)})  ${tools[era]} tools  ` +
      `${median <= TARGET_MS ? 'PASS' : 'FAIL'}`,
  );
}
