import * as oauth from 'oauth4webapi';
import { AuthError } from '../errors.js';
import { toAuthError } from './map-error.js';
import { requestOptions, type RequestIO } from './request-options.js';

/**
 * Marks a server built from explicit endpoints without an issuer. oauth4webapi
 * needs an issuer to check ID tokens against; with none configured we cannot
 * tell a genuine ID token from another, so the flows drop it (see
 * `token-grant.ts`) instead of storing something unverified.
 */
const ISSUER_UNKNOWN = 'authctl_issuer_unknown';

export interface ExplicitEndpoints {
  issuer?: string;
  authorization_url?: string;
  token_url: string;
  device_url?: string;
  revocation_url?: string;
}

/**
 * OpenID Connect discovery, falling back to RFC 8414 metadata when the
 * server has no `/.well-known/openid-configuration` (plain OAuth 2.0).
 */
export async function discoverAuthorizationServer(issuer: string, io: RequestIO): Promise<oauth.AuthorizationServer> {
  const issuerUrl = parseUrl(issuer, 'issuer');
  for (const algorithm of ['oidc', 'oauth2'] as const) {
    const url = wellKnownUrl(issuerUrl, algorithm);
    try {
      const response = await oauth.discoveryRequest(issuerUrl, { algorithm, ...requestOptions(io) });
      if (response.status === 404) {
        await response.body?.cancel();
        continue;
      }
      return await oauth.processDiscoveryResponse(issuerUrl, response);
    } catch (error) {
      throw toAuthError(error, { url, timeoutMs: io.timeoutMs });
    }
  }
  throw new AuthError('PROTOCOL', `${issuer} publishes no OpenID Connect or OAuth 2.0 metadata (HTTP 404 at ${wellKnownUrl(issuerUrl, 'oidc')})`, {
    url: issuer,
    status: 404,
    hint: 'check the URL settings of the profile, or configure the endpoints (token_url, device_url, ...) explicitly',
  });
}

/** influxctl-style profiles: the endpoints are configured, nothing is discovered. */
export function explicitAuthorizationServer(endpoints: ExplicitEndpoints): oauth.AuthorizationServer {
  const token = parseUrl(endpoints.token_url, 'token_url');
  const optional = (key: 'authorization_url' | 'device_url' | 'revocation_url') => {
    const value = endpoints[key];
    return value === undefined ? undefined : parseUrl(value, key).href;
  };
  if (endpoints.issuer !== undefined) parseUrl(endpoints.issuer, 'issuer');
  return dropUndefined({
    // Issuers compare as strings: keep the configured one exactly as written.
    issuer: endpoints.issuer ?? token.origin,
    token_endpoint: token.href,
    authorization_endpoint: optional('authorization_url'),
    device_authorization_endpoint: optional('device_url'),
    revocation_endpoint: optional('revocation_url'),
    [ISSUER_UNKNOWN]: endpoints.issuer === undefined ? true : undefined,
  });
}

/** False for explicit endpoints configured without an issuer. */
export function issuerIsKnown(server: oauth.AuthorizationServer): boolean {
  return server[ISSUER_UNKNOWN] !== true;
}

function dropUndefined(server: oauth.AuthorizationServer): oauth.AuthorizationServer {
  return Object.fromEntries(Object.entries(server).filter(([, value]) => value !== undefined)) as oauth.AuthorizationServer;
}

function parseUrl(value: string, key: string): URL {
  try {
    return new URL(value);
  } catch (cause) {
    throw new AuthError('CONFIG_INVALID', `${key} is not a valid URL: ${JSON.stringify(value)}`, {
      key,
      hint: `set ${key} to an absolute https:// URL`,
      cause,
    });
  }
}

function wellKnownUrl(issuer: URL, algorithm: 'oidc' | 'oauth2'): string {
  const url = new URL(issuer.href);
  const path = url.pathname === '/' ? '' : url.pathname.replace(/\/$/, '');
  url.pathname =
    algorithm === 'oidc' ? `${path}/.well-known/openid-configuration` : `/.well-known/oauth-authorization-server${path}`;
  return url.href;
}
