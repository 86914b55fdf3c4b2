import type { Provider } from '@auth/core/provider';
import { keycloak } from './keycloak.js';
import type { KeycloakSettings } from './options.js';

export { createKeycloak, keycloak, keycloakIssuer, DEFAULT_CLIENT_ID, type KeycloakProviderOptions } from './keycloak.js';
export * from './admin/index.js';
export { keycloakOptions, DEFAULT_REALM, type KeycloakSettings } from './options.js';

export default keycloak satisfies Provider<KeycloakSettings>;
