// The approval page driven in a real headless Chromium: stdio's loopback page (sign-in link opened via $BROWSER)
// and HTTP's /approvals (approver token), each checked against what actually reached the fake Pinterest API.
// (The README's picture is written by `npm run screenshot:approval`, never by a test run.)
import { existsSync } from 'node:fs';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { type Browser, type Page, chromium } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type Emulator, startEmulator } from '../../fakes/pinterest/server.js';
import { SEED } from '../../fakes/pinterest/state.js';
import { recordingBrowser } from '../helpers/approver.js';
import { EUR_ACCOUNT, type Harness, JPY_ACCOUNT, USD_ACCOUNT, startStdio } from '../helpers/harness.js';
import { type Served, callText, connect, serve } from '../helpers/http.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const USD_AD_GROUP = '2680059592701';
const WRITE_BODY = [{ id: USD_AD_GROUP, budget_in_micro_currency: 12_500_000 }];
const budgetArgs = (budget: string, extra: Record<string, unknown> = {}) => ({
  ad_account_id: USD_ACCOUNT,
  body: [{ id: USD_AD_GROUP, budget, ...extra }],
});

async function launch(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`Chromium not found at ${CHROMIUM}: install it (apt-get install -y chromium) or set CHROMIUM_PATH`);
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

const writes = (emulator: Emulator) => emulator.requests.filter((r) => r.method !== 'GET');

/** The status line of an approval page. */
const status = (page: Page) => page.locator('dd.status').innerText();
/** What the page says happens next. */
const next = (page: Page) => page.locator('p.next').innerText();
/** One fact of the page's list (`Account`, `Goes to`), as the person reads it. */
const fact = (page: Page, name: string) => page.locator(`dt:text-is("${name}") + dd`).innerText();

