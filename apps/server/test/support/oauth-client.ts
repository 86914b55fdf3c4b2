import * as jose from 'jose';
import * as oauth from 'oauth4webapi';
import { DEV_CLI_CLIENT, DEV_SERVICE_CLIENT } from '../../src/index.js';
import { SERVICE_SECRET } from './credentials.js';

/** oauth4webapi against an http:// loopback issuer. */
export const insecure = { [oauth.allowInsecureRequests]: true } as const;
export const cli: oauth.Client = { client_id: DEV_CLI_CLIENT };
export const service: oauth.Client = { client_id: DEV_SERVICE_CLIENT };
export const serviceAuth = (secret = SERVICE_SECRET) => oauth.ClientSecretBasic(secret);

export async function discover(issuer: string): Promise<oauth.AuthorizationServer> {
  const url = new URL(issuer);
  return oauth.processDiscoveryResponse(url, await oauth.discoveryRequest(url, { algorithm: 'oidc', ...insecure }));
}

export async function clientCredentialsToken(as: oauth.AuthorizationServer, secret = SERVICE_SECRET, parameters: Record<string, string> = {}) {
  return oauth.processClientCredentialsResponse(
    as,
    service,
    await oauth.clientCredentialsGrantRequest(as, service, serviceAuth(secret), parameters, insecure),
  );
}

/** RFC 9068 §4: signature against the JWKS, `typ: at+jwt`, issuer and audience. */
export async function verifyAccessToken(as: oauth.AuthorizationServer, token: string, audience: string) {
  const jwks = jose.createRemoteJWKSet(new URL(as.jwks_uri!));
  return jose.jwtVerify(token, jwks, { issuer: as.issuer, audience, typ: 'at+jwt', algorithms: ['RS256'] });
}

export interface PkceRequest {
  url: URL;
  state: string;
  verifier: string;
  redirectUri: string;
}

export async function authorizationRequest(as: oauth.AuthorizationServer, redirectUri: string, extra: Record<string, string> = {}): Promise<PkceRequest> {
  const verifier = oauth.generateRandomCodeVerifier();
  const state = oauth.generateRandomState();
  const url = new URL(as.authorization_endpoint!);
  url.search = new URLSearchParams({
    client_id: cli.client_id,
    redirect_uri: redirectUri,
    response_type: 'code',
    scope: 'openid profile',
    state,
    code_challenge: await oauth.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    ...extra,
  }).toString();
  return { url, state, verifier, redirectUri };
}

/** Exchanges the code of a callback URL (RFC 6749 §4.1.3 with PKCE). */
export async function exchangeCode(as: oauth.AuthorizationServer, request: PkceRequest, callback: URL) {
  const params = oauth.validateAuthResponse(as, cli, callback, request.state);
  return oauth.processAuthorizationCodeResponse(
    as,
    cli,
    await oauth.authorizationCodeGrantRequest(as, cli, oauth.None(), params, request.redirectUri, request.verifier, insecure),
  );
}
