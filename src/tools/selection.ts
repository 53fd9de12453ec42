// Which tools a session sees and may call: the APIs that are on, toolsets, single tools, exclusions and read-only (the
// APIs that are off, exclusions and read-only win over everything).
import { CONFIGURED_APIS, ConfigError, type Config, offUntilSet } from '../config/index.js';
import { closest } from '../core/suggest.js';
import type { ToolDef } from './registry.js';
import { DEFAULT_TOOLSETS, TOOLSETS } from '../apis/toolsets.js';

export interface Selection {
  /** Tools that are listed and callable, in catalog order. */
  tools: ToolDef[];
  /** Why a known tool is not callable (its API off, read-only, not selected), for clear refusals. */
  refusal(tool: ToolDef): string | undefined;
  /** The APIs that are off, under their ids, with why (`{ whop: 'WHOP_API_KEY is not set' }`): none of their tools is offered. */
  apisOff: Readonly<Record<string, string>>;
  /**
   * The APIs that are on once set up (`turnedOnBy`) but have no toolset or tool in the selection, under their ids, with the
   * fix (`{ whop: 'run with --toolsets default,whop' }`): their key turns them on, but only naming their toolsets lists them.
   */
  apisNotSelected: Readonly<Record<string, string>>;
}

export function selectTools(
  all: readonly ToolDef[],
  config: Pick<Config, 'toolsets' | 'tools' | 'excludeTools' | 'readOnly' | 'mode' | 'apis'>,
): Selection {
  const known = Object.keys(TOOLSETS);
  for (const name of config.toolsets) {
    if (name !== 'all' && name !== 'default' && !known.includes(name)) {
      const near = closest(name, known, 3);
      throw new ConfigError(`unknown toolset "${name}"${near.length ? ` (closest: ${near.join(', ')})` : ''}; choose from default, all, ${known.join(', ')}`);
    }
  }
  const names = all.map((t) => t.name);
  for (const [flag, given] of [['--tools', config.tools], ['--exclude-tools', config.excludeTools]] as const) {
    for (const name of given) {
      if (names.includes(name)) continue;
      const near = closest(name, names, 3);
      throw new ConfigError(`unknown tool "${name}" in ${flag}${near.length ? `; closest: ${near.join(', ')}` : ''}`);
    }
  }
  // An API that is off offers nothing, whatever the selection says: a flag that names only its tools is refused.
  // (Each API's state is read once: the variable it is off until, for the refusals, the toolsets and the start-up line.)
  const offUntil = new Map(
    CONFIGURED_APIS.flatMap((api) => {
      const env = offUntilSet(config, api);
      return env ? [[api, env] as const] : [];
    }),
  );
  const off = new Map([...offUntil].map(([api, env]) => [api, `${api.label}, which is off: set ${env} to use it`]));
  for (const name of config.tools) {
    const tool = all.find((t) => t.name === name);
    const offWhy = tool && off.get(tool.api);
    if (offWhy) throw new ConfigError(`--tools ${name}: it belongs to ${offWhy}`);
  }
  for (const name of config.toolsets) {
    const members = all.filter((t) => t.toolset === name);
    const apis = [...new Set(members.map((t) => t.api))];
    if (apis.length > 0 && apis.every((api) => off.has(api))) {
      throw new ConfigError(`--toolsets ${name}: its tools belong to ${apis.map((api) => off.get(api)).join('; ')}`);
    }
  }
  const everything = config.toolsets.includes('all') || (config.mode === 'discover' && config.toolsets.length === 0);
  const sets = new Set<string>(config.toolsets.flatMap((name): readonly string[] => (name === 'default' ? DEFAULT_TOOLSETS : [name])));
  if (sets.size === 0) for (const name of DEFAULT_TOOLSETS) sets.add(name);
  // An API that is off until it is set up (its key given) is on once it is, but its toolsets join the selection only
  // when named (`--toolsets default,whop`, `all`, discover mode): a key alone does not grow every listing.
  const extra = new Set(config.tools);
  const excluded = new Set(config.excludeTools);
  const inSelection = (t: ToolDef) => everything || sets.has(t.toolset) || extra.has(t.name);
  // The fix keeps what is selected now: `--toolsets default,whop` when no toolset was named, not `--toolsets whop` alone.
  const withToolset = (name: string) => [...(config.toolsets.length > 0 ? config.toolsets : ['default']), name].join(',');
  const refusal = (tool: ToolDef): string | undefined => {
    const offWhy = off.get(tool.api);
    if (offWhy) return `${tool.name} belongs to ${offWhy}.`;
    if (excluded.has(tool.name)) return `${tool.name} is left out on this server (--exclude-tools): nothing was sent.`;
    if (config.readOnly && tool.writes) return `${tool.name} writes, and this server runs read-only (--read-only): nothing was sent.`;
    if (!inSelection(tool)) {
      return `${tool.name} is not enabled on this server. Enable its toolset with --toolsets ${withToolset(tool.toolset)} (or --tools ${tool.name}).`;
    }
    return undefined;
  };
  // Listed and callable are one rule: a tool is listed exactly when a call to it would not be refused.
  const apisOff = Object.fromEntries([...offUntil].map(([api, env]) => [api.id, `${env} is not set`]));
  const apisNotSelected = Object.fromEntries(
    CONFIGURED_APIS.flatMap((api) => {
      if (!api.turnedOnBy || offUntil.has(api) || all.some((t) => t.api === api && inSelection(t))) return [];
      return [[api.id, `run with --toolsets ${withToolset(api.turnedOnBy.toolsets.join(','))}`]];
    }),
  );
  return { tools: all.filter((t) => refusal(t) === undefined), refusal, apisOff, apisNotSelected };
}
