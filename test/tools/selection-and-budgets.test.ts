// Fitting in context: selection (toolsets, tools, read-only), discover mode, listing budgets, bounded results.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_SETS, BUDGETS, MODES, measureListing } from '../../bench/context-measure.js';
import { classify } from '../../src/apis/classification.js';
import { DEFAULT_TOOLSETS } from '../../src/apis/toolsets.js';
import { type Harness, MODEL_APPROVAL, USD_ACCOUNT, startInProcess } from '../helpers/harness.js';

async function listed(args: string[], env: Record<string, string> = {}): Promise<string[]> {
  const h = await startInProcess({ args, env });
  try {
    return (await h.client.listTools()).tools.map((t) => t.name);
  } finally {
    await h.close();
  }
}

describe('tool selection', () => {
  it('lists the default toolsets (under 100 tools) and describe_tool', async () => {
    const names = await listed([]);
    expect(names.length).toBeLessThan(100);
    expect(names).toEqual(expect.arrayContaining(['campaigns_create', 'ad_groups_update', 'ads_list', 'campaigns_analytics', 'describe_tool']));
    expect(names).not.toContain('boards_create');
    expect(DEFAULT_TOOLSETS).toContain('campaigns');
  });

  it('selects toolsets and single tools by flag and environment', async () => {
    const names = await listed(['--toolsets', 'boards', '--tools', 'pins_get']);
    expect(names.filter((n) => n !== 'describe_tool').sort()).toEqual(
      ['board_sections_create', 'board_sections_delete', 'board_sections_list', 'board_sections_list_pins', 'board_sections_update', 'boards_create', 'boards_delete', 'boards_get', 'boards_list', 'boards_list_pins', 'boards_update', 'pins_get'].sort(),
    );
    expect(await listed([], { PINTEREST_MCP_TOOLSETS: 'billing' })).toContain('billing_profiles_get');
  });

  it('read-only wins over every other selection, for listing and for calls by name', async () => {
    const h = await startInProcess({ args: ['--toolsets', 'all', '--tools', 'campaigns_create', '--read-only'] });
    try {
      const names = (await h.client.listTools()).tools.map((t) => t.name);
      expect(names).toContain('campaigns_list');
      expect(names).not.toContain('campaigns_create');
      expect(names.filter((n) => /_(create|update|delete)$/.test(n) && classify(n)?.class !== 'read')).toEqual([]);
      const refused = await h.call('campaigns_create', { ad_account_id: USD_ACCOUNT, body: [{ ad_account_id: USD_ACCOUNT, name: 'x', objective_type: 'AWARENESS', status: 'PAUSED' }] });
      expect(refused.isError).toBe(true);
      expect(refused.text).toMatch(/read-only/);
      expect(h.sent({ writesOnly: true })).toHaveLength(0);
    } finally {
      await h.close();
    }
  });

  it('refuses a tool outside the selection and says how to enable it', async () => {
    const h = await startInProcess();
    try {
      const result = await h.call('boards_list', {});
      expect(result.isError).toBe(true);
      // The fix keeps the default selection: following it does not drop the default toolsets.
      expect(result.text).toContain('Enable its toolset with --toolsets default,boards (or --tools boards_list).');
      expect(h.emulator.requests).toHaveLength(0);
    } finally {
      await h.close();
    }
  });

  it('rejects unknown toolsets at start-up', async () => {
    await expect(startInProcess({ args: ['--toolsets', 'nope'] })).rejects.toThrow(/unknown toolset "nope"/);
  });
});

