// Converts an API's documented response shapes (OpenAPI 3.0 facts) into JSON Schema 2020-12 for output schemas.
import type { ResponseCatalog, SchemaFacts } from '../apis/types.js';
import type { JsonSchema } from './listing.js';
import { merge } from './schema.js';

/** Formats kept from the description: the dates every validator knows (others, like `int64`, say nothing a type does not). */
const KEPT_FORMATS = new Set(['date-time', 'date']);

/**
 * Enums longer than this are named, not listed (analytics columns have thousands of values): an answer's values are
 * read, not written, and a long list of them would outweigh the rest of the schema.
 */
const LISTED_ENUM = 50;

/**
 * Objects with more properties than this, all of one schema (a catalog item's hundreds of named issues), are given as
 * a map of that schema, their names counted with a few examples: every answer they took, they still take.
 */
const LISTED_PROPERTIES = 50;

/** Where a component's schema sits in an output schema: `#/$defs/<name>`. */
const DEFS = '#/$defs/';

/**
 * Response facts as JSON Schema 2020-12, the dialect MCP assumes for an output schema without `$schema`: nullable as a
 * `null` type, `oneOf` as `anyOf` (open objects often fit several shapes, which `oneOf` would refuse), `allOf` folded
 * into one node, components as `$defs` entries. It keeps what says the shape of an answer (types, properties, required,
 * items, enums, maps, date formats) and leaves out the rules of values written to the API (patterns, lengths, bounds,
 * defaults, read-only marks): the API's answer is taken as it comes. Write-only properties are never answered.
 */
export class ResponseSchemas {
  private readonly defs = new Map<string, JsonSchema>();
  private readonly flat = new Map<SchemaFacts, SchemaFacts>();

  constructor(private readonly catalog: ResponseCatalog) {}

  /** An operation's documented success shape, or undefined where the description documents none. */
  answerOf(operationId: string): SchemaFacts | undefined {
    return this.catalog.responses[operationId];
  }

  /** Whether the API has a response component of this name. */
  isComponent(name: string): boolean {
    return Object.hasOwn(this.catalog.schemas, name);
  }

  /**
   * The facts with `$ref` resolved and `allOf` folded at their own level (nested levels stay as they are). Folding is
   * schema.ts's `merge`, and two parts' list items are both kept (`Paginated`'s generic items and the list's own).
   */
  flatten(facts: SchemaFacts): SchemaFacts {
    let flat = this.flat.get(facts);
    if (!flat) {
      flat = facts.$ref ? this.flatten(this.component(facts.$ref)) : facts.allOf ? this.fold(facts) : facts;
      this.flat.set(facts, flat);
    }
    return flat;
  }

  private fold(facts: SchemaFacts): SchemaFacts {
    const { allOf, ...own } = facts;
    const parts = allOf!.map((part) => this.flatten(part));
    try {
      const folded = parts.reduce<SchemaFacts>((acc, part) => {
        const merged = merge(acc, part);
        return acc.items && part.items && acc.items !== part.items ? { ...merged, items: { allOf: [acc.items, part.items] } } : merged;
      }, own);
      // Null passes only where every part lets it through, or the node's own `nullable` says so (as schema.ts folds).
      const { nullable: _n, ...rest } = folded;
      return own.nullable === true || parts.every((part) => part.nullable === true) ? { ...rest, nullable: true } : rest;
    } catch {
      // Parts that cannot be folded into one node (two unions) stay an allOf of their own.
      return facts;
    }
  }

  /** A node of an output schema; components become `$ref`s into `$defs` (see `withDefs`). */
  node(facts: SchemaFacts): JsonSchema {
    if (facts.$ref) {
      this.define(facts.$ref);
      return facts.nullable ? { anyOf: [{ $ref: DEFS + facts.$ref }, { type: 'null' }] } : { $ref: DEFS + facts.$ref };
    }
    const flat = facts.allOf ? this.flatten(facts) : facts;
    if (flat.allOf) return withNull({ allOf: flat.allOf.map((part) => this.node(part)) }, flat.nullable === true);
    return this.ownLevel(flat);
  }

