import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    setupFiles: ['test/setup/cleanup.ts'],
    // Integration tests start real processes on loopback; they pick free ports, so files can run
    // in parallel, but two cores are all CI has.
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
