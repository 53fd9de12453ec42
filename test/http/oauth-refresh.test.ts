// OAuth refresh against the fake API: token obtained on first use, refreshed once after a 401 for reads, secrets kept out.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Emulator, startEmulator } from '../../fakes/pinterest/server.js';
import { type Harness, USD_ACCOUNT, startInProcess, startStdio } from '../helpers/harness.js';
import { ATTEMPT_CUT_MS, gate } from '../helpers/waiting.js';

const OAUTH = { appId: '1234567', appSecret: 'app-secret-5f2b9c1d', refreshToken: 'pinr_refresh-7e4a0b33' };
const AD_GROUP = '2680059592701';

/** The server's environment for OAuth refresh only (no access token configured). */
const oauthEnv = (refreshToken = OAUTH.refreshToken) => ({
  PINTEREST_ACCESS_TOKEN: '',
  PINTEREST_APP_ID: OAUTH.appId,
  PINTEREST_APP_SECRET: OAUTH.appSecret,
  PINTEREST_REFRESH_TOKEN: refreshToken,
});

describe('OAuth refresh (built server over stdio, trace logs)', () => {
  let emulator: Emulator;
  let h: Harness;
  const results: string[] = [];
  const call = async (name: string, args: Record<string, unknown>) => {
    const result = await h.call(name, args);
    results.push(JSON.stringify(result));
    return result;
  };
  const tokenRequests = () => emulator.requests.filter((r) => r.operationId === 'oauth/token');

  beforeAll(async () => {
    emulator = await startEmulator({ acceptedTokens: [], oauth: { ...OAUTH, expiresInSeconds: 3600 } });
    h = await startStdio({
      emulator,
      args: ['--log-level', 'trace'],
      env: oauthEnv(),
    });
  });
  afterAll(async () => {
    await h?.close();
    await emulator?.close();
  });

  it('obtains an access token through oauth/token (HTTP Basic, form body) on first use, then reuses it', async () => {
    const first = await call('ad_accounts_get', { ad_account_id: USD_ACCOUNT });
    expect(first.isError, first.text).toBeFalsy();
    const second = await call('campaigns_list', { ad_account_id: USD_ACCOUNT });
    expect(second.isError, second.text).toBeFalsy();

    expect(tokenRequests()).toHaveLength(1);
    const [request] = tokenRequests();
    expect(request.method).toBe('POST');
    expect(request.status).toBe(200);
    expect(request.headers['content-type']).toMatch(/^application\/x-www-form-urlencoded/);
    expect(request.headers.authorization).toBe(`Basic ${Buffer.from(`${OAUTH.appId}:${OAUTH.appSecret}`).toString('base64')}`);
    expect(request.body).toEqual({ grant_type: 'refresh_token', refresh_token: OAUTH.refreshToken });
    const apiCalls = emulator.requests.filter((r) => r.operationId !== 'oauth/token');
    expect(apiCalls.every((r) => /^Bearer pina_/.test(r.headers.authorization ?? '') && r.status === 200)).toBe(true);
  });

  it('refreshes once after a 401 on a read and repeats the read', async () => {
    emulator.expireTokens();
    const before = emulator.requests.length;
    const result = await call('ad_accounts_get', { ad_account_id: USD_ACCOUNT });
    expect(result.isError, result.text).toBeFalsy();
    const seen = emulator.requests.slice(before).map((r) => `${r.operationId} ${r.status}`);
    expect(seen).toEqual(['ad_accounts/get 401', 'oauth/token 200', 'ad_accounts/get 200']);
    const [rejected, , accepted] = emulator.requests.slice(before);
    expect(accepted.headers.authorization).not.toBe(rejected.headers.authorization);
  });

  it('reports the auth failure of a write without repeating it, and the next call works', async () => {
    emulator.expireTokens();
    const before = emulator.requests.length;
    const write = await call('ad_groups_update', { ad_account_id: USD_ACCOUNT, body: [{ id: AD_GROUP, name: 'renamed' }] });
    expect(write.isError).toBe(true);
    expect(write.text).toMatch(/Pinterest API error 401/);
    expect(write.text).toMatch(/nothing was changed: make the call again/);
    const patches = emulator.requests.slice(before).filter((r) => r.operationId === 'ad_groups/update');
    expect(patches.map((r) => r.status)).toEqual([401]);
    expect(emulator.state.adGroups.get(AD_GROUP)?.name).not.toBe('renamed');

    const again = await call('ad_groups_update', { ad_account_id: USD_ACCOUNT, body: [{ id: AD_GROUP, name: 'renamed' }] });
    expect(again.isError, again.text).toBeFalsy();
    expect(emulator.state.adGroups.get(AD_GROUP)?.name).toBe('renamed');
  });

  it('keeps the app secret, the refresh token and every access token out of results and logs', () => {
    const stderr = h.stderr();
    expect(stderr).toContain('obtained a Pinterest access token'); // trace logs were written
    const accessTokens = new Set(
      emulator.requests.map((r) => /^Bearer (\S+)$/.exec(r.headers.authorization ?? '')?.[1]).filter((t): t is string => !!t),
    );
    expect(accessTokens.size).toBeGreaterThanOrEqual(3);
    const basic = Buffer.from(`${OAUTH.appId}:${OAUTH.appSecret}`).toString('base64');
    for (const secret of [OAUTH.appSecret, OAUTH.refreshToken, basic, ...accessTokens]) {
      expect(stderr).not.toContain(secret);
      for (const text of results) expect(text).not.toContain(secret);
    }
  });
});

