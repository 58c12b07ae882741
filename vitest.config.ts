import { defineConfig } from 'vitest/config';

// Two groups, one after the other. First the tests that only lint and read files, two files at a
// time: vitest's default is one worker fewer than the cores, which on a 2-core machine runs every file
// in turn, and these tests are nearly all of the suite's time. Then the tests that talk to the real
// MariaDB and PostgreSQL servers or spawn the CLI and the language server (test/runtime, test/e2e),
// one file at a time, as before: they kill sessions, fill connection limits and count the server's
// connections, which a concurrent file would disturb.
const SERVERS = ['test/runtime/**/*.test.ts', 'test/e2e/**/*.test.ts'];

export default defineConfig({
  test: {
    setupFiles: ['test/setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    projects: [
      {
        extends: true,
        test: { name: 'lint', include: ['test/**/*.test.ts'], exclude: SERVERS, maxWorkers: 2, sequence: { groupOrder: 0 } },
      },
      {
        extends: true,
        test: { name: 'servers', include: SERVERS, maxWorkers: 1, sequence: { groupOrder: 1 } },
      },
    ],
  },
});
