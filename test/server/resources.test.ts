// MCP resources through real clients of both eras: listing, templates, each resource's content, accounts read once through the client, pending approvals without secrets, unknown URIs.
import { Client, ProtocolError, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { readFileSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type Emulator, startEmulator } from '../../fakes/pinterest/server.js';
import { COLUMN_KINDS, COLUMN_KIND_RULES, pinterestAnalyticsColumns } from '../../src/apis/pinterest/analytics-columns.js';
import { totalRows } from '../../src/money/report-rows.js';
import { recordingBrowser } from '../helpers/approver.js';
import { serve } from '../helpers/http.js';
import { MODERN_VERSION } from '../helpers/era-clients.js';
import { EUR_ACCOUNT, JPY_ACCOUNT, MODEL_APPROVAL, TOKEN, USD_ACCOUNT, startInProcess, stdioServer, textOf } from '../helpers/harness.js';

const AD_GROUP = '2680059592701';
const BUDGET = { ad_account_id: USD_ACCOUNT, body: [{ id: AD_GROUP, budget: '13' }] };
const COLUMNS = 'pinterest://analytics/columns';
const SCOPES = 'pinterest://oauth/scopes';
const ACCOUNTS = 'pinterest://ad-accounts';
const ACCOUNT = 'pinterest://ad-accounts/{ad_account_id}';
const PENDING = 'pinterest-api-mcp://approvals/pending';
/** The default toolsets' `scope=` line of the token guide (generated from the same scopes). */
const GUIDE_SCOPES = /```text\nscope=([^\n]+)\n```/.exec(readFileSync(new URL('../../docs/getting-a-token.md', import.meta.url), 'utf8'))?.[1];

const ofOperation = (emulator: Emulator, operationId: string) => emulator.requests.filter((r) => r.operationId === operationId);
const writes = (emulator: Emulator) => emulator.requests.filter((r) => r.method !== 'GET');

describe.each([
  { era: 'modern' as const, label: 'v2 client pinned to 2026-07-28' },
  { era: 'legacy' as const, label: 'v2 client, default handshake (2025-11-25)' },
])('resources of the built server over stdio, $label', ({ era }) => {
  let emulator: Emulator;
  let client: Client;
  let browser: ReturnType<typeof recordingBrowser>;
  const read = async (uri: string) => {
    const { contents } = await client.readResource({ uri });
    expect(contents).toHaveLength(1);
    expect(contents[0]).toMatchObject({ uri, mimeType: 'application/json' });
    const text = (contents[0] as { text: string }).text;
    return { text, json: JSON.parse(text) as Record<string, unknown> };
  };

  beforeAll(async () => {
    browser = recordingBrowser();
    emulator = await startEmulator();
  });
  afterAll(() => emulator?.close());
  beforeEach(async () => {
    emulator.reset();
    client = new Client({ name: `resources-${era}`, version: '1.0.0' }, era === 'modern' ? { versionNegotiation: { mode: { pin: MODERN_VERSION } } } : {});
    await client.connect(new StdioClientTransport(stdioServer(emulator, { args: ['--approval-channels', 'page'], env: { BROWSER: browser.command } })));
    expect(client.getProtocolEra()).toBe(era);
  });
  afterEach(async () => {
    await client.close();
  });

  it('declares the resources capability and lists each resource and the account template, described, as JSON', async () => {
    expect(client.getServerCapabilities()?.resources).toEqual({});
    const { resources } = await client.listResources();
    expect(resources.map((r) => r.uri)).toEqual([COLUMNS, SCOPES, ACCOUNTS, PENDING]);
    const { resourceTemplates } = await client.listResourceTemplates();
    expect(resourceTemplates.map((t) => t.uriTemplate)).toEqual([ACCOUNT]);
    for (const listed of [...resources, ...resourceTemplates]) {
      expect(listed.mimeType).toBe('application/json');
      expect(listed.name).toMatch(/^[a-z_]+$/);
      expect(listed.description?.length, listed.name).toBeGreaterThan(80);
      expect(listed.description?.length, listed.name).toBeLessThan(500);
    }
    expect(emulator.requests).toEqual([]); // listing reads nothing
  });

  it('reads the analytics columns: kinds and whether each adds up, with the tools that take them; nothing reaches the API', async () => {
    const { json } = await read(COLUMNS);
    const columns = json.columns as { name: string; kind: string; adds_up: boolean }[];
    expect(columns).toHaveLength(175);
    const byName = new Map(columns.map((c) => [c.name, c]));
    expect(byName.get('SPEND_IN_MICRO_DOLLAR')).toEqual({ name: 'SPEND_IN_MICRO_DOLLAR', kind: 'micro_currency', adds_up: true });
    expect(byName.get('SPEND_IN_DOLLAR')).toMatchObject({ kind: 'currency', adds_up: true });
    expect(byName.get('CPC_IN_MICRO_DOLLAR')).toMatchObject({ kind: 'micro_currency', adds_up: false });
    expect(byName.get('TOTAL_CLICKTHROUGH')).toMatchObject({ kind: 'count', adds_up: true });
    expect(byName.get('CTR')).toMatchObject({ kind: 'ratio', adds_up: false });
    expect(byName.get('TOTAL_IMPRESSION_USER')).toMatchObject({ kind: 'count', adds_up: false });
    expect(byName.get('CAMPAIGN_ID')).toMatchObject({ kind: 'id', adds_up: false });
    expect(Object.keys(json.kinds as object)).toEqual(expect.arrayContaining([...new Set(columns.map((c) => c.kind))]));
    expect(json.tools_on_this_server).toEqual(expect.arrayContaining(['ad_account_analytics', 'campaigns_analytics', 'ad_groups_analytics', 'ads_analytics']));
    expect(emulator.requests).toEqual([]);
  });

  it('reads the scopes per toolset, and what this server needs equals the token guide line for the default toolsets', async () => {
    const { json } = await read(SCOPES);
    expect(GUIDE_SCOPES).toBeDefined();
    expect((json.this_server_needs as string[]).join(',')).toBe(GUIDE_SCOPES);
    const toolsets = json.toolsets as { toolset: string; on_this_server: boolean; read: { scopes: string[] }; write: { scopes: string[] } }[];
    expect(toolsets.find((t) => t.toolset === 'campaigns')).toMatchObject({ on_this_server: true, read: { scopes: ['ads:read'] }, write: { scopes: ['ads:write'] } });
    expect(toolsets.find((t) => t.toolset === 'catalogs')).toMatchObject({ on_this_server: false });
    expect(emulator.requests).toEqual([]);
  });

  it('reads the ad accounts from the fake through the shared client, once for two reads of each resource', async () => {
    emulator.state.adAccounts.get(JPY_ACCOUNT)!.name = 'Acme JP (renamed in the fake)';
    const first = await read(ACCOUNTS);
    const second = await read(ACCOUNTS);
    expect(second.text).toBe(first.text);
    const listed = ofOperation(emulator, 'ad_accounts/list');
    expect(listed).toHaveLength(1);
    expect(listed[0].headers.authorization).toBe(`Bearer ${TOKEN}`);
    const accounts = first.json.accounts as Record<string, unknown>[];
    expect(accounts.map((a) => a.id).sort()).toEqual([USD_ACCOUNT, JPY_ACCOUNT, EUR_ACCOUNT].sort());
    for (const account of accounts) {
      const inFake = emulator.state.adAccounts.get(account.id as string)!;
      expect(account).toEqual({ id: inFake.id, name: inFake.name, currency: inFake.currency, country: inFake.country, time_zone: null });
    }
    expect(accounts.find((a) => a.id === JPY_ACCOUNT)).toMatchObject({ name: 'Acme JP (renamed in the fake)', currency: 'JPY' });
    expect(first.json.time_zone_note).toMatch(/does not report a time zone/);

    const one = `pinterest://ad-accounts/${EUR_ACCOUNT}`;
    expect((await read(one)).json.account).toEqual({ id: EUR_ACCOUNT, name: 'Acme DE', currency: 'EUR', country: 'DE', time_zone: null });
    await read(one);
    expect(ofOperation(emulator, 'ad_accounts/get')).toHaveLength(1);
    expect(emulator.requests).toHaveLength(2);
  });

  it('lists a held spend write as pending, with what it changes and no secret, and sends nothing', async () => {
    expect((await read(PENDING)).json).toEqual({ approvals: [] });
    const opened = browser.links().length;
    const held = (await client.callTool({ name: 'ad_groups_update', arguments: BUDGET })) as { structuredContent?: { status?: string; approval_id?: string } };
    expect(held.structuredContent, textOf(held as never)).toMatchObject({ status: 'approval_required' });
    const id = held.structuredContent!.approval_id!;
    const { text, json } = await read(PENDING);
    const approvals = json.approvals as Record<string, unknown>[];
    expect(approvals).toHaveLength(1);
    expect(approvals[0]).toMatchObject({
      approval_id: id,
      tool: 'ad_groups_update',
      ad_account_id: USD_ACCOUNT,
      currency: 'USD',
      changes: [{ entity: 'ad_group', id: AD_GROUP, field: 'budget', from: '10.00 USD', to: '13.00 USD' }],
    });
    expect(Date.parse(approvals[0].expires_at as string)).toBeGreaterThan(Date.now());
    expect(Object.keys(approvals[0]).sort()).toEqual(['account_name', 'ad_account_id', 'approval_id', 'changes', 'created_at', 'currency', 'expires_at', 'tool', 'what']);
    expect(text).not.toContain(TOKEN);
    // The approval page's single-use sign-in link went to the browser only.
    const link = await browser.next(opened + 1);
    const key = new URL(link).searchParams.get('key');
    expect(key).toBeTruthy();
    expect(text).not.toContain(key);
    expect(text).not.toContain(link);
    expect(writes(emulator)).toEqual([]);
  });

  it('answers an unknown URI, and an id that cannot be an account, with resource-not-found naming the valid URIs; nothing is read', async () => {
    for (const uri of ['pinterest://nothing-here', 'pinterest://ad-accounts/not-digits', 'test://static-text']) {
      const error = await client.readResource({ uri }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error, uri).toBeInstanceOf(ProtocolError);
      expect((error as ProtocolError).code).toBe(-32602);
      expect((error as ProtocolError).data).toEqual({ uri });
      if (!uri.includes('not-digits')) expect((error as ProtocolError).message).toContain(`${COLUMNS}, ${SCOPES}, ${ACCOUNTS}, ${PENDING}, ${ACCOUNT}`);
    }
    expect(emulator.requests).toEqual([]);
  });
});

describe('resources over stateless HTTP, where every request has a protocol server of its own', () => {
  it('share one account cache: two clients of either era, two reads each, one request to the API', async () => {
    const emulator = await startEmulator();
    const served = await serve(emulator);
    const clients: Client[] = [];
    try {
      for (const pinned of [true, false]) {
        const client = new Client({ name: 'resources-http', version: '1.0.0' }, pinned ? { versionNegotiation: { mode: { pin: MODERN_VERSION } } } : {});
        await client.connect(new StreamableHTTPClientTransport(new URL(served.url)));
        expect(client.getProtocolEra()).toBe(pinned ? 'modern' : 'legacy');
        clients.push(client);
      }
      const texts: string[] = [];
      for (const client of [...clients, ...clients]) {
        const { contents } = await client.readResource({ uri: `pinterest://ad-accounts/${USD_ACCOUNT}` });
        texts.push((contents[0] as { text: string }).text);
      }
      expect(new Set(texts).size).toBe(1);
      expect(JSON.parse(texts[0]).account).toMatchObject({ id: USD_ACCOUNT, currency: 'USD' });
      expect(emulator.requests.map((r) => r.operationId)).toEqual(['ad_accounts/get']);
    } finally {
      for (const client of clients) await client.close();
      await served.close();
      await emulator.close();
    }
  });
});

describe('resources in process: the bound, --ad-accounts, the token flow and the stored approval', () => {
  it('keeps a resource within --max-result-chars by cutting its list, saying how many were left out', async () => {
    const h = await startInProcess({ args: ['--max-result-chars', '2000'] });
    try {
      const { contents } = await h.client.readResource({ uri: COLUMNS });
      const text = (contents[0] as { text: string }).text;
      expect(text.length).toBeLessThanOrEqual(2000);
      const json = JSON.parse(text) as { columns: unknown[]; truncated: { shown: number; of: number } };
      expect(json.truncated).toMatchObject({ of: 175, shown: json.columns.length });
      expect(json.columns.length).toBeGreaterThan(0);
    } finally {
      await h.close();
    }
  });

  it('shows only the --ad-accounts accounts, and refuses another one without reading it', async () => {
    const h = await startInProcess({ args: ['--ad-accounts', USD_ACCOUNT] });
    try {
      const { contents } = await h.client.readResource({ uri: ACCOUNTS });
      const json = JSON.parse((contents[0] as { text: string }).text) as { accounts: { id: string }[] };
      expect(json.accounts.map((a) => a.id)).toEqual([USD_ACCOUNT]);
      await expect(h.client.readResource({ uri: `pinterest://ad-accounts/${JPY_ACCOUNT}` })).rejects.toMatchObject({
        code: -32602,
        message: expect.stringContaining(`ad account ${JPY_ACCOUNT} is outside this server's accounts (${USD_ACCOUNT})`),
      });
      expect(h.sent({ operationId: 'ad_accounts/get' })).toEqual([]);
    } finally {
      await h.close();
    }
  });

  it('gives the pending approval without its request hash, credential fingerprint, caller or arguments', async () => {
    const h = await startInProcess({ args: ['--approval-channels', 'page'], env: { BROWSER: 'false' } });
    try {
      const held = await h.call('ad_groups_update', BUDGET);
      expect(held.structuredContent, held.text).toMatchObject({ status: 'approval_required' });
      const id = (held.structuredContent as { approval_id: string }).approval_id;
      const record = (await (await h.app.engine()).store.get(`approval:${id}`)) as { hash: string; deployment: { credential: string } };
      expect(record.hash).toMatch(/^[0-9a-f]{64}$/);
      expect(record.deployment.credential.length).toBeGreaterThan(8);
      const { contents } = await h.client.readResource({ uri: PENDING });
      const text = (contents[0] as { text: string }).text;
      expect(text).toContain(id);
      for (const secret of [record.hash, record.deployment.credential, TOKEN, '"requested_by"', '"args"', '"hash"', '"deployment"']) expect(text).not.toContain(secret);
      expect(h.sent({ writesOnly: true })).toEqual([]);
    } finally {
      await h.close();
    }
  });

  it('with model-held tokens (no approval page) lists no approvals resource, and no resource shows the confirmation token', async () => {
    const h = await startInProcess({ args: [...MODEL_APPROVAL] });
    try {
      const held = await h.call('ad_groups_update', BUDGET);
      const token = (held.structuredContent as { confirmation_token?: string }).confirmation_token;
      expect(token, held.text).toMatch(/^cfm_/);
      const { resources } = await h.client.listResources();
      expect(resources.map((r) => r.uri)).toEqual([COLUMNS, SCOPES, ACCOUNTS]);
      for (const { uri } of resources) {
        const { contents } = await h.client.readResource({ uri });
        expect((contents[0] as { text: string }).text, uri).not.toContain(token);
      }
      await expect(h.client.readResource({ uri: PENDING })).rejects.toMatchObject({ code: -32602 });
      expect(h.sent({ writesOnly: true })).toEqual([]);
    } finally {
      await h.close();
    }
  });
});

describe('analytics column facts', () => {
  it('use every kind rule for some column, and every kind is explained', () => {
    const { columns } = pinterestAnalyticsColumns();
    const firstMatch = (name: string) => COLUMN_KIND_RULES.find((rule) => rule.pattern.test(name));
    for (const rule of COLUMN_KIND_RULES) expect(columns.some((c) => firstMatch(c.name) === rule), `${rule.pattern}`).toBe(true);
    expect(columns.some((c) => firstMatch(c.name) === undefined && c.kind === 'count')).toBe(true);
    expect(Object.keys(COLUMN_KINDS).sort()).toEqual([...new Set(columns.map((c) => c.kind))].sort());
  });

  it('say a column adds up exactly where the report totals sum it', () => {
    const { columns } = pinterestAnalyticsColumns();
    const numeric = columns.filter((c) => !['id', 'text'].includes(c.kind));
    const row = Object.fromEntries(numeric.map((c) => [c.name, 1]));
    const { totals, not_totalled } = totalRows([row, row], 'USD');
    for (const column of numeric) {
      if (column.adds_up) expect(totals[column.name], column.name).toBe(2);
      else if (column.kind !== 'setting') expect(not_totalled, column.name).toContain(column.name);
    }
  });
});
