import { defineConfig, mergeConfig } from 'vitest/config';
import shared from '../../vitest.shared.js';

// Two projects, as in apps/cli: the tests against real Keycloak share one
// server (started by .ci/run, or by their globalSetup when run alone), so
// running any other test file never waits for a Keycloak.
export default mergeConfig(
  shared,
  defineConfig({
    test: {
      projects: [
        { extends: true, test: { name: 'server', include: ['test/**/*.test.ts'], exclude: ['test/keycloak/**', '**/node_modules/**'] } },
        { extends: true, test: { name: 'keycloak', include: ['test/keycloak/**/*.test.ts'], globalSetup: ['test/keycloak/support/global-setup.ts'] } },
      ],
    },
  }),
);
