// The server's own kinds of setting value: store, files, approvers, confirm-writes and caps (the generic ones are in core/settings).
import { readFileSync } from 'node:fs';
import { OPTIONAL_HOLDS, type OptionalHold } from '../apis/classification.js';
import { type Caps, CapSettingError, parseCaps } from '../money/cap-settings.js';
import { secretProblem } from '../core/redact.js';
import { KeyRing } from '../core/keys.js';
import { isLoopbackHost, trustedProxyProblem } from '../core/requests.js';
import { Refused, UNSET_HINT, type ValueType, emptyUrlPart, entries, httpUrl } from '../core/settings.js';
import { closest } from '../core/suggest.js';

/** Which classes are held on top of the always-held ones (spend, access, entity, unclassified), or every write. */
export type ConfirmWrites = ReadonlySet<OptionalHold> | 'all';

/** Someone who may approve held writes on the HTTP transport's /approvals page. */
export interface Approver {
  id: string;
  token: string;
}

/** `memory`, `sqlite:PATH` or `redis(s)://…`, none with an empty part; other forms are refused when the store opens. */
export const storeSpec: ValueType<string> = {
  parse(value) {
    if (/^sqlite:(\/\/)?$/.test(value)) throw new Refused(`has an empty path after sqlite: ${UNSET_HINT} Set it, or give a file, e.g. sqlite:./pinterest-mcp.sqlite`);
    const empty = /^rediss?:\/\//.test(value) ? emptyUrlPart(value) : undefined;
    if (empty) throw new Refused(`has ${empty}: ${UNSET_HINT} Set it, or write the whole redis:// URL`);
    return value;
  },
};

/** A file the server writes to; a path ending in a separator names a directory, as `/var/log/${NAME}` does with NAME unset. */
export const writtenFile: ValueType<string> = {
  parse(path) {
    if (/[/\\]$/.test(path)) throw new Refused(`names a directory, not a file: ${UNSET_HINT} Set it, or name the file; got "${path}"`);
    return path;
  },
};

/** A mounted secret's file, whole; a file that cannot be read is refused (its content is never printed). */
function secretFile(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new Refused(`cannot be read: ${(error as Error).message}`);
  }
}

/** The first line of a file (a mounted secret); the file's content is never printed. */
export const firstLineOfFile: ValueType<string> = {
  parse(path) {
    const line = secretFile(path).split(/\r?\n/)[0].trim();
    if (!line) throw new Refused(`is empty: ${path}`);
    return line;
  },
};

/** `id=token` entries (a bare token is the approver `approver`), comma-separated or one per line; ids are unique. */
function approverEntries(value: string): Approver[] {
  const approvers: Approver[] = [];
  for (const entry of entries(value, { separator: /,|\r?\n/, named: 'comma or blank line' })) {
    const equals = entry.indexOf('=');
    const id = equals >= 0 ? entry.slice(0, equals).trim() : 'approver';
    const token = equals >= 0 ? entry.slice(equals + 1).trim() : entry;
    if (!id) throw new Refused(`has an entry that starts with = (an empty approver id): ${UNSET_HINT} Entries look like alice=TOKEN`);
    if (!/^[\w.@-]{1,64}$/.test(id)) throw new Refused('approver ids are 1 to 64 letters, digits or ._@- (entries look like alice=TOKEN)');
    const problem = secretProblem(token);
    if (problem) throw new Refused(`has a token that ${problem}`);
    if (approvers.some((a) => a.id === id)) throw new Refused(`names the approver ${id} twice`);
    approvers.push({ id, token });
  }
  return approvers;
}

export const approverTokens: ValueType<Approver[]> = { parse: approverEntries };

/** `--approvers`: ad account id -> the Pinterest user ids who may decide its approvals besides the person who asked. */
export type AccountApprovers = Readonly<Record<string, readonly string[]>>;

/**
 * `ACCOUNT=USER_ID` entries, comma-separated; an account named again gets another approver
 * (`549755885175=549755800003,549755885175=549755800004`). Accounts are ad account ids (digits, as --ad-accounts), people
 * are Pinterest user ids (what the sign-in names them by); an entry given twice is refused.
 */
export const accountApprovers: ValueType<AccountApprovers> = {
  summary: 'ACCOUNT=USER_ID,...',
  parse(value) {
    const byAccount: Record<string, string[]> = {};
    for (const entry of entries(value)) {
      const match = /^(\d+)\s*=\s*([A-Za-z0-9._-]{1,128})$/.exec(entry);
      if (!match) throw new Refused(`entries must each be AD_ACCOUNT_ID=USER_ID (digits = a user id), e.g. 549755885175=549755800003; "${entry}" is not`);
      const [, account, person] = match;
      const people = (byAccount[account] ??= []);
      if (people.includes(person)) throw new Refused(`names ${person} for ad account ${account} twice`);
      people.push(person);
    }
    return byAccount;
  },
};

/** Approvers from a file (a mounted secret), one `id=token` per line; the file's content is never printed. */
export const approverTokensFile: ValueType<Approver[]> = {
  parse(path) {
    // One line end closes a text file; any other blank line is an entry left empty.
    const content = secretFile(path).replace(/\r?\n$/, '');
    if (!content.trim()) throw new Refused(`is empty: ${path}`);
    return approverEntries(content);
  },
};

