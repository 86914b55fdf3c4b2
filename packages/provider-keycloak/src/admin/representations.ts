// The slices of Keycloak's admin representations this package reads and
// writes (field names from keycloak-admin-client `defs/*.ts`,
// https://github.com/keycloak/keycloak/tree/main/js/libs/keycloak-admin-client/src/defs). Keycloak keeps attribute values as strings.

export interface ClientRepresentation {
  id?: string;
  clientId?: string;
  secret?: string;
  enabled?: boolean;
  protocol?: string;
  publicClient?: boolean;
  serviceAccountsEnabled?: boolean;
  standardFlowEnabled?: boolean;
  directAccessGrantsEnabled?: boolean;
  attributes?: Record<string, string>;
  [key: string]: unknown;
}

export interface RealmRepresentation {
  realm?: string;
  enabled?: boolean;
  /** Seconds. */
  accessTokenLifespan?: number;
  /** "Revoke Refresh Token": each refresh token is good for `refreshTokenMaxReuse + 1` uses. */
  revokeRefreshToken?: boolean;
  refreshTokenMaxReuse?: number;
  [key: string]: unknown;
}

/** A stored user event (`eventsEnabled` realms): a login, a refresh, an error. */
export interface EventRepresentation {
  time: number;
  type: string;
  clientId?: string;
  userId?: string;
  sessionId?: string;
  error?: string;
  details?: Record<string, string>;
}

export interface RoleRepresentation {
  id: string;
  name: string;
  description?: string;
  composite?: boolean;
}

export interface UserRepresentation {
  id?: string;
  username?: string;
  email?: string;
  enabled?: boolean;
  [key: string]: unknown;
}

export interface CredentialRepresentation {
  type?: string;
  value?: string;
  temporary?: boolean;
}

/** kdb Insights' `AuthClient` (https://code.kx.com/insights/1.19/api/python/reference/authorization/client.html): `secret` only when it was asked for or just set. */
export interface AuthClient {
  /** Base URL of the instance (the profile's `url`). */
  host: string;
  /** The Keycloak clientId (human-readable name). */
  id: string;
  secret?: string;
  /** Keycloak's internal UUID of the client. */
  uuid: string;
}

/** A realm user as the `users` commands show it. */
export interface AdminUser {
  id: string;
  username: string;
  email?: string;
  enabled: boolean;
}
