// Shapes what a tool call returns: API JSON as text and structuredContent, readable validation errors, size bounds.
import type { CallToolResult } from '@modelcontextprotocol/server';
import type { z } from 'zod';
import { redactor } from './redact.js';
import { isPlainObject } from './json.js';
import { oneLine } from './display.js';
import { closest } from './suggest.js';
import { pathText } from './walk.js';

/** Where a validation problem sits: `body.items[0].budget`, or `(arguments)` for the whole call. */
export function pathOf(path: readonly PropertyKey[]): string {
  return pathText(path) || '(arguments)';
}

type Issue = z.core.$ZodIssue;

/** Enums longer than this are not repeated in errors (analytics columns have ~160 values): the nearest ones are named. */
const LONG_ENUM = 12;

/** A value outside a long enum: what was given and the closest valid values, in one short line. */
function longEnumProblem(given: unknown, values: readonly unknown[]): string {
  const valid = values.map(String);
  const near = typeof given === 'string' ? closest(given, valid, 4) : [];
  const shown = typeof given === 'string' ? oneLine(JSON.stringify(given), 60) : typeof given;
  return `${shown} is not one of the ${valid.length} valid values${near.length ? `; closest: ${near.join(', ')}` : ''} (describe_tool lists them all)`;
}

/** One line per broken rule, naming the field; for unions, the closest alternative's problems. */
export function describeIssues(issues: readonly Issue[], prefix: readonly PropertyKey[] = []): string[] {
  const lines: string[] = [];
  for (const issue of issues) {
    const path = [...prefix, ...issue.path];
    if (issue.code === 'invalid_union' && issue.errors.length) {
      const closest = [...issue.errors].sort((a, b) => a.length - b.length)[0];
      lines.push(...describeIssues(closest, path));
    } else if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        const natural = key.endsWith('_in_micro_currency') ? key.slice(0, -'_in_micro_currency'.length) : undefined;
        lines.push(
          natural
            ? `${pathOf([...path, key])}: micro-currency fields are not accepted; use "${natural}" with a natural amount such as "12.50" (converted exactly to micros)`
            : `${pathOf([...path, key])}: unknown property; remove it (check the spelling against the tool's input schema)`,
        );
      }
    } else if (issue.code === 'invalid_value' && issue.values.length > LONG_ENUM) {
      lines.push(`${pathOf(path)}: ${longEnumProblem(issue.input, issue.values)}`);
    } else {
      lines.push(`${pathOf(path)}: ${issue.message}`);
    }
  }
  return [...new Set(lines)];
}

/** A result's text blocks, joined: what a person or a log line reads of it. */
export function resultText(result: Pick<CallToolResult, 'content'>): string {
  return result.content.map((c) => (c.type === 'text' ? c.text : '')).join('\n');
}

export function errorResult(text: string, structured?: Record<string, unknown>): CallToolResult {
  return { isError: true, content: [{ type: 'text', text }], ...(structured ? { structuredContent: structured } : {}) };
}

export function validationError(toolName: string, issues: readonly Issue[], hint?: string): CallToolResult {
  return invalidArguments(toolName, describeIssues(issues), hint);
}

/** How many problems a refusal lists, and how long each line may be: 100,000 unknown keys once gave 9 MB. */
const LISTED_PROBLEMS = 20;
const PROBLEM_CHARS = 500;

/** A refusal's problem lines (`- body[0].budget: ...`), the first LISTED_PROBLEMS of them, then how many more there are. */
export function problemLines(problems: readonly string[]): string[] {
  const listed = problems.slice(0, LISTED_PROBLEMS).map((p) => `- ${oneLine(p, PROBLEM_CHARS)}`);
  const more = problems.length - listed.length;
  if (more > 0) listed.push(`- and ${more} more ${more === 1 ? 'problem' : 'problems'}: fix these, and the next call lists what remains`);
  return listed;
}

/** Arguments refused before anything was sent: its first line, then the problems, each naming its field. */
export function invalidArguments(toolName: string, problems: readonly string[], hint?: string): CallToolResult {
  return errorResult([`Invalid arguments for ${toolName}; nothing was sent.`, ...problemLines(problems), ...(hint ? [hint] : [])].join('\n'));
}

/** Wraps API JSON for MCP: structuredContent must be an object, so arrays and scalars are wrapped. */
export function structured(body: unknown, status: number): Record<string, unknown> {
  if (body === undefined) return { ok: true, status };
  if (isPlainObject(body)) return body;
  return Array.isArray(body) ? { items: body } : { value: body };
}

/**
 * The JSON Schema of a structuredContent cut for size (successResult and boundResult): `truncated` and the size of the
 * whole, beside the top-level scalars of the answer that boundResult keeps.
 */
export const TRUNCATED_ANSWER_SCHEMA: Record<string, unknown> = {
  type: 'object',
  description: 'An answer longer than --max-result-chars: cut, with its size; ask for less (fields, max_items, narrower filters) to get it whole.',
  required: ['truncated', 'characters'],
  properties: { truncated: { const: true }, characters: { type: 'integer' } },
};

/**
 * The JSON Schema of `structured`'s answer where the API documents no JSON: `{ok, status}` for an empty body, `{value}`
 * for text (a JSON object it answers anyway is kept as it is).
 */
export const UNDOCUMENTED_ANSWER_SCHEMA: Record<string, unknown> = {
  type: 'object',
  description: 'The API documents no JSON answer: {"ok": true, "status": <HTTP status>} when it answers nothing, {"value": "<text>"} when it answers text.',
  properties: { ok: { const: true }, status: { type: 'integer' }, value: { type: 'string' } },
};

/** structuredContent that successResult already bounded: boundResult need not measure it again. */
const BOUNDED = new WeakSet<object>();

