// Suggestions for a mistyped name (a flag, a tool, an enum value such as an analytics column): the closest valid ones.
import { distance } from 'fastest-levenshtein';

/** Words of a name: `SPEND_IN_DOLLAR` -> spend, in, dollar; `read-only` -> read, only. */
function words(name: string): string[] {
  return name.toLowerCase().split(/[^a-z0-9]+/).filter(Boolean);
}

/** Whether two words share a stem: equal, or a common start of at least 5 letters (`clicks`, `clickthrough`), or 4 for short words. */
function sameWord(a: string, b: string): boolean {
  if (a === b) return true;
  let common = 0;
  while (common < a.length && common < b.length && a[common] === b[common]) common++;
  return common >= Math.min(5, Math.min(a.length, b.length)) && common >= 4;
}

/**
 * The `count` candidates nearest to `given`: first those sharing the most words with it (so `IMPRESSIONS` finds
 * `PAID_IMPRESSION` and `TOTAL_IMPRESSION`), then by edit distance; none when nothing is reasonably near.
 */
export function closest(given: string, candidates: readonly string[], count: number): string[] {
  const mine = words(given);
  const scored = candidates.map((candidate) => {
    const theirs = words(candidate);
    const shared = mine.filter((w) => theirs.some((t) => sameWord(w, t))).length;
    const edits = distance(given.toLowerCase(), candidate.toLowerCase());
    return { candidate, shared, edits, extra: theirs.length - shared };
  });
  const limit = Math.max(2, Math.floor(given.length / 3));
  return scored
    .filter((s) => s.shared > 0 || s.edits <= limit)
    .sort((a, b) => b.shared - a.shared || a.extra - b.extra || a.edits - b.edits || a.candidate.localeCompare(b.candidate))
    .slice(0, count)
    .map((s) => s.candidate);
}
