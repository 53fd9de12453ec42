// Meta-tools: describe_tool (always listed) and, in discover mode, search_tools and call_tool that reach every selected tool.
import type { CallToolResult, Tool } from '@modelcontextprotocol/server';
import { z } from 'zod';
import { type JsonSchema, cachedInputSchema, compactSchema, describedInputSchema, listedAnnotations } from '../tools/listing.js';
import type { ToolDef } from '../tools/registry.js';
import { errorResult, validationError } from '../core/results.js';
import type { CallContext, RunsTools, ToolAnswer } from './answers.js';
import type { Selection } from '../tools/selection.js';
import { answeredAs } from './renamed.js';
import { branchedSchema } from './output-branches.js';
import { TOOLSETS } from '../apis/toolsets.js';

export interface MetaTool {
  name: string;
  /** Workflows only: the toolset whose tools they chain, for search_tools. */
  toolset?: string;
  listing: Tool;
  /** The output schema describe_tool answers for it (see output-branches.ts). */
  outputSchema?: JsonSchema;
  run(args: unknown, ctx: CallContext): Promise<ToolAnswer>;
}

const READ = { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false } as const;

export function meta(
  name: string,
  title: string,
  description: string,
  /** The input schema, or a function that builds it on first use (a workflow's is built from its tools' schemas). */
  inputOf: z.ZodObject | (() => z.ZodObject),
  annotations: Tool['annotations'],
  run: (args: any, ctx: CallContext) => Promise<ToolAnswer>,
  outputSchema?: JsonSchema,
): MetaTool {
  let listing: Tool | undefined;
  let built: z.ZodObject | undefined;
  const input = () => (built ??= typeof inputOf === 'function' ? inputOf() : inputOf);
  return {
    name,
    outputSchema,
    get listing() {
      if (!listing) {
        const inputSchema =
          cachedInputSchema(name) ?? compactSchema(z.toJSONSchema(input(), { io: 'input', target: 'draft-7', unrepresentable: 'any' }) as JsonSchema);
        listing = { name, title, description, inputSchema: inputSchema as Tool['inputSchema'], annotations: listedAnnotations(annotations ?? {}) };
      }
      return listing;
    },
    async run(args, ctx) {
      const parsed = input().safeParse(args ?? {}, { reportInput: true });
      if (!parsed.success) return validationError(name, parsed.error.issues);
      return run(parsed.data, ctx);
    },
  };
}

const text = { type: 'string' };

/** What describe_tool answers: a tool's texts, where it belongs, whether it writes, and its input and output schemas. */
const DESCRIBED = branchedSchema(
  'structuredContent of describe_tool: one tool described.',
  {
    type: 'object',
    required: ['name', 'description', 'inputSchema'],
    properties: {
      name: text,
      title: text,
      description: text,
      toolset: text,
      writes: { anyOf: [{ type: 'boolean' }, { type: 'string' }] },
      meta: { const: true },
      method: text,
      path: text,
      inputSchema: { type: 'object' },
      outputSchema: { type: 'object' },
    },
  },
  false,
);

/** What search_tools answers: the tools found (best first), how many, and where useful the toolsets and the APIs off. */
const FOUND = branchedSchema(
  'structuredContent of search_tools.',
  {
    type: 'object',
    required: ['tools', 'total'],
    properties: {
      tools: { type: 'array', items: { type: 'object', required: ['name', 'toolset', 'writes'], properties: { name: text, title: text, toolset: text, writes: { type: 'boolean' } } } },
      total: { type: 'integer' },
      toolsets: { type: 'object', additionalProperties: text },
      apis_off: { type: 'object', additionalProperties: text },
    },
  },
  false,
);

/** call_tool answers as the tool it calls. */
const CALLED: JsonSchema = { type: 'object', description: "structuredContent of the tool called: describe_tool of that tool gives its outputSchema." };

function json(value: Record<string, unknown>): CallToolResult {
  return { content: [{ type: 'text', text: JSON.stringify(value) }], structuredContent: value };
}

/**
 * describe_tool: any listed tool, a workflow, or a meta tool (itself and, in discover mode, `siblings()`: search_tools and
 * call_tool), so that no name tools/list shows answers "Unknown tool".
 */
