import { setUpKeycloak, type KeycloakServer } from '@auth/testkit';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    keycloak: KeycloakServer;
  }
}

/** The Keycloak .ci/run exported (AUTHKIT_KEYCLOAK_*), else one started for this run and stopped after it. */
export default function setup(project: TestProject): Promise<(() => Promise<void>) | undefined> {
  return setUpKeycloak((server) => project.provide('keycloak', server));
}
