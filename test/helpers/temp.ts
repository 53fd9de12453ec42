// Temporary directories for tests: each one is removed when the test file that made it ends, passed or failed (test/setup.ts).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The directories tempDir made in this test file and not yet removed. */
const made = new Set<string>();

/**
 * A new empty directory `<os temp dir>/<prefix>XXXXXX`, removed with everything in it after the test file ends: after
 * its afterAll hooks (servers written into it are closed by then), whether its tests passed or failed. Call it in a
 * test or a hook (beforeAll, beforeEach): a file whose tests are all filtered out (`-t`) runs no hooks, so a directory
 * made while the file is collected (at top level, or in a describe body) would be left behind.
 */
export function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  made.add(dir);
  return dir;
}

/** Removes every directory tempDir made (test/setup.ts, when a test file ends); throws if one could not be removed. */
export function removeTempDirs(): void {
  const failures: unknown[] = [];
  for (const dir of made) {
    try {
      // Retried: a process the file stopped may still be finishing a write into it.
      rmSync(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
      made.delete(dir);
    } catch (error) {
      failures.push(error);
    }
  }
  if (failures.length) throw new AggregateError(failures, `could not remove ${failures.length} temporary director${failures.length === 1 ? 'y' : 'ies'}: ${[...made].join(', ')}`);
}
