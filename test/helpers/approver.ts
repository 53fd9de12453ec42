// A person at the approval page, without a browser: cookies, the pages' single-use CSRF fields, and a $BROWSER that records links.
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from './temp.js';
import { EVENTUALLY } from './waiting.js';

export interface PageAnswer {
  status: number;
  html: string;
  location?: string;
}

/** A `$BROWSER` command that records each link it is asked to open (one per line) and exits 0. */
export function recordingBrowser(): { command: string; links(): string[]; next(count?: number): Promise<string> } {
  const dir = tempDir('browser-');
  const file = join(dir, 'links.txt');
  const script = join(dir, 'open.sh');
  writeFileSync(file, '');
  writeFileSync(script, `#!/bin/sh\nprintf '%s\\n' "$1" >> '${file}'\n`);
  chmodSync(script, 0o755);
  const links = () => readFileSync(file, 'utf8').split('\n').filter(Boolean);
  return {
    command: `${script} %s`,
    links,
    /** Waits for the `count`-th link (1-based; default: one more than now), as long as a loaded machine may need. */
    async next(count = links().length + 1) {
      // Counted in polls, not read from Date: tests that freeze Date wait here too.
      for (let polls = EVENTUALLY.timeout / EVENTUALLY.interval; polls > 0; polls--) {
        const all = links();
        if (all.length >= count) return all[count - 1];
        await new Promise((r) => setTimeout(r, EVENTUALLY.interval));
      }
      throw new Error(`no approval link was opened within ${EVENTUALLY.timeout} ms`);
    },
  };
}

/** The CSRF field of the form posting to `action` (`/approvals/<id>/approve`), from a page. */
export function csrfOf(html: string, action: string): string {
  const form = new RegExp(`<form method="post" action="${action.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}"><input type="hidden" name="csrf" value="([^"]+)">`).exec(html);
  if (!form) throw new Error(`no form for ${action} on the page:\n${html.slice(0, 2000)}`);
  return form[1];
}

/**
 * One person's browser session at `base` (`http://127.0.0.1:PORT`): a cookie jar, redirects not followed. `fetch`
 * (e.g. fetchFrom in ./http.ts) decides the address the browser's requests come from.
 */
export class PageApprover {
  private readonly cookies = new Map<string, string>();

  constructor(
    readonly base: string,
    private readonly fetch: typeof globalThis.fetch = globalThis.fetch,
  ) {}

  private remember(headers: Headers): void {
    for (const line of headers.getSetCookie()) {
      const [pair] = line.split(';');
      const at = pair.indexOf('=');
      const name = pair.slice(0, at);
      const value = pair.slice(at + 1);
      if (value) this.cookies.set(name, value);
      else this.cookies.delete(name);
    }
  }

  private headers(extra: Record<string, string>): Record<string, string> {
    const cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    return { ...(cookie ? { cookie } : {}), ...extra };
  }

  async get(path: string, extra: Record<string, string> = {}): Promise<PageAnswer> {
    const response = await this.fetch(new URL(path, this.base), { redirect: 'manual', headers: this.headers(extra) });
    this.remember(response.headers);
    return { status: response.status, html: await response.text(), location: response.headers.get('location') ?? undefined };
  }

  /** Posts a form as the page would (Origin: the page's own, unless `origin` says otherwise; null sends none). */
  async post(path: string, form: Record<string, string>, origin: string | null = this.base, extra: Record<string, string> = {}): Promise<PageAnswer> {
    const response = await this.fetch(new URL(path, this.base), {
      method: 'POST',
      redirect: 'manual',
      headers: this.headers({ 'content-type': 'application/x-www-form-urlencoded', ...(origin ? { origin } : {}), ...extra }),
      body: new URLSearchParams(form).toString(),
    });
    this.remember(response.headers);
    return { status: response.status, html: await response.text(), location: response.headers.get('location') ?? undefined };
  }

  /** stdio: opens a sign-in link (its single-use key becomes a session cookie). */
  async openLink(link: string): Promise<PageAnswer> {
    const url = new URL(link);
    return this.get(url.pathname + url.search);
  }

  /** HTTP: signs in on the form with `token`. */
  async signIn(token: string): Promise<PageAnswer> {
    const form = await this.get('/approvals');
    return this.post('/approvals/sign-in', { csrf: csrfOf(form.html, '/approvals/sign-in'), token });
  }

  /** The approval's page, and the CSRF field of its Approve or Reject form. */
  async formFor(id: string, decision: 'approve' | 'reject'): Promise<string> {
    const page = await this.get(`/approvals/${id}`);
    return csrfOf(page.html, `/approvals/${id}/${decision}`);
  }

  /** Renders the page and sends its Approve (or Reject) form. */
  async decide(id: string, decision: 'approve' | 'reject'): Promise<PageAnswer> {
    return this.post(`/approvals/${id}/${decision}`, { csrf: await this.formFor(id, decision) });
  }
}
