// Guessing an approver token costs time: failed sign-ins per address wait 1, 2, 4 ... s after three free ones; nothing typed is logged.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { type Emulator, startEmulator } from '../../fakes/pinterest/server.js';
import { createLogger } from '../../src/core/logger.js';
import { SignInThrottle } from '../../src/approval/throttle.js';
import { PageApprover, csrfOf } from '../helpers/approver.js';
import { type Served, fetchFrom, serve } from '../helpers/http.js';

const ALICE = 'alice-approver-token-0123456789abcdef';
const writes = (emulator: Emulator) => emulator.requests.filter((r) => r.method !== 'GET');

describe('SignInThrottle', () => {
  const clock = () => {
    let now = 1_000_000;
    return { now: () => now, advance: (ms: number) => (now += ms) };
  };

  it('lets three failures in a row pass free, then doubles the wait from 1 s up to 5 minutes', () => {
    const time = clock();
    const throttle = new SignInThrottle(time.now);
    const waits = Array.from({ length: 14 }, () => {
      const wait = throttle.failed('10.0.0.1');
      expect(throttle.waitSeconds('10.0.0.1')).toBe(wait);
      time.advance(wait * 1000); // the next attempt comes exactly when it may
      expect(throttle.waitSeconds('10.0.0.1')).toBe(0);
      return wait;
    });
    expect(waits).toEqual([0, 0, 0, 1, 2, 4, 8, 16, 32, 64, 128, 256, 300, 300]);
  });

  it('counts the wait down on the clock, per address, and a success starts the address afresh', () => {
    const time = clock();
    const throttle = new SignInThrottle(time.now);
    for (let i = 0; i < 6; i++) throttle.failed('10.0.0.1');
    expect(throttle.waitSeconds('10.0.0.1')).toBe(4);
    time.advance(1_500);
    expect(throttle.waitSeconds('10.0.0.1')).toBe(3); // 2.5 s left: rounded up, never early
    time.advance(2_499);
    expect(throttle.waitSeconds('10.0.0.1')).toBe(1);
    time.advance(1);
    expect(throttle.waitSeconds('10.0.0.1')).toBe(0);
    expect(throttle.waitSeconds('10.0.0.2')).toBe(0);
    expect(throttle.failed('10.0.0.2')).toBe(0);
    throttle.succeeded('10.0.0.1');
    expect([throttle.failed('10.0.0.1'), throttle.failed('10.0.0.1'), throttle.failed('10.0.0.1'), throttle.failed('10.0.0.1')]).toEqual([0, 0, 0, 1]);
  });

  it('forgets an address quiet for an hour, and the longest-quiet one first past 10,000 addresses', () => {
    const time = clock();
    const throttle = new SignInThrottle(time.now);
    for (let i = 0; i < 8; i++) throttle.failed('10.0.0.1');
    expect(throttle.waitSeconds('10.0.0.1')).toBe(16);
    time.advance(60 * 60_000);
    expect(throttle.waitSeconds('10.0.0.1')).toBe(0);
    expect(throttle.failed('10.0.0.1')).toBe(32); // quiet exactly an hour: still remembered
    time.advance(60 * 60_000 + 1);
    expect(throttle.waitSeconds('10.0.0.1')).toBe(0);
    expect(throttle.failed('10.0.0.1')).toBe(0); // the first failure of a fresh count

    const crowded = new SignInThrottle(time.now);
    for (let i = 0; i < 4; i++) crowded.failed('10.0.0.9');
    for (let i = 0; i < 9_999; i++) crowded.failed(`10.1.${i >> 8}.${i & 255}`);
    expect(crowded.waitSeconds('10.0.0.9')).toBe(1);
    crowded.failed('10.2.0.0');
    expect(crowded.waitSeconds('10.0.0.9')).toBe(0);
  });
});

