import { defineConfig } from 'vitest/config';

// End-to-end suite: a real PostgreSQL server (installed from Debian's packages when missing) under
// injected faults, its logs read back by hindsight. One file at a time: the server is a shared resource.
export default defineConfig({
  test: {
    include: ['test/e2e/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 240_000,
    fileParallelism: false,
  },
});
