// Each API is configured and connected through its adapter: its settings reach config.apis.<id>, and generic code names no API.
import { readFileSync, readdirSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { APIS } from '../../src/apis/index.js';
import { TOOLSETS } from '../../src/apis/toolsets.js';
import { CONFIGURED_APIS, SERVER_SETTINGS, SETTINGS, apiConnection, loadConfig } from '../../src/config/index.js';
import { buildTools } from '../../src/tools/registry.js';
import { selectTools } from '../../src/tools/selection.js';
import { codeWords } from '../helpers/code-words.js';
import { TOKEN, startStdio } from '../helpers/harness.js';

const root = resolve(import.meta.dirname, '../..');

describe("each API's settings", () => {
  it('are read from the environment only, sit in SETTINGS as <api>.<name>, and listedBefore names a server setting', () => {
    for (const api of CONFIGURED_APIS) {
      for (const [name, row] of Object.entries(api.settings)) {
        expect(row.flag, `${api.id}.${name}`).toBeUndefined();
        expect(row.env, `${api.id}.${name}`).toMatch(/^[A-Z][A-Z0-9_]+$/);
        expect(SETTINGS[`${api.id}.${name}`]).toBe(row);
        if (row.listedBefore !== undefined) expect(Object.keys(SERVER_SETTINGS)).toContain(row.listedBefore);
      }
    }
    // The server's own rows keep their order; each API's rows keep theirs.
    const keys = Object.keys(SETTINGS);
    expect(keys.filter((key) => key in SERVER_SETTINGS)).toEqual(Object.keys(SERVER_SETTINGS));
    for (const api of CONFIGURED_APIS) {
      expect(keys.filter((key) => key.startsWith(`${api.id}.`))).toEqual(Object.keys(api.settings).map((name) => `${api.id}.${name}`));
    }
  });

  it('reach config.apis.<id> as the adapter configures them', () => {
    const config = loadConfig([], {
      PINTEREST_ACCESS_TOKEN: 'pina_0123456789',
      PINTEREST_SANDBOX: 'on',
      WHOP_API_BASE_URL: 'http://127.0.0.1:9/whop/',
      WHOP_CURRENCY: 'eur',
    });
    expect(config.apis.pinterest).toMatchObject({ accessToken: 'pina_0123456789', sandbox: true, baseUrl: 'https://api-sandbox.pinterest.com/v5' });
    expect(config.apis.whop).toEqual({ apiKey: undefined, baseUrl: 'http://127.0.0.1:9/whop', currency: 'EUR' });
    expect(Object.keys(config.apis)).toEqual(APIS.map((api) => api.id));
  });

  it('an API that is off until set up turns on by the variable --help names; its toolsets exist and are listed only when named', () => {
    const tools = APIS.flatMap((api) => buildTools(api));
    const selection = (argv: string[], env: Record<string, string>) => selectTools(tools, loadConfig(argv, env));
    const toolsetsOf = (argv: string[], env: Record<string, string>) => new Set<string>(selection(argv, env).tools.map((t) => t.toolset));
    const switched = CONFIGURED_APIS.filter((api) => api.turnedOnBy);
    expect(switched.length).toBeGreaterThan(0);
    for (const api of switched) {
      const { env, toolsets } = api.turnedOnBy!;
      const key = { [env]: 'key-0123456789' };
      expect(Object.values(api.settings).map((row) => row.env), api.id).toContain(env);
      expect(toolsets.length, api.id).toBeGreaterThan(0);
      for (const name of toolsets) {
        expect(Object.keys(TOOLSETS), api.id).toContain(name);
        expect(toolsetsOf([], {}).has(name), `${name} without ${env}`).toBe(false);
        // The key turns the API on, but the default selection stays as it is: the toolset is listed only when named.
        expect(toolsetsOf([], key).has(name), `${name} with ${env}, default selection`).toBe(false);
        expect(toolsetsOf(['--toolsets', `default,${name}`], key).has(name), `${name} with ${env}, named`).toBe(true);
        expect(toolsetsOf(['--toolsets', 'all'], key).has(name), `${name} with ${env}, all`).toBe(true);
      }
      expect(selection([], key).apisNotSelected[api.id], api.id).toBe(`run with --toolsets default,${toolsets.join(',')}`);
      expect(selection(['--toolsets', `default,${toolsets.join(',')}`], key).apisNotSelected, api.id).toEqual({});
      expect(selection([], {}).apisNotSelected, `${api.id} off is not "not selected"`).toEqual({});
    }
  });
});

describe("each API's connection", () => {
  const connectionOf = (id: string, env: Record<string, string>, argv: string[] = []) =>
    apiConnection(loadConfig(argv, env), CONFIGURED_APIS.find((api) => api.id === id)!);

  it('refreshes Pinterest tokens only with all three refresh settings, and warns when some are missing', () => {
    const refresh = { PINTEREST_APP_ID: '1234567', PINTEREST_APP_SECRET: 'app-secret-0123', PINTEREST_REFRESH_TOKEN: 'pinr_0123456789' };
    expect(connectionOf('pinterest', refresh).auth).toMatchObject({ kind: 'oauth-refresh', tokenPath: 'oauth/token', clientId: '1234567', storeKey: 'oauth:pinterest' });
    const partial = connectionOf('pinterest', { PINTEREST_APP_ID: '1234567' }).auth;
    expect(partial).toMatchObject({ kind: 'bearer', token: undefined, warning: expect.stringMatching(/OAuth refresh needs all of/) });
    expect(connectionOf('pinterest', { PINTEREST_APP_ID: '1234567', PINTEREST_ACCESS_TOKEN: 'pina_0123456789' }).auth).toMatchObject({
      kind: 'bearer',
      token: 'pina_0123456789',
      warning: undefined,
    });
  });

  it('says where each API is, and under --demo that the demo API is the demo', () => {
    expect(connectionOf('pinterest', {}).environment).toBe('production');
    expect(connectionOf('pinterest', { PINTEREST_SANDBOX: '1' })).toMatchObject({ environment: 'sandbox', sandbox: { leave: 'Unset PINTEREST_SANDBOX to call production.' } });
    expect(connectionOf('pinterest', { PINTEREST_API_BASE_URL: 'http://127.0.0.1:9/v5' }).environment).toBe('custom URL');
    expect(connectionOf('pinterest', {}, ['--demo']).environment).toBe('demo');
    expect(connectionOf('whop', {}).environment).toBe('production');
    expect(connectionOf('whop', {}, ['--demo']).environment).toBe('production');
    expect(connectionOf('whop', { WHOP_API_BASE_URL: 'http://127.0.0.1:9/v1' }).environment).toBe('custom URL');
  });

  it('the start-up line names an API that is on with what its credential is, never its value, and how to list it when it is not', async () => {
    const key = 'whop-key-0123456789';
    for (const { args, notListed, suffix } of [
      { args: [], notListed: { whop: 'run with --toolsets default,whop' }, suffix: ' (not listed: run with --toolsets default,whop)' },
      { args: ['--toolsets', 'default,whop'], notListed: {}, suffix: '' },
    ]) {
      const h = await startStdio({ args, env: { PINTEREST_MCP_LOG_LEVEL: 'info', WHOP_API_KEY: key } });
      try {
        await h.client.listTools(); // served by now: the line is written before the first request is read
        const [line] = h
          .stderr()
          .split('\n')
          .filter(Boolean)
          .map((l) => JSON.parse(l) as Record<string, unknown>)
          .filter((l) => typeof l.msg === 'string' && l.msg.includes(' ready on '));
        expect(line, args.join(' ')).toMatchObject({ credentials: 'access token', whop: 'api key', apis_off: {} });
        expect(line.apis_not_listed, args.join(' ')).toEqual(notListed);
        expect(line.msg).toContain(`; Pinterest custom URL (${new URL(h.emulator.url).host}) with access token, Whop with api key${suffix}; `);
        expect(h.stderr()).not.toContain(key);
        expect(h.stderr()).not.toContain(TOKEN);
      } finally {
        await h.close();
      }
    }
  });
});

describe('generic code', () => {
  /** Code that must work for any API: it loops over APIS and reads the adapters' members. */
  const GENERIC = ['src/config', 'src/http', 'src/tools/selection.ts', 'src/server/startup.ts', 'src/cli'];
  /** The product's own names, which are not an API's. */
  const PRODUCT = /PINTEREST_MCP_\w*|pinterest-api-mcp|pinterest-mcp/g;

  const filesOf = (path: string): string[] =>
    path.endsWith('.ts') ? [path] : readdirSync(join(root, path), { withFileTypes: true }).flatMap((e) => filesOf(`${path}/${e.name}`));

  /** Identifiers and literal texts of a file or of one function in it; comments are not code. */
  function wordsOf(file: string, only?: string): string[] {
    const words = codeWords(file, readFileSync(join(root, file), 'utf8'), only);
    expect(words, `${file} ${only ?? ''}`).toBeDefined();
    return words!.map((word) => word.text);
  }

  it('names no API (its id, label or variables) in the configuration, clients, selection, start-up line, CLI or deployments', () => {
    const names = CONFIGURED_APIS.flatMap((api) => [api.id, api.label, ...Object.values(api.settings).flatMap((row) => (row.env ? [row.env] : []))]);
    const pattern = new RegExp(names.map((name) => name.replace(/[^\w]/g, '\\$&')).join('|'), 'i');
    const sources: [string, string?][] = [...GENERIC.flatMap((path) => filesOf(path).map((file): [string] => [file])), ['src/server/engine.ts', 'deploymentsOf']];
    const named = sources.flatMap(([file, only]) =>
      wordsOf(file, only).flatMap((word) => (pattern.test(word.replace(PRODUCT, '')) ? [`${relative(root, join(root, file))}: ${word}`] : [])),
    );
    expect(named).toEqual([]);
  });

  it('the check can fail: it sees an API named in code', () => {
    const pattern = new RegExp(CONFIGURED_APIS.map((api) => api.label).join('|'), 'i');
    expect(wordsOf('src/apis/pinterest/settings.ts').some((word) => pattern.test(word.replace(PRODUCT, '')))).toBe(true);
  });
});
