// Downloads a finished report file from the URL the API returned (pre-signed: no Authorization header is sent).
import { MAX_NESTING, nestsDeeperThan } from '../core/walk.js';
import { runAttempts } from './attempts.js';
import { ResponseTooLarge, sendBounded } from './fetch.js';

export interface DownloadOptions {
  signal?: AbortSignal;
  timeoutMs: number;
  /** Largest file read; a bigger one is refused while it streams. */
  maxResponseBytes: number;
}

/** Statuses after which the download is tried again (twice at most, after 0.3 s and 0.6 s). */
const REPEATED_STATUS = [408, 429, 500, 502, 503, 504];

/** The report file as JSON; throws an Error whose message says what went wrong (for the tool's answer). */
export async function downloadJson(url: string, options: DownloadOptions): Promise<unknown> {
  const parsed = new URL(url);
  if (parsed.protocol !== 'https:' && !['127.0.0.1', 'localhost', '[::1]'].includes(parsed.hostname)) {
    throw new Error(`refusing to download a report over ${parsed.protocol} from ${parsed.hostname}`);
  }
  const outcome = await runAttempts((signal) => sendBounded(url, { method: 'GET', headers: { accept: 'application/json' }, signal }, options.maxResponseBytes), {
    retries: 2,
    timeoutMs: options.timeoutMs,
    signal: options.signal,
    waitBefore: (retry, failure) => {
      const again = 'answer' in failure ? REPEATED_STATUS.includes(failure.answer.status) : !(failure.error instanceof ResponseTooLarge);
      return again ? 300 * 2 ** (retry - 1) : undefined;
    },
  });
  if ('error' in outcome) {
    const { error } = outcome;
    if (error instanceof ResponseTooLarge) {
      throw new Error(`the report file is larger than ${error.limit} bytes (PINTEREST_MCP_MAX_RESPONSE_BYTES); ask for a shorter date range or fewer columns`);
    }
    throw error;
  }
  // The status only: the URL is pre-signed, so it is never repeated in a message.
  if (!outcome.answer.ok) throw new Error(`the report file could not be downloaded (HTTP ${outcome.answer.status})`);
  let report: unknown;
  try {
    report = JSON.parse(outcome.answer.text());
  } catch {
    throw new Error('the report file is not JSON');
  }
  if (nestsDeeperThan(report)) throw new Error(`the report file nests deeper than ${MAX_NESTING} levels, which no report does; it was not read`);
  return report;
}