describe('OAuth refresh failures', () => {
  it('says which settings to check when Pinterest refuses the refresh token, and sends no API call', async () => {
    const emulator = await startEmulator({ acceptedTokens: [], oauth: OAUTH });
    const h = await startStdio({
      emulator,
      env: oauthEnv('pinr_revoked'),
    });
    try {
      const result = await h.call('ad_accounts_get', { ad_account_id: USD_ACCOUNT });
      expect(result.isError).toBe(true);
      expect(result.text).toMatch(/refused to refresh the access token \(HTTP 401.*PINTEREST_REFRESH_TOKEN/);
      expect(result.text).not.toContain('pinr_revoked');
      expect(emulator.requests.map((r) => r.operationId)).toEqual(['oauth/token']);
    } finally {
      await h.close();
      await emulator.close();
    }
  });

  // Each way the token endpoint can fail, for a read and for a write: the answer says the refresh failed and why, that
  // nothing was sent, and never that credentials are missing; only the token endpoint saw a request. The token
  // endpoint that gives no answer holds it until the test ends (it never answers, so the timeout fires whatever the
  // load); the others answer at once, under the default timeout, so that no short timer races their answer.
  const noAnswer = gate();
  const failures = [
    {
      name: 'no answer in time',
      fault: { hold: noAnswer.promise },
      timeoutMs: ATTEMPT_CUT_MS,
      expected: new RegExp(`no answer within ${ATTEMPT_CUT_MS} ms`),
    },
    { name: 'a reset connection', fault: { drop: 'before' as const }, expected: /could not be refreshed through oauth\/token \((ECONNRESET|other side closed|socket hang up)/ },
    { name: 'a 503', fault: { status: 503 }, expected: /HTTP 503.*retry later/ },
    {
      name: 'invalid_grant',
      fault: { status: 400, body: { error: 'invalid_grant', error_description: 'Refresh token is revoked' } },
      expected: /HTTP 400: invalid_grant: Refresh token is revoked\).*PINTEREST_REFRESH_TOKEN/,
    },
  ];
  for (const { name, fault, timeoutMs, expected } of failures) {
    it(`says the refresh failed and why after ${name}, for a read and a write, and sends nothing else`, async () => {
      const emulator = await startEmulator({ acceptedTokens: [], oauth: OAUTH });
      const h = await startInProcess({
        emulator,
        env: { ...oauthEnv(), ...(timeoutMs ? { PINTEREST_MCP_TIMEOUT_MS: String(timeoutMs) } : {}) },
      });
      try {
        emulator.inject({ operationId: 'oauth/token', times: 2, ...fault });
        const read = await h.call('ad_accounts_get', { ad_account_id: USD_ACCOUNT });
        const write = await h.call('ad_groups_update', { ad_account_id: USD_ACCOUNT, body: [{ id: AD_GROUP, name: 'renamed' }] });
        for (const result of [read, write]) {
          expect(result.isError).toBe(true);
          expect(result.text).toMatch(/^Nothing was sent\. The Pinterest access token could not be refreshed through oauth\/token/);
          expect(result.text).toMatch(expected);
          expect(result.text).not.toMatch(/No Pinterest credentials/);
          expect(result.structuredContent).toMatchObject({ error: 'auth_refresh' });
        }
      } finally {
        await h.close();
        noAnswer.open();
        await emulator.close();
      }
      // Only the token endpoint was asked, once per call, and nothing else reached the fake API.
      expect(emulator.requests.map((r) => r.operationId)).toEqual(['oauth/token', 'oauth/token']);
    });
  }
});
