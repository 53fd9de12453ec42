// What a new user and a model meet first: the start-up line, the instructions, short errors, notes that follow `fields`, discover texts.
import { describe, expect, it } from 'vitest';
import { startEmulator } from '../../fakes/pinterest/server.js';
import { SEED } from '../../fakes/pinterest/state.js';
import { MODEL_APPROVAL, TOKEN, USD_ACCOUNT, startInProcess, startStdio } from '../helpers/harness.js';

describe('the start-up line', () => {
  it('says on stderr, in one JSON line at info level, what is served and where credentials came from, never their value', async () => {
    const h = await startStdio({ env: { PINTEREST_MCP_LOG_LEVEL: 'info' }, args: ['--toolsets', 'default,pins', '--exclude-tools', 'pins_delete'] });
    try {
      await h.client.listTools(); // served by now: the line is written before the first request is read
      const lines = h.stderr().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
      const ready = lines.filter((l) => typeof l.msg === 'string' && l.msg.includes(' ready on '));
      expect(ready).toHaveLength(1);
      const [line] = ready;
      expect(line.level).toBe(30);
      expect(line).toMatchObject({
        version: '0.1.0',
        transport: 'stdio',
        environment: 'custom URL',
        api_host: new URL(h.emulator.url).host,
        credentials: 'access token',
        store: 'memory',
        approval: 'auto via dialog,page',
        mode: 'tools',
        read_only: false,
        apis_off: { whop: 'WHOP_API_KEY is not set' },
      });
      expect(line.toolsets).toEqual(expect.arrayContaining(['accounts', 'campaigns', 'analytics', 'pins']));
      const { tools } = await h.client.listTools();
      expect(line.tools_listed).toBe(tools.length);
      expect(tools.map((t) => t.name)).not.toContain('pins_delete');
      expect(line.msg).toBe(
        `pinterest-api-mcp 0.1.0 ready on stdio; Pinterest custom URL (${new URL(h.emulator.url).host}) with access token, Whop off (WHOP_API_KEY is not set); store memory; approval auto via dialog,page; ` +
          `toolsets ${(line.toolsets as string[]).join(',')}; ${tools.length} tools listed`,
      );
      expect(h.stderr()).not.toContain(TOKEN);
    } finally {
      await h.close();
    }
  });
});

describe('instructions at initialize', () => {
  it('explain money, held writes, finding tools and the first calls in under 1,500 characters, true to the mode', async () => {
    const cases = [
      { args: [], has: [/approval_id/, /describe_tool/, /1\. ad_accounts_list \{\}/, /analytics_run_report/], lacks: [/confirmation_token/, /call_tool/] },
      { args: [...MODEL_APPROVAL], has: [/confirmation_token/, /only after they agree/], lacks: [/call_tool/] },
      { args: ['--mode', 'discover'], has: [/search_tools/, /call_tool \{"name":"ad_accounts_list","arguments":\{\}\}/, /approval_id inside "arguments"/], lacks: [] },
    ];
    for (const { args, has, lacks } of cases) {
      const h = await startInProcess({ args });
      try {
        const text = h.client.getInstructions() ?? '';
        expect(text.length, args.join(' ')).toBeLessThan(1500);
        expect(text).toMatch(/"\$12\.50"/);
        expect(text).toMatch(/held: nothing is sent until a person approves/);
        for (const pattern of has) expect(text, args.join(' ')).toMatch(pattern);
        for (const pattern of lacks) expect(text, args.join(' ')).not.toMatch(pattern);
      } finally {
        await h.close();
      }
    }
  });

  it('name each other API beside Pinterest exactly when its tools are offered (its adapter says how: inInstructions)', async () => {
    const key = { WHOP_API_KEY: 'whop-instructions-test' };
    for (const { env, args, first } of [
      { env: {}, args: [], first: 'Pinterest Ads API v5 as tools.' },
      // On but not selected: the key alone does not offer Whop's tools, so the instructions do not name it.
      { env: key, args: [], first: 'Pinterest Ads API v5 as tools.' },
      { env: key, args: ['--toolsets', 'default,whop'], first: 'Pinterest Ads API v5 as tools, plus Whop ads (whop_*).' },
    ]) {
      const h = await startInProcess({ env, args });
      try {
        expect((h.client.getInstructions() ?? '').split('\n')[0]).toBe(first);
      } finally {
        await h.close();
      }
    }
  });
});

