// The names a read's `fields` may use, from its documented answer (its output schema), so a wrong one is refused before sending.
import type { JsonSchema } from '../tools/listing.js';
import type { ToolDef } from '../tools/registry.js';
import { OUTPUT_BRANCHES } from './output-branches.js';
import { answerIsDocumented, outputSchemaOf } from './output-schemas.js';

/**
 * What `fields` may name for a tool, read from the level of its answer that `fields` picks from (`project`): each item
 * of a list answer, or the answer itself.
 * - `documented`: the keys the description gives that level (analytics rows: their documented keys and every column
 *   the operation's `columns` takes, `byColumns`); a money name in the caller's words counts through the API's aliases.
 * - `free`: the description documents an object there without naming its keys (a map, a free-form object): any name.
 * - `undocumented`: the description documents no answer, or items that are not objects: only the answer can tell.
 */
export type DocumentedFields =
  | { kind: 'documented'; keys: ReadonlySet<string>; ofItems: boolean; byColumns: boolean }
  | { kind: 'free'; ofItems: boolean }
  | { kind: 'undocumented' };

const byTool = new WeakMap<ToolDef, Promise<DocumentedFields>>();

/**
 * The tool's documented fields, worked out from its output schema on first use (a `fields` argument is the trigger: the
 * response shapes are never read at start-up) and kept.
 */
export function documentedFieldsOf(tool: ToolDef): Promise<DocumentedFields> {
  let fields = byTool.get(tool);
  if (!fields) {
    fields = answerIsDocumented(tool).then(async (documented) => (documented ? fieldsOfSchema(tool, await outputSchemaOf(tool)) : { kind: 'undocumented' as const }));
    byTool.set(tool, fields);
    fields.catch(() => byTool.delete(tool));
  }
  return fields;
}

/** What a level of the answer branch documents: its keys, whether it also takes keys it does not name, whether it is an object at all. */
interface Level {
  keys: Set<string>;
  open: boolean;
  object: boolean;
}

/** The documented fields of a tool's output schema (exported for tests: the schema is what describe_tool shows). */
export function fieldsOfSchema(tool: ToolDef, schema: JsonSchema): DocumentedFields {
  const defs = (schema.$defs ?? {}) as Record<string, JsonSchema>;
  const answer = defs[OUTPUT_BRANCHES.answer];
  if (!answer) return { kind: 'undocumented' };
  // `project` picks from the items when the list key holds a list, else from the answer itself.
  const list = (answer.properties as Record<string, JsonSchema> | undefined)?.[tool.api.paging.itemsKey];
  const isList = !!list && [list.type].flat().includes('array');
  const level: Level = { keys: new Set(), open: false, object: false };
  read(isList ? (list.items ?? {}) : answer, defs, level, new Set());
  if (level.open) {
    const columns = columnsOf(tool);
    if (!columns.length) return { kind: 'free', ofItems: isList };
    for (const column of columns) level.keys.add(column);
  }
  if (!level.keys.size) return level.object ? { kind: 'free', ofItems: isList } : { kind: 'undocumented' };
  return { kind: 'documented', keys: level.keys, ofItems: isList, byColumns: level.open };
}

/** Adds a node's keys to `level`, through `$ref`s into `$defs` (each once) and every variant of a union. */
function read(node: JsonSchema, defs: Record<string, JsonSchema>, level: Level, seen: Set<string>): void {
  if (typeof node.$ref === 'string') {
    const name = node.$ref.replace(/^#\/\$defs\//, '');
    if (seen.has(name) || !defs[name]) return;
    seen.add(name);
    return read(defs[name], defs, level, seen);
  }
  const properties = node.properties as Record<string, JsonSchema> | undefined;
  const variants = [...(node.anyOf ?? []), ...(node.oneOf ?? []), ...(node.allOf ?? [])] as JsonSchema[];
  const types = [node.type].flat().filter((type) => type !== undefined);
  const object = types.length ? types.includes('object') : !!properties || node.additionalProperties !== undefined || (!variants.length && node.enum === undefined && node.items === undefined);
  if (object) level.object = true;
  for (const key of Object.keys(properties ?? {})) level.keys.add(key);
  if (node.additionalProperties !== undefined && node.additionalProperties !== false) level.open = true;
  // An object documented without keys (`{"type": "object"}`) takes any.
  else if (object && !properties && !variants.length) level.open = true;
  for (const variant of variants) read(variant, defs, level, seen);
}

/** The values of the operation's `columns` query parameter: the keys of the analytics rows it answers. */
function columnsOf(tool: ToolDef): string[] {
  const columns = tool.op.parameters.find((p) => p.name === 'columns' && p.in === 'query');
  return (columns?.schema.items?.enum ?? []).filter((value): value is string => typeof value === 'string');
}
