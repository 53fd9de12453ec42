// loadConfig: each setting read from its flag, variable or --config file, strictly, then the checks across settings.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { parseArgs } from 'node:util';
import type { JSONPath } from 'jsonc-parser';
import { secretProblem } from '../core/redact.js';
import { Refused, type Setting, type SettingValues, UNSET_HINT, emptyEntriesProblem } from '../core/settings.js';
import { closest } from '../core/suggest.js';
import { CONFIGURED_APIS, SIGN_IN_API, SIGN_IN_LABEL } from './apis.js';
import {
  type ApiConfigs,
  type ApprovalChannel,
  type ApprovalMode,
  type Config,
  type PlacedConfig,
  SERVER_SETTINGS,
  SETTINGS,
  TRANSPORTS,
  type Transport,
} from './settings.js';

export class ConfigError extends Error {}

type FlagValues = Record<string, string | boolean | undefined>;

/** Where a setting's text was given, as messages name it, and how to take it back (`leave out the flag`). */
interface Source {
  name: string;
  remove: string;
}

/**
 * Parses one value (`undefined`: not given), naming where it came from when it is refused. A value that is given but
 * empty or blank is refused (a template with its variable unset leaves it so, and taking it as not given would start
 * with the default: no account limit, no caps), except where the setting's row says why it may count as not given.
 */
function parseGiven<T>(definition: Setting<T>, source: Source, given: string | undefined): { value: T } | undefined {
  if (given === undefined) return undefined;
  const trimmed = given.trim();
  if (!trimmed) {
    if (definition.emptyIsUnset !== undefined) return undefined;
    throw new ConfigError(`${source.name} is empty: ${UNSET_HINT} Set it, or ${source.remove}`);
  }
  try {
    const value = definition.type.parse(trimmed);
    const problem = definition.secret && typeof value === 'string' ? secretProblem(value) : undefined;
    if (problem) throw new Refused(problem);
    return { value };
  } catch (error) {
    if (error instanceof Refused) throw new ConfigError(`${source.name} ${error.message}`);
    throw error;
  }
}

/** Where a setting's text came from, in the order that decides: flag, variable, --config file. */
interface Sources {
  flags: FlagValues;
  env: NodeJS.ProcessEnv;
  /** The config file's settings as flag text, by flag name, and the file's path for messages. */
  file?: { path: string; values: Record<string, string> };
}

/**
 * A setting's value: the flag's if given, else the variable's, else the config file's, else the default. Every one
 * given is checked, so that a bad value is reported even where another source overrides it.
 */
function readSetting<T>(definition: Setting<T>, { flags, env, file }: Sources): T {
  const { flag, env: variable } = definition;
  const fromFile = flag && file ? parseGiven(definition, { name: `${file.path}: "${flag}"`, remove: 'remove the key' }, file.values[flag]) : undefined;
  const fromEnv = variable ? parseGiven(definition, { name: variable, remove: 'unset the variable' }, env[variable]) : undefined;
  const flagValue = flag ? flags[flag] : undefined;
  const fromCommandLine = typeof flagValue === 'string' ? flagValue : flagValue ? 'true' : undefined; // a bare flag is on
  const fromFlag = flag ? parseGiven(definition, { name: `--${flag}`, remove: 'leave out the flag' }, fromCommandLine) : undefined;
  return (fromFlag ?? fromEnv ?? fromFile ?? { value: definition.default }).value;
}

/** Flags that act on the command line itself and cannot come from a config file. */
const COMMAND_LINE_ONLY: readonly string[] = ['config', 'help', 'version'];

/** A config file value as the text its flag would carry: arrays join with commas, objects as key=value entries (caps). */
function flagText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'boolean' || (typeof value === 'number' && Number.isFinite(value))) return String(value);
  if (Array.isArray(value) && value.every((v) => typeof v === 'string' || typeof v === 'number')) return value.join(',');
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    const pairs = Object.entries(value);
    // A list under a key gives that key several entries (caps in several currencies: {"bid": ["2 USD", "300 JPY"]}).
    const scalar = (v: unknown) => typeof v === 'string' || typeof v === 'number';
    if (pairs.every(([, v]) => scalar(v) || (Array.isArray(v) && v.length > 0 && v.every(scalar)))) {
      return pairs.flatMap(([k, v]) => (Array.isArray(v) ? v : [v]).map((one) => `${k}=${String(one)}`)).join(',');
    }
  }
  return undefined;
}

