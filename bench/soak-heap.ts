// What grew between two V8 heap snapshots: objects by constructor (count and own size), who holds the kinds that grew
// most (their commonest chain of retainers), and strings shaped like store keys by prefix (`keyv:approval:`, ...), so
// a growing store shows by name. Used by bench/soak.ts; standalone: npx tsx bench/soak-heap.ts before.heapsnapshot after.heapsnapshot
import { readFileSync, statSync } from 'node:fs';

/** V8 strings stop a little above 512 MiB: a larger snapshot is opened in a browser's DevTools instead. */
const MAX_BYTES = 500 * 1024 * 1024;

interface Snapshot {
  snapshot: { meta: { node_fields: string[]; node_types: [string[], ...unknown[]]; edge_fields: string[]; edge_types: [string[], ...unknown[]] } };
  nodes: number[];
  edges: number[];
  strings: string[];
}

/** One snapshot, read: each node's kind (constructor, `name()` for closures, `(type)` otherwise) and the raw arrays. */
class Heap {
  readonly kinds: string[] = [];
  readonly sizes: number[] = [];
  /** Constructor or kind: how many, and their own bytes. */
  readonly byKind = new Map<string, { count: number; size: number }>();
  /** Strings that look like store keys, by their first one or two `word:` parts. */
  readonly keys = new Map<string, number>();
  bytes = 0;
  private readonly raw: Snapshot;

  constructor(file: string) {
    const { size } = statSync(file);
    if (size > MAX_BYTES) throw new Error(`${file} is ${(size / 2 ** 20).toFixed(0)} MiB, too large to read here: open it in Chrome DevTools (Memory tab)`);
    this.raw = JSON.parse(readFileSync(file, 'utf8')) as Snapshot;
    const { snapshot, nodes, strings } = this.raw;
    const fields = snapshot.meta.node_fields;
    const types = snapshot.meta.node_types[0];
    const [type, name, self] = ['type', 'name', 'self_size'].map((f) => fields.indexOf(f));
    for (let i = 0; i < nodes.length; i += fields.length) {
      const t = types[nodes[i + type]];
      const n = strings[nodes[i + name]];
      const bytes = nodes[i + self];
      const kind = t === 'object' ? n : t === 'closure' ? `${n || '(anonymous)'}()` : `(${t})`;
      this.kinds.push(kind);
      this.sizes.push(bytes);
      this.bytes += bytes;
      const entry = this.byKind.get(kind) ?? { count: 0, size: 0 };
      entry.count++;
      entry.size += bytes;
      this.byKind.set(kind, entry);
      if (t.endsWith('string') && n.length < 300) {
        const key = /^[a-z][\w-]*:(?:[a-z][\w-]*:)?/.exec(n);
        if (key) this.keys.set(key[0], (this.keys.get(key[0]) ?? 0) + 1);
      }
    }
  }

  /**
   * The commonest chain of strong retainers of the nodes of `kind`, `depth` levels up: at each level the (retainer kind,
   * edge) pair holding most of the current set, e.g. `abort() <-[listener]- Listener <-[2]- (array) <- ...`.
   */
  retainers(kind: string, depth = 5): string {
    const { snapshot, nodes, edges, strings } = this.raw;
    const nodeFields = snapshot.meta.node_fields.length;
    const edgeFields = snapshot.meta.edge_fields;
    const edgeTypes = snapshot.meta.edge_types[0];
    const edgeCount = snapshot.meta.node_fields.indexOf('edge_count');
    const [eType, eName, eTo] = ['type', 'name_or_index', 'to_node'].map((f) => edgeFields.indexOf(f));
    let current = new Set<number>();
    this.kinds.forEach((k, i) => k === kind && current.add(i));
    let chain = kind;
    for (let level = 0; level < depth && current.size; level++) {
      const holders = new Map<string, Set<number>>();
      let e = 0;
      for (let from = 0; from < this.kinds.length; from++) {
        const count = nodes[from * nodeFields + edgeCount];
        for (let j = 0; j < count; j++, e += edgeFields.length) {
          const to = edges[e + eTo] / nodeFields;
          if (!current.has(to)) continue;
          const t = edgeTypes[edges[e + eType]];
          if (t === 'weak' || t === 'shortcut') continue;
          const label = t === 'element' || t === 'hidden' ? `[${t}]` : strings[edges[e + eName]];
          const key = `${this.kinds[from]}\u0000${label}`;
          (holders.get(key) ?? holders.set(key, new Set()).get(key)!).add(from);
        }
      }
      const top = [...holders].sort((a, b) => b[1].size - a[1].size)[0];
      if (!top) break;
      const [holder, label] = top[0].split('\u0000');
      chain += ` <-${label}- ${holder} (${top[1].size})`;
      current = top[1];
    }
    return chain;
  }
}

const mb = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MB`;

/** Lines saying what grew from `before` to `after`: the heap, the kinds that grew most and who holds them, the store keys. */
export function compareHeaps(before: string, after: string, top = 10): string[] {
  let a: Heap;
  let b: Heap;
  try {
    a = new Heap(before);
    b = new Heap(after);
  } catch (error) {
    return [String(error instanceof Error ? error.message : error)];
  }
  const grown = [...b.byKind]
    .map(([kind, { count, size }]) => ({ kind, count, size, was: a.byKind.get(kind) ?? { count: 0, size: 0 } }));
  const line = (k: (typeof grown)[number]) =>
    `  ${k.kind.slice(0, 40).padEnd(40)} ${String(k.was.count).padStart(9)} -> ${String(k.count).padStart(9)} (${k.count >= k.was.count ? '+' : ''}${k.count - k.was.count})   ${mb(k.was.size)} -> ${mb(k.size)}`;
  const byCount = grown.filter((k) => k.count > k.was.count).sort((x, y) => y.count - y.was.count - (x.count - x.was.count)).slice(0, top);
  const bySize = grown.filter((k) => k.size > k.was.size).sort((x, y) => y.size - y.was.size - (x.size - x.was.size)).slice(0, 5);
  const lines = [
    `heap (own sizes, live after a full GC) ${mb(a.bytes)} -> ${mb(b.bytes)}`,
    byCount.length ? 'most grown by count:' : 'no kind grew in count',
    ...byCount.map(line),
    bySize.length ? 'most grown by size:' : 'no kind grew in size',
    ...bySize.map(line),
  ];
  if (byCount.length) lines.push('who holds the 3 kinds grown most by count (commonest chain of retainers, with how many hold at each level):');
  for (const k of byCount.slice(0, 3)) lines.push(`  ${b.retainers(k.kind)}`);
  const keys = [...b.keys]
    .map(([key, count]) => ({ key, count, was: a.keys.get(key) ?? 0 }))
    .filter((k) => k.count > k.was)
    .sort((x, y) => y.count - y.was - (x.count - x.was))
    .slice(0, 6);
  lines.push(keys.length ? 'strings shaped like store keys, most grown:' : 'no strings shaped like store keys grew');
  for (const k of keys) lines.push(`  ${k.key.padEnd(40)} ${String(k.was).padStart(9)} -> ${String(k.count).padStart(9)} (+${k.count - k.was})`);
  return lines;
}

if (process.argv[1] && import.meta.filename === process.argv[1]) {
  const [before, after] = process.argv.slice(2);
  if (!before || !after) throw new Error('usage: npx tsx bench/soak-heap.ts before.heapsnapshot after.heapsnapshot');
  for (const line of compareHeaps(before, after)) console.log(line);
}
