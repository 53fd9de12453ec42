// MCP prompts through a real client: listing, filling placeholders, argument errors, and named tools that exist.
import { ErrorCode, McpError } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PromptFileError, loadPrompts, parsePromptFile } from '../../src/server/prompts.js';
import { type Harness, USD_ACCOUNT, startInProcess } from '../helpers/harness.js';

const REQUIRED_PROMPTS = [
  'launch_campaign',
  'performance_report',
  'budget_review',
  'pause_underperformers',
  'audience_from_customer_list',
];

describe('prompts over MCP (--toolsets all)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startInProcess({ args: ['--toolsets', 'all'] });
  });
  afterAll(async () => {
    await h.close();
  });

  it('declares the prompts capability and lists every prompt with its arguments', async () => {
    expect(h.client.getServerCapabilities()?.prompts).toBeDefined();
    const { prompts } = await h.client.listPrompts();
    const names = prompts.map((p) => p.name);
    for (const name of REQUIRED_PROMPTS) expect(names).toContain(name);
    for (const p of prompts) {
      expect(p.description, p.name).toBeTruthy();
      for (const a of p.arguments ?? []) {
        expect(a.description, `${p.name}.${a.name}`).toBeTruthy();
        expect(typeof a.required).toBe('boolean');
        expect(Object.keys(a).sort()).toEqual(['description', 'name', 'required']);
      }
    }
    const launch = prompts.find((p) => p.name === 'launch_campaign');
    const required = (launch?.arguments ?? []).filter((a) => a.required).map((a) => a.name);
    expect(required).toEqual(expect.arrayContaining(['ad_account_id', 'objective', 'daily_budget']));
  });

  it('fills every placeholder of a prompt from its arguments', async () => {
    const result = await h.client.getPrompt({
      name: 'launch_campaign',
      arguments: {
        ad_account_id: USD_ACCOUNT,
        campaign_name: 'Spring sale',
        objective: 'CONSIDERATION',
        daily_budget: '$50',
        pin_ids: '1111, 2222',
      },
    });
    expect(result.messages).toHaveLength(1);
    const message = result.messages[0]!;
    expect(message.role).toBe('user');
    expect(message.content.type).toBe('text');
    const text = message.content.type === 'text' ? message.content.text : '';
    expect(text).not.toMatch(/\{\{.*?\}\}/);
    expect(text).toContain(`ad account ${USD_ACCOUNT}`);
    expect(text).toContain('"Spring sale", objective CONSIDERATION');
    expect(text).toContain('Daily budget: $50');
    expect(text).toContain('Pins to promote: 1111, 2222');
    expect(text).toContain('PAUSED');
    expect(text).toContain('confirmation_token');
    // Optional arguments fall back to their defaults.
    expect(text).toContain('Bid: automatic bidding (no bid)');
    // Every tool is on this server, so no "not offered" note.
    expect(text).not.toContain('does not currently offer');
  });

  it('renders a date-range report with the dates in place', async () => {
    const result = await h.client.getPrompt({
      name: 'performance_report',
      arguments: { ad_account_id: USD_ACCOUNT, start_date: '2026-01-01', end_date: '2026-01-31', level: 'ad_group' },
    });
    const text = result.messages[0]?.content.type === 'text' ? result.messages[0].content.text : '';
    expect(text).toContain('from 2026-01-01 to 2026-01-31, broken down by ad_group');
  });

  it('answers a missing required argument with InvalidParams naming it', async () => {
    const error = await h.client
      .getPrompt({ name: 'performance_report', arguments: { ad_account_id: USD_ACCOUNT, start_date: '2026-01-01' } })
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(error).toBeInstanceOf(McpError);
    expect((error as McpError).code).toBe(ErrorCode.InvalidParams);
    expect((error as McpError).message).toContain('"end_date"');
  });

  it('treats a blank required argument as missing, and rejects unknown arguments and prompts', async () => {
    await expect(
      h.client.getPrompt({ name: 'budget_review', arguments: { ad_account_id: '  ', start_date: 'a', end_date: 'b' } }),
    ).rejects.toMatchObject({ code: ErrorCode.InvalidParams, message: expect.stringContaining('"ad_account_id"') });
    await expect(
      h.client.getPrompt({
        name: 'budget_review',
        arguments: { ad_account_id: USD_ACCOUNT, start_date: 'a', end_date: 'b', budget: '5' },
      }),
    ).rejects.toMatchObject({ code: ErrorCode.InvalidParams, message: expect.stringContaining('"budget"') });
    await expect(h.client.getPrompt({ name: 'no_such_prompt' })).rejects.toMatchObject({ code: ErrorCode.InvalidParams });
  });

  it('names only tools that exist: every backticked identifier in every prompt is in tools/list', async () => {
    const { tools } = await h.client.listTools();
    const listed = new Set(tools.map((t) => t.name));
    const prompts = loadPrompts();
    expect(prompts.length).toBeGreaterThanOrEqual(REQUIRED_PROMPTS.length);
    for (const prompt of prompts) {
      expect(prompt.tools.length, `${prompt.name} names no tools`).toBeGreaterThan(0);
      const unknown = prompt.tools.filter((t) => !listed.has(t));
      expect(unknown, `${prompt.file} names tools that tools/list does not have`).toEqual([]);
    }
    const launch = prompts.find((p) => p.name === 'launch_campaign');
    expect(launch?.tools).toEqual(expect.arrayContaining(['campaigns_create', 'ad_groups_create', 'ads_create', 'campaigns_update']));
  });

  it('names only resources that exist: every URI in a prompt is in resources/list (the report names the columns resource)', async () => {
    const { resources } = await h.client.listResources();
    const listed = new Set(resources.map((r) => r.uri));
    const named = loadPrompts().flatMap((prompt) => [...prompt.template.matchAll(/\b[a-z][a-z-]*:\/\/[\w./-]+\w/g)].map((m) => ({ prompt: prompt.name, uri: m[0] })));
    expect(named).toContainEqual({ prompt: 'performance_report', uri: 'pinterest://analytics/columns' });
    expect(named.filter((n) => !listed.has(n.uri))).toEqual([]);
  });
});

