// The --help text: the settings table, and the only look-ups help needs (toolsets, cap kinds, what --confirm-writes holds).
import { confirmationLevels } from '../apis/classification.js';
import { DEFAULT_TOOLSETS, TOOLSETS } from '../apis/toolsets.js';
import { BOOLEAN_ACCEPTED, type Setting } from '../core/settings.js';
import { MONEY_KINDS, MONEY_KIND_HELP } from '../money/kinds.js';
import { CONFIGURED_APIS } from './apis.js';
import { SETTINGS } from './settings.js';

function describeDefault(value: unknown): string | undefined {
  if (value === undefined || (Array.isArray(value) && value.length === 0)) return undefined;
  if (typeof value === 'boolean') return value ? 'on' : 'off';
  if (typeof value === 'object') return Object.keys(value as object).length === 0 ? undefined : JSON.stringify(value);
  return String(value);
}

/** Help lines for some settings, each under a name (`--port` or a variable), the help aligned in one column. */
function helpLines(named: [string, Setting<unknown>][], showEnv: boolean): string[] {
  const width = Math.max(...named.map(([name]) => name.length));
  return named.map(([name, definition]) => {
    const shownDefault = /\bdefault\b/.test(definition.help) ? undefined : describeDefault(definition.default);
    const notes = [definition.type.summary, shownDefault && `default ${shownDefault}`, definition.secret && 'secret'].filter(Boolean);
    const env = showEnv && definition.env ? ` [${definition.env}]` : '';
    return `  ${name.padEnd(width)}  ${definition.help}${notes.length > 0 ? ` (${notes.join('; ')})` : ''}${env}`;
  });
}

/** One line per toolset: its name, the default mark and what it holds. */
function toolsetLines(): string[] {
  const names = Object.keys(TOOLSETS) as (keyof typeof TOOLSETS)[];
  const width = Math.max(...names.map((n) => n.length)) + 2;
  return names.map((name) => {
    const mark = (DEFAULT_TOOLSETS as readonly string[]).includes(name) ? ' *' : '';
    return `  ${(name + mark).padEnd(width)}  ${TOOLSETS[name].description}`;
  });
}

/**
 * How the toolsets of an API that is off until set up are selected: they need its key, and once it is set are listed
 * only when named (`; whop needs WHOP_API_KEY, then is listed only when named: --toolsets default,whop`).
 */
function addedToolsets(): string {
  return CONFIGURED_APIS.flatMap(({ turnedOnBy }) => {
    if (!turnedOnBy) return [];
    const names = turnedOnBy.toolsets;
    const verb = names.length === 1 ? ['needs', 'is'] : ['need', 'are'];
    return [`; ${names.join(', ')} ${verb[0]} ${turnedOnBy.env}, then ${verb[1]} listed only when named: --toolsets default,${names.join(',')}`];
  }).join('');
}

/** The settings whose empty value counts as not given (emptyIsUnset), by variable. */
function emptyIsUnsetNames(): string {
  return (Object.values(SETTINGS) as Setting<unknown>[]).flatMap((s) => (s.emptyIsUnset !== undefined && s.env ? [s.env] : [])).join(', ');
}

/** The --help text: every setting of the table, then what the toolsets, cap kinds and confirm-writes classes are. */
export function helpText(): string {
  const all: Setting<unknown>[] = Object.values(SETTINGS);
  const flags = all.flatMap((s): [string, Setting<unknown>][] => (s.flag ? [[`--${s.flag}`, s]] : []));
  const envOnly = all.flatMap((s): [string, Setting<unknown>][] => (!s.flag && s.env ? [[s.env, s]] : []));
  return [
    'Usage: pinterest-api-mcp [options]',
    '',
    'Options (each also read from the environment variable in brackets; a flag wins):',
    ...helpLines(flags, true),
    '',
    'Environment only (credentials are never printed):',
    ...helpLines(envOnly, false),
    '',
    `Booleans accept ${BOOLEAN_ACCEPTED} in any case; a bare flag means on. A value given empty is refused (${emptyIsUnsetNames()} excepted: empty counts as not given), and so are an empty entry in a list (1,,2) and a flag with a value given twice.`,
    '',
    `Toolsets for --toolsets (* marks the default ones${addedToolsets()}):`,
    ...toolsetLines(),
    '',
    'Kinds for --caps (amounts in major units of the currency named, e.g. bid=2 USD):',
    ...MONEY_KINDS.map((kind) => `  ${kind.padEnd(15)}  ${MONEY_KIND_HELP[kind]}`),
    '',
    'What --confirm-writes holds for confirmation (everything else is sent at once):',
    ...confirmationLevels().map((line) => `  ${line}`),
    '',
  ].join('\n');
}

