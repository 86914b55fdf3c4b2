import Provider, { errors, type Adapter, type ClientMetadata, type Configuration } from 'oidc-provider';
import type { Logger } from 'pino';
import { isLoopbackHost } from '../config/listen-address.js';
import type { ClientConfig, GrantName, ServerConfig } from '../config/schema.js';
import type { Lockout } from '../guard/lockout.js';
import { deviceFlowPages } from '../http/device-flow-pages.js';
import { renderProviderError } from '../http/provider-error-page.js';
import type { KeySet } from '../keys/key-store.js';
import type { Accounts } from './accounts.js';
import { useHashedClientSecrets } from './hashed-client-secrets.js';

const GRANT_TYPES: Record<GrantName, string> = {
  authorization_code: 'authorization_code',
  refresh_token: 'refresh_token',
  device_code: 'urn:ietf:params:oauth:grant-type:device_code',
  client_credentials: 'client_credentials',
};

const STANDARD_SCOPES = ['openid', 'profile', 'email', 'offline_access'];
const DEFAULT_ACCESS_TOKEN_TTL = 3600;
const DEFAULT_REFRESH_TOKEN_TTL = 14 * 24 * 3600;

export interface IssuerOptions {
  config: ServerConfig;
  issuer: string;
  keys: KeySet;
  accounts: Accounts;
  /** Storage for sessions, grants, codes and refresh tokens. */
  adapter: new (model: string) => Adapter;
  /** Rate limits client-secret checks. */
  lockout: Lockout;
  logger: Logger;
}

function isLoopbackHttp(uri: string): boolean {
  const url = new URL(uri);
  return url.protocol === 'http:' && isLoopbackHost(url.hostname);
}

function clientMetadata(client: ClientConfig, issuer: string): ClientMetadata {
  const usesRedirects = client.grants.includes('authorization_code');
  const redirectUris = client.redirect_uris.map((uri) => new URL(uri, issuer).href);
  return {
    client_id: client.client_id,
    ...(client.name ? { client_name: client.name } : {}),
    // RFC 8252 §7.3: a native client's loopback redirect URI matches any port.
    application_type: !client.secret_hash || redirectUris.some(isLoopbackHttp) ? 'native' : 'web',
    grant_types: client.grants.map((grant) => GRANT_TYPES[grant]),
    response_types: usesRedirects ? ['code'] : [],
    redirect_uris: usesRedirects ? redirectUris : [],
    ...(client.scopes ? { scope: client.scopes.join(' ') } : {}),
    ...(client.secret_hash
      ? { client_secret: client.secret_hash, token_endpoint_auth_method: client.token_endpoint_auth_method, id_token_signed_response_alg: 'RS256' }
      : { token_endpoint_auth_method: 'none' }),
  };
}

/** The oidc-provider instance for a validated config: the protocol endpoints, without the pages' routes. */
export function createIssuer({ config, issuer, keys, accounts, adapter, lockout, logger }: IssuerOptions): Provider {
  const clients = new Map(config.clients.map((client) => [client.client_id, client]));
  const resources = new Map(config.resources.map((resource) => [resource.identifier, resource]));
  const defaultResource = config.resources.find((resource) => resource.default)?.identifier;
  const settingsOf = (clientId: string | undefined) => (clientId ? clients.get(clientId) : undefined);

  const configuration: Configuration = {
    adapter,
    clients: config.clients.map((client) => clientMetadata(client, issuer)),
    jwks: { keys: keys.signing.map(({ created_at: _created, ...jwk }) => jwk) },
    cookies: { keys: keys.cookie_secrets },
    findAccount: accounts.findAccount,
    scopes: [...new Set([...STANDARD_SCOPES, ...config.resources.flatMap((resource) => resource.scopes)])],
    claims: {
      openid: ['sub'],
      profile: ['name', 'given_name', 'family_name', 'preferred_username', 'nickname', 'locale', 'zoneinfo', 'picture', 'website'],
      email: ['email', 'email_verified'],
    },
    responseTypes: ['code'],
    pkce: { required: () => true },
    // Every client allowed to refresh gets a refresh token (no offline_access dance), and it rotates on every use.
    issueRefreshToken: async (_ctx, client) => client.grantTypeAllowed('refresh_token'),
    rotateRefreshToken: () => true,
    clientBasedCORS: () => false,
    ttl: {
      AccessToken: (_ctx, _token, client) => settingsOf(client?.clientId)?.access_token_ttl ?? DEFAULT_ACCESS_TOKEN_TTL,
      ClientCredentials: (_ctx, _token, client) => settingsOf(client?.clientId)?.access_token_ttl ?? DEFAULT_ACCESS_TOKEN_TTL,
      RefreshToken: (_ctx, _token, client) => settingsOf(client?.clientId)?.refresh_token_ttl ?? DEFAULT_REFRESH_TOKEN_TTL,
      AuthorizationCode: 60,
      DeviceCode: 600,
      IdToken: 3600,
      Interaction: 3600,
      Session: 14 * 24 * 3600,
      Grant: 14 * 24 * 3600,
    },
    features: {
      devInteractions: { enabled: false },
      rpInitiatedLogout: { enabled: false },
      clientCredentials: { enabled: true },
      // A confidential client (a resource server) may introspect any token; a public client only its own.
      introspection: {
        enabled: true,
        allowedPolicy: async (_ctx, client, token) => client.clientAuthMethod !== 'none' || token.clientId === client.clientId,
      },
      revocation: { enabled: true, allowedPolicy: async (_ctx, client, token) => token.clientId === client.clientId },
      deviceFlow: {
        enabled: true,
        ...deviceFlowPages,
      },
      resourceIndicators: {
        enabled: true,
        // RFC 9068 JWT access tokens on every grant, even when the request names no resource.
        defaultResource: async (_ctx, _client, oneOf) => oneOf ?? defaultResource,
        useGrantedResource: async () => true,
        getResourceServerInfo: async (_ctx, indicator, client) => {
          const resource = resources.get(indicator);
          if (!resource) throw new errors.InvalidTarget(`unknown resource ${indicator}`);
          return {
            audience: resource.identifier,
            scope: resource.scopes.join(' '),
            accessTokenTTL: settingsOf(client.clientId)?.access_token_ttl ?? resource.access_token_ttl,
            accessTokenFormat: 'jwt',
            jwt: { sign: { alg: 'RS256' } },
          };
        },
      },
    },
    renderError: renderProviderError,
  };

  const provider = new Provider(issuer, configuration);
  provider.proxy = config.trust_proxy;
  // One trusted hop: the client address is the one our proxy appended to X-Forwarded-For, not whatever the client sent.
  provider.maxIpsCount = 1;
  useHashedClientSecrets(provider, { lockout, logger });
  return provider;
}
