// What tools/list shows: the full JSON Schema of a tool (for describe), and a compact one that fits in context.
import type { Tool } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import type { ToolDef } from './registry.js';

type JsonSchema = Record<string, any>;

const full = new WeakMap<ToolDef, JsonSchema>();

/** The complete input schema, exactly what the server validates (zod 4's own JSON Schema output). */
export function fullInputSchema(tool: ToolDef): JsonSchema {
  let schema = full.get(tool);
  if (!schema) {
    schema = z.toJSONSchema(tool.input, { io: 'input', target: 'draft-7', unrepresentable: 'any' }) as JsonSchema;
    delete schema.$schema;
    full.set(tool, schema);
  }
  return schema;
}

export function toolListing(tool: ToolDef, inputSchema: JsonSchema = fullInputSchema(tool)): Tool {
  return {
    name: tool.name,
    title: tool.title,
    description: tool.description,
    inputSchema: inputSchema as Tool['inputSchema'],
    annotations: tool.annotations,
  };
}
