// The committed catalog must be exactly what the generator makes from the reference description (when present).
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_SPEC_PATH, OUTPUT_PATHS, generateFiles } from '../../scripts/catalog-generator.js';
import { pinterestApi, toolName } from '../../src/apis/index.js';
import { pinterestCatalog } from '../../src/apis/pinterest/catalog.generated.js';
import { whopCatalog } from '../../src/apis/whop/catalog.generated.js';
import { DEFAULT_WHOP_REFERENCE_DIR, WHOP_OUTPUT_PATHS, WHOP_RESOURCE_FILES, generateWhopFiles } from '../../scripts/whop-catalog-generator.js';
import { APIS } from '../../src/apis/index.js';

const specPath = resolve(DEFAULT_SPEC_PATH);

describe('operation catalog', () => {
  it('is current: regenerating from the reference description changes nothing', () => {
    const files = generateFiles(readFileSync(specPath, 'utf8'));
    for (const [key, path] of Object.entries(OUTPUT_PATHS)) {
      expect(readFileSync(path, 'utf8'), `${path} is stale: run npm run generate:catalog`).toBe(
        files[key as keyof typeof OUTPUT_PATHS],
      );
    }
  });

  const whopDir = resolve(DEFAULT_WHOP_REFERENCE_DIR);
  it('is current for Whop: regenerating from the SDK resources changes nothing', () => {
    const files = generateWhopFiles(Object.fromEntries(WHOP_RESOURCE_FILES.map((name) => [name, readFileSync(resolve(whopDir, name), 'utf8')])));
    for (const [key, path] of Object.entries(WHOP_OUTPUT_PATHS)) {
      expect(readFileSync(path, 'utf8'), `${path} is stale: run npm run generate:whop`).toBe(files[key as keyof typeof WHOP_OUTPUT_PATHS]);
    }
  });

  it("covers Whop's 28 ad endpoints, named whop_<resource>_<action>", () => {
    const names = whopCatalog.operations.map((o) => `whop_${o.id.replace('/', '_')}`).sort();
    expect(names).toEqual(
      [
        ...['list', 'create', 'get', 'update', 'delete', 'pause', 'unpause', 'retry_payment'].map((a) => `whop_ad_campaigns_${a}`),
        ...['list', 'create', 'get', 'update', 'delete', 'pause', 'unpause', 'targeting_options', 'estimate_reach'].map((a) => `whop_ad_groups_${a}`),
        ...['list', 'create', 'get', 'update', 'delete', 'pause', 'unpause'].map((a) => `whop_ads_${a}`),
        'whop_ad_reports_get',
        ...['list', 'create', 'delete'].map((a) => `whop_audiences_${a}`),
      ].sort(),
    );
    // Idempotency keys on the writes the SDK gives one: creates, pause, unpause, retry_payment (and the reach estimate).
    const keyed = whopCatalog.operations.filter((o) => o.idempotencyHeader === 'Idempotency-Key').map((o) => o.id).sort();
    expect(keyed).toEqual(
      ['ad_campaigns/create', 'ad_campaigns/pause', 'ad_campaigns/unpause', 'ad_campaigns/retry_payment', 'ad_groups/create', 'ad_groups/pause', 'ad_groups/unpause', 'ad_groups/estimate_reach', 'ads/create', 'ads/pause', 'ads/unpause', 'audiences/create'].sort(),
    );
    // An ad's inline ad group is an ad group create body, so it is validated and guarded like one.
    expect(whopCatalog.schemas.AdCreateParams.properties?.ad_group).toEqual({ $ref: 'AdGroupCreateParams' });
  });

  it('follows Pinterest 5.23.0: 231 operations with unique ids and tool names', () => {
    const ops = pinterestCatalog.operations;
    expect(pinterestCatalog.source.version).toBe('5.23.0');
    expect(ops).toHaveLength(231);
    expect(new Set(ops.map((o) => o.id)).size).toBe(231);
    const names = ops.map((o) => toolName(pinterestApi, o));
    expect(new Set(names).size).toBe(231);
    for (const name of names) expect(name).toMatch(/^[a-zA-Z0-9_-]{1,64}$/);
  });

  it('carries facts only: no prose keywords anywhere (property names aside), for every API', () => {
    for (const api of APIS) {
      const prose: string[] = [];
      const walk = (value: unknown, path: string, underProperties: boolean): void => {
        if (!value || typeof value !== 'object') return;
        for (const [key, child] of Object.entries(value)) {
          if (!underProperties && ['description', 'summary', 'example', 'examples', 'title'].includes(key)) prose.push(`${path}.${key}`);
          walk(child, `${path}.${key}`, key === 'properties' && !underProperties);
        }
      };
      walk({ operations: api.catalog.operations, schemas: api.catalog.schemas }, api.id, false);
      expect(prose).toEqual([]);
    }
  });

  it('has a description of our own for every operation that is a tool, and none for the others', () => {
    for (const op of pinterestCatalog.operations) {
      const text = pinterestApi.texts[op.id];
      if (pinterestApi.excluded[op.id]) continue;
      expect(text?.title, op.id).toBeTruthy();
      expect(text?.description.length, op.id).toBeGreaterThan(10);
    }
  });
});
