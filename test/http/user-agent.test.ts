// Every request to an upstream API names this server and its version: Pinterest's and Whop's reads, writes and OAuth refresh.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Emulator, startEmulator } from '../../fakes/pinterest/server.js';
import { WHOP_SEED, WHOP_TEST_KEY, type WhopEmulator, startWhopEmulator } from '../../fakes/whop/server.js';
import { type Harness, startInProcess } from '../helpers/harness.js';

const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
const OAUTH = { appId: '1234567', appSecret: 'app-secret-5f2b9c1d', refreshToken: 'pinr_refresh-7e4a0b33' };

describe('User-Agent', () => {
  let pinterest: Emulator;
  let whop: WhopEmulator;
  let h: Harness;

  beforeAll(async () => {
    // OAuth refresh, so that the token request (its own code path) is among the requests checked.
    pinterest = await startEmulator({ acceptedTokens: [], oauth: { ...OAUTH, expiresInSeconds: 3600 } });
    whop = await startWhopEmulator();
    h = await startInProcess({
      emulator: pinterest,
      args: ['--toolsets', 'default,boards,whop'],
      env: {
        PINTEREST_ACCESS_TOKEN: '',
        PINTEREST_APP_ID: OAUTH.appId,
        PINTEREST_APP_SECRET: OAUTH.appSecret,
        PINTEREST_REFRESH_TOKEN: OAUTH.refreshToken,
        WHOP_API_BASE_URL: whop.url,
        WHOP_API_KEY: WHOP_TEST_KEY,
      },
    });
  });
  afterAll(async () => {
    await h?.close();
    await pinterest?.close();
    await whop?.close();
  });

  it(`is pinterest-api-mcp/${version} on Pinterest's token request, a read and a write sent at once`, async () => {
    const read = await h.call('ad_accounts_list', {});
    expect(read.isError, read.text).toBeFalsy();
    const write = await h.call('boards_create', { body: { name: 'User-Agent board' } });
    expect(write.isError, write.text).toBeFalsy();
    expect(pinterest.requests.map((r) => `${r.method} ${r.operationId} ${r.status}`)).toEqual([
      'POST oauth/token 200',
      'GET ad_accounts/list 200',
      'POST boards/create 201',
    ]);
    expect(pinterest.requests.map((r) => r.headers['user-agent'])).toEqual(Array(3).fill(`pinterest-api-mcp/${version}`));
  });

  it(`is pinterest-api-mcp/${version} on Whop's read and a write sent at once`, async () => {
    const read = await h.call('whop_ad_campaigns_list', { first: 5 });
    expect(read.isError, read.text).toBeFalsy();
    const write = await h.call('whop_ad_campaigns_pause', { id: WHOP_SEED.campaign });
    expect(write.isError, write.text).toBeFalsy();
    expect(whop.requests.map((r) => r.method)).toEqual(['GET', 'POST']);
    expect(whop.requests.map((r) => r.headers['user-agent'])).toEqual([`pinterest-api-mcp/${version}`, `pinterest-api-mcp/${version}`]);
  });
});
