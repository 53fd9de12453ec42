// The sqlite store over node:sqlite: keyv's operations on it, files of the earlier adapter, and the refusal where Node lacks it.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Keyv } from 'keyv';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { NodeSqliteStore } from '../../src/core/sqlite-store.js';
import { createStore, purgeExpired } from '../../src/core/store.js';
import { SERVER_ENTRY, TOKEN } from '../helpers/harness.js';
import { NODE_SQLITE, WITHOUT_NODE_SQLITE, needsNodeSqlite } from '../helpers/sqlite.js';
import { tempDir } from '../helpers/temp.js';

let dir = '';
beforeAll(() => {
  dir = tempDir('sqlite-store-');
});

describe('the sqlite store (node:sqlite)', () => {
  it('sqlite: keyv gets, lists, deletes and clears entries of its own namespace only; expired entries are absent', async (ctx) => {
    needsNodeSqlite(ctx);
    const file = join(dir, 'operations.sqlite');
    const store = await createStore(`sqlite:${file}`);
    // Another namespace in the same file: what it holds must survive every operation of the store's own.
    const neighbour = new NodeSqliteStore(NODE_SQLITE!, file, 5_000);
    const other = new Keyv({ store: neighbour, namespace: 'other_%', throwOnErrors: true });
    try {
      await other.set('confirm:a', 'theirs');
      await store.set('confirm:a', { amount: '12.50' });
      await store.set('confirm:b', 2);
      await store.set('confirm:short', 3, 50);
      expect(await store.get('confirm:a')).toEqual({ amount: '12.50' });
      expect(await store.get(['confirm:a', 'confirm:missing', 'confirm:b'])).toEqual([{ amount: '12.50' }, undefined, 2]);
      const until = Date.now() + 50;
      await vi.waitFor(() => expect(Date.now()).toBeGreaterThan(until + 5), { timeout: 5_000, interval: 10 });
      expect(await store.has('confirm:short')).toBe(false);
      expect(await store.has('confirm:b')).toBe(true);

      const listed: [string, unknown][] = [];
      for await (const [key, value] of store.iterator!(store.namespace as never)) listed.push([key as string, value]);
      expect(listed.sort()).toEqual([['confirm:a', { amount: '12.50' }], ['confirm:b', 2]]);

      expect(await store.delete('confirm:a')).toBe(true);
      expect(await store.delete('confirm:a')).toBe(false);
      expect(await store.delete(['confirm:b', 'confirm:missing'])).toBe(true);
      expect(await store.delete(['confirm:b'])).toBe(false);
      await store.set('confirm:c', 'gone after clear');
      await store.clear();
      expect(await store.get('confirm:c')).toBeUndefined();
      expect(await other.get('confirm:a')).toBe('theirs');
      const theirs: unknown[] = [];
      for await (const [key] of other.iterator!(other.namespace as never)) theirs.push(key);
      expect(theirs).toEqual(['confirm:a']);
    } finally {
      await store.disconnect();
      await other.disconnect();
    }
  });

  it('sqlite: opens a store file the earlier adapter (@keyv/sqlite) wrote, reads its entries and purges its expired rows', async (ctx) => {
    needsNodeSqlite(ctx);
    const file = join(dir, 'earlier.sqlite');
    // The table exactly as @keyv/sqlite 4 created it, with the rows keyv wrote through it.
    const earlier = new NODE_SQLITE!.DatabaseSync(file);
    earlier.exec('CREATE TABLE IF NOT EXISTS pinterest_mcp(key VARCHAR(255) PRIMARY KEY, value TEXT )');
    const insert = earlier.prepare('INSERT INTO pinterest_mcp(key, value) VALUES (?, ?)');
    insert.run('pinterest-mcp:approval:apr_1', JSON.stringify({ value: { id: 'apr_1' }, expires: Date.now() + 600_000 }));
    insert.run('pinterest-mcp:confirm:cfm_old', JSON.stringify({ value: 1, expires: Date.now() - 1_000 }));
    earlier.close();

    const store = await createStore(`sqlite:${file}`);
    try {
      expect(await store.get('approval:apr_1')).toEqual({ id: 'apr_1' });
      // Purged at start: the expired row is gone from the file, not only hidden by keyv.
      const reader = new NODE_SQLITE!.DatabaseSync(file);
      const keys = () => reader.prepare('SELECT key FROM pinterest_mcp').all().map((row) => row.key);
      expect(keys()).toEqual(['pinterest-mcp:approval:apr_1']);
      await store.set('confirm:cfm_new', 1, 20);
      const until = Date.now() + 20;
      await vi.waitFor(() => expect(Date.now()).toBeGreaterThan(until + 5), { timeout: 5_000, interval: 10 });
      await purgeExpired(store);
      expect(keys()).toEqual(['pinterest-mcp:approval:apr_1']);
      reader.close();
    } finally {
      await store.disconnect();
    }
  });

  it('sqlite: the server opens its file, stops when stdin closes, and prints no ExperimentalWarning (Node 22 flags node:sqlite)', async (ctx) => {
    needsNodeSqlite(ctx);
    const file = join(dir, 'started.sqlite');
    const child = spawn(process.execPath, [SERVER_ENTRY, '--store', `sqlite:${file}`], {
      env: { PATH: process.env.PATH ?? '', PINTEREST_ACCESS_TOKEN: TOKEN, PINTEREST_MCP_LOG_LEVEL: 'warn' },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
    child.stdin.end();
    const [code] = (await once(child, 'exit')) as [number | null];
    expect(code, stderr).toBe(0);
    expect(stderr).toBe('');
    expect(existsSync(file)).toBe(true);
  });

  it('sqlite: where Node has no node:sqlite, the server refuses --store sqlite: in one line that says what to do', async () => {
    // On Node 20 as it is; on Node 22.13+ started with --no-experimental-sqlite, which hides the module.
    const file = join(dir, 'refused.sqlite');
    const child = spawn(process.execPath, [...WITHOUT_NODE_SQLITE, SERVER_ENTRY, '--store', `sqlite:${file}`], {
      env: { PATH: process.env.PATH ?? '', PINTEREST_ACCESS_TOKEN: TOKEN },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
    const [code] = (await once(child, 'exit')) as [number | null];
    expect(code).toBe(1);
    expect(stdout).toBe('');
    const lines = stderr.trimEnd().split('\n');
    expect(lines, stderr).toHaveLength(1);
    const why = NODE_SQLITE ? `which this Node (${process.version}) was started without (--no-experimental-sqlite?)` : `which Node ${process.version} lacks (Node 22.13 and later have it)`;
    expect(lines[0]).toBe(
      `pinterest-api-mcp failed to start: cannot use the store sqlite:${file}: it needs node:sqlite, ${why}: ` +
        'run the server on Node 22.13 or later, or use --store memory or --store redis://HOST:PORT',
    );
    expect(existsSync(file)).toBe(false);
  });
});
