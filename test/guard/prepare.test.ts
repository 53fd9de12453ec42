// Preparing the exact request on its own: money to micros, the request as sent, its hash, the entities it writes, and current values, with a stub reader.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { pinterestApi } from '../../src/apis/index.js';
import { SharedStore, createStore } from '../../src/core/store.js';
import { heldChanges } from '../../src/guard/changes.js';
import { AmountError } from '../../src/guard/convert.js';
import { CurrencyResolver, type Reader } from '../../src/guard/currency.js';
import { CurrentValues } from '../../src/guard/current.js';
import { moneyOverride } from '../../src/guard/money-fields.js';
import { type Call, prepareRequest, resolveParents, withCurrentValues } from '../../src/guard/prepare.js';
import { type ToolDef, apiArguments, buildTools } from '../../src/tools/registry.js';

const USD_ACCOUNT = '549755885175';
const JPY_ACCOUNT = '549755885176';
const AD_GROUP = '2680059592701';
const MISSING_AD_GROUP = '2680059592799';

const tools = new Map(buildTools(pinterestApi, { overrideProperty: moneyOverride('pinterest') }).map((t) => [t.name, t]));

/** A call as the guard gets it: the arguments validated (money parsed), the server's own ones split off. */
function call(name: string, sent: Record<string, unknown>): Call {
  const tool = tools.get(name) as ToolDef;
  return { tool, args: apiArguments(tool.input.parse(sent) as Record<string, unknown>) };
}

