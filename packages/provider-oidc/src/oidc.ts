import { defineProvider, discoverAuthorizationServer, explicitAuthorizationServer, type OAuthDefaults, type Provider } from '@auth/core/provider';
import { oidcOptions, type OidcSettings } from './options.js';
import { createBearerGateway } from './gateway/bearer-gateway.js';
import { createFederatedJwtVerifier } from './verify/federated-jwt-verifier.js';

export interface OidcProviderOptions {
  /** The `provider = "..."` id (default `oidc`): an organisation can ship its IdP under its own name. */
  id?: string;
  /** Human name (default `OpenID Connect`). */
  name?: string;
  /** Defaults for profiles that leave them out (default: scopes `openid`). */
  defaults?: OAuthDefaults;
}

/**
 * Any OpenID Connect / OAuth 2.0 identity provider: by discovery, or by
 * explicit endpoints. On a login API it verifies `oidc-auth` and `jwt-auth`
 * machine logins (tokens of a workload's own IdP); on auth-server's gateway
 * it admits bearer JWTs of listed users (InfluxDB Clustered's admin model).
 */
export function createOidc(options: OidcProviderOptions = {}): Provider<OidcSettings> {
  const defaults: OAuthDefaults = { scopes: ['openid'], ...options.defaults };
  const id = options.id ?? 'oidc';
  return defineProvider<OidcSettings>({
    specificationVersion: 'v1',
    id,
    name: options.name ?? 'OpenID Connect',
    options: oidcOptions,
    oauth: {
      specificationVersion: 'v1',
      async resolveServer(settings, io) {
        if (settings.issuer !== undefined) return discoverAuthorizationServer(settings.issuer, io);
        return explicitAuthorizationServer({
          token_url: settings.token_url!,
          ...pick(settings, ['authorization_url', 'device_url', 'revocation_url']),
        });
      },
      issuerUrl: (settings) => settings.issuer,
      defaults: () => defaults,
    },
    verify: createFederatedJwtVerifier(id),
    gateway: createBearerGateway(id),
  });
}

function pick<T extends object, K extends keyof T>(object: T, keys: K[]): { [P in K]?: NonNullable<T[P]> } {
  return Object.fromEntries(keys.filter((key) => object[key] !== undefined).map((key) => [key, object[key]])) as {
    [P in K]?: NonNullable<T[P]>;
  };
}

export const oidc = createOidc();
