// Every listed input schema fits the function-calling formats of OpenAI, Anthropic and Gemini: each provider's documented
// subset is written down here as data, with where it is said, and every listing and describe_tool answer is checked.
import { Client, InMemoryTransport } from '@modelcontextprotocol/client';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.js';
import { createLogger } from '../../src/core/logger.js';
import { type JsonSchema, describedInputSchema } from '../../src/tools/listing.js';
import { createStdioApp } from '../../src/transports/stdio.js';
import { USD_ACCOUNT, startInProcess } from '../helpers/harness.js';

/** A Whop key, so that the Whop tools are listed (where selected) and checked too. */
const ENV = { PINTEREST_API_BASE_URL: 'http://127.0.0.1:9/v5', WHOP_API_KEY: 'whop-portable-schemas-key' };

/** The listings a client can be given: tools/list of each mode, and what describe_tool answers for every tool. */
const LISTINGS: Record<string, string[]> = {
  default: [],
  'default,whop': ['--toolsets', 'default,whop'],
  all: ['--toolsets', 'all'],
  'read-only': ['--read-only', '--toolsets', 'all'],
  discover: ['--mode', 'discover'],
};

interface Listed {
  listing: string;
  tool: string;
  schema: JsonSchema;
}

interface Violation {
  listing: string;
  tool: string;
  path: string;
  rule: string;
}

/** Every schema node below `schema` (itself included) with its path: properties, items, variants, map values. */
function* nodes(schema: unknown, path = '$'): Generator<[JsonSchema, string]> {
  if (!schema || typeof schema !== 'object' || Array.isArray(schema)) return;
  const s = schema as JsonSchema;
  yield [s, path];
  for (const [key, value] of Object.entries((s.properties ?? {}) as Record<string, unknown>)) yield* nodes(value, `${path}.${key}`);
  if (Array.isArray(s.items)) for (const [i, item] of s.items.entries()) yield* nodes(item, `${path}[${i}]`);
  else yield* nodes(s.items, `${path}[]`);
  for (const key of ['anyOf', 'oneOf', 'allOf'] as const) for (const [i, v] of ((s[key] ?? []) as unknown[]).entries()) yield* nodes(v, `${path}.${key}[${i}]`);
  for (const key of ['additionalProperties', 'not', 'propertyNames'] as const) yield* nodes(s[key], `${path}.${key}`);
}

/** JSON Schema draft 2020-12, the dialect Anthropic names and OpenAI's `parameters` are read as. */
const draft2020 = new Ajv2020({ strict: false, validateFormats: false });
function metaSchemaErrors(schema: JsonSchema): string[] {
  return draft2020.validateSchema(schema) ? [] : (draft2020.errors ?? []).map((e) => `${e.instancePath || '$'} ${e.message}`);
}

/**
 * Gemini's FunctionDeclaration `parameters`: a Schema object, "a select subset of an OpenAPI 3.0 schema object".
 * MCP clients map tool schemas to `parameters` (not `parametersJsonSchema`), so this is the subset to meet.
 */
