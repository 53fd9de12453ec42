// Only configured APIs are offered: an API that is off (Whop without WHOP_API_KEY) has no tool listed, searched, described
// or callable in any mode, a flag naming its tools refuses to start, and the start-up line says which APIs are off and why.
// One that is on (the key set) is listed only where its toolsets are selected: named, `all`, or discover mode.
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Emulator, startEmulator } from '../../fakes/pinterest/server.js';
import { WHOP_SEED, WHOP_TEST_KEY, type WhopEmulator, startWhopEmulator } from '../../fakes/whop/server.js';
import { SERVER_ENTRY, TOKEN, USD_ACCOUNT, startInProcess, startStdio } from '../helpers/harness.js';

const OFF = 'whop_ad_groups_pause belongs to Whop, which is off: set WHOP_API_KEY to use it.';
const MODES = { default: [], all: ['--toolsets', 'all'], discover: ['--mode', 'discover'] } as const;

let pinterest: Emulator;
let whop: WhopEmulator;
beforeAll(async () => {
  [pinterest, whop] = await Promise.all([startEmulator(), startWhopEmulator()]);
});
afterAll(async () => {
  await Promise.all([pinterest?.close(), whop?.close()]);
});

/** The built server against both fakes; `key` is WHOP_API_KEY (null: unset). */
const whopEnv = (key: string | null): Record<string, string> => ({ WHOP_API_BASE_URL: whop.url, ...(key === null ? {} : { WHOP_API_KEY: key }) });
const serve = (args: readonly string[], key: string | null, env: Record<string, string> = {}) =>
  startStdio({ emulator: pinterest, args: [...args], env: { ...whopEnv(key), ...env } });

type Found = {
  tools: { name: string }[];
  total: number;
  toolsets?: Record<string, string>;
  apis_off?: Record<string, string>;
  apis_not_listed?: Record<string, string>;
};

describe('without WHOP_API_KEY (the built server, a real client)', () => {
  it('lists no whop tool in the default, all and discover modes; with the key all, discover and default,whop list them, the default not', async () => {
    const before = whop.requests.length;
    for (const [mode, args] of Object.entries({ ...MODES, 'default,whop': ['--toolsets', 'default,whop'] })) {
      for (const key of [null, WHOP_TEST_KEY]) {
        if (mode === 'default,whop' && key === null) continue; // refused at start (below)
        const h = await serve(args, key);
        try {
          const listed = (await h.client.listTools()).tools.map((t) => t.name);
          // Discover mode lists its meta-tools: what they reach is what search_tools finds.
          const reached =
            mode === 'discover' ? ((await h.call('search_tools', { limit: 100, toolset: 'whop' })).structuredContent as Found).tools.map((t) => t.name) : listed;
          const whopTools = reached.filter((name) => name.startsWith('whop_'));
          // The key turns Whop on, but the default selection does not grow by itself: its toolset is listed when named.
          expect(whopTools, `${mode}, key ${key ?? 'unset'}`).toHaveLength(key === null || mode === 'default' ? 0 : 28);
          if (mode === 'discover') expect(listed.sort()).toEqual(['call_tool', 'describe_tool', 'search_tools']);
          const description = (await h.client.listTools()).tools.find((t) => t.name === 'search_tools')?.description ?? '';
          if (mode === 'discover') expect(description.includes('whop'), `search_tools names the whop toolset, key ${key ?? 'unset'}`).toBe(key !== null);
        } finally {
          await h.close();
        }
      }
    }
    expect(whop.requests.slice(before)).toEqual([]);
  }, 60_000);

  it('search_tools "pause ad group" finds no whop tool, and its overview says Whop is off and why', async () => {
    for (const key of [null, WHOP_TEST_KEY]) {
      const h = await serve(MODES.discover, key);
      try {
        const found = (await h.call('search_tools', { query: 'pause ad group' })).structuredContent as Found;
        const names = found.tools.map((t) => t.name);
        if (key === null) {
          expect(names.filter((name) => name.startsWith('whop_'))).toEqual([]);
          expect(names).toContain('ad_groups_update');
        } else {
          expect(names[0]).toBe('whop_ad_groups_pause'); // what the search ranks first once Whop is on
        }
        const overview = (await h.call('search_tools', {})).structuredContent as Found;
        expect(Object.keys(overview.toolsets ?? {}).includes('whop')).toBe(key !== null);
        expect(overview.apis_off).toEqual(key === null ? { whop: 'WHOP_API_KEY is not set' } : undefined);
        expect(overview.apis_not_listed).toBeUndefined();
        const nothing = (await h.call('search_tools', { toolset: 'whop' })).structuredContent as Found;
        if (key === null) expect(nothing).toEqual({ tools: [], total: 0, apis_off: { whop: 'WHOP_API_KEY is not set' } });
      } finally {
        await h.close();
      }
    }
    // Discover mode with toolsets named: Whop is on but outside them, and the overview says how to reach it.
    const named = await serve([...MODES.discover, '--toolsets', 'default'], WHOP_TEST_KEY);
    try {
      const found = (await named.call('search_tools', { query: 'whop' })).structuredContent as Found;
      expect(found).toEqual({ tools: [], total: 0, apis_not_listed: { whop: 'run with --toolsets default,whop' } });
    } finally {
      await named.close();
    }
  }, 30_000);

  it('with the key and the default selection, a whop tool is refused with the fix (--toolsets default,whop), and nothing reaches Whop', async () => {
    const before = whop.requests.length;
    const h = await serve(MODES.default, WHOP_TEST_KEY);
    try {
      const result = await h.call('whop_ad_groups_get', { id: WHOP_SEED.adGroup });
      expect(result).toMatchObject({
        isError: true,
        text: 'whop_ad_groups_get is not enabled on this server. Enable its toolset with --toolsets default,whop (or --tools whop_ad_groups_get).',
      });
    } finally {
      await h.close();
    }
    expect(whop.requests.slice(before)).toEqual([]);
  }, 30_000);

  it('describe_tool, call_tool and tools/call of a whop tool answer that Whop is off, and nothing reaches either API', async () => {
    const before = { pinterest: pinterest.requests.length, whop: whop.requests.length };
    const args = { id: WHOP_SEED.adGroup };
    const discover = await serve(MODES.discover, null);
    try {
      const described = await discover.call('describe_tool', { name: 'whop_ad_groups_pause' });
      expect(described).toMatchObject({ isError: true, text: OFF });
      const called = await discover.call('call_tool', { name: 'whop_ad_groups_pause', arguments: args });
      expect(called).toMatchObject({ isError: true, text: OFF });
      // A read is refused the same way: nothing of an API that is off is callable.
      const read = await discover.call('call_tool', { name: 'whop_ad_groups_list', arguments: { ad_campaign_id: WHOP_SEED.campaign } });
      expect(read).toMatchObject({ isError: true, text: 'whop_ad_groups_list belongs to Whop, which is off: set WHOP_API_KEY to use it.' });
    } finally {
      await discover.close();
    }
    const all = await serve(MODES.all, null);
    try {
      expect(await all.call('whop_ad_groups_pause', args)).toMatchObject({ isError: true, text: OFF });
      expect(await all.call('describe_tool', { name: 'whop_ad_groups_pause' })).toMatchObject({ isError: true, text: OFF });
    } finally {
      await all.close();
    }
    expect(whop.requests.slice(before.whop)).toEqual([]);
    expect(pinterest.requests.slice(before.pinterest)).toEqual([]);
  }, 30_000);

  it('with the key, the same call reaches the fake Whop API (the refusal above is the key, not the call)', async () => {
    for (const args of [['--toolsets', 'all'], ['--toolsets', 'default,whop']]) {
      const before = whop.requests.length;
      const h = await serve(args, WHOP_TEST_KEY);
      try {
        const result = await h.call('whop_ad_groups_get', { id: WHOP_SEED.adGroup });
        expect(result.isError, result.text).toBeFalsy();
        expect(whop.requests.slice(before).map((r) => r.op), args.join(' ')).toEqual(['ad_groups/get']);
      } finally {
        await h.close();
      }
    }
  }, 30_000);
});

