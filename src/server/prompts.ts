// MCP prompts: loads prompts/*.md (front-matter header + {{argument}} template) and serves prompts/list and prompts/get.
import { readFileSync, readdirSync } from 'node:fs';
import { type GetPromptResult, type Prompt, ProtocolError, ProtocolErrorCode, type Server } from '@modelcontextprotocol/server';

export interface PromptArgumentDef {
  name: string;
  description: string;
  required: boolean;
  /** Text used when an optional argument is not given (front-matter `default`); not part of the MCP listing. */
  default?: string;
}

export interface PromptDef {
  name: string;
  description: string;
  arguments: PromptArgumentDef[];
  /** The Markdown body with `{{argument}}` placeholders. */
  template: string;
  /** Tools the prompt relies on: every identifier written in backticks in the body, outside optional sections. */
  tools: string[];
  /** File it was read from, for error messages. */
  file: string;
}

/**
 * The package's prompts/ folder (package.json ships it in `files`): beside `dist/` when bundled into `dist/index.js`,
 * two levels up from `src/server/prompts.ts` when run from source (vitest, tsx).
 */
export const PROMPTS_DIR = new URL(import.meta.url.endsWith('/src/server/prompts.ts') ? '../../prompts/' : '../prompts/', import.meta.url);

export class PromptFileError extends Error {}

const IDENTIFIER = /^[a-z][a-z0-9_]*$/;
const PLACEHOLDER = /\{\{\s*([A-Za-z0-9_]+)\s*\}\}/g;
/**
 * An optional section: `{{#when tool_name}}...{{/when}}` is kept only where the server offers that tool (Whop's
 * steps in a Pinterest report), so a prompt never asks for tools a session does not have.
 */
