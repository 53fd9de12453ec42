// Bounds on what held writes cost a person: approvals waiting per client address (clients of both eras, stateless and --stateful), and browser tabs opened per interval.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { type Emulator, startEmulator } from '../../fakes/pinterest/server.js';
import { PageApprover, recordingBrowser } from '../helpers/approver.js';
import { type Harness, USD_ACCOUNT, startInProcess } from '../helpers/harness.js';
import { type EraClient, HTTP_CELLS, connectEra } from '../helpers/era-clients.js';
import { type Served, fetchFrom, serve } from '../helpers/http.js';

const AD_GROUP = '2680059592701';
const budget = (amount: string) => ({ ad_account_id: USD_ACCOUNT, body: [{ id: AD_GROUP, budget: amount }] });
const ALICE = 'alice-approver-token-0123456789abcdef';

interface Held {
  status: string;
  approval_id: string;
  page: string;
}

const writes = (emulator: Emulator) => emulator.requests.filter((r) => r.method !== 'GET');
const heldOf = (result: { structuredContent?: unknown }) => result.structuredContent as Held;
/** The approvals a page lists. */
const listed = (html: string) => [...html.matchAll(/href="\/approvals\/(apr_[\w-]+)"/g)].map((m) => m[1]);

describe.each(HTTP_CELLS)('too_many_pending: at most --max-pending-approvals approvals wait per client address ($label)', (cell) => {
  let emulator: Emulator;
  let served: Served;
  const clients: EraClient[] = [];
  beforeAll(async () => {
    emulator = await startEmulator();
    served = await serve(emulator, ['--max-pending-approvals', '2', ...cell.args], { PINTEREST_MCP_APPROVER_TOKEN: `alice=${ALICE}` });
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await served?.close();
    await emulator?.close();
  });
  beforeEach(() => emulator.reset());

  /** A client of this cell whose requests come from `address`. */
  const client = async (address: string) => {
    const c = await connectEra(cell.kind, { kind: 'http', url: served.url, fetch: fetchFrom(address) }, { name: `bounds-${cell.kind}` });
    clients.push(c);
    return c;
  };

  it('refuses the third held call from one address without creating an approval; another address is not affected; a decision frees a place', async () => {
    const [first, second] = [await client('127.0.0.1'), await client('127.0.0.2')];
    const alice = new PageApprover(served.http.url);
    expect((await alice.signIn(ALICE)).status).toBe(303);

    const a = heldOf(await first.call('ad_groups_update', budget('71')));
    const b = heldOf(await first.call('ad_groups_update', budget('72')));
    expect([a.status, b.status]).toEqual(['approval_required', 'approval_required']);
    const refused = await first.call('ad_groups_update', budget('73'));
    expect(refused.isError).toBe(true);
    expect(refused.structuredContent).toEqual({ status: 'too_many_pending', pending: 2, limit: 2, setting: '--max-pending-approvals', page: "this server's /approvals" });
    expect(refused.text).toContain('The operator sets this bound with --max-pending-approvals.');
    expect(refused.text).toContain('no approval was created: 2 approvals from this client are already waiting for a person (at most 2)');
    expect(refused.text).toContain("on the approval page (this server's /approvals)");
    expect(listed((await alice.get('/approvals')).html).sort()).toEqual([a.approval_id, b.approval_id].sort());

    // Another client address has its own bound.
    const other = heldOf(await second.call('ad_groups_update', budget('74')));
    expect(other.status).toBe('approval_required');
    expect(listed((await alice.get('/approvals')).html)).toHaveLength(3);
    expect(writes(emulator)).toHaveLength(0);

    // Deciding one frees a place for the first address.
    expect((await alice.decide(a.approval_id, 'approve')).status).toBe(303);
    expect(writes(emulator)).toHaveLength(1);
    expect(writes(emulator)[0].body).toEqual([{ id: AD_GROUP, budget_in_micro_currency: 71_000_000 }]);
    const again = await first.call('ad_groups_update', budget('73'));
    expect(again.structuredContent, again.text).toMatchObject({ status: 'approval_required' });
    expect(listed((await alice.get('/approvals')).html)).toHaveLength(3);
    expect(writes(emulator)).toHaveLength(1);
  });

  it('lets no more than the bound through when one address holds calls at once', async () => {
    const c = await client('127.0.0.3');
    const answers = await Promise.all(['81', '82', '83', '84'].map((amount) => c.call('ad_groups_update', budget(amount))));
    const statuses = answers.map((r) => heldOf(r).status).sort();
    expect(statuses).toEqual(['approval_required', 'approval_required', 'too_many_pending', 'too_many_pending']);
    expect(writes(emulator)).toHaveLength(0);
  });
});

