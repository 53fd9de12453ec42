// What one write's answer says of the items it sent, by the form its API's adapter gives for that write.
import { APIS } from '../apis/index.js';
import type { ItemAnswer } from '../apis/answers.js';
import { isPlainObject } from '../core/json.js';
import { displayJson, oneLine } from '../core/display.js';

export type { ItemAnswer } from '../apis/answers.js';

/**
 * Tool name -> the form of its answer, of every API (`ApiDefinition.itemAnswers`). Every write whose documented answer
 * carries outcome fields (exceptions, errors, success) has an entry; a test walks the response schemas of the
 * descriptions so that a new one cannot slip by.
 */
export const ITEM_ANSWERS: Readonly<Record<string, ItemAnswer>> = Object.assign({}, ...APIS.map((api) => api.itemAnswers));

/** What the answer says of one item sent. */
export interface ItemResult {
  /** `applied`: the API returned it without problems; `failed`: it reported problems; `unknown`: it did not say. */
  state: 'applied' | 'failed' | 'unknown';
  /** The applied entity's id, where the answer gives one. */
  id?: string;
  /** The API's words about a failure, or what the answer lacked for an unknown outcome. */
  detail?: string;
}

/** What an answer says, item by item, for the model and for the audit line. */
export interface Told {
  /** Lines for the model: a headline when anything failed or is unknown, then one line per item. */
  text?: string;
  /** The audit line's `outcome`. */
  audit: string;
  /** Per-item results in the order sent (per-item form only), for the read-back. */
  items?: ItemResult[];
}

/** How many items a request body lists at `paths`. */
function countSent(paths: readonly string[], body: unknown): number {
  let count = 0;
  for (const path of paths) {
    const name = path.slice(0, -2);
    const list = name ? (isPlainObject(body) ? body[name] : undefined) : body;
    if (Array.isArray(list)) count += list.length;
  }
  return count;
}

/** A problem object's words: message(s), code and any id it names. */
function describeProblem(problem: Record<string, unknown>): string | undefined {
  const message = typeof problem.message === 'string' && problem.message ? problem.message : Array.isArray(problem.messages) ? problem.messages.filter((m) => typeof m === 'string' && m).join('; ') : '';
  const code = typeof problem.code === 'number' || typeof problem.code === 'string' ? ` (code ${problem.code})` : '';
  const ids = Object.entries(problem)
    .filter(([key, value]) => key.endsWith('_id') && (typeof value === 'string' || typeof value === 'number'))
    .map(([key, value]) => ` [${key} ${String(value)}]`)
    .join('');
  if (message || code || ids) return oneLine(`${message || 'error'}${code}${ids}`, 300);
  // Some other object: shown as it came, unless it holds nothing at all.
  return Object.values(problem).some((v) => v !== null && v !== undefined && v !== '' && !(Array.isArray(v) && !v.length)) ? displayJson(problem, 100) : undefined;
}

/** The problems a field holds, whatever its shape: null, one object, a string, or a list of those (null entries skipped). */
function problemsOf(value: unknown): string[] {
  const one = (v: unknown): string | undefined => {
    if (v === null || v === undefined || v === false || v === '' || v === 0) return undefined;
    if (typeof v === 'string') return oneLine(v, 300);
    if (isPlainObject(v)) return describeProblem(v);
    if (Array.isArray(v)) return v.length ? displayJson(v, 100) : undefined;
    return displayJson(v);
  };
  const list = Array.isArray(value) ? value : [value];
  return list.map(one).filter((p): p is string => p !== undefined);
}

const idOf = (value: unknown): string | undefined => {
  const id = isPlainObject(value) ? value.id : undefined;
  return typeof id === 'string' || typeof id === 'number' ? String(id) : undefined;
};

/** Why an answer is not the documented object, or undefined when it is one. */
function notAnObject(status: number, body: unknown): string | undefined {
  if (isPlainObject(body)) return undefined;
  if (body === undefined) return `the API answered HTTP ${status} with no body`;
  if (Array.isArray(body)) return `the API answered HTTP ${status} with a JSON list, not the documented object`;
  return `the API answered HTTP ${status} with ${displayJson(body, 60)}, not the documented object`;
}

