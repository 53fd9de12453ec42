// A request read against an API's catalog: the operation it is for, its parameters decoded and checked, its body checked.
import type { Catalog, OperationFacts, ResponseCatalog, SchemaFacts } from '../../src/apis/types.js';
import type { IncomingCall } from './http.js';
import { Router } from './router.js';
import { ResponseSynthesizer } from './synthesize.js';
import { RequestValidator } from './validate.js';

/** A request once checked against the catalog. */
export interface CheckedCall {
  /** The operation matched, undefined when no route matched. */
  op: OperationFacts | undefined;
  /** Path and query parameters decoded per the catalog, ready for the handlers (empty when no operation matched). */
  params: { path: Record<string, unknown>; query: Record<string, unknown> };
  /** Parsed JSON (or form fields), the raw text when it could not be read as the operation expects, undefined when empty. */
  body: unknown;
  /** Everything that makes the request not conform to the catalog: route, parameters, Content-Type and body. */
  problems: string[];
}

/** What every fake records of a request it received. */
export interface RecordedCall {
  method: string;
  /** Below the API's base path (`/v5`, `/api/v1`), without the query string. */
  path: string;
  /** Parsed query; repeated keys become arrays. */
  query: Record<string, string | string[]>;
  /** Header names lower-cased. */
  headers: Record<string, string>;
  /** Parsed JSON (or form fields), the raw text when it did not parse, undefined when empty. */
  body: unknown;
  /** Whether the request matched a route and its parameters and body conform to the catalog. */
  valid: boolean;
  problems: string[];
  /** Status answered; 0 until answered, and when a fault dropped the socket. */
  status: number;
}

/** The record of a checked request, not answered yet. */
export function recordOf(call: IncomingCall, checked: CheckedCall): RecordedCall {
  const { method, path, query, headers } = call;
  return { method, path, query, headers, body: checked.body, valid: checked.problems.length === 0, problems: checked.problems, status: 0 };
}

export interface CatalogIntakeOptions {
  /** Refuse body properties the catalog does not list, as an API that rejects unknown fields does (Whop). */
  refuseUnlistedProperties?: boolean;
}

/** The catalog-derived machinery of one fake API: stateless, built once and shared by every server in the process. */
export class CatalogIntake {
  readonly router: Router;
  readonly validator: RequestValidator;
  readonly synthesizer: ResponseSynthesizer;

  constructor(catalog: Catalog, responses: ResponseCatalog, options: CatalogIntakeOptions = {}) {
    this.router = new Router(catalog);
    this.validator = new RequestValidator(options.refuseUnlistedProperties ? closedCatalog(catalog) : catalog);
    this.synthesizer = new ResponseSynthesizer(responses);
  }

  /** Matches `call` to its operation (when under the base path) and checks its parameters, then its body. */
  check(call: IncomingCall): CheckedCall {
    const match = call.underBase ? this.router.match(call.method, call.path) : null;
    const op = match?.operation;
    const problems: string[] = [];
    const body = parseBody(call.raw, call.headers['content-type'], op?.body?.mediaType, problems);
    if (!op || !match) {
      return { op: undefined, params: { path: {}, query: {} }, body: body.value, problems: [`no operation matches ${call.method} ${call.path}`] };
    }
    const params = this.validator.validateParams(op, { path: match.params, query: call.query });
    problems.unshift(...params.problems);
    if (op.body && call.raw.length === 0 && op.body.required) problems.push('request body is required');
    if (op.body && body.ok && body.value !== undefined) problems.push(...this.validator.validateBody(op, body.value));
    return { op, params: { path: params.path, query: params.query }, body: body.value, problems };
  }
}

/**
 * Parses a body by its Content-Type, adding to `problems` what keeps it from being the `expected` media type; `ok` is
 * false when it could not be read as the operation expects (then it is not checked against the schema).
 */
export function parseBody(
  raw: Buffer,
  contentType: string | undefined,
  expected: string | undefined,
  problems: string[],
): { value: unknown; ok: boolean } {
  if (raw.length === 0) return { value: undefined, ok: true };
  const text = raw.toString('utf8');
  const mediaType = (contentType ?? '').split(';')[0].trim().toLowerCase();
  if (expected && mediaType !== expected) {
    problems.push(`Content-Type must be ${expected}${mediaType ? `, not ${mediaType}` : ''}`);
  }
  if (mediaType === 'application/x-www-form-urlencoded') {
    return { value: Object.fromEntries(new URLSearchParams(text)), ok: !expected || expected === mediaType };
  }
  if (mediaType === 'application/json' || mediaType.endsWith('+json') || (!mediaType && expected === 'application/json')) {
    try {
      return { value: JSON.parse(text), ok: !expected || expected === mediaType };
    } catch {
      if (expected) problems.push('request body is not valid JSON');
      return { value: text, ok: false };
    }
  }
  return { value: text, ok: false };
}

/** A copy of a schema in which every object refuses properties it does not list. */
function closeObjects(facts: SchemaFacts): SchemaFacts {
  const out: SchemaFacts = { ...facts };
  if (facts.properties) {
    out.properties = Object.fromEntries(Object.entries(facts.properties).map(([k, v]) => [k, closeObjects(v)]));
    if (facts.additionalProperties === undefined) out.additionalProperties = false;
  }
  if (facts.items) out.items = closeObjects(facts.items);
  for (const key of ['allOf', 'oneOf', 'anyOf'] as const) {
    const parts = facts[key];
    if (parts) out[key] = parts.map(closeObjects);
  }
  return out;
}

function closedCatalog(catalog: Catalog): Catalog {
  return {
    ...catalog,
    operations: catalog.operations.map((op) => (op.body ? { ...op, body: { ...op.body, schema: closeObjects(op.body.schema) } } : op)),
    schemas: Object.fromEntries(Object.entries(catalog.schemas).map(([k, v]) => [k, closeObjects(v)])),
  };
}
