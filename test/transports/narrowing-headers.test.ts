// X-MCP-Toolsets and X-MCP-Readonly over HTTP: a request (or a 2025-era session) may narrow the deployment's tools, never widen them, in both eras.
import { type CallToolResult, Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { describe, expect, it } from 'vitest';
import type { Emulator } from '../../fakes/pinterest/server.js';
import { loadConfig } from '../../src/config/index.js';
import { startupFacts, startupLine } from '../../src/server/startup.js';
import { MODERN_VERSION } from '../helpers/era-clients.js';
import { USD_ACCOUNT, textOf } from '../helpers/harness.js';
import { INIT, MCP_HEADERS, type Served, raw, servedForDescribe } from '../helpers/http.js';

const HTTP_TOKEN = 'narrowing-bearer-5b1e0c77';
const BEARER = { authorization: `Bearer ${HTTP_TOKEN}` };
const ERAS = [
  { era: 'legacy', label: '2025-era client' },
  { era: 'modern', label: '2026-07-28 client' },
] as const;
type Era = (typeof ERAS)[number]['era'];

/** A v2 SDK client of `era` at `url`, sending `headers` with every request. */
async function open(url: string, era: Era, headers: Record<string, string>) {
  const client = new Client({ name: 'narrowing-test', version: '1.0.0' }, era === 'modern' ? { versionNegotiation: { mode: { pin: MODERN_VERSION } } } : {});
  const transport = new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers: { ...BEARER, ...headers } } });
  await client.connect(transport);
  expect(client.getProtocolEra()).toBe(era);
  return { client, transport };
}

async function call(client: Client, name: string, args: Record<string, unknown>) {
  const result = (await client.callTool({ name, arguments: args })) as CallToolResult;
  return { ...result, text: textOf(result) };
}

/** The toolset and writes of every tool the app knows, by name (workflows and meta tools are none of them). */
function catalogOf(served: Served) {
  return new Map(served.app.tools.map((tool) => [tool.name, tool]));
}

/** The message of a JSON-RPC error answer. */
const messageOf = (body: string) => (JSON.parse(body) as { error: { message: string } }).error.message;

const CAMPAIGN_BODY = { ad_account_id: USD_ACCOUNT, body: [{ name: 'Narrowed', objective_type: 'AWARENESS', status: 'PAUSED' }] };

/**
 * A client of `era` sending `headers` sees reads and no write, and a write it calls anyway is refused with `refusal`
 * and nothing reaches the fake API.
 */
async function expectReadOnlyView(served: Served, emulator: Emulator, era: Era, headers: Record<string, string>, refusal: RegExp) {
  const catalog = catalogOf(served);
  const { client } = await open(served.url, era, headers);
  try {
    const names = (await client.listTools()).tools.map((t) => t.name);
    expect(names).toContain('campaigns_list');
    expect(names.filter((name) => catalog.get(name)?.writes)).toEqual([]);
    const before = emulator.requests.length;
    const refused = await call(client, 'campaigns_create', CAMPAIGN_BODY);
    expect(refused.isError).toBe(true);
    expect(refused.text).toMatch(refusal);
    expect(emulator.requests.length).toBe(before);
  } finally {
    await client.close();
  }
}

