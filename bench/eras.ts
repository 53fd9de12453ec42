// The protocol eras the benches measure: which to run (BENCH_ERAS), and a v2 SDK client connected in either era.
import { Client, type Transport } from '@modelcontextprotocol/client';
import { StdioClientTransport, type StdioServerParameters } from '@modelcontextprotocol/client/stdio';

export type Era = 'legacy' | 'modern';

/** BENCH_ERAS=legacy,modern (the default) chooses the eras measured. */
export const eras = (process.env.BENCH_ERAS ?? 'legacy,modern').split(',') as Era[];

/**
 * The SDK's own stdio transport probes a pinned (modern) server on a disposable sibling process, then spawns the real
 * one: two spawns per connect, a client-side cost. A subclass probes in place on the one process, which is what a
 * modern-era client that knows its server does; the benches measure that.
 */
class InPlaceStdioTransport extends StdioClientTransport {}

/** A client of `era`: the 2025 initialize handshake, or pinned to 2026-07-28. */
export async function connectClient(era: Era, transport: Transport, name = 'bench'): Promise<Client> {
  const client = new Client({ name, version: '1.0.0' }, era === 'modern' ? { versionNegotiation: { mode: { pin: '2026-07-28' } } } : {});
  await client.connect(transport);
  return client;
}

/** The stdio transport a bench spawns the server with, in `era` (see InPlaceStdioTransport). */
export function stdioTransport(era: Era, params: StdioServerParameters): Transport {
  return era === 'modern' ? new InPlaceStdioTransport(params) : new StdioClientTransport(params);
}
