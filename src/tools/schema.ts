// Converts catalog schema facts (OpenAPI 3.0 subset) into zod 4 schemas that carry every documented constraint.
import { z } from 'zod';
import type { SchemaFacts } from '../apis/types.js';

/** Called for every object property; returning a schema replaces the property (e.g. money in natural units). */
export interface PropertyOverride {
  /** Name the property takes in tool input (may differ from the API name). */
  inputName: string;
  schema: z.ZodType;
}

export interface SchemaBuilderOptions {
  schemas: Readonly<Record<string, SchemaFacts>>;
  /** Lets callers swap a property for their own schema; `owner` is the component that declares it, `facts` its flattened schema. */
  overrideProperty?: (owner: string | undefined, name: string, facts: SchemaFacts) => PropertyOverride | undefined;
  /**
   * A short description for a property (listed with the schema), given every component that declares it and the
   * values it (or its items) may take; operation parameters come with the owner `PARAMETERS`.
   */
  describeProperty?: (owners: readonly string[], name: string, values: readonly unknown[] | undefined) => string | undefined;
  /** Lets callers add checks to a component schema the description states only in words (`textRules`). */
  refineComponent?: (name: string, schema: z.ZodType) => z.ZodType;
}

/** The owner `describeProperty` is given for an operation's path and query parameters. */
export const PARAMETERS = '(parameters)';

export class SchemaBuilder {
  private readonly schemas: Readonly<Record<string, SchemaFacts>>;
  private readonly owners = new Map<SchemaFacts, string>();
  private readonly flatCache = new Map<SchemaFacts, SchemaFacts>();
  private readonly refCache = new Map<string, z.ZodType>();

  constructor(private readonly options: SchemaBuilderOptions) {
    this.schemas = options.schemas;
    for (const [name, schema] of Object.entries(this.schemas)) this.recordOwners(name, schema);
  }

  /** Remembers which component declares each property, looking through inline parts, nested objects and items. */
  private recordOwners(owner: string, schema: SchemaFacts): void {
    for (const prop of Object.values(schema.properties ?? {})) {
      this.owners.set(prop, owner);
      if (!prop.$ref) this.recordOwners(owner, prop);
    }
    const parts = [...(schema.allOf ?? []), ...(schema.oneOf ?? []), ...(schema.anyOf ?? [])];
    if (schema.items) parts.push(schema.items);
    for (const part of parts) if (!part.$ref) this.recordOwners(owner, part);
  }

  /** The component schema `name` as zod (cached: each component is converted once). */
  ref(name: string): z.ZodType {
    let schema = this.refCache.get(name);
    if (!schema) {
      const facts = this.schemas[name];
      if (!facts) throw new Error(`unknown schema ${name}`);
      const converted = this.convert(facts);
      schema = this.options.refineComponent?.(name, converted) ?? converted;
      this.refCache.set(name, schema);
    }
    return schema;
  }

  /** Resolves `$ref` and folds `allOf` into one schema, so every keyword sits on a single object. */
  flatten(facts: SchemaFacts): SchemaFacts {
    const cached = this.flatCache.get(facts);
    if (cached) return cached;
    let flat: SchemaFacts;
    if (facts.$ref) {
      const target = this.schemas[facts.$ref];
      if (!target) throw new Error(`unknown schema ${facts.$ref}`);
      flat = this.flatten(target);
    } else if (facts.allOf) {
      const { allOf, ...own } = facts;
      const parts = allOf.map((part) => this.flatten(part));
      flat = parts.reduce<SchemaFacts>((acc, part) => merge(acc, part), own);
      // Every part must hold, so null passes only when each lets it through; an own `nullable` covers the whole
      // (OpenAPI 3.0's `nullable: true` beside an allOf of a $ref).
      const { nullable: _n, ...rest } = flat;
      flat = own.nullable === true || (acceptsNull(own) && parts.every(acceptsNull)) ? { ...rest, nullable: true } : rest;
    } else {
      flat = facts;
    }
    this.flatCache.set(facts, flat);
    return flat;
  }

  convert(facts: SchemaFacts): z.ZodType {
    if (facts.$ref) return this.ref(facts.$ref);
    return this.fromFlat(this.flatten(facts));
  }

