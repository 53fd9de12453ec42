// The committed catalog must be exactly what the generator makes from the reference description (when present).
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_SPEC_PATH, OUTPUT_PATHS, generateFiles } from '../scripts/catalog-generator.js';
import { pinterestApi, toolName } from '../src/catalog/apis.js';
import { pinterestCatalog } from '../src/catalog/pinterest.generated.js';
import { APIS } from '../src/server.js';

const specPath = resolve(DEFAULT_SPEC_PATH);
const haveSpec = existsSync(specPath);
if (!haveSpec) console.warn(`[catalog.test] ${specPath} not found: skipping the "catalog is current" check`);

describe('operation catalog', () => {
  it.skipIf(!haveSpec)('is current: regenerating from the reference description changes nothing', () => {
    const files = generateFiles(readFileSync(specPath, 'utf8'));
    for (const [key, path] of Object.entries(OUTPUT_PATHS)) {
      expect(readFileSync(path, 'utf8'), `${path} is stale: run npm run generate:catalog`).toBe(
        files[key as keyof typeof OUTPUT_PATHS],
      );
    }
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
