import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/unit/**/*.test.ts', 'test/integration/**/*.test.ts', 'test/e2e/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // expect.poll waits for a state (a row done, a push arrived); its 1 s default is shorter than a loaded
    // two-core machine can take to get there. A poll that holds returns at once: the bound costs nothing.
    expect: { poll: { timeout: 10_000 } },
    pool: 'forks',
    setupFiles: ['test/support/test-env.ts'],
    reporters: ['default'],
  },
});
