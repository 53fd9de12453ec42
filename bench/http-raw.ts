// Server CPU per stateless tool call under a cheap raw-HTTP load: 50 keep-alive connections replaying one fixed
// tools/call per era (no SDK client in the loop, so the figure is the server's own cost, robust to a busy machine),
// beside the floor's (the bare SDK answering each call with one fetch, bench/floor/), rounds interleaved.
// Target: project <= 1.15x the floor, both eras, with the guard and the redactor on (they always are).
// Usage: npm run build && npm run bench:http-raw   (BENCH_TOOL=describe_tool for the MCP layer alone, BENCH_ERAS,
// BENCH_ROUNDS=5, BENCH_SECONDS=4, BENCH_WARMUP=8 (seconds per side and era), BENCH_ENTRY=another build,
// BENCH_NODE_FLAGS=--cpu-prof ... for both sides, BENCH_VERSUS=another build's dist/index.js in the floor's place: an A/B
// of two commits, which moves less from run to run than either's ratio to the floor)
import { type ChildProcess, spawn } from 'node:child_process';
import { Agent, request } from 'node:http';
import { resolve } from 'node:path';
import { Worker } from 'node:worker_threads';
import { type Era, eras } from './eras.js';
import { cpuMs, floorEntry, median, projectEntry, root, sideBySide, writeFloorListing } from './floor/index.js';

const TOOL = process.env.BENCH_TOOL ?? 'ad_accounts_get';
const TARGET_RATIO = 1.15;
const args = TOOL === 'describe_tool' ? { name: 'ad_accounts_get' } : { ad_account_id: '549755885175' };
const worker = new Worker(
  `import { startEmulator } from ${JSON.stringify(resolve(root, 'dist/fake-api.js'))};
   import { parentPort } from 'node:worker_threads';
   const emulator = await startEmulator({ acceptedTokens: ['test-token'] });
   parentPort.postMessage(emulator.url);`,
  { eval: true, type: 'module' } as never,
);
const apiUrl = await new Promise<string>((res) => worker.once('message', res));
const listing = await writeFloorListing([]);
const nodeFlags = process.env.BENCH_NODE_FLAGS?.split(' ').filter(Boolean) ?? [];
const versus = process.env.BENCH_VERSUS;
type Side = 'project' | 'floor';

