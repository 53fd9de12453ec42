// Reads the ad resources of Whop's TypeScript SDK (facts only) and writes the Whop catalog and its response shapes.
//
// The SDK is generated from Whop's OpenAPI description, so its resource classes say each endpoint's method, path,
// query, body and header parameters, and its interfaces say their types. This turns them into the same catalog facts
// the Pinterest catalog has (OpenAPI 3.0 subset); no prose is carried over. Reading rules, each a fact of the SDK:
// - `this._client.get|post|patch|delete|getAPIList(path, { query | body })` gives method, path and where arguments go;
//   `getAPIList` is a cursor-paginated list (`{data, page_info}`), whose params extend CursorPageParams (`after`).
// - A params property documented "Header param:" (`Idempotency-Key`) is a header, never a body field; an operation
//   that takes it is marked `idempotencyHeader` (the client sends one key per confirmed request).
// - `'a' | 'b'` is an enum, `| null` nullable, `(string & {})` among literals means any string (the literals are
//   only suggestions), `Array<T>` an array; an interface becomes a named schema (namespaces joined with `.`).
// - One correction: a property typed `unknown` whose comment says it has the "same shape as POST /x" is given that
//   operation's body schema (`ads.create`'s inline `ad_group`), so it is validated and guarded like the real create.
import { createHash } from 'node:crypto';
import ts from 'typescript';
import type { Catalog, HttpMethod, OperationFacts, ParameterFacts, ResponseCatalog, SchemaFacts } from '../src/apis/types.js';

export const DEFAULT_WHOP_REFERENCE_DIR = 'reference/whop';
export const WHOP_RESOURCE_FILES = ['ad-campaigns.ts', 'ad-groups.ts', 'ads.ts', 'ad-reports.ts', 'audiences.ts', 'shared-currency.ts'] as const;
export const WHOP_OUTPUT_PATHS = {
  catalog: 'src/apis/whop/catalog.generated.ts',
  responses: 'src/apis/whop/responses.generated.ts',
} as const;

/** SDK resource file -> the operationId prefix (the path's first segment). */
const RESOURCE_IDS: Readonly<Record<string, string>> = {
  'ad-campaigns.ts': 'ad_campaigns',
  'ad-groups.ts': 'ad_groups',
  'ads.ts': 'ads',
  'ad-reports.ts': 'ad_reports',
  'audiences.ts': 'audiences',
};

/** SDK method name -> action in the operationId; the rest are snake-cased. */
const ACTIONS: Readonly<Record<string, string>> = { retrieve: 'get', searchTargetingOptions: 'targeting_options' };
const CLIENT_METHODS: Readonly<Record<string, HttpMethod>> = { get: 'GET', getAPIList: 'GET', post: 'POST', patch: 'PATCH', delete: 'DELETE', put: 'PUT' };
const HEADER = 'Idempotency-Key';
const SAME_SHAPE = /same shape as (GET|POST|PATCH|DELETE) (\/[a-z_]+)/i;

const snake = (name: string): string => name.replace(/ID$/, 'Id').replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();

interface Declaration {
  node: ts.InterfaceDeclaration | ts.TypeAliasDeclaration;
  /** Qualified name: namespaces joined with `.` (`AdGroupCreateParams.Regions.Include`). */
  name: string;
  /** The namespaces it sits in, for resolving the names it uses. */
  scope: string[];
}

function docOf(node: ts.Node): string {
  return ts
    .getJSDocCommentsAndTags(node)
    .map((d) => (typeof d.comment === 'string' ? d.comment : (d.comment ?? []).map((c) => c.text).join('')))
    .join('\n');
}

function propertyName(name: ts.PropertyName): string {
  if (ts.isIdentifier(name) || ts.isStringLiteral(name)) return name.text;
  throw new Error(`unsupported property name ${name.getText()}`);
}

class Reader {
  private readonly declarations = new Map<string, Declaration>();
  readonly schemas: Record<string, SchemaFacts> = {};
  private readonly building = new Set<string>();
  /** Body schemas by `METHOD /path`, for the "same shape as" correction (filled as operations are read). */
  readonly bodyByRoute = new Map<string, string>();

