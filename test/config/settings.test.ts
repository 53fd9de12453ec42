// Configuration never fails open: each setting of SETTINGS is read strictly, and a value it does not accept stops start-up.
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildTools } from '../../src/tools/registry.js';
import { selectTools } from '../../src/tools/selection.js';
import { DEFAULT_TOOLSETS, TOOLSETS } from '../../src/apis/toolsets.js';
import { pinterestApi } from '../../src/apis/index.js';
import { VERSION } from '../../src/core/version.js';
import { type Config, ConfigError, SETTINGS, helpText, loadConfig } from '../../src/config/index.js';
import { MONEY_KIND_HELP, MONEY_KINDS } from '../../src/money/kinds.js';
import { SERVER_ENTRY } from '../helpers/harness.js';
import { tempDir } from '../helpers/temp.js';

const fromEnv = (env: Record<string, string>) => loadConfig([], env);

/** The message loadConfig refuses with; fails the test when it does not refuse, or refuses otherwise than ConfigError. */
function refusal(argv: string[], env: Record<string, string> = {}): string {
  try {
    loadConfig(argv, env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error(`accepted ${JSON.stringify({ argv, env })}`);
}

const BOOLEANS: { env: string; flag?: string; read: (c: Config) => boolean }[] = [
  { env: 'PINTEREST_SANDBOX', read: (c) => c.apis.pinterest.sandbox },
  { env: 'PINTEREST_MCP_STATEFUL', flag: '--stateful', read: (c) => c.stateful },
  { env: 'PINTEREST_MCP_READ_ONLY', flag: '--read-only', read: (c) => c.readOnly },
  { env: 'PINTEREST_MCP_DEMO', flag: '--demo', read: (c) => c.demo },
];
const TRUE_SPELLINGS = ['1', 'true', 'TRUE', 'True', 'yes', 'YES', 'on', 'On', ' yes '];
const FALSE_SPELLINGS = ['0', 'false', 'FALSE', 'no', 'No', 'off', 'OFF'];

describe('booleans', () => {
  for (const { env, read } of BOOLEANS) {
    it(`${env} accepts 1/true/yes/on as on and 0/false/no/off as off, in any case`, () => {
      for (const spelling of TRUE_SPELLINGS) expect(read(fromEnv({ [env]: spelling })), spelling).toBe(true);
      for (const spelling of FALSE_SPELLINGS) expect(read(fromEnv({ [env]: spelling })), spelling).toBe(false);
      expect(read(fromEnv({}))).toBe(false);
    });
  }

  it('a bare flag means on, and beats the variable saying off', () => {
    for (const { env, flag, read } of BOOLEANS) {
      if (!flag) continue;
      expect(read(loadConfig([flag], {})), flag).toBe(true);
      expect(read(loadConfig([flag], { [env]: 'off' })), flag).toBe(true);
    }
  });

  it('refuses any other spelling, naming the variable and the accepted spellings', () => {
    expect(refusal([], { PINTEREST_MCP_READ_ONLY: 'Y' })).toBe(
      'PINTEREST_MCP_READ_ONLY must be one of 1/0, true/false, yes/no, on/off (any case); got "Y"',
    );
    expect(refusal([], { PINTEREST_SANDBOX: 'maybe' })).toMatch(/^PINTEREST_SANDBOX must be one of 1\/0, true\/false/);
    for (const { env } of BOOLEANS) expect(refusal([], { [env]: 'enabled' })).toContain(env);
  });

  it('refuses a value given to a bare flag', () => {
    expect(refusal(['--read-only=no'])).toContain('--read-only');
  });
});

describe('numbers', () => {
  const RANGES: { name: string; min: number; max: number; set: (value: string) => [string[], Record<string, string>]; read: (c: Config) => number }[] = [
    { name: '--confirm-ttl', min: 10, max: 86_400, set: (v) => [[`--confirm-ttl=${v}`], {}], read: (c) => c.confirmTtlSeconds },
    { name: '--port', min: 0, max: 65_535, set: (v) => [[`--port=${v}`], {}], read: (c) => c.port },
    { name: '--max-result-chars', min: 1000, max: 10_000_000, set: (v) => [[`--max-result-chars=${v}`], {}], read: (c) => c.maxResultChars },
    { name: 'PINTEREST_MCP_RETRIES', min: 0, max: 10, set: (v) => [[], { PINTEREST_MCP_RETRIES: v }], read: (c) => c.client.retries },
    { name: 'PINTEREST_MCP_MAX_BODY_BYTES', min: 1024, max: 100_000_000, set: (v) => [[], { PINTEREST_MCP_MAX_BODY_BYTES: v }], read: (c) => c.http.maxBodyBytes },
    { name: 'PINTEREST_MCP_HTTP_HEADERS_TIMEOUT_MS', min: 100, max: 600_000, set: (v) => [[], { PINTEREST_MCP_HTTP_HEADERS_TIMEOUT_MS: v }], read: (c) => c.http.headersTimeoutMs },
    { name: 'PINTEREST_MCP_HTTP_REQUEST_TIMEOUT_MS', min: 100, max: 3_600_000, set: (v) => [[], { PINTEREST_MCP_HTTP_REQUEST_TIMEOUT_MS: v }], read: (c) => c.http.requestTimeoutMs },
    { name: 'PINTEREST_MCP_HTTP_MAX_SESSIONS_PER_CLIENT', min: 1, max: 1_000_000, set: (v) => [[], { PINTEREST_MCP_HTTP_MAX_SESSIONS_PER_CLIENT: v }], read: (c) => c.http.sessions.perClient },
    { name: 'PINTEREST_MCP_HTTP_SESSION_IDLE_SECONDS', min: 1, max: 86_400, set: (v) => [[], { PINTEREST_MCP_HTTP_SESSION_IDLE_SECONDS: v }], read: (c) => c.http.sessions.idleSeconds },
    { name: 'PINTEREST_MCP_TIMEOUT_MS', min: 1, max: 600_000, set: (v) => [[], { PINTEREST_MCP_TIMEOUT_MS: v }], read: (c) => c.client.timeoutMs },
    { name: 'PINTEREST_MCP_TOTAL_TIMEOUT_MS', min: 1, max: 3_600_000, set: (v) => [[], { PINTEREST_MCP_TOTAL_TIMEOUT_MS: v }], read: (c) => c.client.totalTimeoutMs },
  ];

  for (const { name, min, max, set, read } of RANGES) {
    it(`${name} accepts ${min} and ${max}, and refuses ${min - 1} and ${max + 1} naming itself and its range`, () => {
      expect(read(loadConfig(...set(String(min))))).toBe(min);
      expect(read(loadConfig(...set(String(max))))).toBe(max);
      for (const outside of [min - 1, max + 1]) {
        expect(refusal(...set(String(outside)))).toBe(`${name} must be an integer from ${min} to ${max}; got "${outside}"`);
      }
    });
  }

  it('refuses numbers that are not plain integers', () => {
    for (const written of ['1.5', '1e3', '0x10', 'ten', '60s']) expect(refusal(['--confirm-ttl', written])).toContain('--confirm-ttl');
  });

  it('uses the documented defaults', () => {
    const config = loadConfig([], {});
    expect(config.confirmTtlSeconds).toBe(600);
    expect(config.port).toBe(3000);
    expect(config.maxResultChars).toBe(25_000);
    expect(config.http).toMatchObject({ maxBodyBytes: 1_000_000, headersTimeoutMs: 10_000, requestTimeoutMs: 60_000, keepAliveTimeoutMs: 5_000 });
    expect(config.http.sessions).toEqual({ perClient: 50, total: 1_000, idleSeconds: 300 });
    expect(config.client).toEqual({ timeoutMs: 30_000, totalTimeoutMs: 90_000, retries: 3, maxResponseBytes: 20_000_000 });
  });
});

describe('flags and variables', () => {
  it('a flag beats its variable', () => {
    const config = loadConfig(['--confirm-ttl', '20', '--transport', 'http', '--toolsets', 'billing'], {
      PINTEREST_MCP_CONFIRM_TTL: '30',
      PINTEREST_MCP_TRANSPORT: 'stdio',
      PINTEREST_MCP_TOOLSETS: 'campaigns',
    });
    expect(config.confirmTtlSeconds).toBe(20);
    expect(config.transport).toBe('http');
    expect(config.toolsets).toEqual(['billing']);
    expect(loadConfig([], { PINTEREST_MCP_CONFIRM_TTL: '30' }).confirmTtlSeconds).toBe(30);
  });

  it('refuses a bad variable even when a flag overrides it', () => {
    expect(refusal(['--confirm-ttl', '20'], { PINTEREST_MCP_CONFIRM_TTL: '5' })).toContain('PINTEREST_MCP_CONFIRM_TTL');
  });

  // Issue 27, a deliberate change: an empty value used to count as not given, so `--ad-accounts ""` started with no
  // account limit. Given empty, a value is now refused, naming where it came from and the fix.
  it('refuses a value given empty, naming the flag or variable and how to take it back', () => {
    expect(refusal([], { PINTEREST_MCP_PORT: '' })).toBe('PINTEREST_MCP_PORT is empty: a template variable that is unset? Set it, or unset the variable');
    expect(refusal(['--store', ''])).toBe('--store is empty: a template variable that is unset? Set it, or leave out the flag');
    expect(refusal(['--store='])).toBe('--store is empty: a template variable that is unset? Set it, or leave out the flag');
    expect(refusal([], { PINTEREST_MCP_READ_ONLY: ' ' })).toMatch(/^PINTEREST_MCP_READ_ONLY is empty: /);
  });

  it('refuses a flag with a value given twice (only the last would count), and takes a bare flag given twice', () => {
    expect(refusal(['--ad-accounts', '549755885175', '--ad-accounts', '549755885176'])).toBe(
      '--ad-accounts is given twice: only the last would count, so give it once (a list takes its entries comma-separated)',
    );
    expect(refusal(['--caps=bid=1', '--read-only', '--caps', 'bid=2'])).toMatch(/^--caps is given twice: /);
    expect(refusal(['--port', '1', '--port', '1'])).toMatch(/^--port is given twice: /);
    expect(loadConfig(['--read-only', '--read-only'], {}).readOnly).toBe(true);
    expect(loadConfig(['--ad-accounts', '549755885175,549755885176'], {}).adAccounts).toEqual(['549755885175', '549755885176']);
  });

  it('PINTEREST_MCP_TRUSTED_PROXIES takes addresses, CIDR ranges and range names, and refuses anything else naming the entry', () => {
    expect(fromEnv({ PINTEREST_MCP_TRUSTED_PROXIES: '10.0.0.2, 192.168.0.0/16,::1,loopback,uniquelocal' }).http.trustedProxies).toEqual([
      '10.0.0.2',
      '192.168.0.0/16',
      '::1',
      'loopback',
      'uniquelocal',
    ]);
    expect(fromEnv({}).http.trustedProxies).toEqual([]);
    expect(refusal([], { PINTEREST_MCP_TRUSTED_PROXIES: '10.0.0.2,proxy.internal' })).toBe(
      'PINTEREST_MCP_TRUSTED_PROXIES entries must each be an IP address, a CIDR range (10.0.0.0/8) or one of loopback, linklocal, uniquelocal; "proxy.internal" is not (invalid IP address: proxy.internal)',
    );
    expect(refusal([], { PINTEREST_MCP_TRUSTED_PROXIES: '10.0.0.0/33' })).toMatch(/"10\.0\.0\.0\/33" is not \(invalid range on address/);
  });

  it('refuses unknown enum values, listing the valid ones', () => {
    expect(refusal(['--transport', 'pigeon'])).toBe('--transport must be one of stdio, http; got "pigeon"');
    expect(refusal([], { PINTEREST_MCP_MODE: 'all' })).toBe('PINTEREST_MCP_MODE must be one of tools, discover; got "all"');
    expect(refusal(['--log-level', 'loud'])).toContain('fatal, error, warn, info, debug, trace, silent');
  });

  it('refuses unknown flags as a ConfigError', () => {
    expect(refusal(['--read-onyl'])).toContain('--read-onyl');
  });

  it('names the closest flag of an unknown one, whatever form it takes, and none when nothing is near', () => {
    expect(refusal(['--toolset', 'pins'])).toBe('Unknown flag --toolset: did you mean --toolsets?');
    expect(refusal(['--toolset=pins'])).toBe('Unknown flag --toolset: did you mean --toolsets?');
    expect(refusal(['--read-only', '--readonly'])).toBe('Unknown flag --readonly: did you mean --read-only?');
    expect(refusal(['--ad-account', '1'])).toBe('Unknown flag --ad-account: did you mean --ad-accounts?');
    expect(refusal(['--zzzzzzzz'])).toBe('Unknown flag --zzzzzzzz');
    // After `--` everything is an argument, not a flag: refused as one, not as an unknown flag.
    expect(refusal(['--', '--toolset'])).not.toContain('Unknown flag');
  });

  it('refuses a base URL that is not http(s)', () => {
    expect(refusal([], { PINTEREST_API_BASE_URL: 'api.pinterest.com/v5' })).toContain('PINTEREST_API_BASE_URL');
    expect(fromEnv({ PINTEREST_API_BASE_URL: 'http://127.0.0.1:9/v5//' }).apis.pinterest.baseUrl).toBe('http://127.0.0.1:9/v5');
    expect(fromEnv({ PINTEREST_SANDBOX: 'yes' }).apis.pinterest.baseUrl).toBe('https://api-sandbox.pinterest.com/v5');
  });
});

describe('--confirm-writes', () => {
  const read = (value: string) => loadConfig(['--confirm-writes', value], {}).confirmWrites;

  it('defaults to spend,data,destructive: data and destructive writes are held on top of the always-held ones', () => {
    expect(loadConfig([], {}).confirmWrites).toEqual(new Set(['data', 'destructive']));
    expect(read('spend,data,destructive')).toEqual(loadConfig([], {}).confirmWrites);
  });

  it('keeps the old spellings: spend adds nothing, spend,destructive adds destructive only', () => {
    expect(read('spend')).toEqual(new Set());
    expect(read('spend,destructive')).toEqual(new Set(['destructive']));
    expect(read('destructive,spend')).toEqual(new Set(['destructive']));
    expect(read(' spend , destructive ')).toEqual(new Set(['destructive']));
    expect(read('all')).toBe('all');
    expect(fromEnv({ PINTEREST_MCP_CONFIRM_WRITES: 'all' }).confirmWrites).toBe('all');
  });

  it('takes the classes in any combination and order', () => {
    expect(read('data')).toEqual(new Set(['data']));
    expect(read('destructive')).toEqual(new Set(['destructive']));
    expect(read('destructive, data')).toEqual(new Set(['data', 'destructive']));
    expect(read('spend,data')).toEqual(new Set(['data']));
  });

  it('refuses unknown classes with the closest valid ones, repeats, and all beside others', () => {
    expect(refusal(['--confirm-writes', 'spend,destrutive'])).toBe(
      '--confirm-writes has an unknown class "destrutive" (closest: destructive); name spend, data, destructive in any combination, or all',
    );
    expect(refusal(['--confirm-writes', 'personal'])).toMatch(/^--confirm-writes has an unknown class "personal"; name spend, data/);
    expect(refusal(['--confirm-writes', 'spend;destructive'])).toMatch(/unknown class "spend;destructive" \(closest: destructive, spend\)/);
    expect(refusal(['--confirm-writes', 'spend,spend'])).toBe('--confirm-writes names spend twice');
    expect(refusal(['--confirm-writes', 'spend,all'])).toBe('--confirm-writes takes all alone (it holds every write); got "spend,all"');
  });
});

describe('--caps', () => {
  it('reads a cap without a currency per money kind: it applies in whatever currency the account bills in', () => {
    expect(loadConfig(['--caps', 'daily_budget=500, bid=0.25,lifetime_budget=10000.123456'], {}).caps).toEqual({
      daily_budget: { anyCurrency: '500' },
      bid: { anyCurrency: '0.25' },
      lifetime_budget: { anyCurrency: '10000.123456' },
    });
  });

  it('reads caps per currency, one per kind and currency, codes in any case', () => {
    expect(loadConfig(['--caps', 'daily_budget=50 USD,daily_budget=7500 JPY, bid=2 usd,promotion=20.50 EUR'], {}).caps).toEqual({
      daily_budget: { byCurrency: { USD: '50', JPY: '7500' } },
      bid: { byCurrency: { USD: '2' } },
      promotion: { byCurrency: { EUR: '20.5' } },
    });
    expect(fromEnv({ PINTEREST_MCP_CAPS: 'bid=0.005 KWD' }).caps).toEqual({ bid: { byCurrency: { KWD: '0.005' } } });
  });

  it('refuses an unknown kind, listing the valid kinds', () => {
    const message = refusal(['--caps', 'daily=1']);
    expect(message).toContain('"daily"');
    for (const kind of MONEY_KINDS) expect(message).toContain(kind);
  });

  it('refuses a kind named twice, or twice for one currency', () => {
    expect(refusal([], { PINTEREST_MCP_CAPS: 'bid=1,bid=2' })).toBe('PINTEREST_MCP_CAPS names the kind bid twice');
    expect(refusal(['--caps', 'bid=1 USD,bid=2 usd'])).toBe('--caps names the bid cap for USD twice');
  });

  it('refuses a kind with caps both with and without a currency, in either order', () => {
    for (const value of ['bid=1,bid=2 USD', 'bid=2 USD,bid=1']) {
      expect(refusal(['--caps', value])).toMatch(/^--caps gives bid a cap without a currency and one in USD: .*write a currency on every bid cap \(bid=500 USD\)$/);
    }
  });

  it("refuses amounts finer than the currency's minor unit, and codes it does not know", () => {
    expect(refusal(['--caps', 'daily_budget=7500.5 JPY'])).toBe('--caps JPY has no decimal places (ISO 4217); got "daily_budget=7500.5 JPY"');
    expect(refusal(['--caps', 'bid=1.005 USD'])).toBe('--caps USD allows 2 decimal places (ISO 4217); got "bid=1.005 USD"');
    expect(refusal(['--caps', 'bid=1 XYZ'])).toMatch(/^--caps names XYZ, which is not an ISO 4217 currency this server knows/);
  });

  it('refuses amounts that are negative, too precise, missing or written otherwise', () => {
    for (const entry of ['bid=-1', 'bid=1.1234567', 'bid=', 'bid', 'bid=1=2', 'bid=1e3', 'bid=$2', 'bid=USD 2', 'bid=2 US', 'bid=2 USD USD']) {
      expect(refusal(['--caps', entry]), entry).toContain('--caps');
    }
  });
});

describe('--ad-accounts', () => {
  it('reads comma-separated ad account ids; none means no limit', () => {
    expect(loadConfig(['--ad-accounts', '549755885175, 549755885176'], {}).adAccounts).toEqual(['549755885175', '549755885176']);
    expect(fromEnv({ PINTEREST_MCP_AD_ACCOUNTS: '549755885175' }).adAccounts).toEqual(['549755885175']);
    expect(loadConfig([], {}).adAccounts).toEqual([]);
  });

  it('refuses an entry that is not an id, naming it', () => {
    expect(refusal(['--ad-accounts', '549755885175,acct-2'])).toContain('"acct-2"');
  });
});

describe('secret settings', () => {
  it('collects every secret given, for the redactor, and nothing else', () => {
    const config = loadConfig([], { PINTEREST_ACCESS_TOKEN: 'pina_0123456789', WHOP_API_KEY: 'whop-key-0123', PINTEREST_APP_ID: '1234567' });
    expect(config.secrets.sort()).toEqual(['pina_0123456789', 'whop-key-0123']);
  });

  it('refuses a secret too short to be redacted reliably, without printing it', () => {
    const message = refusal([], { PINTEREST_MCP_HTTP_TOKEN: 'abc1234' });
    expect(message).toMatch(/PINTEREST_MCP_HTTP_TOKEN is too short to be a credential \(7 characters; at least 8/);
    expect(message).not.toContain('abc1234');
  });
});

describe('help', () => {
  it('mentions every setting by flag and variable, and marks credentials', () => {
    const help = helpText();
    for (const setting of Object.values(SETTINGS) as { flag?: string; env?: string; help: string; secret?: true }[]) {
      if (setting.flag) expect(help).toContain(`--${setting.flag} `);
      if (setting.env) expect(help).toContain(setting.env);
      expect(help).toContain(setting.help);
      if (setting.secret) expect(help).toMatch(new RegExp(`${setting.env}\\s.*\\(secret\\)`));
    }
    expect(help).toContain('Environment only');
  });

  it('lists every cap kind with what it covers', () => {
    const kinds = helpText().split('Kinds for --caps')[1].split('\n\n')[0];
    const lines = kinds.split('\n').map((line) => line.trim().split(/\s{2,}/));
    for (const kind of MONEY_KINDS) expect(lines).toContainEqual([kind, MONEY_KIND_HELP[kind]]);
  });
});

/** A JSON config file with `content` (an object, or raw text when a string), and its path. */
function configFile(content: unknown): string {
  const path = join(tempDir('config-'), 'settings.json');
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
}

describe('--config FILE', () => {
  it('takes settings by flag name, each read by the same table as its flag (lists as arrays, caps as an object)', () => {
    const path = configFile({ toolsets: ['default', 'pins'], 'read-only': true, port: 8123, caps: { daily_budget: '500' }, 'exclude-tools': 'campaigns_create' });
    const config = loadConfig(['--config', path], {});
    expect(config.toolsets).toEqual(['default', 'pins']);
    expect(config.readOnly).toBe(true);
    expect(config.port).toBe(8123);
    expect(config.caps).toEqual({ daily_budget: { anyCurrency: '500' } });
    expect(config.excludeTools).toEqual(['campaigns_create']);
    expect(loadConfig([], { PINTEREST_MCP_CONFIG: path }).port).toBe(8123);
  });

  it('takes caps per currency as a list under their kind, each entry read as --caps reads it', () => {
    const path = configFile({ caps: { daily_budget: ['50 USD', '7500 JPY'], bid: '2 USD', goal: 10 } });
    expect(loadConfig(['--config', path], {}).caps).toEqual({
      daily_budget: { byCurrency: { USD: '50', JPY: '7500' } },
      bid: { byCurrency: { USD: '2' } },
      goal: { anyCurrency: '10' },
    });
    expect(refusal(['--config', configFile({ caps: { daily_budget: ['50 USD', '7500.5 JPY'] } })])).toMatch(/"caps" JPY has no decimal places/);
    expect(refusal(['--config', configFile({ caps: { daily_budget: [] } })])).toMatch(/"caps" must be a string, number, boolean or list/);
    expect(refusal(['--config', configFile({ caps: { daily_budget: [['50 USD']] } })])).toMatch(/"caps" must be a string, number, boolean or list/);
  });

  it('loses to flags and to variables', () => {
    const path = configFile({ port: 8123, mode: 'discover' });
    const config = loadConfig(['--config', path, '--port', '9000'], { PINTEREST_MCP_MODE: 'tools' });
    expect(config.port).toBe(9000);
    expect(config.mode).toBe('tools');
  });

  it('refuses a bad value naming the file and the key, even where a flag overrides it', () => {
    const path = configFile({ port: 70000 });
    expect(refusal(['--config', path, '--port', '9000'])).toBe(`${path}: "port" must be an integer from 0 to 65535; got "70000"`);
    expect(refusal(['--config', configFile({ 'read-only': 'maybe' })])).toMatch(/"read-only" must be one of 1\/0/);
  });

  it('refuses unknown keys with the closest flag, credentials, nested values and files that are not a JSON object', () => {
    expect(refusal(['--config', configFile({ toolset: 'pins' })])).toMatch(/"toolset" is not a setting a config file takes .*closest: toolsets/);
    expect(refusal(['--config', configFile({ PINTEREST_ACCESS_TOKEN: 'pina_0123456789' })])).toMatch(/credentials come from the environment only/);
    expect(refusal(['--config', configFile({ help: true })])).toMatch(/"help" is not a setting/);
    expect(refusal(['--config', configFile({ caps: { daily_budget: { amount: 5 } } })])).toMatch(/"caps" must be a string, number, boolean or list/);
    expect(refusal(['--config', configFile('[1, 2]')])).toMatch(/must hold one JSON object/);
    expect(refusal(['--config', configFile('{ port: 1 ')])).toMatch(/cannot be read as JSON/);
    expect(refusal(['--config', '/nonexistent/settings.json'])).toMatch(/cannot be read as JSON: ENOENT/);
  });

  it('refuses a key given twice, at the top or inside an object such as caps, naming the key, where it sits and its lines', () => {
    const top = configFile('{\n  "port": 8123,\n  "read-only": true,\n  "port": 9000\n}\n');
    expect(refusal(['--config', top])).toBe(`${top}: "port" is given twice (lines 2 and 4); JSON keeps only the last, so give it once`);
    const nested = configFile('{ "caps": { "daily_budget": "500", "daily_budget": "5000" } }');
    expect(refusal(['--config', nested])).toBe(`${nested}: "daily_budget" is given twice in "caps" (line 1); JSON keeps only the last, so give it once`);
    // The same key spelled with an escape is the same key to JSON.parse.
    const escaped = configFile('{"ad-accounts": "549755885175", "ad-\\u0061ccounts": ""}');
    expect(refusal(['--config', escaped])).toMatch(/"ad-accounts" is given twice \(line 1\)/);
    // The same key in two different objects is not a duplicate.
    expect(loadConfig(['--config', configFile('{"caps": {"bid": "1"}, "port": 8123}')], {}).caps).toEqual({ bid: { anyCurrency: '1' } });
  });

  it('refuses comments and trailing commas (the file is JSON), with the same message as any other syntax error', () => {
    for (const text of ['{ "port": 8123, }', '{ "port": 8123 // the port\n}', '/* settings */ { "port": 8123 }', '{ "ad-accounts": ["549755885175",] }']) {
      expect(refusal(['--config', configFile(text)]), text).toMatch(/^--config \S+settings\.json cannot be read as JSON: /);
    }
  });
});

describe('values that look set but are empty', () => {
  const APPROVER = 'alice=approver-token-0123456789';
  /**
   * Every list setting, with one entry it accepts (given with the variables of `needs`, where it needs others); a new
   * setting whose value is a list or an object must join.
   */
  const OAUTH_MODE = {
    PINTEREST_MCP_TRANSPORT: 'http',
    PINTEREST_MCP_AUTH: 'oauth',
    PINTEREST_MCP_PUBLIC_URL: 'https://mcp.example.com',
    PINTEREST_MCP_TOKEN_KEY: Buffer.alloc(32, 7).toString('base64'),
    PINTEREST_APP_ID: '1500000',
    PINTEREST_APP_SECRET: 'app-secret-0123',
  };
  const LISTS: { name: keyof typeof SETTINGS; entry: string; read: (c: Config) => unknown; needs?: Record<string, string> }[] = [
    { name: 'toolsets', entry: 'pins', read: (c) => c.toolsets },
    { name: 'tools', entry: 'campaigns_create', read: (c) => c.tools },
    { name: 'excludeTools', entry: 'campaigns_create', read: (c) => c.excludeTools },
    { name: 'adAccounts', entry: '549755885175', read: (c) => c.adAccounts },
    { name: 'caps', entry: 'bid=1', read: (c) => c.caps },
    { name: 'allowedOrigins', entry: 'https://bots.example.com', read: (c) => c.http.allowedOrigins },
    { name: 'allowedHosts', entry: 'mcp.internal', read: (c) => c.http.allowedHosts },
    { name: 'trustedProxies', entry: '10.0.0.0/8', read: (c) => c.http.trustedProxies },
    { name: 'approverToken', entry: APPROVER, read: (c) => c.approval.approvers },
    { name: 'confirmWrites', entry: 'data', read: (c) => c.confirmWrites },
    { name: 'approvalChannels', entry: 'page', read: (c) => c.approval.channels },
    { name: 'approvers', entry: '549755885175=549755800003', read: (c) => c.approval.byAccount, needs: OAUTH_MODE },
    // Its default is undefined (on with --auth oauth): in the table by hand.
    { name: 'clientIdDocuments', entry: 'app.example.com', read: (c) => c.http.clientIdDocuments, needs: OAUTH_MODE },
  ];
  /** Where a list's text can come from, as the refusal names it, and how to give it there. */
  function sourcesOf(name: keyof typeof SETTINGS): { source: string; give: (value: string) => [string[], Record<string, string>] }[] {
    const { flag, env } = SETTINGS[name] as { flag?: string; env?: string };
    const sources: { source: string; give: (value: string) => [string[], Record<string, string>] }[] = [];
    if (flag) sources.push({ source: `--${flag}`, give: (value) => [[`--${flag}`, value], {}] });
    if (env) sources.push({ source: env, give: (value) => [[], { [env]: value }] });
    if (flag) {
      sources.push({
        source: 'the config file',
        give: (value) => [['--config', configFile({ [flag]: value })], {}],
      });
    }
    return sources;
  }

  it('the table holds every setting whose value is a list or an object', () => {
    const listLike = (Object.keys(SETTINGS) as (keyof typeof SETTINGS)[]).filter((name) => {
      const { default: fallback } = SETTINGS[name] as { default: unknown };
      return typeof fallback === 'object' && fallback !== null;
    });
    expect(LISTS.map((l) => l.name)).toEqual(expect.arrayContaining(listLike));
    // The approvers' default is undefined: they are in the table by hand (their file is tested below).
    expect(LISTS.map((l) => l.name)).toContain('approverToken');
  });

  it('a list with an empty entry is refused from a flag, a variable or the config file, naming it and where it came from', () => {
    for (const { name, entry, needs } of LISTS) {
      for (const { source, give: given } of sourcesOf(name)) {
        const give = (value: string): [string[], Record<string, string>] => {
          const [argv, env] = given(value);
          return [argv, { ...needs, ...env }];
        };
        const named = source === 'the config file' ? /^\/.*settings\.json: "[\w-]+" / : new RegExp(`^${source} `);
        const shapes: [string, string][] = [
          [',', 'empty entries (1, 2 of 2)'],
          [' , ', 'empty entries (1, 2 of 2)'],
          [`${entry},,${entry}`, 'an empty entry (2 of 3)'],
          [`${entry}, ,${entry}`, 'an empty entry (2 of 3)'],
          [`${entry},`, 'an empty entry (2 of 2)'],
          [`,${entry}`, 'an empty entry (1 of 2)'],
        ];
        for (const [value, which] of shapes) {
          const message = refusal(...give(value));
          expect(message, `${source} ${JSON.stringify(value)}`).toMatch(named);
          expect(message, `${source} ${JSON.stringify(value)}`).toContain(
            ` has ${which}: a template variable that is unset? Set it, or remove the extra comma`,
          );
          if ((SETTINGS[name] as { secret?: true }).secret) expect(message).not.toContain(entry);
        }
        // The same entry alone is accepted: the refusals above are for the empty entries.
        expect(() => loadConfig(...give(entry)), `${source} ${entry}`).not.toThrow();
      }
    }
    expect(refusal(['--ad-accounts', '123,,456'])).toBe(
      '--ad-accounts has an empty entry (2 of 3): a template variable that is unset? Set it, or remove the extra comma',
    );
    // ${A},${B} with both unset.
    expect(refusal([], { PINTEREST_MCP_AD_ACCOUNTS: ',' })).toBe(
      'PINTEREST_MCP_AD_ACCOUNTS has empty entries (1, 2 of 2): a template variable that is unset? Set it, or remove the extra comma',
    );
  });

  // Issue 27, a deliberate change: these counted as not given, so `--ad-accounts "$ACCOUNTS"` with ACCOUNTS unset, or
  // `"caps": {}` in a config file, started with no account limit and no caps.
  it('every setting given empty or blank is refused from its flag, its variable and the config file, naming it and the fix', () => {
    const rows = Object.entries(SETTINGS) as [string, { flag?: string; env?: string; emptyIsUnset?: string; type: { bare?: true } }][];
    for (const [name, { flag, env, emptyIsUnset, type }] of rows) {
      if (emptyIsUnset !== undefined) continue;
      for (const value of ['', '   ']) {
        // A bare flag (--read-only) takes no value on the command line; its variable and config key do.
        if (flag && !type.bare) expect(refusal([`--${flag}`, value]), `--${flag} ${JSON.stringify(value)}`).toBe(`--${flag} is empty: a template variable that is unset? Set it, or leave out the flag`);
        if (env) expect(refusal([], { [env]: value }), `${env} ${JSON.stringify(value)}`).toBe(`${env} is empty: a template variable that is unset? Set it, or unset the variable`);
        if (flag && !['config', 'help', 'version'].includes(flag)) {
          const path = configFile({ [flag]: value });
          expect(refusal(['--config', path]), `${name} in a config file`).toBe(`${path}: "${flag}" is empty: a template variable that is unset? Set it, or remove the key`);
        }
      }
    }
    // In a config file an empty array or object is given and empty too.
    for (const [key, value] of [['ad-accounts', []], ['exclude-tools', []], ['caps', {}], ['toolsets', '']] as const) {
      const path = configFile({ [key]: value });
      expect(refusal(['--config', path]), `${key}: ${JSON.stringify(value)}`).toBe(`${path}: "${key}" is empty: a template variable that is unset? Set it, or remove the key`);
    }
    // The cases: a command line and a compose file templated from a variable that is unset.
    expect(refusal(['--ad-accounts', ''])).toBe('--ad-accounts is empty: a template variable that is unset? Set it, or leave out the flag');
    expect(refusal([], { PINTEREST_MCP_AD_ACCOUNTS: '' })).toBe('PINTEREST_MCP_AD_ACCOUNTS is empty: a template variable that is unset? Set it, or unset the variable');
    expect(refusal(['--caps', ' '])).toMatch(/^--caps is empty: /);
  });

  it('only a setting whose row says why (a shared variable, an API credential) takes an empty value as not given', () => {
    const rows = Object.values(SETTINGS) as { env?: string; emptyIsUnset?: string; secret?: true }[];
    const exempt = rows.filter((row) => row.emptyIsUnset !== undefined);
    expect(exempt.map((row) => row.env).sort()).toEqual(
      ['BROWSER', 'PINTEREST_ACCESS_TOKEN', 'PINTEREST_APP_ID', 'PINTEREST_APP_SECRET', 'PINTEREST_REFRESH_TOKEN', 'WHOP_API_KEY'].sort(),
    );
    const defaults = loadConfig([], {});
    for (const { env } of exempt) {
      for (const value of ['', '  ']) expect(loadConfig([], { [env as string]: value }), env).toEqual(defaults);
    }
    // The bearer token of /mcp is not among them: empty, it would leave a loopback server without authentication.
    expect(refusal([], { PINTEREST_MCP_HTTP_TOKEN: '' })).toMatch(/^PINTEREST_MCP_HTTP_TOKEN is empty: /);
  });

  it('a config file array with an empty or blank string entry is refused, naming the file, the key and the entry', () => {
    for (const [list, which] of [
      [[''], 'an empty entry (1 of 1)'],
      [[' '], 'an empty entry (1 of 1)'],
      [['549755885175', ''], 'an empty entry (2 of 2)'],
      [['', '549755885175', ' '], 'empty entries (1, 3 of 3)'],
    ] as const) {
      const path = configFile({ 'ad-accounts': list });
      expect(refusal(['--config', path])).toBe(
        `${path}: "ad-accounts" has ${which}: a template variable that is unset? Set it, or remove the empty entry`,
      );
    }
    expect(refusal(['--config', configFile({ toolsets: ['default', ''] })])).toMatch(/"toolsets" has an empty entry \(2 of 2\)/);
    expect(loadConfig(['--config', configFile({ 'ad-accounts': ['549755885175', 549755885176] })], {}).adAccounts).toEqual(['549755885175', '549755885176']);
  });

  it('caps with an empty entry, kind or amount are refused, from the flag and from a config file object', () => {
    expect(refusal(['--caps', 'daily_budget=500,,bid=1'])).toBe(
      '--caps has an empty entry (2 of 3): a template variable that is unset? Set it, or remove the extra comma',
    );
    expect(refusal(['--caps', '=500'])).toContain('entries look like daily_budget=500');
    expect(refusal(['--caps', 'daily_budget='])).toContain('amounts are non-negative decimals');
    expect(refusal(['--config', configFile({ caps: { daily_budget: '' } })])).toMatch(/"caps" amounts are non-negative decimals/);
    expect(refusal(['--config', configFile({ caps: { daily_budget: ' ', bid: '1' } })])).toMatch(/"caps" amounts are non-negative decimals/);
    expect(refusal(['--config', configFile({ caps: { '': '5' } })])).toMatch(/"caps" entries look like daily_budget=500/);
  });

  /** A file holding `content`, for the variables that name a mounted secret. */
  function secretFileWith(content: string): string {
    const path = join(tempDir('secret-'), 'approvers');
    writeFileSync(path, content);
    return path;
  }

  it('approvers: an entry with an empty id, a blank line or an empty file is refused, without printing a token', () => {
    const other = 'bob=approver-token-9876543210';
    const fromFile = (content: string) => loadConfig([], { PINTEREST_MCP_APPROVER_TOKEN_FILE: secretFileWith(content) }).approval.approvers.map((a) => a.id);
    expect(fromFile(`${APPROVER}\n${other}\n`)).toEqual(['alice', 'bob']);
    expect(fromFile(`${APPROVER}\r\n${other}\r\n`)).toEqual(['alice', 'bob']);
    expect(fromFile(`${APPROVER}\n${other}`)).toEqual(['alice', 'bob']);
    for (const [content, which] of [
      [`${APPROVER}\n\n${other}\n`, 'an empty entry (2 of 3)'],
      [`${APPROVER}\n${other}\n\n`, 'an empty entry (3 of 3)'],
      [`${APPROVER}\n  \n${other}`, 'an empty entry (2 of 3)'],
      [`${APPROVER},\n${other}`, 'an empty entry (2 of 3)'],
    ]) {
      const path = secretFileWith(content);
      const message = refusal([], { PINTEREST_MCP_APPROVER_TOKEN_FILE: path });
      expect(message, JSON.stringify(content)).toBe(
        `PINTEREST_MCP_APPROVER_TOKEN_FILE has ${which}: a template variable that is unset? Set it, or remove the extra comma or blank line`,
      );
    }
    for (const content of ['', '\n', ' \n']) {
      const path = secretFileWith(content);
      expect(refusal([], { PINTEREST_MCP_APPROVER_TOKEN_FILE: path })).toBe(`PINTEREST_MCP_APPROVER_TOKEN_FILE is empty: ${path}`);
    }
    // ${ID}=TOKEN with ID unset leaves "=TOKEN", which must not become a bare token of the approver "approver".
    const message = refusal([], { PINTEREST_MCP_APPROVER_TOKEN: '=approver-token-0123456789' });
    expect(message).toBe(
      'PINTEREST_MCP_APPROVER_TOKEN has an entry that starts with = (an empty approver id): a template variable that is unset? Entries look like alice=TOKEN',
    );
    expect(refusal([], { PINTEREST_MCP_APPROVER_TOKEN: 'alice=' })).toMatch(/has a token that is too short/);
    expect(loadConfig([], { PINTEREST_MCP_APPROVER_TOKEN: 'approver-token-0123456789' }).approval.approvers).toEqual([
      { id: 'approver', token: 'approver-token-0123456789' },
    ]);
  });

  it('a URL with an empty host, port, user or password, path segment or query value is refused without printing it', () => {
    const cases: [string, string, string][] = [
      ['PINTEREST_API_BASE_URL', 'https:///v5', 'an empty host'],
      ['PINTEREST_API_BASE_URL', 'https://api.example.com:/v5', 'an empty port'],
      ['PINTEREST_API_BASE_URL', 'https://proxy-user:@api.example.com/v5', 'an empty user name or password'],
      ['PINTEREST_API_BASE_URL', 'https://@api.example.com/v5', 'an empty user name or password'],
      ['PINTEREST_API_BASE_URL', 'https://api.example.com//v5', 'an empty path segment'],
      ['WHOP_API_BASE_URL', 'http:///api/v1', 'an empty host'],
      ['PINTEREST_MCP_APPROVAL_WEBHOOK', 'https://hooks.example.com/notify?key=', 'an empty query parameter'],
      ['PINTEREST_MCP_APPROVAL_WEBHOOK', 'https://hooks.example.com/notify?a=1&&b=2', 'an empty query parameter'],
    ];
    for (const [env, url, part] of cases) {
      expect(refusal([], { [env]: url }), url).toBe(`${env} has ${part}: a template variable that is unset? Set it, or write the whole URL`);
    }
    // URL parsing reads "https:v5" and "https:/v5" as the host v5: the written form must say https://.
    for (const url of ['https:v5', 'https:/v5']) expect(refusal([], { PINTEREST_API_BASE_URL: url })).toBe(`PINTEREST_API_BASE_URL must be an http(s) URL; got "${url}"`);
    expect(refusal(['--approval-webhook', 'https://:443/hook'])).toMatch(/^--approval-webhook must be an http\(s\) URL/);
    for (const url of ['https://api.example.com/v5/', 'http://127.0.0.1:9/v5', 'https://user:secret@proxy.example.com/v5', 'https://[::1]:8443/v5?region=eu']) {
      expect(() => fromEnv({ PINTEREST_API_BASE_URL: url }), url).not.toThrow();
    }
  });

  it('a store with an empty path, host, port or password is refused, without printing it', () => {
    const cases: [string, string][] = [
      ['sqlite:', 'an empty path after sqlite: a template variable that is unset? Set it, or give a file, e.g. sqlite:./pinterest-mcp.sqlite'],
      ['sqlite://', 'an empty path after sqlite: a template variable that is unset? Set it, or give a file, e.g. sqlite:./pinterest-mcp.sqlite'],
      ['redis://', 'an empty host: a template variable that is unset? Set it, or write the whole redis:// URL'],
      ['rediss:///0', 'an empty host: a template variable that is unset? Set it, or write the whole redis:// URL'],
      ['redis://redis.internal:/0', 'an empty port: a template variable that is unset? Set it, or write the whole redis:// URL'],
      ['redis://default:@redis.internal:6379', 'an empty user name or password: a template variable that is unset? Set it, or write the whole redis:// URL'],
    ];
    for (const [store, message] of cases) expect(refusal(['--store', store]), store).toBe(`--store has ${message}`);
    for (const store of ['memory', 'sqlite:./state.sqlite', 'redis://redis.internal:6379', 'redis://:store-password@redis.internal:6379/0', 'rediss://user:pw@redis.internal']) {
      expect(loadConfig(['--store', store], {}).store).toBe(store);
    }
  });

  it('an audit log path that names a directory is refused', () => {
    expect(refusal([], { PINTEREST_MCP_AUDIT_LOG: '/var/log/pinterest-mcp/' })).toBe(
      'PINTEREST_MCP_AUDIT_LOG names a directory, not a file: a template variable that is unset? Set it, or name the file; got "/var/log/pinterest-mcp/"',
    );
    expect(loadConfig(['--audit-log', '/var/log/pinterest-mcp/audit.jsonl'], {}).auditLog).toBe('/var/log/pinterest-mcp/audit.jsonl');
  });
});

describe('selection flags', () => {
  const tools = buildTools(pinterestApi);
  const select = (argv: string[], env: Record<string, string> = {}) => selectTools(tools, loadConfig(argv, env));
  const toolsetsOf = (argv: string[]) => [...new Set(select(argv).tools.map((t) => t.toolset))].sort();

  it('--toolsets default names the default toolsets, alone or with others', () => {
    expect(toolsetsOf(['--toolsets', 'default'])).toEqual([...DEFAULT_TOOLSETS].sort());
    expect(toolsetsOf(['--toolsets', 'default,pins'])).toEqual([...DEFAULT_TOOLSETS, 'pins'].sort());
    expect(toolsetsOf([])).toEqual([...DEFAULT_TOOLSETS].sort());
  });

  it('refuses an unknown toolset or tool, naming the closest', () => {
    expect(() => select(['--toolsets', 'default,pin'])).toThrow(/unknown toolset "pin" \(closest: pins/);
    expect(() => select(['--exclude-tools', 'campaign_create'])).toThrow(/unknown tool "campaign_create" in --exclude-tools; closest: campaigns_create/);
  });

  it('--exclude-tools (and its variable) leaves tools out whatever selects them, and refuses calls to them', () => {
    const selection = select(['--toolsets', 'all', '--tools', 'campaigns_create', '--exclude-tools', 'campaigns_create,pins_delete']);
    const names = selection.tools.map((t) => t.name);
    expect(names).not.toContain('campaigns_create');
    expect(names).not.toContain('pins_delete');
    expect(names).toContain('campaigns_update');
    expect(selection.refusal(tools.find((t) => t.name === 'campaigns_create')!)).toMatch(/left out on this server \(--exclude-tools\): nothing was sent/);
    expect(select([], { PINTEREST_MCP_EXCLUDE_TOOLS: 'campaigns_list' }).tools.map((t) => t.name)).not.toContain('campaigns_list');
  });
});

describe('--help and --version', () => {
  it('help lists every toolset once with the default ones marked', () => {
    const help = helpText();
    for (const name of Object.keys(TOOLSETS)) {
      const line = help.split('\n').find((l) => l.trimStart().startsWith(`${name} `));
      expect(line, name).toBeDefined();
      expect(line!.includes(`${name} *`)).toBe((DEFAULT_TOOLSETS as readonly string[]).includes(name));
    }
    // An API that is off until its key is set: help says its toolset needs the key and, once set, is listed only when named.
    expect(help).toContain('Toolsets for --toolsets (* marks the default ones; whop needs WHOP_API_KEY, then is listed only when named: --toolsets default,whop):');
    expect(help).not.toMatch(/added whenever/);
  });

  it('the version is package.json\'s, printed by --version on stdout', async () => {
    const pkg = JSON.parse(readFileSync(join(import.meta.dirname, '../../package.json'), 'utf8')) as { version: string };
    expect(VERSION).toBe(pkg.version);
    const child = spawn(process.execPath, [SERVER_ENTRY, '--version'], { env: { PATH: process.env.PATH ?? '' } });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code).toBe(0);
    expect(stdout).toBe(`${pkg.version}\n`);
  }, 15_000);
});

/** Runs the built server until it exits (killed after 8 s if it keeps running: then the code is null). */
async function runServer(args: string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [SERVER_ENTRY, ...args], { env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const killer = setTimeout(() => child.kill('SIGKILL'), 8_000);
  // 'close', not 'exit': both pipes are read to their end.
  const code = await new Promise<number | null>((resolve) => child.on('close', (exitCode) => resolve(exitCode)));
  clearTimeout(killer);
  return { code, stdout, stderr };
}

const SEE_HELP = 'Run with --help for every flag, variable and toolset.';

/** A refusal at start as a person sees it: at most three lines saying what is wrong, then the pointer to --help. */
function expectShortRefusal({ code, stdout, stderr }: { code: number | null; stdout: string; stderr: string }): string[] {
  expect(code).toBe(2);
  expect(stdout).toBe('');
  const lines = stderr.trimEnd().split('\n');
  expect(lines.at(-1)).toBe(SEE_HELP);
  expect(lines.length).toBeGreaterThanOrEqual(2);
  expect(lines.length).toBeLessThanOrEqual(4);
  expect(stderr).not.toContain('Usage:');
  return lines.slice(0, -1);
}

describe('the built server', () => {
  it('exits non-zero before connecting when PINTEREST_MCP_READ_ONLY=Y, naming the variable', async () => {
    const { code, stderr } = await runServer([], { PINTEREST_MCP_READ_ONLY: 'Y' });
    expect(code).not.toBe(0);
    expect(code).not.toBeNull(); // null: it kept running and was killed
    expect(stderr).toContain('PINTEREST_MCP_READ_ONLY must be one of');
  }, 15_000);

  it('exits with 2 on --ad-accounts , (a template with its variables unset), its first stderr line naming the flag', async () => {
    const { code, stderr } = await runServer(['--ad-accounts', ','], {});
    expect(code).toBe(2);
    expect(stderr.split('\n')[0]).toBe(
      '--ad-accounts has empty entries (1, 2 of 2): a template variable that is unset? Set it, or remove the extra comma',
    );
  }, 15_000);

  it('refuses an unknown flag in one line naming the closest flag, then points at --help; nothing on stdout', async () => {
    expect(expectShortRefusal(await runServer(['--toolset', 'pins'], {}))).toEqual(['Unknown flag --toolset: did you mean --toolsets?']);
    expect(expectShortRefusal(await runServer(['--readonly'], {}))).toEqual(['Unknown flag --readonly: did you mean --read-only?']);
    expect(expectShortRefusal(await runServer(['--demo', '--zzzzzzzz'], {}))).toEqual(['Unknown flag --zzzzzzzz']);
  }, 30_000);

  it('refuses a bad value in its own line, then points at --help instead of printing it', async () => {
    expect(expectShortRefusal(await runServer([], { PINTEREST_MCP_READ_ONLY: 'Y' }))[0]).toMatch(/^PINTEREST_MCP_READ_ONLY must be one of/);
    expect(expectShortRefusal(await runServer(['--port'], {}))[0]).toMatch(/--port/);
  }, 30_000);

  it('reads a --config file with its duplicate-key check (jsonc-parser, required from its package when a file is read)', async () => {
    const path = configFile('{"read-only": true, "read-only": false}');
    expect(expectShortRefusal(await runServer(['--config', path], {}))).toEqual([`${path}: "read-only" is given twice (line 1); JSON keeps only the last, so give it once`]);
  }, 15_000);

  it('exits with 2 on PINTEREST_MCP_AD_ACCOUNTS set empty (a compose file templated from an unset variable), naming it', async () => {
    const { code, stderr } = await runServer([], { PINTEREST_MCP_AD_ACCOUNTS: '' });
    expect(code).toBe(2);
    expect(stderr.split('\n')[0]).toBe('PINTEREST_MCP_AD_ACCOUNTS is empty: a template variable that is unset? Set it, or unset the variable');
  }, 15_000);
});

describe('--auth oauth', () => {
  const KEY = Buffer.alloc(32, 7).toString('base64');
  const OAUTH = {
    PINTEREST_MCP_TRANSPORT: 'http',
    PINTEREST_MCP_AUTH: 'oauth',
    PINTEREST_MCP_PUBLIC_URL: 'https://mcp.example.com',
    PINTEREST_MCP_TOKEN_KEY: KEY,
    PINTEREST_APP_ID: '1500000',
    PINTEREST_APP_SECRET: 'app-secret-0123',
  };
  const without = (name: keyof typeof OAUTH) => Object.fromEntries(Object.entries(OAUTH).filter(([key]) => key !== name));

  it('defaults to the static bearer mode', () => {
    expect(loadConfig([], {}).http.auth).toBe('bearer');
    expect(loadConfig([], {}).http.publicUrl).toBeUndefined();
  });

  it('reads the public URL, the key ring and the app, and keeps the key ring among the secrets', () => {
    const config = loadConfig([], OAUTH);
    expect(config.http).toMatchObject({ auth: 'oauth', publicUrl: 'https://mcp.example.com', tokenKey: KEY, token: undefined });
    expect(config.secrets).toContain(KEY);
    expect(loadConfig(['--auth', 'oauth', '--public-url', 'https://mcp.example.com:8443/'], without('PINTEREST_MCP_AUTH')).http.publicUrl).toBe('https://mcp.example.com:8443');
  });

  it('reads the key ring from a file, one entry per line', () => {
    const file = join(tempDir('key-'), 'ring');
    writeFileSync(file, `k2:${KEY}\n\nk1:${Buffer.alloc(32, 9).toString('base64')}\n`);
    expect(loadConfig([], { ...without('PINTEREST_MCP_TOKEN_KEY'), PINTEREST_MCP_TOKEN_KEY_FILE: file }).http.tokenKey).toBe(`k2:${KEY},k1:${Buffer.alloc(32, 9).toString('base64')}`);
  });

  it('refuses a key shorter than 32 bytes, naming the variable and not the key', () => {
    const short = Buffer.alloc(16, 1).toString('base64');
    const message = refusal([], { ...OAUTH, PINTEREST_MCP_TOKEN_KEY: short });
    expect(message).toMatch(/^PINTEREST_MCP_TOKEN_KEY the key \(kid k1\) decodes to 16 bytes; a key needs at least 32/);
    expect(message).not.toContain(short);
  });

  it('takes an http public URL only on loopback, and only an origin', () => {
    expect(loadConfig([], { ...OAUTH, PINTEREST_MCP_PUBLIC_URL: 'http://127.0.0.1:3000' }).http.publicUrl).toBe('http://127.0.0.1:3000');
    expect(loadConfig([], { ...OAUTH, PINTEREST_MCP_PUBLIC_URL: 'http://localhost:3000/' }).http.publicUrl).toBe('http://localhost:3000');
    expect(refusal([], { ...OAUTH, PINTEREST_MCP_PUBLIC_URL: 'http://mcp.example.com' })).toMatch(/^PINTEREST_MCP_PUBLIC_URL must be https \(http only on a loopback host/);
    for (const bad of ['https://mcp.example.com/mcp', 'https://mcp.example.com/?a=1', 'https://u:p@mcp.example.com', 'https://mcp.example.com/#x']) {
      expect(refusal([], { ...OAUTH, PINTEREST_MCP_PUBLIC_URL: bad }), bad).toMatch(/must be an origin alone/);
    }
    expect(refusal([], { ...OAUTH, PINTEREST_MCP_PUBLIC_URL: 'ftp://mcp.example.com' })).toMatch(/must be an https URL/);
  });

  it('refuses oauth over stdio, beside the static bearer token, and without its public URL, key or app', () => {
    expect(refusal([], { ...OAUTH, PINTEREST_MCP_TRANSPORT: 'stdio' })).toMatch(/^--auth oauth needs --transport http/);
    expect(refusal([], { ...OAUTH, PINTEREST_MCP_HTTP_TOKEN: 'http-bearer-3c9d7e21' })).toMatch(/^--auth oauth and PINTEREST_MCP_HTTP_TOKEN exclude each other/);
    expect(refusal([], without('PINTEREST_MCP_PUBLIC_URL'))).toMatch(/^--auth oauth needs --public-url/);
    expect(refusal([], without('PINTEREST_MCP_TOKEN_KEY'))).toMatch(/^--auth oauth needs PINTEREST_MCP_TOKEN_KEY/);
    expect(refusal([], without('PINTEREST_APP_SECRET'))).toMatch(/^--auth oauth needs PINTEREST_APP_ID and PINTEREST_APP_SECRET/);
    expect(refusal([], { ...OAUTH, PINTEREST_MCP_AUTH: 'basic' })).toBe('PINTEREST_MCP_AUTH must be one of bearer, oauth; got "basic"');
  });

  it('the demo brings its own app and key: --demo needs only the public URL', () => {
    const config = loadConfig(['--demo'], { PINTEREST_MCP_TRANSPORT: 'http', PINTEREST_MCP_AUTH: 'oauth', PINTEREST_MCP_PUBLIC_URL: 'http://127.0.0.1:3000' });
    expect(config.http).toMatchObject({ auth: 'oauth', publicUrl: 'http://127.0.0.1:3000', tokenKey: undefined });
    expect(refusal(['--demo'], { PINTEREST_MCP_TRANSPORT: 'http', PINTEREST_MCP_AUTH: 'oauth' })).toMatch(/^--auth oauth needs --public-url/);
  });

  it('--approvers names people per ad account (an account named again gets another), only with --auth oauth', () => {
    expect(loadConfig([], OAUTH).approval.byAccount).toEqual({});
    expect(loadConfig(['--approvers', '549755885175=549755800003, 549755885175 = 549755800004,549755885178=549755800002'], OAUTH).approval.byAccount).toEqual({
      '549755885175': ['549755800003', '549755800004'],
      '549755885178': ['549755800002'],
    });
    expect(loadConfig([], { ...OAUTH, PINTEREST_MCP_APPROVERS: '1=alice.x_1' }).approval.byAccount).toEqual({ '1': ['alice.x_1'] });
    expect(refusal(['--approvers', '1=549755800003'], {})).toMatch(/^--approvers needs --auth oauth: it names Pinterest user ids/);
    expect(refusal(['--approvers', '1=549755800003'], { ...OAUTH, PINTEREST_MCP_AUTH: 'bearer', PINTEREST_MCP_HTTP_TOKEN: 'http-bearer-3c9d7e21' })).toMatch(/^--approvers needs --auth oauth/);
  });

  it('--approvers refuses entries that are not AD_ACCOUNT_ID=USER_ID, a pair named twice, an empty entry, and accounts --ad-accounts leaves out', () => {
    for (const bad of ['549755885175', 'act_1=549755800003', '1=', '=549755800003', '1=a:b', '1=a b']) {
      expect(refusal(['--approvers', bad], OAUTH), bad).toMatch(/^--approvers entries must each be AD_ACCOUNT_ID=USER_ID/);
    }
    expect(refusal(['--approvers', '1=549755800003,1=549755800003'], OAUTH)).toBe('--approvers names 549755800003 for ad account 1 twice');
    expect(refusal(['--approvers', '1=549755800003,'], OAUTH)).toMatch(/^--approvers /);
    expect(refusal(['--approvers', '1=549755800003,2=549755800003', '--ad-accounts', '1'], OAUTH)).toBe(
      '--approvers names ad account 2, which --ad-accounts leaves out: no approval of it can exist here',
    );
    expect(loadConfig(['--approvers', '1=549755800003', '--ad-accounts', '1,2'], OAUTH).approval.byAccount).toEqual({ '1': ['549755800003'] });
  });

  it('--client-id-documents: on by default, off, or the hosts whose documents are accepted; only with --auth oauth', () => {
    expect(loadConfig([], OAUTH).http.clientIdDocuments).toBe('on');
    expect(loadConfig(['--client-id-documents', 'off'], OAUTH).http.clientIdDocuments).toBe('off');
    expect(loadConfig([], { ...OAUTH, PINTEREST_MCP_CLIENT_ID_DOCUMENTS: 'ON' }).http.clientIdDocuments).toBe('on');
    expect(loadConfig(['--client-id-documents', 'App.Example.com, claude.ai,[::1],127.0.0.1'], OAUTH).http.clientIdDocuments).toEqual({
      hosts: ['app.example.com', 'claude.ai', '[::1]', '127.0.0.1'],
    });
    for (const bad of ['https://app.example.com', 'app.example.com:443', 'app.example.com/client.json', '*.example.com', 'user@app.example.com', 'app example.com']) {
      expect(refusal(['--client-id-documents', bad], OAUTH), bad).toMatch(/^--client-id-documents entries must each be a host name, such as app\.example\.com/);
    }
    expect(refusal(['--client-id-documents', 'app.example.com,off'], OAUTH)).toBe('--client-id-documents takes off alone, not in a list of hosts; got "app.example.com,off"');
    expect(refusal(['--client-id-documents', 'a.example,A.example'], OAUTH)).toBe('--client-id-documents names a.example twice');
    // Given but empty (a template's variable unset) is refused, not read as the default.
    expect(refusal([], { ...OAUTH, PINTEREST_MCP_CLIENT_ID_DOCUMENTS: '' })).toMatch(/^PINTEREST_MCP_CLIENT_ID_DOCUMENTS is empty: a template variable that is unset\?/);
    expect(refusal(['--client-id-documents', ' '], OAUTH)).toMatch(/^--client-id-documents is empty/);
    // It says which clients the OAuth mode's authorization server accepts: given without that mode, it is refused.
    expect(refusal(['--client-id-documents', 'off'], {})).toMatch(/^--client-id-documents needs --auth oauth/);
    expect(refusal([], { PINTEREST_MCP_CLIENT_ID_DOCUMENTS: 'app.example.com' })).toMatch(/^--client-id-documents needs --auth oauth/);
  });

  it('reads Pinterest\'s sign-in page, by default the one the description names', () => {
    expect(loadConfig([], OAUTH).apis.pinterest.oauthUrl).toBe('https://www.pinterest.com/oauth/');
    expect(loadConfig([], { ...OAUTH, PINTEREST_OAUTH_URL: 'http://127.0.0.1:9/oauth/' }).apis.pinterest.oauthUrl).toBe('http://127.0.0.1:9/oauth/');
  });
});