describe('discover mode', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startInProcess({ args: [...MODEL_APPROVAL, '--mode', 'discover'] });
  });
  afterAll(() => h?.close());

  it('lists only the meta-tools', async () => {
    expect((await h.client.listTools()).tools.map((t) => t.name).sort()).toEqual(['call_tool', 'describe_tool', 'search_tools']);
  });

  it('finds, describes and calls a read', async () => {
    const found = await h.call('search_tools', { query: 'campaign list' });
    expect((found.structuredContent as { tools: { name: string }[] }).tools.map((t) => t.name)).toContain('campaigns_list');
    const described = await h.call('describe_tool', { name: 'campaigns_list' });
    expect((described.structuredContent as { inputSchema: { required: string[] } }).inputSchema.required).toContain('ad_account_id');
    const called = await h.call('call_tool', { name: 'campaigns_list', arguments: { ad_account_id: USD_ACCOUNT } });
    expect(called.isError, called.text).toBeFalsy();
    expect((called.structuredContent as { items: unknown[] }).items.length).toBeGreaterThan(0);
  });

  it('validates and guards calls exactly like direct tools', async () => {
    const bad = await h.call('call_tool', { name: 'campaigns_list', arguments: { ad_account_id: 'abc' } });
    expect(bad.isError).toBe(true);
    expect(bad.text).toMatch(/ad_account_id: .*pattern/);
    const args = { ad_account_id: USD_ACCOUNT, body: [{ id: '2680059592701', budget: '15' }] };
    const preview = await h.call('call_tool', { name: 'ad_groups_update', arguments: args });
    const token = (preview.structuredContent as { confirmation_token: string }).confirmation_token;
    expect((preview.structuredContent as { status: string }).status).toBe('confirmation_required');
    expect(h.sent({ writesOnly: true })).toHaveLength(0);
    const done = await h.call('call_tool', { name: 'ad_groups_update', arguments: { ...args, confirmation_token: token } });
    expect(done.isError, done.text).toBeFalsy();
    expect(h.sent({ writesOnly: true })).toHaveLength(1);
  });

  it('applies read-only to discover mode too', async () => {
    const ro = await startInProcess({ args: ['--mode', 'discover', '--read-only'] });
    try {
      const result = await ro.call('call_tool', { name: 'boards_create', arguments: { body: { name: 'x' } } });
      expect(result.isError).toBe(true);
      expect(result.text).toMatch(/read-only/);
      const found = await ro.call('search_tools', { query: 'create' });
      expect((found.structuredContent as { tools: { writes: boolean }[] }).tools.every((t) => !t.writes)).toBe(true);
    } finally {
      await ro.close();
    }
  });
});

describe('listing budgets (o200k tokens of tools/list)', () => {
  for (const [mode, args] of Object.entries(MODES)) {
    it(`${mode} stays within ${BUDGETS[mode as keyof typeof BUDGETS]} tokens`, async () => {
      const size = await measureListing(mode, args);
      expect(size.tokens).toBeLessThanOrEqual(BUDGETS[mode as keyof typeof BUDGETS]);
    });
  }

  it(`default stays within ${BUDGETS.default} tokens with every API on too: a key does not add its toolsets to the default`, async () => {
    const everyApi = await measureListing('default', MODES.default, API_SETS['every API on']);
    expect(everyApi.tools).toBe((await measureListing('default', MODES.default)).tools);
    expect(everyApi.tokens).toBeLessThanOrEqual(BUDGETS.default);
  });

  it(`every tool (--toolsets all, every API on) stays within ${BUDGETS.all} tokens`, async () => {
    const size = await measureListing('all', MODES.all, API_SETS['every API on']);
    expect(size.tools).toBeGreaterThan((await measureListing('all', MODES.all)).tools);
    expect(size.tokens).toBeLessThanOrEqual(BUDGETS.all);
  });

  it('validates the full schema even where the listing is compact, and points to describe_tool', async () => {
    const h = await startInProcess();
    try {
      const listing = (await h.client.listTools()).tools.find((t) => t.name === 'ad_groups_create')!;
      const item = (listing.inputSchema.properties!.body as { items: { properties: Record<string, { properties?: unknown }> } }).items;
      expect(item.properties.targeting_spec.properties).toBeUndefined(); // summarised in the listing
      const result = await h.call('ad_groups_create', {
        ad_account_id: USD_ACCOUNT,
        body: [{ name: 'x', campaign_id: '687195134101', billable_event: 'IMPRESSION', targeting_spec: { GENDER: ['robot'] } }],
      });
      expect(result.isError).toBe(true);
      expect(result.text).toMatch(/body\[0\]\.targeting_spec\.GENDER\[0\]/);
      expect(result.text).toMatch(/describe_tool/);
    } finally {
      await h.close();
    }
  });
});

