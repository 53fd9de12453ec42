// Where a person meets each new approval: stdio's loopback page opened in their browser, or HTTP's /approvals; plus the webhook.
import { spawn } from 'node:child_process';
import { type Server as HttpServer, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Approval } from '../guards/approvals.js';
import type { ApprovalDesk, OpenUrl } from '../guards/types.js';
import type { Logger } from '../logger.js';
import type { ApprovalWeb } from './approval-web.js';

/** How long an opener may run before it counts as having opened the page (a browser command may keep running). */
const OPENER_WAIT_MS = 1_500;
const WEBHOOK_TIMEOUT_MS = 5_000;

/** What the webhook receives: enough to decide whether to look, nothing secret (no link, no credential). */
export function webhookSummary(approval: Approval) {
  return {
    event: 'approval.created',
    approval_id: approval.id,
    tool: approval.tool,
    ad_account_id: approval.account,
    currency: approval.currency,
    summary: `${approval.summary.heading} ${approval.summary.verb}`,
    headline: approval.summary.headline,
    changes: approval.summary.lines,
    expires_at: approval.expires_at,
    page: `/approvals/${approval.id}`,
  };
}

/** Posts the approval's summary to the operator's webhook; failures are logged, never in the way of the call. */
async function notify(webhook: string | undefined, approval: Approval, logger: Logger): Promise<void> {
  if (!webhook) return;
  try {
    const response = await fetch(webhook, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(webhookSummary(approval)),
      signal: AbortSignal.timeout(WEBHOOK_TIMEOUT_MS),
      redirect: 'error',
    });
    if (!response.ok) logger.warn({ status: response.status, approval: approval.id }, 'the approval webhook answered an error');
    await response.body?.cancel();
  } catch (error) {
    logger.warn({ err: error, approval: approval.id }, 'the approval webhook could not be reached');
  }
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
function open(command: string[]): Promise<boolean> {
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
  /** Where the sign-in link goes when no browser opens (the process's stderr; never the MCP client's log). */
  printLink?: (line: string) => void;
}

/**
 * stdio: the approval page on 127.0.0.1, started with the first approval. Each approval opens a single-use sign-in
 * link in the person's browser; with no browser, the link is printed on stderr.
 */
export class LocalApprovalDesk implements ApprovalDesk {
  private server?: Promise<{ server: HttpServer; base: string }>;

  constructor(private readonly options: LocalDeskOptions) {}

  where(): string {
    return 'on the approval page this server opened in their web browser on this computer (if none opened, the server log on stderr has its link)';
  }

  /** The page's address (`http://127.0.0.1:PORT`), starting it on first use. */
  async base(): Promise<string> {
    this.server ??= this.listen();
    return (await this.server).base;
  }

  async announce(approval: Approval, openUrl?: OpenUrl): Promise<void> {
    const { logger } = this.options;
    void notify(this.options.webhook, approval, logger);
    let link: string;
    try {
      link = (await this.base()) + (await this.options.web.signInLink(approval));
    } catch (error) {
      logger.error({ err: error }, 'the approval page could not start');
      return;
    }
    const opened = await open(openerCommand(this.options.browser, link));
    logger.info({ approval: approval.id, page: await this.base(), opened }, 'approval created');
    if (!opened) {
      const print = this.options.printLink ?? ((line: string) => process.stderr.write(`${line}\n`));
      print(`pinterest-api-mcp: no browser could be opened; to approve or reject ${approval.tool}, open ${link}`);
      openUrl?.(link, `Approve or reject ${approval.tool} (${approval.summary.verb}) on this server's approval page.`);
    }
  }

  private listen(): Promise<{ server: HttpServer; base: string }> {
    const { web, logger } = this.options;
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
  constructor(private readonly options: { webhook?: string; logger: Logger }) {}

  where(approval: Approval): string {
    return `on this server's approvals page, /approvals/${approval.id} (approvers sign in there with an approver token)`;
  }

  async announce(approval: Approval): Promise<void> {
    this.options.logger.info({ approval: approval.id, tool: approval.tool }, 'approval created');
    void notify(this.options.webhook, approval, this.options.logger);
  }
}
