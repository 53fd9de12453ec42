// The one redactor: every secret this process knows is replaced by [redacted] in text that leaves the process.
//
// Secrets are registered where they become known (configuration, derived forms such as HTTP Basic, tokens that
// OAuth obtains at run time, store passwords) and stay registered for the life of the process. Whatever an upstream
// echoes back (a JSON error, an HTML page, a dump of the request headers, a base64 blob, a token cut short), the tool
// result, log line, audit line or MCP log notification built from it passes through here on its way out.
//
// It runs on every result and log line, so each secret becomes a few alternatives of one regex, compiled when a
// secret is registered (`alternativesOf`): every spelling of each character, prefixes and suffixes as nested groups
// rather than one alternative per length, base64 as three fixed strings. Only text that holds `&#` is also decoded,
// for secrets written as numeric character references (`references`).

export const REDACTED = '[redacted]';

/**
 * Shorter secrets are refused by the configuration (see `secretProblem`): a short value could also be an
 * ordinary word of a result, and replacing it everywhere would garble answers.
 */
export const MIN_SECRET_LENGTH = 8;

/** A prefix or suffix of a secret is redacted from at most this many characters on (see `partLength`). */
const MAX_PART_LENGTH = 12;

/**
 * How many characters of a secret an echo that cuts it short (`pina_AbCdEf...`, "token ending in ...9f8e7d6c") must
 * show for them to be redacted: half the secret, at least MIN_SECRET_LENGTH and at most MAX_PART_LENGTH.
 * At least MIN_SECRET_LENGTH, because a run of the secret is then as unlikely to be an ordinary word of a result as
 * the shortest secret the configuration accepts; `pina_` or `Bearer ` alone is never touched. At most 12, because
 * 12 characters of a token (7 random ones after `pina_`, some 40 bits) never occur by chance in a result, while an
 * echo that shows 11 of 100 leaves the token unguessable. Half, because for a short secret 11 shown characters would
 * be most of it: a 16-character secret is redacted from 8 characters on.
 */
export function partLength(secretLength: number): number {
  return Math.min(secretLength, Math.max(MIN_SECRET_LENGTH, Math.min(MAX_PART_LENGTH, Math.ceil(secretLength / 2))));
}

/**
 * V8 stops optimising a regex whose source is longer than 20 KiB (kRegExpTooLargeToOptimize): with the nested groups
 * of a few long tokens, that costs milliseconds per 25 KB result instead of a tenth of one. The alternatives are split
 * into regexes below this size (one for a usual configuration), each run over the text.
 */
const MAX_PATTERN_CHARS = 16_000;

