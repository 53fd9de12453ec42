// Downloads a finished report file from the URL the API returned (pre-signed: no Authorization header is sent).
import { MAX_NESTING, nestsDeeperThan } from '../core/walk.js';
import { ResponseTooLarge, boundedFetch } from './fetch.js';

export interface DownloadOptions {
  signal?: AbortSignal;
  timeoutMs: number;
  /** Largest file read; a bigger one is refused while it streams. */
  maxResponseBytes: number;
}

/** The report file as JSON; throws an Error whose message says what went wrong (for the tool's answer). */
export async function downloadJson(url: string, options: DownloadOptions): Promise<unknown> {
  const parsed = new URL(url);
  if (parsed.protocol !== 'https:' && !['127.0.0.1', 'localhost', '[::1]'].includes(parsed.hostname)) {
    throw new Error(`refusing to download a report over ${parsed.protocol} from ${parsed.hostname}`);
  }
  const { default: ky } = await import('ky'); // loaded on use, like the API client
  let report: unknown;
  try {
    report = await ky
      .get(url, {
        signal: options.signal,
        timeout: options.timeoutMs,
        fetch: boundedFetch(options.maxResponseBytes),
        retry: { limit: 2, shouldRetry: ({ error }) => (error instanceof ResponseTooLarge ? false : undefined) },
      })
      .json();
  } catch (error) {
    if (error instanceof ResponseTooLarge) {
      throw new Error(`the report file is larger than ${error.limit} bytes (PINTEREST_MCP_MAX_RESPONSE_BYTES); ask for a shorter date range or fewer columns`);
    }
    if (error instanceof SyntaxError) throw new Error('the report file is not JSON');
    throw error;
  }
  if (nestsDeeperThan(report)) throw new Error(`the report file nests deeper than ${MAX_NESTING} levels, which no report does; it was not read`);
  return report;
}
