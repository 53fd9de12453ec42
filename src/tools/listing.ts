// What tools/list shows: the full JSON Schema of a tool (for describe_tool), and a compact one that fits in context.
import type { Tool } from '@modelcontextprotocol/server';
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import type { ToolDef } from './registry.js';
import { walkJson } from '../core/walk.js';
import { APIS } from '../apis/index.js';
import { portableSchema } from './portable.js';

export type JsonSchema = Record<string, any>;

const SAFE = Number.MAX_SAFE_INTEGER;

/** Removes what zod adds without meaning for callers (the ±2^53 bounds of every integer). */
function tidy(schema: unknown): void {
  walkJson(schema, (value) => {
    if (!value || typeof value !== 'object') return;
    const s = value as JsonSchema;
    if (s.minimum === -SAFE) delete s.minimum;
    if (s.maximum === SAFE) delete s.maximum;
  });
}

const full = new WeakMap<ToolDef, JsonSchema>();
const described = new WeakMap<ToolDef, JsonSchema>();

/** The complete input schema, exactly what the server validates (zod 4's own JSON Schema output). */
export function fullInputSchema(tool: ToolDef): JsonSchema {
  let schema = full.get(tool);
  if (!schema) {
    schema = z.toJSONSchema(tool.input, { io: 'input', target: 'draft-7', unrepresentable: 'any' }) as JsonSchema;
    delete schema.$schema;
    tidy(schema);
    full.set(tool, schema);
  }
  return schema;
}

/** What describe_tool answers: the complete input schema in the subset every function-calling format takes. */
export function describedInputSchema(tool: ToolDef): JsonSchema {
  let schema = described.get(tool);
  if (!schema) described.set(tool, (schema = portableSchema(fullInputSchema(tool))));
  return schema;
}

/**
 * How deep objects stay spelled out in listings: arguments (1), body item fields (2); deeper ones are summarised by
 * their field names (describe_tool has them whole).
 */
const LISTED_DEPTH = 2;
/** Enums longer than this (countries, locales, metric names) are left to describe_tool. */
const LISTED_ENUM = 12;

/**
 * How the server's own arguments are listed: once per tool, so every token counts (about 130 writes and 130 reads).
 * Their names say most of it; results that hand out a token or approval id say how to use it, and describe_tool has
 * the full texts.
 */
const LISTED_CONTROLS: Readonly<Record<string, JsonSchema>> = {
  dry_run: { type: 'boolean' },
  confirmation_token: { type: 'string', description: 'from confirmation_required' },
  approval_id: { type: 'string' },
  max_items: { type: 'integer', maximum: 1000, description: 'follow pages up to this many items' },
  fields: { type: 'array', items: { type: 'string' } },
};

/**
 * A lighter copy for tools/list, in the portable subset (portable.ts): nested objects below LISTED_DEPTH, long enums,
 * patterns and length limits are left out, and the server's own arguments are listed tersely. The server still
 * validates the full schema and its errors point to describe_tool for the rest.
 */
export function compactSchema(schema: JsonSchema): JsonSchema {
  return portableSchema(compactNode(schema, 0));
}

/** A union listed by its first shape's type (what the shapes share when they do): every node keeps a type. */
function severalShapes(variants: readonly JsonSchema[]): JsonSchema {
  return { type: variants[0]?.type, description: 'one of several shapes; see describe_tool' };
}

function compactNode(schema: JsonSchema, depth: number): JsonSchema {
  // Tagged unions (catalog types, report kinds) are long: describe_tool has them whole.
  if (schema.oneOf) return severalShapes(schema.oneOf);
  if (schema.anyOf) {
    const variants = (schema.anyOf as JsonSchema[]).filter((v) => v.type !== 'null');
    if (variants.length === 1) return compactNode({ ...variants[0], ...(schema.description ? { description: schema.description } : {}) }, depth);
    if (depth >= LISTED_DEPTH) return severalShapes(variants);
    // Variants that compact to the same listing (two tagged unions) are listed once.
    const listed = [...new Map(variants.map((v) => compactNode(v, depth)).map((v) => [JSON.stringify(v), v])).values()];
    return listed.length === 1 ? listed[0] : { anyOf: listed };
  }
  const out: JsonSchema = {};
  const type = Array.isArray(schema.type) ? schema.type.filter((t: string) => t !== 'null') : schema.type;
  if (type !== undefined) out.type = Array.isArray(type) && type.length === 1 ? type[0] : type;
  if (schema.description) out.description = schema.description;
  if (schema.enum && schema.enum.length <= LISTED_ENUM) out.enum = schema.enum.filter((v: unknown) => v !== null);
  for (const k of ['minimum', 'maximum', 'minItems', 'maxItems', 'default', 'const', 'format']) {
    if (schema[k] === undefined || (k === 'format' && schema.type === 'string' && schema[k] === 'date-time')) continue;
    // "At least one" (lists in a query, page sizes) is what a caller writes anyway; a violation's error says it.
    if ((k === 'minItems' || k === 'minimum') && schema[k] === 1) continue;
    out[k] = schema[k];
  }
  if (schema.items) out.items = compactNode(schema.items, depth);
  if (schema.properties) {
    if (depth >= LISTED_DEPTH) {
      // A field's own note (targeting_spec's keys) says more than the bare key names, so it stays.
      if (!schema.description) {
        const keys = `object (${Object.keys(schema.properties).join(', ')})`;
        out.description = keys.length > 160 ? 'object; see describe_tool for its fields' : keys;
      }
    } else {
      out.properties = Object.fromEntries(
        Object.entries(schema.properties as Record<string, JsonSchema>).map(([k, v]) => [k, (depth === 0 && LISTED_CONTROLS[k]) || compactNode(v, depth + 1)]),
      );
      if (schema.required?.length) out.required = schema.required;
    }
  }
  return out;
}