  /**
   * The node of facts at their own level, never a `$ref`, so that a caller can add to its properties; `optional` leaves
   * every property of this level out of `required` (what `fields` may leave out). Nested levels are as documented.
   */
  ownLevel(facts: SchemaFacts, optional = false): JsonSchema {
    const flat = facts.$ref || facts.allOf ? this.flatten(facts) : facts;
    if (flat.allOf) return this.node(flat);
    const { oneOf, anyOf, discriminator: _d, nullable, ...own } = flat;
    const variants = oneOf ?? anyOf;
    const out = this.plain(own, optional);
    if (variants) out.anyOf = variants.map((variant) => (optional ? this.ownLevel(variant, true) : this.node(variant)));
    const nullAllowed = nullable === true || (flat.enum?.includes(null) ?? false);
    return withNull(out, nullAllowed);
  }

  /** `root` with the `$defs` entries of every component it reaches, by name. */
  withDefs(root: JsonSchema): JsonSchema {
    const names = new Set<string>();
    const visit = (value: unknown): void => {
      if (!value || typeof value !== 'object') return;
      if (Array.isArray(value)) return value.forEach(visit);
      for (const [key, child] of Object.entries(value)) {
        if (key === '$ref' && typeof child === 'string' && child.startsWith(DEFS)) {
          const name = child.slice(DEFS.length);
          if (!names.has(name) && this.defs.has(name)) {
            names.add(name);
            visit(this.defs.get(name));
          }
        } else visit(child);
      }
    };
    visit(root);
    const defs = { ...(root.$defs ?? {}), ...Object.fromEntries([...names].sort().map((name) => [name, this.defs.get(name)])) };
    return Object.keys(defs).length ? { ...root, $defs: defs } : root;
  }

  private component(name: string): SchemaFacts {
    const facts = this.catalog.schemas[name];
    if (!facts) throw new Error(`unknown response schema ${name}`);
    return facts;
  }

  /** Converts a component once; a placeholder first, so that components that contain themselves end. */
  private define(name: string): void {
    if (this.defs.has(name)) return;
    this.defs.set(name, {});
    this.defs.set(name, this.node(this.component(name)));
  }

  /** The keywords of one node that is neither a reference nor a union. */
  private plain(facts: SchemaFacts, optional: boolean): JsonSchema {
    const out: JsonSchema = {};
    const type = facts.type ?? (facts.properties ? 'object' : facts.items ? 'array' : undefined);
    if (type) out.type = type;
    if (facts.enum && facts.enum.length <= LISTED_ENUM) out.enum = [...facts.enum];
    else if (facts.enum) out.description = `one of ${facts.enum.length} documented values`;
    if (facts.format && KEPT_FORMATS.has(facts.format)) out.format = facts.format;
    if (facts.properties) {
      const kept = Object.entries(facts.properties).filter(([, prop]) => !this.flatten(prop).writeOnly);
      out.properties = Object.fromEntries(kept.map(([name, prop]) => [name, this.node(prop)]));
      const required = optional ? [] : (facts.required ?? []).filter((name) => !this.flatten(facts.properties![name] ?? {}).writeOnly);
      if (required.length) out.required = [...required];
    } else if (facts.required?.length && !optional) {
      out.required = [...facts.required];
    }
    if (facts.items) out.items = this.node(facts.items);
    const named = out.properties ? Object.values(out.properties as Record<string, JsonSchema>) : [];
    const alike = named.length > LISTED_PROPERTIES && !out.required && named.every((value) => JSON.stringify(value) === JSON.stringify(named[0]));
    if (alike && (facts.additionalProperties === undefined || facts.additionalProperties === true)) {
      const names = Object.keys(out.properties);
      out.description = `${names.length} documented keys, such as ${names.slice(0, 3).join(', ')}`;
      out.additionalProperties = named[0];
      delete out.properties;
      return out;
    }
    if (facts.additionalProperties !== undefined) {
      out.additionalProperties = typeof facts.additionalProperties === 'boolean' ? facts.additionalProperties : this.node(facts.additionalProperties);
    }
    return out;
  }
}

/** A node that also takes `null`: a `null` type beside its own, `null` among its values, or a `null` variant. */
function withNull(node: JsonSchema, nullable: boolean): JsonSchema {
  if (!nullable) return node;
  const out = { ...node };
  if (out.enum && !out.enum.includes(null)) out.enum = [...out.enum, null];
  if (out.allOf) return { anyOf: [out, { type: 'null' }] };
  if (typeof out.type === 'string') out.type = [out.type, 'null'];
  if (out.anyOf) out.anyOf = [...out.anyOf, { type: 'null' }];
  return out; // without a type, null passes already
}
