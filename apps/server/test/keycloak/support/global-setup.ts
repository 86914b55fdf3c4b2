import { keycloakServerFromEnv, startKeycloakServer, type KeycloakServer } from '@auth/testkit';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    keycloak: KeycloakServer;
  }
}

/** The Keycloak .ci/run exported (AUTHKIT_KEYCLOAK_*), else one started for this run and stopped after it. */
export default async function setup(project: TestProject): Promise<(() => Promise<void>) | undefined> {
  const running = keycloakServerFromEnv();
  if (running) {
    project.provide('keycloak', running);
    return undefined;
  }
  const started = await startKeycloakServer();
  project.provide('keycloak', { url: started.url, admin: started.admin, version: started.version });
  return () => started.stop();
}
