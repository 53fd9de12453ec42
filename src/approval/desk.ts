// Where a person meets each new approval: stdio's loopback page opened in their browser, or HTTP's /approvals; plus the webhook.
// node:http and node:child_process load when the page first starts or a browser first opens, not with the server.
import type { Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Approval } from '../guard/approvals.js';
import { destination } from '../guard/deployment.js';
import { redactor } from '../core/redact.js';
import type { ApprovalDesk, OpenUrl } from '../guard/types.js';
import type { Logger } from '../core/logger.js';
import type { ApprovalWeb } from './web.js';

/** How long an opener may run before it counts as having opened the page (a browser command may keep running). */
const OPENER_WAIT_MS = 1_500;
const WEBHOOK_TIMEOUT_MS = 5_000;

/** What the webhook receives: enough to decide whether to look, nothing secret (no link, no credential; redacted). */
export function webhookSummary(approval: Approval) {
  return redactor.value({
    event: 'approval.created',
    approval_id: approval.id,
    tool: approval.tool,
    ad_account_id: approval.account,
    currency: approval.currency,
    ...(approval.currency_assumed ? { currency_assumed: approval.currency_assumed } : {}),
    destination: destination(approval.deployment),
    summary: `${approval.summary.heading} ${approval.summary.verb}`,
    headline: approval.summary.headline,
    ...(approval.summary.title ? { title: approval.summary.title } : {}),
    ...(approval.summary.account?.name ? { account_name: approval.summary.account.name } : {}),
    in_words: approval.summary.plain ?? [],
    changes: approval.summary.lines,
    expires_at: approval.expires_at,
    page: `/approvals/${approval.id}`,
  });
}

/**
 * Posts the approval's summary to the operator's webhook and says, for the held answer, whether it was told; failures
 * are logged, never in the way of the call (bounded by WEBHOOK_TIMEOUT_MS).
 */
async function notify(webhook: string | undefined, approval: Approval, logger: Logger): Promise<string> {
  if (!webhook) return '';
  try {
    const response = await fetch(webhook, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(webhookSummary(approval)),
      signal: AbortSignal.timeout(WEBHOOK_TIMEOUT_MS),
      redirect: 'error',
    });
    await response.body?.cancel();
    if (response.ok) return ' The operator\'s approval webhook was notified.';
    logger.warn({ status: response.status, approval: approval.id }, 'the approval webhook answered an error');
  } catch (error) {
    logger.warn({ err: error, approval: approval.id }, 'the approval webhook could not be reached');
  }
  return ' The operator\'s approval webhook could not be notified (see the server log).';
}

/**
 * The command that opens a URL: the first entry of `$BROWSER` (`%s` stands for the URL, else it is appended), else
 * the platform's opener. Run without a shell, so nothing in a URL is interpreted.
 */
export function openerCommand(browser: string | undefined, url: string, platform = process.platform): string[] {
  const first = browser?.split(platform === 'win32' ? ';' : ':')[0]?.trim();
  if (first) {
    const words = first.split(/\s+/);
    return words.some((w) => w.includes('%s')) ? words.map((w) => w.replaceAll('%s', url)) : [...words, url];
  }
  if (platform === 'darwin') return ['open', url];
  if (platform === 'win32') return ['cmd', '/c', 'start', '""', url];
  return ['xdg-open', url];
}

/** Runs the opener; true when it exited 0, or is still running after a moment (a browser that stays open). */
async function openBrowser(command: string[]): Promise<boolean> {
  const { spawn } = await import('node:child_process');
  return new Promise((resolve) => {
    const child = spawn(command[0], command.slice(1), { stdio: 'ignore', detached: true, windowsVerbatimArguments: command[0] === 'cmd' });
    const timer = setTimeout(() => {
      child.unref();
      resolve(true);
    }, OPENER_WAIT_MS);
    child.once('error', () => {
      clearTimeout(timer);
      resolve(false);
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve(code === 0);
    });
  });
}

export interface LocalDeskOptions {
  web: ApprovalWeb;
  /** Loopback port of the page; 0 picks a free one. */
  port: number;
  /** `$BROWSER`, as configured. */
  browser?: string;
  webhook?: string;
  logger: Logger;
  /**
   * Whether the client's own means may carry a sign-in link when no browser opens: its "open a link" dialog and this
   * process's stderr (which the client reads). Only where the client is the person's app (the `dialog` channel):
   * otherwise the bot would hold the link that approves.
   */
  clientMayCarryLinks: boolean;
  /** A browser tab opens at most once per this many seconds; approvals made in between wait on the list. */
  tabSeconds: number;
  /** Where the sign-in link goes when no browser opens (the process's stderr; never the MCP client's log). */
  printLink?: (line: string) => void;
}

/**
 * stdio: the approval page on 127.0.0.1, started with the first approval. Each approval opens a single-use sign-in
 * link in the person's browser, at most one tab per `tabSeconds`; with no browser, the link goes where the client's
 * own means count (stderr, its link dialog) or nowhere.
 */
export class LocalApprovalDesk implements ApprovalDesk {
  private server?: Promise<{ server: HttpServer; base: string }>;
  /** When a tab last opened (ms), for the tab bound. */
  private lastTab = Number.NEGATIVE_INFINITY;
  /** Someone opened the page without being signed in since the last link: the next poll may open a fresh one. */
  private signInWanted = false;

  constructor(private readonly options: LocalDeskOptions) {
    options.web.onSignInWanted = () => {
      this.signInWanted = true;
    };
  }

