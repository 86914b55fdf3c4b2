export { keycloakAdmin, DEFAULT_ADMIN_CLIENT_ID, DEFAULT_ADMIN_REALM, DEFAULT_ADMIN_TIMEOUT_MS, type KeycloakAdmin, type KeycloakAdminOptions } from './keycloak-admin.js';
export { ClientManager, type ClientSettings, type ClientUpdate, type RegisterClientOptions, type RoleSelection } from './client-manager.js';
export { UserManager, type NewUser } from './user-manager.js';
export { RealmManager } from './realm-manager.js';
export { keycloakAdminCommands } from './admin-commands.js';
export type { AdminUser, AuthClient, ClientRepresentation, CredentialRepresentation, EventRepresentation, RealmRepresentation, RoleRepresentation, UserRepresentation } from './representations.js';
