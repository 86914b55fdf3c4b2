import { X509Certificate } from 'node:crypto';
import type { JWK } from 'jose';
import Provider, { errors, type Adapter, type ClientMetadata, type Configuration } from 'oidc-provider';
import type { Logger } from 'pino';
import { isLoopbackHost } from '../config/listen-address.js';
import type { ClientConfig, GrantName, ServerConfig, SigningAlg } from '../config/schema.js';
import type { Lockout } from '../guard/lockout.js';
import { deviceFlowPages } from '../http/device-flow-pages.js';
import { logoutFlowPages } from '../http/logout-flow-pages.js';
import { renderProviderError } from '../http/provider-error-page.js';
import { publicJwks, type KeySet } from '../keys/key-store.js';
import type { Accounts } from './accounts.js';
import { useFindableJwtAccessTokens } from './findable-jwt-access-tokens.js';
import { useHashedClientSecrets } from './hashed-client-secrets.js';

const GRANT_TYPES: Record<GrantName, string> = {
  authorization_code: 'authorization_code',
  refresh_token: 'refresh_token',
  device_code: 'urn:ietf:params:oauth:grant-type:device_code',
  client_credentials: 'client_credentials',
};

const STANDARD_SCOPES = ['openid', 'profile', 'email', 'offline_access'];

/**
 * Only the client authentication methods a config can express: secrets are
 * stored as scrypt hashes, so `client_secret_jwt` (an HMAC keyed with the
 * plain secret, RFC 7523 §2.2) cannot be checked and is not offered.
 */
const CLIENT_AUTH_METHODS = ['none', 'client_secret_basic', 'client_secret_post', 'private_key_jwt'];
/** Asymmetric algorithms for `private_key_jwt` assertions (the HMAC ones belong to client_secret_jwt). */
const CLIENT_ASSERTION_ALGS = ['RS256', 'PS256', 'ES256', 'EdDSA'];

/**
 * The OpenID scopes a resource's access token also carries, so that one
 * token from a person's login both reaches the resource and reads their
 * claims at userinfo (oidc-provider otherwise gives a resource's token only
 * the resource's scopes, and userinfo wants `openid`).
 */
const USERINFO_SCOPES = ['openid', 'profile', 'email'];

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

/** A registered certificate as the JWK Set oidc-provider checks `private_key_jwt` assertions against. */
function certificateJwks(pem: string): { keys: JWK[] } {
  const certificate = new X509Certificate(pem);
  const jwk = certificate.publicKey.export({ format: 'jwk' }) as JWK;
  return { keys: [{ ...jwk, x5c: [certificate.raw.toString('base64')] }] };
}

/** How a client authenticates, at the token endpoint and likewise at revocation and introspection. */
function clientAuthentication(client: ClientConfig): Omit<ClientMetadata, 'client_id'> {
  const method = client.token_endpoint_auth_method === 'private_key_jwt' || client.secret_hash ? client.token_endpoint_auth_method : 'none';
  return {
    token_endpoint_auth_method: method,
    revocation_endpoint_auth_method: method,
    introspection_endpoint_auth_method: method,
    ...(client.secret_hash ? { client_secret: client.secret_hash } : {}),
    ...(client.jwks ? { jwks: client.jwks } : {}),
    ...(client.certificate ? { jwks: certificateJwks(client.certificate) } : {}),
  };
}

function clientMetadata(client: ClientConfig, issuer: string, signingAlg: SigningAlg): ClientMetadata {
  const usesRedirects = client.grants.includes('authorization_code');
  const redirectUris = client.redirect_uris.map((uri) => new URL(uri, issuer).href);
  const confidential = Boolean(client.secret_hash) || client.token_endpoint_auth_method === 'private_key_jwt';
  return {
    client_id: client.client_id,
    ...(client.name ? { client_name: client.name } : {}),
    // RFC 8252 §7.3: a native client's loopback redirect URI matches any port.
    application_type: !confidential || redirectUris.some(isLoopbackHttp) ? 'native' : 'web',
    grant_types: client.grants.map((grant) => GRANT_TYPES[grant]),
    response_types: usesRedirects ? ['code'] : [],
    redirect_uris: usesRedirects ? redirectUris : [],
    post_logout_redirect_uris: client.post_logout_redirect_uris.map((uri) => new URL(uri, issuer).href),
    ...(client.scopes ? { scope: client.scopes.join(' ') } : {}),
    id_token_signed_response_alg: signingAlg,
    ...clientAuthentication(client),
  };
}