describe('prepareRequest', () => {
  let store: SharedStore;
  let reads: [string, Record<string, unknown>][];
  /** One USD and one JPY ad account, and one ad group (budget 10.00 USD, campaign 626736533506). */
  const read: Reader = async (name, args) => {
    reads.push([name, args]);
    if (name === 'ad_accounts_get') return { id: args.ad_account_id, name: 'Shop', currency: args.ad_account_id === JPY_ACCOUNT ? 'JPY' : 'USD' };
    if (name === 'ad_groups_list') {
      const items = [{ id: AD_GROUP, name: 'US Prospecting', budget_in_micro_currency: 10_000_000, campaign_id: '626736533506' }];
      return { items: items.filter((i) => (args.ad_group_ids as string[]).includes(i.id)) };
    }
    throw new Error(`the stub has no answer for ${name}`);
  };
  const currencies = () => new CurrencyResolver(store, read);

  beforeEach(async () => {
    store = new SharedStore(await createStore('memory'), 'memory', 5_000);
    reads = [];
  });
  afterEach(() => store.keyv.disconnect());

  it('turns "$12.50" into 12500000 micros in the exact request, in the currency the account reports', async () => {
    const prepared = await prepareRequest(call('ad_groups_update', { ad_account_id: USD_ACCOUNT, body: [{ id: AD_GROUP, budget: '$12.50' }] }), currencies());
    expect(prepared.request).toEqual({
      method: 'PATCH',
      write: true,
      path: `/ad_accounts/${USD_ACCOUNT}/ad_groups`,
      query: [],
      target: `/ad_accounts/${USD_ACCOUNT}/ad_groups`,
      body: [{ id: AD_GROUP, budget_in_micro_currency: 12_500_000 }],
      payload: `[{"id":"${AD_GROUP}","budget_in_micro_currency":12500000}]`,
    });
    expect(prepared.currency).toBe('USD');
    expect(prepared.amounts).toHaveLength(1);
    expect(prepared.amounts[0]).toMatchObject({ path: 'body[0].budget', decimal: '12.5', micros: 12_500_000n, apiValue: 12_500_000 });
    expect(prepared.amounts[0].field).toMatchObject({ apiName: 'budget_in_micro_currency', inputName: 'budget', unit: 'micro' });
    expect(reads).toEqual([['ad_accounts_get', { ad_account_id: USD_ACCOUNT }]]);
  });

  it('writes JPY in whole yen (no minor unit): ¥1500 is 1500000000 micros, and 1500.50 is refused naming the field', async () => {
    const create = (cap: string) => ({ ad_account_id: JPY_ACCOUNT, body: [{ ad_account_id: JPY_ACCOUNT, name: 'Launch', objective_type: 'AWARENESS', daily_spend_cap: cap }] });
    const prepared = await prepareRequest(call('campaigns_create', create('¥1500')), currencies());
    expect(prepared.currency).toBe('JPY');
    expect(prepared.request.body).toEqual([{ objective_type: 'AWARENESS', ad_account_id: JPY_ACCOUNT, daily_spend_cap: 1_500_000_000, name: 'Launch' }]);
    expect(prepared.amounts[0]).toMatchObject({ path: 'body[0].daily_spend_cap', decimal: '1500', micros: 1_500_000_000n });

    const refused = await prepareRequest(call('campaigns_create', create('1500.50')), currencies()).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(AmountError);
    expect((refused as AmountError).path).toBe('body[0].daily_spend_cap');
    expect((refused as AmountError).message).toMatch(/JPY/);
    // The currency was read once and then cached in the store.
    expect(reads).toEqual([['ad_accounts_get', { ad_account_id: JPY_ACCOUNT }]]);
  });

  it('binds writes by a hash that is stable for the same request and changes when one field changes; reads have none', async () => {
    const budget = (amount: string, id = AD_GROUP) => call('ad_groups_update', { ad_account_id: USD_ACCOUNT, body: [{ id, budget: amount }] });
    const first = await prepareRequest(budget('12.50'), currencies());
    expect(first.hash).toMatch(/^[0-9a-f]{64}$/);
    // The same amount written another way builds the same request, so the same hash.
    expect((await prepareRequest(budget('$12.50'), currencies())).hash).toBe(first.hash);
    expect((await prepareRequest(budget('12.50 USD'), currencies())).hash).toBe(first.hash);
    expect((await prepareRequest(budget('12.51'), currencies())).hash).not.toBe(first.hash);
    expect((await prepareRequest(budget('12.50', MISSING_AD_GROUP), currencies())).hash).not.toBe(first.hash);
    const renamed = await prepareRequest(call('ad_groups_update', { ad_account_id: USD_ACCOUNT, body: [{ id: AD_GROUP, name: 'x', budget: '12.50' }] }), currencies());
    expect(renamed.hash).not.toBe(first.hash);

    const list = await prepareRequest(call('ad_groups_list', { ad_account_id: USD_ACCOUNT }), currencies());
    expect(list.hash).toBe('');
    expect(list.entities).toEqual([]);
  });

  it('locates the entities a create and an update write, by position and path', async () => {
    const created = await prepareRequest(
      call('campaigns_create', { ad_account_id: USD_ACCOUNT, body: [{ ad_account_id: USD_ACCOUNT, name: 'Launch', objective_type: 'AWARENESS' }] }),
      currencies(),
    );
    expect(created.entities).toEqual([{ kind: 'campaign', create: true, location: 0, index: 0, path: 'body[0]', item: (created.request.body as unknown[])[0] }]);
    expect(created.stray).toEqual([]);

    const updated = await prepareRequest(
      call('ad_groups_update', { ad_account_id: USD_ACCOUNT, body: [{ id: AD_GROUP, name: 'A' }, { id: MISSING_AD_GROUP, budget: '3' }] }),
      currencies(),
    );
    const body = updated.request.body as Record<string, unknown>[];
    expect(updated.entities).toEqual([
      { kind: 'ad_group', create: false, id: AD_GROUP, location: 0, index: 0, path: 'body[0]', item: body[0] },
      { kind: 'ad_group', create: false, id: MISSING_AD_GROUP, location: 0, index: 1, path: 'body[1]', item: body[1] },
    ]);
  });
});

