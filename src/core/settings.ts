// What a setting is (flag, variable, value type, default, help) and the generic value types; the server's and each API's settings use them.

/** Why a value was refused, without the setting's name (the reader adds the flag or variable it came from). */
export class Refused extends Error {}

/** The likely cause of a value that is given but has an empty part, said where one is refused. */
export const UNSET_HINT = 'a template variable that is unset?';

/** How one kind of value is read from text. */
export interface ValueType<T> {
  /** The accepted values in short (`10..86400`, `stdio, http`), printed after the help line; none when the line says it. */
  summary?: string;
  /** Reads trimmed, non-empty text (an empty value never reaches it), or throws Refused. */
  parse(text: string): T;
  /** Given on the command line as a bare flag (`--read-only`) rather than with a value. */
  bare?: true;
}

export interface Setting<T> {
  /** Command-line flag without its dashes; none for a setting read only from the environment. */
  flag?: string;
  /** Environment variable; none for a flag that only makes sense on the command line (`--help`). */
  env?: string;
  type: ValueType<T>;
  /** The value when the setting is not given at all (a given empty value is refused, unless `emptyIsUnset` says why not). */
  default: T;
  /** One line for --help; `(default …)` is added from `default` unless the line already speaks of the default. */
  help: string;
  /**
   * A credential: help marks it, no message prints its value (its type never echoes what it read), it must be long
   * enough to be redacted, and the redactor replaces it in everything that leaves the process (`Config.secrets`).
   */
  secret?: true;
  /**
   * Why an empty value counts as not given here, where every other setting refuses it (a template with a variable
   * unset leaves it empty): only for a value whose absence cannot widen what the server may do.
   */
  emptyIsUnset?: string;
}

/**
 * `emptyIsUnset` of an API credential: registry installers pass "" for an optional variable left blank, and without
 * a credential the API's calls are refused (saying which variable to set), so an empty one cannot widen anything.
 */
export const BLANK_CREDENTIAL_IS_UNSET = 'installers pass "" for an optional credential left blank; without one the API is off';

/** Settings by name, in the order --help lists them. */
export type SettingsTable = Readonly<Record<string, Setting<unknown>>>;

/** The value a setting reads. */
export type SettingValue<S> = S extends Setting<infer T> ? T : never;

/** The values of a table of settings, by name. */
export type SettingValues<Table> = { [Name in keyof Table]: SettingValue<Table[Name]> };

/** Types a table's entry so that its default matches its value type (the constraint keeps literal types). */
export function setting<T extends string | number | boolean | object | undefined>(definition: Setting<T>): Setting<T> {
  return definition;
}

const BOOLEAN_SPELLINGS = { true: ['1', 'true', 'yes', 'on'], false: ['0', 'false', 'no', 'off'] } as const;
export const BOOLEAN_ACCEPTED = BOOLEAN_SPELLINGS.true.map((yes, i) => `${yes}/${BOOLEAN_SPELLINGS.false[i]}`).join(', ');

export const boolean: ValueType<boolean> = {
  bare: true,
  parse(text) {
    const spelling = text.toLowerCase();
    if ((BOOLEAN_SPELLINGS.true as readonly string[]).includes(spelling)) return true;
    if ((BOOLEAN_SPELLINGS.false as readonly string[]).includes(spelling)) return false;
    throw new Refused(`must be one of ${BOOLEAN_ACCEPTED} (any case); got "${text}"`);
  },
};

export function integer(min: number, max: number): ValueType<number> {
  return {
    summary: `${min}..${max}`,
    parse(text) {
      const n = /^[+-]?\d+$/.test(text) ? Number(text) : Number.NaN;
      if (!(n >= min && n <= max)) throw new Refused(`must be an integer from ${min} to ${max}; got "${text}"`);
      return n;
    },
  };
}

