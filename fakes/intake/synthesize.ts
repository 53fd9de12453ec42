// Builds deterministic example bodies from the generated response schemas, for operations without state.
import type { ResponseCatalog, SchemaFacts } from '../../src/apis/types.js';
import { isPlainObject } from '../../src/core/json.js';

const MAX_DEPTH = 40;
/** Keywords that mark a schema without saying what its value is. */
const ANNOTATIONS = new Set(['readOnly', 'writeOnly', 'deprecated', 'nullable']);
const NUMERIC_ID = '1234567890123';
const STRING_CANDIDATES = ['string-value', NUMERIC_ID, 'US', 'en', 'USD', 'AB12', '2024-01-01', '2024-01-01T00:00:00.000Z', '12:00', 'a'];

export class ResponseSynthesizer {
  /** Serialized bodies per operation: synthesis runs once, each answer parses a fresh copy. */
  private readonly cache = new Map<string, string | null>();

  constructor(private readonly responses: ResponseCatalog) {}

  /** A fresh synthesized body for `operationId`, or undefined when the catalog documents none. */
  body(operationId: string): unknown {
    let text = this.cache.get(operationId);
    if (text === undefined) {
      const schema = this.responses.responses[operationId];
      text = schema ? JSON.stringify(this.synthesize(schema, 0, new Set(), undefined) ?? null) : null;
      this.cache.set(operationId, text);
    }
    return text === null ? undefined : JSON.parse(text);
  }

  /** An example value for any schema of the response catalog. */
  example(schema: SchemaFacts): unknown {
    return this.synthesize(schema, 0, new Set(), undefined);
  }

  private synthesize(
    schema: SchemaFacts,
    depth: number,
    refs: Set<string>,
    propertyName: string | undefined,
  ): unknown {
    if (depth > MAX_DEPTH) return null;
    if (schema.$ref) {
      if (refs.has(schema.$ref)) return schema.nullable ? null : emptyOf(this.resolveType(schema));
      const target = this.responses.schemas[schema.$ref];
      if (!target) return null;
      const inner = new Set(refs).add(schema.$ref);
      return this.synthesize(target, depth + 1, inner, propertyName);
    }
    // Synthesized lists are always a single, last page.
    if (propertyName === 'bookmark') return null;
    if (schema.allOf?.length) {
      const { allOf, ...own } = schema;
      // An allOf with nothing of its own but marks (`{ readOnly: true, allOf: [{ $ref: EntityStatus }] }`) is its parts
      // alone: a bare mark would otherwise answer `{}` for a string.
      const withOwn = Object.keys(own).some((key) => !ANNOTATIONS.has(key)) ? [own, ...allOf] : allOf;
      const parts = withOwn.map((part) => this.synthesize(part, depth + 1, refs, propertyName));
      const objects = parts.filter(isPlainObject);
      if (objects.length) return mergeObjects(objects);
      // A scalar refined by allOf (e.g. `type: string` plus an enum ref): the most constrained part wins.
      const enumPart = allOf.map((part) => this.firstEnum(part, refs)).find((v) => v !== undefined);
      if (enumPart !== undefined) return enumPart;
      return parts.find((p) => p !== undefined && p !== null && p !== '') ?? parts[0];
    }
    const variants = schema.oneOf ?? schema.anyOf;
    if (variants?.length) {
      const { oneOf: _o, anyOf: _a, discriminator: _d, ...own } = schema;
      const chosen = this.synthesize(variants[0], depth + 1, refs, propertyName);
      const base = this.synthesize(own, depth + 1, refs, propertyName);
      return isPlainObject(chosen) && isPlainObject(base) ? mergeObjects([base, chosen]) : chosen;
    }
    if (schema.default !== undefined && schema.default !== null && typeof schema.default !== 'object') {
      return schema.default;
    }
    if (schema.enum) {
      const first = schema.enum.find((v) => v !== null);
      return first === undefined ? null : first;
    }
    const type = schema.type ?? (schema.properties ? 'object' : schema.items ? 'array' : undefined);
    switch (type) {
      case 'string':
        return stringExample(schema, propertyName);
      case 'integer':
        return clamp(1, schema);
      case 'number':
        return clamp(1.5, schema);
      case 'boolean':
        return false;
      case 'array': {
        const count = Math.max(1, schema.minItems ?? 1);
        if (!schema.items) return [];
        const item = this.synthesize(schema.items, depth + 1, refs, singular(propertyName));
        return Array.from({ length: count }, () => item);
      }
      case 'object': {
        const out: Record<string, unknown> = {};
        for (const [name, prop] of Object.entries(schema.properties ?? {})) {
          if (prop.writeOnly) continue;
          out[name] = this.synthesize(prop, depth + 1, refs, name);
        }
        if (schema.additionalProperties && typeof schema.additionalProperties === 'object' && !schema.properties) {
          out.key = this.synthesize(schema.additionalProperties, depth + 1, refs, 'key');
        }
        return out;
      }
      default:
        return schema.nullable ? null : {};
    }
  }

