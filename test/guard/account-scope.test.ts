// --ad-accounts covers every field that names an ad account: the fields are data checked against the description, and calls are refused before anything is sent.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_SPEC_PATH } from '../../scripts/catalog-generator.js';
import { pinterestApi, toolName } from '../../src/apis/index.js';
import { ACCOUNT_FIELDS, NOT_ACCOUNTS } from '../../src/apis/pinterest/account-fields.js';
import { WRITE_CLASSES } from '../../src/apis/classification.js';
import { type Harness, JPY_ACCOUNT, MODEL_APPROVAL, USD_ACCOUNT, startInProcess } from '../helpers/harness.js';

type Json = Record<string, any>;

/** A key an operation's call can carry: a parameter, a body property at any depth, or a map (its keys are data). */
interface Key {
  key: string;
  /** Where: `query:ad_account_id`, `body.accesses[].asset_id`. */
  at: string;
  /** The key holds ids: a string or number that is not an enum, a list of them, or a map (ids as its keys). */
  idLike: boolean;
  map: boolean;
  /** Its own description and its items' (the raw description only; the catalog carries no prose). */
  text: string;
}

/** Every key of one operation, given how to resolve a `$ref` (the catalog's `Name`, the description's `#/components/...`). */
function keysOf(parameters: readonly Json[], body: Json | undefined, deref: (ref: string) => Json): Key[] {
  const found: Key[] = [];
  const flat = (schema: Json | undefined, seen: Set<string>): Json | undefined => {
    if (!schema?.$ref) return schema;
    if (seen.has(schema.$ref)) return undefined;
    seen.add(schema.$ref);
    return flat(deref(schema.$ref), seen);
  };
  const variants = (schema: Json): Json[] => [...(schema.allOf ?? []), ...(schema.oneOf ?? []), ...(schema.anyOf ?? [])];
  const scalarId = (schema: Json | undefined, seen: Set<string>): boolean => {
    const s = flat(schema, new Set(seen));
    if (!s) return false;
    if (variants(s).length) return variants(s).some((v) => scalarId(v, seen));
    return (s.type === 'string' || s.type === 'integer' || s.type === 'number') && !s.enum;
  };
  const record = (key: string, at: string, schema: Json | undefined, seen: Set<string>): void => {
    const s = flat(schema, new Set(seen));
    const items = s?.type === 'array' ? flat(s.items, new Set(seen)) : undefined;
    const map = typeof s?.additionalProperties === 'object';
    const idLike = map || scalarId(s, seen) || (s?.type === 'array' && scalarId(s.items, seen));
    found.push({ key, at, idLike, map, text: [schema?.description, s?.description, items?.description].filter(Boolean).join(' ') });
  };
  const walk = (schema: Json | undefined, at: string, seen: Set<string>): void => {
    if (!schema) return;
    if (schema.$ref) {
      if (seen.has(schema.$ref)) return;
      return walk(deref(schema.$ref), at, new Set([...seen, schema.$ref]));
    }
    for (const part of variants(schema)) walk(part, at, seen);
    if (schema.items) walk(schema.items, `${at}[]`, seen);
    if (typeof schema.additionalProperties === 'object') walk(schema.additionalProperties, `${at}{}`, seen);
    for (const [key, prop] of Object.entries<Json>(schema.properties ?? {})) {
      if (prop.readOnly) continue;
      record(key, `${at}.${key}`, prop, seen);
      walk(prop, `${at}.${key}`, seen);
    }
  };
  for (const p of parameters) record(p.name, `${p.in}:${p.name}`, { ...p.schema, description: p.description }, new Set());
  walk(body, 'body', new Set());
  return found;
}

/** Names that speak of ad accounts, advertisers or business assets (which ad accounts are). */
const ACCOUNT_NAME = /(^|_)(ad_?)?(accounts?|advertisers?|assets?)(_|$)/i;
/** Descriptions that speak of them. */
const ACCOUNT_TEXT = /\bad[ _-]?accounts?\b|\badvertisers?\b|\basset ids?\b/i;

