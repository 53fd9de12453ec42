// The one JSON walker: paths, order, skipping, stopping, the mapped copy, and its depth bound.
import { describe, expect, it } from 'vitest';
import { MAX_JSON_DEPTH, MAX_NESTING, type JsonKey, mapJson, nestsDeeperThan, pathText, walkJson } from '../../src/core/walk.js';

/** Every visit as `path = value` lines (paths formatted, since the walker's path is only valid during the call). */
function visits(root: unknown, step?: (value: unknown, path: readonly JsonKey[]) => 'skip' | 'stop' | void): string[] {
  const seen: string[] = [];
  walkJson(root, (value, path, key, parent) => {
    seen.push(`${pathText(path, '$')} key=${String(key)} parent=${parent === undefined ? '-' : Array.isArray(parent) ? 'array' : 'object'} ${JSON.stringify(value)}`);
    return step?.(value, path);
  });
  return seen;
}

/** A value `depth` levels deep: {a:{a:...{a:1}}}. */
function nested(depth: number): unknown {
  let value: unknown = 1;
  for (let i = 0; i < depth; i++) value = { a: value };
  return value;
}

describe('walkJson', () => {
  it('visits parents before children in document order, with keys, array indices and parents', () => {
    expect(visits({ name: 'x', items: [{ id: '1' }, 7], empty: {} })).toEqual([
      '$ key=undefined parent=- {"name":"x","items":[{"id":"1"},7],"empty":{}}',
      '$.name key=name parent=object "x"',
      '$.items key=items parent=object [{"id":"1"},7]',
      '$.items[0] key=0 parent=array {"id":"1"}',
      '$.items[0].id key=id parent=object "1"',
      '$.items[1] key=1 parent=array 7',
      '$.empty key=empty parent=object {}',
    ]);
  });

  it('visits a scalar root once, and a top-level array by index', () => {
    expect(visits(5)).toEqual(['$ key=undefined parent=- 5']);
    expect(visits(null)).toEqual(['$ key=undefined parent=- null']);
    expect(visits([[1], 'b'])).toEqual(['$ key=undefined parent=- [[1],"b"]', '$[0] key=0 parent=array [1]', '$[0][0] key=0 parent=array 1', '$[1] key=1 parent=array "b"']);
  });

  it('gives array indices as numbers and object keys as strings, even numeric ones', () => {
    const paths: JsonKey[][] = [];
    walkJson({ '0': [{ '1': true }] }, (_v, path) => void paths.push([...path]));
    expect(paths).toEqual([[], ['0'], ['0', 0], ['0', 0, '1']]);
  });

  it('leaves the children of a skipped node unvisited and goes on with its siblings', () => {
    const root = { a: { deep: 1 }, b: [1, 2], c: { deep: 2 } };
    expect(visits(root, (_v, path) => (path[0] === 'a' || path[0] === 'b' ? 'skip' : undefined))).toEqual([
      '$ key=undefined parent=- {"a":{"deep":1},"b":[1,2],"c":{"deep":2}}',
      '$.a key=a parent=object {"deep":1}',
      '$.b key=b parent=object [1,2]',
      '$.c key=c parent=object {"deep":2}',
      '$.c.deep key=deep parent=object 2',
    ]);
    expect(visits(root, () => 'skip')).toHaveLength(1);
  });

  it('ends the walk at stop, nothing after it visited', () => {
    const seen = visits({ a: [1, { stop: true }, 3], b: 4 }, (value) => ((value as { stop?: boolean } | null)?.stop ? 'stop' : undefined));
    expect(seen.at(-1)).toBe('$.a[1] key=1 parent=array {"stop":true}');
    expect(seen).toHaveLength(4);
  });

  it('keeps the path right after leaving subtrees (siblings of deep nodes start from their own parent)', () => {
    const leaves: string[] = [];
    walkJson({ a: { b: { c: [1] } }, d: [{ e: 2 }], f: 3 }, (value, path) => {
      if (typeof value === 'number') leaves.push(pathText(path, 'body'));
    });
    expect(leaves).toEqual(['body.a.b.c[0]', 'body.d[0].e', 'body.f']);
  });

  it('reads the keys of a node after visiting it, so a visitor may remove some', () => {
    const schema = { minimum: -1, properties: { n: { maximum: 9, type: 'integer' } } };
    walkJson(schema, (value) => {
      if (value && typeof value === 'object') {
        delete (value as Record<string, unknown>).minimum;
        delete (value as Record<string, unknown>).maximum;
      }
    });
    expect(schema).toEqual({ properties: { n: { type: 'integer' } } });
  });

  it('walks a value as deep as the limit without using the call stack, and throws a RangeError beyond it', () => {
    let depth = 0;
    walkJson(nested(MAX_JSON_DEPTH), (_v, path) => void (depth = Math.max(depth, path.length)));
    expect(depth).toBe(MAX_JSON_DEPTH);
    expect(() => walkJson(nested(MAX_JSON_DEPTH + 1), () => undefined)).toThrow(RangeError);
    expect(() => walkJson(nested(MAX_JSON_DEPTH + 1), () => undefined)).toThrow(`the value is nested more than ${MAX_JSON_DEPTH} levels deep`);
  });

  it('ends on a cyclic value with the depth error instead of running forever', () => {
    const cyclic: Record<string, unknown> = { name: 'loop' };
    cyclic.self = cyclic;
    expect(() => walkJson(cyclic, () => undefined)).toThrow(RangeError);
  });

  it('does not hit the depth limit on a skipped deep subtree', () => {
    expect(() => walkJson({ deep: nested(MAX_JSON_DEPTH + 5) }, (_v, path) => (path.length === 1 ? 'skip' : undefined))).not.toThrow();
  });
});