  constructor(readonly files: ReadonlyMap<string, ts.SourceFile>) {
    for (const file of files.values()) this.collect(file.statements, []);
  }

  private collect(statements: ts.NodeArray<ts.Statement>, scope: string[]): void {
    for (const statement of statements) {
      if (ts.isInterfaceDeclaration(statement) || ts.isTypeAliasDeclaration(statement)) {
        const name = [...scope, statement.name.text].join('.');
        // The first declaration wins: `shared-currency.ts`'s Currency is read as `Shared.Currency` by its users.
        if (!this.declarations.has(name)) this.declarations.set(name, { node: statement, name, scope });
      } else if (ts.isModuleDeclaration(statement) && statement.body && ts.isModuleBlock(statement.body)) {
        this.collect(statement.body.statements, [...scope, statement.name.text]);
      }
    }
  }

  /** Finds a referenced name from inside `scope` (innermost namespace first); module aliases (`Shared.`, `AdReportsAPI.`) are dropped. */
  resolve(name: string, scope: readonly string[]): Declaration {
    const bare = name.replace(/^(Shared|[A-Za-z]+API)\./, '');
    for (let depth = scope.length; depth >= 0; depth--) {
      const found = this.declarations.get([...scope.slice(0, depth), bare].join('.'));
      if (found) return found;
    }
    throw new Error(`cannot resolve type ${name} from ${scope.join('.') || 'top level'}`);
  }

  /** The named schema of an interface (built once), as a `$ref`. */
  ref(declaration: Declaration, omit: readonly string[] = []): SchemaFacts {
    const name = declaration.name;
    if (!this.schemas[name] && !this.building.has(name)) {
      this.building.add(name);
      this.schemas[name] = this.interfaceFacts(declaration, omit);
      this.building.delete(name);
    }
    return { $ref: name };
  }

  interfaceFacts(declaration: Declaration, omit: readonly string[] = []): SchemaFacts {
    const node = declaration.node;
    if (!ts.isInterfaceDeclaration(node)) throw new Error(`${declaration.name} is not an interface`);
    const inner = [...declaration.scope, node.name.text];
    const properties: Record<string, SchemaFacts> = {};
    const required: string[] = [];
    const cursor = node.heritageClauses?.some((h) => h.types.some((t) => t.expression.getText() === 'CursorPageParams'));
    if (cursor) properties.after = { type: 'string' };
    for (const member of node.members) {
      if (!ts.isPropertySignature(member) || !member.type) continue;
      const name = propertyName(member.name);
      if (omit.includes(name)) continue;
      let facts = this.type(member.type, inner);
      const same = member.type.kind === ts.SyntaxKind.UnknownKeyword ? SAME_SHAPE.exec(docOf(member)) : null;
      if (same) {
        const body = this.bodyByRoute.get(`${same[1].toUpperCase()} ${same[2]}`);
        if (!body) throw new Error(`${declaration.name}.${name}: no body read yet for ${same[1]} ${same[2]}`);
        facts = { $ref: body };
      }
      properties[name] = facts;
      if (!member.questionToken) required.push(name);
    }
    return { type: 'object', ...(required.length ? { required } : {}), properties };
  }