  private fromFlat(s: SchemaFacts): z.ZodType {
    const schema = this.single(s);
    return s.nullable || s.enum?.includes(null) ? schema.nullable() : schema;
  }

  /** The component that declares a property; for a property merged from several parts, the first that has one. */
  private ownerOf(facts: SchemaFacts): string | undefined {
    return this.ownersOf(facts)[0];
  }

  /** The values a schema's enum allows, or its items' (a list of enum values); undefined when it has none. */
  valuesOf(facts: SchemaFacts): readonly unknown[] | undefined {
    const flat = this.flatten(facts);
    return flat.enum ?? (flat.type === 'array' && flat.items ? this.flatten(flat.items).enum : undefined);
  }

  /** Every component that declares a property (several when parts of an allOf each declare it). */
  private ownersOf(facts: SchemaFacts): string[] {
    const own = this.owners.get(facts);
    return own ? [own] : (facts.allOf ?? []).flatMap((part) => this.ownersOf(part));
  }

  private union(s: SchemaFacts, variants: readonly SchemaFacts[]): z.ZodType {
    const { oneOf: _o, anyOf: _a, discriminator, nullable: _n, ...base } = s;
    const hasBase = Object.keys(base).length > 0;
    const members = variants.map((variant) => {
      let merged = hasBase ? merge(base, this.flatten(variant)) : this.flatten(variant);
      if (discriminator?.mapping && variant.$ref) {
        const values = Object.entries(discriminator.mapping)
          .filter(([, target]) => target === variant.$ref)
          .map(([value]) => value);
        const key = discriminator.propertyName;
        const prop = merged.properties?.[key];
        if (values.length && prop) {
          merged = { ...merged, properties: { ...merged.properties, [key]: { ...this.flatten(prop), enum: values } } };
        }
      }
      return this.fromFlat(merged);
    });
    if (members.length === 1) return members[0];
    if (discriminator) {
      try {
        return z.discriminatedUnion(discriminator.propertyName, members as [z.ZodObject, z.ZodObject]);
      } catch {
        // Variants that do not pin the discriminator to distinct values fall back to a plain union.
      }
    }
    return z.union(members as [z.ZodType, z.ZodType]);
  }

  private single(s: SchemaFacts): z.ZodType {
    if (s.oneOf || s.anyOf) return this.union(s, (s.oneOf ?? s.anyOf)!);
    if (s.enum) return enumSchema(s.enum.filter((v) => v !== null));
    const type = s.type ?? (s.properties ? 'object' : s.items ? 'array' : undefined);
    switch (type) {
      case 'string':
        return stringSchema(s);
      case 'integer':
        return numberSchema(z.int(), s);
      case 'number':
        return numberSchema(z.number(), s);
      case 'boolean':
        return z.boolean();
      case 'array':
        return this.arraySchema(s);
      case 'object':
        return this.objectSchema(s);
      default:
        return z.unknown();
    }
  }

  private arraySchema(s: SchemaFacts): z.ZodType {
    let schema = z.array(s.items ? this.convert(s.items) : z.unknown());
    if (s.minItems !== undefined) schema = schema.min(s.minItems);
    if (s.maxItems !== undefined) schema = schema.max(s.maxItems);
    if (!s.uniqueItems) return schema;
    return schema.refine((items) => new Set(items.map((i) => JSON.stringify(i))).size === items.length, {
      message: 'items must be unique',
    });
  }

  private objectSchema(s: SchemaFacts): z.ZodType {
    const object = this.objectShape(s);
    const { minProperties: min, maxProperties: max } = s;
    if (min === undefined && max === undefined) return object;
    // zod has no keyword for entry counts: a refinement checks them, and meta lists them in the JSON Schema.
    const refined = object.refine((value) => {
      const n = Object.values(value as object).filter((v) => v !== undefined).length;
      return (min === undefined || n >= min) && (max === undefined || n <= max);
    }, max === undefined ? `needs at least ${min} entr${min === 1 ? 'y' : 'ies'}` : `needs ${min ?? 0} to ${max} entries`);
    return refined.meta({ ...(min !== undefined ? { minProperties: min } : {}), ...(max !== undefined ? { maxProperties: max } : {}) });
  }

