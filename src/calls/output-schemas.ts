// Each API tool's output schema: what its structuredContent is after the server's own changes, built on first use, kept per tool.
import type { ApiDefinition } from '../apis/index.js';
import type { SchemaFacts } from '../apis/types.js';
import { UNDOCUMENTED_ANSWER_SCHEMA } from '../core/results.js';
import { APPROVAL_OUTCOME_SCHEMA } from '../guard/answer-schema.js';
import { RESTATED_ROWS, naturalColumnOf } from '../money/report-rows.js';
import type { JsonSchema } from '../tools/listing.js';
import type { ToolDef } from '../tools/registry.js';
import { ResponseSchemas } from '../tools/response-schema.js';
import { PAGINATION_SCHEMA } from './runner.js';
import { OUTPUT_BRANCHES, branchedSchema } from './output-branches.js';

const schemasByApi = new WeakMap<ApiDefinition, Promise<ResponseSchemas>>();
const schemasByTool = new WeakMap<ToolDef, Promise<JsonSchema>>();

/** The API's response shapes as JSON Schema, loaded and converted on first use (each component once per API). */
function responsesOf(api: ApiDefinition): Promise<ResponseSchemas> {
  let schemas = schemasByApi.get(api);
  if (!schemas) {
    schemas = api.responses().then((catalog) => new ResponseSchemas(catalog));
    schemasByApi.set(api, schemas);
  }
  return schemas;
}

/**
 * The tool's output schema (JSON Schema 2020-12): describe_tool answers it; tools/list leaves it out, to stay within
 * its token budgets. Built on the first call for the tool and kept.
 */
export function outputSchemaOf(tool: ToolDef): Promise<JsonSchema> {
  let schema = schemasByTool.get(tool);
  if (!schema) {
    schema = responsesOf(tool.api).then((responses) => buildOutputSchema(tool, responses));
    schemasByTool.set(tool, schema);
    schema.catch(() => schemasByTool.delete(tool));
  }
  return schema;
}

/** Whether the description documents the shape of the tool's answer (its output schema then says more than "an object"). */
export async function answerIsDocumented(tool: ToolDef): Promise<boolean> {
  return (await responsesOf(tool.api)).answerOf(tool.op.id) !== undefined;
}

function buildOutputSchema(tool: ToolDef, responses: ResponseSchemas): JsonSchema {
  const clash = Object.values(OUTPUT_BRANCHES).find((name) => responses.isComponent(name));
  if (clash) throw new Error(`${tool.api.id} has a response component named ${clash}, which an output schema's branch uses`);
  return responses.withDefs(branchedSchema(describeRoot(tool), answerSchema(tool, responses), tool.writes));
}

function describeRoot(tool: ToolDef): string {
  const { answer, held, truncated } = OUTPUT_BRANCHES;
  const parts = [
    `structuredContent of a call without isError. \`${answer}\`: the API's answer${tool.writes ? ' once the write is sent' : ''} (a list wrapped as {items}, a bare value as {value})`,
    ...(tool.paginated && !tool.writes ? ['with `pagination` after max_items'] : []),
    ...(tool.writes ? [] : ['`fields` keeps only the named fields of each item, so none of them is required']),
    ...(tool.writes ? [`\`${held}\`: the write was not sent by this call (a preview, a hold for a person, an approval read with approval_id)`] : []),
    `\`${truncated}\`: an answer cut for size`,
  ];
  return `${parts.join('; ')}.`;
}

/** The API's answer as structuredContent carries it: wrapped by `structured`, projected by `fields`, restated by `present`. */
function answerSchema(tool: ToolDef, responses: ResponseSchemas): JsonSchema {
  const facts = responses.answerOf(tool.op.id);
  if (!facts) {
    const undocumented = tool.op.success.json ? { type: 'object', description: 'The description documents no shape for this answer.' } : UNDOCUMENTED_ANSWER_SCHEMA;
    return withServerFields(tool, structuredClone(undocumented));
  }
  const reads = !tool.writes;
  const { itemsKey } = tool.api.paging;
  const flat = responses.flatten(facts);
  const kind = flat.type ?? (flat.properties ? 'object' : flat.items ? 'array' : undefined);
  let top: JsonSchema;
  if (kind === 'array') {
    // `structured` answers a list as {items}; `fields` then picks from the items when they sit under the list key.
    const items = flat.items ? listItem(tool, responses, flat.items, reads && itemsKey === 'items') : {};
    top = { type: 'object', properties: { items: { type: 'array', items } }, ...(reads && itemsKey !== 'items' ? {} : { required: ['items'] }) };
  } else if (kind === 'string' || kind === 'number' || kind === 'integer' || kind === 'boolean') {
    top = { type: 'object', properties: { value: responses.node(facts) }, ...(reads ? {} : { required: ['value'] }) };
  } else {
    const list = flat.properties?.[itemsKey];
    const listFlat = list && responses.flatten(list);
    const isList = !!listFlat && (listFlat.type === 'array' || !!listFlat.items);
    top = responses.ownLevel(facts, reads && !isList);
    if (isList && listFlat.items) {
      const listed = { type: listFlat.nullable ? ['array', 'null'] : 'array', items: listItem(tool, responses, listFlat.items, reads) };
      top.properties = { ...top.properties, [itemsKey]: listed };
    }
  }
  return withServerFields(tool, top);
}

/** An item of a list answer: every field optional where `fields` may pick, analytics amounts restated where `present` does. */
function listItem(tool: ToolDef, responses: ResponseSchemas, facts: SchemaFacts, optional: boolean): JsonSchema {
  const item = responses.ownLevel(facts, optional);
  const money = tool.api.money.answers;
  if (tool.writes || money.unit !== 'micro' || !money.reportRows) return item;
  const columns = Object.keys(item.properties ?? {});
  const natural = columns.map((key) => [naturalColumnOf(key), key] as const).filter((pair): pair is [string, string] => !!pair[0] && !columns.includes(pair[0]));
  if (!natural.length && item.additionalProperties !== true) return item;
  const restated = natural.map(([name, key]) => [name, { type: 'string', description: `${key} in natural units with the account currency ("12.34 USD")` }]);
  return { ...item, description: RESTATED_ROWS, properties: { ...item.properties, ...Object.fromEntries(restated) } };
}

/** The fields the server adds to an answer: `pagination` (max_items) to a read's, `approval` to an approved write's. */
function withServerFields(tool: ToolDef, top: JsonSchema): JsonSchema {
  top.type ??= 'object';
  if (tool.writes) top.properties = { ...top.properties, approval: APPROVAL_OUTCOME_SCHEMA };
  else if (tool.paginated) top.properties = { ...top.properties, pagination: PAGINATION_SCHEMA };
  return top;
}