  /** The page's address (`http://127.0.0.1:PORT`), starting it on first use. */
  async base(): Promise<string> {
    this.server ??= this.listen();
    return (await this.server).base;
  }

  async address(approval: Approval): Promise<string> {
    return `${await this.base()}/approvals/${approval.id}`;
  }

  async listAddress(): Promise<string> {
    return `${await this.base()}/approvals`;
  }

  async announce(approval: Approval, openUrl?: OpenUrl): Promise<string> {
    const told = await notify(this.options.webhook, approval, this.options.logger);
    return (await this.open(approval, openUrl, false)) + told;
  }

  /**
   * A poll of a pending approval: when the person came back to the page signed out (they closed the browser), opens a
   * fresh sign-in link for them (within the tab bound). Undefined when nothing was opened.
   */
  async remind(approval: Approval): Promise<string | undefined> {
    if (!this.signInWanted) return undefined;
    return this.open(approval, undefined, true);
  }

  /** Opens a sign-in link to the approval in the browser (or says where it is), in one sentence for the model. */
  private async open(approval: Approval, openUrl: OpenUrl | undefined, reminder: boolean): Promise<string> {
    const { logger } = this.options;
    let base: string;
    try {
      base = await this.base();
    } catch (error) {
      logger.error({ err: error }, 'the approval page could not start');
      return 'The approval page could not start on this computer (see the server log), so no one can decide this approval here.';
    }
    const page = `${base}/approvals/${approval.id}`;
    const now = Date.now();
    if (now - this.lastTab < this.options.tabSeconds * 1000) {
      logger.info({ approval: approval.id, page }, 'approval created; a tab opened moments ago, so it waits on the list');
      return `A browser tab opened for an earlier approval moments ago, so none opened for this one: it waits on the approval page's list (${base}/approvals), at ${page}.`;
    }
    let link: string;
    try {
      link = base + (await this.options.web.signInLink(approval));
    } catch (error) {
      logger.error({ err: error }, 'the approval sign-in link could not be made');
      return `The approval page is at ${page}, but no sign-in link could be made (see the server log).`;
    }
    const opened = await openBrowser(openerCommand(this.options.browser, link));
    logger.info({ approval: approval.id, page, opened }, reminder ? 'approval page reopened' : 'approval created');
    if (opened) {
      this.lastTab = now;
      this.signInWanted = false;
      return `${reminder ? 'A fresh sign-in to' : 'It opened in'} the user's web browser on this computer${reminder ? ' opened' : ''} (${page}).`;
    }
    if (!this.options.clientMayCarryLinks) {
      return (
        `No web browser could be opened on this computer, and this server gives sign-in links only to a browser (--approval-channels leaves out dialog), ` +
        `so the user cannot reach ${page} now: ask them to set BROWSER for this server, then ask again.`
      );
    }
    const print = this.options.printLink ?? ((line: string) => process.stderr.write(`${line}\n`));
    print(`pinterest-api-mcp: no browser could be opened; to approve or reject ${approval.tool}, open ${link}`);
    openUrl?.(link, `Approve or reject ${approval.tool} (${approval.summary.verb}) on this server's approval page.`);
    return `No web browser could be opened on this computer; the sign-in link went to the server log (stderr)${openUrl ? " and to this client's open-a-link dialog" : ''}. Once signed in, the page is ${page}.`;
  }

  private async listen(): Promise<{ server: HttpServer; base: string }> {
    const { web, logger } = this.options;
    const { createServer } = await import('node:http');
    const server = createServer((req, res) => {
      // Only this computer's browser, by a loopback name (a rebound DNS name is refused); only /approvals.
      const host = (req.headers.host ?? '').toLowerCase();
      const port = (server.address() as AddressInfo).port;
      if (![`127.0.0.1:${port}`, `localhost:${port}`].includes(host) || !(req.url ?? '').startsWith('/approvals')) {
        res.writeHead(404, { 'content-length': '0' }).end();
        return;
      }
      void web.handle(req, res);
    });
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.options.port, '127.0.0.1', () => {
        server.off('error', reject);
        server.unref();
        const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
        logger.info({ page: `${base}/approvals` }, 'approval page listening on loopback');
        resolve({ server, base });
      });
    });
  }

  async close(): Promise<void> {
    if (!this.server) return;
    const { server } = await this.server.catch(() => ({ server: undefined }));
    server?.closeAllConnections();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  }
}

/** HTTP: approvers sign in at this server's /approvals; the webhook (if any) tells them something waits. */
export class HttpApprovalDesk implements ApprovalDesk {
  /** `people`: the OAuth mode, where the person who asked signs in at `<publicUrl>/approvals` with the API (`label`). */
  constructor(private readonly options: { webhook?: string; logger: Logger; people?: { label: string; publicUrl: string } }) {}

  async address(approval: Approval): Promise<string> {
    const { people } = this.options;
    return people ? `${people.publicUrl}/approvals/${approval.id}` : `this server's /approvals/${approval.id}`;
  }

  async listAddress(): Promise<string> {
    const { people } = this.options;
    return people ? `${people.publicUrl}/approvals` : "this server's /approvals";
  }

  async announce(approval: Approval): Promise<string> {
    this.options.logger.info({ approval: approval.id, tool: approval.tool }, 'approval created');
    const told = await notify(this.options.webhook, approval, this.options.logger);
    const { people } = this.options;
    if (people) {
      return `It waits on this server's approval page, ${people.publicUrl}/approvals/${approval.id}: the user signs in there with ${people.label}, with the account they connected this server with.${told}`;
    }
    return `It waits on this server's approval page, /approvals/${approval.id}, where approvers sign in with their approver token.${told}`;
  }
}