/** A key given twice in one object of a JSON text, with where it sits and the lines (from 1) of both. */
interface DuplicateKey {
  key: string;
  parents: JSONPath;
  lines: [number, number];
}

/** The first key given twice in one object of a JSON text that JSON.parse took: it keeps the last silently. */
function firstDuplicateKey(text: string): DuplicateKey | undefined {
  // jsonc-parser's scanner, required from its package when a --config file is read: the bundle leaves it out of start-up.
  const { visit } = createRequire(import.meta.url)('jsonc-parser') as typeof import('jsonc-parser');
  const openObjects: Map<string, number>[] = [];
  let found: DuplicateKey | undefined;
  visit(
    text,
    {
      onObjectBegin: () => {
        openObjects.push(new Map());
      },
      onObjectEnd: () => {
        openObjects.pop();
      },
      onObjectProperty: (key, _offset, _length, line, _character, parents) => {
        const seen = openObjects[openObjects.length - 1];
        const earlier = seen.get(key);
        if (earlier !== undefined) found ??= { key, parents: parents(), lines: [earlier + 1, line + 1] };
        seen.set(key, line);
      },
    },
  );
  return found;
}

/** The settings of a `--config` JSON file, keyed by flag name, each checked later by the same table as its flag. */
function readConfigFile(path: string): { path: string; values: Record<string, string> } {
  let text: string;
  let parsed: unknown;
  try {
    // JSON.parse is the strict grammar (no comments, no trailing commas) and says where the text goes wrong.
    text = readFileSync(path, 'utf8');
    parsed = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(`--config ${path} cannot be read as JSON: ${(error as Error).message}`);
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new ConfigError(`--config ${path} must hold one JSON object of settings keyed by flag name, such as {"read-only": true}`);
  }
  const duplicate = firstDuplicateKey(text);
  if (duplicate) {
    const where = duplicate.parents.length ? ` in "${duplicate.parents.join('.')}"` : '';
    const [first, second] = duplicate.lines;
    throw new ConfigError(
      `${path}: "${duplicate.key}" is given twice${where} (${first === second ? `line ${first}` : `lines ${first} and ${second}`}); JSON keeps only the last, so give it once`,
    );
  }
  const flagNames = (Object.values(SETTINGS) as Setting<unknown>[]).flatMap((s) => (s.flag && !COMMAND_LINE_ONLY.includes(s.flag) ? [s.flag] : []));
  const values: Record<string, string> = {};
  for (const [key, value] of Object.entries(parsed)) {
    if (!flagNames.includes(key)) {
      const near = closest(key, flagNames, 3);
      throw new ConfigError(
        `${path}: "${key}" is not a setting a config file takes (keys are flag names without dashes${near.length ? `; closest: ${near.join(', ')}` : ''}); credentials come from the environment only`,
      );
    }
    const given = flagText(value);
    if (given === undefined) throw new ConfigError(`${path}: "${key}" must be a string, number, boolean or list, as its flag would take`);
    // Joined with commas, [""] would read as one empty value: check the entries themselves, to name the empty one.
    const empty = Array.isArray(value) ? emptyEntriesProblem(value.map((entry) => String(entry).trim()), 'remove the empty entry') : undefined;
    if (empty) throw new ConfigError(`${path}: "${key}" ${empty}`);
    values[key] = given;
  }
  return { path, values };
}

/**
 * The refusal of the first flag the table does not know, naming the nearest one (`--toolset`: did you mean --toolsets?).
 * Found by a lenient parse of its own, since the strict parse's error gives the flag only inside its message text.
 */
function unknownFlag(argv: string[], options: Record<string, unknown>): string | undefined {
  const { tokens } = parseArgs({ args: argv, strict: false, allowPositionals: true, tokens: true });
  const token = tokens.find((t) => t.kind === 'option' && !Object.hasOwn(options, t.name));
  if (token?.kind !== 'option') return undefined;
  const [near] = closest(token.name, Object.keys(options), 1);
  return `Unknown flag ${token.rawName}${near ? `: did you mean --${near}?` : ''}`;
}