describe('errors a model can act on', () => {
  it('a bad analytics column gets one short line naming the closest valid columns, and nothing is sent', async () => {
    const h = await startInProcess();
    try {
      const result = await h.call('campaigns_analytics', {
        ad_account_id: USD_ACCOUNT,
        campaign_ids: [SEED.campaigns.usdActive],
        start_date: '2024-01-01',
        end_date: '2024-01-07',
        columns: ['IMPRESSIONS', 'CLICKS', 'SPEND_IN_MICRO_DOLLAR', 'SPEND'],
        granularity: 'DAY',
      });
      expect(result.isError).toBe(true);
      expect(result.text.length).toBeLessThan(1000);
      expect(result.text).toMatch(/columns\[0\]: "IMPRESSIONS" is not one of the 175 valid values; closest: IMPRESSION_1, IMPRESSION_2, PAID_IMPRESSION, TOTAL_IMPRESSION/);
      expect(result.text).toMatch(/columns\[1\]: "CLICKS" is not one of the 175 valid values; closest: CLICKTHROUGH_1/);
      expect(result.text).toMatch(/columns\[3\]: "SPEND" .*closest: SPEND_IN_DOLLAR, SPEND_IN_MICRO_DOLLAR/);
      expect(result.text).not.toMatch(/columns\[2\]/);
      expect(h.sent({ operationId: 'campaigns/analytics' })).toHaveLength(0);
    } finally {
      await h.close();
    }
  });

  it('notes restate only the amounts a `fields` projection kept', async () => {
    const h = await startInProcess();
    try {
      const args = { ad_account_id: USD_ACCOUNT, ad_group_id: SEED.adGroups.usd };
      const whole = await h.call('ad_groups_get', args);
      expect(whole.text).toMatch(/budget_in_micro_currency = 10\.00 USD/);
      expect(whole.text).toMatch(/bid_in_micro_currency = 1\.50 USD/);
      const some = await h.call('ad_groups_get', { ...args, fields: ['id', 'bid_in_micro_currency'] });
      expect(some.structuredContent).toEqual({ id: SEED.adGroups.usd, bid_in_micro_currency: 1_500_000 });
      expect(some.text).toMatch(/bid_in_micro_currency = 1\.50 USD/);
      expect(some.text).not.toMatch(/budget/);
      const none = await h.call('ad_groups_get', { ...args, fields: ['id', 'name'] });
      expect(none.text).not.toMatch(/Amounts/);
      // The caller's words: `budget` and `bid` select the micro fields, restated.
      const natural = await h.call('ad_groups_get', { ...args, fields: ['id', 'budget', 'bid'] });
      expect(natural.structuredContent).toEqual({ id: SEED.adGroups.usd, budget_in_micro_currency: 10_000_000, bid_in_micro_currency: 1_500_000 });
      expect(natural.text).toMatch(/budget_in_micro_currency = 10\.00 USD/);
      // A name that is no documented field is refused before sending, naming the closest ones in the caller's words.
      const before = h.sent({ operationId: 'ad_groups/get' }).length;
      const typo = await h.call('ad_groups_get', { ...args, fields: ['id', 'budgt'] });
      expect(typo.isError).toBe(true);
      expect(typo.text).toMatch(/^Invalid arguments for ad_groups_get; nothing was sent\.\n- fields\[1\]: "budgt" is not one of the fields of this tool's answer; closest: budget\b/);
      expect(typo.text).toMatch(/describe_tool \{"name":"ad_groups_get"\} lists them all in its outputSchema/);
      expect(h.sent({ operationId: 'ad_groups/get' })).toHaveLength(before);
    } finally {
      await h.close();
    }
  });
});

describe('discover mode', () => {
  it('reaches the report workflow through search_tools, describe_tool and call_tool', async () => {
    const emulator = await startEmulator({ reportPollsUntilReady: 0 });
    const h = await startInProcess({ emulator, args: ['--mode', 'discover'] });
    try {
      const found = await h.call('search_tools', { query: 'run report' });
      expect((found.structuredContent as { tools: { name: string }[] }).tools.map((t) => t.name)).toContain('analytics_run_report');
      const described = await h.call('describe_tool', { name: 'analytics_run_report' });
      expect(described.isError).toBeFalsy();
      expect((described.structuredContent as { inputSchema: { required: string[] } }).inputSchema.required).toEqual(['ad_account_id', 'body']);
      const body = { level: 'CAMPAIGN', columns: ['SPEND_IN_MICRO_DOLLAR'], start_date: '2024-01-01', end_date: '2024-01-07', granularity: 'TOTAL', report_format: 'JSON' };
      const ran = await h.call('call_tool', { name: 'analytics_run_report', arguments: { ad_account_id: USD_ACCOUNT, body } });
      expect(ran.isError, ran.text).toBeFalsy();
      expect((ran.structuredContent as { report_status: string }).report_status).toBe('FINISHED');
      expect(h.sent({ operationId: 'analytics/create_report' })).toHaveLength(1);
    } finally {
      await h.close();
      await emulator.close();
    }
  });

  it('describe_tool describes every listed name, the meta tools included, in both modes', async () => {
    for (const args of [['--mode', 'discover'], []]) {
      const h = await startInProcess({ args });
      try {
        const listed = (await h.client.listTools()).tools.map((t) => t.name);
        const metaNames = listed.filter((n) => ['describe_tool', 'search_tools', 'call_tool'].includes(n));
        expect(metaNames.length).toBe(args.length ? 3 : 1);
        for (const name of metaNames) {
          const described = await h.call('describe_tool', { name });
          expect(described.isError, described.text).toBeFalsy();
          expect(described.structuredContent).toMatchObject({ name, meta: true, inputSchema: { type: 'object' } });
        }
        expect(h.sent()).toHaveLength(0);
      } finally {
        await h.close();
      }
    }
  });

  it('says to repeat a held write through call_tool with the token or approval_id inside "arguments", and that works', async () => {
    for (const approval of ['model', 'person'] as const) {
      const h = await startInProcess({ args: ['--mode', 'discover', '--approval', approval] });
      try {
        const args = { ad_account_id: USD_ACCOUNT, body: [{ ad_account_id: USD_ACCOUNT, name: 'Discover launch', objective_type: 'AWARENESS', daily_spend_cap: '20' }] };
        const held = await h.call('call_tool', { name: 'campaigns_create', arguments: args });
        const extra = approval === 'model' ? 'confirmation_token' : 'approval_id';
        expect(held.text).toMatch(new RegExp(`call call_tool again with name "campaigns_create" and the same arguments plus ${extra} "[^"]+" \\(inside "arguments"\\)`));
        expect(held.text).not.toMatch(/call campaigns_create again/);
        expect(h.sent({ writesOnly: true })).toHaveLength(0);
        if (approval === 'model') {
          const token = (held.structuredContent as { confirmation_token: string }).confirmation_token;
          const done = await h.call('call_tool', { name: 'campaigns_create', arguments: { ...args, confirmation_token: token } });
          expect(done.isError, done.text).toBeFalsy();
          expect(h.sent({ operationId: 'campaigns/create' })).toHaveLength(1);
        } else {
          const id = (held.structuredContent as { approval_id: string }).approval_id;
          const pending = await h.call('call_tool', { name: 'campaigns_create', arguments: { ...args, approval_id: id } });
          expect(pending.text).toMatch(new RegExp(`then call call_tool again with name "campaigns_create" and the same arguments plus approval_id "${id}" \\(inside "arguments"\\)`));
          expect(h.sent({ writesOnly: true })).toHaveLength(0);
        }
      } finally {
        await h.close();
      }
    }
  });
});