describe('a bearer deployment with the default toolsets, stateless', () => {
  let emulator: Emulator;
  let served: Served;
  servedForDescribe([], { PINTEREST_MCP_HTTP_TOKEN: HTTP_TOKEN }, (started) => ({ emulator, served } = started));

  for (const { era, label } of ERAS) {
    describe(label, () => {
      it('X-MCP-Toolsets lists only the named toolsets the deployment offers, and a call outside them sends nothing', async () => {
        const catalog = catalogOf(served);
        const { client: whole } = await open(served.url, era, {});
        const { client } = await open(served.url, era, { 'X-MCP-Toolsets': 'campaigns, analytics' });
        try {
          const everything = (await whole.listTools()).tools.map((t) => t.name);
          const names = (await client.listTools()).tools.map((t) => t.name);
          const toolsets = new Set(names.flatMap((name) => (catalog.has(name) ? [catalog.get(name)!.toolset] : [])));
          expect([...toolsets].sort()).toEqual(['analytics', 'campaigns']);
          expect(names).toEqual(expect.arrayContaining(['campaigns_list', 'describe_tool', 'analytics_run_report']));
          expect(names.every((name) => everything.includes(name))).toBe(true); // never wider
          expect(everything).toContain('ad_accounts_get');

          const before = emulator.requests.length;
          const refused = await call(client, 'ad_accounts_get', { ad_account_id: USD_ACCOUNT });
          expect(refused.isError).toBe(true);
          expect(refused.text).toMatch(/X-MCP-Toolsets/);
          expect(refused.text).toMatch(/offers more/);
          expect(emulator.requests.length).toBe(before);
          // The same call from a client that narrows nothing reaches the API: the deployment offers it.
          const allowed = await call(whole, 'ad_accounts_get', { ad_account_id: USD_ACCOUNT });
          expect(allowed.isError, allowed.text).toBeFalsy();
          expect(emulator.requests.length).toBe(before + 1);
        } finally {
          await whole.close();
          await client.close();
        }
      });

      it('X-MCP-Readonly: true lists no write and refuses one with nothing sent', async () => {
        await expectReadOnlyView(served, emulator, era, { 'X-MCP-Readonly': 'true' }, /X-MCP-Readonly/);
      });
    });
  }

  it('the tools a resource lists and the notes of a prompt follow the narrowing', async () => {
    const { client: whole } = await open(served.url, 'legacy', {});
    const { client } = await open(served.url, 'modern', { 'X-MCP-Toolsets': 'campaigns' });
    try {
      const columns = async (c: Client) => {
        const read = await c.readResource({ uri: 'pinterest://analytics/columns' });
        return (JSON.parse((read.contents[0] as { text: string }).text) as { tools_on_this_server: string[] }).tools_on_this_server;
      };
      const listed = (await client.listTools()).tools.map((t) => t.name);
      const narrowedColumns = await columns(client);
      expect((await columns(whole)).length).toBeGreaterThan(narrowedColumns.length);
      expect(narrowedColumns.every((name) => listed.includes(name))).toBe(true);
      const args = { ad_account_id: USD_ACCOUNT, start_date: '2026-11-01', end_date: '2026-11-07' };
      const text = (c: Client) =>
        c.getPrompt({ name: 'performance_report', arguments: args }).then((p) => (p.messages[0].content as { text: string }).text);
      expect(await text(whole)).not.toMatch(/does not currently offer/);
      expect(await text(client)).toMatch(/does not currently offer[\s\S]*X-MCP-Toolsets/);
    } finally {
      await whole.close();
      await client.close();
    }
  });

  it('refuses with 400 a toolset the deployment does not offer, or an unknown one, naming the closest and what it offers', async () => {
    const offered = await raw(served.url, { method: 'POST', headers: { ...MCP_HEADERS, ...BEARER, 'x-mcp-toolsets': 'campaigns,pins' }, body: JSON.stringify(INIT) });
    expect(offered.status).toBe(400);
    const message = (JSON.parse(offered.body) as { error: { code: number; message: string } }).error;
    expect(message.code).toBe(-32600);
    expect(message.message).toMatch(/"pins" is a toolset this deployment does not offer/);
    expect(message.message).toMatch(/this deployment offers accounts, campaigns, ad_groups, ads, analytics, keywords/);
    const typo = await raw(served.url, { method: 'POST', headers: { ...MCP_HEADERS, ...BEARER, 'x-mcp-toolsets': 'campaings' }, body: JSON.stringify(INIT) });
    expect(typo.status).toBe(400);
    expect(messageOf(typo.body)).toMatch(/"campaings" is not a toolset; closest: campaigns/);
    const value = await raw(served.url, { method: 'POST', headers: { ...MCP_HEADERS, ...BEARER, 'x-mcp-readonly': 'maybe' }, body: JSON.stringify(INIT) });
    expect(value.status).toBe(400);
    expect(value.body).toMatch(/X-MCP-Readonly/);
    // A 2026-07-28 request is refused the same way, before anything is served.
    const before = emulator.requests.length;
    const modern = await raw(served.url, {
      method: 'POST',
      headers: { ...MCP_HEADERS, ...BEARER, 'mcp-protocol-version': MODERN_VERSION, 'mcp-method': 'tools/call', 'mcp-name': 'ad_accounts_get', 'x-mcp-toolsets': 'pins' },
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 1,
        method: 'tools/call',
        params: {
          name: 'ad_accounts_get',
          arguments: { ad_account_id: USD_ACCOUNT },
          _meta: {
            'io.modelcontextprotocol/protocolVersion': MODERN_VERSION,
            'io.modelcontextprotocol/clientInfo': { name: 'raw', version: '1' },
            'io.modelcontextprotocol/clientCapabilities': {},
          },
        },
      }),
    });
    expect(modern.status).toBe(400);
    expect(messageOf(modern.body)).toMatch(/"pins" is a toolset this deployment does not offer/);
    expect(emulator.requests.length).toBe(before);
  });

  it('the start-up line names both headers over HTTP, and not over stdio', () => {
    const env = { PINTEREST_ACCESS_TOKEN: 'start-up-line-token' };
    const http = startupFacts(loadConfig(['--transport', 'http'], env), served.app);
    expect(http.narrowing_headers).toEqual(['X-MCP-Toolsets', 'X-MCP-Readonly']);
    expect(startupLine(http)).toMatch(/; a request may narrow them with X-MCP-Toolsets, X-MCP-Readonly$/);
    const stdio = startupFacts(loadConfig([], env), served.app);
    expect(stdio.narrowing_headers).toBeUndefined();
    expect(startupLine(stdio)).not.toMatch(/X-MCP/);
  });

  it('builds each narrowed view once, and keeps at most 32 of them', () => {
    const viewOf = (toolsets: string, readOnly = 'false') => {
      const asked = served.app.narrowed({ toolsets, readOnly });
      if ('error' in asked) throw new Error(asked.error);
      return asked.view;
    };
    const first = viewOf('campaigns');
    expect(viewOf(' Campaigns,campaigns ')).toBe(first); // the same narrowing, however spelled
    expect(viewOf('all')).toBe(served.app.view); // naming everything offered narrows nothing
    const sets = ['accounts', 'campaigns', 'ad_groups', 'ads', 'analytics', 'keywords'];
    const pairs = sets.flatMap((a, i) => sets.slice(i + 1).map((b) => `${a},${b}`));
    for (const toolsets of pairs) for (const readOnly of ['true', 'false']) viewOf(toolsets, readOnly); // 30 others, then 'campaigns' is the oldest
    expect(viewOf('campaigns')).toBe(first);
    const triples = sets.flatMap((a, i) => sets.slice(i + 1).flatMap((b, j) => sets.slice(i + j + 2).map((c) => `${a},${b},${c}`)));
    expect(triples).toHaveLength(20);
    const others = triples.flatMap((toolsets) => [[toolsets, 'true'], [toolsets, 'false']] as const).slice(0, 32);
    for (const [toolsets, readOnly] of others) viewOf(toolsets, readOnly); // 32 others since 'campaigns' was used: it is dropped
    expect(viewOf('campaigns')).not.toBe(first);
  });

  it('lets a browser client send the narrowing headers', async () => {
    const origin = `http://127.0.0.1:${new URL(served.url).port}`;
    const preflight = await raw(served.url, {
      method: 'OPTIONS',
      headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'x-mcp-toolsets, x-mcp-readonly' },
    });
    const allowed = String(preflight.headers['access-control-allow-headers']).toLowerCase().split(/,\s*/);
    expect(allowed).toEqual(expect.arrayContaining(['x-mcp-toolsets', 'x-mcp-readonly']));
  });
});

