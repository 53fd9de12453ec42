// Output schemas: every read's structuredContent, a `fields` answer, restated amounts, held and sent writes and cut answers
// validate against the schema describe_tool gives (JSON Schema 2020-12, strict ajv), and a wrong shape does not.
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { WHOP_SEED, WHOP_TEST_KEY, type WhopEmulator, startWhopEmulator } from '../../fakes/whop/server.js';
import { SEED } from '../../fakes/pinterest/state.js';
import { type Emulator, startEmulator } from '../../fakes/pinterest/server.js';
import { documentedFieldsOf } from '../../src/calls/documented-fields.js';
import { OUTPUT_BRANCHES } from '../../src/calls/output-branches.js';
import { HELD_STATUSES } from '../../src/guard/answer-schema.js';
import { pinterestResponses } from '../../src/apis/pinterest/responses.generated.js';
import { ResponseSchemas } from '../../src/tools/response-schema.js';
import { type Harness, MODEL_APPROVAL, USD_ACCOUNT, startInProcess } from '../helpers/harness.js';
import { sample } from '../helpers/samples.js';

type App = Harness & { app: import('../../src/server/app.js').App };
type Schema = Record<string, any>;

// ajv-formats is CommonJS: its default export arrives wrapped under ESM.
const addFormats = ((addFormatsModule as unknown as { default?: typeof addFormatsModule }).default ?? addFormatsModule) as unknown as (ajv: Ajv2020) => void;

const compiled = new WeakMap<Schema, Map<string, ValidateFunction>>();

/** A strict 2020-12 validator with the date formats asserted, as a careful client would validate (compiled once). */
function validatorOf(schema: Schema, branch?: string): ValidateFunction {
  const byBranch = compiled.get(schema) ?? new Map<string, ValidateFunction>();
  compiled.set(schema, byBranch);
  let validate = byBranch.get(branch ?? '');
  if (!validate) {
    const ajv = new Ajv2020({ strict: true, allErrors: true });
    addFormats(ajv);
    validate = ajv.compile(branch ? { $ref: `#/$defs/${branch}`, $defs: schema.$defs } : schema);
    byBranch.set(branch ?? '', validate);
  }
  return validate;
}

/** The problems ajv finds in `value`, in one line, or undefined when it validates. */
function problems(validate: ValidateFunction, value: unknown): string | undefined {
  if (validate(value)) return undefined;
  return (validate.errors ?? []).slice(0, 4).map((e) => `${e.instancePath || '/'} ${e.message}`).join('; ');
}

/** Sample arguments for a Whop read: the seeded entities (a schema-built sample names none of them). */
const WHOP_READS: Record<string, Record<string, unknown>> = {
  whop_ad_campaigns_list: { first: 5 },
  whop_ad_campaigns_get: { id: WHOP_SEED.campaign },
  whop_ad_groups_list: { ad_campaign_id: WHOP_SEED.campaign },
  whop_ad_groups_get: { id: WHOP_SEED.adGroup },
  whop_ads_list: { ad_group_id: WHOP_SEED.adGroup },
  whop_ads_get: { id: WHOP_SEED.ad },
  whop_ad_reports_get: { from: '2026-11-01', to: '2026-11-07', ad_campaign_ids: [WHOP_SEED.campaign], breakdown: 'ad_group' },
  whop_audiences_list: { account_id: WHOP_SEED.account },
  whop_ad_groups_targeting_options: { platform: 'meta', query: 'a' },
  whop_ad_groups_estimate_reach: { body: { platform: 'meta', regions: { include: { countries: ['US', 'CA'] } } } },
};

/** Seeded entities of the fake Pinterest API, by the parameter names that take them, for schema-built samples. */
const PINTEREST_KNOWN: Record<string, unknown> = {
  ad_account_id: USD_ACCOUNT,
  campaign_id: SEED.campaigns.usdActive,
  ad_group_id: SEED.adGroups.usd,
  ad_id: SEED.ads.usd,
  ad_ids: [SEED.ads.usd],
  product_group_promotion_id: SEED.productGroupPromotions.usd,
  board_id: SEED.boards.spring,
  pin_id: SEED.pins.spring1,
  section_id: SEED.boardSections.springShoes,
};

/** Arguments a schema-built sample cannot know: what a rule in words asks for (ads_analytics: ad_ids). */
const PINTEREST_EXTRA: Record<string, Record<string, unknown>> = {
  ads_analytics: { ad_ids: [SEED.ads.usd] },
};

