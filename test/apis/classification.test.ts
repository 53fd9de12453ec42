// The guard's rules are data checked against the API descriptions: no write operation and no entity field unclassified.
import { describe, expect, it } from 'vitest';
import { toolName } from '../../src/apis/index.js';
import type { ApiDefinition, SchemaFacts } from '../../src/apis/types.js';
import { SharedStore, createStore } from '../../src/core/store.js';
import { WRITE_CLASSES, classify } from '../../src/apis/classification.js';
import { ENTITY_RULES, ENTITY_WRITES, entityRule, locateEntities, moneyFieldsOf } from '../../src/guard/entities.js';
import { Approvals } from '../../src/guard/approvals.js';
import { SpendGuard } from '../../src/guard/decide.js';
import { createLogger } from '../../src/core/logger.js';
import { APIS } from '../../src/apis/index.js';
import { buildTools } from '../../src/tools/registry.js';
import { SchemaBuilder } from '../../src/tools/schema.js';

const operations = APIS.flatMap((api) => api.catalog.operations.filter((op) => !api.excluded[op.id]).map((op) => ({ api, op, name: toolName(api, op) })));

/** Writes the classification table does not know: the completeness check, kept apart so it can be shown to fail. */
const unclassifiedWrites = (ops: readonly { op: { method: string }; name: string }[]) => ops.filter(({ op, name }) => op.method !== 'GET' && !classify(name)).map(({ name }) => name);

describe('every write operation of every API is classified', () => {
  it('classifies each non-GET operation, with a one-line reason', () => {
    expect(unclassifiedWrites(operations)).toEqual([]);
    for (const [name, c] of Object.entries(WRITE_CLASSES)) {
      expect(c.reason.length, name).toBeGreaterThan(5);
      expect(c.reason, name).not.toMatch(/\n/);
    }
  });

  it('fails for a write the table does not know, as an API upgrade would bring', () => {
    const [template] = operations.filter(({ name }) => name === 'events_create');
    const added = { ...template, op: { ...template.op, id: 'events/create_batch' }, name: 'events_create_batch' };
    expect(unclassifiedWrites([...operations, added])).toEqual(['events_create_batch']);
  });

  it('names only operations that exist, and none that are GETs', () => {
    const known = new Map(operations.map(({ name, op }) => [name, op.method]));
    const stale = Object.keys(WRITE_CLASSES).filter((name) => known.get(name) === undefined || known.get(name) === 'GET');
    expect(stale).toEqual([]);
  });

  it('knows where the entities of every entity write sit, and classifies nothing else as entity', () => {
    const entityTools = Object.entries(WRITE_CLASSES).filter(([, c]) => c.class === 'entity').map(([name]) => name);
    expect(entityTools.sort()).toEqual(Object.keys(ENTITY_WRITES).sort());
  });

  it("keeps each API's tables in its own adapter: every tool they name is one of that API's", () => {
    for (const api of APIS as readonly ApiDefinition[]) {
      const own = new Set(api.catalog.operations.map((op) => toolName(api, op)));
      const tables: Record<string, readonly string[]> = {
        writeClasses: Object.keys(api.writeClasses),
        'entities.writes': Object.keys(api.entities.writes),
        'entities.statusActions': Object.keys(api.entities.statusActions),
        'entities.rules readers': Object.values(api.entities.rules).flatMap((rule) => (rule?.reader ? [rule.reader.tool] : [])),
        itemAnswers: Object.keys(api.itemAnswers),
        movedTools: Object.keys(api.movedTools),
        'renamedTools (current names)': Object.values(api.renamedTools),
        'accounts.lists': api.accounts?.lists ?? [],
      };
      for (const [table, names] of Object.entries(tables)) expect(names.filter((name) => !own.has(name)), `${api.id} ${table}`).toEqual([]);
    }
  });

  it('derives read-only tools from the table: classified reads do not write, everything else that is not GET does', () => {
    const tools = APIS.flatMap((api) => buildTools(api));
    for (const tool of tools) {
      const expected = tool.op.method !== 'GET' && WRITE_CLASSES[tool.name]?.class !== 'read';
      expect(tool.writes, tool.name).toBe(expected);
    }
    expect(tools.find((t) => t.name === 'items_batch_post')?.annotations.destructiveHint).toBe(true);
  });
});

/** Properties of a schema after resolving $ref and allOf (readOnly ones left out: a request never sets them). */
function propertiesOf(builder: SchemaBuilder, facts: SchemaFacts): Record<string, SchemaFacts> {
  const flat = builder.flatten(facts);
  const variants = flat.oneOf ?? flat.anyOf;
  const own = Object.fromEntries(Object.entries(flat.properties ?? {}).filter(([, p]) => !builder.flatten(p).readOnly));
  return variants ? Object.assign(own, ...variants.map((v) => propertiesOf(builder, v))) : own;
}

/** The schemas met along an entity location: each wrapper object's properties, then the entity item's. */
/** The objects around a location's entities (an object that is itself an entity, at `entityPaths`, is not one). */
function schemasAlong(builder: SchemaBuilder, body: SchemaFacts, at: string, entityPaths: ReadonlySet<string> = new Set()): { wrappers: Record<string, SchemaFacts>[]; item: Record<string, SchemaFacts> } {
  let schema = body;
  const wrappers: Record<string, SchemaFacts>[] = [];
  const walked: string[] = [];
  for (const segment of at ? at.split('.') : []) {
    const list = segment.endsWith('[]');
    const name = list ? segment.slice(0, -2) : segment;
    if (name) {
      const props = propertiesOf(builder, schema);
      if (!entityPaths.has(walked.join('.'))) wrappers.push(props);
      schema = props[name];
      expect(schema, `${at}: no property ${name}`).toBeDefined();
    }
    if (list) schema = builder.flatten(schema).items!;
    walked.push(segment);
  }
  return { wrappers, item: propertiesOf(builder, schema) };
}