export function describeTool(
  selection: Selection,
  byName: ReadonlyMap<string, ToolDef>,
  workflows: readonly MetaTool[] = [],
  siblings: () => readonly MetaTool[] = () => [],
): MetaTool {
  const describe: MetaTool = meta(
    'describe_tool',
    'Describe a tool',
    'Full input schema of one tool, including the nested fields and long enums that tools/list leaves out.',
    z.strictObject({ name: z.string().min(1) }),
    READ,
    async ({ name }: { name: string }) => {
      const tool = byName.get(name);
      const workflow = workflows.find((w) => w.name === name);
      if (workflow) {
        const { title, description, inputSchema } = workflow.listing;
        return json({ name, title, description, toolset: workflow.toolset, writes: false, inputSchema, outputSchema: workflow.outputSchema });
      }
      const metaTool = [describe, ...siblings()].find((m) => m.name === name);
      if (metaTool) {
        const { title, description, inputSchema } = metaTool.listing;
        // call_tool writes only through the tool it calls, under that tool's guard.
        const writes = name === 'call_tool' ? 'as the tool it calls' : false;
        return json({ name, title, description, meta: true, writes, inputSchema, outputSchema: metaTool.outputSchema });
      }
      if (!tool) return errorResult(`Unknown tool "${name}". Use search_tools or tools/list to find names.`);
      const refusal = selection.refusal(tool);
      if (refusal) return errorResult(refusal);
      return json({
        name: tool.name,
        title: tool.title,
        description: tool.description,
        toolset: tool.toolset,
        writes: tool.writes,
        method: tool.op.method,
        path: tool.op.path,
        inputSchema: describedInputSchema(tool),
        // Loaded on the first description (its code and the response shapes are chunks of their own): not at start-up.
        outputSchema: await (await import('./output-schemas.js')).outputSchemaOf(tool),
      });
    },
    DESCRIBED,
  );
  return describe;
}

/**
 * Discover mode: a handful of tools that reach every selected operation and workflow (analytics_run_report) through
 * the same validation and guard.
 */
export function discoverTools(
  selection: Selection,
  byName: ReadonlyMap<string, ToolDef>,
  runner: RunsTools,
  workflows: readonly MetaTool[],
): MetaTool[] {
  const toolsets = [...new Set(selection.tools.map((t) => t.toolset))];
  const reachable = [
    ...selection.tools,
    ...workflows.map((w) => ({ name: w.name, title: w.listing.title ?? w.name, description: w.listing.description ?? '', toolset: w.toolset ?? '', writes: false })),
  ];
  const search = meta(
    'search_tools',
    'Search tools',
    `Find Pinterest API tools by words and/or toolset (${toolsets.join(', ')}). Returns names to use with describe_tool and call_tool.`,
    z.strictObject({
      query: z.string().optional(),
      toolset: z.string().optional(),
      limit: z.int().min(1).max(100).optional(),
    }),
    READ,
    async ({ query, toolset, limit }: { query?: string; toolset?: string; limit?: number }) => {
      const words = (query ?? '').toLowerCase().split(/[^a-z0-9]+/).filter(Boolean);
      const scored = reachable
        .filter((t) => !toolset || t.toolset === toolset)
        .map((t) => {
          const hay = `${t.name} ${t.title} ${t.description} ${t.toolset}`.toLowerCase();
          return { t, score: words.reduce((n, w) => n + (t.name.includes(w) ? 3 : hay.includes(w) ? 1 : 0), 0) };
        })
        .filter((x) => words.length === 0 || x.score > 0)
        .sort((a, b) => b.score - a.score);
      const max = limit ?? 20;
      const overview = !words.length && !toolset;
      return json({
        tools: scored.slice(0, max).map(({ t }) => ({ name: t.name, title: t.title, toolset: t.toolset, writes: t.writes })),
        total: scored.length,
        ...(overview ? { toolsets: Object.fromEntries(toolsets.map((s) => [s, TOOLSETS[s as keyof typeof TOOLSETS]?.description ?? s])) } : {}),
        // Where the search found nothing, or the overview: which APIs are off and why, so "nothing" is explained.
        ...((overview || scored.length === 0) && Object.keys(selection.apisOff).length ? { apis_off: selection.apisOff } : {}),
        // And which APIs are on but not selected (`--mode discover --toolsets default`), with the fix.
        ...((overview || scored.length === 0) && Object.keys(selection.apisNotSelected).length ? { apis_not_listed: selection.apisNotSelected } : {}),
      });
    },
    FOUND,
  );
  const call = meta(
    'call_tool',
    'Call a tool',
    'Calls one tool by name with its arguments (see describe_tool). Writes that change spend are held for approval by the user; pass approval_id (or confirmation_token, where offered) inside arguments.',
    z.strictObject({ name: z.string().min(1), arguments: z.record(z.string(), z.unknown()).optional() }),
    { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: true },
    async ({ name, arguments: args }: { name: string; arguments?: Record<string, unknown> }, ctx) => {
      const via = { ...ctx, via: 'call_tool' };
      const workflow = workflows.find((w) => w.name === name);
      if (workflow) return workflow.run(args ?? {}, via);
      const tool = byName.get(name);
      if (!tool) return errorResult(`Unknown tool "${name}". Use search_tools to find names.`);
      const refusal = selection.refusal(tool);
      if (refusal) return errorResult(refusal);
      return answeredAs(name, tool, await runner.run(tool, args ?? {}, via));
    },
    CALLED,
  );
  const describe = describeTool(selection, byName, workflows, () => [search, call]);
  return [search, describe, call];
}