describe('prompts with a narrower tool selection', () => {
  it('notes the tools a prompt needs that this server does not offer', async () => {
    const h = await startInProcess({ args: ['--toolsets', 'accounts,campaigns'] });
    try {
      const result = await h.client.getPrompt({
        name: 'audience_from_customer_list',
        arguments: { ad_account_id: USD_ACCOUNT, list_name: 'VIPs', records: 'a@example.com' },
      });
      const text = result.messages[0]?.content.type === 'text' ? result.messages[0].content.text : '';
      expect(text).toContain('does not currently offer');
      expect(text).toContain('`customer_lists_create`');
      expect(text).not.toMatch(/does not currently offer[^\n]*`ad_accounts_get`/);
    } finally {
      await h.close();
    }
  });
});

describe('optional sections: a prompt covers Whop only where its tools are served', () => {
  const report = async (args: string[], env: Record<string, string> = {}) => {
    const h = await startInProcess({ args, env });
    try {
      const result = await h.client.getPrompt({ name: 'performance_report', arguments: { ad_account_id: USD_ACCOUNT, start_date: '2026-11-01', end_date: '2026-11-07' } });
      return result.messages[0]?.content.type === 'text' ? result.messages[0].content.text : '';
    } finally {
      await h.close();
    }
  };

  it('performance_report asks for whop_ad_reports_get with the dates when the whop toolset is on', async () => {
    const text = await report(['--toolsets', 'accounts,campaigns,ad_groups,ads,analytics,whop'], { WHOP_API_KEY: 'whop-prompts-test-key' });
    expect(text).toContain('`whop_ad_reports_get` with from 2026-11-01, to 2026-11-07');
    expect(text).not.toContain('{{');
    expect(text).not.toMatch(/does not currently offer[^\n]*whop/);
  });

  it('leaves the Whop steps out, and does not call them missing, when it is off', async () => {
    const text = await report(['--toolsets', 'accounts,campaigns,ad_groups,ads,analytics']);
    expect(text).not.toContain('whop');
    expect(text).not.toContain('{{');
  });

  it('refuses a section left open', () => {
    expect(() => parsePromptFile('---\nname: x\ndescription: y\n---\nBody {{#when a_tool}} never closed', 'x.md')).toThrow(PromptFileError);
  });
});

describe('prompt file parsing', () => {
  const file = (header: string, body = 'Use `ads_list` for {{x}}.') => `---\n${header}\n---\n${body}\n`;
  const header = 'name: p\ndescription: "A: quoted"\narguments:\n  - name: x\n    description: \'it\'\'s x\'\n    required: true';

  it('parses the header subset (quoted values, argument list) and the tools named', () => {
    const def = parsePromptFile(file(header), 'p.md');
    expect(def).toMatchObject({
      name: 'p',
      description: 'A: quoted',
      arguments: [{ name: 'x', description: "it's x", required: true }],
      tools: ['ads_list'],
    });
  });

  it.each([
    ['no front-matter', 'just text', /must start/],
    ['an unknown key', file(`${header}\ncolor: red`), /unknown key "color"/],
    ['an undeclared placeholder', file(header, '{{x}} {{y}}'), /\{\{y\}\} is not a declared argument/],
    ['an unused argument', file(header, 'nothing here'), /"x" is never used/],
    ['a bad required flag', file(header.replace('required: true', 'required: yes'), '{{x}}'), /true or false/],
    ['unbalanced backticks', file(header, '{{x}} `ads_list'), /unbalanced backticks/],
    ['an unsupported line', file(`${header}\n  nonsense`), /unsupported front-matter line/],
  ])('rejects %s', (_, text, message) => {
    expect(() => parsePromptFile(text, 'p.md')).toThrow(PromptFileError);
    expect(() => parsePromptFile(text, 'p.md')).toThrow(message);
  });
});

describe('prompts in discover mode', () => {
  it('tell the model to reach the named tools through call_tool', async () => {
    const h = await startInProcess({ args: ['--mode', 'discover'] });
    try {
      const result = await h.client.getPrompt({ name: 'budget_review', arguments: { ad_account_id: USD_ACCOUNT, start_date: '2026-11-01', end_date: '2026-11-20' } });
      const text = (result.messages[0].content as { text: string }).text;
      expect(text).toMatch(/discover mode: call each tool named above through call_tool/);
    } finally {
      await h.close();
    }
  });
});
