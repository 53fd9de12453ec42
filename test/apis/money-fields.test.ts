// No micro amount of the API descriptions slips through: each is a money field (requests) or read back readably (results).
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_SPEC_PATH } from '../../scripts/catalog-generator.js';
import type { SchemaFacts } from '../../src/apis/types.js';
import { BID_MULTIPLIERS } from '../../src/apis/pinterest/effective-bids.js';
import { CURRENCY_CODE_FIELDS, MONEY_FIELDS } from '../../src/guard/money-fields.js';
import { MICRO_RESPONSE_FIELD } from '../../src/apis/pinterest/money-fields.js';
import { WHOP_CURRENCY_SOURCES } from '../../src/apis/whop/currency.js';
import { toolName } from '../../src/apis/index.js';
import { pinterestResponses } from '../../src/apis/pinterest/responses.generated.js';
import { APIS } from '../../src/apis/index.js';

type Json = Record<string, any>;

/** Calls `visit` for every property of every schema in `schemas`, with the component that declares it. */
function eachProperty(schemas: Readonly<Record<string, Json>>, visit: (owner: string, name: string, schema: Json) => void): void {
  const walk = (owner: string, schema: Json | undefined): void => {
    if (!schema || typeof schema !== 'object' || schema.$ref) return;
    for (const [name, prop] of Object.entries<Json>(schema.properties ?? {})) {
      visit(owner, name, prop);
      walk(owner, prop);
    }
    for (const part of [...(schema.allOf ?? []), ...(schema.oneOf ?? []), ...(schema.anyOf ?? [])]) walk(owner, part);
    walk(owner, schema.items);
    if (typeof schema.additionalProperties === 'object') walk(owner, schema.additionalProperties);
  };
  for (const [owner, schema] of Object.entries(schemas)) walk(owner, schema);
}

const MICRO = /micro/i;
const refName = (prop: Json): string => String(prop.$ref ?? prop.allOf?.find((p: Json) => p.$ref)?.$ref ?? '').replace('#/components/schemas/', '');
const isMoneyField = (api: string, owner: string, name: string) => MONEY_FIELDS.some((f) => f.api === api && f.owner === owner && f.apiName === name);

describe('money fields', () => {
  it('each names a property its owner declares', () => {
    for (const api of APIS) {
      const declared = new Set<string>();
      eachProperty(api.catalog.schemas, (owner, name) => declared.add(`${owner}.${name}`));
      const missing = MONEY_FIELDS.filter((f) => f.api === api.id && !declared.has(`${f.owner}.${f.apiName}`));
      expect(missing, api.id).toEqual([]);
    }
  });

  it('cover every request property whose name or schema says micro', () => {
    for (const api of APIS) {
      const unhandled: string[] = [];
      eachProperty(api.catalog.schemas, (owner, name, prop) => {
        if (prop.readOnly || !(MICRO.test(name) || MICRO.test(refName(prop)))) return;
        if (!isMoneyField(api.id, owner, name)) unhandled.push(`${owner}.${name}`);
      });
      expect(unhandled, `${api.id}: add these to the money fields in src/apis/${api.id}/money-fields.ts`).toEqual([]);
    }
  });

  it('sit only in operations that say whose currency they are in (an ad account, or a Whop entity the currency is read from)', () => {
    for (const api of APIS) {
      const owners = new Map<string, Set<string>>();
      for (const f of MONEY_FIELDS.filter((m) => m.api === api.id)) owners.set(f.owner, (owners.get(f.owner) ?? new Set()).add(f.apiName));
      const reaches = (facts: Json | undefined, seen = new Set<string>()): boolean => {
        if (!facts) return false;
        if (facts.$ref) {
          if (seen.has(facts.$ref)) return false;
          seen.add(facts.$ref);
          if (owners.has(facts.$ref)) return true;
          return reaches(api.catalog.schemas[facts.$ref] as Json, seen);
        }
        const parts = [...Object.values<Json>(facts.properties ?? {}), ...(facts.allOf ?? []), ...(facts.oneOf ?? []), ...(facts.anyOf ?? []), facts.items];
        return parts.some((p) => reaches(p, seen));
      };
      const unanchored = api.catalog.operations
        .filter((op) => !api.excluded[op.id] && reaches(op.body?.schema as Json | undefined))
        .filter((op) => (api.id === 'whop' ? !(toolName(api, op) in WHOP_CURRENCY_SOURCES) : !op.parameters.some((p) => p.name === 'ad_account_id')))
        .map((op) => op.id);
      expect(unanchored, `${api.id}: amounts whose currency nothing names would always be refused`).toEqual([]);
      expect(api.catalog.operations.filter((op) => reaches(op.body?.schema as Json | undefined)).length).toBeGreaterThanOrEqual(5);
    }
  });

  it('are read back in natural units wherever a result carries micros by name', () => {
    const unreadable: string[] = [];
    eachProperty(pinterestResponses.schemas as Record<string, SchemaFacts>, (owner, name) => {
      if (MICRO.test(name) && !MICRO_RESPONSE_FIELD.test(name)) unreadable.push(`${owner}.${name}`);
    });
    expect(unreadable, 'extend MICRO_RESPONSE_FIELD in src/apis/pinterest/money-fields.ts').toEqual([]);
  });

  const specPath = resolve(DEFAULT_SPEC_PATH);
  it('cover every property the description calls micro, in requests and in results', () => {
    const spec = JSON.parse(readFileSync(specPath, 'utf8'));
    const components: Record<string, Json> = spec.components.schemas;
    const pinterest = APIS.find((a) => a.id === 'pinterest')!;
    const saysMicro = (prop: Json): boolean =>
      MICRO.test(prop.description ?? '') || MICRO.test(components[refName(prop)]?.description ?? '') || MICRO.test(refName(prop));
    const requests: string[] = [];
    const results: string[] = [];
    eachProperty(components, (owner, name, prop) => {
      if (!saysMicro(prop) && !MICRO.test(name)) return;
      const inRequests = owner in pinterest.catalog.schemas && !prop.readOnly && !components[refName(prop)]?.readOnly;
      if (inRequests && !isMoneyField('pinterest', owner, name) && !NOT_AMOUNTS[`${owner}.${name}`]) requests.push(`${owner}.${name}`);
      if (!inRequests && !MICRO_RESPONSE_FIELD.test(name) && !NOT_AMOUNTS[`${owner}.${name}`]) results.push(`${owner}.${name}`);
    });
    expect(requests, 'request amounts missing from MONEY_FIELDS').toEqual([]);
    expect(results, 'result amounts missing from MICRO_RESPONSE_FIELD').toEqual([]);
  });
});

