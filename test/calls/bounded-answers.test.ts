// Answers to the model stay bounded: refusals list a few problems, every answer keeps to --max-result-chars, deep arguments are refused.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type Emulator, startEmulator } from '../../fakes/pinterest/server.js';
import { MAX_NESTING } from '../../src/core/walk.js';
import { type Harness, MODEL_APPROVAL, USD_ACCOUNT, startInProcess } from '../helpers/harness.js';

const MAX_RESULT_CHARS = 1000;

/** A value `depth` arrays or objects deep: {a:{a:...{a:1}}}. */
function nested(depth: number): unknown {
  let value: unknown = 1;
  for (let i = 0; i < depth; i++) value = { a: value };
  return value;
}

describe('every answer within --max-result-chars (1000 here)', () => {
  let emulator: Emulator;
  let h: Harness;
  beforeAll(async () => {
    emulator = await startEmulator();
    h = await startInProcess({ emulator, args: [...MODEL_APPROVAL, '--max-result-chars', String(MAX_RESULT_CHARS), '--toolsets', 'all'] });
  });
  afterAll(async () => {
    await h?.close();
    await emulator?.close();
  });
  beforeEach(() => emulator.reset());

  it("cuts a success's JSON to what its notes leave, and keeps the notes whole", async () => {
    const result = await h.call('campaigns_list', { ad_account_id: USD_ACCOUNT });
    expect(result.text.length).toBeLessThanOrEqual(MAX_RESULT_CHARS);
    expect(result.text).toMatch(/\[TRUNCATED: the result has \d+ characters and was cut at \d+\. .*fields.*bookmark.*\]\nAmounts in natural units .*\n.*daily_spend_cap = 50\.00 USD$/s);
    expect(result.structuredContent).toMatchObject({ truncated: true });
  });

  it('keeps a refusal of 100,000 unknown properties within the limit, with its first line and how many more there are', async () => {
    const args: Record<string, unknown> = { ad_account_id: USD_ACCOUNT };
    for (let i = 0; i < 100_000; i++) args[`k${i}`] = i;
    const result = await h.call('ad_accounts_get', args);
    expect(result.text.length).toBeLessThanOrEqual(MAX_RESULT_CHARS);
    expect(result.text).toMatch(/^Invalid arguments for ad_accounts_get; nothing was sent\.\n- k0: unknown property/);
    expect(result.text).toMatch(/- and 99980 more problems: fix these, and the next call lists what remains\n.*describe_tool/);
    expect(emulator.requests).toHaveLength(0);
  });

  it('cuts any other answer over the limit, keeping its start and its end (an unknown tool named with 100,000 characters)', async () => {
    const result = await h.call(`x${'y'.repeat(100_000)}`);
    expect(result.isError).toBe(true);
    expect(result.text.length).toBeLessThanOrEqual(MAX_RESULT_CHARS);
    expect(result.text).toMatch(/^Unknown tool "xyyy/);
    expect(result.text).toMatch(/\[… \d+ characters left out here: this answer has \d+, more than the 1000 of --max-result-chars …\]/);
    expect(result.text).toMatch(/Call tools\/list to see the available tools\.$/);
  });

  it('cuts a long preview around its middle: the confirmation instruction and the token survive, and the token sends it once', async () => {
    const body = Array.from({ length: 20 }, (_, i) => ({ ad_account_id: USD_ACCOUNT, name: `Launch ${i} ${'n'.repeat(40)}`, objective_type: 'AWARENESS' }));
    const preview = await h.call('campaigns_create', { ad_account_id: USD_ACCOUNT, body });
    expect(preview.text.length).toBeLessThanOrEqual(MAX_RESULT_CHARS);
    expect(preview.text).toMatch(/^Confirmation required: /);
    expect(preview.text).toMatch(/characters left out here/);
    expect(preview.text).toMatch(/To execute exactly this request once, .*confirmation_token "cfm_/);
    // The request and changes were too long to repeat; the status and the token stay.
    const structured = preview.structuredContent as Record<string, unknown>;
    expect(structured).toMatchObject({ status: 'confirmation_required', truncated: true });
    expect(structured.confirmation_token).toMatch(/^cfm_/);
    expect(structured.request).toBeUndefined();
    expect(h.sent({ writesOnly: true })).toHaveLength(0);
    const sent = await h.call('campaigns_create', { ad_account_id: USD_ACCOUNT, body, confirmation_token: structured.confirmation_token as string });
    expect(sent.isError, sent.text).toBeFalsy();
    expect(h.sent({ writesOnly: true })).toHaveLength(1);
  });
});

describe('refusals at the default limits', () => {
  let emulator: Emulator;
  let h: Harness;
  beforeAll(async () => {
    emulator = await startEmulator();
    h = await startInProcess({ emulator, args: ['--toolsets', 'all'] });
  });
  afterAll(async () => {
    await h?.close();
    await emulator?.close();
  });
  beforeEach(() => emulator.reset());

  it('lists the first 20 of 100,000 unknown properties and says how many more there are (was 9.1 MB of text)', async () => {
    const args: Record<string, unknown> = { ad_account_id: USD_ACCOUNT };
    for (let i = 0; i < 100_000; i++) args[`k${i}`] = i;
    const result = await h.call('ad_accounts_get', args);
    expect(result.isError).toBe(true);
    expect(result.text.length).toBeLessThan(2500);
    const lines = result.text.split('\n');
    expect(lines[0]).toBe('Invalid arguments for ad_accounts_get; nothing was sent.');
    expect(lines.filter((line) => /^- k\d+: unknown property; remove it/.test(line))).toHaveLength(20);
    expect(result.text).toMatch(/- and 99980 more problems: fix these, and the next call lists what remains/);
    expect(emulator.requests).toHaveLength(0);
  });

  /** audiences_create's rule.event_source is free-form JSON, so only the nesting bound stops a deep value there. */
  const audience = (eventSource: unknown) => ({ ad_account_id: USD_ACCOUNT, body: { name: 'deep', audience_type: 'VISITOR', rule: { event_source: eventSource } } });

  it('refuses a 10,000-level body by name, before validation, preview or sending (was "Internal error")', async () => {
    for (const dryRun of [true, false]) {
      const result = await h.call('audiences_create', { ...audience(nested(10_000)), ...(dryRun ? { dry_run: true } : {}) });
      expect(result.isError).toBe(true);
      expect(result.text).toBe(
        'Invalid arguments for audiences_create; nothing was sent.\n' +
          `- body: nests deeper than ${MAX_NESTING} levels, which no argument of this API does; send the value the tool's input schema describes`,
      );
    }
    expect(emulator.requests).toHaveLength(0);
  });

  it(`accepts arguments exactly ${MAX_NESTING} levels deep (the arguments object is the first)`, async () => {
    // arguments > body > rule > event_source: three levels above the value.
    const result = await h.call('audiences_create', audience(nested(MAX_NESTING - 3)));
    expect(result.isError, result.text).toBeFalsy();
    expect(h.sent({ writesOnly: true })).toHaveLength(1);
  });
});
