// The floor every bench compares against: the bare v2 SDK serving the same tool listing as the project (read from
// the file FLOOR_LISTING names) and answering each tools/call with one plain fetch to the API, nothing else.
// Plain JavaScript run by node itself from node_modules, as a hand-written SDK server would be deployed.
//   node bench/floor/server.mjs                      stdio, both eras (serveStdio)
//   node bench/floor/server.mjs --http --port 0      Streamable HTTP on 127.0.0.1, both eras (createMcpHandler, stateless)
// Environment: FLOOR_LISTING (a JSON array of tools), PINTEREST_API_BASE_URL, PINTEREST_ACCESS_TOKEN.
import { readFileSync } from 'node:fs';
import { Server } from '@modelcontextprotocol/server';

const tools = JSON.parse(readFileSync(process.env.FLOOR_LISTING, 'utf8'));
const base = process.env.PINTEREST_API_BASE_URL ?? 'http://127.0.0.1:9/v5';
const authorization = `Bearer ${process.env.PINTEREST_ACCESS_TOKEN ?? ''}`;

function buildServer() {
  const server = new Server({ name: 'floor', version: '1.0.0' }, { capabilities: { tools: {} } });
  server.setRequestHandler('tools/list', async () => ({ tools }));
  server.setRequestHandler('tools/call', async (request) => {
    const id = encodeURIComponent(String(request.params.arguments?.ad_account_id ?? ''));
    const response = await fetch(`${base}/ad_accounts/${id}`, { headers: { authorization } });
    return { content: [{ type: 'text', text: await response.text() }], isError: !response.ok };
  });
  return server;
}

if (process.argv.includes('--http')) {
  const { createServer } = await import('node:http');
  const { createMcpHandler } = await import('@modelcontextprotocol/server');
  const { toNodeHandler } = await import('@modelcontextprotocol/node');
  const handle = toNodeHandler(createMcpHandler(() => buildServer()));
  const port = Number(process.argv[process.argv.indexOf('--port') + 1] ?? 0);
  const http = createServer((req, res) => void handle(req, res)).listen(port, '127.0.0.1', () => {
    process.stderr.write(`${JSON.stringify({ url: `http://127.0.0.1:${http.address().port}/mcp` })}\n`);
  });
  process.once('SIGTERM', () => process.exit(0)); // as the project does, so a profile is written at the end
} else {
  const { serveStdio } = await import('@modelcontextprotocol/server/stdio');
  serveStdio(() => buildServer());
  process.stdin.once('end', () => process.exit(0)); // as the project does, so a profile is written at the end
}