  type(node: ts.TypeNode, scope: readonly string[]): SchemaFacts {
    switch (node.kind) {
      case ts.SyntaxKind.StringKeyword:
        return { type: 'string' };
      case ts.SyntaxKind.NumberKeyword:
        return { type: 'number' };
      case ts.SyntaxKind.BooleanKeyword:
        return { type: 'boolean' };
      case ts.SyntaxKind.UnknownKeyword:
      case ts.SyntaxKind.AnyKeyword:
        return {};
    }
    if (ts.isParenthesizedTypeNode(node)) return this.type(node.type, scope);
    if (ts.isLiteralTypeNode(node)) {
      if (ts.isStringLiteral(node.literal)) return { type: 'string', enum: [node.literal.text] };
      if (node.literal.kind === ts.SyntaxKind.TrueKeyword || node.literal.kind === ts.SyntaxKind.FalseKeyword) return { type: 'boolean' };
      if (node.literal.kind === ts.SyntaxKind.NullKeyword) return { nullable: true };
    }
    if (ts.isArrayTypeNode(node)) return { type: 'array', items: this.type(node.elementType, scope) };
    if (ts.isTypeLiteralNode(node)) {
      const properties: Record<string, SchemaFacts> = {};
      const required: string[] = [];
      for (const member of node.members) {
        if (!ts.isPropertySignature(member) || !member.type) continue;
        properties[propertyName(member.name)] = this.type(member.type, scope);
        if (!member.questionToken) required.push(propertyName(member.name));
      }
      return { type: 'object', ...(required.length ? { required } : {}), properties };
    }
    if (ts.isUnionTypeNode(node)) return this.union(node, scope);
    if (ts.isIntersectionTypeNode(node)) {
      // `string & {}`: any string (used beside literals so that they stay suggestions).
      if (node.types.some((t) => t.kind === ts.SyntaxKind.StringKeyword)) return { type: 'string', format: 'any-string' };
    }
    if (ts.isTypeReferenceNode(node)) {
      const name = node.typeName.getText();
      if (name === 'Array' && node.typeArguments?.length === 1) return { type: 'array', items: this.type(node.typeArguments[0], scope) };
      const declaration = this.resolve(name, scope);
      if (ts.isTypeAliasDeclaration(declaration.node)) return this.type(declaration.node.type, declaration.scope);
      return this.ref(declaration);
    }
    throw new Error(`unsupported type ${node.getText()}`);
  }

  private union(node: ts.UnionTypeNode, scope: readonly string[]): SchemaFacts {
    const parts = node.types.map((t) => this.type(t, scope));
    const nullable = parts.some((p) => p.nullable && Object.keys(p).length === 1);
    const rest = parts.filter((p) => !(p.nullable && Object.keys(p).length === 1));
    const anyString = rest.some((p) => p.format === 'any-string');
    const literals = rest.filter((p) => p.type === 'string' && p.enum);
    const others = rest.filter((p) => !(p.type === 'string' && (p.enum || p.format === 'any-string')));
    const variants: SchemaFacts[] = [...others];
    if (anyString) variants.unshift({ type: 'string' });
    else if (literals.length) variants.unshift({ type: 'string', enum: literals.flatMap((l) => l.enum ?? []) });
    const booleans = variants.filter((v) => v.type === 'boolean');
    const distinct = booleans.length > 1 ? [...variants.filter((v) => v.type !== 'boolean'), { type: 'boolean' as const }] : variants;
    const one: SchemaFacts = distinct.length === 1 ? distinct[0] : { oneOf: distinct };
    return nullable ? { ...one, nullable: true } : one;
  }
}

/** `path\`/ad_groups/${id}\`` or `'/ad_groups'` -> `/ad_groups/{id}`, with the path parameter names. */
function readPath(arg: ts.Expression): { path: string; params: string[] } {
  if (ts.isStringLiteral(arg) || ts.isNoSubstitutionTemplateLiteral(arg)) return { path: arg.text, params: [] };
  if (ts.isTaggedTemplateExpression(arg)) {
    const template = arg.template;
    if (ts.isNoSubstitutionTemplateLiteral(template)) return { path: template.text, params: [] };
    const params: string[] = [];
    let path = template.head.text;
    for (const span of template.templateSpans) {
      const name = snake(span.expression.getText());
      params.push(name);
      path += `{${name}}${span.literal.text}`;
    }
    return { path, params };
  }
  throw new Error(`unsupported path ${arg.getText()}`);
}