describe('every field an entity write can set is classified for its kind', () => {
  for (const [tool, write] of Object.entries(ENTITY_WRITES)) {
    it(tool, () => {
      const found = operations.find((o) => o.name === tool)!;
      expect(found, tool).toBeDefined();
      const { api, op } = found;
      const builder = new SchemaBuilder({ schemas: api.catalog.schemas });
      const segments = new Set(write.locations.flatMap((l) => l.at.split('.').map((s) => s.replace(/\[\]$/, ''))));
      for (const location of write.locations) {
        const { wrappers, item } = schemasAlong(builder, op.body!.schema, location.at, new Set(write.locations.map((l) => l.at)));
        for (const props of wrappers) {
          const unknown = Object.keys(props).filter((k) => !segments.has(k) && !(write.addressing ?? []).includes(k) && !write.others?.[k]);
          expect(unknown, `${tool} ${location.at}: keys around the entities`).toEqual([]);
        }
        const rule = entityRule(api.id, location.kind);
        const money = new Set(moneyFieldsOf(api.id, location.kind).map((f) => f.apiName));
        const classified = new Set([
          ...rule.identity,
          ...rule.parents,
          rule.status.field,
          ...rule.schedule.map((p) => p.split('.')[0]),
          ...Object.keys(rule.neutral),
          ...Object.keys(rule.held),
          ...money,
        ]);
        // A key that leads to another location (an ad's inline ad group) holds an entity checked on its own.
        const prefix = location.at ? `${location.at}.` : '';
        const nested = new Set(write.locations.filter((l) => l !== location && l.at.startsWith(prefix) && l.at !== location.at).map((l) => l.at.slice(prefix.length).split('.')[0].replace(/\[\]$/, '')));
        const unclassified = Object.keys(item).filter((k) => !classified.has(k) && !nested.has(k));
        expect(unclassified, `${tool} ${location.at} (${location.kind})`).toEqual([]);
      }
    });
  }

  it('puts no field on two lists, keeps money off the neutral lists, and lets inactive creates relax only held fields', () => {
    for (const [api, kinds] of Object.entries(ENTITY_RULES)) {
      for (const [kind, rule] of Object.entries(kinds)) {
        const lists = [rule.identity, rule.parents, [rule.status.field], rule.schedule, Object.keys(rule.neutral), Object.keys(rule.held)];
        const all = lists.flat();
        expect(all.length, `${api} ${kind}`).toBe(new Set(all).size);
        const money = moneyFieldsOf(api as never, kind as never).map((f) => f.apiName);
        expect(money.filter((m) => m in rule.neutral), `${api} ${kind}`).toEqual([]);
        expect(rule.inactiveCreate.filter((f) => !(f in rule.held)), `${api} ${kind}`).toEqual([]);
      }
    }
  });
});

describe('locating entities', () => {
  it('finds bulk upsert entities and reports keys no location accounts for', () => {
    const body = {
      create: { keywords: [{ parent_id: 'AG1', keywords: [{ value: 'a', match_type: 'BROAD' }] }] },
      update: { product_groups: [{ ad_group_id: '1', product_group_promotion: [{ id: '7', included: true }] }] },
      delete: { campaigns: ['1'] },
    };
    Object.assign(body.create, { labels: [{ parent_id: '1', labels: [] }], catalog_product_groups: [{ name: 'x' }] });
    const { entities, stray } = locateEntities(ENTITY_WRITES.bulk_upsert_create, body);
    expect(entities.map((e) => [e.kind, e.create, e.path])).toEqual([
      ['keyword', true, 'body.create.keywords[0].keywords[0]'],
      ['product_group_promotion', false, 'body.update.product_groups[0].product_group_promotion[0]'],
    ]);
    expect(stray).toEqual([
      { path: 'body', key: 'delete' },
      { path: 'body.create', key: 'labels', known: { held: false, why: expect.stringMatching(/name/) } },
      { path: 'body.create', key: 'catalog_product_groups', known: { held: true, why: expect.stringMatching(/product groups/) } },
    ]);
  });
});

it('holds a write that nobody classified (unknown means held), and sends nothing', async () => {
  const [template] = buildTools(APIS[0]).filter((t) => t.name === 'boards_create');
  const mystery = { ...template, name: 'mystery_write', input: template.input };
  const store = new SharedStore(await createStore('memory'), 'memory', 5_000);
  const reads: string[] = [];
  const guard = new SpendGuard({
    store,
    read: async (name) => {
      reads.push(name);
      return {};
    },
    confirmWrites: new Set(),
    confirmTtlSeconds: 600,
    approvals: new Approvals({ store, ttlSeconds: 600, deployments: {} }),
    approval: { tokens: 'model', maxPending: 10, sendBoundMs: 60_000, unavailable: 'no one can approve here.', dialogs: false },
    caps: {},
    adAccounts: [],
    logger: createLogger('silent'),
  });
  const decision = await guard.review({ tool: mystery, args: { body: { name: 'x' } }, sentArgs: { body: { name: 'x' } }, dryRun: false });
  expect(decision.action).toBe('respond');
  const result = decision.action === 'respond' ? decision.result : undefined;
  expect(result?.structuredContent).toMatchObject({
    status: 'confirmation_required',
    changes: [{ entity: 'mystery_write', reason: 'unclassified' }],
  });
  await store.keyv.disconnect();
});