describe('a --read-only deployment', () => {
  let emulator: Emulator;
  let served: Served;
  servedForDescribe(['--read-only'], { PINTEREST_MCP_HTTP_TOKEN: HTTP_TOKEN }, (started) => ({ emulator, served } = started));

  for (const { era, label } of ERAS) {
    it(`stays read-only for a ${label} that sends X-MCP-Readonly: false`, async () => {
      await expectReadOnlyView(served, emulator, era, { 'X-MCP-Readonly': 'false', 'X-MCP-Toolsets': 'all' }, /--read-only/);
    });
  }
});

describe('a deployment that offers campaigns and analytics only', () => {
  let emulator: Emulator;
  let served: Served;
  servedForDescribe(['--toolsets', 'campaigns,analytics', '--mode', 'discover'], { PINTEREST_MCP_HTTP_TOKEN: HTTP_TOKEN }, (started) => ({ emulator, served } = started));

  it('never widens: a header naming a toolset outside it is refused, not honoured', async () => {
    for (const toolsets of ['accounts', 'campaigns,accounts', 'default,ads']) {
      const res = await raw(served.url, { method: 'POST', headers: { ...MCP_HEADERS, ...BEARER, 'x-mcp-toolsets': toolsets }, body: JSON.stringify(INIT) });
      expect(res.status, toolsets).toBe(400);
      expect(res.body).toMatch(/this deployment offers campaigns, analytics \(and default, all\)/);
    }
  });

  it("narrows discover mode's search_tools, describe_tool and call_tool", async () => {
    const { client } = await open(served.url, 'modern', { 'X-MCP-Toolsets': 'campaigns' });
    try {
      expect((await client.listTools()).tools.map((t) => t.name).sort()).toEqual(['call_tool', 'describe_tool', 'search_tools']);
      const found = (await call(client, 'search_tools', { limit: 100 })).structuredContent as { tools: { toolset: string }[] };
      expect(found.tools.length).toBeGreaterThan(0);
      expect(new Set(found.tools.map((t) => t.toolset))).toEqual(new Set(['campaigns']));
      const described = await call(client, 'describe_tool', { name: 'ad_account_analytics' });
      expect(described.isError).toBe(true);
      expect(described.text).toMatch(/X-MCP-Toolsets/);
      const before = emulator.requests.length;
      const called = await call(client, 'call_tool', { name: 'ad_account_analytics', arguments: { ad_account_id: USD_ACCOUNT, start_date: '2026-11-01', end_date: '2026-11-07', columns: ['SPEND_IN_DOLLAR'], granularity: 'DAY' } });
      expect(called.isError).toBe(true);
      expect(called.text).toMatch(/X-MCP-Toolsets/);
      expect(emulator.requests.length).toBe(before);
      // The workflow chains analytics tools: it is not reachable either.
      expect((await call(client, 'describe_tool', { name: 'analytics_run_report' })).isError).toBe(true);
    } finally {
      await client.close();
    }
  });
});

