// Serves one MCP connection over stdin/stdout, of either era: the opening message (initialize, or a per-request envelope) decides.
import { serveStdio as serve } from '@modelcontextprotocol/server/stdio';
import { type ApprovalSurface, NOBODY_WITH_THESE_CHANNELS, channelsLeaveNoWay } from '../approval/surface.js';
import type { Config } from '../config/index.js';
import type { Logger } from '../core/logger.js';
import { type App, STDIO_PEER, createApp } from '../server/app.js';
import { AnsweringStdioTransport } from './stdio-lines.js';

/**
 * stdio's approvals: the person's own computer. The approval page runs on loopback and opens in their browser with a
 * single-use sign-in link (when the `page` channel is on).
 */
export function stdioApprovalSurface(config: Pick<Config, 'approval'>): ApprovalSurface {
  const { approval } = config;
  return {
    page: approval.channels.includes('page')
      ? {
          signIn: { kind: 'link' },
          // Its module loads with the call machinery, not at start (the page itself starts with the first approval).
          desk: async (web, logger) =>
            new (await import('../approval/desk.js')).LocalApprovalDesk({
              web,
              port: approval.pagePort,
              browser: approval.browser,
              webhook: approval.webhook,
              logger,
              clientMayCarryLinks: approval.channels.includes('dialog'),
              tabSeconds: approval.tabSeconds,
            }),
        }
      : undefined,
    unavailable: channelsLeaveNoWay(approval.channels),
    nobody: NOBODY_WITH_THESE_CHANNELS,
    warnings: [],
  };
}

export async function serveStdio(app: App, logger: Logger): Promise<() => Promise<void>> {
  const transport = new AnsweringStdioTransport(({ what, code, id }) => logger.warn({ what, code, id }, 'refused a stdio line'));
  const handle = serve(({ era }) => app.createServer(era, STDIO_PEER), { transport, onerror: (error) => logger.debug({ err: error }, 'stdio protocol error') });
  return () => handle.close();
}

/** The app as `pinterest-api-mcp` runs it over stdio: the person's own computer offers the loopback approval page. */
export function createStdioApp(config: Config, logger: Logger): Promise<App> {
  return createApp(config, logger, stdioApprovalSurface(config));
}
