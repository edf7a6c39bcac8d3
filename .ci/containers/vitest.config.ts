// The container step's browser test (.ci/containers/stack.sh runs it against the running stack);
// never part of `pnpm test`, which has no containers to talk to.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    root: new URL('../..', import.meta.url).pathname,
    include: ['.ci/containers/test/*.test.ts'],
    testTimeout: 180_000,
    hookTimeout: 60_000,
  },
});
