import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['apps/*/test/**/*.test.ts', 'packages/*/test/**/*.test.ts', 'test/stack/**/*.test.ts'],
    // Starts (or finds) the Postgres every suite talks to and builds a migrated template database.
    globalSetup: ['./packages/db/test/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
