// Checks emulator requests against the catalog: query/path parameters (decoded per style) and bodies, with Ajv.
import AjvModule from 'ajv';
import type { ErrorObject, ValidateFunction } from 'ajv';
import type { Catalog, OperationFacts, ParameterFacts, ResponseCatalog, SchemaFacts } from '../../src/apis/types.js';

const Ajv = AjvModule.default;

type JsonSchema = Record<string, unknown>;

const CATALOG_ID = 'pinterest-catalog';
const RESPONSES_ID = 'pinterest-responses';
const FORMATS: Record<string, RegExp | true> = {
  date: /^\d{4}-\d{2}-\d{2}$/,
  'date-time': /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:?\d{2})$/,
  password: true,
  int64: true,
};
const COPIED_KEYWORDS = [
  'type',
  'format',
  'pattern',
  'minimum',
  'maximum',
  'multipleOf',
  'minLength',
  'maxLength',
  'minItems',
  'maxItems',
  'uniqueItems',
  'minProperties',
  'maxProperties',
] as const;

/** OpenAPI 3.0 schema facts -> draft-07 JSON Schema. Bare `$ref` names point into the shared definitions. */
export function toJsonSchema(
  facts: SchemaFacts,
  schemas: Readonly<Record<string, SchemaFacts>>,
  catalogId = CATALOG_ID,
): JsonSchema {
  const convert = (part: SchemaFacts): JsonSchema => toJsonSchema(part, schemas, catalogId);
  if (facts.$ref) {
    const ref: JsonSchema = { $ref: `${catalogId}#/definitions/${facts.$ref}` };
    return facts.nullable ? nullable(ref) : ref;
  }
  const out: JsonSchema = {};
  for (const key of COPIED_KEYWORDS) {
    if (facts[key] !== undefined) out[key] = facts[key];
  }
  if (facts.exclusiveMinimum === true && facts.minimum !== undefined) {
    delete out.minimum;
    out.exclusiveMinimum = facts.minimum;
  }
  if (facts.exclusiveMaximum === true && facts.maximum !== undefined) {
    delete out.maximum;
    out.exclusiveMaximum = facts.maximum;
  }
  let allowsNull = facts.nullable === true;
  if (facts.enum) {
    if (facts.enum.includes(null)) allowsNull = true;
    out.enum = facts.enum.filter((v) => v !== null);
    if ((out.enum as unknown[]).length === 0) return { type: 'null' };
  }
  if (facts.items) out.items = convert(facts.items);
  if (facts.properties) {
    const props: Record<string, JsonSchema> = {};
    for (const [name, prop] of Object.entries(facts.properties)) props[name] = convert(prop);
    out.properties = props;
  }
  if (facts.required) {
    // A request may omit properties the API marks readOnly (the server fills them in).
    const required = facts.required.filter((name) => !isReadOnly(facts.properties?.[name], schemas));
    if (required.length) out.required = required;
  }
  if (facts.additionalProperties !== undefined) {
    out.additionalProperties =
      typeof facts.additionalProperties === 'boolean'
        ? facts.additionalProperties
        : convert(facts.additionalProperties);
  }
  if (facts.allOf) out.allOf = facts.allOf.map(convert);
  // oneOf is checked as anyOf: the catalog's unions rely on a discriminator Ajv does not see, and
  // overlapping variants would otherwise reject bodies the tool layer (a plain union) accepts.
  const variants = facts.oneOf ?? facts.anyOf;
  if (variants) out.anyOf = variants.map(convert);
  return allowsNull ? nullable(out) : out;
}

function nullable(schema: JsonSchema): JsonSchema {
  return { if: { type: 'null' }, else: schema };
}

function isReadOnly(facts: SchemaFacts | undefined, schemas: Readonly<Record<string, SchemaFacts>>): boolean {
  if (!facts) return false;
  if (facts.readOnly) return true;
  if (facts.$ref) return isReadOnly(schemas[facts.$ref], schemas);
  return facts.allOf?.some((part) => isReadOnly(part, schemas)) ?? false;
}