/** The oidc-provider instance for a validated config: the protocol endpoints, without the pages' routes. */
export function createIssuer({ config, issuer, keys, accounts, adapter, lockout, logger }: IssuerOptions): Provider {
  const clients = new Map(config.clients.map((client) => [client.client_id, client]));
  const resources = new Map(config.resources.map((resource) => [resource.identifier, resource]));
  const defaultResource = config.resources.find((resource) => resource.default)?.identifier;
  const settingsOf = (clientId: string | undefined) => (clientId ? clients.get(clientId) : undefined);

  const signingAlg = config.signing_alg;
  const jwks = { keys: keys.signing.map(({ created_at: _created, ...jwk }) => jwk) };

  const configuration: Configuration = {
    adapter,
    clients: config.clients.map((client) => clientMetadata(client, issuer, signingAlg)),
    jwks,
    clientAuthMethods: CLIENT_AUTH_METHODS as Configuration['clientAuthMethods'],
    // oidc-provider 8 authenticates revocation and introspection like the token endpoint but does not say so in discovery.
    discovery: {
      revocation_endpoint_auth_methods_supported: CLIENT_AUTH_METHODS,
      introspection_endpoint_auth_methods_supported: CLIENT_AUTH_METHODS,
    },
    enabledJWA: {
      clientAuthSigningAlgValues: CLIENT_ASSERTION_ALGS as NonNullable<Configuration['enabledJWA']>['clientAuthSigningAlgValues'],
      idTokenSigningAlgValues: [signingAlg],
    },
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
      pushedAuthorizationRequests: { enabled: false },
      rpInitiatedLogout: { enabled: true, ...logoutFlowPages },
      clientCredentials: { enabled: true },
      // A confidential client (a resource server) may introspect any token; a public client only its own.
      introspection: {
        enabled: true,
        allowedPolicy: async (_ctx, client, token) => client.clientAuthMethod !== 'none' || token.clientId === client.clientId,
      },
      // RFC 7009 §2.1: oidc-provider refuses another client's token (400 invalid_request).
      revocation: { enabled: true },
      deviceFlow: {
        enabled: true,
        ...deviceFlowPages,
      },
      resourceIndicators: {
        enabled: true,
        // RFC 9068 JWT access tokens on every grant, even when the request names no resource.
        defaultResource: async (_ctx, _client, oneOf) => (oneOf ?? defaultResource) as string,
        useGrantedResource: async () => true,
        getResourceServerInfo: async (_ctx, indicator, client) => {
          const resource = resources.get(indicator);
          if (!resource) throw new errors.InvalidTarget(`unknown resource ${indicator}`);
          return {
            audience: resource.identifier,
            scope: [...USERINFO_SCOPES, ...resource.scopes].join(' '),
            accessTokenTTL: settingsOf(client.clientId)?.access_token_ttl ?? resource.access_token_ttl,
            accessTokenFormat: 'jwt',
            jwt: { sign: { alg: signingAlg } },
          };
        },
      },
    },
    renderError: renderProviderError,
  };

  const provider = new Provider(issuer, configuration);
  provider.proxy = config.trust_proxy;
  // One trusted hop: the client address is the one our proxy appended to X-Forwarded-For, not whatever the client sent.
  provider.app.maxIpsCount = 1;
  useHashedClientSecrets(provider, { lockout, logger });
  useFindableJwtAccessTokens(provider, { issuer, jwks: publicJwks(keys) });
  return provider;
}