describe('approval page in Chromium, stdio (link sign-in)', () => {
  let browser: Browser;
  let h: Harness;
  let capture: ReturnType<typeof recordingBrowser>;

  beforeAll(async () => {
    browser = await launch();
    capture = recordingBrowser();
    // Every held write here opens its own tab (no tab bound), so that each test reads its own link.
    h = await startStdio({ args: ['--toolsets', 'all'], env: { BROWSER: capture.command, PINTEREST_MCP_APPROVAL_TAB_SECONDS: '0' } });
  });
  afterAll(async () => {
    await h?.close();
    await browser?.close();
  });

  it('shows the held write, approves it once, and never sends it twice', async () => {
    h.emulator.reset();
    const args = budgetArgs('12.50');
    const held = await h.call('ad_groups_update', args);
    const s = held.structuredContent as { status: string; approval_id: string };
    expect(s.status, held.text).toBe('approval_required');
    expect(writes(h.emulator)).toHaveLength(0);

    const link = await capture.next(1);
    expect(link).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:\\d+/approvals/${s.approval_id}\\?key=lnk_`));
    const context = await browser.newContext();
    const page = await context.newPage();
    const answer = await page.goto(link);
    expect(answer?.status()).toBe(200);
    expect(page.url()).not.toContain('key=');
    expect(new URL(page.url()).pathname).toBe(`/approvals/${s.approval_id}`);
    const cookies = await context.cookies();
    expect(cookies.find((c) => c.name === 'pmcp_approver')).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/approvals' });

    // What the person decides on.
    const text = await page.locator('body').innerText();
    for (const expected of ['ad_groups_update', USD_ACCOUNT, 'USD', '10.00 USD', '12.50 USD', '+25%']) expect(text).toContain(expected);
    expect(await fact(page, 'Account')).toBe(`"Acme US" (${USD_ACCOUNT}), USD`);
    expect(await fact(page, 'Goes to')).toMatch(/^127\.0\.0\.1:\d+ \(custom URL\)$/);
    expect(await fact(page, 'Asked by')).toBe('test-client 1.0.0, over stdio on this computer');
    expect(await fact(page, 'Approval id')).toBe(s.approval_id);
    expect(text).toContain('Approve sends exactly the request shown under "Exact request" once');
    expect(await status(page)).toBe('Waiting for your decision');
    const changes = page.getByRole('table', { name: 'Changes' });
    await expect.poll(() => changes.getByRole('row').count()).toBe(2);
    const row = changes.getByRole('row').nth(1);
    expect(await row.locator('td').nth(2).innerText()).toBe('budget (per day)');
    expect(await row.locator('td').nth(6).innerText()).toBe('sets an amount');
    expect(await row.locator('td').nth(3).innerText()).toBe('10.00 USD');
    expect(await row.locator('td').nth(4).innerText()).toBe('12.50 USD');
    expect(await row.locator('td').nth(5).innerText()).toBe('+25%');
    expect(text).toContain('Totals');
    // The exact request is folded away until asked for.
    expect(await page.locator('details > summary').innerText()).toBe('Exact request');
    expect(await page.locator('pre[aria-labelledby="request"]').isVisible()).toBe(false);
    await page.locator('details > summary').click();
    const request = await page.locator('pre[aria-labelledby="request"]').innerText();
    expect(request).toContain(`PATCH /ad_accounts/${USD_ACCOUNT}/ad_groups`);
    expect(request).toContain('budget_in_micro_currency');
    expect(request).toContain('12500000');

    // Accessibility basics: language, one h1, buttons by role, no scripts at all.
    expect(await page.locator('html').getAttribute('lang')).toBe('en');
    expect(await page.locator('h1').count()).toBe(1);
    // The heading says the change in words (it used to be the tool's name, which stays under "Tool").
    expect(await page.getByRole('heading', { level: 1 }).innerText()).toBe('Raise the daily budget of ad group "US Prospecting" from 10.00 USD to 12.50 USD per day (+25%)');
    const approve = page.getByRole('button', { name: 'Approve' });
    await expect.poll(() => approve.count()).toBe(1);
    expect(await page.getByRole('button', { name: 'Reject' }).count()).toBe(1);
    expect(await page.locator('script').count()).toBe(0);

    // Approve: one PATCH with the exact body, and the page shows the outcome.
    await approve.click();
    await page.waitForLoadState();
    expect(new URL(page.url()).pathname).toBe(`/approvals/${s.approval_id}`);
    expect(await status(page)).toBe('Approved and sent once');
    expect(await next(page)).toBe('Sent once. Return to your assistant: it reads the outcome with the approval id.');
    expect(await page.getByRole('heading', { name: 'Outcome' }).count()).toBe(1);
    expect(await page.locator('pre[aria-labelledby="outcome"]').innerText()).not.toBe('');
    expect(await page.getByRole('button', { name: 'Approve' }).count()).toBe(0);
    expect(writes(h.emulator)).toHaveLength(1);
    expect(writes(h.emulator)[0]).toMatchObject({ method: 'PATCH', path: `/ad_accounts/${USD_ACCOUNT}/ad_groups`, body: WRITE_BODY });

    // The model reads the outcome; that call sends nothing.
    const outcome = await h.call('ad_groups_update', { ...args, approval_id: s.approval_id });
    expect(outcome.isError, outcome.text).toBeFalsy();
    expect(outcome.text).toContain('page:local');
    expect(outcome.structuredContent).toMatchObject({ approval: { id: s.approval_id, status: 'approved', decided_by: 'page:local' } });
    expect(writes(h.emulator)).toHaveLength(1);

    // Back to the form and Approve again: the used CSRF token is refused, nothing more is sent.
    await page.goBack();
    const again = page.getByRole('button', { name: 'Approve' });
    if ((await again.count()) === 1) {
      const [response] = await Promise.all([page.waitForResponse((r) => r.request().method() === 'POST'), again.click()]);
      expect(response.status()).toBe(403);
      await page.waitForLoadState();
      expect(await page.locator('body').innerText()).toMatch(/Form refused|already sent|Already decided/);
    } else {
      // The browser reloaded the page instead of showing its cached form (no-store): it shows the decision.
      expect(await status(page)).toBe('Approved and sent once');
    }
    // A re-POST of the same form from the page's origin, whatever the browser did above.
    const replay = await page.request.post(`${new URL(link).origin}/approvals/${s.approval_id}/approve`, {
      form: { csrf: 'csrf_AAAAAAAAAAAAAAAAAAAAAAAA' },
      headers: { origin: new URL(link).origin },
    });
    expect(replay.status()).toBe(403);
    expect(await replay.text()).toContain('Form refused');
    expect(writes(h.emulator)).toHaveLength(1);

    // The sign-in link worked once: a fresh browser gets "Link used or expired".
    const fresh = await browser.newContext();
    const other = await fresh.newPage();
    const used = await other.goto(link);
    expect(used?.status()).toBe(403);
    expect(await other.getByRole('heading', { level: 1 }).innerText()).toBe('Link used or expired');
    expect(writes(h.emulator)).toHaveLength(1);
    await fresh.close();
    await context.close();
  });

  it('rejects a held write: nothing is sent, and the model reads the rejection', async () => {
    h.emulator.reset();
    const args = budgetArgs('15.00');
    const held = await h.call('ad_groups_update', args);
    const s = held.structuredContent as { status: string; approval_id: string };
    expect(s.status, held.text).toBe('approval_required');
    const link = await capture.next(2);
    expect(link).toContain(`/approvals/${s.approval_id}?key=lnk_`);

    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(link);
    expect(await page.locator('body').innerText()).toContain('15.00 USD');
    await page.getByRole('button', { name: 'Reject' }).click();
    await page.waitForLoadState();
    expect(await status(page)).toBe('Rejected: nothing was sent');
    expect(await next(page)).toMatch(/^Nothing was sent\. Return to your assistant: it reads the rejection with the approval id\./);
    expect(await page.getByRole('button', { name: 'Approve' }).count()).toBe(0);
    expect(writes(h.emulator)).toHaveLength(0);

    const outcome = await h.call('ad_groups_update', { ...args, approval_id: s.approval_id });
    expect(outcome.isError, outcome.text).toBeFalsy();
    expect(outcome.structuredContent).toMatchObject({ status: 'approval_rejected', approval_id: s.approval_id, decided_by: 'page:local' });
    expect(writes(h.emulator)).toHaveLength(0);
    await context.close();
  });
});

describe('approval page in Chromium, HTTP (approver token sign-in)', () => {
  const ALICE = 'alice-approver-token-0123456789abcdefghij';
  const BOT = 'bot-bearer-token-0123456789abcdefghijklmn';
  const HOSTILE = '<img src=x onerror=alert(1)>';
  let browser: Browser;
  let emulator: Emulator;
  let served: Served;
  let client: Client;

  beforeAll(async () => {
    browser = await launch();
    emulator = await startEmulator();
    served = await serve(emulator, ['--toolsets', 'all'], { PINTEREST_MCP_APPROVER_TOKEN: `alice=${ALICE}`, PINTEREST_MCP_HTTP_TOKEN: BOT });
    client = await connect(served.url, { authorization: `Bearer ${BOT}` });
  });
  afterAll(async () => {
    await client?.close();
    await served?.close();
    await emulator?.close();
    await browser?.close();
  });

  it('refuses the bot token, lets alice approve once, and escapes names', async () => {
    emulator.reset();
    const args = budgetArgs('12.50', { name: HOSTILE });
    const held = await callText(client, 'ad_groups_update', args);
    const s = held.structuredContent as { status: string; approval_id: string };
    expect(s.status, held.text).toBe('approval_required');
    expect(writes(emulator)).toHaveLength(0);

    const context = await browser.newContext();
    const page = await context.newPage();
    const dialogs: string[] = [];
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    const base = served.http.url;
    const signInPage = await page.goto(`${base}/approvals`);
    expect(signInPage?.status()).toBe(401);
    expect(await page.getByRole('heading', { level: 1 }).innerText()).toBe('Sign in to approve');

    // The bot's bearer token cannot sign in.
    await page.getByLabel('Approver token').fill(BOT);
    const [refused] = await Promise.all([page.waitForResponse((r) => r.request().method() === 'POST'), page.getByRole('button', { name: 'Sign in' }).click()]);
    expect(refused.status()).toBe(403);
    await page.waitForLoadState();
    expect(await page.locator('body').innerText()).toContain("The bot's bearer token cannot approve");
    expect((await context.cookies()).some((c) => c.name === 'pmcp_approver')).toBe(false);
    expect(writes(emulator)).toHaveLength(0);

    // Alice signs in and sees the pending approval.
    await page.goto(`${base}/approvals`);
    await page.getByLabel('Approver token').fill(ALICE);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForLoadState();
    expect(new URL(page.url()).pathname).toBe('/approvals');
    expect(await page.getByRole('heading', { level: 1 }).innerText()).toBe('Pending approvals');
    expect(await page.locator('body').innerText()).toContain('Signed in as alice.');
    // The list names the change in words (it used to name the tool only, which stays below the link).
    const entry = page.getByRole('table', { name: 'Pending approvals' }).getByRole('link', { name: 'Raise the daily budget of ad group "US Prospecting"' });
    await expect.poll(() => entry.count()).toBe(1);
    await entry.click();
    await page.waitForLoadState();
    expect(new URL(page.url()).pathname).toBe(`/approvals/${s.approval_id}`);

    // The hostile name is shown as text, never as markup.
    expect(await page.getByRole('heading', { level: 1 }).innerText()).toContain(`rename it to "${HOSTILE}"`);
    await page.locator('details > summary').click();
    const request = await page.locator('pre[aria-labelledby="request"]').innerText();
    expect(request).toContain(HOSTILE);
    expect(request).toContain('12500000');
    expect(await page.locator('img').count()).toBe(0);
    expect(await page.content()).not.toContain(HOSTILE);

    await page.getByRole('button', { name: 'Approve' }).click();
    await page.waitForLoadState();
    expect(await status(page)).toBe('Approved and sent once');
    expect(await page.getByRole('heading', { name: 'Outcome' }).count()).toBe(1);
    expect(writes(emulator)).toHaveLength(1);
    expect(writes(emulator)[0]).toMatchObject({
      method: 'PATCH',
      path: `/ad_accounts/${USD_ACCOUNT}/ad_groups`,
      body: [{ id: USD_AD_GROUP, budget_in_micro_currency: 12_500_000, name: HOSTILE }],
    });

    const outcome = await callText(client, 'ad_groups_update', { ...args, approval_id: s.approval_id });
    expect(outcome.isError, outcome.text).toBeFalsy();
    expect(outcome.text).toContain('page:alice');
    expect(writes(emulator)).toHaveLength(1);
    expect(dialogs).toEqual([]);
    await context.close();
  });
});

describe('what a person reads on the approval page (HTTP, Chromium)', () => {
  const ALICE = 'alice-approver-token-abcdefghij0123456789';
  const CAMPAIGN = SEED.campaigns.usdActive;
  let browser: Browser;
  const open: { close(): Promise<void> }[] = [];

  beforeAll(async () => {
    browser = await launch();
  });
  afterEach(async () => {
    for (const desk of open.splice(0)) await desk.close();
  });
  afterAll(async () => {
    await browser?.close();
  });

  /** A fresh fake API and server (no approvals or cached accounts from other tests), a client, and Alice signed in in Chromium. */
  async function desk() {
    const emulator = await startEmulator();
    const served = await serve(emulator, [], { PINTEREST_MCP_APPROVER_TOKEN: `alice=${ALICE}` });
    const client = await connect(served.url);
    const context = await browser.newContext();
    const page = await context.newPage();
    const base = served.http.url;
    const close = async () => {
      await context.close();
      await client.close();
      await served.close();
      await emulator.close();
    };
    open.push({ close });
    await page.goto(`${base}/approvals`);
    await page.getByLabel('Approver token').fill(ALICE);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${base}/approvals`);
    return {
      emulator,
      page,
      base,
      /** Holds a write and returns its approval id; nothing reaches the fake API. */
      async hold(tool: string, args: Record<string, unknown>): Promise<string> {
        const held = await callText(client, tool, args);
        const s = held.structuredContent as { status?: string; approval_id: string };
        expect(s?.status, held.text).toBe('approval_required');
        expect(writes(emulator)).toHaveLength(0);
        return s.approval_id;
      },
      /** Opens an approval's page and returns its text as the person reads it. */
      async show(id: string): Promise<string> {
        await page.goto(`${base}/approvals/${id}`);
        return page.locator('body').innerText();
      },
      heading: () => page.getByRole('heading', { level: 1 }).innerText(),
      rows: () => page.getByRole('table', { name: 'Changes' }).locator('tbody tr'),
      async approve(): Promise<void> {
        await page.getByRole('button', { name: 'Approve' }).click();
        await page.waitForLoadState();
      },
      callText: (tool: string, args: Record<string, unknown>) => callText(client, tool, args),
    };
  }

  it('a create: its parent by name, the budget per day, the bid per click, targeting in words, "new" and a reason on every row; one write on Approve', async () => {
    const d = await desk();
    const id = await d.hold('ad_groups_create', {
      ad_account_id: USD_ACCOUNT,
      body: [
        {
          campaign_id: CAMPAIGN,
          name: 'Winter sale – US women 25-44',
          budget: '20',
          bid: '1.50',
          billable_event: 'CLICKTHROUGH',
          targeting_spec: { GEO: ['US'], GENDER: ['female'], AGE_BUCKET: ['25-34', '35-44'] },
        },
      ],
    });
    const text = await d.show(id);
    expect(await d.heading()).toBe(
      'Create ad group "Winter sale – US women 25-44" in campaign "US Always-on Awareness": 20.00 USD per day, bid up to 1.50 USD per click, starts ACTIVE at once, targets US, female, 25–44',
    );
    expect(text).not.toMatch(/\bnull\b/);
    const rows = d.rows();
    await expect.poll(() => rows.count()).toBe(3);
    for (let i = 0; i < 3; i++) {
      expect(await rows.nth(i).locator('td').nth(3).innerText()).toBe('new');
      expect(await rows.nth(i).locator('td').nth(6).innerText()).not.toBe('');
    }
    const fields = await rows.locator('td:nth-child(3)').allInnerTexts();
    expect(fields.sort()).toEqual(['bid (per click)', 'budget (per day)', 'status']);
    const activation = rows.filter({ hasText: 'status' });
    expect(await activation.locator('td').nth(6).innerText()).toMatch(/^starts delivering at once/);

    await d.approve();
    expect(await status(d.page)).toBe('Approved and sent once');
    expect(writes(d.emulator)).toHaveLength(1);
    expect(writes(d.emulator)[0]).toMatchObject({
      method: 'POST',
      path: `/ad_accounts/${USD_ACCOUNT}/ad_groups`,
      body: [{ campaign_id: CAMPAIGN, budget_in_micro_currency: 20_000_000, bid_in_micro_currency: 1_500_000 }],
    });
  });

  it('names with markup, quotes and newlines are shown escaped, each on one line', async () => {
    const d = await desk();
    d.emulator.state.campaigns.get(CAMPAIGN)!.name = 'Camp <i>x</i> "q"\nline 2';
    const name = 'Sale <b>now</b> "quoted"\nline two';
    const id = await d.hold('ad_groups_create', { ad_account_id: USD_ACCOUNT, body: [{ campaign_id: CAMPAIGN, name, budget: '10', billable_event: 'CLICKTHROUGH' }] });
    await d.show(id);
    const heading = await d.heading();
    expect(heading).toBe('Create ad group "Sale <b>now</b> \\"quoted\\"\\nline two" in campaign "Camp <i>x</i> \\"q\\"\\nline 2": 10.00 USD per day, starts ACTIVE at once');
    expect(heading).not.toContain('\n');
    expect(await d.page.locator('main b, main i').count()).toBe(0);
    const names = await d.rows().locator('td:nth-child(2)').allInnerTexts();
    expect(new Set(names)).toEqual(new Set(['"Sale <b>now</b> \\"quoted\\"\\nline two"']));
    await d.page.getByRole('button', { name: 'Reject' }).click();
    await d.page.waitForLoadState();
    expect(await status(d.page)).toBe('Rejected: nothing was sent');
    expect(writes(d.emulator)).toHaveLength(0);
  });

  it('a long batch: one distinct line per ad group, a heading that sums it up, totals per day, one write with all of them', async () => {
    const d = await desk();
    const body = Array.from({ length: 30 }, (_, i) => ({ campaign_id: CAMPAIGN, name: `Winter group ${i + 1}`, budget: String(i + 1), billable_event: 'CLICKTHROUGH' }));
    const id = await d.hold('ad_groups_create', { ad_account_id: USD_ACCOUNT, body });
    const text = await d.show(id);
    expect(await d.heading()).toBe('Create 30 ad groups in campaign "US Always-on Awareness"');
    const lines = await d.page.getByRole('list', { name: 'What it does' }).getByRole('listitem').allInnerTexts();
    expect(lines).toHaveLength(30);
    expect(new Set(lines).size).toBe(30);
    expect(lines[29]).toBe('Create ad group "Winter group 30" in campaign "US Always-on Awareness": 30.00 USD per day, starts ACTIVE at once');
    await expect.poll(() => d.rows().count()).toBe(60);
    expect(text).toContain('budget (per day) over 30 items: 465.00 USD');

    await d.approve();
    expect(await status(d.page)).toBe('Approved and sent once');
    expect(writes(d.emulator)).toHaveLength(1);
    expect((writes(d.emulator)[0].body as unknown[]).length).toBe(30);
  });

  it('a budget raise in a JPY account: from -> to without decimals, per day, the percent; one PATCH on Approve', async () => {
    const d = await desk();
    const id = await d.hold('ad_groups_update', { ad_account_id: JPY_ACCOUNT, body: [{ id: SEED.adGroups.jpy, budget: '6000' }] });
    await d.show(id);
    expect(await d.heading()).toBe('Raise the daily budget of ad group "JP Prospecting" from 5,000 JPY to 6,000 JPY per day (+20%)');
    expect(await fact(d.page, 'Account')).toBe(`"Acme JP" (${JPY_ACCOUNT}), JPY`);
    const row = d.rows().first();
    expect(await row.locator('td').allInnerTexts()).toEqual([`ad group ${SEED.adGroups.jpy}`, '"JP Prospecting"', 'budget (per day)', '5,000 JPY', '6,000 JPY', '+20%', 'sets an amount']);
    await d.approve();
    expect(await next(d.page)).toBe('Sent once. Return to your assistant: it reads the outcome with the approval id.');
    expect(writes(d.emulator)).toHaveLength(1);
    expect(writes(d.emulator)[0]).toMatchObject({ method: 'PATCH', path: `/ad_accounts/${JPY_ACCOUNT}/ad_groups`, body: [{ id: SEED.adGroups.jpy, budget_in_micro_currency: 6_000_000_000 }] });
  });

  it('an account that reports no currency: amounts say "currency unknown", never a guessed currency', async () => {
    const d = await desk();
    delete (d.emulator.state.adAccounts.get(EUR_ACCOUNT) as Record<string, unknown>).currency;
    d.emulator.state.adGroups.get(SEED.adGroups.eur)!.status = 'PAUSED';
    // An amount cannot even be converted without the currency: refused, nothing held or sent.
    const refused = await d.callText('ad_groups_update', { ad_account_id: EUR_ACCOUNT, body: [{ id: SEED.adGroups.eur, budget: '12' }] });
    expect(refused.isError, refused.text).toBe(true);
    expect(writes(d.emulator)).toHaveLength(0);

    const id = await d.hold('ad_groups_update', { ad_account_id: EUR_ACCOUNT, body: [{ id: SEED.adGroups.eur, status: 'ACTIVE' }] });
    const text = await d.show(id);
    expect(await d.heading()).toBe('Resume ad group "DE Prospecting": it starts delivering at once, at 20.00 (currency unknown) per day');
    expect(await fact(d.page, 'Account')).toBe(`"Acme DE" (${EUR_ACCOUNT}), currency unknown (the account reports none)`);
    expect(text).not.toMatch(/USD|EUR/);
    await d.approve();
    expect(writes(d.emulator)).toHaveLength(1);
    expect(writes(d.emulator)[0]).toMatchObject({ method: 'PATCH', body: [{ id: SEED.adGroups.eur, status: 'ACTIVE' }] });
  });

  it('the pending list tells entries apart: the change and its amount in words, the account by name, who asked, the expiry', async () => {
    const d = await desk();
    const raise = await d.hold('ad_groups_update', { ad_account_id: USD_ACCOUNT, body: [{ id: USD_AD_GROUP, budget: '12.50' }] });
    const pause = await d.hold('ad_groups_update', { ad_account_id: JPY_ACCOUNT, body: [{ id: SEED.adGroups.jpy, status: 'PAUSED' }] });
    const create = await d.hold('ad_groups_create', { ad_account_id: USD_ACCOUNT, body: [{ campaign_id: CAMPAIGN, name: 'Spring test', budget: '15', billable_event: 'CLICKTHROUGH' }] });
    await d.page.goto(`${d.base}/approvals`);
    const table = d.page.getByRole('table', { name: 'Pending approvals' });
    const rows = table.locator('tbody tr');
    await expect.poll(() => rows.count()).toBe(3);
    const row = async (id: string) => (await rows.filter({ has: d.page.locator(`a[href="/approvals/${id}"]`) }).locator('td').allInnerTexts()).map((t) => t.trim());
    const [raised, paused, created] = [await row(raise), await row(pause), await row(create)];
    expect(raised[0]).toContain('Raise the daily budget of ad group "US Prospecting" from 10.00 USD to 12.50 USD per day (+25%)');
    expect(raised[1]).toBe(`"Acme US" (${USD_ACCOUNT})`);
    expect(paused[0]).toContain('Pause ad group "JP Prospecting"');
    expect(paused[1]).toBe(`"Acme JP" (${JPY_ACCOUNT})`);
    expect(created[0]).toContain('Create ad group "Spring test" in campaign "US Always-on Awareness": 15.00 USD per day, starts ACTIVE at once');
    for (const cells of [raised, paused, created]) {
      expect(cells[2]).toBe(`${new URL(d.emulator.url).host} (custom URL)`);
      expect(cells[3]).toMatch(/over HTTP from 127\.0\.0\.1/);
      expect(cells[4]).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC \(in (10|9) minutes\)$/);
    }
    expect(new Set([raised.join('|'), paused.join('|'), created.join('|')]).size).toBe(3);
    expect(writes(d.emulator)).toHaveLength(0);
  });
});