/** The spellings of a whole secret in text: raw, inside a JSON string, percent-encoded, form-encoded. */
function spellings(secret: string): string[] {
  return [...new Set([secret, JSON.stringify(secret).slice(1, -1), encodeURIComponent(secret), new URLSearchParams({ s: secret }).toString().slice(2)])];
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Characters that no encoder below escapes (RFC 3986's unreserved ones, but `~`, which forms encode). */
const PLAIN = /^[A-Za-z0-9_.-]$/;

/** What escape-html writes for these (its `&#39;` for `'` is a numeric reference, decoded by `references`), and XML's `&apos;`. */
const NAMED_ENTITIES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };

/** The percent-encoding of a character as `encode` writes it, in upper and lower case hex; none for a lone surrogate. */
function percentSpellings(char: string, encode: (text: string) => string): string[] {
  try {
    const encoded = encode(char);
    return [encoded, encoded.toLowerCase()];
  } catch {
    return [];
  }
}

/**
 * A regex for one character of a secret however text spells it: raw; JSON-escaped (`\"`, `\/` as PHP writes it, and
 * `\u0026` as Go and Python write some characters); percent- or form-encoded in either hex case; or as a named HTML
 * entity. The longest spelling is tried first, so that `\\` is not read as a raw `\` followed by something else.
 */
function characterPattern(char: string): string {
  if (PLAIN.test(char)) return escapeRegExp(char);
  const unicodeEscape = [...char].map((unit) => `\\u${unit.charCodeAt(0).toString(16).padStart(4, '0')}`).join('');
  const spelled = new Set([
    char,
    JSON.stringify(char).slice(1, -1),
    unicodeEscape,
    unicodeEscape.toUpperCase().replaceAll('\\U', '\\u'),
    ...percentSpellings(char, encodeURIComponent),
    ...percentSpellings(char, (c) => new URLSearchParams({ s: c }).toString().slice(2)),
    ...(char === '/' ? ['\\/'] : []),
    ...(NAMED_ENTITIES[char] ? [NAMED_ENTITIES[char]] : []),
  ]);
  const alternatives = [...spelled].sort((a, b) => b.length - a.length).map(escapeRegExp);
  return alternatives.length === 1 ? alternatives[0] : `(?:${alternatives.join('|')})`;
}

/**
 * What base64 writes for `text` wherever it falls in a longer encoded text (HTTP Basic's `id:secret`, a JSON blob
 * holding a token): the text is encoded after 0, 1 and 2 bytes of padding, and only the characters made of its own
 * bits are kept (the first ones mix in the bytes before it, the last ones the bytes after it). A core pins down the
 * whole text but for at most 4 bits at either end, so it matches nothing but that text, encoded.
 */
function base64Cores(text: string): string[] {
  const bytes = Buffer.from(text, 'utf8');
  const cores = new Set<string>();
  for (const offset of [0, 1, 2]) {
    const encoded = Buffer.concat([Buffer.alloc(offset), bytes]).toString('base64');
    const core = encoded.slice(Math.ceil((8 * offset) / 6), Math.floor((8 * (offset + bytes.length)) / 6));
    cores.add(core);
  }
  return [...cores].filter((core) => core.length >= MIN_SECRET_LENGTH);
}

/** A base64 core as a regex that also matches its base64url form, percent-encoded (a query parameter) or with `\/` (PHP's JSON). */
function base64Pattern(core: string): string {
  return escapeRegExp(core).replaceAll('\\+', '(?:[+-]|%2B|%2b)').replaceAll('/', '(?:[/_]|\\\\/|%2F|%2f)');
}

/**
 * A secret's regex alternatives, the secret's own first:
 * - the secret, or any prefix of at least `partLength` characters, each character in any spelling (`characterPattern`):
 *   the first characters, then each next one only after the one before (nested optional groups, so the regex tries
 *   each character once, not once per length);
 * - its base64 cores (`base64Cores`), of each whole spelling that differs (RFC 6749 form-encodes Basic credentials);
 * - any suffix of at least `partLength` characters: its last characters, and a lookbehind that captures as many of
 *   the characters before them as the text holds (`ranges` moves the match's start back over the capture). Nested
 *   optional groups in front of the last characters would do the same without a capture, but would be entered at
 *   every position of every text: 1.2 ms instead of 0.08 ms for a 25 KB result and six secrets.
 * A secret shorter than MIN_SECRET_LENGTH is too likely to be an ordinary word: only its spellings that are long
 * enough (a percent-encoded password, say) are matched, as they are.
 */
function alternativesOf(secret: string): string[] {
  const characters = [...secret].map(characterPattern);
  const length = characters.length;
  if (length < MIN_SECRET_LENGTH) return spellings(secret).filter((form) => form.length >= MIN_SECRET_LENGTH).map(escapeRegExp);
  const part = partLength(length);
  let longer = '';
  for (let i = length - 1; i >= part; i--) longer = `(?:${characters[i]}${longer})?`;
  const alternatives = [characters.slice(0, part).join('') + longer];
  alternatives.push(...[...new Set(spellings(secret).flatMap(base64Cores))].sort((a, b) => b.length - a.length).map(base64Pattern));
  if (part === length) return alternatives;
  // Read backwards inside the lookbehind: the character just before the last ones first, then each earlier one.
  let earlier = '';
  for (let i = 0; i < length - part; i++) earlier = `(?:${earlier ? `${earlier}?` : ''}${characters[i]})`;
  const last = characters.slice(length - part).join('');
  return [...alternatives, `${last}(?<=(${earlier}?)${last})`];
}

/** The alternatives in as few regexes as stay below MAX_PATTERN_CHARS each, in order. */
function compile(alternatives: string[]): RegExp[] {
  const groups: string[][] = [];
  let size = 0;
  for (const alternative of alternatives) {
    if (!groups.length || size + alternative.length + 1 > MAX_PATTERN_CHARS) {
      groups.push([]);
      size = 0;
    }
    groups.at(-1)!.push(alternative);
    size += alternative.length + 1;
  }
  return groups.map((group) => new RegExp(group.join('|'), 'g'));
}

/** A numeric character reference, decimal or hex (`&#112;`, `&#x70;`), leading zeros allowed. */
const CHARACTER_REFERENCE = /&#(?:[xX]0*([0-9a-fA-F]{1,6})|0*([0-9]{1,7}));/g;

/** Where a numeric character reference was (`from`, `to` in the text) and where its character is in the decoded text. */
interface DecodedReference {
  at: number;
  width: number;
  from: number;
  to: number;
}

/** `text` with each range replaced by [redacted], overlapping ranges by one. */
function cut(text: string, ranges: [number, number][]): string {
  if (!ranges.length) return text;
  ranges.sort((a, b) => a[0] - b[0]);
  let redacted = '';
  let kept = 0;
  for (const [start, end] of ranges) {
    if (start >= kept) {
      redacted += `${text.slice(kept, start)}${REDACTED}`;
      kept = end;
    } else kept = Math.max(kept, end);
  }
  return redacted + text.slice(kept);
}

export class Redactor {
  private readonly secrets = new Set<string>();
  /** Every secret's alternatives, the longest secret's first (so a longer secret wins over one it contains). */
  private patterns: RegExp[] = [];

  /** Registers secrets (empty or missing values are ignored). */
  add(...secrets: (string | undefined)[]): void {
    const before = this.secrets.size;
    for (const secret of secrets) if (secret) this.secrets.add(secret);
    if (this.secrets.size === before) return;
    this.patterns = compile([...this.secrets].sort((a, b) => b.length - a.length).flatMap(alternativesOf));
  }

  text(text: string): string {
    // Every alternative matches at least MIN_SECRET_LENGTH characters (decoding references only shortens a text).
    if (!this.patterns.length || text.length < MIN_SECRET_LENGTH) return text;
    const ranges = this.ranges(text);
    if (text.includes('&#')) ranges.push(...this.references(text));
    return cut(text, ranges);
  }

  /** Where the patterns match in `text`: [start, end) each, a suffix's start moved back over what its lookbehind captured. */
  private ranges(text: string): [number, number][] {
    const ranges: [number, number][] = [];
    for (const pattern of this.patterns) {
      pattern.lastIndex = 0;
      for (let match = pattern.exec(text); match; match = pattern.exec(text)) {
        const before = match.find((group, i) => i > 0 && group !== undefined)?.length ?? 0;
        ranges.push([match.index - before, match.index + match[0].length]);
      }
    }
    return ranges;
  }

  /**
   * Where a secret written wholly or partly as numeric character references is in `text` (an HTML page that escapes
   * every character, or some): the patterns run over the text with its references decoded, and what they match is
   * mapped back. Done only for text that holds `&#`, so that the patterns need no spelling of references.
   */
  private references(text: string): [number, number][] {
    const references: DecodedReference[] = [];
    let decoded = '';
    let copied = 0;
    for (const match of text.matchAll(CHARACTER_REFERENCE)) {
      const code = match[1] !== undefined ? Number.parseInt(match[1], 16) : Number(match[2]);
      if (code === 0 || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) continue; // not a character
      const character = String.fromCodePoint(code);
      decoded += text.slice(copied, match.index);
      copied = match.index + match[0].length;
      references.push({ at: decoded.length, width: character.length, from: match.index, to: copied });
      decoded += character;
    }
    if (!references.length) return [];
    decoded += text.slice(copied);

    /** The position in `text` of a position in `decoded`; one inside a decoded surrogate pair is its reference's end when `end`. */
    const original = (position: number, end: boolean): number => {
      let low = 0;
      let high = references.length - 1;
      let found = -1;
      while (low <= high) {
        const middle = (low + high) >> 1;
        if (references[middle].at <= position) {
          found = middle;
          low = middle + 1;
        } else high = middle - 1;
      }
      if (found < 0) return position;
      const reference = references[found];
      if (position === reference.at) return reference.from;
      if (position < reference.at + reference.width) return end ? reference.to : reference.from;
      return reference.to + position - reference.at - reference.width;
    };
    return this.ranges(decoded).map(([start, end]) => [original(start, false), original(end, true)]);
  }

  /** A copy of a JSON-like value with every string (and key) redacted; the value itself when nothing matched. */
  value<T>(value: T): T {
    if (!this.patterns.length) return value;
    return this.walk(value) as T;
  }

  private walk(value: unknown): unknown {
    if (typeof value === 'string') return this.text(value);
    if (Array.isArray(value)) {
      let copy: unknown[] | undefined;
      value.forEach((item, i) => {
        const redacted = this.walk(item);
        if (redacted !== item) (copy ??= [...value])[i] = redacted;
      });
      return copy ?? value;
    }
    if (value && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
      let copy: Record<string, unknown> | undefined;
      for (const [key, item] of Object.entries(value)) {
        const redactedKey = this.text(key);
        const redacted = this.walk(item);
        if (redactedKey === key && redacted === item) continue;
        copy ??= { ...(value as Record<string, unknown>) };
        if (redactedKey !== key) delete copy[key];
        copy[redactedKey] = redacted;
      }
      return copy ?? value;
    }
    return value;
  }
}

/** The process-wide redactor. */
export const redactor = new Redactor();

/** Why a secret setting's value cannot be used, or undefined when it can. */
export function secretProblem(value: string): string | undefined {
  return value.length < MIN_SECRET_LENGTH
    ? `is too short to be a credential (${value.length} characters; at least ${MIN_SECRET_LENGTH}, so that it can be redacted from every answer and log)`
    : undefined;
}