  private objectShape(s: SchemaFacts): z.ZodType {
    const props = Object.entries(s.properties ?? {});
    const extra = s.additionalProperties;
    if (props.length === 0) {
      if (extra === false) return z.strictObject({});
      return z.record(z.string(), extra && extra !== true ? this.convert(extra) : z.unknown());
    }
    const required = new Set(s.required ?? []);
    const shape: Record<string, z.ZodType> = {};
    for (const [name, facts] of props) {
      if (this.flatten(facts).readOnly) continue;
      const owners = this.ownersOf(facts);
      const override = this.options.overrideProperty?.(owners[0], name, this.flatten(facts));
      const key = override?.inputName ?? name;
      const note = this.options.describeProperty?.(owners, name, this.valuesOf(facts));
      const converted = override?.schema ?? this.convert(facts);
      // A note adds to a description the override gave (money fields say how amounts are written).
      const value = note ? converted.describe(converted.description ? `${converted.description}. ${note}` : note) : converted;
      shape[key] = required.has(name) ? value : value.optional();
    }
    const object = z.object(shape);
    return extra && extra !== true ? object.catchall(this.convert(extra)) : object.strict();
  }
}

function enumSchema(values: readonly (string | number | boolean)[]): z.ZodType {
  if (values.every((v) => typeof v === 'string')) return z.enum(values as [string, ...string[]]);
  return z.literal(values as (string | number | boolean)[]);
}

function stringSchema(s: SchemaFacts): z.ZodType {
  let schema: z.ZodString | z.ZodISODateTime | z.ZodISODate;
  if (s.format === 'date-time') schema = z.iso.datetime({ offset: true });
  else if (s.format === 'date') schema = z.iso.date({ message: 'expected a date as YYYY-MM-DD' });
  else schema = z.string();
  if (s.minLength !== undefined) schema = schema.min(s.minLength);
  if (s.maxLength !== undefined) schema = schema.max(s.maxLength);
  if (s.pattern) schema = schema.regex(new RegExp(s.pattern, 'u'));
  return schema;
}

function numberSchema(base: z.ZodNumber, s: SchemaFacts): z.ZodType {
  let schema = base;
  if (s.minimum !== undefined) schema = s.exclusiveMinimum ? schema.gt(s.minimum) : schema.gte(s.minimum);
  if (s.maximum !== undefined) schema = s.exclusiveMaximum ? schema.lt(s.maximum) : schema.lte(s.maximum);
  if (s.multipleOf !== undefined) schema = schema.multipleOf(s.multipleOf);
  return schema;
}

/** Whether a flattened schema lets null through: nullable, null among its values, or no type constraint at all. */
function acceptsNull(s: SchemaFacts): boolean {
  if (s.nullable === true || s.enum?.includes(null)) return true;
  return s.type === undefined && !s.enum && !s.properties && !s.items && !s.oneOf && !s.anyOf;
}

/** Both schemas must hold: properties and required lists are united, bounds take the stricter side. */
export function merge(a: SchemaFacts, b: SchemaFacts): SchemaFacts {
  const out: Record<string, unknown> = { ...b, ...a };
  if (a.properties || b.properties) {
    const props: Record<string, SchemaFacts> = { ...b.properties };
    for (const [k, v] of Object.entries(a.properties ?? {})) {
      props[k] = props[k] ? { allOf: [v, props[k]] } : v;
    }
    out.properties = props;
  }
  if (a.required || b.required) out.required = [...new Set([...(a.required ?? []), ...(b.required ?? [])])];
  if (a.enum && b.enum) out.enum = a.enum.filter((v) => b.enum!.includes(v));
  for (const k of ['minimum', 'minLength', 'minItems'] as const) {
    if (a[k] !== undefined && b[k] !== undefined) out[k] = Math.max(a[k]!, b[k]!);
  }
  for (const k of ['maximum', 'maxLength', 'maxItems'] as const) {
    if (a[k] !== undefined && b[k] !== undefined) out[k] = Math.min(a[k]!, b[k]!);
  }
  if (a.nullable || b.nullable) out.nullable = true;
  const variantsA = a.oneOf ?? a.anyOf;
  const variantsB = b.oneOf ?? b.anyOf;
  if (variantsA && variantsB && variantsA !== variantsB) {
    throw new Error('cannot merge two schemas that both have oneOf/anyOf');
  }
  return out as SchemaFacts;
}
