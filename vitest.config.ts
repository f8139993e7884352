import { defineConfig } from 'vitest/config';

// Unit tests: everything under test/ except the end-to-end suite, which needs a real
// PostgreSQL server and runs through vitest.e2e.config.ts.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['test/e2e/**', 'node_modules/**'],
    testTimeout: 30_000,
  },
});
