import { createInsightsRealm, type InsightsRealm } from '@auth/provider-keycloak/testing';
import { inject, test as base } from 'vitest';
import { Sandbox } from '../../support/sandbox.js';

/** The shared Keycloak of this run (see global-setup.ts). */
export const keycloak = () => inject('keycloak');

/** `realm`: a realm of its own per test file, deleted after it (`tag` keeps the files' realm names apart). `sandbox`: a fresh AUTHCTL_HOME per test. */
export function realmTest(tag: string) {
  return base.extend<{ realm: InsightsRealm; sandbox: Sandbox }>({
    realm: [
      async ({}, use) => {
        const realm = await createInsightsRealm(keycloak(), `insights-${tag}`);
        await use(realm);
        await realm.delete();
      },
      { scope: 'file' },
    ],
    sandbox: async ({}, use) => {
      const sandbox = await Sandbox.create();
      await use(sandbox);
      await sandbox.remove();
    },
  });
}
