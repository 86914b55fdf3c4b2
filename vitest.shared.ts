import { defineConfig } from 'vitest/config';

// Shared by every package's vitest.config.ts. Real components (an IdP,
// chromium, child processes) make tests slower than unit tests: generous
// timeouts, and a JSON report for .ci/summarize-tests.mjs.
export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 60_000,
    reporters: ['default', ['json', { outputFile: 'test-results/vitest.json' }]],
  },
});