async function startServer(side: Side): Promise<{ url: URL; child: ChildProcess }> {
  const entry = side === 'project' ? projectEntry : versus;
  const command = [...nodeFlags, ...(entry ? [entry, '--transport', 'http', '--port', '0'] : [floorEntry, '--http', '--port', '0'])];
  const child = spawn(process.execPath, command, {
    env: {
      PATH: process.env.PATH ?? '',
      PINTEREST_API_BASE_URL: apiUrl,
      PINTEREST_ACCESS_TOKEN: 'test-token',
      PINTEREST_MCP_LOG_LEVEL: 'info',
      FLOOR_LISTING: listing.file,
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  const url = await new Promise<string>((res, rej) => {
    child.stderr!.on('data', (chunk: Buffer) => {
      stderr += chunk;
      const match = /"url":"(http:[^"]+\/mcp)"/.exec(stderr);
      if (match) res(match[1]);
    });
    child.once('exit', (code) => rej(new Error(`${side} server exited with ${code}: ${stderr}`)));
  });
  return { url: new URL(url), child };
}
const servers = { project: await startServer('project'), floor: await startServer('floor') };

const agent = new Agent({ keepAlive: true, maxSockets: 50 });
const ACCEPT = { accept: 'application/json, text/event-stream', 'content-type': 'application/json' };
/** What the v2 client sends for one call in each era (captured from it): stateless legacy needs no initialize. */
const reqs = {
  legacy: {
    headers: { ...ACCEPT, 'mcp-protocol-version': '2025-11-25' },
    body: JSON.stringify({ method: 'tools/call', params: { name: TOOL, arguments: args }, jsonrpc: '2.0', id: 1 }),
  },
  modern: {
    headers: { ...ACCEPT, 'mcp-method': 'tools/call', 'mcp-name': TOOL, 'mcp-protocol-version': '2026-07-28' },
    body: JSON.stringify({
      method: 'tools/call',
      params: {
        name: TOOL,
        arguments: args,
        _meta: {
          'io.modelcontextprotocol/protocolVersion': '2026-07-28',
          'io.modelcontextprotocol/clientInfo': { name: 'bench', version: '1' },
          'io.modelcontextprotocol/clientCapabilities': {},
        },
      },
      jsonrpc: '2.0',
      id: 0,
    }),
  },
};
function one(era: Era, url: URL): Promise<void> {
  const r = reqs[era];
  return new Promise((res, rej) => {
    const q = request(url, { method: 'POST', agent, headers: { ...r.headers, 'content-length': Buffer.byteLength(r.body) } }, (resp) => {
      let text = '';
      resp.setEncoding('utf8');
      resp.on('data', (c) => (text += c));
      resp.on('end', () => {
        const ok = resp.statusCode === 200 && text.includes('"result"') && !text.includes('"isError":true');
        if (ok) res();
        else rej(new Error(`${resp.statusCode} ${text.slice(0, 300)}`));
      });
    });
    q.on('error', rej);
    q.end(r.body);
  });
}
/** SECONDS of 50 concurrent loops of calls: calls/s, server CPU ms per call, and the server's share of a core. */
async function load(era: Era, side: Side, seconds: number) {
  const { url, child } = servers[side];
  const cpu = () => cpuMs(child.pid)! / 1000;
  let calls = 0;
  const deadline = performance.now() + seconds * 1000;
  const cpuBefore = cpu();
  const started = performance.now();
  await Promise.all(
    Array.from({ length: 50 }, async () => {
      while (performance.now() < deadline) {
        await one(era, url);
        calls++;
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  const used = cpu() - cpuBefore;
  return { rate: calls / elapsed, msPerCall: (used * 1000) / calls, share: used / elapsed };
}

const sides: Side[] = ['project', 'floor'];
// Warm-up: both servers' per-call cost keeps falling for about 8 s of load (JIT tiers); rounds measured earlier read high.
const WARMUP_SECONDS = Number(process.env.BENCH_WARMUP ?? 8);
for (const era of eras) for (const side of sides) await load(era, side, WARMUP_SECONDS);
const results = new Map<string, { rate: number; msPerCall: number; share: number }[]>();
for (let round = 0; round < Number(process.env.BENCH_ROUNDS ?? 5); round++) {
  for (const era of eras) {
    for (const side of sides) {
      const key = `${era} ${side}`;
      results.set(key, [...(results.get(key) ?? []), await load(era, side, Number(process.env.BENCH_SECONDS ?? 4))]);
    }
  }
}
console.log(`server CPU per stateless ${TOOL} call, 50 raw keep-alive connections, medians of rounds (each round's figures below)`);
if (versus) console.log(`  "floor" is another build here: ${versus}`);
for (const era of eras) {
  const ms = (side: Side) => median(results.get(`${era} ${side}`)!.map((r) => r.msPerCall));
  console.log(sideBySide(`${era} CPU per call`, ms('project'), ms('floor'), 'ms', { ratio: TARGET_RATIO }, 3));
  const floorRounds = results.get(`${era} floor`)!;
  const paired = results.get(`${era} project`)!.map((r, i) => r.msPerCall / floorRounds[i].msPerCall);
  console.log(`    paired ratios of rounds ${paired.map((r) => r.toFixed(2)).join(' ')}; median ${median(paired).toFixed(3)}`);
  for (const side of sides) {
    const rs = results.get(`${era} ${side}`)!;
    console.log(
      `    ${side.padEnd(8)} ms per call ${rs.map((r) => r.msPerCall.toFixed(3)).join(' ')}; calls/s ${rs.map((r) => r.rate.toFixed(0)).join(' ')}; ` +
        `server at ${rs.map((r) => `${(r.share * 100).toFixed(0)}%`).join(' ')} of a core`,
    );
  }
}
for (const { child } of Object.values(servers)) child.kill('SIGTERM');
await worker.terminate();
agent.destroy();
