// Rewrites a listed JSON Schema into what every function-calling format takes (OpenAI, Anthropic, Gemini's OpenAPI 3.0
// subset); only the listing changes: calls are still validated by the zod schema, as strictly as before.
import type { JsonSchema } from './listing.js';

/** Keywords all three formats take; Gemini's Schema object has no other (test/tools/portable-schemas.test.ts). */
const KEPT = ['description', 'properties', 'required', 'items', 'minItems', 'maxItems', 'minimum', 'maximum', 'minLength', 'maxLength', 'minProperties', 'maxProperties'];

/** Formats Gemini's Developer API takes per type; any other becomes words in the description. */
const FORMATS: Readonly<Record<string, readonly string[]>> = { string: ['date-time'], number: ['float', 'double'], integer: ['int32', 'int64'] };
const FORMAT_WORDS: Readonly<Record<string, string>> = { date: 'YYYY-MM-DD' };

/** Lookaround and backreferences, which RE2-style engines (Google's) do not have: such a pattern is not listed. */
const RE2_LACKS = /\(\?<?[=!]|\\[1-9]/;

/**
 * The schema in the portable subset: one type per node (a money field's number-or-string is listed as a string, the
 * natural way to write an amount), enums of strings only (number enums are listed by their type and named in the
 * description; a single value as minimum = maximum), `nullable` for null, `anyOf` for `oneOf` and `allOf` folded into
 * one node, and no keyword outside the subset (maps name their values in words). What it lists is never more than the
 * server accepts by type, and what the server refuses among it, validation refuses as before.
 */
export function portableSchema(schema: JsonSchema): JsonSchema {
  if (schema.allOf) return portableSchema(foldAllOf(schema));
  const variants: JsonSchema[] | undefined = schema.anyOf ?? schema.oneOf;
  if (variants) return portableUnion(schema, variants);
  const notes: string[] = [];
  // Keywords keep their order (a listing's diff shows only what changed); a missing type goes first.
  const out: JsonSchema = 'type' in schema ? {} : { type: undefined };
  let nullable = schema.nullable === true;
  let type: string | undefined;
  for (const [key, value] of Object.entries(schema)) {
    if (key === 'type') {
      const types: string[] = (Array.isArray(value) ? value : [value]).filter((t: string) => t !== 'null');
      nullable ||= types.length === 0 || (Array.isArray(value) && types.length < value.length);
      // A money field is a number or a string: the string is the natural way to write an amount ("12.50").
      type = types.includes('string') ? 'string' : types[0];
      out.type = type;
    } else if (key === 'enum' || key === 'const') {
      const values: unknown[] = key === 'const' ? [value] : value;
      const given = values.filter((v) => v !== null);
      nullable ||= given.length < values.length;
      if (given.length && given.every((v) => typeof v === 'string')) {
        type = 'string';
        out.enum = given;
      } else if (given.length && given.every((v) => typeof v === 'number')) {
        type = given.every((v) => Number.isInteger(v)) ? 'integer' : 'number';
        if (given.length === 1) out.minimum = out.maximum = given[0];
        else notes.push(`one of ${given.join(', ')}`);
      } else if (given.length) {
        type ??= typeof given[0];
        notes.push(given.length === 1 ? `always ${JSON.stringify(given[0])}` : `one of ${given.map((v) => JSON.stringify(v)).join(', ')}`);
      }
    } else if (key === 'properties') {
      out.properties = Object.fromEntries(Object.entries(value as Record<string, JsonSchema>).map(([k, v]) => [k, portableSchema(v)]));
    } else if (key === 'items') {
      if (!Array.isArray(value)) out.items = portableSchema(value);
    } else if (key === 'exclusiveMinimum' && typeof value === 'number') {
      out.minimum ??= value;
      notes.push(`more than ${value}`);
    } else if (key === 'exclusiveMaximum' && typeof value === 'number') {
      out.maximum ??= value;
      notes.push(`less than ${value}`);
    } else if (key === 'multipleOf') {
      notes.push(`a multiple of ${value}`);
    } else if (key === 'additionalProperties') {
      if (value && typeof value === 'object' && Object.keys(value).length) notes.push(`values: ${brief(portableSchema(value))}`);
    } else if (key === 'pattern') {
      if (!RE2_LACKS.test(value)) out.pattern = value;
    } else if (key === 'format' || KEPT.includes(key)) {
      out[key] ??= value;
    }
  }
  // Nothing typed (a free-form value): a list if it has items, else an object, the shape the descriptions' free-form
  // values take (maps, JSON objects); Gemini needs a type on every node.
  type ??= out.items ? 'array' : 'object';
  out.type = type;
  if (type === 'array') out.items ??= { type: 'object' };
  if (out.format !== undefined && !(FORMATS[type] ?? []).includes(out.format)) {
    notes.push(FORMAT_WORDS[out.format] ?? out.format);
    delete out.format;
  }
  if (notes.length) out.description = [out.description, notes.join('; ')].filter(Boolean).join('. ');
  if (nullable) out.nullable = true;
  return out;
}

/** A union: null variants become `nullable`, one variant left merges into the node, several stay an `anyOf`. */
function portableUnion(schema: JsonSchema, variants: JsonSchema[]): JsonSchema {
  const { anyOf: _a, oneOf: _o, ...own } = schema;
  const isNull = (v: JsonSchema) => v.type === 'null' || (v.enum?.length === 1 && v.enum[0] === null) || (v.const === null && !v.type);
  const given = variants.filter((v) => !isNull(v));
  let nullable = own.nullable === true || given.length < variants.length;
  if (given.length === 0) return portableSchema({ ...own, type: 'null' });
  let out: JsonSchema;
  if (given.length === 1) {
    const [only] = given;
    out = portableSchema({ ...only, ...own, ...(own.description || only.description ? { description: own.description ?? only.description } : {}) });
  } else {
    const ported = given.map(portableSchema);
    // A variant that is itself a bare union adds its variants (and its null) to this one.
    const bare = (v: JsonSchema) => v.anyOf && Object.keys(v).every((k) => k === 'anyOf' || k === 'nullable');
    nullable ||= ported.some((v) => bare(v) && v.nullable);
    const anyOf = ported.flatMap((v) => (bare(v) ? v.anyOf : [v]));
    const { type: _t, nullable: _n, ...rest } = Object.keys(own).length ? portableSchema(own) : ({} as JsonSchema);
    out = { ...rest, anyOf };
  }
  return nullable ? { ...out, nullable: true } : out;
}

/** allOf: every part's keywords on one node; where two set the same keyword, the first stays (validation checks all). */
function foldAllOf(schema: JsonSchema): JsonSchema {
  const { allOf, ...own } = schema;
  const out: JsonSchema = { ...own };
  for (const part of allOf as JsonSchema[]) {
    const folded = part.allOf ? foldAllOf(part) : part;
    for (const [key, value] of Object.entries(folded)) {
      if (key === 'properties') out.properties = { ...value, ...out.properties };
      else if (key === 'required') out.required = [...new Set([...(out.required ?? []), ...value])];
      else if (key === 'description' && out.description && out.description !== value) out.description = `${out.description}. ${value}`;
      else out[key] ??= value;
    }
  }
  return out;
}

/** A value schema in a few words, for the description of a map (Gemini's Schema has no additionalProperties). */
function brief(schema: JsonSchema): string {
  if (schema.enum) return schema.enum.join(' | ');
  if (schema.type === 'array') return `list of ${brief(schema.items)}`;
  if (schema.anyOf) return (schema.anyOf as JsonSchema[]).map(brief).join(' or ');
  if (schema.type === 'object' && schema.properties) return `object (${Object.keys(schema.properties).join(', ')})`;
  return schema.type;
}