function parseFlags(argv: string[]): FlagValues {
  const options: Record<string, { type: 'string' | 'boolean' }> = {};
  for (const definition of Object.values(SETTINGS) as Setting<unknown>[]) {
    if (definition.flag) options[definition.flag] = { type: definition.type.bare ? 'boolean' : 'string' };
  }
  const unknown = unknownFlag(argv, options);
  if (unknown) throw new ConfigError(unknown);
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options, strict: true, allowPositionals: false, tokens: true });
  } catch (error) {
    // Unknown flags, a missing value, a value given to a bare flag.
    if ((error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) throw new ConfigError((error as Error).message);
    throw error;
  }
  // parseArgs keeps the last of a flag given twice: `--ad-accounts 1 --ad-accounts 2` would drop 1 silently. A bare
  // flag given twice says the same thing twice (a wrapper script adding --read-only to a command that has it already).
  const seen = new Set<string>();
  for (const token of parsed.tokens) {
    if (token.kind !== 'option') continue;
    if (seen.has(token.name) && options[token.name].type === 'string') {
      throw new ConfigError(`--${token.name} is given twice: only the last would count, so give it once (a list takes its entries comma-separated)`);
    }
    seen.add(token.name);
  }
  return parsed.values;
}

/**
 * The approval channels in force: the operator's list, else the transport's default (TRANSPORTS; stdio: the client is the
 * person's own app, so its dialog counts; HTTP: the client is usually a bot, so only the page). `model` mode sends
 * held writes on the model's token, and a dialog where allowed; it serves no approval page.
 */
function approvalChannels(mode: ApprovalMode, listed: readonly string[] | undefined, transport: Transport): ApprovalChannel[] {
  const given = listed as ApprovalChannel[] | undefined;
  if (mode === 'model') {
    if (given?.includes('page')) throw new ConfigError('--approval-channels page needs --approval person or auto: with --approval model the model confirms held writes itself');
    return ['token', ...(given ?? TRANSPORTS[transport].channels.model)];
  }
  const channels = given ?? TRANSPORTS[transport].channels.person;
  return [...new Set(channels)];
}

/** The loaded configuration, and the two flags that act on the command line itself. */
export function loadConfig(
  argv: string[] = process.argv.slice(2),
  env: NodeJS.ProcessEnv = process.env,
): Config & { help: boolean; version: boolean } {
  const flags = parseFlags(argv);
  const configPath = readSetting(SETTINGS.config, { flags, env });
  const sources: Sources = { flags, env, file: configPath ? readConfigFile(configPath) : undefined };
  // Every setting in table order, so that of two bad values the same one is reported first.
  const values: Record<string, unknown> = Object.fromEntries(Object.entries(SETTINGS).map(([name, definition]) => [name, readSetting(definition, sources)]));
  const settings = values as SettingValues<typeof SERVER_SETTINGS>;
  const httpToken = settings.httpToken ?? settings.httpTokenFile;
  const approvers = settings.approverToken ?? settings.approverTokenFile ?? [];
  if (settings.approvalFallback === 'model' && settings.approval !== 'auto') {
    throw new ConfigError(`--approval-fallback model needs --approval auto (got --approval ${settings.approval})`);
  }
  const channels = approvalChannels(settings.approval, settings.approvalChannels, settings.transport);
  if (httpToken && approvers.some((a) => a.token === httpToken)) {
    throw new ConfigError('PINTEREST_MCP_APPROVER_TOKEN must differ from PINTEREST_MCP_HTTP_TOKEN: the bot that calls tools must not approve them');
  }
  const tokenKey = settings.tokenKey ?? settings.tokenKeyFile;
  const apis = Object.fromEntries(
    CONFIGURED_APIS.map((api) => [api.id, api.configure(Object.fromEntries(Object.keys(api.settings).map((name) => [name, values[`${api.id}.${name}`]])))]),
  ) as ApiConfigs;
  const signIn = SIGN_IN_API?.signIn?.(apis[SIGN_IN_API.id as keyof ApiConfigs]);
  checkAuth(settings, { httpToken, tokenKey, appCredentials: signIn !== undefined });
  const clientIdDocuments = settings.clientIdDocuments ?? 'on';
  const placed: Record<string, unknown> = {};
  for (const [name, definition] of Object.entries(SERVER_SETTINGS)) {
    if (definition.to !== null) placeAt(placed, definition.to, values[name]);
  }
  const config = placed as PlacedConfig;
  return {
    ...config,
    approval: { ...config.approval, modelFallback: settings.approvalFallback === 'model', channels, approvers },
    http: { ...config.http, token: httpToken, tokenKey, clientIdDocuments },
    secrets: Object.entries(SETTINGS)
      .flatMap(([name, definition]) => (definition.secret && typeof values[name] === 'string' ? [values[name]] : []))
      .concat(approvers.map((a) => a.token)),
    apis,
    help: settings.help,
    version: settings.version,
  };
}

