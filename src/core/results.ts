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
  const problems = describeIssues(issues);
  const text =
    `Invalid arguments for ${toolName}; nothing was sent.\n` +
    problems.map((p) => `- ${p}`).join('\n') +
    (hint ? `\n${hint}` : '');
  return errorResult(text);
}

/** Wraps API JSON for MCP: structuredContent must be an object, so arrays and scalars are wrapped. */
export function structured(body: unknown, status: number): Record<string, unknown> {
  if (body === undefined) return { ok: true, status };
  if (isPlainObject(body)) return body;
  return Array.isArray(body) ? { items: body } : { value: body };
}

export function successResult(content: Record<string, unknown>, notes: readonly string[] = [], maxChars = Infinity): CallToolResult {
  // Redacted before it is cut, so that a cut cannot leave the start of a secret at the end of the text.
  const full = redactor.text(JSON.stringify(content));
  const noteParts = notes.map((n) => ({ type: 'text' as const, text: n }));
  if (full.length <= maxChars) return { content: [{ type: 'text', text: full }, ...noteParts], structuredContent: content };
  const text =
    `${full.slice(0, maxChars)}\n[TRUNCATED: the result has ${full.length} characters and was cut at ${maxChars}. ` +
    'To get the rest, ask for less: a smaller page_size or max_items, narrower filters or dates, or `fields` to keep only the fields you need; follow `bookmark` (Whop: page_info.end_cursor as `after`) for the next page.]';
  return { content: [{ type: 'text', text }, ...noteParts], structuredContent: { truncated: true, characters: full.length } };
}

/** Keeps only the named top-level fields of each item (of the list under `itemsKey`, or of the object itself). */
export function project(content: Record<string, unknown>, fields: readonly string[] | undefined, itemsKey = 'items'): Record<string, unknown> {
  if (!fields?.length) return content;
  const pick = (value: unknown): unknown => {
    if (!value || typeof value !== 'object' || Array.isArray(value)) return value;
    return Object.fromEntries(fields.filter((f) => Object.hasOwn(value, f)).map((f) => [f, (value as Record<string, unknown>)[f]]));
  };
  const items = content[itemsKey];
  if (Array.isArray(items)) return { ...content, [itemsKey]: items.map(pick) };
  return pick(content) as Record<string, unknown>;
}
