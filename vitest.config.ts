import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    setupFiles: ['test/support/emulator-env.ts'],
    // Most test time is waiting (emulators, chains, leases), not CPU: three files at once on a
    // 2-core machine halve the wall time, and every test waits for states, not for time.
    maxWorkers: 3,
    testTimeout: 30_000,
    hookTimeout: 120_000,
  },
});
