import { defineProvider, discoverAuthorizationServer, type OAuthDefaults, type Provider } from '@auth/core/provider';
import { keycloakAdminCommands } from './admin/admin-commands.js';
import { keycloakOptions, type KeycloakSettings } from './options.js';

/** kxi's default public client for user logins. */
export const DEFAULT_CLIENT_ID = 'insights-app';

export interface KeycloakProviderOptions {
  /** Defaults for profiles that leave them out (default: client `insights-app`, scopes `openid`). */
  defaults?: OAuthDefaults;
}

/** `${url}${base_path}/realms/${realm}`: where a Keycloak realm publishes its OpenID configuration. */
export function keycloakIssuer(settings: Pick<KeycloakSettings, 'url' | 'realm' | 'base_path'>): string {
  return `${settings.url.replace(/\/+$/, '')}${settings.base_path}/realms/${encodeURIComponent(settings.realm)}`;
}

/** A Keycloak realm (kdb Insights Enterprise by default): the issuer is derived from `url` and `realm`. */
export function createKeycloak(options: KeycloakProviderOptions = {}): Provider<KeycloakSettings> {
  const defaults: OAuthDefaults = { client_id: DEFAULT_CLIENT_ID, scopes: ['openid'], ...options.defaults };
  return defineProvider<KeycloakSettings>({
    specificationVersion: 'v1',
    id: 'keycloak',
    name: 'Keycloak',
    options: keycloakOptions,
    oauth: {
      specificationVersion: 'v1',
      resolveServer: (settings, io) => discoverAuthorizationServer(keycloakIssuer(settings), io),
      issuerUrl: keycloakIssuer,
      defaults: () => defaults,
    },
    admin: keycloakAdminCommands,
  });
}

export const keycloak = createKeycloak();
