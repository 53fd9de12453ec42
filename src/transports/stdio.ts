// Serves one MCP session over stdin/stdout.
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import type { App } from '../server.js';

export async function serveStdio(app: App): Promise<() => Promise<void>> {
  const server = app.createServer();
  await server.connect(new StdioServerTransport());
  return () => server.close();
}
