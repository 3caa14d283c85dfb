import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // A real llama-server for the remote mind's tests (built into the cache when missing), one
    // real PostgreSQL server for the image on PostgreSQL (a fresh database per test file), and
    // dist/ built from the sources under test (npm start runs it).
    globalSetup: [
      'test/support/build-setup.ts',
      'test/support/llama-server-setup.ts',
      'test/support/postgres-setup.ts',
    ],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    maxWorkers: 2,
  },
});
