// A secret an upstream echoed into an entity's name never rests in an approval record, nor reaches the page, the webhook or the model (clients of both eras, stateless and --stateful).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Emulator, startEmulator } from '../../fakes/pinterest/server.js';
import { REDACTED } from '../../src/core/redact.js';
import { PageApprover } from '../helpers/approver.js';
import { USD_ACCOUNT } from '../helpers/harness.js';
import { HTTP_CELLS, connectEra } from '../helpers/era-clients.js';
import { type Served, serve } from '../helpers/http.js';
import { type WebhookReceiver, webhookReceiver } from '../helpers/webhook.js';

const AD_GROUP = '2680059592701';
const ACCESS_TOKEN = 'pina_echoed-access-token-0123456789abcdef';
const ALICE = 'alice-approver-token-0123456789abcdef';
const ECHOED_NAME = `Spring ${ACCESS_TOKEN} sale`;
const budget = (amount: string) => ({ ad_account_id: USD_ACCOUNT, body: [{ id: AD_GROUP, budget: amount }] });
const writes = (emulator: Emulator) => emulator.requests.filter((r) => r.method !== 'GET');

describe.each(HTTP_CELLS)('an entity name that carries the access token (an upstream echo), $label', (cell) => {
  let emulator: Emulator;
  let served: Served;
  let hook: WebhookReceiver;
  beforeAll(async () => {
    hook = await webhookReceiver();
    emulator = await startEmulator({ acceptedTokens: [ACCESS_TOKEN] });
    served = await serve(emulator, ['--approval-webhook', hook.url, ...cell.args], { PINTEREST_ACCESS_TOKEN: ACCESS_TOKEN, PINTEREST_MCP_APPROVER_TOKEN: `alice=${ALICE}` });
  });
  afterAll(async () => {
    await served?.close();
    await emulator?.close();
    await hook?.close();
  });

  /** Every entry of the server's store, as text. */
  async function storeText(): Promise<string> {
    const store = (await served.app.engine()).store;
    const entries: string[] = [];
    for await (const [key, value] of store.iterator!(store.namespace as never)) entries.push(`${String(key)} ${JSON.stringify(value)}`);
    return entries.join('\n');
  }

  it('is redacted in the held answer, the stored record, the webhook body and the page, before and after the approve', async () => {
    emulator.state.adGroups.get(AD_GROUP)!.name = ECHOED_NAME;
    const bot = await connectEra(cell.kind, { kind: 'http', url: served.url }, { name: 'echo-bot' });
    const told = hook.next();
    const held = await bot.call('ad_groups_update', budget('91'));
    const id = (held.structuredContent as { approval_id: string }).approval_id;
    expect(held.structuredContent, held.text).toMatchObject({ status: 'approval_required', changes: [{ name: `Spring ${REDACTED} sale` }] });
    expect(JSON.stringify(held)).not.toContain(ACCESS_TOKEN);

    // The webhook: a summary that names the entity, redacted.
    const body = await told;
    expect(JSON.parse(body)).toMatchObject({ event: 'approval.created', approval_id: id });
    expect(body).toContain(REDACTED);
    expect(body).not.toContain(ACCESS_TOKEN);

    // At rest: the record holds the redacted name, and no entry of the store holds the secret.
    const record = (await (await served.app.engine()).store.get(`approval:${id}`)) as { summary: { changes: { name?: string }[] } };
    expect(record.summary.changes[0].name).toBe(`Spring ${REDACTED} sale`);
    expect(await storeText()).not.toContain(ACCESS_TOKEN);

    const alice = new PageApprover(served.http.url);
    expect((await alice.signIn(ALICE)).status).toBe(303);
    const list = await alice.get('/approvals');
    expect(list.html).toContain(`/approvals/${id}`);
    expect(list.html).not.toContain(ACCESS_TOKEN);
    const page = await alice.get(`/approvals/${id}`);
    expect(page.html).toContain(`Spring ${REDACTED} sale`);
    expect(page.html).not.toContain(ACCESS_TOKEN);

    // The approved write's answer echoes the name again: its stored outcome and the page are redacted too.
    expect((await alice.decide(id, 'approve')).status).toBe(303);
    expect(writes(emulator)).toHaveLength(1);
    expect(writes(emulator)[0].body).toEqual([{ id: AD_GROUP, budget_in_micro_currency: 91_000_000 }]);
    const after = await alice.get(`/approvals/${id}`);
    expect(after.html).toContain('Approved and sent once');
    expect(after.html).not.toContain(ACCESS_TOKEN);
    const outcome = (await (await served.app.engine()).store.get(`approval:${id}`)) as { state: string; outcome: unknown };
    expect(outcome.state).toBe('sent');
    expect(JSON.stringify(outcome.outcome)).toContain(REDACTED);
    expect(await storeText()).not.toContain(ACCESS_TOKEN);
    const read = await bot.call('ad_groups_update', { ...budget('91'), approval_id: id });
    expect(read.text).toMatch(/Approved by page:alice .*sent once/);
    expect(JSON.stringify(read)).not.toContain(ACCESS_TOKEN);
    expect(writes(emulator)).toHaveLength(1);
    expect(hook.bodies).toHaveLength(1);
    await bot.close();
  });
});