/** `--confirm-writes`: `all`, or classes held on top of the always-held ones; `spend` names those and adds nothing. */
export const confirmWrites: ValueType<ConfirmWrites> = {
  parse(value) {
    const names = entries(value);
    if (names.length === 1 && names[0] === 'all') return 'all';
    const valid = ['spend', ...OPTIONAL_HOLDS];
    const held = new Set<OptionalHold>();
    for (const name of names) {
      if (name === 'all') throw new Refused(`takes all alone (it holds every write); got "${value}"`);
      if (!valid.includes(name)) {
        const near = closest(name, [...valid, 'all'], 2);
        throw new Refused(`has an unknown class "${name}"${near.length ? ` (closest: ${near.join(', ')})` : ''}; name spend, data, destructive in any combination, or all`);
      }
      if (names.indexOf(name) !== names.lastIndexOf(name)) throw new Refused(`names ${name} twice`);
      if (name !== 'spend') held.add(name as OptionalHold);
    }
    return held;
  },
};

/** `kind=amount [CODE]` entries (src/money/cap-settings.ts): a known money kind, one cap per kind and currency. */
export const caps: ValueType<Caps> = {
  parse(value) {
    try {
      return parseCaps(entries(value));
    } catch (error) {
      if (error instanceof CapSettingError) throw new Refused(error.message);
      throw error;
    }
  },
};

/** Reverse proxies whose X-Forwarded-For is believed: addresses, CIDR ranges, or proxy-addr's names for a kind of range. */
export const trustedProxies: ValueType<string[]> = {
  parse(value) {
    const found = entries(value);
    for (const entry of found) {
      const problem = trustedProxyProblem(entry);
      if (problem) {
        throw new Refused(`entries must each be an IP address, a CIDR range (10.0.0.0/8) or one of loopback, linklocal, uniquelocal; "${entry}" is not (${problem})`);
      }
    }
    return found;
  },
};

/**
 * The key ring that seals people's upstream tokens (`kid:key` entries, comma-separated; see KeyRing): checked here so
 * that a bad key stops the start, kept as written (a secret) and read into a KeyRing where the vault is built.
 */
export const tokenKeyRing: ValueType<string> = {
  parse(value) {
    KeyRing.parse(value);
    return value;
  },
};

/** The key ring from a mounted file: its entries one per line or comma-separated (blank lines and a final newline ignored). */
export const tokenKeyRingFile: ValueType<string> = {
  parse(path) {
    const lines = secretFile(path).split(/\r?\n/).map((line) => line.trim()).filter((line) => line !== '');
    if (lines.length === 0) throw new Refused(`is empty: ${path}`);
    return tokenKeyRing.parse(lines.join(','));
  },
};

/**
 * The canonical URL clients reach the server at (`--public-url`): an origin, https, or http only on a loopback host
 * (a local try-out); tokens are issued for `<it>/mcp` and the discovery documents name it. No path: the discovery
 * documents are served at the origin's root (RFC 8414, RFC 9728), which a path behind a proxy would move.
 */
export const publicUrl: ValueType<string> = {
  summary: 'https://HOST[:PORT]',
  parse(value) {
    const url = httpUrl(value, 'an https URL such as https://mcp.example.com');
    if (url.protocol === 'http:' && !isLoopbackHost(url.hostname)) {
      throw new Refused(`must be https (http only on a loopback host, to try the server locally): clients send their tokens to it; got "${value}"`);
    }
    if (url.username || url.password || url.search || url.hash || value.includes('#') || url.pathname !== '/') {
      throw new Refused(`must be an origin alone (scheme, host and port, no path, query or user), as clients reach the server; got "${value}"`);
    }
    return url.origin;
  },
};

/**
 * `--client-id-documents`: whether a client may name itself by the https URL of its Client ID Metadata Document (the
 * MCP specification's preferred registration), and whose: `on` (any host), `off`, or the hosts whose documents are
 * accepted (a domain trust policy: exact host names, any port; the document's URL must name one of them).
 */
export type ClientIdDocuments = 'on' | 'off' | { readonly hosts: readonly string[] };

/** A host name or IP address as a trust list names it, in the form a URL's hostname takes (lower case, punycode). */
function documentHost(entry: string): string {
  const bare = entry.replace(/^\[[^\]]*\]$/, '');
  const url = URL.canParse(`https://${entry}/`) ? new URL(`https://${entry}/`) : undefined;
  if (!url || /[/?#@:*\\\s]/.test(bare) || url.pathname !== '/' || !url.hostname) {
    throw new Refused(`entries must each be a host name, such as app.example.com (exact, no scheme, port, path or wildcard), or on or off alone; "${entry}" is not`);
  }
  return url.hostname;
}

export const clientIdDocuments: ValueType<ClientIdDocuments> = {
  summary: 'on, off or HOST,...',
  parse(value) {
    const word = value.toLowerCase();
    if (word === 'on' || word === 'off') return word;
    const hosts: string[] = [];
    for (const entry of entries(value)) {
      if (/^(on|off)$/i.test(entry)) throw new Refused(`takes ${entry} alone, not in a list of hosts; got "${value}"`);
      const host = documentHost(entry);
      if (hosts.includes(host)) throw new Refused(`names ${host} twice`);
      hosts.push(host);
    }
    return { hosts };
  },
};
