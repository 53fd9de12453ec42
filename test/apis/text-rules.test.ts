// Rules the descriptions state in words (src/apis/<api>/text-rules.ts): each quotes its source, which must still say it, and
// each refuses what it says before anything is sent, naming the field and the fix.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APIS } from '../../src/apis/index.js';
import { PINTEREST_TEXT_RULES } from '../../src/apis/pinterest/text-rules.js';
import { textRuleProblem } from '../../src/tools/text-rules.js';
import { type Harness, MODEL_APPROVAL, USD_ACCOUNT, startInProcess } from '../helpers/harness.js';

const description = JSON.parse(readFileSync(resolve(import.meta.dirname, '../../reference/pinterest/openapi-5.23.0.json'), 'utf8'));

/** The text at a dotted path with [n] indexes (`components.schemas.X.properties.y.allOf[1].description`). */
function at(root: unknown, where: string): unknown {
  return where.split('.').reduce<unknown>((node, step) => {
    const [, key, index] = /^([^[]+)(?:\[(\d+)\])?$/.exec(step)!;
    const value = (node as Record<string, unknown> | undefined)?.[key];
    return index === undefined ? value : (value as unknown[] | undefined)?.[Number(index)];
  }, root);
}

describe('text rules', () => {
  it('quote their source exactly, where the description says it, and name fields their component has', () => {
    const pinterest = APIS.find((api) => api.textRules === PINTEREST_TEXT_RULES)!;
    expect(PINTEREST_TEXT_RULES.length).toBeGreaterThan(0);
    for (const rule of PINTEREST_TEXT_RULES) {
      expect(String(at(description, rule.source.where)), rule.source.where).toContain(rule.source.text);
      const component = pinterest.catalog.schemas[rule.component];
      expect(component, rule.component).toBeDefined();
      // The fields a rule names are the component's own (or, for an anyOf of one shared shape, that shape's).
      const shape = component.properties ?? pinterest.catalog.schemas[component.anyOf?.[0]?.$ref ?? '']?.properties ?? {};
      const fields = rule.kind === 'oneOfSets' ? rule.sets.flat() : [rule.field, rule.present, rule.equals?.field].filter((f): f is string => !!f);
      for (const field of fields) expect(Object.keys(shape), `${rule.component}.${field}`).toContain(field);
    }
  });

  it('say what is missing in one sentence, and nothing for what satisfies them', () => {
    const [userData, currency, value, targeting] = PINTEREST_TEXT_RULES;
    expect(textRuleProblem(userData, {})?.message).toBe('needs at least one of: em; or hashed_maids; or client_ip_address with client_user_agent (the API refuses it otherwise)');
    expect(textRuleProblem(userData, { client_ip_address: '1.2.3.4' })).toBeDefined();
    expect(textRuleProblem(userData, { client_ip_address: '1.2.3.4', client_user_agent: 'UA' })).toBeUndefined();
    expect(textRuleProblem(userData, { em: ['h'] })).toBeUndefined();
    expect(textRuleProblem(currency, { value: '12.5' })).toEqual({ field: 'currency', message: 'is required when value is given' });
    expect(textRuleProblem(currency, {})).toBeUndefined();
    expect(textRuleProblem(value, { event_name: 'checkout' })).toEqual({ field: 'value', message: 'is required when event_name is "checkout"' });
    expect(textRuleProblem(value, { event_name: 'page_visit' })).toBeUndefined();
    expect(textRuleProblem(targeting, { GENDER: ['female'] })?.message).toBe('needs at least one of: LOCATION; or GEO (the API refuses it otherwise)');
    expect(textRuleProblem(targeting, { GEO: ['US-94107'] })).toBeUndefined();
    expect(textRuleProblem(targeting, { LOCATION: ['US'] })).toBeUndefined();
  });
});

describe('text rules through the tools (nothing sent when one is broken)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startInProcess({ args: [...MODEL_APPROVAL, '--toolsets', 'all'] });
  });
  afterAll(async () => {
    await h?.close();
  });

  const event = (userData: Record<string, unknown>) => ({
    ad_account_id: USD_ACCOUNT,
    body: { data: [{ event_name: 'checkout', action_source: 'web', event_time: 1704067200, event_id: 'e1', user_data: userData }] },
  });

  it('events_create: user_data {} is refused naming it and the identifiers that would do; with em it passes validation', async () => {
    const refused = await h.call('events_create', event({}));
    expect(refused.isError).toBe(true);
    expect(refused.text).toMatch(/body\.data\[0\]\.user_data.*needs at least one of: em; or hashed_maids; or client_ip_address with client_user_agent/);
    const accepted = await h.call('events_create', event({ em: ['411e44ce1261728ffd2c0686e44e3fffe413c0e2c5adc498bc7da883d476b9c8'] }));
    expect(accepted.text).not.toMatch(/needs at least one of|Invalid/);
    expect(h.sent({ writesOnly: true })).toHaveLength(0); // held (a data write) or refused: nothing reached the API
  });

  it('msot_events_create: a value without its currency, and a checkout without a value, are refused', async () => {
    const base = { event_id: 'e1', event_timestamp: 1704067200, ad_group_id: '2680059592701', attribution_scope: 'click' };
    const noCurrency = await h.call('msot_events_create', { ad_account_id: USD_ACCOUNT, body: { ...base, event_name: 'lead', value: 12.5 } });
    expect(noCurrency.isError).toBe(true);
    expect(noCurrency.text).toMatch(/body\.currency.*is required when value is given/);
    const noValue = await h.call('msot_events_create', { ad_account_id: USD_ACCOUNT, body: { ...base, event_name: 'checkout' } });
    expect(noValue.isError).toBe(true);
    expect(noValue.text).toMatch(/body\.value.*is required when event_name is "checkout"/);
    expect(h.sent()).toHaveLength(0);
  });

  it('ad_groups_update: a targeting spec with neither LOCATION nor GEO is refused before anything is sent (nor held)', async () => {
    const update = (targeting: Record<string, unknown>) => ({ ad_account_id: USD_ACCOUNT, body: [{ id: '2680059592701', targeting_spec: targeting }] });
    const refused = await h.call('ad_groups_update', update({ GENDER: ['female'] }));
    expect(refused.isError).toBe(true);
    expect(refused.text).toMatch(/body\[0\]\.targeting_spec.*needs at least one of: LOCATION; or GEO/);
    const held = await h.call('ad_groups_update', update({ LOCATION: ['US'], GENDER: ['female'] }));
    expect(held.text).not.toMatch(/needs at least one of|Invalid/);
    expect(h.sent({ writesOnly: true })).toHaveLength(0);
  });
});