/** What follows a success's JSON cut at `at` characters of `total`: how to get the rest. */
const truncatedNotice = (total: number, at: number) =>
  `\n[TRUNCATED: the result has ${total} characters and was cut at ${at}. ` +
  'To get the rest, ask for less: a smaller page_size or max_items, narrower filters or dates, or `fields` to keep only the fields you need; follow `bookmark` (Whop: page_info.end_cursor as `after`) for the next page.]';

/**
 * A success: the API's JSON as text and as structuredContent, then the notes, within `maxChars` in all. The JSON is
 * cut to what the notes leave (the notes say what a write did, so they are kept whole), saying how to get the rest.
 */
export function successResult(content: Record<string, unknown>, notes: readonly string[], maxChars: number): CallToolResult {
  // Redacted before it is cut, so that a cut cannot leave the start of a secret at the end of the text.
  const full = redactor.text(JSON.stringify(content));
  const noteParts = notes.map((n) => ({ type: 'text' as const, text: n }));
  // Text blocks are joined with a newline where they are read as one (resultText), so each note costs one more.
  const room = maxChars - notes.reduce((sum, note) => sum + note.length + 1, 0);
  if (full.length <= room) {
    BOUNDED.add(content);
    return { content: [{ type: 'text', text: full }, ...noteParts], structuredContent: content };
  }
  const at = Math.max(0, room - truncatedNotice(full.length, maxChars).length);
  const structuredContent = { truncated: true, characters: full.length };
  BOUNDED.add(structuredContent);
  return { content: [{ type: 'text', text: full.slice(0, at) + truncatedNotice(full.length, at) }, ...noteParts], structuredContent };
}

/** How much of the end of a cut answer is kept: where previews say how to confirm, and refusals what to do next. */
const KEPT_END_CHARS = 2000;

/**
 * Any answer within `maxChars` characters of text (errors and previews included; its text blocks counted as joined by
 * newlines): longer text keeps its start and its end (where previews say how to confirm) around a marker of what was
 * left out, as one block, and a longer structuredContent
 * keeps only its top-level scalars (status, tokens, ids), saying it was cut. The backstop behind successResult's cut.
 */
export function boundResult(result: CallToolResult, maxChars: number): CallToolResult {
  let bounded = result;
  const texts = result.content.filter((block) => block.type === 'text');
  const characters = texts.reduce((sum, block) => sum + block.text.length, 0);
  if (characters + texts.length - 1 > maxChars) {
    const whole = texts.map((block) => block.text).join('\n');
    const end = Math.min(KEPT_END_CHARS, Math.floor(maxChars / 4));
    const marker = (left: number) => `\n[… ${left} characters left out here: this answer has ${whole.length}, more than the ${maxChars} of --max-result-chars …]\n`;
    const start = maxChars - end - marker(whole.length).length;
    const text = whole.slice(0, start) + marker(whole.length - start - end) + whole.slice(whole.length - end);
    bounded = { ...result, content: [{ type: 'text', text }, ...result.content.filter((block) => block.type !== 'text')] };
  }
  const structured = result.structuredContent;
  if (structured && !BOUNDED.has(structured)) {
    const size = JSON.stringify(structured).length;
    if (size > maxChars) {
      const scalars = Object.entries(structured).filter(([, value]) => value === null || typeof value !== 'object');
      bounded = { ...bounded, structuredContent: { ...Object.fromEntries(scalars), truncated: true, characters: size } };
    }
  }
  return bounded;
}

/** How the names a caller gives in `fields` map to an answer's keys (an API's money naming: `budget` -> its micro field). */
export interface FieldNames {
  /** The keys a name also stands for (`budget` -> `budget_in_micro_currency`). */
  aliasesOf?: (name: string) => readonly string[];
  /** The name a key goes by in the caller's words, for suggestions (`budget_in_micro_currency` -> `budget`). */
  naturalOf?: (key: string) => string | undefined;
}

/**
 * Keeps only the named top-level fields of each item (of the list under `itemsKey`, or of the object itself), a name
 * also keeping the keys it stands for (`names.aliasesOf`). `unknown` lists each name that matched no key of any item,
 * with the closest names the answer has; it is empty when there was nothing to match against (no items).
 */
export function project(
  content: Record<string, unknown>,
  fields: readonly string[] | undefined,
  itemsKey = 'items',
  names: FieldNames = {},
): { content: Record<string, unknown>; unknown: { name: string; closest: string[] }[] } {
  if (!fields?.length) return { content, unknown: [] };
  // Each name with the keys it stands for, worked out once for every item.
  const wanted = fields.map((name) => ({ name, keys: [name, ...(names.aliasesOf?.(name) ?? [])] }));
  const keep = [...new Set(wanted.flatMap((w) => w.keys))];
  const seen = new Set<string>();
  const matched = new Set<string>();
  const pick = (value: unknown): unknown => {
    if (!isPlainObject(value)) return value;
    for (const key of Object.keys(value)) seen.add(key);
    for (const w of wanted) if (!matched.has(w.name) && w.keys.some((k) => Object.hasOwn(value, k))) matched.add(w.name);
    return Object.fromEntries(keep.filter((k) => Object.hasOwn(value, k)).map((k) => [k, value[k]]));
  };
  const items = content[itemsKey];
  const projected = Array.isArray(items) ? { ...content, [itemsKey]: items.map(pick) } : (pick(content) as Record<string, unknown>);
  if (!seen.size) return { content: projected, unknown: [] };
  const known = [...new Set([...seen].flatMap((key) => [key, names.naturalOf?.(key)].filter((k): k is string => !!k)))];
  const unknown = fields.filter((f) => !matched.has(f)).map((name) => ({ name, closest: closest(name, known, 3) }));
  return { content: projected, unknown };
}
