// Builds a minimal valid argument object from a tool's JSON Schema (required properties only), for sweeps.

type Schema = Record<string, any>;

const PATTERN_SAMPLES: Record<string, string> = {
  '^\\d+$': '549755885175',
  '\\d+': '123',
  '^[0-9]+$': '123',
  '^(AG)?\\d+$': '2680059592705',
  '^((AG)|C)?\\d+$': '2680059592705',
  '^[C]?\\d+$': '626736533506',
  '^(\\d{4})-(\\d{2})-(\\d{2})$': '2026-11-01',
  '^(http|https|ftp|sftp)://': 'https://example.com/feed.csv',
  '^(http|https|ftp|sftp):\\/\\/': 'https://example.com/feed.csv',
  '^(0[0-9]|1[0-9]|2[0-3]):[0-5][0-9]$': '09:30',
  '^[a-z0-9]*$': 'abc123',
  '(?!^\\d+$)^.+$': 'some-name',
  '[a-zA-Z0-9+\\/=]+': 'aGVsbG8=',
};

export interface SampleOptions {
  /** Values for properties by name, wherever they appear (e.g. ad_account_id). */
  known?: Record<string, unknown>;
}

export function sample(schema: Schema, root: Schema = schema, options: SampleOptions = {}, name?: string, depth = 0): unknown {
  if (depth > 12) return undefined;
  if (schema.$ref) {
    const ref = String(schema.$ref).replace(/^#\/(definitions|\$defs)\//, '');
    return sample((root.definitions ?? root.$defs)[ref], root, options, name, depth + 1);
  }
  if (name && options.known && name in options.known) return options.known[name];
  if (/amount in the account currency/i.test(schema.description ?? '')) return '1.50';
  if (schema.const !== undefined) return schema.const;
  if (schema.enum) return schema.enum.find((v: unknown) => v !== null) ?? schema.enum[0];
  const variants = schema.anyOf ?? schema.oneOf;
  if (variants) return sample(variants.find((v: Schema) => v.type !== 'null') ?? variants[0], root, options, name, depth + 1);
  if (schema.allOf) return sample(Object.assign({}, ...schema.allOf), root, options, name, depth + 1);
  const type = Array.isArray(schema.type) ? schema.type.find((t: string) => t !== 'null') : schema.type;
  switch (type) {
    case 'string': {
      if (schema.pattern && PATTERN_SAMPLES[schema.pattern]) return PATTERN_SAMPLES[schema.pattern];
      if (schema.format === 'date-time') return '2026-11-01T00:00:00Z';
      if (schema.pattern === '^\\d{4}-\\d{2}-\\d{2}$' || schema.format === 'date') return '2026-11-01';
      const min = schema.minLength ?? 1;
      return 'x'.repeat(Math.max(min, 1)).slice(0, schema.maxLength ?? 64);
    }
    case 'integer':
    case 'number': {
      const min = schema.minimum ?? (schema.exclusiveMinimum !== undefined ? schema.exclusiveMinimum + 1 : 1);
      return schema.maximum !== undefined ? Math.min(min, schema.maximum) : min;
    }
    case 'boolean':
      return false;
    case 'array': {
      const n = Math.max(schema.minItems ?? 1, 1);
      const items = Array.from({ length: n }, () => sample(schema.items ?? {}, root, options, undefined, depth + 1));
      return schema.uniqueItems ? items.map((v, i) => (typeof v === 'string' && i ? `${v}${i}` : v)) : items;
    }
    case 'object': {
      const out: Record<string, unknown> = {};
      for (const key of schema.required ?? []) {
        out[key] = sample(schema.properties?.[key] ?? {}, root, options, key, depth + 1);
      }
      // A map (additionalProperties) that needs entries gets sample ones.
      for (let i = Object.keys(out).length; i < (schema.minProperties ?? 0); i++) {
        const value = typeof schema.additionalProperties === 'object' ? schema.additionalProperties : {};
        out[`x${i}`] = sample(value, root, options, undefined, depth + 1);
      }
      return out;
    }
    default:
      return 'x';
  }
}