function clientCall(method: ts.MethodDeclaration): ts.CallExpression {
  let found: ts.CallExpression | undefined;
  const visit = (node: ts.Node): void => {
    if (
      !found &&
      ts.isCallExpression(node) &&
      ts.isPropertyAccessExpression(node.expression) &&
      node.expression.expression.getText() === 'this._client' &&
      node.expression.name.text in CLIENT_METHODS
    ) {
      found = node;
    }
    ts.forEachChild(node, visit);
  };
  visit(method);
  if (!found) throw new Error(`no client call in ${method.name.getText()}`);
  return found;
}

/** The declared type name of a method parameter (`AdGroupCreateParams`), or undefined. */
function paramType(parameter: ts.ParameterDeclaration): string | undefined {
  const type = parameter.type;
  if (!type) return undefined;
  const ref = ts.isUnionTypeNode(type) ? type.types.find(ts.isTypeReferenceNode) : ts.isTypeReferenceNode(type) ? type : undefined;
  return ref?.typeName.getText();
}

/** What the call's options object (its last object argument) passes on: `query`, `body`, or neither. */
function passes(call: ts.CallExpression): { query: boolean; body: boolean } {
  const options = [...call.arguments].reverse().find(ts.isObjectLiteralExpression);
  const names = new Set((options?.properties ?? []).map((p) => p.name?.getText()));
  return { query: names.has('query'), body: names.has('body') };
}

/** The response shape a method's return type names: `APIPromise<X>` or a cursor page of `X`. */
function responseOf(reader: Reader, method: ts.MethodDeclaration, scope: string[]): SchemaFacts {
  const type = method.type;
  if (!type || !ts.isTypeReferenceNode(type) || !type.typeArguments?.length) throw new Error(`no return type on ${method.name.getText()}`);
  const wrapper = type.typeName.getText();
  if (wrapper === 'PagePromise') {
    const item = reader.type(type.typeArguments[1], scope);
    return { type: 'object', required: ['data', 'page_info'], properties: { data: { type: 'array', items: item }, page_info: { $ref: 'PageInfo' } } };
  }
  return reader.type(type.typeArguments[0], scope);
}

function readOperations(reader: Reader, fileName: string, file: ts.SourceFile, responses: Record<string, SchemaFacts>): OperationFacts[] {
  const resource = RESOURCE_IDS[fileName];
  const cls = file.statements.find(ts.isClassDeclaration);
  if (!cls) throw new Error(`no resource class in ${fileName}`);
  const operations: OperationFacts[] = [];
  for (const member of cls.members) {
    if (!ts.isMethodDeclaration(member)) continue;
    const methodName = member.name.getText();
    const call = clientCall(member);
    const verb = CLIENT_METHODS[(call.expression as ts.PropertyAccessExpression).name.text];
    const { path, params: pathParams } = readPath(call.arguments[0]);
    const id = `${resource}/${ACTIONS[methodName] ?? snake(methodName)}`;
    const sends = passes(call);
    const parameters: ParameterFacts[] = pathParams.map((name) => ({ name, in: 'path', required: true, schema: { type: 'string' } }));
    let body: OperationFacts['body'];
    let idempotencyHeader: string | undefined;
    for (const parameter of member.parameters) {
      const typeName = paramType(parameter);
      if (!typeName || typeName === 'RequestOptions') continue;
      const declaration = reader.resolve(typeName, []);
      const facts = reader.interfaceFacts(declaration);
      if (facts.properties?.[HEADER]) idempotencyHeader = HEADER;
      const optional = parameter.questionToken !== undefined || parameter.initializer !== undefined;
      if (sends.query && parameter.name.getText() === 'query') {
        for (const [name, schema] of Object.entries(facts.properties ?? {})) {
          parameters.push({ name, in: 'query', required: (facts.required ?? []).includes(name), schema });
        }
      } else if (sends.body) {
        const schema = reader.ref(declaration, [HEADER]);
        body = { required: !optional, mediaType: 'application/json', schema };
        reader.bodyByRoute.set(`${verb} ${path}`, declaration.name);
      }
    }
    responses[id] = responseOf(reader, member, []);
    operations.push({
      id,
      method: verb,
      path,
      tag: 'whop',
      parameters,
      ...(body ? { body } : {}),
      success: { status: 200, json: true },
      ...(idempotencyHeader ? { idempotencyHeader } : {}),
      auth: [{ scheme: 'bearerAuth', scopes: [] }],
    });
  }
  return operations;
}