/** The JSON type a parameter schema carries, looking through `$ref` and `allOf`. */
function typeOf(facts: SchemaFacts | undefined, schemas: Readonly<Record<string, SchemaFacts>>, depth = 0): string | undefined {
  if (!facts || depth > 10) return undefined;
  if (facts.type) return facts.type;
  if (facts.$ref) return typeOf(schemas[facts.$ref], schemas, depth + 1);
  for (const part of [...(facts.allOf ?? []), ...(facts.oneOf ?? []), ...(facts.anyOf ?? [])]) {
    const t = typeOf(part, schemas, depth + 1);
    if (t) return t;
  }
  if (facts.properties) return 'object';
  if (facts.items) return 'array';
  return undefined;
}

function itemsOf(facts: SchemaFacts | undefined, schemas: Readonly<Record<string, SchemaFacts>>, depth = 0): SchemaFacts | undefined {
  if (!facts || depth > 10) return undefined;
  if (facts.items) return facts.items;
  if (facts.$ref) return itemsOf(schemas[facts.$ref], schemas, depth + 1);
  for (const part of facts.allOf ?? []) {
    const items = itemsOf(part, schemas, depth + 1);
    if (items) return items;
  }
  return undefined;
}

/** A property's schema anywhere in an object schema (own properties, refs, allOf and union variants). */
function propertyOf(
  facts: SchemaFacts | undefined,
  name: string,
  schemas: Readonly<Record<string, SchemaFacts>>,
  depth = 0,
): SchemaFacts | undefined {
  if (!facts || depth > 10) return undefined;
  const own = facts.properties?.[name];
  if (own) return own;
  if (facts.$ref) return propertyOf(schemas[facts.$ref], name, schemas, depth + 1);
  for (const part of [...(facts.allOf ?? []), ...(facts.oneOf ?? []), ...(facts.anyOf ?? [])]) {
    const found = propertyOf(part, name, schemas, depth + 1);
    if (found) return found;
  }
  return undefined;
}

/** Turns a query string value into the type its schema declares; leaves it alone when it does not parse. */
function coerceScalar(value: string, type: string | undefined): unknown {
  switch (type) {
    case 'integer':
      return /^-?\d+$/.test(value) ? Number(value) : value;
    case 'number': {
      const n = Number(value);
      return value.trim() !== '' && Number.isFinite(n) ? n : value;
    }
    case 'boolean':
      return value === 'true' ? true : value === 'false' ? false : value;
    default:
      return value;
  }
}

export interface ParamInput {
  path: Record<string, string>;
  query: Record<string, string | string[]>;
}

export interface ParamResult {
  /** Decoded, type-coerced parameters, ready for the handlers. */
  path: Record<string, unknown>;
  query: Record<string, unknown>;
  problems: string[];
}

/** An Ajv instance with our formats and a table of schemas registered under `id` (refs resolve as `id#/definitions/Name`). */
function catalogAjv(schemas: Readonly<Record<string, SchemaFacts>>, id: string): InstanceType<typeof Ajv> {
  const ajv = new Ajv({ strict: false, allErrors: true, logger: false });
  for (const [name, test] of Object.entries(FORMATS)) ajv.addFormat(name, test);
  const definitions: Record<string, JsonSchema> = {};
  for (const [name, facts] of Object.entries(schemas)) definitions[name] = toJsonSchema(facts, schemas, id);
  ajv.addSchema({ $id: id, definitions });
  return ajv;
}

interface CompiledOperation {
  params: ValidateFunction;
  body?: ValidateFunction;
}

export class RequestValidator {
  private readonly ajv: InstanceType<typeof Ajv>;
  private readonly compiled = new Map<string, CompiledOperation>();

  constructor(private readonly catalog: Catalog) {
    this.ajv = catalogAjv(catalog.schemas, CATALOG_ID);
  }