  private firstEnum(schema: SchemaFacts, refs: Set<string>, depth = 0): unknown {
    if (depth > 5) return undefined;
    if (schema.enum) return schema.enum.find((v) => v !== null);
    if (schema.$ref && !refs.has(schema.$ref)) {
      const target = this.responses.schemas[schema.$ref];
      return target ? this.firstEnum(target, refs, depth + 1) : undefined;
    }
    for (const part of schema.allOf ?? []) {
      const found = this.firstEnum(part, refs, depth + 1);
      if (found !== undefined) return found;
    }
    return undefined;
  }

  private resolveType(schema: SchemaFacts, depth = 0): string | undefined {
    if (depth > 5) return undefined;
    if (schema.type) return schema.type;
    if (schema.$ref) {
      const target = this.responses.schemas[schema.$ref];
      return target ? this.resolveType(target, depth + 1) : undefined;
    }
    if (schema.properties || schema.allOf) return 'object';
    return undefined;
  }
}

function emptyOf(type: string | undefined): unknown {
  if (type === 'array') return [];
  if (type === 'object' || type === undefined) return {};
  return null;
}

function mergeObjects(objects: Record<string, unknown>[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const object of objects) {
    for (const [key, value] of Object.entries(object)) {
      const prev = out[key];
      out[key] = isPlainObject(prev) && isPlainObject(value) ? mergeObjects([prev, value]) : value === undefined ? prev : value;
    }
  }
  return out;
}

function singular(name: string | undefined): string | undefined {
  if (!name) return name;
  if (name.endsWith('_ids')) return name.slice(0, -1);
  return name;
}

function clamp(value: number, schema: SchemaFacts): number {
  let v = value;
  if (schema.minimum !== undefined && v < schema.minimum) v = schema.minimum;
  if (schema.maximum !== undefined && v > schema.maximum) v = schema.maximum;
  return v;
}

function stringExample(schema: SchemaFacts, propertyName: string | undefined): string {
  switch (schema.format) {
    case 'date-time':
      return '2024-01-01T00:00:00Z';
    case 'date':
      return '2024-01-01';
    case 'uri':
    case 'url':
      return 'https://example.com';
    case 'email':
      return 'user@example.com';
    case 'int64':
      return NUMERIC_ID;
    default:
      break;
  }
  const name = propertyName ?? '';
  const looksLikeId = name === 'id' || name.endsWith('_id');
  const looksLikeUrl = /(^|_)(url|link)$/.test(name);
  const candidates = looksLikeId ? [NUMERIC_ID, ...STRING_CANDIDATES] : looksLikeUrl ? ['https://example.com', ...STRING_CANDIDATES] : STRING_CANDIDATES;
  let pattern: RegExp | undefined;
  if (schema.pattern) {
    try {
      pattern = new RegExp(schema.pattern, 'u');
    } catch {
      pattern = undefined;
    }
  }
  for (const candidate of candidates) {
    if (schema.minLength !== undefined && candidate.length < schema.minLength) continue;
    if (schema.maxLength !== undefined && candidate.length > schema.maxLength) continue;
    if (pattern && !pattern.test(candidate)) continue;
    return candidate;
  }
  if (schema.maxLength !== undefined) return 'a'.repeat(Math.max(schema.minLength ?? 1, 1)).slice(0, schema.maxLength);
  return 'string-value';
}
