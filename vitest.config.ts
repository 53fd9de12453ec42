// Test runner settings: generous timeouts (CI machines are small and busy; timing targets live in benchmarks).
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Removes the temporary directories each test file made (test/helpers/temp.ts), when the file ends.
    setupFiles: ['test/setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // expect.poll waits for what a page or a server does on its own: 1 s (vitest's default) is short on a loaded machine.
    expect: { poll: { timeout: 20_000, interval: 20 } },
  },
});