/** Every operation's `$ref`s resolve; schemas only reached from responses go to the response file. */
function reachable(roots: readonly SchemaFacts[], schemas: Readonly<Record<string, SchemaFacts>>): Set<string> {
  const seen = new Set<string>();
  const walk = (facts: SchemaFacts | undefined): void => {
    if (!facts) return;
    if (facts.$ref && !seen.has(facts.$ref)) {
      seen.add(facts.$ref);
      walk(schemas[facts.$ref]);
    }
    for (const child of [...Object.values(facts.properties ?? {}), facts.items, ...(facts.oneOf ?? []), ...(facts.anyOf ?? []), ...(facts.allOf ?? [])]) walk(child);
    if (typeof facts.additionalProperties === 'object') walk(facts.additionalProperties);
  };
  roots.forEach(walk);
  return seen;
}

function pick(schemas: Readonly<Record<string, SchemaFacts>>, names: Set<string>): Record<string, SchemaFacts> {
  return Object.fromEntries(Object.keys(schemas).filter((n) => names.has(n)).sort().map((n) => [n, schemas[n]]));
}

export interface WhopFiles {
  catalog: string;
  responses: string;
}

/** Both generated files from the SDK files' texts (keyed by file name). */
export function generateWhopFiles(sources: Readonly<Record<string, string>>): WhopFiles {
  const files = new Map<string, ts.SourceFile>();
  const hash = createHash('sha256');
  for (const name of WHOP_RESOURCE_FILES) {
    const text = sources[name];
    if (text === undefined) throw new Error(`missing ${name}`);
    hash.update(`${name}\n${text}\n`);
    files.set(name, ts.createSourceFile(name, text, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS));
  }
  const reader = new Reader(files);
  reader.schemas.PageInfo = {
    type: 'object',
    required: ['end_cursor', 'has_next_page'],
    properties: {
      end_cursor: { type: 'string', nullable: true },
      start_cursor: { type: 'string', nullable: true },
      has_next_page: { type: 'boolean' },
      has_previous_page: { type: 'boolean' },
    },
  };
  const responses: Record<string, SchemaFacts> = {};
  // Ad groups first: `ads.create` refers to their create body.
  const order = ['ad-campaigns.ts', 'ad-groups.ts', 'ads.ts', 'ad-reports.ts', 'audiences.ts'];
  const operations = order.flatMap((name) => readOperations(reader, name, files.get(name)!, responses));
  const requestRoots = operations.flatMap((op) => [...op.parameters.map((p) => p.schema), ...(op.body ? [op.body.schema] : [])]);
  const requestNames = reachable(requestRoots, reader.schemas);
  const responseNames = reachable(Object.values(responses), reader.schemas);
  const catalog: Catalog = {
    source: { title: 'Whop API', version: '@whop/sdk 0.0.42 (ad resources)', sha256: hash.digest('hex') },
    operations,
    schemas: pick(reader.schemas, requestNames),
  };
  const responseCatalog: ResponseCatalog = { responses, schemas: pick(reader.schemas, responseNames) };
  return {
    catalog:
      '// GENERATED by scripts/generate-whop-catalog.ts from the ad resources of Whop\'s TypeScript SDK. Do not edit.\n' +
      "import type { Catalog } from '../types.js';\n\n" +
      `export const whopCatalog: Catalog = ${JSON.stringify(catalog, null, 1)};\n`,
    responses:
      '// GENERATED by scripts/generate-whop-catalog.ts: the success shapes of the Whop operations, for the fake Whop API and the output schemas of its tools. Do not edit.\n' +
      "import type { ResponseCatalog } from '../types.js';\n\n" +
      `export const whopResponses: ResponseCatalog = ${JSON.stringify(responseCatalog, null, 1)};\n`,
  };
}
