#!/usr/bin/env node
// Command-line entry point: read the configuration, build the app, serve it over the chosen transport.
import { ConfigError, helpText, loadConfig } from './config.js';
import { createLogger } from './logger.js';
import { createApp } from './server.js';
import { serveStdio } from './transports/stdio.js';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n\n${helpText()}`);
    process.exit(2);
  }
  if (config.help) {
    process.stderr.write(helpText());
    return;
  }
  const logger = createLogger(config.logLevel);
  let stopDemo = async () => {};
  if (config.demo) {
    // Offline demo: the fake Pinterest API runs in this process on loopback; no token needed.
    const { startEmulator } = await import('./emulator/server.js');
    const emulator = await startEmulator({ acceptedTokens: ['demo-token'] });
    config.pinterest = { ...config.pinterest, baseUrl: emulator.url, accessToken: 'demo-token', sandbox: false };
    stopDemo = () => emulator.close();
    logger.info({ url: emulator.url }, 'demo mode: serving a fake Pinterest API on loopback');
  }
  const app = await createApp(config, logger);
  const stop = await serveStdio(app);
  const shutdown = async () => {
    await stop();
    await app.close();
    await stopDemo();
    process.exit(0);
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
  process.stdin.once('end', shutdown);
}

main().catch((error: unknown) => {
  process.stderr.write(`pinterest-api-mcp failed to start: ${(error as Error).message}\n`);
  process.exit(1);
});