describe('the start-up line', () => {
  /** The JSON start-up line of a built server. */
  async function startupLine(key: string | null, args: string[] = []) {
    const h = await serve(args, key, { PINTEREST_MCP_LOG_LEVEL: 'info' });
    try {
      await h.client.listTools(); // served by now: the line is written before the first request is read
      const lines = h.stderr().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
      return { line: lines.find((l) => typeof l.msg === 'string' && l.msg.includes(' ready on '))!, stderr: h.stderr() };
    } finally {
      await h.close();
    }
  }

  it('says which APIs are off and why (apis_off, and in words), under --toolsets all too', async () => {
    const host = new URL(pinterest.url).host;
    const listed: Record<string, number> = {};
    for (const args of [[], ['--toolsets', 'all']]) {
      const { line } = await startupLine(null, args);
      listed[args.join(' ')] = line.tools_listed as number;
      expect(line.apis_off).toEqual({ whop: 'WHOP_API_KEY is not set' });
      expect(line.whop).toBeUndefined();
      expect(line.toolsets).not.toContain('whop');
      expect(line.msg).toContain(`; Pinterest custom URL (${host}) with access token, Whop off (WHOP_API_KEY is not set); `);
    }
    const { line, stderr } = await startupLine(WHOP_TEST_KEY, ['--toolsets', 'all']);
    expect(line).toMatchObject({ apis_off: {}, apis_not_listed: {}, whop: 'api key', tools_listed: listed['--toolsets all'] + 28 }); // the 28 Whop tools join
    expect(line.msg).toContain(`; Pinterest custom URL (${host}) with access token, Whop with api key; `);
    expect(stderr).not.toContain(WHOP_TEST_KEY);
    expect(stderr).not.toContain(TOKEN);
  }, 30_000);

  it('says when an API is on but none of its toolsets is selected, with the fix, and lists no more tools than without the key', async () => {
    const host = new URL(pinterest.url).host;
    const { line: without } = await startupLine(null);
    for (const [args, fix] of [
      [[], '--toolsets default,whop'],
      [['--toolsets', 'campaigns'], '--toolsets campaigns,whop'],
    ] as const) {
      const { line } = await startupLine(WHOP_TEST_KEY, [...args]);
      expect(line, args.join(' ')).toMatchObject({ apis_off: {}, whop: 'api key', apis_not_listed: { whop: `run with ${fix}` } });
      expect(line.toolsets).not.toContain('whop');
      expect(line.msg).toContain(`; Pinterest custom URL (${host}) with access token, Whop with api key (not listed: run with ${fix}); `);
      if (args.length === 0) expect(line.tools_listed).toBe(without.tools_listed);
    }
    const { line } = await startupLine(WHOP_TEST_KEY, ['--toolsets', 'default,whop']);
    expect(line).toMatchObject({ apis_off: {}, apis_not_listed: {}, whop: 'api key', tools_listed: (without.tools_listed as number) + 28 });
    expect(line.toolsets).toContain('whop');
  }, 30_000);
});