describe('current values of an update (resolveParents, withCurrentValues)', () => {
  let store: SharedStore;
  beforeEach(async () => {
    store = new SharedStore(await createStore('memory'), 'memory', 5_000);
  });
  afterEach(() => store.keyv.disconnect());

  const items = [{ id: AD_GROUP, name: 'US Prospecting', budget_in_micro_currency: 10_000_000, campaign_id: '626736533506' }];
  const account: Reader = async (name) => {
    if (name === 'ad_accounts_get') return { id: USD_ACCOUNT, currency: 'USD' };
    throw new Error('ad_groups_list is down');
  };

  it('adds the current budget, name and percentage read through the reader, and says when an item is not found', async () => {
    const reads: string[] = [];
    const read: Reader = async (name, args) => {
      reads.push(name);
      if (name === 'ad_groups_list') return { items: items.filter((i) => (args.ad_group_ids as string[]).includes(i.id)) };
      return account(name, args);
    };
    const c = call('ad_groups_update', { ad_account_id: USD_ACCOUNT, body: [{ id: AD_GROUP, budget: '12.50' }, { id: MISSING_AD_GROUP, budget: '3' }] });
    const prepared = await prepareRequest(c, new CurrencyResolver(store, read));
    const current = new CurrentValues(read, 'pinterest', c.args, prepared.entities);
    const changes = heldChanges(c.tool, prepared, new Set());
    const notes = await withCurrentValues('pinterest', prepared, changes, current);
    expect(notes).toEqual([]);
    expect(changes).toEqual([
      {
        entity: 'ad_group',
        index: 0,
        id: AD_GROUP,
        field: 'budget',
        reason: 'money',
        to: '12.50 USD',
        to_micro: '12500000',
        name: 'US Prospecting',
        from: '10.00 USD',
        from_micro: '10000000',
        change_percent: 25,
      },
      {
        entity: 'ad_group',
        index: 1,
        id: MISSING_AD_GROUP,
        field: 'budget',
        reason: 'money',
        to: '3.00 USD',
        to_micro: '3000000',
        note: `no ad_group ${MISSING_AD_GROUP} found in this ad account: the API will likely reject this item`,
      },
    ]);
    // One read of the account's currency, one list read for both ad groups.
    expect(reads).toEqual(['ad_accounts_get', 'ad_groups_list']);
  });

  it('notes a failed read instead of current values', async () => {
    const c = call('ad_groups_update', { ad_account_id: USD_ACCOUNT, body: [{ id: AD_GROUP, budget: '12.50' }] });
    const prepared = await prepareRequest(c, new CurrencyResolver(store, account));
    const changes = heldChanges(c.tool, prepared, new Set());
    const notes = await withCurrentValues('pinterest', prepared, changes, new CurrentValues(account, 'pinterest', c.args, prepared.entities));
    expect(notes).toEqual(['Current values of ad_groups could not be read (ad_groups_list is down).']);
    expect(changes[0]).not.toHaveProperty('from');
  });

  it('drops a parent id equal to the current one, says where a moved one comes from, and when the parent is unknown', async () => {
    const moved = { entity: 'ad_group', index: 0, id: AD_GROUP, field: 'campaign_id', reason: 'parent', to: '626736533599', why: 'moves the ad_group under another parent' };
    const listed: Reader = async (name, args) => (name === 'ad_groups_list' ? { items } : account(name, args));
    const parentChanges = async (read: Reader, campaign: string) => {
      const c = call('ad_groups_update', { ad_account_id: USD_ACCOUNT, body: [{ id: AD_GROUP, campaign_id: campaign }] });
      const prepared = await prepareRequest(c, new CurrencyResolver(store, read));
      return resolveParents(heldChanges(c.tool, prepared, new Set()), new CurrentValues(read, 'pinterest', c.args, prepared.entities));
    };
    expect(await parentChanges(listed, '626736533506')).toEqual([]);
    expect(await parentChanges(listed, '626736533599')).toEqual([{ ...moved, from: '626736533506' }]);
    expect(await parentChanges(account, '626736533599')).toEqual([{ ...moved, note: 'the current parent could not be read, so this may move it' }]);
  });
});
