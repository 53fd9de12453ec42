// Named toolsets (groups of tools a user can select) and the default selection: each API's adapter gives its own, as data.
import { APIS } from './index.js';
import type { ApiDefinition, OperationFacts } from './types.js';

export interface ToolsetInfo {
  description: string;
  /** API tags whose operations belong here, unless the API's `movedTools` places an operation elsewhere. */
  tags: readonly string[];
  /** Listed when no toolset is chosen. */
  default?: boolean;
}

/** A toolset's name: a key of some API's `toolsets`. */
export type ToolsetName = (typeof APIS)[number] extends infer Api ? (Api extends { toolsets: infer Sets } ? keyof Sets & string : never) : never;

/** Every API's toolsets, in listing order. */
export const TOOLSETS: Readonly<Record<ToolsetName, ToolsetInfo>> = Object.assign({}, ...APIS.map((api) => api.toolsets));

/** The toolsets listed when no toolset is chosen, in the order of `TOOLSETS`. */
export const DEFAULT_TOOLSETS: readonly ToolsetName[] = (Object.keys(TOOLSETS) as ToolsetName[]).filter((name) => TOOLSETS[name].default);

/** Each API's toolset of a tag (the first toolset listing it), made on the first look. */
const toolsetsByTag = new WeakMap<ApiDefinition, ReadonlyMap<string, ToolsetName>>();

function toolsetByTag(api: ApiDefinition): ReadonlyMap<string, ToolsetName> {
  let byTag = toolsetsByTag.get(api);
  if (!byTag) {
    const made = new Map<string, ToolsetName>();
    for (const [toolset, info] of Object.entries(api.toolsets)) for (const tag of info.tags) if (!made.has(tag)) made.set(tag, toolset as ToolsetName);
    toolsetsByTag.set(api, (byTag = made));
  }
  return byTag;
}

/** The toolset of one of an API's tools: where its `movedTools` places it, else the toolset of its tag. */
export function toolsetOf(api: ApiDefinition, name: string, op: OperationFacts): ToolsetName {
  const moved = api.movedTools[name];
  if (moved) return moved as ToolsetName;
  const toolset = toolsetByTag(api).get(op.tag);
  if (!toolset) throw new Error(`operation ${op.id} (tag ${op.tag}) has no toolset`);
  return toolset;
}