describe('stdio: one browser tab per PINTEREST_MCP_APPROVAL_TAB_SECONDS', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    vi.useRealTimers();
    vi.restoreAllMocks();
    await h?.close();
    h = undefined;
  });

  it('default 30 s: a held write within the bound opens no tab and waits on the list; the next after it opens one', async () => {
    const browser = recordingBrowser();
    h = await startInProcess({ env: { BROWSER: browser.command } });
    const start = Date.now();
    // The bound is measured on the clock; it stands still here unless the test moves it.
    vi.useFakeTimers({ toFake: ['Date'], now: start });

    const first = await h.call('ad_groups_update', budget('61'));
    const firstHeld = heldOf(first);
    expect(firstHeld.status, first.text).toBe('approval_required');
    // The opener is given a moment to exit; on a loaded machine the link it records may come after the answer.
    await browser.next(1);
    expect(browser.links()).toHaveLength(1);
    expect(first.text).toContain(`It opened in the user's web browser on this computer (${firstHeld.page}).`);
    const base = new URL(firstHeld.page).origin;

    const second = await h.call('ad_groups_update', budget('62'));
    const secondHeld = heldOf(second);
    expect(secondHeld.status, second.text).toBe('approval_required');
    expect(browser.links()).toHaveLength(1);
    expect(secondHeld.page).toBe(`${base}/approvals/${secondHeld.approval_id}`);
    expect(second.text).toContain(
      `A browser tab opened for an earlier approval moments ago, so none opened for this one: it waits on the approval page's list (${base}/approvals), at ${secondHeld.page}.`,
    );
    expect(second.text + JSON.stringify(second.structuredContent)).not.toContain('lnk_');

    // The person signed in by the first tab finds the second on the list and decides it there.
    const person = new PageApprover(base);
    expect((await person.openLink(browser.links()[0])).status).toBe(303);
    expect(listed((await person.get('/approvals')).html)).toEqual([firstHeld.approval_id, secondHeld.approval_id]);
    expect((await person.decide(secondHeld.approval_id, 'approve')).status).toBe(303);
    expect(writes(h.emulator)).toHaveLength(1);
    expect(writes(h.emulator)[0].body).toEqual([{ id: AD_GROUP, budget_in_micro_currency: 62_000_000 }]);

    vi.setSystemTime(start + 29_999);
    expect((await h.call('ad_groups_update', budget('63'))).text).toContain('so none opened for this one');
    expect(browser.links()).toHaveLength(1);
    vi.setSystemTime(start + 30_000);
    const later = await h.call('ad_groups_update', budget('64'));
    expect(later.text).toContain("It opened in the user's web browser");
    await browser.next(2);
    expect(browser.links()).toHaveLength(2);
    expect(browser.links()[1]).toContain(`/approvals/${heldOf(later).approval_id}?key=lnk_`);

    // Two held at once after the bound: one tab between them.
    vi.setSystemTime(start + 60_000);
    const together = await Promise.all([h.call('ad_groups_update', budget('65')), h.call('ad_groups_update', budget('66'))]);
    await browser.next(3);
    expect(browser.links()).toHaveLength(3);
    expect(together.filter((r) => r.text.includes("It opened in the user's web browser"))).toHaveLength(1);
    expect(together.filter((r) => r.text.includes('so none opened for this one'))).toHaveLength(1);
    expect(writes(h.emulator)).toHaveLength(1);
  });

  it('PINTEREST_MCP_APPROVAL_TAB_SECONDS=0: each held write opens its own tab', async () => {
    const browser = recordingBrowser();
    h = await startInProcess({ env: { BROWSER: browser.command, PINTEREST_MCP_APPROVAL_TAB_SECONDS: '0' } });
    const answers = [await h.call('ad_groups_update', budget('67')), await h.call('ad_groups_update', budget('68'))];
    await browser.next(2);
    expect(browser.links()).toHaveLength(2);
    for (const [i, answer] of answers.entries()) {
      expect(answer.text).toContain(`It opened in the user's web browser on this computer (${heldOf(answer).page}).`);
      expect(browser.links()[i]).toContain(`/approvals/${heldOf(answer).approval_id}?key=lnk_`);
    }
    expect(writes(h.emulator)).toHaveLength(0);
  });

  /** Lines the server prints for the person on stderr (the sign-in link), kept out of the test's output. */
  function printedLinks(): string[] {
    const printed: string[] = [];
    const write = process.stderr.write.bind(process.stderr);
    vi.spyOn(process.stderr, 'write').mockImplementation(((chunk: string | Uint8Array, ...rest: never[]) => {
      if (String(chunk).startsWith('pinterest-api-mcp: no browser could be opened')) {
        printed.push(String(chunk));
        return true;
      }
      return write(chunk, ...rest);
    }) as typeof process.stderr.write);
    return printed;
  }

  it('no browser (BROWSER=false): the answer says so and that the link went to stderr, where it signs the person in', async () => {
    const printed = printedLinks();
    h = await startInProcess({ env: { BROWSER: 'false' } });
    const answer = await h.call('ad_groups_update', budget('69'));
    const held = heldOf(answer);
    expect(held.status, answer.text).toBe('approval_required');
    expect(answer.text).toContain(`No web browser could be opened on this computer; the sign-in link went to the server log (stderr). Once signed in, the page is ${held.page}.`);
    expect(answer.text + JSON.stringify(answer.structuredContent)).not.toContain('lnk_');
    expect(printed).toHaveLength(1);
    const link = /open (http:\S+)/.exec(printed[0])?.[1] ?? '';
    expect(link).toMatch(new RegExp(`^${held.page.replace(/[.?]/g, '\\$&')}\\?key=lnk_`));

    // No tab opened, so the bound does not start: the next held write prints its own link.
    await h.call('ad_groups_update', budget('70'));
    expect(printed).toHaveLength(2);

    const person = new PageApprover(new URL(link).origin);
    expect((await person.openLink(link)).status).toBe(303);
    expect((await person.decide(held.approval_id, 'approve')).status).toBe(303);
    expect(writes(h.emulator)).toHaveLength(1);
    expect(writes(h.emulator)[0].body).toEqual([{ id: AD_GROUP, budget_in_micro_currency: 69_000_000 }]);
  });

  it('no browser, and links go only to a browser (--approval-channels page): the answer says no one can reach the page now, and no link is printed', async () => {
    const printed = printedLinks();
    h = await startInProcess({ args: ['--approval-channels', 'page'], env: { BROWSER: 'false' } });
    const answer = await h.call('ad_groups_update', budget('75'));
    const held = heldOf(answer);
    expect(held.status, answer.text).toBe('approval_required');
    expect(answer.text).toContain(
      `No web browser could be opened on this computer, and this server gives sign-in links only to a browser (--approval-channels leaves out dialog), so the user cannot reach ${held.page} now: ask them to set BROWSER for this server, then ask again.`,
    );
    expect(answer.text + JSON.stringify(answer.structuredContent)).not.toContain('lnk_');
    expect(printed).toHaveLength(0);
    expect(writes(h.emulator)).toHaveLength(0);
  });
});
