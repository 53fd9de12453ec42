// Starts the server: read the configuration, build the app, serve it over the chosen transport (the entry, index.ts, loads this module only when there is a server to start).
import { randomBytes } from 'node:crypto';
import { ConfigError, DEMO_API, helpText, loadConfig, withDemoFake } from '../config/index.js';
import { createLogger } from '../core/logger.js';
import { createApp } from '../server/app.js';
import { startupFacts, startupLine } from '../server/startup.js';
import { createStdioApp, serveStdio } from '../transports/stdio.js';
import { VERSION } from '../core/version.js';

/** The demo's fake API (of DEMO_API): its own bundle beside this one (`dist/fake-api.js`), loaded only by `--demo`. */
const DEMO_FAKE_API = new URL('./fake-api.js', import.meta.url).href;
interface DemoFakeApi {
  startEmulator(options: {
    acceptedTokens: string[];
    oauth?: { apps: { id: string; secret: string; redirectUris: string[] }[] };
  }): Promise<{ url: string; oauthUrl: string; close(): Promise<void> }>;
}

/** The last line of a refusal at start: --help has every flag, variable and toolset (about a hundred lines). */
const SEE_HELP = 'Run with --help for every flag, variable and toolset.';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    // The refusal and where to look, not the whole help: the line that says what is wrong stays on screen.
    process.stderr.write(`${(error as Error).message}\n${SEE_HELP}\n`);
    process.exit(2);
  }
  // Asked for on the command line, where no protocol session runs: stdout is free for the answer.
  if (config.help) {
    process.stdout.write(helpText());
    return;
  }
  if (config.version) {
    process.stdout.write(`${VERSION}\n`);
    return;
  }
  const logger = createLogger(config.logLevel);
  // The HTTP transport (and the web stack under it) loads only when asked for: stdio start-up stays small.
  const http = config.transport === 'http' ? await import('../transports/http.js') : undefined;
  if (http) http.assertSafeBinding({ host: config.host, token: config.http.token, auth: config.http.auth }); // before anything connects
  let stopDemo = async () => {};
  if (config.demo) {
    // Offline demo: the fake API runs in this process on loopback; no token needed.
    const { startEmulator } = (await import(DEMO_FAKE_API)) as DemoFakeApi;
    // With --auth oauth, people sign in at the fake's page (Alice or Bob) to an app made for this run, whose tokens
    // are sealed with a key made for this run unless one is given.
    const oauth = config.transport === 'http' && config.http.auth === 'oauth' && config.http.publicUrl ? config.http.publicUrl : undefined;
    const demoApp = { id: 'demo-app', secret: randomBytes(16).toString('hex'), redirectUris: oauth ? [`${oauth}/oauth/callback`] : [] };
    const emulator = await startEmulator({ acceptedTokens: ['demo-token'], ...(oauth ? { oauth: { apps: [demoApp] } } : {}) });
    const signIn = oauth ? { appId: demoApp.id, appSecret: demoApp.secret, oauthUrl: emulator.oauthUrl } : undefined;
    config = withDemoFake(config, { url: emulator.url, token: 'demo-token', ...(signIn ? { signIn } : {}) });
    if (oauth && !config.http.tokenKey) config = { ...config, http: { ...config.http, tokenKey: randomBytes(32).toString('base64') } };
    stopDemo = () => emulator.close();
    logger.info({ url: emulator.url }, `demo mode: serving a fake ${DEMO_API?.label} API on loopback`);
  }
  const app = http ? await createApp(config, logger, http.httpApprovalSurface(config)) : await createStdioApp(config, logger);
  let stop: () => Promise<void>;
  if (http) {
    const handle = await http.serveHttp(app, http.httpOptions(config), logger).catch(async (error: unknown) => {
      await app.close();
      throw error;
    });
    stop = handle.close;
  } else {
    stop = await serveStdio(app, logger);
  }
  const facts = startupFacts(config, app);
  logger.info(facts, startupLine(facts));

  // Graceful: stop accepting, let calls in flight finish (bounded), close the store, exit 0. A second signal forces.
  let shuttingDown = false;
  const shutdown = async (reason: string) => {
    if (shuttingDown) {
      if (reason !== 'stdin closed') process.exit(1);
      return;
    }
    shuttingDown = true;
    logger.info({ reason }, 'shutting down');
    try {
      await stop();
      await app.close();
      await stopDemo();
    } catch (error) {
      logger.error({ err: error }, 'error while shutting down');
    }
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  if (config.transport === 'stdio') process.stdin.once('end', () => void shutdown('stdin closed'));
}

main().catch((error: unknown) => {
  // A setting refused while the app is built (an unknown toolset or tool) also points at --help.
  const hint = error instanceof ConfigError ? `${SEE_HELP}\n` : '';
  process.stderr.write(`pinterest-api-mcp failed to start: ${(error as Error).message}\n${hint}`);
  process.exit(1);
});