/** One result of a per-item list. */
function perItem(shape: Extract<ItemAnswer, { form: 'per-item' }>, result: unknown): ItemResult {
  if (!isPlainObject(result)) return { state: 'unknown', detail: result === null ? 'its result is null' : 'its result is missing or not an object' };
  const problems = problemsOf(result[shape.problems]);
  const status = (rule: { field: string; values: readonly string[] } | undefined) => {
    const value = rule ? result[rule.field] : undefined;
    return typeof value === 'string' && rule!.values.includes(value) ? value : undefined;
  };
  const failedStatus = status(shape.failed);
  if (problems.length || failedStatus) return { state: 'failed', detail: problems.join('; ') || `${shape.failed!.field} ${failedStatus}` };
  if (shape.data !== undefined) {
    const data = result[shape.data];
    if (isPlainObject(data)) return { state: 'applied', ...(idOf(data) ? { id: idOf(data) } : {}) };
    return { state: 'unknown', detail: `no \`${shape.data}\` and no \`${shape.problems}\`` };
  }
  if (shape.applied && !status(shape.applied)) return { state: 'unknown', detail: `\`${shape.applied.field}\` is not ${shape.applied.values.join(' or ')}` };
  return { state: 'applied', ...(idOf(result) ? { id: idOf(result) } : {}) };
}

const plural = (n: number, one: string, many: string) => (n === 1 ? one : many);

/** The headline over per-item lines: exactly what the counts say, or undefined when every item was applied. */
function headline(applied: number, failed: number, unknown: number): { text: string; audit: string } | undefined {
  const total = applied + failed + unknown;
  if (!failed && !unknown) return undefined;
  if (total === 1) {
    return failed
      ? { text: 'FAILED: the only item failed; it was not applied.', audit: 'failed: the only item failed' }
      : { text: 'NOT CONFIRMED: the API did not say whether the only item was applied; read it before retrying.', audit: 'not confirmed: the API did not report on the only item' };
  }
  if (failed === total) return { text: `FAILED: all ${total} items failed; none was applied.`, audit: `failed: all ${total} items failed` };
  if (unknown === total) {
    return {
      text: `NOT CONFIRMED: the API did not say whether any of the ${total} items was applied; read them before retrying.`,
      audit: `not confirmed: the API did not report on any of the ${total} items`,
    };
  }
  const clauses: string[] = [];
  const audit: string[] = [];
  if (failed) {
    clauses.push(`${failed} of ${total} items failed`);
    audit.push(`${failed} of ${total} items failed`);
  }
  if (unknown) {
    clauses.push(`the API did not say whether ${unknown} ${failed ? plural(unknown, 'other item', 'others') : `of ${total} items`} ${plural(unknown, 'was', 'were')} applied (read ${plural(unknown, 'it', 'them')} before retrying)`);
    audit.push(`${unknown} of ${total} not reported`);
  }
  if (applied) clauses.push(`the other ${applied === 1 ? 'one was' : `${applied} were`} applied`);
  return { text: `${failed ? 'PARTIAL FAILURE' : 'NOT CONFIRMED'}: ${clauses.join('; ')}.`, audit: `${failed ? 'partial' : 'not confirmed'}: ${audit.join(', ')}` };
}

/** The answer had nothing usable item by item: every item sent is unknown. */
function noAnswer(reason: string, sent: number): Told {
  const which = sent === 1 ? 'whether the only item was applied' : sent ? `which of the ${sent} items were applied` : 'what was applied';
  return {
    text: `NOT CONFIRMED: ${reason}, so it did not say ${which}; ${sent === 1 ? 'read it' : sent ? 'read them' : 'check'} before retrying.`,
    audit: `not confirmed: ${reason.replace(/^the API answered /, '')}`,
    items: Array.from({ length: sent }, () => ({ state: 'unknown' as const, detail: reason })),
  };
}

function listLines(results: readonly ItemResult[], label: (i: number) => string): string[] {
  return results.map((r, i) => {
    if (r.state === 'applied') return `${label(i)}: ok${r.id ? ` (id ${oneLine(r.id, 40)})` : ''}`;
    if (r.state === 'failed') return `${label(i)}: FAILED: ${r.detail ?? 'error'}`;
    return `${label(i)}: NOT REPORTED: the API did not say whether it was applied (${r.detail ?? 'no result'})`;
  });
}

function tally(results: readonly ItemResult[]) {
  return {
    applied: results.filter((r) => r.state === 'applied').length,
    failed: results.filter((r) => r.state === 'failed').length,
    unknown: results.filter((r) => r.state === 'unknown').length,
  };
}

/**
 * What a write's answer says of the items sent: per-item lines, a headline when not every item was applied, and the
 * audit outcome. Total: any body (none, a scalar, a list, an object with any fields null or missing) gives an answer.
 */