describe('mapJson', () => {
  it('copies every array and object, keeping scalars', () => {
    const root = { a: [1, { b: 'x' }], c: null, d: { e: true } };
    const copy = mapJson(root, () => undefined) as typeof root;
    expect(copy).toEqual(root);
    expect(copy).not.toBe(root);
    expect(copy.a).not.toBe(root.a);
    expect(copy.a[1]).not.toBe(root.a[1]);
    expect(copy.d).not.toBe(root.d);
  });

  it('replaces the nodes it is given a value for, without entering them, and renames them inside objects', () => {
    const entered: string[] = [];
    const copy = mapJson({ budget: { amount: '1.5' }, items: [{ budget: { amount: '2' } }, { budget: { amount: '3' } }], name: 'n' }, (value, path, key) => {
      entered.push(pathText(path));
      if (key === 'budget') return { key: 'budget_in_micro_currency', value: Number((value as { amount: string }).amount) * 1e6 };
      if (key === 1) return { key: 'ignored in arrays', value: 'second' };
      return undefined;
    });
    expect(copy).toEqual({ budget_in_micro_currency: 1_500_000, items: [{ budget_in_micro_currency: 2_000_000 }, 'second'], name: 'n' });
    expect(Object.keys(copy as object)).toEqual(['budget_in_micro_currency', 'items', 'name']);
    expect(entered).toEqual(['', 'budget', 'items', 'items[0]', 'items[0].budget', 'items[1]', 'name']);
  });

  it('hands the mapper the copy that will hold the replacement', () => {
    const holders: unknown[] = [];
    const copy = mapJson({ group: { bid: 1, name: 'g' } }, (value, _path, key, holder) => {
      if (key !== 'bid') return undefined;
      holders.push(holder);
      return { value: 2 };
    }) as { group: object };
    expect(holders).toHaveLength(1);
    expect(holders[0]).toBe(copy.group);
    expect(copy.group).toEqual({ bid: 2, name: 'g' });
  });

  it('replaces the root itself', () => {
    expect(mapJson({ a: 1 }, () => ({ value: 'whole' }))).toBe('whole');
    expect(mapJson('text', () => undefined)).toBe('text');
  });

  it('copies an object that appears twice in a tree twice', () => {
    const shared = { v: 1 };
    const copy = mapJson({ a: shared, b: [shared] }, (value, _p, key) => (key === 'v' ? { value: 2 } : undefined)) as { a: object; b: object[] };
    expect(copy).toEqual({ a: { v: 2 }, b: [{ v: 2 }] });
    expect(copy.a).not.toBe(shared);
  });
});

describe('pathText', () => {
  it('prints keys with dots and indices in brackets, after an optional root', () => {
    expect(pathText(['items', 0, 'budget'])).toBe('items[0].budget');
    expect(pathText(['items', 0, 'budget'], 'body')).toBe('body.items[0].budget');
    expect(pathText([0, 'a'])).toBe('[0].a');
    expect(pathText([])).toBe('');
    expect(pathText([], 'body')).toBe('body');
  });
});

describe('nestsDeeperThan', () => {
  it('counts each array or object as a level, scalars as none', () => {
    expect(nestsDeeperThan(1, 0)).toBe(false);
    expect(nestsDeeperThan(null, 0)).toBe(false);
    expect(nestsDeeperThan({}, 1)).toBe(false);
    expect(nestsDeeperThan({}, 0)).toBe(true);
    expect(nestsDeeperThan({ a: [1, { b: 'x' }] }, 3)).toBe(false);
    expect(nestsDeeperThan({ a: [1, { b: 'x' }] }, 2)).toBe(true);
  });

  it(`refuses at MAX_NESTING (${MAX_NESTING}) levels plus one, whichever branch goes deep, without running out of stack`, () => {
    expect(nestsDeeperThan(nested(MAX_NESTING))).toBe(false);
    expect(nestsDeeperThan(nested(MAX_NESTING + 1))).toBe(true);
    expect(nestsDeeperThan({ wide: Array.from({ length: 10_000 }, () => ({ x: 1 })), deep: [nested(MAX_NESTING - 2)] })).toBe(false);
    expect(nestsDeeperThan({ wide: Array.from({ length: 10_000 }, () => ({ x: 1 })), deep: [nested(MAX_NESTING - 1)] })).toBe(true);
    expect(nestsDeeperThan(JSON.parse(`${'['.repeat(100_000)}${']'.repeat(100_000)}`))).toBe(true);
  });

  it('ends on a cyclic value', () => {
    const cycle: Record<string, unknown> = {};
    cycle.self = cycle;
    expect(nestsDeeperThan(cycle)).toBe(true);
  });
});
