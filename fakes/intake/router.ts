// Matches request paths against the catalog's path templates, literal segments winning over parameters.
import type { Catalog, OperationFacts } from '../../src/apis/types.js';

export interface RouteMatch {
  operation: OperationFacts;
  /** Decoded path parameters by name. */
  params: Record<string, string>;
}

interface Route {
  operation: OperationFacts;
  /** Literal text, or null for a `{parameter}` segment. */
  segments: readonly (string | null)[];
  names: readonly (string | null)[];
}

export class Router {
  /** Routes per method and segment count, ordered so the first match is the most specific. */
  private readonly table = new Map<string, Route[]>();

  constructor(catalog: Catalog) {
    for (const operation of catalog.operations) {
      const parts = splitPath(operation.path);
      const route: Route = {
        operation,
        segments: parts.map((p) => (isParam(p) ? null : p)),
        names: parts.map((p) => (isParam(p) ? p.slice(1, -1) : null)),
      };
      const key = `${operation.method} ${parts.length}`;
      const list = this.table.get(key) ?? [];
      list.push(route);
      this.table.set(key, list);
    }
    for (const list of this.table.values()) list.sort(bySpecificity);
  }

  /** The most specific operation for `method` and `path` (relative to /v5), or null. */
  match(method: string, path: string): RouteMatch | null {
    const parts = splitPath(path);
    const candidates = this.table.get(`${method.toUpperCase()} ${parts.length}`);
    if (!candidates) return null;
    outer: for (const route of candidates) {
      const params: Record<string, string> = {};
      for (let i = 0; i < parts.length; i++) {
        const literal = route.segments[i];
        if (literal === null) {
          let value: string;
          try {
            value = decodeURIComponent(parts[i]);
          } catch {
            continue outer;
          }
          params[route.names[i]!] = value;
        } else if (literal !== parts[i]) {
          continue outer;
        }
      }
      return { operation: route.operation, params };
    }
    return null;
  }
}

function splitPath(path: string): string[] {
  return path.split('/').filter((p) => p.length > 0);
}

function isParam(segment: string): boolean {
  return segment.startsWith('{') && segment.endsWith('}');
}

/** Earlier literal segments sort first: `/a/{x}/b` beats `/a/{x}/{y}`, and `/a/b/{y}` beats `/a/{x}/c`. */
function bySpecificity(a: Route, b: Route): number {
  for (let i = 0; i < a.segments.length; i++) {
    const la = a.segments[i] !== null;
    const lb = b.segments[i] !== null;
    if (la !== lb) return la ? -1 : 1;
  }
  return 0;
}
