// Downloads a finished report file from the URL the API returned (pre-signed: no Authorization header is sent).

export async function downloadJson(url: string, options: { signal?: AbortSignal; timeoutMs: number }): Promise<unknown> {
  const parsed = new URL(url);
  if (parsed.protocol !== 'https:' && !['127.0.0.1', 'localhost', '[::1]'].includes(parsed.hostname)) {
    throw new Error(`refusing to download a report over ${parsed.protocol} from ${parsed.hostname}`);
  }
  const { default: ky } = await import('ky'); // loaded on use, like the API client
  return ky.get(url, { signal: options.signal, timeout: options.timeoutMs, retry: { limit: 2 } }).json();
}
