// Text a person reads in previews and dialogs: strings from callers or APIs are escaped and cut, so they cannot forge lines.

/**
 * Characters that can break or disguise a line: controls (newlines included), format characters (bidi overrides,
 * zero-width), and the Unicode line and paragraph separators. JSON.stringify escapes only the C0 controls.
 */
const UNSAFE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/gu;

function escapeUnsafe(text: string): string {
  // Each UTF-16 unit as \uXXXX, so the result stays valid inside JSON strings too.
  return text.replace(UNSAFE, (ch) => Array.from({ length: ch.length }, (_, i) => `\\u${ch.charCodeAt(i).toString(16).padStart(4, '0')}`).join(''));
}

/** Cuts text to `max` characters (whole code points), saying how much was left out. */
function cut(text: string, max: number): string {
  const points = [...text];
  return points.length <= max ? text : `${points.slice(0, max).join('')}…(+${points.length - max} characters)`;
}

/** A caller's or API's string as one quoted, escaped line of at most `max` characters: `"Summer\nSALE"`. */
export function quote(text: string, max = 120): string {
  return escapeUnsafe(JSON.stringify(cut(text, max)));
}

/** Text of ours that embeds outside words (error messages, notes): one line, escaped, cut. */
export function oneLine(text: string, max = 300): string {
  return escapeUnsafe(cut(text, max));
}

/** JSON for a person to read: every string escaped like `quote` and cut at `maxString` characters. */
export function displayJson(value: unknown, maxString = 200): string {
  const text = JSON.stringify(value, (_key, v: unknown) => (typeof v === 'string' ? cut(v, maxString) : v));
  return text === undefined ? String(value) : escapeUnsafe(text);
}

/** A value in a preview line: strings quoted, numbers and booleans bare, objects as display JSON. */
export function showValue(value: unknown, maxString = 120): string {
  if (typeof value === 'string') return quote(value, maxString);
  return displayJson(value, maxString);
}