/**
 * Where `npm run build` stores every tool's compact schema (`dist/listings.json`), so start-up need not build 150+
 * zod schemas. Read beside the bundle (`dist/index.js`); from source there is none, and the listing is computed.
 */
export const LISTING_CACHE = new URL('./listings.json', import.meta.url);
/**
 * The schemas that differ where writes take `confirmation_token` (the model-held token flow: `--approval model`, or
 * auto's fallback), the held writes' (`dist/listings-confirmation.json`): a file of its own, read only in that flow
 * (a third of the listing's JSON that the default start-up would parse for nothing).
 */
export const CONFIRMATION_LISTING_CACHE = new URL('./listings-confirmation.json', import.meta.url);

export interface ListingCache {
  /** Catalog digests the cache was built from; a cache from other catalogs is ignored. */
  stamp: string;
  /** Tool schemas by name: every tool's (listings.json), or the held writes' with confirmation_token (listings-confirmation.json). */
  schemas: Record<string, JsonSchema>;
}

/** The catalogs a listing cache is built from (every API's digest): a cache from other catalogs is ignored. */
export function listingStamp(): string {
  return APIS.map((api) => `${api.id}:${api.catalog.source.sha256 ?? api.catalog.source.version}`).join(',');
}

/** A cache file as `npm run build` wrote it, or null when absent (running from src) or built from other catalogs. */
function readCache(file: URL): ListingCache | null {
  let read: ListingCache | null;
  try {
    read = JSON.parse(readFileSync(file, 'utf8')) as ListingCache;
  } catch {
    read = null; // running from src (tests, tsx) or an incomplete build: compute instead
  }
  return read && read.stamp === listingStamp() ? read : null;
}

let cache: ListingCache | null | undefined;
let confirmationCache: ListingCache | null | undefined;
/** The compact input schema `npm run build` stored for the tool (or meta tool) named, if this build has one. */
export function cachedInputSchema(name: string, confirmationToken = false): JsonSchema | undefined {
  if (confirmationToken) {
    const schema = (confirmationCache ??= readCache(CONFIRMATION_LISTING_CACHE))?.schemas[name];
    if (schema) return schema;
  }
  return (cache ??= readCache(LISTING_CACHE))?.schemas[name];
}

const compact = new WeakMap<ToolDef, JsonSchema>();

/**
 * The tool's listed schema: the build's (for tools built with `confirmation_token` or without, as BuildOptions says),
 * else computed.
 */
export function compactInputSchema(tool: ToolDef, confirmationToken = false): JsonSchema {
  let schema = compact.get(tool);
  if (!schema) {
    schema = cachedInputSchema(tool.name, confirmationToken) ?? compactSchema(fullInputSchema(tool));
    compact.set(tool, schema);
  }
  return schema;
}

/**
 * Annotations as listed: what the specification's defaults do not already say (not read-only, destructive, not
 * idempotent, open world). The title is the tool's own, and a read-only tool's destructive and idempotent hints mean
 * nothing (they apply to writes).
 */
export function listedAnnotations(annotations: NonNullable<Tool['annotations']>): Tool['annotations'] {
  const { title: _title, readOnlyHint, openWorldHint, destructiveHint, idempotentHint, ...rest } = annotations;
  return {
    ...rest,
    ...(readOnlyHint ? { readOnlyHint } : {}),
    ...(!readOnlyHint && destructiveHint === false ? { destructiveHint } : {}),
    ...(!readOnlyHint && idempotentHint ? { idempotentHint } : {}),
    ...(openWorldHint === false ? { openWorldHint } : {}),
  };
}

export function toolListing(tool: ToolDef, inputSchema: JsonSchema): Tool {
  return {
    name: tool.name,
    title: tool.title,
    description: tool.description,
    inputSchema: inputSchema as Tool['inputSchema'],
    annotations: listedAnnotations(tool.annotations),
  };
}