const GEMINI = {
  sources: [
    // Schema fields (v1beta): type ("Required. Data type."), format, title, description, nullable, enum ("Possible values
    // of the element of Type.STRING with enum format"), maxItems, minItems, properties, required, minProperties,
    // maxProperties, minLength, maxLength, pattern, example, anyOf, propertyOrdering, default, items, minimum, maximum.
    'https://ai.google.dev/api/caching#Schema',
    // Type: one value of STRING, NUMBER, INTEGER, BOOLEAN, ARRAY, OBJECT (a list of types is not a Type).
    'https://ai.google.dev/api/caching#Type',
    // format: "When using the Gemini Developer API (GoogleAIBackend), this must be either 'enum' or 'date-time',
    // otherwise requests will fail."; numbers: float, double; integers: int32, int64.
    'https://firebase.google.com/docs/reference/js/ai.schemashared',
    'https://ai.google.dev/api/python/google/ai/generativelanguage/Schema',
    // name: "Must start with a letter or an underscore. Must be a-z, A-Z, 0-9, or contain underscores, dots and dashes,
    // with a maximum length of 64"; "Parameter names must start with a letter or an underscore and must only contain
    // chars a-z, A-Z, 0-9, or underscores with a maximum length of 64."
    'https://cloud.google.com/vertex-ai/generative-ai/docs/reference/rest/v1beta1/FunctionDeclaration',
    // What a keyword outside the subset gets: `Invalid JSON payload received. Unknown name "const" at
    // 'tools[0].function_declarations[5].parameters.properties[8].value.any_of[2]': Cannot find field.`; a number in an
    // enum: `Invalid value at '...parameters.properties[2].value.enum[0]' (TYPE_STRING), 0`.
    'https://github.com/zed-industries/zed/issues/44875',
    'https://github.com/microsoft/azure-devops-mcp/issues/145',
    // pattern: assumed evaluated by RE2 (Google's engine), which has no lookaround ("(?=re) NOT SUPPORTED") and no
    // backreferences ("\1 NOT SUPPORTED").
    'https://github.com/google/re2/wiki/Syntax',
  ],
  keywords: new Set([
    'type', 'format', 'title', 'description', 'nullable', 'enum', 'maxItems', 'minItems', 'properties', 'required',
    'minProperties', 'maxProperties', 'minLength', 'maxLength', 'pattern', 'example', 'anyOf', 'propertyOrdering',
    'default', 'items', 'minimum', 'maximum',
  ]),
  types: new Set(['string', 'number', 'integer', 'boolean', 'array', 'object']),
  formats: { string: ['enum', 'date-time'], number: ['float', 'double'], integer: ['int32', 'int64'] } as Record<string, string[]>,
  toolName: /^[a-zA-Z_][a-zA-Z0-9_.:-]{0,63}$/,
  parameterName: /^[a-zA-Z_][a-zA-Z0-9_]{0,63}$/,
  patternLacks: /\(\?<?[=!]|\\[1-9]/,
};

function geminiRules(tool: string, schema: JsonSchema): [string, string][] {
  const found: [string, string][] = [];
  if (!GEMINI.toolName.test(tool)) found.push(['$', `tool name ${tool}`]);
  if (schema.type !== 'object') found.push(['$', 'parameters must be an OBJECT']);
  for (const name of Object.keys(schema.properties ?? {})) if (!GEMINI.parameterName.test(name)) found.push([`$.${name}`, 'parameter name']);
  for (const [s, path] of nodes(schema)) {
    for (const key of Object.keys(s)) if (!GEMINI.keywords.has(key)) found.push([path, `unknown field "${key}"`]);
    if (Array.isArray(s.type)) found.push([path, 'type is a list']);
    else if (s.type === undefined && !s.anyOf) found.push([path, 'no type']);
    else if (s.type !== undefined && !GEMINI.types.has(s.type)) found.push([path, `type ${s.type}`]);
    if (s.enum && (s.type !== 'string' || s.enum.some((v: unknown) => typeof v !== 'string'))) found.push([path, 'enum of a non-STRING']);
    if (s.format !== undefined && !(GEMINI.formats[s.type] ?? []).includes(s.format)) found.push([path, `format ${s.format} on ${s.type}`]);
    if (s.type === 'array' && !s.items) found.push([path, 'ARRAY without items']);
    if (s.properties && s.type !== 'object') found.push([path, 'properties on a non-OBJECT']);
    if (typeof s.pattern === 'string' && GEMINI.patternLacks.test(s.pattern)) found.push([path, 'pattern RE2 cannot read']);
  }
  return found;
}

/** Anthropic's tool `input_schema`: a JSON Schema (draft 2020-12) object with limits of its own at the top. */
const ANTHROPIC = {
  sources: [
    // name: "Must match the regex ^[a-zA-Z0-9_-]{1,64}$"; input_schema: "A JSON Schema object defining the expected
    // parameters for the tool" (its `type` must be "object").
    'https://docs.anthropic.com/en/docs/agents-and-tools/tool-use/implement-tool-use',
    // "tools.18.custom.input_schema: JSON schema is invalid. It must match JSON Schema draft 2020-12"
    'https://github.com/acomagu/vscode-as-mcp-server/issues/6',
    // "tools.106.custom.input_schema: input_schema does not support oneOf, allOf, or anyOf at the top level"
    'https://github.com/anthropics/claude-code/issues/5319',
    // "tools.14.custom.input_schema.properties: Property keys should match pattern '^[a-zA-Z0-9_.-]{1,64}$'"
    'https://github.com/anthropics/claude-code/issues/79418',
  ],
  toolName: /^[a-zA-Z0-9_-]{1,64}$/,
  propertyKey: /^[a-zA-Z0-9_.-]{1,64}$/,
  notAtTop: ['oneOf', 'allOf', 'anyOf'],
};

function anthropicRules(tool: string, schema: JsonSchema): [string, string][] {
  const found: [string, string][] = [];
  if (!ANTHROPIC.toolName.test(tool)) found.push(['$', `tool name ${tool}`]);
  if (schema.type !== 'object') found.push(['$', 'input_schema type must be "object"']);
  for (const key of ANTHROPIC.notAtTop) if (schema[key]) found.push(['$', `${key} at the top level`]);
  for (const name of Object.keys(schema.properties ?? {})) if (!ANTHROPIC.propertyKey.test(name)) found.push([`$.${name}`, 'property key']);
  for (const error of metaSchemaErrors(schema)) found.push(['$', `not draft 2020-12: ${error}`]);
  return found;
}

/** OpenAI function calling (not strict): `parameters` is a JSON Schema object; the API refuses a few shapes. */
const OPENAI = {
  sources: [
    // name: "Must be a-z, A-Z, 0-9, or contain underscores and dashes, with a maximum length of 64"; parameters: "The
    // parameters the functions accepts, described as a JSON Schema object".
    'https://platform.openai.com/docs/api-reference/chat/create#chat-create-tools',
    // "Invalid schema for function 'json': schema must be a JSON Schema of 'type: "object"', got 'type: "None"'."
    'https://github.com/browserbase/stagehand/issues/1159',
    // "Invalid schema for function 'xxx': In context=(), object schema missing properties."
    'https://github.com/spring-projects/spring-ai/issues/4776',
    // "Invalid schema for function 'kafka_admin_topics': In context=('properties', 'configs'), array schema missing items."
    'https://github.com/streamnative/streamnative-mcp-server/issues/26',
  ],
  toolName: /^[a-zA-Z0-9_-]{1,64}$/,
};

function openaiRules(tool: string, schema: JsonSchema): [string, string][] {
  const found: [string, string][] = [];
  if (!OPENAI.toolName.test(tool)) found.push(['$', `tool name ${tool}`]);
  if (schema.type !== 'object') found.push(['$', 'parameters must be of type "object"']);
  if (!schema.properties) found.push(['$', 'object schema missing properties']);
  for (const [s, path] of nodes(schema)) {
    const types = Array.isArray(s.type) ? s.type : [s.type];
    if (types.includes('array') && !s.items) found.push([path, 'array schema missing items']);
  }
  for (const error of metaSchemaErrors(schema)) found.push(['$', `not a JSON Schema: ${error}`]);
  return found;
}

/**
 * OpenAI Structured Outputs (`strict: true`): a smaller subset, and every object closed with all its properties
 * required. Our tools take optional arguments, so few can be strict; the listing must use nothing else that blocks it.
 */
const OPENAI_STRICT = {
  sources: [
    // "Supported types: String, Number, Boolean, Integer, Object, Array, Enum, anyOf"; "Supported properties": strings
    // pattern, format (date-time, time, date, duration, email, hostname, ipv4, ipv6, uuid); numbers multipleOf, maximum,
    // exclusiveMaximum, minimum, exclusiveMinimum; arrays minItems, maxItems. "Root objects must not be anyOf and must be
    // an object"; "All fields must be required"; "additionalProperties: false must always be set in objects"; "A schema
    // may have up to 5000 object properties total, with up to 10 levels of nesting"; "up to 1000 enum values across all
    // enum properties". Definitions ($defs, $ref) and const are supported.
    'https://platform.openai.com/docs/guides/structured-outputs#supported-schemas',
    'https://platform.openai.com/docs/guides/function-calling#strict-mode',
  ],
  keywords: new Set([
    'type', 'description', 'properties', 'required', 'additionalProperties', 'items', 'enum', 'const', 'anyOf', '$ref',
    '$defs', 'pattern', 'format', 'multipleOf', 'maximum', 'exclusiveMaximum', 'minimum', 'exclusiveMinimum', 'minItems',
    'maxItems',
  ]),
  formats: ['date-time', 'time', 'date', 'duration', 'email', 'hostname', 'ipv4', 'ipv6', 'uuid'],
  maxDepth: 10,
  maxProperties: 5000,
  maxEnumValues: 1000,
};

/** What keeps a listed schema from strict mode other than optional arguments (unsupported keywords and formats). */
function strictKeywordRules(schema: JsonSchema): [string, string][] {
  const found: [string, string][] = [];
  for (const [s, path] of nodes(schema)) {
    for (const key of Object.keys(s)) if (!OPENAI_STRICT.keywords.has(key)) found.push([path, `"${key}" is not supported in strict mode`]);
    if (s.format !== undefined && !OPENAI_STRICT.formats.includes(s.format)) found.push([path, `format ${s.format}`]);
  }
  return found;
}

/** The schema as strict mode would take it (every object closed), or why it cannot be. */
function strictBlockers(schema: JsonSchema): string[] {
  const blockers = strictKeywordRules(schema).map(([path, rule]) => `${path} ${rule}`);
  if (schema.anyOf || schema.type !== 'object') blockers.push('$ root must be an object');
  let properties = 0;
  let enumValues = 0;
  for (const [s, path] of nodes(schema)) {
    const depth = path.split(/\.|\[\]/).length - 1;
    if (depth > OPENAI_STRICT.maxDepth) blockers.push(`${path} nested deeper than ${OPENAI_STRICT.maxDepth}`);
    enumValues += s.enum?.length ?? 0;
    if (s.type !== 'object') continue;
    if (!s.properties) blockers.push(`${path} object without properties`);
    const keys = Object.keys(s.properties ?? {});
    properties += keys.length;
    const optional = keys.filter((k) => !(s.required ?? []).includes(k));
    if (optional.length) blockers.push(`${path} optional ${optional.join(', ')}`);
  }
  if (properties > OPENAI_STRICT.maxProperties) blockers.push(`${properties} properties`);
  if (enumValues > OPENAI_STRICT.maxEnumValues) blockers.push(`${enumValues} enum values`);
  return blockers;
}

const PROVIDERS = { gemini: geminiRules, anthropic: anthropicRules, openai: openaiRules } as const;

async function listingOf(args: string[]): Promise<{ name: string; inputSchema: JsonSchema }[]> {
  const app = await createStdioApp(loadConfig(args, ENV), createLogger('silent'));
  const [a, b] = InMemoryTransport.createLinkedPair();
  await app.createServer().connect(b);
  const client = new Client({ name: 'portable-schemas', version: '1' });
  await client.connect(a);
  try {
    return (await client.listTools()).tools.map((t) => ({ name: t.name, inputSchema: t.inputSchema as JsonSchema }));
  } finally {
    await client.close();
    await app.close();
  }
}

let listed: Listed[] = [];

beforeAll(async () => {
  for (const [listing, args] of Object.entries(LISTINGS)) {
    for (const tool of await listingOf(args)) listed.push({ listing, tool: tool.name, schema: tool.inputSchema });
  }
  // describe_tool's answer for every tool of every toolset (discover mode's way to a tool's arguments).
  const app = await createStdioApp(loadConfig(['--toolsets', 'all'], ENV), createLogger('silent'));
  try {
    for (const tool of app.tools) listed.push({ listing: 'describe_tool', tool: tool.name, schema: describedInputSchema(tool) });
  } finally {
    await app.close();
  }
});

afterAll(() => {
  listed = [];
});

describe.each(Object.keys(PROVIDERS) as (keyof typeof PROVIDERS)[])('%s function calling', (provider) => {
  it('accepts every listed input schema: default (with and without whop), all, read-only, discover and every describe_tool answer', () => {
    expect(new Set(listed.map((l) => l.listing))).toEqual(new Set([...Object.keys(LISTINGS), 'describe_tool']));
    const violations: Violation[] = listed.flatMap(({ listing, tool, schema }) =>
      PROVIDERS[provider](tool, schema).map(([path, rule]) => ({ listing, tool, path, rule })),
    );
    const perListing = Object.fromEntries(
      [...Object.keys(LISTINGS), 'describe_tool'].map((l) => {
        const here = violations.filter((v) => v.listing === l);
        const of = listed.filter((x) => x.listing === l).length;
        return [l, `${here.length} violations in ${new Set(here.map((v) => v.tool)).size} of ${of} tools`];
      }),
    );
    expect({ violations: violations.length, perListing, first: violations.slice(0, 15) }).toEqual({
      violations: 0,
      perListing: Object.fromEntries(Object.entries(perListing).map(([l, text]) => [l, text.replace(/^\d+ violations in \d+/, '0 violations in 0')])),
      first: [],
    });
  });
});

describe('OpenAI strict mode', () => {
  it('is blocked by nothing in the listings but optional arguments and free-form objects', () => {
    const violations = listed
      .filter((l) => l.listing !== 'describe_tool')
      .flatMap(({ listing, tool, schema }) => strictKeywordRules(schema).map(([path, rule]) => ({ listing, tool, path, rule })));
    expect({ violations: violations.length, first: violations.slice(0, 15) }).toEqual({ violations: 0, first: [] });
  });

  it('could be offered only where every argument is required: describe_tool and nothing else', () => {
    const strictable = [...new Set(listed.filter((l) => l.listing !== 'describe_tool' && strictBlockers(l.schema).length === 0).map((l) => l.tool))];
    expect(strictable).toEqual(['describe_tool']);
    // The check itself: an optional argument blocks strict mode, a closed all-required object passes.
    expect(strictBlockers({ type: 'object', properties: { a: { type: 'string' } } })).toEqual(['$ optional a']);
    expect(strictBlockers({ type: 'object', properties: { a: { type: 'string' } }, required: ['a'] })).toEqual([]);
  });
});

describe('what the listing says in other words', () => {
  it('is what describe_tool answers, and validation still refuses what it refused (nothing reaches the API)', async () => {
    const h = await startInProcess({ args: ['--toolsets', 'all'], env: { WHOP_API_KEY: ENV.WHOP_API_KEY } });
    try {
      for (const tool of h.app.tools.filter((t) => ['campaigns_create', 'ad_account_analytics', 'user_account_analytics_top_pins', 'create_asset_invites'].includes(t.name))) {
        const described = await h.call('describe_tool', { name: tool.name });
        expect((described.structuredContent as { inputSchema: JsonSchema }).inputSchema, tool.name).toEqual(describedInputSchema(tool));
      }
      const listed = Object.fromEntries((await h.client.listTools()).tools.map((t) => [t.name, t.inputSchema as JsonSchema]));
      // A window listed as an integer "one of 0, 1, 7, 14, 30, 60": other integers and strings are refused as before.
      expect(listed.ad_account_analytics.properties.click_window_days).toEqual({ type: 'integer', description: 'one of 0, 1, 7, 14, 30, 60' });
      const report = { ad_account_id: USD_ACCOUNT, start_date: '2025-01-01', end_date: '2025-01-07', columns: ['SPEND_IN_DOLLAR'], granularity: 'TOTAL' };
      for (const days of [2, '7']) {
        const refused = await h.call('ad_account_analytics', { ...report, click_window_days: days });
        expect(refused.isError, String(days)).toBe(true);
        expect(refused.text).toMatch(/click_window_days/);
      }
      // A single value listed as minimum = maximum; other values are refused.
      expect(listed.user_account_analytics_top_pins.properties.created_in_last_n_days).toEqual({ type: 'integer', maximum: 30, minimum: 30 });
      const top = await h.call('user_account_analytics_top_pins', { start_date: '2025-01-01', end_date: '2025-01-07', sort_by: 'IMPRESSION', created_in_last_n_days: 31 });
      expect(top.isError).toBe(true);
      // A date listed as a string "YYYY-MM-DD": other strings are refused.
      expect(listed.ad_account_analytics.properties.start_date).toEqual({ type: 'string', description: 'YYYY-MM-DD' });
      expect((await h.call('ad_account_analytics', { ...report, start_date: '01/01/2025' })).isError).toBe(true);
      expect(h.sent()).toHaveLength(0);
      // A money field is listed as a natural-money string with its help text; a number is still taken (and held).
      const budget = (listed.campaigns_create.properties.body as JsonSchema).items.properties.daily_spend_cap;
      expect(budget).toEqual({ type: 'string', description: expect.stringMatching(/^Amount in the account currency, e\.g\. "12\.50"/) });
      for (const amount of ['12.50', 12.5]) {
        const held = await h.call('campaigns_create', { ad_account_id: USD_ACCOUNT, body: [{ ad_account_id: USD_ACCOUNT, name: 'x', objective_type: 'AWARENESS', daily_spend_cap: amount }] });
        expect(held.isError, held.text).toBeFalsy();
        expect(held.structuredContent).toMatchObject({ status: 'approval_required', request: { body: [{ daily_spend_cap: 12_500_000 }] } });
      }
      expect(h.sent({ writesOnly: true })).toHaveLength(0);
    } finally {
      await h.close();
    }
  });
});

describe('the checks themselves', () => {
  it('refuse what each provider refuses (the shapes issue 31 found: type lists, number enums, const)', () => {
    const money = { type: 'object', properties: { budget: { type: ['number', 'string'] } } };
    const window = { type: 'object', properties: { click_window_days: { type: 'number', enum: [1, 7] } } };
    const constant = { type: 'object', properties: { days: { type: 'number', const: 30 } } };
    expect(geminiRules('t', money)).toEqual([['$.budget', 'type is a list']]);
    expect(geminiRules('t', window)).toEqual([['$.click_window_days', 'enum of a non-STRING']]);
    expect(geminiRules('t', constant)).toEqual([['$.days', 'unknown field "const"']]);
    expect(geminiRules('t', { type: 'object', properties: { username: { type: 'string', pattern: '(?!^\\d+$)^.+$' } } })).toEqual([['$.username', 'pattern RE2 cannot read']]);
    expect(anthropicRules('t', { anyOf: [{ type: 'object' }] })).toEqual([
      ['$', 'input_schema type must be "object"'],
      ['$', 'anyOf at the top level'],
    ]);
    expect(openaiRules('t', { type: 'object', properties: { ids: { type: 'array' } } })).toEqual([['$.ids', 'array schema missing items']]);
    expect(openaiRules('t', { type: 'object', properties: { a: { type: 'strin' } } })[0][1]).toMatch(/^not a JSON Schema/);
  });
});
