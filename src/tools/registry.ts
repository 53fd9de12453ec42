// Builds one tool definition per API operation: name, texts, annotations, toolset and full zod input schema.
import { z } from 'zod';
import { type ApiDefinition, toolName } from '../apis/index.js';
import type { OperationFacts, ParameterFacts, SchemaFacts } from '../apis/types.js';
import { classify, isWrite } from '../apis/classification.js';
import { PARAMETERS, SchemaBuilder, type SchemaBuilderOptions } from './schema.js';
import { withTextRules } from './text-rules.js';
import { type ToolsetName, toolsetOf } from '../apis/toolsets.js';

export interface ToolAnnotations {
  title: string;
  readOnlyHint: boolean;
  destructiveHint: boolean;
  idempotentHint: boolean;
  openWorldHint: true;
}

export interface ToolDef {
  name: string;
  title: string;
  description: string;
  api: ApiDefinition;
  op: OperationFacts;
  toolset: ToolsetName;
  /** False for reads: GET, and the POSTs classified `read` (`src/apis/classification.ts`). */
  writes: boolean;
  /** True when the operation answers a paged list (it takes the API's cursor parameter: `bookmark`, `after`). */
  paginated: boolean;
  annotations: ToolAnnotations;
  /** The complete input schema; every call is validated against it, whatever the listing shows. */
  input: z.ZodObject;
}

/** Arguments the server adds to API parameters; they never reach the API. */
export const CONTROL_ARGS = {
  dry_run: z.boolean().describe('Preview only; send nothing.'),
  confirmation_token: z
    .string()
    .describe('From a confirmation_required preview: runs that exact request once.'),
  approval_id: z.string().describe('From approval_required: reads its outcome; sends nothing.'),
  max_items: z
    .int()
    .min(1)
    .max(1000)
    .describe('Follow pages up to this many items.'),
  fields: z.array(z.string().min(1)).min(1).describe('Keep only these fields per item.'),
} as const;

export type ControlArg = keyof typeof CONTROL_ARGS;

/** A call's arguments without the server's own (CONTROL_ARGS): what the API request is built from. */
export function apiArguments(args: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(args).filter(([key]) => !(key in CONTROL_ARGS)));
}

/**
 * A query string cannot carry an empty list: `columns=` reads back as one empty value, and a list of repeated keys
 * vanishes (a required one then is missing). So a list in the query needs at least one item; to send none, omit it.
 */
function queryListFacts(builder: SchemaBuilder, facts: SchemaFacts): SchemaFacts {
  const flat = builder.flatten(facts);
  return flat.type === 'array' && !((flat.minItems ?? 0) >= 1) ? { ...flat, minItems: 1 } : facts;
}

function parameterSchema(builder: SchemaBuilder, p: ParameterFacts, options: BuildOptions): z.ZodType {
  const converted = builder.convert(p.in === 'query' ? queryListFacts(builder, p.schema) : p.schema);
  const note = options.describeProperty?.([PARAMETERS], p.name, builder.valuesOf(p.schema));
  const schema = note ? converted.describe(note) : converted;
  return p.required || p.in === 'path' ? schema : schema.optional();
}

export interface BuildOptions extends Omit<SchemaBuilderOptions, 'schemas'> {
  /**
   * Whether writes take `confirmation_token` (the model-held token flow: `--approval model`, or auto's fallback);
   * without it a model has nothing that could send a held write. Writes always take `approval_id`.
   */
  confirmationToken?: boolean;
}

export function buildTools(api: ApiDefinition, options: BuildOptions = {}): ToolDef[] {
  // Made on the first input built: indexing every component schema costs start-up time a listing does not need.
  let schemaBuilder: SchemaBuilder | undefined;
  const tools: ToolDef[] = [];
  for (const op of api.catalog.operations) {
    if (api.excluded[op.id]) continue;
    const text = api.texts[op.id];
    if (!text) throw new Error(`no description written for ${op.id}`);
    const name = toolName(api, op);
    const writes = isWrite(name, op.method);
    const paginated = op.parameters.some((p) => p.name === api.paging.cursorParam && p.in === 'query');

    /** Built on first use: zod schemas for 150+ operations cost start-up time that most sessions never need. */
    let input: z.ZodObject | undefined;
    const buildInput = (): z.ZodObject => {
      const builder = (schemaBuilder ??= new SchemaBuilder({
        ...options,
        schemas: api.catalog.schemas,
        refineComponent: (name, schema) => withTextRules(api.textRules, name, schema),
      }));
      const shape: Record<string, z.ZodType> = {};
      for (const p of op.parameters) shape[p.name] = parameterSchema(builder, p, options);
      if (op.body) {
        const body = builder.convert(op.body.schema);
        shape.body = op.body.required ? body : body.optional();
      }
      if (writes) {
        shape.dry_run = CONTROL_ARGS.dry_run.optional();
        if (options.confirmationToken) shape.confirmation_token = CONTROL_ARGS.confirmation_token.optional();
        shape.approval_id = CONTROL_ARGS.approval_id.optional();
      }
      if (paginated) shape.max_items = CONTROL_ARGS.max_items.optional();
      if (!writes) shape.fields = CONTROL_ARGS.fields.optional();
      return z.strictObject(shape);
    };

    tools.push({
      name,
      title: text.title,
      description: text.description,
      api,
      op,
      toolset: toolsetOf(api, name, op),
      writes,
      paginated,
      annotations: {
        title: text.title,
        readOnlyHint: !writes,
        destructiveHint: op.method === 'DELETE' || classify(name)?.class === 'destructive',
        idempotentHint: !writes || op.method !== 'POST',
        openWorldHint: true,
      },
      get input() {
        return (input ??= buildInput());
      },
    });
  }
  return tools;
}

/**
 * Every tool by its name, and by each former name its API keeps callable for a release (`renamedTools`); the former
 * names are never listed. A former name that points at no tool, or that is a tool's own name, stops the server at start.
 */
export function toolsByName(tools: readonly ToolDef[]): Map<string, ToolDef> {
  const byName = new Map(tools.map((t) => [t.name, t]));
  for (const api of new Set(tools.map((t) => t.api))) {
    for (const [former, current] of Object.entries(api.renamedTools)) {
      const tool = byName.get(current);
      if (!tool || tool.api !== api) throw new Error(`${api.id} renamedTools: ${former} points at ${current}, which is not one of its tools`);
      if (byName.has(former)) throw new Error(`${api.id} renamedTools: ${former} is the name of a tool, so it cannot also be a former name`);
      byName.set(former, tool);
    }
  }
  return byName;
}