describe('output schemas from describe_tool', () => {
  let whop: WhopEmulator;
  let pinterest: Emulator;
  let h: App;
  const schemas = new Map<string, Schema>();

  /** The tool's output schema as describe_tool answers it. */
  async function outputSchema(name: string): Promise<Schema> {
    let schema = schemas.get(name);
    if (!schema) {
      const described = await h.call('describe_tool', { name });
      expect(described.isError, described.text.slice(0, 300)).toBeFalsy();
      schema = (described.structuredContent as { outputSchema: Schema }).outputSchema;
      schemas.set(name, schema);
    }
    return schema;
  }

  beforeAll(async () => {
    whop = await startWhopEmulator();
    pinterest = await startEmulator({ reportPollsUntilReady: 0 });
    // Wide enough that describe_tool answers whole even for the tools with the largest input schemas (catalog items).
    h = await startInProcess({ emulator: pinterest, args: [...MODEL_APPROVAL, '--toolsets', 'all', '--max-result-chars', '1000000'], env: { WHOP_API_BASE_URL: whop.url, WHOP_API_KEY: WHOP_TEST_KEY } });
  });
  afterAll(async () => {
    await h?.close();
    await whop?.close();
    await pinterest?.close();
  });

  it('leaves tools/list as it was: no tool lists an output schema (describe_tool has them)', async () => {
    const { tools } = await h.client.listTools();
    expect(tools.length).toBeGreaterThan(250);
    expect(tools.filter((t) => t.outputSchema !== undefined).map((t) => t.name)).toEqual([]);
  });

  it('validates the answer of every read tool of both APIs, called against the fake APIs', async () => {
    const reads = h.app.tools.filter((t) => !t.writes);
    expect(reads.filter((t) => t.api.id === 'whop').map((t) => t.name).sort()).toEqual(Object.keys(WHOP_READS).sort());
    const failures: string[] = [];
    for (const tool of reads) {
      let args = WHOP_READS[tool.name];
      if (!args) {
        const input = z.toJSONSchema(tool.input, { io: 'input', target: 'draft-7', unrepresentable: 'any' }) as Schema;
        args = { ...(sample(input, input, { known: PINTEREST_KNOWN }) as Record<string, unknown>), ...PINTEREST_EXTRA[tool.name] };
      }
      const result = await h.call(tool.name, args);
      if (result.isError) {
        failures.push(`${tool.name}: the call failed: ${result.text.slice(0, 200)}`);
        continue;
      }
      const schema = await outputSchema(tool.name);
      // A whole answer, and it is the API's answer (not only a cut one) that fits.
      expect((result.structuredContent as { truncated?: boolean }).truncated, tool.name).toBeUndefined();
      const wrong = problems(validatorOf(schema, OUTPUT_BRANCHES.answer), result.structuredContent);
      if (wrong) failures.push(`${tool.name}: ${wrong}`);
      else if (problems(validatorOf(schema), result.structuredContent)) failures.push(`${tool.name}: fits its answer branch but not the whole schema`);
    }
    expect(failures).toEqual([]);
    expect(reads.length).toBeGreaterThan(100);
  });

  it('validates a `fields` answer, whose items lack a field the description requires', async () => {
    const result = await h.call('ad_accounts_list', { fields: ['name'] });
    expect(result.isError, result.text).toBeFalsy();
    const items = (result.structuredContent as { items: Record<string, unknown>[] }).items;
    expect(items.length).toBeGreaterThan(0);
    for (const item of items) expect(Object.keys(item)).toEqual(['name']);
    const schema = await outputSchema('ad_accounts_list');
    expect(problems(validatorOf(schema), result.structuredContent)).toBeUndefined();
    // The description requires each account's id, which `fields` left out: the item schema requires nothing.
    expect(new ResponseSchemas(pinterestResponses).flatten({ $ref: 'AdAccount' }).required).toContain('id');
    expect(schema.$defs.answer.properties.items.items.properties.id).toEqual({ type: 'string' });
    expect(schema.$defs.answer.properties.items.items.required).toBeUndefined();
  });

  it('validates a list followed with max_items, with the pagination it adds', async () => {
    const result = await h.call('campaigns_list', { ad_account_id: USD_ACCOUNT, page_size: 1, max_items: 2 });
    expect(result.isError, result.text).toBeFalsy();
    expect(result.structuredContent).toMatchObject({ pagination: { requests: 2 } });
    const schema = await outputSchema('campaigns_list');
    expect(problems(validatorOf(schema, OUTPUT_BRANCHES.answer), result.structuredContent)).toBeUndefined();
    const wrong = { ...result.structuredContent, pagination: { requests: 2, stopped: 'tired' } };
    expect(problems(validatorOf(schema, OUTPUT_BRANCHES.answer), wrong)).toMatch(/pagination\/stopped must be equal to one of the allowed values/);
  });

  it('validates analytics rows with their micro-currency columns restated beside them', async () => {
    const result = await h.call('campaigns_analytics', {
      ad_account_id: USD_ACCOUNT,
      campaign_ids: [SEED.campaigns.usdActive],
      start_date: '2026-11-01',
      end_date: '2026-11-07',
      columns: ['SPEND_IN_MICRO_DOLLAR', 'IMPRESSION_1'],
      granularity: 'DAY',
    });
    expect(result.isError, result.text).toBeFalsy();
    const rows = (result.structuredContent as { items: Record<string, unknown>[] }).items;
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) expect(row.SPEND).toBe(`${(Number(row.SPEND_IN_MICRO_DOLLAR) / 1e6).toFixed(2)} USD`);
    const schema = await outputSchema('campaigns_analytics');
    expect(schema.$defs.answer.properties.items.items.description).toMatch(/X_IN_MICRO_DOLLAR column comes with X beside it/);
    expect(problems(validatorOf(schema, OUTPUT_BRANCHES.answer), result.structuredContent)).toBeUndefined();
  });

  it('validates a held write against its held schema, and the sent write against its answer', async () => {
    const args = { ad_account_id: USD_ACCOUNT, body: [{ ad_account_id: USD_ACCOUNT, name: 'Output schema', status: 'ACTIVE', daily_spend_cap: '25', objective_type: 'AWARENESS' }] };
    const writesBefore = h.sent({ writesOnly: true }).length;
    const createsBefore = h.sent({ operationId: 'campaigns/create' }).length;
    const held = await h.call('campaigns_create', args);
    expect(held.isError, held.text).toBeFalsy();
    expect(held.structuredContent).toMatchObject({ status: 'confirmation_required' });
    expect(h.sent({ writesOnly: true })).toHaveLength(writesBefore);
    const schema = await outputSchema('campaigns_create');
    expect(problems(validatorOf(schema, OUTPUT_BRANCHES.held), held.structuredContent)).toBeUndefined();
    expect(problems(validatorOf(schema), held.structuredContent)).toBeUndefined();
    const dryRun = await h.call('campaigns_create', { ...args, dry_run: true });
    expect(problems(validatorOf(schema, OUTPUT_BRANCHES.held), dryRun.structuredContent)).toBeUndefined();

    const token = (held.structuredContent as { confirmation_token: string }).confirmation_token;
    const sent = await h.call('campaigns_create', { ...args, confirmation_token: token });
    expect(sent.isError, sent.text).toBeFalsy();
    expect(h.sent({ operationId: 'campaigns/create' }).slice(createsBefore)).toHaveLength(1);
    expect(problems(validatorOf(schema, OUTPUT_BRANCHES.answer), sent.structuredContent)).toBeUndefined();
    // A held answer is not mistaken for the API's: its branch is the held one, and the held schema knows every status.
    expect(problems(validatorOf(schema, OUTPUT_BRANCHES.held), sent.structuredContent)).toMatch(/required property 'status'/);
    expect(schema.$defs[OUTPUT_BRANCHES.held].properties.status.enum).toEqual(Object.keys(HELD_STATUSES));
  });

  it('describes the report workflow and describe_tool itself, and their answers validate', async () => {
    const report = await h.call('analytics_run_report', {
      ad_account_id: USD_ACCOUNT,
      body: { level: 'CAMPAIGN', columns: ['SPEND_IN_MICRO_DOLLAR', 'IMPRESSION_1'], start_date: '2026-11-01', end_date: '2026-11-10', granularity: 'TOTAL', report_format: 'JSON' },
    });
    expect(report.isError, report.text).toBeFalsy();
    const workflow = await outputSchema('analytics_run_report');
    expect(problems(validatorOf(workflow, OUTPUT_BRANCHES.answer), report.structuredContent)).toBeUndefined();
    const own = await outputSchema('describe_tool');
    const described = await h.call('describe_tool', { name: 'campaigns_list' });
    expect(problems(validatorOf(own, OUTPUT_BRANCHES.answer), described.structuredContent)).toBeUndefined();
    expect(problems(validatorOf(own, OUTPUT_BRANCHES.answer), { name: 'campaigns_list' })).toMatch(/inputSchema/);
  });

  describe('`fields` is checked against the output schema before anything is sent', () => {
    const adGroup = { ad_account_id: USD_ACCOUNT, ad_group_id: SEED.adGroups.usd };
    const analytics = { ad_account_id: USD_ACCOUNT, campaign_ids: [SEED.campaigns.usdActive], start_date: '2026-11-01', end_date: '2026-11-03', granularity: 'DAY' };

    it('takes exactly the names describe_tool lists for the items (analytics rows: their columns too)', async () => {
      const checked: string[] = [];
      for (const tool of h.app.tools.filter((t) => !t.writes)) {
        const fields = await documentedFieldsOf(tool);
        if (fields.kind !== 'documented') continue;
        const schema = await outputSchema(tool.name);
        const answer = schema.$defs[OUTPUT_BRANCHES.answer];
        const level = fields.ofItems ? answer.properties[tool.api.paging.itemsKey].items : answer;
        // The properties a reader of the schema finds at that level: its own and its variants', through `$defs`.
        const listed = new Set<string>();
        const visit = (node: Schema, seen: Set<string>): void => {
          const name = node.$ref?.replace('#/$defs/', '');
          if (name) return void (seen.has(name) || visit(schema.$defs[name], new Set([...seen, name])));
          for (const key of Object.keys(node.properties ?? {})) listed.add(key);
          for (const variant of [...(node.anyOf ?? []), ...(node.allOf ?? [])]) visit(variant, seen);
        };
        visit(level, new Set());
        const columns = tool.op.parameters.find((p) => p.name === 'columns')?.schema.items?.enum ?? [];
        const unlisted = [...fields.keys].filter((key) => !listed.has(key) && !columns.includes(key));
        expect(unlisted, tool.name).toEqual([]);
        expect([...listed].filter((key) => !fields.keys.has(key)), tool.name).toEqual([]);
        checked.push(tool.name);
      }
      expect(checked.length).toBeGreaterThan(120);
      expect(checked).toEqual(expect.arrayContaining(['ad_groups_get', 'campaigns_list', 'campaigns_analytics', 'whop_ad_campaigns_list']));
    });

    it('refuses a typo before sending, with the closest documented names and where to see them all', async () => {
      const before = h.sent({ operationId: 'ad_groups/list' }).length;
      const typo = await h.call('ad_groups_list', { ad_account_id: USD_ACCOUNT, fields: ['id', 'nmae', 'budgt', 'constructor'] });
      expect(typo.isError).toBe(true);
      expect(typo.text.split('\n')).toEqual([
        'Invalid arguments for ad_groups_list; nothing was sent.',
        `- fields[1]: "nmae" is not one of the fields of this tool's items; closest: name`,
        `- fields[2]: "budgt" is not one of the fields of this tool's items; closest: budget`,
        `- fields[3]: "constructor" is not one of the fields of this tool's items`,
        'describe_tool {"name":"ad_groups_list"} lists them all in its outputSchema.',
      ]);
      expect(typo.structuredContent).toEqual({ error: 'unknown_fields', fields: ['nmae', 'budgt', 'constructor'] });
      expect(h.sent({ operationId: 'ad_groups/list' })).toHaveLength(before);
      // An analytics column misspelt, and a Whop field: refused the same way, and neither fake API heard of them.
      const rowsBefore = h.sent({ operationId: 'campaigns/analytics' }).length;
      const column = await h.call('campaigns_analytics', { ...analytics, columns: ['SPEND_IN_MICRO_DOLLAR'], fields: ['DATE', 'SPEND_IN_MICRO_DOLAR'] });
      expect(column.text).toMatch(/^- fields\[1\]: "SPEND_IN_MICRO_DOLAR" is not one of the fields of this tool's items; closest: SPEND_IN_MICRO_DOLLAR\b/m);
      expect(h.sent({ operationId: 'campaigns/analytics' })).toHaveLength(rowsBefore);
      const whopBefore = whop.requests.length;
      const whopTypo = await h.call('whop_ad_campaigns_list', { first: 2, fields: ['id', 'titel'] });
      expect(whopTypo.text).toMatch(/^- fields\[1\]: "titel" is not one of the fields of this tool's items; closest: title\b/m);
      expect(whop.requests).toHaveLength(whopBefore);
    });

    it('takes money fields by their natural names, and analytics columns by theirs', async () => {
      const before = h.sent({ operationId: 'ad_groups/get' }).length;
      const natural = await h.call('ad_groups_get', { ...adGroup, fields: ['id', 'budget', 'bid'] });
      expect(natural.isError, natural.text).toBeFalsy();
      expect(natural.structuredContent).toEqual({ id: SEED.adGroups.usd, budget_in_micro_currency: 10_000_000, bid_in_micro_currency: 1_500_000 });
      expect(h.sent({ operationId: 'ad_groups/get' })).toHaveLength(before + 1);
      const rows = await h.call('campaigns_analytics', { ...analytics, columns: ['SPEND_IN_MICRO_DOLLAR', 'IMPRESSION_1'], fields: ['DATE', 'SPEND'] });
      expect(rows.isError, rows.text).toBeFalsy();
      const items = (rows.structuredContent as { items: Record<string, unknown>[] }).items;
      expect(items.length).toBeGreaterThan(0);
      for (const row of items) expect(Object.keys(row).sort()).toEqual(['DATE', 'SPEND', 'SPEND_IN_MICRO_DOLLAR']);
      expect(problems(validatorOf(await outputSchema('campaigns_analytics'), OUTPUT_BRANCHES.answer), rows.structuredContent)).toBeUndefined();
    });

    it('takes a documented field the answer lacks, saying it is not in this answer', async () => {
      const before = h.sent({ operationId: 'ad_groups/get' }).length;
      // The fake's ad group has no bid_multiplier; the description documents it.
      const absent = await h.call('ad_groups_get', { ...adGroup, fields: ['id', 'bid_multiplier'] });
      expect(absent.isError, absent.text).toBeFalsy();
      expect(absent.structuredContent).toEqual({ id: SEED.adGroups.usd });
      expect(absent.text).toMatch(/\nfields: "bid_multiplier" is documented but not in this answer\.$/);
      expect(h.sent({ operationId: 'ad_groups/get' })).toHaveLength(before + 1);
      // An analytics column the call did not ask for: documented, so taken, and the note says why it is missing.
      const column = await h.call('campaigns_analytics', { ...analytics, columns: ['SPEND_IN_MICRO_DOLLAR'], fields: ['DATE', 'IMPRESSION_1'] });
      expect(column.isError, column.text).toBeFalsy();
      expect(column.text).toMatch(/fields: "IMPRESSION_1" is documented but not in this answer \(a row has the columns that `columns` asks for\)/);
      // Many such names: the note names ten and counts the rest.
      const unasked = ['IMPRESSION_1', 'IMPRESSION_2', 'CLICKTHROUGH_1', 'CLICKTHROUGH_2', 'CTR', 'ECTR', 'CPC_IN_MICRO_DOLLAR', 'CPM_IN_MICRO_DOLLAR', 'TOTAL_ENGAGEMENT', 'PAID_IMPRESSION', 'SPEND_IN_DOLLAR', 'TOTAL_CLICKTHROUGH'];
      const many = await h.call('campaigns_analytics', { ...analytics, columns: ['SPEND_IN_MICRO_DOLLAR'], fields: ['DATE', ...unasked] });
      expect(many.isError, many.text).toBeFalsy();
      expect(many.text).toContain(`fields: ${unasked.slice(0, 10).map((name) => `"${name}"`).join(', ')} and 2 more are documented but not in this answer`);
    });

    it('takes any name where the description names no fields (a free-form answer), and sends the read', async () => {
      const tool = h.app.tools.find((t) => t.name === 'user_account_analytics')!;
      expect(await documentedFieldsOf(tool)).toEqual({ kind: 'free', ofItems: false });
      const before = h.sent({ operationId: 'user_account/analytics' }).length;
      const free = await h.call('user_account_analytics', { start_date: '2026-11-01', end_date: '2026-11-07', fields: ['anything_at_all'] });
      expect(free.isError, free.text).toBeFalsy();
      expect(free.structuredContent).toEqual({});
      expect(free.text).toMatch(/fields: "anything_at_all" matched no field of this answer; the description names no fields here, so any name is taken/);
      expect(h.sent({ operationId: 'user_account/analytics' })).toHaveLength(before + 1);
    });

    it('checks after the answer only where the description documents none', async () => {
      const tool = h.app.tools.find((t) => t.name === 'lead_form_questions_get')!;
      expect(await documentedFieldsOf(tool)).toEqual({ kind: 'undocumented' });
      const before = h.sent({ operationId: 'lead_form_questions/get' }).length;
      const after = await h.call('lead_form_questions_get', { fields: ['no_such_field'] });
      expect(h.sent({ operationId: 'lead_form_questions/get' })).toHaveLength(before + 1);
      expect(after.isError).toBe(true);
      expect(after.structuredContent).toEqual({ error: 'unknown_fields', fields: ['no_such_field'] });
    });
  });

  it('rejects a wrong shape (the checks above can fail)', async () => {
    const account = await outputSchema('ad_accounts_get');
    expect(problems(validatorOf(account), { id: USD_ACCOUNT, currency: 'USD' })).toBeUndefined();
    expect(problems(validatorOf(account), { id: 549755885175 })).toMatch(/must be string/);
    const list = await outputSchema('campaigns_list');
    expect(problems(validatorOf(list), { items: 'not a list' })).toMatch(/must be array/);
    expect(problems(validatorOf(list), { items: [{ id: 1 }] })).toBeDefined();
    const held = await outputSchema('campaigns_create');
    expect(problems(validatorOf(held, OUTPUT_BRANCHES.held), { status: 'confirmation_required', request: {}, changes: [] })).toMatch(/confirmation_token/);
    expect(problems(validatorOf(held, OUTPUT_BRANCHES.held), { status: 'sent_anyway' })).toBeDefined();
    // A cut answer fits only as one: `truncated` with its size.
    expect(problems(validatorOf(list), { truncated: true, characters: 'many' })).toBeDefined();
  });
});

it('validates an answer cut for size as a truncated answer', async () => {
  const h = await startInProcess({ args: ['--max-result-chars', '1000'] });
  try {
    const result = await h.call('campaigns_list', { ad_account_id: USD_ACCOUNT });
    expect(result.isError, result.text).toBeFalsy();
    expect(result.structuredContent).toMatchObject({ truncated: true });
    const described = await h.call('describe_tool', { name: 'campaigns_list' });
    // describe_tool's own answer is longer than 1,000 characters too: a wider server describes the same schema.
    const wide = await startInProcess({ emulator: h.emulator });
    try {
      const schema = ((await wide.call('describe_tool', { name: 'campaigns_list' })).structuredContent as { outputSchema: Schema }).outputSchema;
      expect(described.structuredContent).toMatchObject({ truncated: true });
      expect(problems(validatorOf(schema, OUTPUT_BRANCHES.answer), result.structuredContent)).toBeDefined();
      expect(problems(validatorOf(schema, OUTPUT_BRANCHES.truncated), result.structuredContent)).toBeUndefined();
      expect(problems(validatorOf(schema), result.structuredContent)).toBeUndefined();
    } finally {
      await wide.close();
    }
  } finally {
    await h.close();
  }
});

it('describes the discover tools, and what search_tools and call_tool answer validates', async () => {
  const h = await startInProcess({ args: ['--mode', 'discover', '--max-result-chars', '1000000'] });
  try {
    const schemaOf = async (name: string) => ((await h.call('describe_tool', { name })).structuredContent as { outputSchema: Schema }).outputSchema;
    for (const query of [{}, { query: 'campaign list' }]) {
      const found = await h.call('search_tools', query);
      expect(found.isError, found.text).toBeFalsy();
      expect(problems(validatorOf(await schemaOf('search_tools'), OUTPUT_BRANCHES.answer), found.structuredContent)).toBeUndefined();
    }
    // call_tool answers as the tool it calls: that tool's schema describes it.
    const called = await h.call('call_tool', { name: 'campaigns_list', arguments: { ad_account_id: USD_ACCOUNT } });
    expect(called.isError, called.text).toBeFalsy();
    expect((await schemaOf('call_tool')).description).toMatch(/describe_tool of that tool/);
    expect(problems(validatorOf(await schemaOf('campaigns_list'), OUTPUT_BRANCHES.answer), called.structuredContent)).toBeUndefined();
  } finally {
    await h.close();
  }
});