export function tellItems(shape: ItemAnswer | undefined, sentBody: unknown, status: number, body: unknown): Told {
  if (!shape || shape.form === 'none') return { audit: 'ok' };
  switch (shape.form) {
    case 'per-item': {
      const sent = countSent(shape.sent, sentBody);
      const odd = notAnObject(status, body);
      if (odd) return noAnswer(odd, sent);
      const list = (body as Record<string, unknown>)[shape.list];
      if (!Array.isArray(list)) return noAnswer(`the answer's \`${shape.list}\` is ${list === undefined ? 'missing' : list === null ? 'null' : 'not a list'}`, sent);
      const total = Math.max(sent, list.length);
      const results = Array.from({ length: total }, (_, i) => (i < list.length ? perItem(shape, list[i]) : { state: 'unknown' as const, detail: 'the answer has no result for it' }));
      const { applied, failed, unknown } = tally(results);
      const head = headline(applied, failed, unknown);
      const lines = listLines(results, (i) => `item ${i + 1}`);
      if (sent && list.length && list.length !== sent) {
        lines.unshift(`The API answered ${list.length} ${plural(list.length, 'result', 'results')} for the ${sent} ${plural(sent, 'item', 'items')} sent; they are matched by position.`);
      }
      if (head) lines.unshift(head.text);
      return { text: lines.join('\n'), audit: head?.audit ?? 'ok', items: results };
    }
    case 'split': {
      const sent = countSent(shape.sent, sentBody);
      const odd = notAnObject(status, body);
      if (odd) return noAnswer(odd, sent);
      const answer = body as Record<string, unknown>;
      const listed = (key: string) => (Array.isArray(answer[key]) ? (answer[key] as unknown[]) : []);
      // Null entries say nothing of any item: the items they stand for count as not reported.
      const applied: ItemResult[] = listed(shape.applied)
        .filter(isPlainObject)
        .map((entity) => ({ state: 'applied', ...(idOf(entity) ? { id: idOf(entity) } : {}) }));
      const failed: ItemResult[] = listed(shape.failed).filter((error) => error !== null && error !== undefined).map((error) => ({
        state: 'failed',
        detail: (isPlainObject(error) ? problemsOf(error[shape.problems]).join('; ') : '') || `listed under \`${shape.failed}\` without a message`,
      }));
      const unknown: ItemResult[] = Array.from({ length: Math.max(0, sent - applied.length - failed.length) }, () => ({ state: 'unknown', detail: 'in neither list of the answer' }));
      const results = [...applied, ...failed, ...unknown];
      const head = headline(applied.length, failed.length, unknown.length);
      const lines = [...listLines(applied, (i) => `applied ${i + 1}`), ...listLines(failed, (i) => `failed ${i + 1}`), ...listLines(unknown, (i) => `unreported ${i + 1}`)];
      if (sent && applied.length + failed.length > sent) lines.unshift(`The API listed ${applied.length + failed.length} results for the ${sent} ${plural(sent, 'item', 'items')} sent.`);
      if (head) lines.unshift(head.text);
      return { text: lines.length ? lines.join('\n') : undefined, audit: head?.audit ?? 'ok' };
    }
    case 'problems': {
      const odd = notAnObject(status, body);
      if (odd) return noAnswer(odd, 0);
      const problems = problemsOf((body as Record<string, unknown>)[shape.problems]);
      if (!problems.length) return { audit: 'ok' };
      return {
        text: `PROBLEMS REPORTED: the API answered HTTP ${status} but listed ${problems.length} ${plural(problems.length, 'problem', 'problems')} under \`${shape.problems}\`; check what took effect before retrying.\n${problems.map((p) => `- ${p}`).join('\n')}`,
        audit: `problems: ${problems.length} reported`,
      };
    }
    case 'flag': {
      const odd = notAnObject(status, body);
      if (odd) return noAnswer(odd, 0);
      const answer = body as Record<string, unknown>;
      const flag = answer[shape.flag];
      if (flag === true) return { audit: 'ok' };
      if (flag === false) {
        const why = shape.messages.flatMap((m) => problemsOf(answer[m]).map((p) => `${m}: ${p}`));
        return { text: `FAILED: the API answered \`${shape.flag}: false\`${why.length ? ` (${why.join('; ')})` : ''}; it was not done.`, audit: `failed: ${shape.flag} false` };
      }
      return noAnswer(`the answer's \`${shape.flag}\` is ${flag === undefined ? 'missing' : displayJson(flag, 40)}`, 0);
    }
    case 'boolean': {
      if (body === true) return { audit: 'ok' };
      if (body === false) return { text: 'FAILED: the API answered `false`: it was not done.', audit: 'failed: the API answered false' };
      return noAnswer(body === undefined ? `the API answered HTTP ${status} with no body` : `the API answered HTTP ${status} with ${displayJson(body, 60)}, not true or false`, 0);
    }
  }
}