const operations = pinterestApi.catalog.operations.filter((op) => !pinterestApi.excluded[op.id]);
const catalogKeys = (op: (typeof operations)[number]) => keysOf(op.parameters, op.body?.schema, (ref) => pinterestApi.catalog.schemas[ref]);

/** Keys that look like they name an ad account but are in neither table. */
function unlisted(keys: readonly Key[], looks: (k: Key) => boolean): string[] {
  return [...new Set(keys.filter((k) => k.idLike && looks(k) && !(k.key in ACCOUNT_FIELDS) && !(k.key in NOT_ACCOUNTS)).map((k) => `${k.key} (${k.at})`))].sort();
}

describe('the fields that name ad accounts are data, complete against the description', () => {
  it('lists every key whose name speaks of ad accounts, advertisers or assets, as a scope field or as not an account', () => {
    const keys = operations.flatMap(catalogKeys);
    expect(unlisted(keys, (k) => ACCOUNT_NAME.test(k.key)), 'add them to ACCOUNT_FIELDS or NOT_ACCOUNTS in src/apis/pinterest/account-fields.ts').toEqual([]);
  });

  const specPath = resolve(DEFAULT_SPEC_PATH);
  it('lists every property and parameter whose description speaks of ad accounts or advertisers', () => {
    const spec = JSON.parse(readFileSync(specPath, 'utf8'));
    const deref = (ref: string): Json => ref.replace(/^#\//, '').split('/').reduce((node: Json, part) => node[part], spec);
    const keys: Key[] = [];
    for (const item of Object.values<Json>(spec.paths)) {
      for (const [method, op] of Object.entries<Json>(item)) {
        if (!op?.operationId || method === 'parameters' || pinterestApi.excluded[op.operationId]) continue;
        const parameters = [...(item.parameters ?? []), ...(op.parameters ?? [])].map((p: Json) => (p.$ref ? deref(p.$ref) : p));
        const content = op.requestBody?.$ref ? deref(op.requestBody.$ref).content : op.requestBody?.content;
        keys.push(...keysOf(parameters, content ? (Object.values<Json>(content)[0]?.schema ?? undefined) : undefined, deref));
      }
    }
    expect(keys.length).toBeGreaterThan(1000);
    const looks = (k: Key) => k.idLike && (ACCOUNT_TEXT.test(k.text) || ACCOUNT_NAME.test(k.key));
    expect(unlisted(keys, looks), 'add them to ACCOUNT_FIELDS or NOT_ACCOUNTS in src/apis/pinterest/account-fields.ts').toEqual([]);
    // Nothing is listed that the checks would not ask about.
    const asked = new Set(keys.filter(looks).map((k) => k.key));
    expect(Object.keys(NOT_ACCOUNTS).filter((k) => !asked.has(k))).toEqual([]);
  });

  it('has no stale entries, and maps only where the API has maps', () => {
    const keys = operations.flatMap(catalogKeys);
    const seen = new Set(keys.map((k) => k.key));
    expect([...Object.keys(ACCOUNT_FIELDS), ...Object.keys(NOT_ACCOUNTS)].filter((k) => !seen.has(k))).toEqual([]);
    expect(Object.keys(ACCOUNT_FIELDS).filter((k) => k in NOT_ACCOUNTS)).toEqual([]);
    for (const k of keys.filter((key) => key.key in ACCOUNT_FIELDS)) {
      expect(k.map, `${k.key} at ${k.at}`).toBe(ACCOUNT_FIELDS[k.key].holds === 'keys');
      expect(k.idLike, `${k.key} at ${k.at}`).toBe(true);
    }
  });

  it('marks every Pinterest write that has no field naming an ad account: it touches none, or reaches some unnamed', () => {
    const problems: string[] = [];
    for (const op of operations) {
      const name = toolName(pinterestApi, op);
      const c = WRITE_CLASSES[name];
      if (op.method === 'GET' || c?.class === 'read') continue;
      const names = catalogKeys(op).some((k) => k.key in ACCOUNT_FIELDS);
      if (!names && !c?.account) problems.push(`${name}: names no ad account and is not marked account: { none } or { unnamed }`);
      if (names && c?.account && 'unnamed' in c.account) problems.push(`${name}: has a field naming an ad account, so it needs no unnamed mark`);
      if (c?.account && op.parameters.some((p) => p.in === 'path' && p.name === 'ad_account_id')) problems.push(`${name}: always names an ad account, so it needs no mark`);
    }
    expect(problems).toEqual([]);
    const marked = Object.entries(WRITE_CLASSES).filter(([, c]) => c.account);
    for (const [name, c] of marked) expect(Object.values(c.account!)[0].length, name).toBeGreaterThan(5);
    expect(marked.filter(([name]) => !operations.some((op) => toolName(pinterestApi, op) === name)).map(([name]) => name)).toEqual([]);
  });
});

describe('--ad-accounts refuses every account named outside the list, wherever it is named', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startInProcess({ args: [...MODEL_APPROVAL, '--toolsets', 'all'], env: { PINTEREST_MCP_AD_ACCOUNTS: USD_ACCOUNT } });
  });
  afterAll(() => h?.close());
  beforeEach(() => h.emulator.reset());

  const BUSINESS = '1234567890';
  const OTHER = JPY_ACCOUNT;
  /** Tool, arguments naming OTHER (alone, or beside USD_ACCOUNT), and the field the refusal must name. */
  const refusals: [string, Record<string, unknown>, string][] = [
    [
      'update_ad_account_to_ad_account_shared_audience',
      { ad_account_id: USD_ACCOUNT, body: { audience_id: '2542620905475', operation_type: 'SHARE', recipient_account_ids: [USD_ACCOUNT, OTHER] } },
      'body.recipient_account_ids[1]',
    ],
    [
      'update_business_to_ad_account_shared_audience',
      { business_id: BUSINESS, body: { audience_id: '2542620905475', operation_type: 'SHARE', recipient_account_ids: [OTHER] } },
      'body.recipient_account_ids[0]',
    ],
    [
      'business_members_asset_access_update',
      { business_id: BUSINESS, body: { accesses: [{ asset_id: OTHER, member_id: '140943737684417', permissions: ['ANALYST'] }] } },
      'body.accesses[0].asset_id',
    ],
    ['business_members_asset_access_delete', { business_id: BUSINESS, body: { accesses: [{ asset_id: OTHER, member_id: '140943737684417' }] } }, 'body.accesses[0].asset_id'],
    [
      'update_partner_asset_access_handler_impl',
      { business_id: BUSINESS, body: { accesses: [{ asset_id: OTHER, partner_id: '1234567890123', permissions: ['ADMIN'] }] } },
      'body.accesses[0].asset_id',
    ],
    ['delete_partner_asset_access_handler_impl', { business_id: BUSINESS, body: { accesses: [{ asset_id: OTHER, partner_id: '1234567890123' }] } }, 'body.accesses[0].asset_id'],
    [
      'asset_group_update',
      { business_id: BUSINESS, body: { asset_groups_to_update: [{ asset_group_id: '666791336903426391', assets_to_add: [USD_ACCOUNT], assets_to_remove: [OTHER] }] } },
      'body.asset_groups_to_update[0].assets_to_remove[0]',
    ],
    [
      'create_asset_invites',
      { business_id: BUSINESS, body: { invites: [{ invite_id: '1234567890123', invite_type: 'MEMBER_INVITE', asset_id_to_permissions: { [USD_ACCOUNT]: ['ANALYST'], [OTHER]: ['ADMIN'] } }] } },
      `body.invites[0].asset_id_to_permissions["${OTHER}"]`,
    ],
    [
      'asset_access_requests_create',
      { business_id: BUSINESS, body: { asset_requests: [{ partner_id: '809944451643622187', asset_id_to_permissions: { [OTHER]: ['ANALYST'] } }] } },
      `body.asset_requests[0].asset_id_to_permissions["${OTHER}"]`,
    ],
    [
      'respond_business_access_invites',
      { body: { invites: [{ invite_id: '1234567890123', action: { accept_invite: true, asset_id_to_permissions: { [OTHER]: ['ADMIN'] } } }] } },
      `body.invites[0].action.asset_id_to_permissions["${OTHER}"]`,
    ],
    ['integrations_logs_post', { body: { logs: [{ client_timestamp: 1700000000000, event_type: 'APP', log_level: 'INFO', advertiser_id: OTHER }] } }, 'body.logs[0].advertiser_id'],
    ['integrations_commerce_post', { body: { external_business_id: 'shop-1', connected_advertiser_id: OTHER } }, 'body.connected_advertiser_id'],
    ['business_assets_get', { business_id: BUSINESS, child_asset_id: OTHER }, 'child_asset_id'],
    ['business_asset_members_get', { business_id: BUSINESS, asset_id: OTHER }, 'asset_id'],
  ];
  for (const [name, args, field] of refusals) {
    it(`${name}: refuses ${field} and sends nothing`, async () => {
      const result = await h.call(name, args);
      expect(result.isError, result.text).toBe(true);
      expect(result.text).toMatch(/^Refused .*nothing was sent/);
      const lines = result.text.split('\n').slice(1);
      expect(lines, result.text).toEqual([expect.stringContaining(`- ${field}: `)]);
      expect(lines[0]).toContain(OTHER);
      expect(h.emulator.requests).toHaveLength(0);
    });
  }

  it('lets a call that names only allowed accounts through to the guard (an access change is held, not refused)', async () => {
    const result = await h.call('create_asset_invites', {
      business_id: BUSINESS,
      body: { invites: [{ invite_id: '1234567890123', invite_type: 'MEMBER_INVITE', asset_id_to_permissions: { [USD_ACCOUNT]: ['ANALYST'] } }] },
    });
    expect(result.isError, result.text).toBeFalsy();
    expect(result.structuredContent).toMatchObject({ status: 'confirmation_required', changes: [{ reason: 'access' }] });
    expect(h.sent({ writesOnly: true })).toHaveLength(0);
  });

  it('refuses a write that names no ad account, saying which field would', async () => {
    const result = await h.call('feeds_create', {
      body: { name: 'Feed', format: 'CSV', location: 'https://example.com/feed.csv', default_country: 'US', default_locale: 'en-US', default_currency: 'USD' },
    });
    expect(result.isError, result.text).toBe(true);
    expect(result.text).toContain(`- (arguments): names no ad account, and this server is limited to ad accounts ${USD_ACCOUNT} (--ad-accounts): name one of them in ad_account_id`);
    expect(h.emulator.requests).toHaveLength(0);
  });

  it('refuses a write that reaches ad accounts it cannot name (a business role)', async () => {
    const result = await h.call('update_business_memberships', { business_id: BUSINESS, body: [{ member_id: '140943737684417', business_role: 'EMPLOYEE' }] });
    expect(result.isError, result.text).toBe(true);
    expect(result.text).toMatch(/- \(arguments\): reaches ad accounts it does not name: a member's role reaches every ad account of the business/);
    expect(h.emulator.requests).toHaveLength(0);
  });

  it('sends an organic write marked as touching no ad account, naming none', async () => {
    const result = await h.call('boards_create', { body: { name: 'Ideas' } });
    expect(result.isError, result.text).toBeFalsy();
    expect(h.sent({ writesOnly: true }).map((r) => [r.operationId, r.rawQuery])).toEqual([['boards/create', '']]);
  });

  it('checks the ad account an organic write names', async () => {
    const result = await h.call('boards_create', { ad_account_id: OTHER, body: { name: 'Ideas' } });
    expect(result.text).toMatch(/^- ad_account_id: ad account 549755885176 is outside/m);
    expect(h.emulator.requests).toHaveLength(0);
  });

  it('leaves reads that name no account alone', async () => {
    const result = await h.call('boards_list', {});
    expect(result.isError, result.text).toBeFalsy();
    expect(h.sent({ operationId: 'boards/list' })).toHaveLength(1);
  });
});
