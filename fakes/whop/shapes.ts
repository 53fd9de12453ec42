// Whop's entity shapes: an entity as the API answers it, a checked request, and request values laid into response schemas.
import type { SchemaFacts } from '../../src/apis/types.js';
import { isPlainObject } from '../../src/core/json.js';
import { whopResponses } from '../../src/apis/whop/responses.generated.js';

/** An entity (campaign, ad group, ad, audience) as the API answers it. */
export type Entity = Record<string, unknown>;
/** A request body or query that the validator has already checked against the catalog. */
export type Checked = Record<string, any>;

function resolve(facts: SchemaFacts): { facts: SchemaFacts; nullable: boolean } {
  let nullable = facts.nullable === true;
  let current = facts;
  for (let depth = 0; current.$ref && depth < 10; depth++) {
    current = whopResponses.schemas[current.$ref] ?? {};
    nullable ||= current.nullable === true;
  }
  return { facts: current, nullable };
}

/** The empty value of a response schema: null when nullable, else [], false, 0, the first enum value, or an object of empties. */
export function emptyOf(schema: SchemaFacts): unknown {
  const { facts, nullable } = resolve(schema);
  if (nullable) return null;
  if (facts.enum) return facts.enum[0];
  if (facts.properties) return conform(facts, {});
  switch (facts.type) {
    case 'array':
      return [];
    case 'boolean':
      return false;
    case 'number':
    case 'integer':
      return 0;
    case 'string':
      return '';
    default:
      return {};
  }
}

/** A request value laid into a response schema: required properties it lacks are filled with empties, unlisted ones dropped. */
export function conform(schema: SchemaFacts | undefined, value: unknown): unknown {
  if (!schema) return value;
  if (value === undefined || value === null) return emptyOf(schema);
  const { facts } = resolve(schema);
  if (facts.properties && isPlainObject(value)) {
    const out: Entity = {};
    for (const [key, prop] of Object.entries(facts.properties)) {
      if (value[key] !== undefined) out[key] = conform(prop, value[key]);
      else if (facts.required?.includes(key)) out[key] = emptyOf(prop);
    }
    return out;
  }
  if (facts.items && Array.isArray(value)) return value.map((item) => conform(facts.items, item));
  return value;
}

function responseProperty(schemaName: string, key: string): SchemaFacts | undefined {
  return whopResponses.schemas[schemaName]?.properties?.[key];
}

/** A request's region spec as the API answers it: zip codes given as `{key}` become their keys. */
function normalizeRegions(regions: unknown): unknown {
  if (!isPlainObject(regions)) return regions;
  const side = (part: unknown): unknown =>
    isPlainObject(part) && Array.isArray(part.zips)
      ? { ...part, zips: part.zips.map((z) => (isPlainObject(z) ? z.key : z)) }
      : part;
  return { ...regions, include: side(regions.include), exclude: side(regions.exclude) };
}

/** The response fields an ad group create/update body sets. */
export function adGroupFields(body: Checked): Entity {
  const out: Entity = {};
  for (const [key, raw] of Object.entries(body)) {
    if (key === 'ad_campaign_id') continue;
    let value: unknown = raw;
    if (key === 'placements') value = raw === 'automatic' ? [] : raw;
    if (key === 'regions') value = normalizeRegions(raw);
    out[key] = conform(responseProperty('AdGroup', key), value);
  }
  return out;
}

/** The response fields an ad create/update body sets. */
export function adFields(body: Checked): Entity {
  const out: Entity = {};
  for (const [key, value] of Object.entries(body)) {
    if (key === 'ad_group' || key === 'ad_group_id') continue;
    out[key] = conform(responseProperty('Ad', key), value);
  }
  return out;
}