describe('--stateful: the initialize request fixes the session view', () => {
  let emulator: Emulator;
  let served: Served;
  servedForDescribe(['--stateful'], { PINTEREST_MCP_HTTP_TOKEN: HTTP_TOKEN }, (started) => ({ emulator, served } = started));

  it('keeps it for requests that leave the headers out, and refuses other values with 400', async () => {
    const catalog = catalogOf(served);
    const { client, transport } = await open(served.url, 'legacy', { 'X-MCP-Toolsets': 'campaigns', 'X-MCP-Readonly': '1' });
    try {
      const sessionId = transport.sessionId!;
      expect(sessionId).toBeTruthy();
      const names = (await client.listTools()).tools.map((t) => t.name);
      expect(names).toContain('campaigns_list');
      expect(names.every((name) => !catalog.has(name) || (catalog.get(name)!.toolset === 'campaigns' && !catalog.get(name)!.writes))).toBe(true);
      const list = (headers: Record<string, string>) =>
        raw(served.url, {
          method: 'POST',
          headers: { ...MCP_HEADERS, ...BEARER, 'mcp-session-id': sessionId, 'mcp-protocol-version': '2025-06-18', ...headers },
          body: JSON.stringify({ jsonrpc: '2.0', id: 7, method: 'tools/list' }),
        });
      const bare = await list({});
      expect(bare.status).toBe(200);
      const listedBare = (JSON.parse(/^data: (.*)$/m.exec(bare.body)?.[1] ?? bare.body) as { result: { tools: { name: string }[] } }).result.tools.map((t) => t.name);
      expect(listedBare).toEqual(names);
      // Spelled differently, the same view: served.
      expect((await list({ 'x-mcp-toolsets': ' CAMPAIGNS ', 'x-mcp-readonly': 'TRUE' })).status).toBe(200);
      for (const headers of [{ 'x-mcp-toolsets': 'campaigns,ads' }, { 'x-mcp-readonly': 'false' }, { 'x-mcp-toolsets': 'all' }] as Record<string, string>[]) {
        const changed = await list(headers);
        expect(changed.status, JSON.stringify(headers)).toBe(400);
        expect(changed.body).toMatch(/fixed by the X-MCP-Toolsets and X-MCP-Readonly headers of its initialize request \(toolsets campaigns, read tools only\)/);
      }
      // The session still sees its view, and a write is still refused with nothing sent.
      const before = emulator.requests.length;
      const refused = await call(client, 'campaigns_create', CAMPAIGN_BODY);
      expect(refused.text).toMatch(/X-MCP-Readonly/);
      expect(emulator.requests.length).toBe(before);
    } finally {
      await client.close();
    }
  });
});
