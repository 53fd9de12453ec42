// Configuration never fails open: each setting of SETTINGS is read strictly, and a value it does not accept stops start-up.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildTools } from '../src/tools/registry.js';
import { selectTools } from '../src/tools/selection.js';
import { DEFAULT_TOOLSETS, TOOLSETS } from '../src/tools/toolsets.js';
import { pinterestApi } from '../src/catalog/apis.js';
import { VERSION } from '../src/version.js';
import { type Config, ConfigError, SETTINGS, helpText, loadConfig } from '../src/config.js';
import { MONEY_KIND_HELP, MONEY_KINDS } from '../src/guards/money-kinds.js';
import { SERVER_ENTRY } from './helpers/harness.js';

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
  { env: 'PINTEREST_SANDBOX', read: (c) => c.pinterest.sandbox },
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

  it('takes an empty value as not given', () => {
    expect(fromEnv({ PINTEREST_MCP_READ_ONLY: '', PINTEREST_MCP_PORT: '' })).toMatchObject({ readOnly: false, port: 3000 });
    expect(loadConfig(['--store', ''], {}).store).toBe('memory');
  });

  it('refuses unknown enum values, listing the valid ones', () => {
    expect(refusal(['--transport', 'pigeon'])).toBe('--transport must be one of stdio, http; got "pigeon"');
    expect(refusal([], { PINTEREST_MCP_MODE: 'all' })).toBe('PINTEREST_MCP_MODE must be one of tools, discover; got "all"');
    expect(refusal(['--log-level', 'loud'])).toContain('fatal, error, warn, info, debug, trace, silent');
  });

  it('refuses unknown flags as a ConfigError', () => {
    expect(refusal(['--read-onyl'])).toContain('--read-onyl');
  });

  it('refuses a base URL that is not http(s)', () => {
    expect(refusal([], { PINTEREST_API_BASE_URL: 'api.pinterest.com/v5' })).toContain('PINTEREST_API_BASE_URL');
    expect(fromEnv({ PINTEREST_API_BASE_URL: 'http://127.0.0.1:9/v5//' }).pinterest.baseUrl).toBe('http://127.0.0.1:9/v5');
    expect(fromEnv({ PINTEREST_SANDBOX: 'yes' }).pinterest.baseUrl).toBe('https://api-sandbox.pinterest.com/v5');
  });
});

describe('--confirm-writes', () => {
  it('defaults to spend,destructive', () => {
    expect(loadConfig([], {}).confirmWrites).toBe('spend,destructive');
  });

  it('takes spend, spend,destructive (in either order, spaces allowed) and all', () => {
    const read = (value: string) => loadConfig(['--confirm-writes', value], {}).confirmWrites;
    expect(read('spend')).toBe('spend');
    expect(read('all')).toBe('all');
    expect(read('spend,destructive')).toBe('spend,destructive');
    expect(read('destructive,spend')).toBe('spend,destructive');
    expect(read(' spend , destructive ')).toBe('spend,destructive');
    expect(fromEnv({ PINTEREST_MCP_CONFIRM_WRITES: 'all' }).confirmWrites).toBe('all');
  });

  it('refuses anything else, listing the valid values', () => {
    for (const value of ['destructive', 'none', 'spend,all', 'spend,spend', 'spend;destructive']) {
      expect(refusal(['--confirm-writes', value])).toBe(`--confirm-writes must be spend, spend,destructive or all; got "${value}"`);
    }
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
  const path = join(mkdtempSync(join(tmpdir(), 'config-')), 'settings.json');
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
  });

  it('the version is package.json\'s, printed by --version on stdout', async () => {
    const pkg = JSON.parse(readFileSync(join(import.meta.dirname, '../package.json'), 'utf8')) as { version: string };
    expect(VERSION).toBe(pkg.version);
    const child = spawn(process.execPath, [SERVER_ENTRY, '--version'], { env: { PATH: process.env.PATH ?? '' } });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code).toBe(0);
    expect(stdout).toBe(`${pkg.version}\n`);
  }, 15_000);
});

describe('the built server', () => {
  it('exits non-zero before connecting when PINTEREST_MCP_READ_ONLY=Y, naming the variable', async () => {
    const child = spawn(process.execPath, [SERVER_ENTRY], {
      env: { PATH: process.env.PATH ?? '', PINTEREST_MCP_READ_ONLY: 'Y' },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const killer = setTimeout(() => child.kill('SIGKILL'), 8_000);
    const code = await new Promise<number | null>((resolve) => child.on('exit', (exitCode) => resolve(exitCode)));
    clearTimeout(killer);
    expect(code).not.toBe(0);
    expect(code).not.toBeNull(); // null: it kept running and was killed
    expect(stderr).toContain('PINTEREST_MCP_READ_ONLY must be one of');
  }, 15_000);
});
