import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The kernel and API suites start real worker threads and servers; keep the 2-core CI machine unsaturated.
    maxWorkers: 2,
    testTimeout: 30_000,
  },
});