describe('a flag that names an API that is off', () => {
  /** Runs the built server until it exits (killed after 8 s if it keeps running: then the code is null). */
  async function refusedStart(args: string[]): Promise<{ code: number | null; stderr: string }> {
    const env = { PATH: process.env.PATH ?? '', PINTEREST_API_BASE_URL: pinterest.url, PINTEREST_ACCESS_TOKEN: TOKEN, WHOP_API_BASE_URL: whop.url };
    const child = spawn(process.execPath, [SERVER_ENTRY, ...args], { env, stdio: ['pipe', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const killer = setTimeout(() => child.kill('SIGKILL'), 8_000);
    const code = await new Promise<number | null>((resolve) => child.on('close', (exitCode) => resolve(exitCode)));
    clearTimeout(killer);
    return { code, stderr };
  }

  it('--tools naming a whop tool, or --toolsets whop, refuses to start without the key, naming why', async () => {
    const before = whop.requests.length;
    const tools = await refusedStart(['--tools', 'campaigns_list,whop_ads_list']);
    expect(tools.code).toBe(1);
    expect(tools.stderr.split('\n')[0]).toBe('pinterest-api-mcp failed to start: --tools whop_ads_list: it belongs to Whop, which is off: set WHOP_API_KEY to use it');
    const toolsets = await refusedStart(['--mode', 'discover', '--toolsets', 'campaigns,whop']);
    expect(toolsets.code).toBe(1);
    expect(toolsets.stderr.split('\n')[0]).toBe('pinterest-api-mcp failed to start: --toolsets whop: its tools belong to Whop, which is off: set WHOP_API_KEY to use it');
    // The way --help says to list Whop, given without the key: the same refusal, naming the key.
    const added = await refusedStart(['--toolsets', 'default,whop']);
    expect(added.code).toBe(1);
    expect(added.stderr.split('\n')[0]).toBe('pinterest-api-mcp failed to start: --toolsets whop: its tools belong to Whop, which is off: set WHOP_API_KEY to use it');
    expect(whop.requests.slice(before)).toEqual([]);
  }, 30_000);

  it('--exclude-tools may name one (leaving out what is off is no error), and with the key --tools lists it', async () => {
    const excluded = await startInProcess({ emulator: pinterest, args: ['--toolsets', 'all', '--exclude-tools', 'whop_ads_list'], env: whopEnv(null) });
    try {
      expect((await excluded.client.listTools()).tools.filter((t) => t.name.startsWith('whop_'))).toEqual([]);
    } finally {
      await excluded.close();
    }
    const named = await startInProcess({ emulator: pinterest, args: ['--toolsets', 'campaigns', '--tools', 'whop_ads_list'], env: whopEnv(WHOP_TEST_KEY) });
    try {
      expect((await named.client.listTools()).tools.map((t) => t.name)).toContain('whop_ads_list');
    } finally {
      await named.close();
    }
  });
});

describe('instructions and prompts', () => {
  it('neither names nor offers Whop while it is off, under --toolsets all too, nor while it is on but not selected', async () => {
    for (const [key, args, offered] of [
      [null, ['--toolsets', 'all'], false],
      [WHOP_TEST_KEY, ['--toolsets', 'all'], true],
      [WHOP_TEST_KEY, [], false],
      [WHOP_TEST_KEY, ['--toolsets', 'default,whop'], true],
    ] as const) {
      const h = await startInProcess({ emulator: pinterest, args: [...args], env: whopEnv(key) });
      const label = `key ${key ?? 'unset'}, ${args.join(' ') || 'default'}`;
      try {
        const instructions = h.client.getInstructions() ?? '';
        const prompt = await h.client.getPrompt({ name: 'performance_report', arguments: { ad_account_id: USD_ACCOUNT, start_date: '2026-11-01', end_date: '2026-11-07' } });
        const text = prompt.messages.map((m) => (m.content.type === 'text' ? m.content.text : '')).join('\n');
        expect(/whop/i.test(instructions), `instructions, ${label}`).toBe(offered);
        expect(text.includes('whop_ad_reports_get'), `performance_report, ${label}`).toBe(offered);
      } finally {
        await h.close();
      }
    }
  });
});
