// Which tools a session sees and may call: toolsets, single tools, read-only (which wins over everything).
import { ConfigError, type Config } from '../config.js';
import type { ToolDef } from './registry.js';
import { DEFAULT_TOOLSETS, TOOLSETS, type ToolsetName } from './toolsets.js';

export interface Selection {
  /** Tools that are listed and callable, in catalog order. */
  tools: ToolDef[];
  /** Why a known tool is not callable (read-only, not selected), for clear refusals. */
  refusal(tool: ToolDef): string | undefined;
}

export function selectTools(all: readonly ToolDef[], config: Pick<Config, 'toolsets' | 'tools' | 'readOnly' | 'mode' | 'whop'>): Selection {
  const known = new Set(Object.keys(TOOLSETS));
  for (const name of config.toolsets) {
    if (name !== 'all' && !known.has(name)) {
      throw new ConfigError(`unknown toolset "${name}"; choose from all, ${[...known].join(', ')}`);
    }
  }
  const byName = new Map(all.map((t) => [t.name, t]));
  for (const name of config.tools) {
    if (!byName.has(name)) throw new ConfigError(`unknown tool "${name}" in --tools`);
  }
  const everything = config.toolsets.includes('all') || (config.mode === 'discover' && config.toolsets.length === 0);
  const sets = new Set<string>(config.toolsets.length ? config.toolsets : DEFAULT_TOOLSETS);
  if (config.whop.apiKey) sets.add('whop' satisfies ToolsetName);
  const extra = new Set(config.tools);
  const inSelection = (t: ToolDef) => everything || sets.has(t.toolset) || extra.has(t.name);
  const refusal = (tool: ToolDef): string | undefined => {
    if (config.readOnly && tool.writes) return `${tool.name} writes, and this server runs read-only (--read-only): nothing was sent.`;
    if (!inSelection(tool)) {
      return `${tool.name} is not enabled on this server. Enable its toolset with --toolsets ${tool.toolset} (or --tools ${tool.name}).`;
    }
    return undefined;
  };
  // Listed and callable are one rule: a tool is listed exactly when a call to it would not be refused.
  return { tools: all.filter((t) => refusal(t) === undefined), refusal };
}
