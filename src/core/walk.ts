// Walks parsed JSON values (request bodies, API answers) node by node: the one traversal the guards and tools share.

/** A property name in an object, or an index in an array. */
export type JsonKey = string | number;
/** The keys from the root to a node: `['body', 'items', 0, 'budget']`. */
export type JsonPath = readonly JsonKey[];

/** What a visitor may answer: `skip` leaves the node's children unvisited, `stop` ends the walk. */
export type WalkStep = 'skip' | 'stop' | void;

/**
 * Called for each node, parents before children. `path` is valid during the call only (it is the walker's own
 * stack): copy or format it to keep it. `key` and `parent` are undefined for the root.
 */
export type Visitor = (value: unknown, path: JsonPath, key: JsonKey | undefined, parent: object | undefined) => WalkStep;

/**
 * How deep a walk goes before it throws. The walk keeps its own stack, so the limit is a choice, not the engine's:
 * far above any API's bodies (tens of levels), and above the depth at which the recursive walkers this replaced ran
 * out of call stack (a few thousand), so no value they could walk is refused. It ends a walk of a cyclic value.
 */
export const MAX_JSON_DEPTH = 10_000;

/**
 * The deepest an API's answer or a call's arguments may nest (each array or object is a level); deeper ones are
 * refused where they enter, saying so. Every answer leaves as JSON.stringify's text, which runs out of call stack at
 * about 4,000 levels (Node 20), and the redactor walks results recursively: far below that, and far above any API's
 * bodies (tens of levels).
 */
export const MAX_NESTING = 1000;

/** Whether `root` nests more than `limit` arrays or objects deep. Walks without recursion and stops at the first node too deep. */
export function nestsDeeperThan(root: unknown, limit = MAX_NESTING): boolean {
  if (root === null || typeof root !== 'object') return false;
  const nodes: object[] = [root];
  const depths: number[] = [1];
  const open = (child: unknown, depth: number) => {
    if (child !== null && typeof child === 'object') {
      nodes.push(child);
      depths.push(depth);
    }
  };
  while (nodes.length) {
    const node = nodes.pop()!;
    const depth = depths.pop()!;
    if (depth > limit) return true;
    // Indexes and for-in rather than Object.values: no array built per object (this runs on every API answer).
    if (Array.isArray(node)) for (let i = 0; i < node.length; i++) open(node[i], depth + 1);
    else for (const key in node) open((node as Record<string, unknown>)[key], depth + 1);
  }
  return false;
}

/** Whether JSON `text` may nest deeper than MAX_NESTING: each level takes two characters, so a shorter text cannot. */
export const mayNestTooDeep = (text: string): boolean => text.length > 2 * MAX_NESTING;

interface Frame {
  node: object;
  /** The object's keys when it was entered; undefined for an array (read by index). */
  keys: string[] | undefined;
  next: number;
}

/**
 * Visits `root` and everything inside it in document order, depth first: the entries of every array and of every
 * other non-null object. Throws a RangeError beyond MAX_JSON_DEPTH levels, as a recursive walk runs out of stack.
 */
export function walkJson(root: unknown, visit: Visitor): void {
  const path: JsonKey[] = [];
  const frames: Frame[] = [];
  /** Visits one node and opens it when it has children to visit; true when the walk must stop. */
  const enter = (value: unknown, key: JsonKey | undefined, parent: object | undefined): boolean => {
    const step = visit(value, path, key, parent);
    if (step === 'stop') return true;
    if (step !== 'skip' && value !== null && typeof value === 'object') {
      if (frames.length >= MAX_JSON_DEPTH) throw new RangeError(`the value is nested more than ${MAX_JSON_DEPTH} levels deep`);
      frames.push({ node: value, keys: Array.isArray(value) ? undefined : Object.keys(value), next: 0 });
      return false;
    }
    // A node that is not opened gives its key back (the root has none).
    if (key !== undefined) path.pop();
    return false;
  };
  if (enter(root, undefined, undefined)) return;
  while (frames.length) {
    const frame = frames[frames.length - 1];
    const { node, keys } = frame;
    const length = keys ? keys.length : (node as unknown[]).length;
    if (frame.next >= length) {
      frames.pop();
      // Every frame but the root's was entered under a key.
      if (frames.length) path.pop();
      continue;
    }
    const key: JsonKey = keys ? keys[frame.next] : frame.next;
    frame.next++;
    path.push(key);
    if (enter((node as Record<JsonKey, unknown>)[key], key, node)) return;
  }
}

/** A node's replacement in a mapped copy, and, inside an object, the key it is stored under (its own by default). */
export interface Replacement {
  value: unknown;
  key?: string;
}

/**
 * Called for each node of a mapped copy, parents before children. Answering a Replacement puts it in the node's place
 * (the node's children are not visited); answering nothing copies the node (arrays and objects are rebuilt, anything
 * else is kept). `copy` is the array or object being built that will hold the node's value.
 */
export type Mapper = (value: unknown, path: JsonPath, key: JsonKey | undefined, copy: object | undefined) => Replacement | undefined;

/** A copy of `root` in which every array and object is new, and the nodes `map` answers for are replaced. */
export function mapJson(root: unknown, map: Mapper): unknown {
  let result: unknown;
  const copies = new Map<object, Record<JsonKey, unknown>>();
  walkJson(root, (value, path, key, parent) => {
    const copy = parent && copies.get(parent);
    const replacement = map(value, path, key, copy);
    let placed: unknown;
    if (replacement) placed = replacement.value;
    else if (value !== null && typeof value === 'object') {
      placed = Array.isArray(value) ? [] : {};
      copies.set(value, placed as Record<JsonKey, unknown>);
    } else placed = value;
    if (!copy || key === undefined) result = placed;
    else copy[!Array.isArray(copy) && replacement?.key !== undefined ? replacement.key : key] = placed;
    return replacement ? 'skip' : undefined;
  });
  return result;
}

/** A path as the guard's messages print it: `body.items[0].budget` (a `root` such as `body` comes first). */
export function pathText(path: readonly PropertyKey[], root = ''): string {
  let out = root;
  for (const key of path) out += typeof key === 'number' ? `[${key}]` : out ? `.${String(key)}` : String(key);
  return out;
}
