import { startTestIdP, type TestIdP } from '@auth/testkit';
import { test as base } from 'vitest';
import { configToml, idpProfile } from './profiles.js';
import { Sandbox } from './sandbox.js';

/**
 * `idp`: one real test IdP per test file. `sandbox`: a fresh, empty
 * AUTHCTL_HOME per test, removed afterwards.
 */
export const test = base.extend<{ idp: TestIdP; sandbox: Sandbox }>({
  idp: [
    async ({}, use) => {
      const idp = await startTestIdP();
      await use(idp);
      await idp.close();
    },
    { scope: 'file' },
  ],
  sandbox: async ({}, use) => {
    const sandbox = await Sandbox.create();
    await use(sandbox);
    await sandbox.remove();
  },
});

/** The same, each test starting from a default profile `dev` for the test IdP, whose knobs are back to normal. */
export const devProfileTest = test.extend<{ devProfile: void }>({
  devProfile: [
    async ({ idp, sandbox }, use) => {
      idp.setAccessTokenTtl(3600);
      idp.resetCounts();
      await sandbox.writeConfig(configToml({ dev: idpProfile(idp.issuer) }, 'dev'));
      await use();
    },
    { auto: true },
  ],
});