const SECTION = /\{\{#when ([a-z][a-z0-9_]*)\}\}\n?([\s\S]*?)\{\{\/when\}\}\n?/g;
const TOP_KEYS = new Set(['name', 'description', 'arguments']);
const ARGUMENT_KEYS = new Set(['name', 'description', 'required', 'default']);
/** Text for an optional argument that was not given and has no default. */
const NOT_GIVEN = 'not given';

/**
 * Parses a prompt file. The header is a deliberately tiny YAML subset, parsed by hand (no YAML library is a
 * dependency): top-level `key: value` lines, and an `arguments:` list whose items start with `- key: value`
 * followed by indented `key: value` lines. Values are plain text to the end of the line, or a "double-quoted"
 * (JSON escapes) or 'single-quoted' string; `#` lines are comments. Anything else is an error naming the line.
 */
export function parsePromptFile(text: string, file: string): PromptDef {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  if (lines[0]?.trim() !== '---') throw new PromptFileError(`${file}: must start with a "---" front-matter line`);
  const end = lines.findIndex((line, i) => i > 0 && line.trim() === '---');
  if (end < 0) throw new PromptFileError(`${file}: front-matter is not closed by a "---" line`);

  const top: Record<string, string> = {};
  const args: Record<string, string>[] = [];
  let inArguments = false;
  let current: Record<string, string> | undefined;
  const set = (target: Record<string, string>, key: string, raw: string, line: number, allowed: Set<string>) => {
    const where = `${file}:${line}`;
    if (!allowed.has(key)) throw new PromptFileError(`${where}: unknown key "${key}" (expected ${[...allowed].join(', ')})`);
    if (key in target) throw new PromptFileError(`${where}: "${key}" is given twice`);
    target[key] = scalar(raw, where);
  };

  for (let i = 1; i < end; i++) {
    const line = lines[i] ?? '';
    const lineNo = i + 1;
    if (!line.trim() || line.trim().startsWith('#')) continue;
    let m: RegExpExecArray | null;
    if ((m = /^([A-Za-z_][\w-]*):(.*)$/.exec(line))) {
      const [, key = '', rest = ''] = m;
      current = undefined;
      if (key === 'arguments') {
        if (rest.trim() && rest.trim() !== '[]') {
          throw new PromptFileError(`${file}:${lineNo}: "arguments:" takes a list on the following lines`);
        }
        if (inArguments || args.length) throw new PromptFileError(`${file}:${lineNo}: "arguments" is given twice`);
        inArguments = true;
        continue;
      }
      inArguments = false;
      set(top, key, rest, lineNo, TOP_KEYS);
      continue;
    }
    if (inArguments && (m = /^\s+-\s+([A-Za-z_][\w-]*):(.*)$/.exec(line))) {
      current = {};
      args.push(current);
      set(current, m[1] ?? '', m[2] ?? '', lineNo, ARGUMENT_KEYS);
      continue;
    }
    if (current && (m = /^\s+([A-Za-z_][\w-]*):(.*)$/.exec(line))) {
      set(current, m[1] ?? '', m[2] ?? '', lineNo, ARGUMENT_KEYS);
      continue;
    }
    throw new PromptFileError(`${file}:${lineNo}: unsupported front-matter line "${line.trim()}"`);
  }

  const name = top.name ?? '';
  const description = top.description ?? '';
  if (!IDENTIFIER.test(name)) throw new PromptFileError(`${file}: "name" must be lower_snake_case, got "${name}"`);
  if (!description) throw new PromptFileError(`${file}: "description" is required`);

  const seen = new Set<string>();
  const argumentDefs = args.map((a, index): PromptArgumentDef => {
    const where = `${file}: argument ${index + 1}`;
    if (!a.name || !IDENTIFIER.test(a.name)) throw new PromptFileError(`${where}: "name" must be lower_snake_case`);
    if (seen.has(a.name)) throw new PromptFileError(`${where}: "${a.name}" is declared twice`);
    seen.add(a.name);
    if (!a.description) throw new PromptFileError(`${where} (${a.name}): "description" is required`);
    if (a.required !== 'true' && a.required !== 'false') {
      throw new PromptFileError(`${where} (${a.name}): "required" must be true or false`);
    }
    const required = a.required === 'true';
    if (required && a.default !== undefined) throw new PromptFileError(`${where} (${a.name}): a required argument has no default`);
    return { name: a.name, description: a.description, required, ...(a.default !== undefined ? { default: a.default } : {}) };
  });

  const template = lines.slice(end + 1).join('\n').trim();
  if (!template) throw new PromptFileError(`${file}: the body (the prompt text) is empty`);
  const used = new Set([...template.matchAll(PLACEHOLDER)].map((p) => p[1] ?? ''));
  for (const placeholder of used) {
    if (!seen.has(placeholder)) throw new PromptFileError(`${file}: placeholder {{${placeholder}}} is not a declared argument`);
  }
  for (const a of argumentDefs) {
    if (!used.has(a.name)) throw new PromptFileError(`${file}: argument "${a.name}" is never used in the body`);
  }
  const spans = template.replace(SECTION, '').split('`');
  if (spans.length % 2 === 0 || template.split('`').length % 2 === 0) throw new PromptFileError(`${file}: unbalanced backticks in the body`);
  if (template.replace(SECTION, '').includes('{{#when') || template.replace(SECTION, '').includes('{{/when}}')) {
    throw new PromptFileError(`${file}: an optional section is not closed with {{/when}} (or is nested)`);
  }
  const tools = [...new Set(spans.filter((s, i) => i % 2 === 1 && IDENTIFIER.test(s)))];

  return { name, description, arguments: argumentDefs, template, tools, file };
}

function scalar(raw: string, where: string): string {
  const value = raw.trim();
  if (value.startsWith('"')) {
    try {
      const parsed: unknown = JSON.parse(value);
      if (typeof parsed === 'string') return parsed;
    } catch {
      // reported below
    }
    throw new PromptFileError(`${where}: malformed double-quoted string ${value}`);
  }
  if (value.startsWith("'")) {
    if (value.length < 2 || !value.endsWith("'")) throw new PromptFileError(`${where}: malformed single-quoted string ${value}`);
    return value.slice(1, -1).replaceAll("''", "'");
  }
  return value;
}

const cache = new Map<string, PromptDef[]>();

/** Every `*.md` prompt in `dir`, sorted by name; read once per folder and cached (servers are made per session). */
export function loadPrompts(dir: URL = PROMPTS_DIR): PromptDef[] {
  const cached = cache.get(dir.href);
  if (cached) return cached;
  const files = readdirSync(dir).filter((f) => f.endsWith('.md')).sort();
  const prompts = files.map((f) => {
    const def = parsePromptFile(readFileSync(new URL(f, dir), 'utf8'), f);
    if (`${def.name}.md` !== f) throw new PromptFileError(`${f}: the file must be named after its prompt (${def.name}.md)`);
    return def;
  });
  cache.set(dir.href, prompts);
  return prompts;
}

/** The prompt's listing entry: name, description and arguments (without the local `default`). */
export function promptListing(def: PromptDef): Prompt {
  return {
    name: def.name,
    description: def.description,
    arguments: def.arguments.map((a) => ({ name: a.name, description: a.description, required: a.required })),
  };
}

/**
 * Fills the template. Missing or blank required arguments and unknown argument names are InvalidParams errors;
 * optional ones fall back to their default. When `available` is given, a note names the tools the prompt
 * relies on that this server does not offer, so the assistant can say so instead of failing midway (`narrowedBy`: the
 * request headers that narrow what this request sees, named there too).
 */
export function renderPrompt(def: PromptDef, given: Record<string, string> = {}, available?: ReadonlySet<string>, narrowedBy?: string): GetPromptResult {
  const known = new Set(def.arguments.map((a) => a.name));
  const unknown = Object.keys(given).filter((k) => !known.has(k));
  if (unknown.length) {
    throw new ProtocolError(
      ProtocolErrorCode.InvalidParams,
      `Unknown argument${unknown.length > 1 ? 's' : ''} ${unknown.map((u) => `"${u}"`).join(', ')} for prompt "${def.name}"; it takes ${def.arguments.map((a) => a.name).join(', ') || 'no arguments'}.`,
    );
  }
  const values: Record<string, string> = {};
  const missing: string[] = [];
  for (const a of def.arguments) {
    const value = typeof given[a.name] === 'string' ? given[a.name]!.trim() : '';
    if (value) values[a.name] = value;
    else if (a.required) missing.push(a.name);
    else values[a.name] = a.default ?? NOT_GIVEN;
  }
  if (missing.length) {
    throw new ProtocolError(
      ProtocolErrorCode.InvalidParams,
      `Missing required argument${missing.length > 1 ? 's' : ''} ${missing.map((m) => `"${m}"`).join(', ')} for prompt "${def.name}".`,
    );
  }
  // Sections first (from the template, not from values), then one pass of values, so that a value that itself
  // contains {{...}} is left as typed.
  const sections = def.template.replace(SECTION, (_, tool: string, body: string) => (!available || available.has(tool) ? body : ''));
  let text = sections.replace(PLACEHOLDER, (_, name: string) => values[name] ?? '').trim();
  const unavailable = available ? def.tools.filter((t) => !available.has(t)) : [];
  if (unavailable.length) {
    text +=
      `\n\nNote: this server does not currently offer ${unavailable.map((t) => `\`${t}\``).join(', ')}. ` +
      'Tell me which steps cannot be done; ' +
      (narrowedBy ? `this request's ${narrowedBy} narrow what it sees (a client that sends wider values, or none, may have more), and ` : '') +
      'the server operator can enable them with --toolsets or --tools (and without --read-only).';
  }
  return { description: def.description, messages: [{ role: 'user', content: { type: 'text', text } }] };
}

