// The floor's side of every bench: the same listing written for the bare-SDK server (server.mjs), how to spawn it, and
// one way to print the project's figure beside the floor's with their ratio.
import { Client } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const root = resolve(import.meta.dirname, '../..');
export const projectEntry = process.env.BENCH_ENTRY ?? resolve(root, 'dist/index.js');
export const floorEntry = resolve(import.meta.dirname, 'server.mjs');

/**
 * Lists the project's tools with `args` (and `env`: which APIs are on) through a real client and writes them where the
 * floor reads them, so both serve byte-identical listings. The file is removed when the process exits.
 */
export async function writeFloorListing(args: string[] = ['--toolsets', 'all'], env: Record<string, string> = {}): Promise<{ file: string; tools: number }> {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [projectEntry, ...args, '--log-level', 'silent'],
    env: { PATH: process.env.PATH ?? '', PINTEREST_API_BASE_URL: 'http://127.0.0.1:9/v5', PINTEREST_ACCESS_TOKEN: 'bench-token', ...env },
  });
  const client = new Client({ name: 'bench-listing', version: '1.0.0' });
  await client.connect(transport);
  const { tools } = await client.listTools();
  await client.close();
  const dir = mkdtempSync(join(tmpdir(), 'bench-floor-'));
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'listing.json');
  writeFileSync(file, JSON.stringify(tools));
  return { file, tools: tools.length };
}

/**
 * CPU time a process has used so far, all its threads, in milliseconds, from Linux's per-thread scheduler statistics
 * (nanoseconds; /proc/<pid>/stat counts in 10 ms ticks, too coarse for a start-up). Undefined off Linux. A process's
 * own CPU time does not grow while it waits for a busy machine, so it compares two servers fairly under load.
 */
export function cpuMs(pid: number | null | undefined): number | undefined {
  if (!pid) return undefined;
  try {
    let ns = 0;
    for (const task of readdirSync(`/proc/${pid}/task`)) ns += Number(readFileSync(`/proc/${pid}/task/${task}/schedstat`, 'utf8').split(' ')[0]);
    return ns / 1e6;
  } catch {
    return undefined;
  }
}

export const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** One line: what is measured, the project's figure, the floor's, their ratio (or difference) and the target's verdict. */
export function sideBySide(
  label: string,
  project: number,
  floor: number,
  unit: string,
  target: { ratio: number } | { plus: number },
  digits = 2,
): string {
  const ratio = project / floor;
  const pass = 'ratio' in target ? ratio <= target.ratio : project - floor <= target.plus;
  const wanted = 'ratio' in target ? `<= ${target.ratio}x` : `<= floor + ${target.plus} ${unit}`;
  return (
    `  ${label.padEnd(28)} project ${project.toFixed(digits).padStart(9)} ${unit}   floor ${floor.toFixed(digits).padStart(9)} ${unit}   ` +
    `ratio ${ratio.toFixed(2)}x  diff ${(project - floor).toFixed(digits)} ${unit}   target ${wanted}  ${pass ? 'PASS' : 'FAIL'}`
  );
}
