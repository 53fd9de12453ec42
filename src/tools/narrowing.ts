// A request's narrowing of the deployment's selection (HTTP's X-MCP-Toolsets and X-MCP-Readonly headers): it may take tools away, never add one.
import { closest } from '../core/suggest.js';
import { DEFAULT_TOOLSETS, TOOLSETS } from '../apis/toolsets.js';
import type { ToolDef } from './registry.js';
import type { Selection } from './selection.js';

/** The request headers that narrow what one request (or one 2025-era session) sees, as clients send them. */
export const NARROWING_HEADERS = { toolsets: 'X-MCP-Toolsets', readOnly: 'X-MCP-Readonly' } as const;

/** What a request asks for, each part checked against the deployment: undefined parts leave the deployment's as it is. */
export interface Narrowing {
  /** The toolsets it keeps, each one the deployment offers, sorted; undefined: all the deployment offers. */
  toolsets?: readonly string[];
  /** Only tools that do not write (the deployment is not already read-only). */
  readOnly: boolean;
}

/** The header values of one request, as received (undefined: not sent). */
export interface NarrowingHeaders {
  toolsets?: string;
  readOnly?: string;
}

/** No narrowing: the deployment's selection as it is. */
export const NOT_NARROWED: Narrowing = { readOnly: false };

/** The values X-MCP-Readonly takes, case aside: anything else is refused rather than guessed. */
const READ_ONLY_VALUES: Readonly<Record<string, boolean>> = { true: true, '1': true, false: false, '0': false };

/** The toolsets of which the deployment offers at least one tool, in the order --toolsets lists them. */
export function offeredToolsets(deployment: Selection): string[] {
  const offered = new Set<string>(deployment.tools.map((tool) => tool.toolset));
  return Object.keys(TOOLSETS).filter((name) => offered.has(name));
}

/** One header's value: undefined when absent or blank (a proxy that forwards an empty header narrows nothing). */
function given(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed ? trimmed : undefined;
}

/**
 * Reads the headers against the deployment: the narrowing they ask for, or why they are refused (a toolset this
 * deployment does not offer, or an unknown one, with the closest it offers; a read-only value that is neither true nor
 * false). `default` is the default toolsets this deployment offers; `all`, everything it offers. Read-only on a
 * deployment that offers no write (--read-only) changes nothing, and `false` never turns --read-only off. A header
 * not sent keeps `inherited`'s part (a 2025-era session's later requests keep what its initialize asked for).
 */
export function readNarrowing(
  headers: NarrowingHeaders,
  deployment: Selection,
  inherited: Narrowing = NOT_NARROWED,
): { narrowing: Narrowing } | { error: string } {
  const listed = given(headers.toolsets);
  const flag = given(headers.readOnly);
  if (listed === undefined && flag === undefined) return { narrowing: inherited }; // the usual request: nothing to read
  const offered = offeredToolsets(deployment);
  let toolsets = inherited.toolsets;
  if (listed !== undefined) {
    toolsets = undefined;
    const names = [...new Set(listed.split(',').map((name) => name.trim().toLowerCase()).filter(Boolean))];
    if (names.length === 0) return { error: `${NARROWING_HEADERS.toolsets} names no toolset; name some of ${offered.join(', ')} (or default, all), or leave it out.` };
    const kept = new Set<string>();
    for (const name of names) {
      if (name === 'all') {
        for (const set of offered) kept.add(set);
        continue;
      }
      if (name === 'default') {
        const defaults = offered.filter((set) => (DEFAULT_TOOLSETS as readonly string[]).includes(set));
        if (defaults.length === 0) return { error: notOffered(name, offered, 'none of the default toolsets is offered here') };
        for (const set of defaults) kept.add(set);
        continue;
      }
      if (!offered.includes(name)) return { error: notOffered(name, offered) };
      kept.add(name);
    }
    if (kept.size < offered.length) toolsets = offered.filter((set) => kept.has(set)); // every one offered: no narrowing
  }
  let readOnly = inherited.readOnly;
  if (flag !== undefined) {
    const value = READ_ONLY_VALUES[flag.toLowerCase()];
    if (value === undefined) {
      return { error: `${NARROWING_HEADERS.readOnly}: "${clip(flag)}" is not a value it takes; send true or 1 (read tools only), or false or 0 (no change).` };
    }
    readOnly = value && deployment.tools.some((tool) => tool.writes);
  }
  return { narrowing: { ...(toolsets ? { toolsets } : {}), readOnly } };
}

