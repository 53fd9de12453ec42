// Run before each test file (vitest.config.ts, setupFiles), in the file's own process: its hooks are the file's.
import { aroundAll } from 'vitest';
import { removeTempDirs } from './helpers/temp.js';

// The temporary directories the file made (helpers/temp.ts) go when it ends. aroundAll at the file's top level wraps
// the whole file: it goes on after every afterAll hook, every cleanup a beforeAll returned and every file fixture's
// teardown, even when one of those threw (an afterAll here would run before the beforeAll cleanups, and not at all
// after an afterAll that threw), so any server written into a directory is closed before the directory goes.
aroundAll(async (runFile) => {
  try {
    await runFile();
  } finally {
    removeTempDirs();
  }
});
