// A write as the guard prepares it (money converted, request built, entities located), and a canned reader: for unit tests of guard functions, without a server.
import { pinterestApi } from '../../src/apis/pinterest/index.js';
import { buildRequest } from '../../src/http/request.js';
import { apiArguments, buildTools, type ToolDef } from '../../src/tools/registry.js';
import { convertMoney, hasMoney, type ConvertedAmount } from '../../src/guard/convert.js';
import type { Reader } from '../../src/guard/currency.js';
import { ENTITY_WRITES, STATUS_ACTIONS, locateEntities } from '../../src/guard/entities.js';
import { moneyOverride } from '../../src/guard/money-fields.js';
import type { PreparedWrite } from '../../src/guard/changes.js';

/** Pinterest's tools as the server builds them: money fields take natural amounts. */
const TOOLS = buildTools(pinterestApi, { overrideProperty: moneyOverride('pinterest') });

export function pinterestTool(name: string): ToolDef {
  const tool = TOOLS.find((t) => t.name === name);
  if (!tool) throw new Error(`no tool ${name}`);
  return tool;
}

/** Validates `args` as the server does and prepares the write the way the guard does, in an account billing in `currency`. */
export function prepareWrite(tool: ToolDef, raw: Record<string, unknown>, currency: string | undefined): { args: Record<string, unknown>; prepared: PreparedWrite } {
  const parsed = tool.input.safeParse(raw);
  if (!parsed.success) throw new Error(`invalid arguments for ${tool.name}: ${JSON.stringify(parsed.error.issues)}`);
  const args = apiArguments(parsed.data as Record<string, unknown>);
  const amounts: ConvertedAmount[] = [];
  const converted = hasMoney(args) ? (convertMoney(args, { currency }, amounts) as Record<string, unknown>) : args;
  const request = buildRequest(tool.op, converted);
  const write = ENTITY_WRITES[tool.name];
  const { entities, stray } = write ? locateEntities(write, request.body, args) : { entities: [], stray: [] };
  const action = STATUS_ACTIONS[tool.name];
  if (action && typeof args.id === 'string') entities.push({ kind: action.kind, create: false, id: args.id, location: 0, index: 0, path: 'id', item: {} });
  return { args, prepared: { request, amounts, currency, hash: '', entities, stray } };
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