describe('sign-in throttle on the HTTP approval page', () => {
  let emulator: Emulator | undefined;
  let served: Served | undefined;
  afterEach(async () => {
    vi.useRealTimers();
    await served?.close();
    await emulator?.close();
  });

  it('answers 429 with Retry-After without comparing the token once an address waits; another address signs in; nothing typed is logged', async () => {
    // The throttle reads this clock from its start; it stands still unless the test moves it.
    const start = Date.now();
    vi.useFakeTimers({ toFake: ['Date'], now: start });
    const lines: string[] = [];
    emulator = await startEmulator();
    served = await serve(emulator, [], { PINTEREST_MCP_APPROVER_TOKEN: `alice=${ALICE}` }, createLogger('info', { write: (line: string) => lines.push(line) }));
    const typed = ['typed-guess-one-0123456789abcdef', 'typed-guess-two-0123456789abcdef', `${ALICE.slice(0, -1)}X`, 'typed-guess-four-0123456789abcde', 'typed-guess-five-0123456789abcde'];
    const person = new PageApprover(served.http.url, fetchFrom('127.0.0.1'));

    /** One sign-in attempt with the form as the page serves it. */
    const attempt = async (token: string) => {
      const form = await person.get('/approvals');
      return person.post('/approvals/sign-in', { csrf: csrfOf(form.html, '/approvals/sign-in'), token });
    };
    const retryAfter = async (token: string) => {
      const response = await fetchFrom('127.0.0.1')(`${served!.http.url}/approvals`);
      const form = await response.text();
      // A fresh browser (its own login cookie) each time: the wait belongs to the address, not to a cookie.
      const cookie = response.headers.getSetCookie()[0].split(';')[0];
      const answer = await fetchFrom('127.0.0.1')(`${served!.http.url}/approvals/sign-in`, {
        method: 'POST',
        redirect: 'manual',
        headers: { cookie, origin: served!.http.url, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ csrf: csrfOf(form, '/approvals/sign-in'), token }).toString(),
      });
      return { status: answer.status, retryAfter: answer.headers.get('retry-after'), setCookie: answer.headers.getSetCookie(), html: await answer.text() };
    };

    // Three typos cost nothing; the fourth failure is still looked at, and makes the address wait 1 s.
    for (const token of typed.slice(0, 4)) {
      const answer = await attempt(token);
      expect(answer.status).toBe(401);
      expect(answer.html).toContain('That is not an approver token.');
    }
    const throttled = await retryAfter(ALICE);
    expect(throttled).toMatchObject({ status: 429, retryAfter: '1' });
    expect(throttled.html).toContain('Too many failed sign-ins from this address: try again in 1 seconds.');
    expect(throttled.setCookie.join('\n')).not.toContain('pmcp_approver=');
    expect((await person.get('/approvals')).status).toBe(401);

    // Another address is not held up.
    const elsewhere = new PageApprover(served.http.url, fetchFrom('127.0.0.2'));
    expect((await elsewhere.signIn(ALICE)).status).toBe(303);
    expect((await elsewhere.get('/approvals')).status).toBe(200);

    // Still waiting a moment before the second is up; then the next failure doubles the wait.
    vi.setSystemTime(start + 999);
    expect(await retryAfter(typed[4])).toMatchObject({ status: 429, retryAfter: '1' });
    vi.setSystemTime(start + 1_000);
    expect((await attempt(typed[4])).status).toBe(401);
    expect(await retryAfter(ALICE)).toMatchObject({ status: 429, retryAfter: '2' });
    vi.setSystemTime(start + 3_000);
    expect((await attempt(ALICE)).status).toBe(303);
    expect((await person.get('/approvals')).status).toBe(200);

    const logged = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    const refusals = logged.filter((l) => l.msg === 'approval page: refused a sign-in with an unknown token');
    expect(refusals.map((l) => [l.client_address, l.next_attempt_in_seconds])).toEqual([
      ['127.0.0.1', 0],
      ['127.0.0.1', 0],
      ['127.0.0.1', 0],
      ['127.0.0.1', 1],
      ['127.0.0.1', 2],
    ]);
    const waits = logged.filter((l) => l.msg === 'approval page: sign-in refused while this address waits after failed sign-ins');
    expect(waits.map((l) => [l.client_address, l.retry_after])).toEqual([
      ['127.0.0.1', 1],
      ['127.0.0.1', 1],
      ['127.0.0.1', 2],
    ]);
    expect(logged.filter((l) => l.msg === 'approval page: signed in').map((l) => [l.approver, l.client_address])).toEqual([
      ['alice', '127.0.0.2'],
      ['alice', '127.0.0.1'],
    ]);
    const log = lines.join('\n');
    for (const text of [...typed, ALICE]) expect(log).not.toContain(text);
    for (const text of typed) expect(log).not.toContain(text.slice(0, 16));
    expect(writes(emulator)).toHaveLength(0);
  });
});