  /** Compiles (once, lazily) the validators of one operation. */
  private compile(op: OperationFacts): CompiledOperation {
    let entry = this.compiled.get(op.id);
    if (entry) return entry;
    const section = (where: 'path' | 'query'): JsonSchema => {
      const params = op.parameters.filter((p) => p.in === where);
      const properties: Record<string, JsonSchema> = {};
      for (const p of params) properties[p.name] = toJsonSchema(p.schema, this.catalog.schemas);
      const required = params.filter((p) => p.required).map((p) => p.name);
      return { type: 'object', properties, ...(required.length ? { required } : {}) };
    };
    const paramsSchema = { type: 'object', properties: { path: section('path'), query: section('query') } };
    entry = { params: this.ajv.compile(paramsSchema) };
    if (op.body) entry.body = this.ajv.compile(toJsonSchema(op.body.schema, this.catalog.schemas));
    this.compiled.set(op.id, entry);
    return entry;
  }

  /** Compiles every operation's validators now (tests use it to prove all catalog schemas compile). */
  compileAll(): void {
    for (const op of this.catalog.operations) this.compile(op);
  }

  /** Decodes and checks path and query parameters. */
  validateParams(op: OperationFacts, input: ParamInput): ParamResult {
    const problems: string[] = [];
    const path: Record<string, unknown> = {};
    const query: Record<string, unknown> = {};
    for (const p of op.parameters) {
      if (p.in === 'path' && input.path[p.name] !== undefined) {
        path[p.name] = this.decode(p, [input.path[p.name]], problems);
      }
    }
    const byName = new Map(op.parameters.filter((p) => p.in === 'query').map((p) => [p.name, p]));
    const deep: Record<string, [string[], string[]][]> = {};
    for (const [key, raw] of Object.entries(input.query)) {
      const values = Array.isArray(raw) ? raw : [raw];
      const param = byName.get(key);
      if (param) {
        if (param.style === 'deepObject') {
          problems.push(`query parameter '${key}' must be sent as ${key}[property]=value`);
          continue;
        }
        query[key] = this.decode(param, values, problems);
        continue;
      }
      const bracket = /^([^[\]]+)((?:\[[^[\]]*\])+)$/.exec(key);
      const owner = bracket ? byName.get(bracket[1]) : undefined;
      if (bracket && owner?.style === 'deepObject') {
        (deep[bracket[1]] ??= []).push([[...bracket[2].matchAll(/\[([^[\]]*)\]/g)].map((m) => m[1]), values]);
        continue;
      }
      problems.push(`unknown query parameter '${key}'`);
    }
    for (const [name, members] of Object.entries(deep)) {
      const param = byName.get(name)!;
      const object: Record<string, unknown> = {};
      for (const [keys, values] of members) {
        // One bracket per level (`name[report][report_type]`): walk the schema and the object along the keys.
        let facts: SchemaFacts | undefined = param.schema;
        let holder = object;
        for (const [i, prop] of keys.entries()) {
          facts = propertyOf(facts, prop, this.catalog.schemas);
          if (i < keys.length - 1) holder = (holder[prop] ??= {}) as Record<string, unknown>;
        }
        const prop = keys[keys.length - 1];
        const type = typeOf(facts, this.catalog.schemas);
        if (type === 'array') {
          const itemType = typeOf(itemsOf(facts, this.catalog.schemas), this.catalog.schemas);
          holder[prop] = values.map((v) => coerceScalar(v, itemType));
        } else {
          if (values.length > 1) problems.push(`query parameter '${name}[${keys.join('][')}]' must not be repeated`);
          holder[prop] = coerceScalar(values[values.length - 1], type);
        }
      }
      query[name] = object;
    }
    const { params } = this.compile(op);
    if (!params({ path, query })) problems.push(...formatErrors(params.errors, 'params'));
    return { path, query, problems };
  }

  /** Checks a parsed body against the operation's body schema. */
  validateBody(op: OperationFacts, body: unknown): string[] {
    const { body: validate } = this.compile(op);
    if (!validate || validate(body)) return [];
    return formatErrors(validate.errors, 'body');
  }