/**
 * `--auth oauth`'s needs and exclusions: HTTP only (over stdio the client is the person's own app, with its own
 * credential), not with the static bearer token (one or the other decides who may call), the public URL tokens are
 * issued for, the key that seals people's tokens, and the app people sign in to (SIGN_IN_API's; the demo brings
 * both: its fake's app, and a key of its own for a run that keeps nothing).
 */
function checkAuth(
  settings: SettingValues<typeof SERVER_SETTINGS>,
  given: { httpToken: string | undefined; tokenKey: string | undefined; appCredentials: boolean },
): void {
  const approverAccounts = Object.keys(settings.approvers);
  if (approverAccounts.length > 0) {
    if (settings.auth !== 'oauth') {
      throw new ConfigError(
        `--approvers needs --auth oauth: it names ${SIGN_IN_LABEL} user ids, who sign in on the approval page with ${SIGN_IN_LABEL} (approvers by token are PINTEREST_MCP_APPROVER_TOKEN)`,
      );
    }
    const outside = settings.adAccounts.length > 0 ? approverAccounts.find((account) => !settings.adAccounts.includes(account)) : undefined;
    if (outside) throw new ConfigError(`--approvers names ad account ${outside}, which --ad-accounts leaves out: no approval of it can exist here`);
  }
  if (settings.clientIdDocuments !== undefined && settings.auth !== 'oauth') {
    throw new ConfigError('--client-id-documents needs --auth oauth: it says which clients the authorization server of that mode accepts (the bearer mode has no clients)');
  }
  if (settings.auth !== 'oauth') return;
  if (settings.transport !== 'http') {
    throw new ConfigError('--auth oauth needs --transport http: over stdio the client is your own app and the server uses the configured credential');
  }
  if (given.httpToken) {
    throw new ConfigError('--auth oauth and PINTEREST_MCP_HTTP_TOKEN exclude each other: with oauth each person signs in and gets their own token; unset PINTEREST_MCP_HTTP_TOKEN (and its file), or use --auth bearer');
  }
  if (!settings.publicUrl) {
    throw new ConfigError('--auth oauth needs --public-url (PINTEREST_MCP_PUBLIC_URL): the https URL clients reach this server at, which its tokens are issued for');
  }
  if (!given.tokenKey && !settings.demo) {
    throw new ConfigError(`--auth oauth needs PINTEREST_MCP_TOKEN_KEY (or PINTEREST_MCP_TOKEN_KEY_FILE): the key that encrypts people's ${SIGN_IN_LABEL} tokens at rest; make one with: openssl rand -base64 32`);
  }
  if (!given.appCredentials && !settings.demo) {
    throw new ConfigError(
      SIGN_IN_API
        ? `--auth oauth needs ${SIGN_IN_API.signInApp ?? 'its app credentials'}: the ${SIGN_IN_API.label} app people sign in to (its redirect URI is <public-url>/oauth/callback)`
        : '--auth oauth needs an API people sign in to, and none offers it',
    );
  }
}

/** Sets `value` at a dotted path of `target`, making the objects on the way. */
function placeAt(target: Record<string, unknown>, path: string, value: unknown): void {
  const keys = path.split('.');
  const last = keys.pop() as string;
  let at = target;
  for (const key of keys) at = (at[key] ??= {}) as Record<string, unknown>;
  at[last] = value;
}
