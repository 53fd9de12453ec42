// A write as the guard prepares it (money converted, request built, entities located), and a canned reader: for unit tests of guard functions, without a server.
import { pinterestApi } from '../../src/apis/pinterest/index.js';
import { apiArguments, buildTools, type ToolDef } from '../../src/tools/registry.js';
import type { CurrencyResolver, Reader } from '../../src/guard/currency.js';
import { prepareRequest } from '../../src/guard/prepare.js';
import { moneyOverride } from '../../src/guard/money-fields.js';
import type { PreparedWrite } from '../../src/guard/changes.js';

/** Pinterest's tools as the server builds them: money fields take natural amounts. */
const TOOLS = buildTools(pinterestApi, { overrideProperty: moneyOverride('pinterest') });

export function pinterestTool(name: string): ToolDef {
  const tool = TOOLS.find((t) => t.name === name);
  if (!tool) throw new Error(`no tool ${name}`);
  return tool;
}

/** Validates `args` as the server does and prepares the write as the guard does (`prepareRequest`), in an account billing in `currency`. */
export async function prepareWrite(tool: ToolDef, raw: Record<string, unknown>, currency: string | undefined): Promise<{ args: Record<string, unknown>; prepared: PreparedWrite }> {
  const parsed = tool.input.safeParse(raw);
  if (!parsed.success) throw new Error(`invalid arguments for ${tool.name}: ${JSON.stringify(parsed.error.issues)}`);
  const args = apiArguments(parsed.data as Record<string, unknown>);
  const currencies = { currencyOf: async () => ({ code: currency }) } as unknown as CurrencyResolver;
  return { args, prepared: await prepareRequest({ tool, args }, currencies) };
}

/** A reader answering each list tool with the canned entities of that tool (filtered by the ids asked for); it records every read. */
export function cannedReader(lists: Record<string, Record<string, unknown>[]>): { read: Reader; reads: { tool: string; args: Record<string, unknown> }[] } {
  const reads: { tool: string; args: Record<string, unknown> }[] = [];
  const read: Reader = async (tool, args) => {
    reads.push({ tool, args });
    const list = lists[tool];
    if (!list) throw new Error(`no canned answer for ${tool}`);
    const ids = Object.entries(args).find(([key]) => key.endsWith('_ids'))?.[1];
    return { items: Array.isArray(ids) ? list.filter((e) => ids.includes(e.id)) : list, bookmark: null };
  };
  return { read, reads };
}
