// The sqlite store's tests and the Node they run on: node:sqlite exists from Node 22.13; CI's Node 20 has none.
import type { TestContext } from 'vitest';
import { loadNodeSqlite } from '../../src/core/sqlite-store.js';

/** node:sqlite in this process: the sqlite store works here. */
export const NODE_SQLITE = loadNodeSqlite();

/**
 * Skips a test of the working sqlite store where Node has no node:sqlite, saying so in the report: `npm run check:node`
 * runs these tests on Node 22 and 24 (in CI after the suite), and on Node 20 the refusal is what is tested
 * (test/core/sqlite-store.test.ts).
 */
export function needsNodeSqlite(ctx: TestContext): void {
  if (!NODE_SQLITE) ctx.skip(`node:sqlite is missing on Node ${process.version}: npm run check:node runs this test on Node 22 and 24`);
}

/** Node options that make a Node without node:sqlite (on Node 22.13+, --no-experimental-sqlite hides the module). */
export const WITHOUT_NODE_SQLITE: readonly string[] = NODE_SQLITE ? ['--no-experimental-sqlite'] : [];
