import { defineConfig } from 'vitest/config';

/**
 * One project per app, one for the packages, one for the stack tests (test/stack/, which start
 * several apps together): `pnpm test` runs them all, `pnpm vitest run --project auth` one of them.
 * Inline projects do not inherit the root's test options, so each gets these; the global setup stays
 * on the root alone, which runs it once per run and hands what it provides to every project.
 */
const shared = { testTimeout: 30_000, hookTimeout: 60_000, pool: 'forks' } as const;

const project = (name: string, include: string) => ({ test: { ...shared, name, include: [include] } });

export default defineConfig({
  test: {
    // Starts (or finds) the Postgres every suite talks to and builds a migrated template database.
    globalSetup: ['./packages/db/test/global-setup.ts'],
    projects: [
      project('auth', 'apps/auth/test/**/*.test.ts'),
      project('mcp', 'apps/mcp/test/**/*.test.ts'),
      project('admin', 'apps/admin/test/**/*.test.ts'),
      project('packages', 'packages/*/test/**/*.test.ts'),
      project('stack', 'test/stack/**/*.test.ts'),
    ],
  },
});
