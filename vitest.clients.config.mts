import { defineConfig } from 'vitest/config';

/** `npm run test:clients`: the real Claude Code, Codex and Gemini CLIs through Sluice (scripts/test-clients.mjs). */
export default defineConfig({
  test: {
    include: ['test/clients/**/*.test.ts'],
    testTimeout: 300_000,
    hookTimeout: 60_000,
    pool: 'forks',
    setupFiles: ['test/support/test-env.ts'],
    fileParallelism: false,
    reporters: ['verbose'],
  },
});
