import { defineConfig } from 'vitest/config';

// End-to-end suite: a real PostgreSQL server (installed from Debian's packages when missing) under
// injected faults, and the stack lab (real Node and Python services, PostgreSQL and Redis, see
// test/e2e/stack-lab.test.ts), their logs read back by hindsight. One file at a time: the machine's
// cores are the shared resource.
export default defineConfig({
  test: {
    include: ['test/e2e/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 240_000,
    fileParallelism: false,
  },
});
