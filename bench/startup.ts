// `npm run bench:startup`: start-up beside the floor (the bare SDK serving the same listing, bench/floor/), interleaved.
// - spawn to a tools/list answer with every tool, per protocol era: wall time, and the server's own CPU time
//   (robust to a busy machine); target <= 1.0x the floor's;
// - `--version` and `--help` to exit: target <= 150 ms, shown beside `node -e ""` (Node's own start).
// RUNS=15 runs of each, interleaved; BENCH_ERAS=legacy,modern to choose; BENCH_ENTRY=another build.
import { spawnSync } from 'node:child_process';
import { everyApiOn } from '../src/config/index.js';
import { type Era, connectClient, eras, stdioTransport } from './eras.js';
import { cpuMs, floorEntry, median, projectEntry, sideBySide, writeFloorListing } from './floor/index.js';

const runs = Number(process.env.RUNS ?? 15);
/** Every API on, so `--toolsets all` lists every tool (an API off until its key is given lists none). */
const everyApi = everyApiOn('bench-startup-key');
const listing = await writeFloorListing(['--toolsets', 'all'], everyApi);
const servers = {
  project: { args: [projectEntry, '--toolsets', 'all', '--log-level', 'silent'], env: everyApi },
  floor: { args: [floorEntry], env: { FLOOR_LISTING: listing.file } },
};
type Side = keyof typeof servers;

async function once(era: Era, side: Side): Promise<{ wall: number; cpu?: number; tools: number }> {
  const { args, env } = servers[side];
  const transport = stdioTransport(era, {
    command: process.execPath,
    args,
    env: { PATH: process.env.PATH ?? '', PINTEREST_API_BASE_URL: 'http://127.0.0.1:9/v5', PINTEREST_ACCESS_TOKEN: 'bench-token', ...env },
  });
  const started = performance.now();
  const client = await connectClient(era, transport);
  const tools = (await client.listTools()).tools.length;
  const wall = performance.now() - started;
  const cpu = cpuMs((transport as { pid?: number | null }).pid);
  await client.close();
  return { wall, cpu, tools };
}

const wall = new Map<string, number[]>();
const cpu = new Map<string, number[]>();
const push = (map: Map<string, number[]>, key: string, value: number | undefined) => {
  if (value !== undefined) map.set(key, [...(map.get(key) ?? []), value]);
};
for (let i = 0; i < runs; i++) {
  for (const era of eras) {
    for (const side of ['project', 'floor'] as const) {
      const r = await once(era, side);
      if (r.tools !== listing.tools) throw new Error(`${side} listed ${r.tools} tools, expected ${listing.tools}`);
      push(wall, `${era} ${side}`, r.wall);
      push(cpu, `${era} ${side}`, r.cpu);
    }
  }
}

/** Wall time of a command from spawn to exit. */
function exitTime(args: string[]): number {
  const started = performance.now();
  const result = spawnSync(process.execPath, args, { stdio: ['ignore', 'ignore', 'inherit'] });
  if (result.status !== 0) throw new Error(`${args.join(' ')} exited with ${result.status}`);
  return performance.now() - started;
}
const cli = { version: [] as number[], help: [] as number[], node: [] as number[] };
for (let i = 0; i < runs; i++) {
  cli.version.push(exitTime([projectEntry, '--version']));
  cli.help.push(exitTime([projectEntry, '--help']));
  cli.node.push(exitTime(['-e', '']));
}

console.log(`start-up: spawn to a tools/list answer with all ${listing.tools} tools, ${runs} interleaved runs per era (medians)`);
for (const era of eras) {
  const w = (side: Side) => median(wall.get(`${era} ${side}`)!);
  console.log(sideBySide(`${era} wall`, w('project'), w('floor'), 'ms', { ratio: 1.0 }, 0));
  if (cpu.has(`${era} project`)) {
    const c = (side: Side) => median(cpu.get(`${era} ${side}`)!);
    console.log(sideBySide(`${era} server CPU`, c('project'), c('floor'), 'ms', { ratio: 1.0 }, 0));
  }
}
const node = median(cli.node);
console.log(`command line: spawn to exit, ${runs} interleaved runs (medians), target <= 150 ms; floor: node -e "" (Node's own start)`);
for (const name of ['version', 'help'] as const) {
  const ms = median(cli[name]);
  console.log(`  --${name.padEnd(26)} project ${ms.toFixed(0).padStart(9)} ms   node  ${node.toFixed(0).padStart(9)} ms   target <= 150 ms  ${ms <= 150 ? 'PASS' : 'FAIL'}`);
}
