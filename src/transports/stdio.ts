// Serves one MCP connection over stdin/stdout, of either era: the opening message (initialize, or a per-request envelope) decides.
import { serveStdio as serve } from '@modelcontextprotocol/server/stdio';
import type { Logger } from '../core/logger.js';
import type { App } from '../server/app.js';

export async function serveStdio(app: App, logger: Logger): Promise<() => Promise<void>> {
  const handle = serve(({ era }) => app.createServer(era, { transport: 'stdio', address: 'stdio' }), { onerror: (error) => logger.debug({ err: error }, 'stdio protocol error') });
  return () => handle.close();
}
