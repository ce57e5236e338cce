import { defineConfig } from 'vitest/config';

export default defineConfig({
  // This folder is the project: its tests only, whichever directory vitest is started from.
  root: import.meta.dirname,
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['./global-setup.ts'],
    // Starting the topology (and, under Docker, building the sentinel image) takes a while; a
    // failover test waits for the master to move and for the old one to come back.
    hookTimeout: 180_000,
    testTimeout: 120_000,
  },
});
