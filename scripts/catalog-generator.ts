// Turns Pinterest's OpenAPI description into catalog source files (facts only, no prose); pure, no I/O.
import { createHash } from 'node:crypto';
import type {
  BodyFacts,
  Catalog,
  HttpMethod,
  OperationFacts,
  ParameterFacts,
  ResponseCatalog,
  SchemaFacts,
} from '../src/apis/types.js';

type Json = Record<string, any>;

/** Schema keywords copied as they are (facts); everything else (description, example, title, x-*) is dropped. */
const SCALAR_KEYWORDS = [
  'type', 'enum', 'format', 'pattern', 'minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum',
  'multipleOf', 'minLength', 'maxLength', 'minItems', 'maxItems', 'uniqueItems', 'minProperties',
  'maxProperties', 'required', 'nullable', 'default', 'readOnly', 'writeOnly', 'deprecated',
] as const;
const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;
const REF_PREFIX = '#/components/schemas/';

function refName(ref: string): string {
  if (!ref.startsWith(REF_PREFIX)) throw new Error(`unsupported $ref ${ref}`);
  return ref.slice(REF_PREFIX.length);
}

/** Copies the fact keywords of a schema, rewriting `$ref`s to bare names and recording each name seen. */
function facts(schema: Json, seen: Set<string>): SchemaFacts {
  if (schema.$ref) {
    const name = refName(schema.$ref);
    seen.add(name);
    return { $ref: name };
  }
  const out: Json = {};
  for (const key of SCALAR_KEYWORDS) if (schema[key] !== undefined) out[key] = schema[key];
  if (schema.items) out.items = facts(schema.items, seen);
  if (schema.properties) {
    out.properties = Object.fromEntries(
      Object.entries(schema.properties).map(([k, v]) => [k, facts(v as Json, seen)]),
    );
  }
  if (schema.additionalProperties !== undefined) {
    out.additionalProperties =
      typeof schema.additionalProperties === 'boolean'
        ? schema.additionalProperties
        : facts(schema.additionalProperties, seen);
  }
  for (const key of ['allOf', 'oneOf', 'anyOf'] as const) {
    if (schema[key]) out[key] = schema[key].map((s: Json) => facts(s, seen));
  }
  if (schema.discriminator) {
    const { propertyName, mapping } = schema.discriminator;
    out.discriminator = mapping
      ? { propertyName, mapping: Object.fromEntries(Object.entries(mapping).map(([k, v]) => [k, refName(v as string)])) }
      : { propertyName };
    for (const v of Object.values(out.discriminator.mapping ?? {})) seen.add(v as string);
  }
  return out as SchemaFacts;
}

/** Adds every schema reachable from `roots` to `table`, in sorted order for stable output. */
function closure(spec: Json, roots: Set<string>): Record<string, SchemaFacts> {
  const table: Record<string, SchemaFacts> = {};
  const queue = [...roots];
  while (queue.length) {
    const name = queue.pop()!;
    if (table[name]) continue;
    const source = spec.components.schemas[name];
    if (!source) throw new Error(`missing schema ${name}`);
    const seen = new Set<string>();
    table[name] = facts(source, seen);
    for (const s of seen) if (!table[s]) queue.push(s);
  }
  return Object.fromEntries(Object.keys(table).sort().map((k) => [k, table[k]]));
}

function resolveParameter(spec: Json, p: Json): Json {
  if (!p.$ref) return p;
  const name = p.$ref.replace('#/components/parameters/', '');
  const resolved = spec.components.parameters[name];
  if (!resolved) throw new Error(`missing parameter ${p.$ref}`);
  return resolved;
}

function parameterFacts(spec: Json, raw: Json, seen: Set<string>): ParameterFacts {
  const p = resolveParameter(spec, raw);
  if (p.in !== 'path' && p.in !== 'query') throw new Error(`unsupported parameter location ${p.in} for ${p.name}`);
  const out: ParameterFacts = {
    name: p.name,
    in: p.in,
    required: p.required === true,
    schema: facts(p.schema ?? {}, seen),
  };
  if (p.style) out.style = p.style;
  if (p.explode !== undefined) out.explode = p.explode;
  return out;
}