/** Registers prompts/list and prompts/get on a server that declared the `prompts` capability. */
export function registerPrompts(
  server: Server,
  /** The tools this server's client is offered, which a prompt may name (a set the caller keeps: one per view). */
  available: ReadonlySet<string>,
  /** `narrowedBy`: the request headers that narrow what this server's client sees, for the note on missing tools. */
  options: { discover?: boolean; prompts?: readonly PromptDef[]; narrowedBy?: string } = {},
): void {
  // The prompt files are read on the first prompts/list or prompts/get of the process (loadPrompts keeps them), not at start.
  const prompts = () => options.prompts ?? loadPrompts();
  server.setRequestHandler('prompts/list', async () => ({ prompts: prompts().map(promptListing) }));
  server.setRequestHandler('prompts/get', async (request) => {
    const def = prompts().find((p) => p.name === request.params.name);
    if (!def) {
      throw new ProtocolError(
        ProtocolErrorCode.InvalidParams,
        `Unknown prompt "${request.params.name}". Available prompts: ${prompts().map((p) => p.name).join(', ')}.`,
      );
    }
    const result = renderPrompt(def, request.params.arguments ?? {}, available, options.narrowedBy);
    if (options.discover) {
      const content = result.messages[0].content as { type: 'text'; text: string };
      content.text += `\n\nThis server runs in discover mode: call each tool named above through call_tool ({"name": ..., "arguments": {...}}); describe_tool shows its arguments.`;
    }
    return result;
  });
}
