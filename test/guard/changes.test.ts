// What a write changes (changes.ts), called directly: money found in entities, with entity, index, id and micros, and the preview lines.
import { describe, expect, it } from 'vitest';
import { type Change, describeChange, heldChanges, moneyIn, placed } from '../../src/guard/changes.js';
import { moneyFieldsOf } from '../../src/guard/entities.js';
import { pinterestTool, prepareWrite } from '../helpers/prepared-write.js';

const ACCOUNT = '549755885175';
const AD_GROUP = '2680059592705';
const OTHER_GROUP = '2680059592706';
const NOTHING_HELD = new Set<never>();

describe('heldChanges', () => {
  const tool = pinterestTool('ad_groups_update');

  it('finds a budget change with its entity, id and amount in micros, and prints it', async () => {
    const { prepared } = await prepareWrite(tool, { ad_account_id: ACCOUNT, body: [{ id: AD_GROUP, budget: '12.50' }] }, 'USD');
    expect(prepared.request.body).toEqual([{ id: AD_GROUP, budget_in_micro_currency: 12_500_000 }]);
    const changes = heldChanges(tool, prepared, NOTHING_HELD);
    expect(changes).toEqual([{ entity: 'ad_group', index: 0, id: AD_GROUP, field: 'budget', reason: 'money', to: '12.50 USD', to_micro: '12500000' }]);
    expect(changes.map(describeChange)).toEqual([`ad_group ${AD_GROUP}: budget 12.50 USD`]);
  });

  it('finds a money field nested inside the second item of the body, with that item index and id', async () => {
    const body = [
      { id: AD_GROUP, name: 'Spring' },
      { id: OTHER_GROUP, optimization_goal_metadata: { conversion_tag_v3_goal_metadata: { cpa_goal_value: '325' } } },
    ];
    const { prepared } = await prepareWrite(tool, { ad_account_id: ACCOUNT, body }, 'JPY');
    const changes = heldChanges(tool, prepared, NOTHING_HELD);
    expect(changes).toEqual([
      {
        entity: 'ad_group',
        index: 1,
        id: OTHER_GROUP,
        field: 'optimization_goal_metadata.conversion_tag_v3_goal_metadata.cpa_goal_value',
        reason: 'money',
        to: '325 JPY',
        to_micro: '325000000',
      },
      {
        entity: 'ad_group',
        index: 1,
        id: OTHER_GROUP,
        field: 'optimization_goal_metadata',
        reason: 'setting',
        why: 'the conversion goal and the CPA / scroll-up targets that bidding aims at',
        to: { conversion_tag_v3_goal_metadata: { cpa_goal_value_in_micro_currency: '325000000' } },
      },
    ]);
    expect(describeChange(changes[0])).toBe(`ad_group ${OTHER_GROUP}: optimization_goal_metadata.conversion_tag_v3_goal_metadata.cpa_goal_value 325 JPY`);
  });

  it('holds a write that is not in the classification table, as a whole', async () => {
    const unknown = { ...tool, name: 'not_a_classified_write' };
    const { prepared } = await prepareWrite(tool, { ad_account_id: ACCOUNT, body: [{ id: AD_GROUP, name: 'x' }] }, 'USD');
    expect(heldChanges(unknown, prepared, NOTHING_HELD)).toEqual([
      { entity: 'not_a_classified_write', index: 0, field: '(request)', reason: 'unclassified', why: 'this write is not in the classification table; unknown means held' },
    ]);
  });
});

describe('moneyIn', () => {
  const fields = moneyFieldsOf('pinterest', 'ad_group');

  it('attributes converted amounts to the object that carries them, with dotted input names', async () => {
    const tool = pinterestTool('ad_groups_update');
    const body = [{ id: AD_GROUP, bid: '0.75', optimization_goal_metadata: { scrollup_goal_metadata: { scrollup_goal_value: '0.1' } } }];
    const { prepared } = await prepareWrite(tool, { ad_account_id: ACCOUNT, body }, 'USD');
    const [entity] = prepared.entities;
    const found = moneyIn(entity.item, fields, placed(prepared.amounts));
    expect(found.map(({ field, value, path }) => ({ api: field.apiName, value, path }))).toEqual([
      { api: 'bid_in_micro_currency', value: 750_000, path: 'bid' },
      { api: 'scrollup_goal_value_in_micro_currency', value: '100000', path: 'optimization_goal_metadata.scrollup_goal_metadata.scrollup_goal_value' },
    ]);
    const goal = (entity.item.optimization_goal_metadata as { scrollup_goal_metadata: object }).scrollup_goal_metadata;
    expect(found[0].holder).toBe(entity.item);
    expect(found[1].holder).toBe(goal);
  });

  it('matches unconverted fields by name, does not search lists inside the entity, and keeps a null (a cleared amount)', () => {
    const item = { budget_in_micro_currency: null, targeting: [{ bid_in_micro_currency: 7 }], nested: { bid_in_micro_currency: 9 } };
    expect(moneyIn(item, fields, placed([])).map(({ field, value, path, holder }) => [field.apiName, value, path, holder === item])).toEqual([
      ['budget_in_micro_currency', null, 'budget', true],
      ['bid_in_micro_currency', 9, 'nested.bid', false],
    ]);
  });
});

describe('describeChange', () => {
  const base: Change = { entity: 'ad_group', index: 0, id: AD_GROUP, name: 'Spring "sale"', field: 'budget', reason: 'money', to: '12.50 USD' };

  it('prints the current value, the change in percent and a note', () => {
    expect(describeChange({ ...base, from: '10.00 USD', change_percent: 25, note: 'checked' })).toBe(`ad_group ${AD_GROUP} "Spring \\"sale\\"": budget 10.00 USD -> 12.50 USD (+25%) [checked]`);
    expect(describeChange({ ...base, id: undefined, index: 2, from: null })).toBe('ad_group #3 "Spring \\"sale\\"": budget none -> 12.50 USD');
  });

  it('prints an activation and a whole-request reason in their own words', () => {
    expect(describeChange({ entity: 'campaign', index: 0, field: 'status', reason: 'activation', to: 'ACTIVE', spending: 'daily_spend_cap 5.00 USD' })).toBe(
      'campaign #1: will be created ACTIVE and can start spending at once, at daily_spend_cap 5.00 USD',
    );
    expect(describeChange({ entity: 'billing_profiles_create', index: 0, field: '(request)', reason: 'spend', why: 'adds a way to pay' })).toBe('billing_profiles_create: adds a way to pay');
  });
});
