// The client side of the tests: oauth4webapi, exactly as authctl talks to an IdP.
import { setTimeout as sleep } from 'node:timers/promises';
import * as oauth from 'oauth4webapi';
import type { TestIdP } from '../../src/index.js';

export { oauth };

/** Loopback http:// issuer, and a timeout on every request. */
export const requestOptions = {
  [oauth.allowInsecureRequests]: true,
  signal: () => AbortSignal.timeout(10_000),
} as const;

export const publicClient: oauth.Client = { client_id: 'authctl' };
export const confidentialClient: oauth.Client = { client_id: 'svc' };

export async function discover(idp: TestIdP): Promise<oauth.AuthorizationServer> {
  const issuer = new URL(idp.issuer);
  return oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, { algorithm: 'oidc', ...requestOptions }));
}

export async function passwordLogin(
  as: oauth.AuthorizationServer,
  username: string,
  password: string,
  scope = 'openid offline_access',
): Promise<oauth.TokenEndpointResponse> {
  const res = await oauth.genericTokenEndpointRequest(as, publicClient, oauth.None(), 'password', { username, password, scope }, requestOptions);
  return oauth.processGenericTokenEndpointResponse(as, publicClient, res);
}

export async function refresh(as: oauth.AuthorizationServer, refreshToken: string): Promise<oauth.TokenEndpointResponse> {
  const res = await oauth.refreshTokenGrantRequest(as, publicClient, oauth.None(), refreshToken, requestOptions);
  return oauth.processRefreshTokenResponse(as, publicClient, res);
}

/** The OAuth `error` a rejected promise carries (in the body, or in WWW-Authenticate for 401s). */
export async function oauthError(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof oauth.ResponseBodyError) return err.error;
    if (err instanceof oauth.WWWAuthenticateChallengeError) return String(err.cause[0]?.parameters.error);
    throw err;
  }
  throw new Error('expected an OAuth error response, got a success');
}

export async function deviceAuthorization(as: oauth.AuthorizationServer, scope = 'openid offline_access'): Promise<oauth.DeviceAuthorizationResponse> {
  const res = await oauth.deviceAuthorizationRequest(as, publicClient, oauth.None(), { scope }, requestOptions);
  return oauth.processDeviceAuthorizationResponse(as, publicClient, res);
}

export function pollDeviceOnce(as: oauth.AuthorizationServer, deviceCode: string): Promise<oauth.TokenEndpointResponse> {
  return oauth
    .deviceCodeGrantRequest(as, publicClient, oauth.None(), deviceCode, requestOptions)
    .then((res) => oauth.processDeviceCodeResponse(as, publicClient, res));
}

/**
 * Polls until the IdP answers something other than authorization_pending. The
 * harness does not enforce the interval, so tests poll fast.
 */
export async function pollDevice(as: oauth.AuthorizationServer, deviceCode: string, everyMs = 100): Promise<oauth.TokenEndpointResponse> {
  for (let i = 0; i < 200; i += 1) {
    try {
      return await pollDeviceOnce(as, deviceCode);
    } catch (err) {
      if (!(err instanceof oauth.ResponseBodyError && err.error === 'authorization_pending')) throw err;
    }
    await sleep(everyMs);
  }
  throw new Error('device code still pending after 200 polls');
}

export async function authorizationUrl(
  as: oauth.AuthorizationServer,
  redirectUri: string,
  client: oauth.Client = publicClient,
): Promise<{ url: string; state: string; codeVerifier: string; nonce: string }> {
  const codeVerifier = oauth.generateRandomCodeVerifier();
  const state = oauth.generateRandomState();
  const nonce = oauth.generateRandomNonce();
  const url = new URL(as.authorization_endpoint!);
  url.search = new URLSearchParams({
    client_id: client.client_id,
    redirect_uri: redirectUri,
    response_type: 'code',
    scope: 'openid offline_access',
    state,
    nonce,
    code_challenge: await oauth.calculatePKCECodeChallenge(codeVerifier),
    code_challenge_method: 'S256',
  }).toString();
  return { url: url.href, state, codeVerifier, nonce };
}