/** Properties whose description mentions micro units but that carry no amount of their own, with why. */
const NOT_AMOUNTS: Readonly<Record<string, string>> = {};

describe('what else decides an amount', () => {
  const specPath = resolve(DEFAULT_SPEC_PATH);
  const isRequest = (api: (typeof APIS)[number], owner: string, prop: Json) => owner in api.catalog.schemas && !prop.readOnly;

  it('every request property that names a currency must be the account\'s (CURRENCY_CODE_FIELDS), or is listed with why not', () => {
    for (const api of APIS) {
      const unlisted: string[] = [];
      eachProperty(api.catalog.schemas, (owner, name, prop) => {
        if (!isRequest(api, owner, prop) || isMoneyField(api.id, owner, name)) return;
        if (!(refName(prop) === 'Currency' || /(^|_)currency(_code|_info)?$/.test(name))) return;
        const listed = CURRENCY_CODE_FIELDS.some((f) => f.api === api.id && f.owner === owner && f.apiName === name);
        if (!listed && !NOT_ACCOUNT_CURRENCIES[`${api.id}:${owner}.${name}`]) unlisted.push(`${api.id}:${owner}.${name}`);
      });
      expect(unlisted, 'add to the currency codes (src/apis/<api>/money-fields.ts) or NOT_ACCOUNT_CURRENCIES').toEqual([]);
    }
    for (const f of CURRENCY_CODE_FIELDS) expect(APIS.find((a) => a.id === f.api)!.catalog.schemas[f.owner]?.properties?.[f.apiName], f.owner).toBeDefined();
  });

  it('every request property the description calls a bid multiplier, or that holds them, is in BID_MULTIPLIERS', () => {
    const spec = JSON.parse(readFileSync(specPath, 'utf8'));
    const components: Record<string, Json> = spec.components.schemas;
    const pinterest = APIS.find((a) => a.id === 'pinterest')!;
    const unlisted: string[] = [];
    eachProperty(components, (owner, name, prop) => {
      const text = `${name} ${prop.description ?? ''} ${components[refName(prop)]?.description ?? ''}`;
      if (!isRequest(pinterest, owner, prop) || !/multiplier/i.test(text) || NOT_MULTIPLIERS[`${owner}.${name}`]) return;
      if (!BID_MULTIPLIERS.some((m) => m.owner === owner && m.name === name)) unlisted.push(`${owner}.${name}`);
    });
    expect(unlisted, 'add to BID_MULTIPLIERS in src/apis/pinterest/effective-bids.ts').toEqual([]);
    for (const m of BID_MULTIPLIERS) expect(pinterest.catalog.schemas[m.owner], m.owner).toBeDefined();
  });
});

/** Request properties that name a currency other than the account's own, with why. */
const CATALOG_FEED = "the default currency of a catalog feed's product prices; spends nothing";
const CONVERSION = "the currency of a customer's purchase reported as a conversion; spends nothing";
const NOT_ACCOUNT_CURRENCIES: Readonly<Record<string, string>> = {
  'pinterest:AdAccountCreate.currency': "the new ad account's own billing currency",
  'pinterest:BidFloorRequest.currency': 'the currency bid floors are quoted in; a read',
  'pinterest:PriceFilter.currency': 'filters catalog products by price; spends nothing',
  'pinterest:ConversionEvents.currency': CONVERSION,
  'pinterest:ConversionMSOTEvents.currency': CONVERSION,
  'pinterest:EventData.currency': CONVERSION,
  ...Object.fromEntries(
    ['CatalogsCreativeAssetsFeeds', 'CatalogsFeeds', 'CatalogsHotelFeeds', 'CatalogsRetailFeeds'].flatMap((feed) =>
      ['Create', 'Update'].map((verb) => [`pinterest:${feed}${verb}Request.default_currency`, CATALOG_FEED]),
    ),
  ),
  // Undocumented: insertion orders are always held, and their amounts (no documented unit) are refused under an order cap.
  'pinterest:SSIOCreateInsertionOrderRequest.currency_info': "a new insertion order's currency; its amounts are not converted or compared",
};

/** Request properties whose description mentions multipliers but that multiply no bid, with why. */
const NOT_MULTIPLIERS: Readonly<Record<string, string>> = {
  'TargetingTypeFilter.targeting_types': 'an analytics breakdown; AUDIENCE_MULTIPLIER is a targeting type it can report by',
};
