// What grew between two V8 heap snapshots: objects by constructor (count and own size), and strings shaped like store
// keys by prefix (`approval:`, `csrf-used:`, ...), so a growing store shows by name. Used by bench/soak.ts;
// standalone: npx tsx bench/soak-heap.ts before.heapsnapshot after.heapsnapshot
import { readFileSync, statSync } from 'node:fs';

/** V8 strings stop a little above 512 MiB: a larger snapshot is opened in a browser's DevTools instead. */
const MAX_BYTES = 500 * 1024 * 1024;

interface Heap {
  bytes: number;
  /** Constructor (objects), `name()` (closures) or `(type)`: how many, and their own bytes. */
  kinds: Map<string, { count: number; size: number }>;
  /** Strings that look like store keys, by their first one or two `word:` parts. */
  keys: Map<string, number>;
}

interface Snapshot {
  snapshot: { meta: { node_fields: string[]; node_types: [string[], ...unknown[]] } };
  nodes: number[];
  strings: string[];
}

function summarize(file: string): Heap {
  const { size } = statSync(file);
  if (size > MAX_BYTES) throw new Error(`${file} is ${(size / 2 ** 20).toFixed(0)} MiB, too large to read here: open it in Chrome DevTools (Memory tab)`);
  const { snapshot, nodes, strings } = JSON.parse(readFileSync(file, 'utf8')) as Snapshot;
  const fields = snapshot.meta.node_fields;
  const types = snapshot.meta.node_types[0];
  const [type, name, self] = ['type', 'name', 'self_size'].map((f) => fields.indexOf(f));
  const heap: Heap = { bytes: 0, kinds: new Map(), keys: new Map() };
  for (let i = 0; i < nodes.length; i += fields.length) {
    const t = types[nodes[i + type]];
    const n = strings[nodes[i + name]];
    const bytes = nodes[i + self];
    heap.bytes += bytes;
    const kind = t === 'object' ? n : t === 'closure' ? `${n || '(anonymous)'}()` : `(${t})`;
    const entry = heap.kinds.get(kind) ?? { count: 0, size: 0 };
    entry.count++;
    entry.size += bytes;
    heap.kinds.set(kind, entry);
    if (t.endsWith('string') && n.length < 300) {
      const key = /^[a-z][\w-]*:(?:[a-z][\w-]*:)?/.exec(n);
      if (key) heap.keys.set(key[0], (heap.keys.get(key[0]) ?? 0) + 1);
    }
  }
  return heap;
}

const mb = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MB`;

/** Lines saying what grew from `before` to `after`: the heap's size, the kinds that grew most, the store keys that grew. */
export function compareHeaps(before: string, after: string, top = 12): string[] {
  let a: Heap;
  let b: Heap;
  try {
    a = summarize(before);
    b = summarize(after);
  } catch (error) {
    return [String(error instanceof Error ? error.message : error)];
  }
  const lines = [`heap (own sizes) ${mb(a.bytes)} -> ${mb(b.bytes)}; most grown by count:`];
  const grown = [...b.kinds]
    .map(([kind, { count, size }]) => ({ kind, count, size, was: a.kinds.get(kind) ?? { count: 0, size: 0 } }))
    .filter((k) => k.count > k.was.count)
    .sort((x, y) => y.count - y.was.count - (x.count - x.was.count))
    .slice(0, top);
  for (const k of grown) {
    lines.push(`  ${k.kind.slice(0, 40).padEnd(40)} ${String(k.was.count).padStart(9)} -> ${String(k.count).padStart(9)}  (+${k.count - k.was.count})   ${mb(k.was.size)} -> ${mb(k.size)}`);
  }
  const keys = [...b.keys]
    .map(([key, count]) => ({ key, count, was: a.keys.get(key) ?? 0 }))
    .filter((k) => k.count > k.was)
    .sort((x, y) => y.count - y.was - (x.count - x.was))
    .slice(0, 8);
  lines.push(keys.length ? 'strings shaped like store keys, most grown:' : 'no strings shaped like store keys grew');
  for (const k of keys) lines.push(`  ${k.key.padEnd(40)} ${String(k.was).padStart(9)} -> ${String(k.count).padStart(9)}  (+${k.count - k.was})`);
  return lines;
}

if (process.argv[1] && import.meta.filename === process.argv[1]) {
  const [before, after] = process.argv.slice(2);
  if (!before || !after) throw new Error('usage: tsx bench/soak-heap.ts before.heapsnapshot after.heapsnapshot');
  for (const line of compareHeaps(before, after)) console.log(line);
}