/** A header value as an error message quotes it: bounded, one line. */
function clip(value: string): string {
  const line = value.replace(/[\u0000-\u001f\u007f"]/g, ' ');
  return line.length > 40 ? `${line.slice(0, 40)}…` : line;
}

function notOffered(name: string, offered: readonly string[], why?: string): string {
  const near = closest(name, [...offered, 'default', 'all'], 3);
  const what = why ? `is not offered here (${why})` : Object.hasOwn(TOOLSETS, name) ? 'is a toolset this deployment does not offer' : 'is not a toolset';
  return (
    `${NARROWING_HEADERS.toolsets}: "${clip(name)}" ${what}` +
    `${near.length ? `; closest: ${near.join(', ')}` : ''}. A request may only narrow the deployment's selection, never widen it: ` +
    `this deployment offers ${offered.join(', ') || 'no toolset'} (and default, all).`
  );
}

/** The same key for the same narrowing, whatever spelling of the headers asked for it ('' when it narrows nothing). */
export function narrowingKey(narrowing: Narrowing): string {
  if (!narrowing.toolsets && !narrowing.readOnly) return '';
  return `${narrowing.toolsets?.join(',') ?? '*'}|${narrowing.readOnly ? 'read-only' : 'all'}`;
}

/**
 * What one request may see and call: the deployment's selection less what the narrowing leaves out. A tool the
 * deployment refuses is refused for the deployment's reason; one only the narrowing leaves out says which header did
 * and that the deployment offers more.
 */
export function narrowSelection(deployment: Selection, narrowing: Narrowing): Selection {
  if (!narrowing.toolsets && !narrowing.readOnly) return deployment;
  const kept = narrowing.toolsets ? new Set(narrowing.toolsets) : undefined;
  const narrowed = (tool: ToolDef): string | undefined => {
    if (kept && !kept.has(tool.toolset)) {
      return (
        `${tool.name} is left out of this request by its ${NARROWING_HEADERS.toolsets} header (${narrowing.toolsets!.join(',')}), ` +
        `which does not name its toolset ${tool.toolset}; this deployment offers more: a client that sends ${NARROWING_HEADERS.toolsets} with ${tool.toolset} (or none) can call it. Nothing was sent.`
      );
    }
    if (narrowing.readOnly && tool.writes) {
      return (
        `${tool.name} writes, and this request asked for read tools only (${NARROWING_HEADERS.readOnly}: true); ` +
        `this deployment offers more: a client that leaves the header out can call it. Nothing was sent.`
      );
    }
    return undefined;
  };
  const refusal = (tool: ToolDef) => deployment.refusal(tool) ?? narrowed(tool);
  return {
    tools: deployment.tools.filter((tool) => narrowed(tool) === undefined),
    refusal,
    apisOff: deployment.apisOff,
    apisNotSelected: deployment.apisNotSelected,
  };
}

/** A narrowing in words, for refusals: `toolsets campaigns,analytics, read tools only`. */
export function describeNarrowing(narrowing: Narrowing): string {
  const parts = [
    narrowing.toolsets ? `toolsets ${narrowing.toolsets.join(',')}` : 'every toolset the deployment offers',
    ...(narrowing.readOnly ? ['read tools only'] : []),
  ];
  return parts.join(', ');
}