function bodyFacts(op: Json, seen: Set<string>): BodyFacts | undefined {
  const content = op.requestBody?.content;
  if (!content) return undefined;
  const [mediaType] = Object.keys(content);
  return { required: op.requestBody.required === true, mediaType, schema: facts(content[mediaType].schema ?? {}, seen) };
}

function successOf(op: Json): { status: number; json: boolean; schema?: Json } {
  const code = Object.keys(op.responses).find((c) => c.startsWith('2'));
  if (!code) throw new Error(`no success response for ${op.operationId}`);
  const json = op.responses[code].content?.['application/json'];
  return { status: Number(code), json: Boolean(json), schema: json?.schema };
}

export interface GeneratedFiles {
  /** Source of `src/apis/pinterest/catalog.generated.ts`. */
  catalog: string;
  /** Source of `src/apis/pinterest/responses.generated.ts` (the fakes' answers, and the tools' output schemas). */
  responses: string;
}

export function buildCatalog(spec: Json, sha256?: string): { catalog: Catalog; responses: ResponseCatalog } {
  const requestRefs = new Set<string>();
  const responseRefs = new Set<string>();
  const operations: OperationFacts[] = [];
  const responses: Record<string, SchemaFacts> = {};
  for (const [path, item] of Object.entries<Json>(spec.paths)) {
    if (item.parameters) throw new Error(`path-level parameters on ${path} are not supported`);
    for (const method of METHODS) {
      const op = item[method];
      if (!op) continue;
      const success = successOf(op);
      const facts_: OperationFacts = {
        id: op.operationId,
        method: method.toUpperCase() as HttpMethod,
        path,
        tag: op.tags?.[0] ?? 'untagged',
        parameters: (op.parameters ?? []).map((p: Json) => parameterFacts(spec, p, requestRefs)),
        body: bodyFacts(op, requestRefs),
        success: { status: success.status, json: success.json },
        rateLimitCategory: op['x-ratelimit-category'],
        sandbox: op['x-sandbox'],
        auth: (op.security ?? spec.security ?? []).flatMap((req: Json) =>
          Object.entries(req).map(([scheme, scopes]) => ({ scheme, scopes: scopes as string[] })),
        ),
      };
      if (!facts_.body) delete facts_.body;
      operations.push(facts_);
      if (success.schema) responses[op.operationId] = facts(success.schema, responseRefs);
    }
  }
  const catalog: Catalog = {
    source: { title: spec.info.title, version: spec.info.version, ...(sha256 ? { sha256 } : {}) },
    operations,
    schemas: closure(spec, requestRefs),
  };
  return { catalog, responses: { responses, schemas: closure(spec, responseRefs) } };
}

const HEADER = '// GENERATED by scripts/generate-catalog.ts from the Pinterest OpenAPI description. Do not edit.\n';

export function generateFiles(specText: string): GeneratedFiles {
  const sha256 = createHash('sha256').update(specText).digest('hex');
  const { catalog, responses } = buildCatalog(JSON.parse(specText), sha256);
  return {
    catalog:
      HEADER +
      "import type { Catalog } from '../types.js';\n\n" +
      `export const pinterestCatalog: Catalog = ${JSON.stringify(catalog, null, 1)};\n`,
    responses:
      HEADER +
      "import type { ResponseCatalog } from '../types.js';\n\n" +
      `export const pinterestResponses: ResponseCatalog = ${JSON.stringify(responses, null, 1)};\n`,
  };
}

export const DEFAULT_SPEC_PATH = 'reference/pinterest/openapi-5.23.0.json';
export const OUTPUT_PATHS = {
  catalog: 'src/apis/pinterest/catalog.generated.ts',
  responses: 'src/apis/pinterest/responses.generated.ts',
} as const;
