// OAuth scopes each toolset needs and the tools the sandbox lacks, from catalog facts; renders the token guide's generated sections.
import type { OperationFacts } from '../apis/types.js';
import type { ToolDef } from './registry.js';
import { DEFAULT_TOOLSETS, TOOLSETS, type ToolsetName } from '../apis/toolsets.js';

/**
 * The scope sets that let a token call an operation: any one of them suffices, and every scope within one is
 * required. Each `auth` entry is one OpenAPI security requirement object (the description names one scheme each), and
 * in OpenAPI the scopes of one requirement are all required while separate requirements are alternatives. Only the
 * requirements of the API's user-token `scheme` count: the other schemes (client credentials, a conversion token,
 * basic) take credentials this server does not send. Empty when the operation accepts no such requirement.
 */
export function scopeAlternatives(op: OperationFacts, scheme: string | undefined): string[][] {
  const sets = op.auth.filter((a) => a.scheme === scheme).map((a) => sortedUnique(a.scopes));
  const seen = new Set<string>();
  return sets.filter((set) => {
    const key = set.join(' ');
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** What a group of tools (a toolset's reads, or its writes) needs from a token so that every one of them can be called. */
export interface ScopeNeed {
  /** How many tools are in the group. */
  tools: number;
  /** Scopes that are all required (sorted). */
  all: string[];
  /**
   * Tools that accept several scope sets, none of them already within `all`: a token needs one set of each
   * `alternatives` (sets sorted, scopes in each sorted). Empty in Pinterest 5.23.0, where every operation has one.
   */
  oneOf: { tools: string[]; alternatives: string[][] }[];
  /** Tools that accept no requirement of the user-token scheme, so no scope of a user token covers them. */
  noOAuth: string[];
}

export interface ToolsetScopes {
  toolset: ToolsetName;
  /** In `DEFAULT_TOOLSETS`. */
  isDefault: boolean;
  read: ScopeNeed;
  write: ScopeNeed;
}

export interface SandboxGap {
  toolset: ToolsetName;
  /** Tool names, sorted. */
  tools: string[];
}

function sortedUnique(scopes: Iterable<string>): string[] {
  return [...new Set(scopes)].sort();
}

/** Tools of an API whose user tokens carry OAuth scopes (`api.oauthScheme`): the guide is about those tokens. */
const takesUserToken = (tool: ToolDef) => tool.api.oauthScheme !== undefined;

function scopeNeed(tools: readonly ToolDef[]): ScopeNeed {
  const all = new Set<string>();
  const undecided: { name: string; alternatives: string[][] }[] = [];
  const noOAuth: string[] = [];
  for (const tool of tools) {
    const alternatives = scopeAlternatives(tool.op, tool.api.oauthScheme);
    if (alternatives.length === 0) noOAuth.push(tool.name);
    else if (alternatives.length === 1) for (const scope of alternatives[0]) all.add(scope);
    else undecided.push({ name: tool.name, alternatives });
  }
  // A tool with alternatives needs nothing more when one of them is already required by the rest.
  const oneOf = new Map<string, { tools: string[]; alternatives: string[][] }>();
  for (const { name, alternatives } of undecided) {
    if (alternatives.some((set) => set.every((scope) => all.has(scope)))) continue;
    const sorted = [...alternatives].sort((a, b) => a.join(' ').localeCompare(b.join(' ')));
    const key = sorted.map((set) => set.join(' ')).join(' | ');
    const entry = oneOf.get(key) ?? { tools: [], alternatives: sorted };
    entry.tools.push(name);
    oneOf.set(key, entry);
  }
  return { tools: tools.length, all: sortedUnique(all), oneOf: [...oneOf.values()], noOAuth: noOAuth.sort() };
}

/** Toolsets in the order of `TOOLSETS` (those without tools that take user tokens left out), with the scopes their reads and writes need. */
export function scopesByToolset(tools: readonly ToolDef[]): ToolsetScopes[] {
  const scoped = tools.filter(takesUserToken);
  const rows: ToolsetScopes[] = [];
  for (const toolset of Object.keys(TOOLSETS) as ToolsetName[]) {
    const members = scoped.filter((tool) => tool.toolset === toolset);
    if (members.length === 0) continue;
    rows.push({
      toolset,
      isDefault: DEFAULT_TOOLSETS.includes(toolset),
      read: scopeNeed(members.filter((tool) => !tool.writes)),
      write: scopeNeed(members.filter((tool) => tool.writes)),
    });
  }
  return rows;
}

/** Tools (that take user tokens) whose operation the sandbox does not serve (`x-sandbox: disabled`), by toolset in the order of `TOOLSETS`. */
export function sandboxLacks(tools: readonly ToolDef[]): SandboxGap[] {
  const lacking = tools.filter((tool) => takesUserToken(tool) && tool.op.sandbox === 'disabled');
  const gaps: SandboxGap[] = [];
  for (const toolset of Object.keys(TOOLSETS) as ToolsetName[]) {
    const names = lacking.filter((tool) => tool.toolset === toolset).map((tool) => tool.name);
    if (names.length) gaps.push({ toolset, tools: names.sort() });
  }
  return gaps;
}

/**
 * The smallest-looking set of scopes that covers every need given: the `all` scopes, plus for each `oneOf` the
 * alternative that adds the fewest new scopes (the first on a tie). Sorted.
 */
export function scopeUnion(needs: readonly ScopeNeed[]): string[] {
  const chosen = new Set(needs.flatMap((need) => need.all));
  for (const { alternatives } of needs.flatMap((need) => need.oneOf)) {
    if (alternatives.some((set) => set.every((scope) => chosen.has(scope)))) continue;
    const cost = (set: string[]) => set.filter((scope) => !chosen.has(scope)).length;
    const best = alternatives.reduce((a, b) => (cost(b) < cost(a) ? b : a));
    for (const scope of best) chosen.add(scope);
  }
  return sortedUnique(chosen);
}

const code = (text: string) => `\`${text}\``;

function needCell(need: ScopeNeed, noun: string): string {
  if (need.tools === 0) return `(no ${noun} tools)`;
  const parts: string[] = [];
  if (need.all.length) parts.push(need.all.map(code).join(', '));
  for (const { tools, alternatives } of need.oneOf) {
    const sets = alternatives.map((set) => `(${set.map(code).join(' + ')})`).join(' or ');
    parts.push(`one of ${sets} for ${tools.map(code).join(', ')}`);
  }
  if (need.noOAuth.length) parts.push(`no user-token scope covers ${need.noOAuth.map(code).join(', ')}`);
  return parts.join('; ') || '(no scope)';
}

export const SECTION_NAMES = ['scopes', 'sandbox'] as const;
export type SectionName = (typeof SECTION_NAMES)[number];

export const markers = (name: SectionName) => ({ start: `<!-- generated:${name}:start -->`, end: `<!-- generated:${name}:end -->` });

const NOTICE = '<!-- Generated by `npm run generate:docs` from the catalog; edit src/tools/scopes.ts, not this text. -->';

function scopesSection(tools: readonly ToolDef[]): string {
  const rows = scopesByToolset(tools);
  const api = tools.find(takesUserToken)?.api;
  const version = api?.catalog.source.version ?? 'unknown';
  const defaults = rows.filter((row) => row.isDefault);
  const lines = [
    `Scopes from each operation's \`${api?.oauthScheme}\` security requirement in ${api?.label}'s OpenAPI description ` +
      `${version}. Every scope in a cell is required (one requirement's scopes are all required); a cell that offers ` +
      '"one of" lists alternative requirements, any one of which suffices. Write tools are those the guard treats as ' +
      'writes; `--read-only` lists only the read tools.',
    '',
    '| Toolset | Default | Read tools need | Write tools need |',
    '| --- | --- | --- | --- |',
    ...rows.map(
      (row) => `| ${code(row.toolset)} | ${row.isDefault ? 'yes' : ''} | ${needCell(row.read, 'read')} | ${needCell(row.write, 'write')} |`,
    ),
    '',
    `The default toolsets (${defaults.map((row) => code(row.toolset)).join(', ')}), every tool:`,
    '',
    '```text',
    `scope=${scopeUnion(defaults.flatMap((row) => [row.read, row.write])).join(',')}`,
    '```',
    '',
    'The default toolsets with `--read-only`:',
    '',
    '```text',
    `scope=${scopeUnion(defaults.map((row) => row.read)).join(',')}`,
    '```',
  ];
  return lines.join('\n');
}

function sandboxSection(tools: readonly ToolDef[]): string {
  const gaps = sandboxLacks(tools);
  const scoped = tools.filter(takesUserToken);
  const lacking = gaps.reduce((n, gap) => n + gap.tools.length, 0);
  const lines = [
    `${lacking} of the ${scoped.length} ${scoped[0]?.api.label} tools call operations the description marks \`x-sandbox: disabled\`. ` +
      'With `PINTEREST_SANDBOX=1` the server refuses them before sending anything:',
    '',
    ...gaps.map((gap) => `- ${code(gap.toolset)} (${gap.tools.length}): ${gap.tools.map(code).join(', ')}`),
  ];
  if (gaps.length === 0) lines.push('(none)');
  return lines.join('\n');
}

/** The text of each generated section, without its markers. */
export function tokenGuideSections(tools: readonly ToolDef[]): Record<SectionName, string> {
  return { scopes: scopesSection(tools), sandbox: sandboxSection(tools) };
}

function wrap(name: SectionName, body: string): string {
  const { start, end } = markers(name);
  return `${start}\n${NOTICE}\n\n${body}\n${end}`;
}

/** The markdown of every generated section of docs/getting-a-token.md, each between its markers, in `SECTION_NAMES` order. */
export function tokenGuideTables(tools: readonly ToolDef[]): string {
  const sections = tokenGuideSections(tools);
  return SECTION_NAMES.map((name) => wrap(name, sections[name])).join('\n\n');
}

/** Where one marked section sits in a document (start of its start marker to end of its end marker); throws unless it is there once. */
function locate(doc: string, name: SectionName): { from: number; to: number } {
  const { start, end } = markers(name);
  const from = doc.indexOf(start);
  const to = doc.indexOf(end);
  if (from < 0 || to < 0 || to < from) throw new Error(`the document has no ${start} ... ${end} pair`);
  if (doc.indexOf(start, from + 1) >= 0 || doc.indexOf(end, to + 1) >= 0) throw new Error(`the document has more than one ${start} or ${end}`);
  return { from, to: to + end.length };
}

/** The document's generated sections with their markers, joined as `tokenGuideTables` joins them (to compare with it). */
export function extractGenerated(doc: string): string {
  return SECTION_NAMES.map((name) => {
    const { from, to } = locate(doc, name);
    return doc.slice(from, to);
  }).join('\n\n');
}

/** The document with each generated section (markers included) replaced by its current text; the rest is kept as written. */
export function updateTokenGuide(doc: string, tools: readonly ToolDef[]): string {
  const sections = tokenGuideSections(tools);
  let result = doc;
  for (const name of SECTION_NAMES) {
    const { from, to } = locate(result, name);
    result = result.slice(0, from) + wrap(name, sections[name]) + result.slice(to);
  }
  return result;
}