export function oneOf<T extends string>(values: readonly T[]): ValueType<T> {
  return {
    summary: values.join(', '),
    parse(text) {
      if (!(values as readonly string[]).includes(text)) throw new Refused(`must be one of ${values.join(', ')}; got "${text}"`);
      return text as T;
    },
  };
}

export const text: ValueType<string> = { parse: (value) => value };

/**
 * The part of a `scheme://…` URL that is written but empty (`https:///v5`, `https://host:/v5`, `https://user:@host`,
 * `https://host//v5`, `?key=`), as a template leaves it when a variable is unset; URL parsing would fill such a
 * part in from what follows (`https:///v5` is the host `v5`) or drop it. The URL is never printed: it may hold a key.
 */
export function emptyUrlPart(text: string): string | undefined {
  const [, authority = '', path = '', query] = /^[a-z][\w+.-]*:\/\/([^/?#]*)([^?#]*)(?:\?([^#]*))?/i.exec(text) ?? [];
  const at = authority.lastIndexOf('@');
  const userInfo = at >= 0 ? authority.slice(0, at) : undefined;
  const hostAndPort = authority.slice(at + 1);
  if (!hostAndPort || hostAndPort.startsWith(':')) return 'an empty host';
  if (hostAndPort.endsWith(':')) return 'an empty port';
  // `:password@` is how Redis URLs give a password alone; an empty password, or nothing before the @, is a gap.
  if (userInfo !== undefined && (!userInfo || userInfo.endsWith(':'))) return 'an empty user name or password';
  if (path.replace(/\/+$/, '').includes('//')) return 'an empty path segment';
  if (query !== undefined && query.split('&').some((pair) => !pair || pair.endsWith('='))) return 'an empty query parameter';
  return undefined;
}

/** A written http(s) address with no empty part, parsed; else refused saying it must be `mustBe`. */
export function httpUrl(value: string, mustBe = 'an http(s) URL'): URL {
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  // The written form must say http(s)://: URL parsing also takes `https:host`.
  if (!url || !['http:', 'https:'].includes(url.protocol) || !/^https?:\/\//i.test(value)) throw new Refused(`must be ${mustBe}; got "${value}"`);
  const empty = emptyUrlPart(value);
  if (empty) throw new Refused(`has ${empty}: ${UNSET_HINT} Set it, or write the whole URL`);
  return url;
}

/** An http(s) base URL, without trailing slashes. */
export const baseUrl: ValueType<string> = {
  parse(value) {
    httpUrl(value);
    return value.replace(/\/+$/, '');
  },
};

/** Why a list with empty entries is refused (they are named by position from 1, with the fix), or nothing. */
export function emptyEntriesProblem(found: readonly string[], fix: string): string | undefined {
  const empty = found.flatMap((entry, i) => (entry ? [] : [i + 1]));
  if (empty.length === 0) return undefined;
  const which = `${empty.length === 1 ? 'an empty entry' : 'empty entries'} (${empty.join(', ')} of ${found.length})`;
  return `has ${which}: ${UNSET_HINT} Set it, or ${fix}`;
}

/**
 * Entries separated by commas (or `separator`), trimmed. An empty one is refused rather than dropped: `123,,456`, a
 * trailing comma or `${A},${B}` with a variable unset must not quietly become a shorter list than the one written.
 */
export function entries(value: string, { separator = /,/, named = 'comma' }: { separator?: RegExp; named?: string } = {}): string[] {
  const found = value.split(separator).map((entry) => entry.trim());
  const problem = emptyEntriesProblem(found, `remove the extra ${named}`);
  if (problem) throw new Refused(problem);
  return found;
}

/** Comma-separated entries, each matching `pattern` when one is given. */
export function list(item?: { pattern: RegExp; is: string }): ValueType<string[]> {
  return {
    parse(value) {
      const found = entries(value);
      const bad = item && found.find((entry) => !item.pattern.test(entry));
      if (bad !== undefined) throw new Refused(`entries must each be ${item?.is}; "${bad}" is not`);
      return found;
    },
  };
}