  /** One parameter's raw values -> typed value, following its style and explode settings. */
  private decode(param: ParameterFacts, values: string[], problems: string[]): unknown {
    const schemas = this.catalog.schemas;
    const type = typeOf(param.schema, schemas);
    if (type === 'array') {
      const itemType = typeOf(itemsOf(param.schema, schemas), schemas);
      // Path parameters (style simple) and `explode: false` form parameters carry a comma-joined list.
      const joined = param.in === 'path' || param.explode === false;
      if (joined && values.length > 1) {
        problems.push(`${param.in} parameter '${param.name}' must be one comma-separated value, not repeated`);
      }
      const items = joined ? values.flatMap((v) => v.split(',')) : values;
      return items.map((v) => coerceScalar(v, itemType));
    }
    if (values.length > 1) problems.push(`${param.in} parameter '${param.name}' must not be repeated`);
    return coerceScalar(values[values.length - 1], type);
  }
}

/** Checks answers against the generated success-response schemas (used by tests to keep the emulator honest). */
export class ResponseValidator {
  private readonly ajv: InstanceType<typeof Ajv>;
  private readonly compiled = new Map<string, ValidateFunction>();

  constructor(private readonly responses: ResponseCatalog) {
    this.ajv = catalogAjv(responses.schemas, RESPONSES_ID);
  }

  /** Problems of `body` as the answer of `operationId` (empty when it conforms or nothing is documented). */
  validate(operationId: string, body: unknown): string[] {
    let validate = this.compiled.get(operationId);
    if (!validate) {
      const schema = this.responses.responses[operationId];
      if (!schema) return [];
      validate = this.ajv.compile(toJsonSchema(schema, this.responses.schemas, RESPONSES_ID));
      this.compiled.set(operationId, validate);
    }
    return validate(body) ? [] : formatErrors(validate.errors, 'body');
  }
}

function formatErrors(errors: ErrorObject[] | null | undefined, scope: 'params' | 'body'): string[] {
  if (!errors?.length) return [];
  // Wrapper keywords only restate their branches' failures.
  const specific = errors.filter((e) => e.keyword !== 'if' && e.keyword !== 'anyOf');
  const chosen = specific.length ? specific : errors;
  const out = new Set<string>();
  for (const error of chosen) {
    out.add(scope === 'params' ? paramMessage(error) : bodyMessage(error));
    if (out.size >= 20) break;
  }
  return [...out];
}

function pointerToPath(pointer: string): string {
  return pointer
    .split('/')
    .slice(1)
    .map((seg) => seg.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((seg) => (/^\d+$/.test(seg) ? `[${seg}]` : `.${seg}`))
    .join('');
}

function describe(error: ErrorObject): string {
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'enum':
      return `must be one of ${(params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
    case 'additionalProperties':
      return `must not have unknown property '${String(params.additionalProperty)}'`;
    default:
      return error.message ?? 'is invalid';
  }
}

function paramMessage(error: ErrorObject): string {
  const segments = error.instancePath.split('/').slice(1);
  const where = segments[0] === 'path' ? 'path' : 'query';
  if (error.keyword === 'required' && segments.length === 1) {
    const missing = String((error.params as Record<string, unknown>).missingProperty);
    return `missing required ${where} parameter '${missing}'`;
  }
  const name = segments[1] ?? '';
  const rest = pointerToPath('/' + segments.slice(2).join('/')).replace(/^\.$/, '');
  return `${where} parameter '${name}${segments.length > 2 ? rest : ''}' ${describe(error)}`;
}

function bodyMessage(error: ErrorObject): string {
  const where = `body${pointerToPath(error.instancePath)}`;
  if (error.keyword === 'required') {
    return `${where} must have required property '${String((error.params as Record<string, unknown>).missingProperty)}'`;
  }
  return `${where} ${describe(error)}`;
}