describe('bounded results', () => {
  it('max_items follows bookmarks and returns the bookmark to continue', async () => {
    const h = await startInProcess();
    try {
      for (let i = 0; i < 7; i++) {
        await h.call('campaigns_create', { ad_account_id: USD_ACCOUNT, body: [{ ad_account_id: USD_ACCOUNT, name: `c${i}`, objective_type: 'AWARENESS', status: 'PAUSED' }] });
      }
      const before = h.sent({ operationId: 'campaigns/list' }).length;
      const result = await h.call('campaigns_list', { ad_account_id: USD_ACCOUNT, page_size: 2, max_items: 5 });
      const body = result.structuredContent as { items: { id: string }[]; bookmark: string | null };
      expect(body.items.length).toBeGreaterThanOrEqual(5);
      expect(body.items.length).toBeLessThan(7);
      expect(body.bookmark).toBeTruthy();
      expect(h.sent({ operationId: 'campaigns/list' }).length - before).toBe(3);
      const rest = await h.call('campaigns_list', { ad_account_id: USD_ACCOUNT, page_size: 100, bookmark: body.bookmark });
      const all = [...body.items, ...(rest.structuredContent as { items: { id: string }[] }).items].map((c) => c.id);
      expect(new Set(all).size).toBe(9); // 2 seeded + 7 created, none lost or repeated
    } finally {
      await h.close();
    }
  });

  describe('max_items against an API that misbehaves: bounded requests, no duplicates, the reason stated', () => {
    let h: Harness;
    beforeAll(async () => {
      h = await startInProcess();
    });
    afterAll(async () => {
      await h?.close();
    });
    const page = (items: string[], bookmark: string | null) => ({ status: 200, body: { items: items.map((id) => ({ id, name: `c${id}` })), bookmark } });
    /** Answers `pages` in order to campaigns/list (an emulator fault each), then lists with max_items. */
    async function collect(pages: ReturnType<typeof page>[], args: Record<string, unknown>) {
      h.emulator.reset();
      for (const p of pages) h.emulator.inject({ operationId: 'campaigns/list', ...p });
      const result = await h.call('campaigns_list', { ad_account_id: USD_ACCOUNT, ...args });
      expect(result.isError, result.text).toBeFalsy();
      const body = result.structuredContent as { items: { id: string }[]; bookmark: string | null; pagination: { requests: number; stopped: string } };
      return { body, text: result.text, requests: h.sent({ operationId: 'campaigns/list' }).length };
    }

    it('stops when a page adds nothing although the bookmark repeats (empty pages)', async () => {
      const { body, text, requests } = await collect(Array.from({ length: 50 }, () => page([], 'same')), { max_items: 10 });
      expect(requests).toBe(2);
      expect(body.pagination).toEqual({ requests: 2, stopped: 'no_new_items' });
      expect(body.bookmark).toBeNull();
      expect(text).toMatch(/added no new item/);
    });

    it('drops items a page repeats and stops when a page has only those', async () => {
      const { body, requests } = await collect(Array.from({ length: 50 }, () => page(['1'], 'b')), { max_items: 10, page_size: 1 });
      expect(body.items.map((i) => i.id)).toEqual(['1']);
      expect(requests).toBe(2);
      expect(body.pagination.stopped).toBe('no_new_items');
    });

    it('stops at a bookmark it has already followed', async () => {
      const { body, text, requests } = await collect([page(['1'], 'A'), page(['2'], 'B'), page(['3'], 'A'), page(['4'], 'C')], { max_items: 10, page_size: 1 });
      expect(requests).toBe(3);
      expect(body.items.map((i) => i.id)).toEqual(['1', '2', '3']);
      expect(body.pagination).toEqual({ requests: 3, stopped: 'repeated_bookmark' });
      expect(text).toMatch(/`bookmark` it had already given/);
    });

    it('never sends more than ceil(max_items / page_size) + 1 requests, even when every page is new but tiny', async () => {
      const endless = Array.from({ length: 60 }, (_, i) => page([String(i)], `b${i}`));
      const small = await collect(endless, { max_items: 10 }); // default page size 25: one page should have done
      expect(small.requests).toBe(2);
      expect(small.body.pagination).toEqual({ requests: 2, stopped: 'request_limit' });
      expect(small.body.bookmark).toBe('b1'); // the caller may still continue from here
      expect(small.text).toMatch(/Stopped after 2 requests/);
      const sized = await collect(endless, { max_items: 10, page_size: 3 });
      expect(sized.requests).toBe(5); // ceil(10 / 3) + 1
      expect(sized.body.pagination.stopped).toBe('request_limit');
      const enough = await collect(endless, { max_items: 10, page_size: 1 });
      expect(enough.requests).toBe(10);
      expect(enough.body.pagination).toEqual({ requests: 10, stopped: 'max_items' });
    });

    it('keeps the items read when a later page fails, and says which page failed', async () => {
      h.emulator.reset();
      h.emulator.inject({ operationId: 'campaigns/list', ...page(['1', '2'], 'next') });
      h.emulator.inject({ operationId: 'campaigns/list', status: 400, body: { code: 1, message: 'Invalid bookmark' } });
      const result = await h.call('campaigns_list', { ad_account_id: USD_ACCOUNT, max_items: 10, page_size: 2 });
      expect(result.isError, result.text).toBeFalsy();
      expect(result.structuredContent).toMatchObject({ items: [{ id: '1' }, { id: '2' }], bookmark: 'next', pagination: { requests: 2, stopped: 'page_failed' } });
      expect(result.text).toMatch(/Page 2 failed.*Invalid bookmark/);
    });
  });

  it('fields keeps only the named top-level fields of each item', async () => {
    const h = await startInProcess();
    try {
      const result = await h.call('campaigns_list', { ad_account_id: USD_ACCOUNT, fields: ['id', 'name'] });
      const items = (result.structuredContent as { items: Record<string, unknown>[] }).items;
      expect(items.length).toBeGreaterThan(0);
      for (const item of items) expect(Object.keys(item).sort()).toEqual(['id', 'name']);
    } finally {
      await h.close();
    }
  });

  it('cuts results over the size limit with a marker that says how to get the rest', async () => {
    const h = await startInProcess({ args: ['--max-result-chars', '1000'] });
    try {
      const result = await h.call('campaigns_list', { ad_account_id: USD_ACCOUNT });
      expect(result.text.length).toBeLessThan(1600);
      expect(result.text).toMatch(/\[TRUNCATED: .*fields.*bookmark/s);
      expect(result.structuredContent).toMatchObject({ truncated: true });
    } finally {
      await h.close();
    }
  });
});

describe('field notes', () => {
  it('explain time units, spending defaults, where budgets live, targeting keys and analytics columns, only where they apply', async () => {
    const h = await startInProcess();
    try {
      const tools = (await h.client.listTools()).tools;
      const item = (name: string) =>
        (tools.find((t) => t.name === name)!.inputSchema.properties!.body as { items: { properties: Record<string, { description?: string }> } }).items.properties;
      expect(item('campaigns_create').status.description).toMatch(/Default ACTIVE/);
      expect(item('campaigns_update').status.description).toBeUndefined();
      expect(item('ad_groups_create').start_time.description).toBe('Unix seconds');
      expect(item('ad_groups_create').budget.description).toMatch(/account currency.*Required unless the campaign uses CBO/);
      // Where the budget lives, and how a cap differs from it.
      expect(item('campaigns_create').daily_spend_cap.description).toMatch(/CBO: the daily budget; else an optional cap/);
      expect(tools.find((t) => t.name === 'campaigns_create')!.description).toMatch(/each ad group has its own budget/);
      // targeting_spec is summarised by what its keys mean, not only their names.
      expect(item('ad_groups_create').targeting_spec.description).toMatch(/LOCATION \(country or US DMA codes\).*GENDER/);
      // The ~175 analytics columns: a pointer with the common ones, not the enum.
      const columns = tools.find((t) => t.name === 'campaigns_analytics')!.inputSchema.properties!.columns as { description?: string; items: { enum?: unknown } };
      expect(columns.description).toMatch(/^e\.g\. SPEND_IN_MICRO_DOLLAR, PAID_IMPRESSION, CLICKTHROUGH_1.*all 175 in describe_tool$/);
      expect(columns.items.enum).toBeUndefined();
    } finally {
      await h.close();
    }
  });
});
