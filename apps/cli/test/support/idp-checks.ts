import * as oauth from 'oauth4webapi';
import type { TestIdP } from '@auth/testkit';

// The test IdP listens on loopback http; oauth4webapi needs explicit consent for that.
const http = { [oauth.allowInsecureRequests]: true } as const;

async function server(idp: TestIdP): Promise<oauth.AuthorizationServer> {
  const issuer = new URL(idp.issuer);
  return oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, { algorithm: 'oidc', ...http }));
}

/** RFC 7662 introspection by the IdP's confidential client: is this access token live there? */
export async function introspect(idp: TestIdP, token: string): Promise<oauth.IntrospectionResponse> {
  const as = await server(idp);
  const client = { client_id: idp.clients.confidential.id };
  const auth = oauth.ClientSecretBasic(idp.clients.confidential.secret);
  return oauth.processIntrospectionResponse(as, client, await oauth.introspectionRequest(as, client, auth, token, http));
}

/** Tries a refresh_token grant for the public client; the OAuth error code when the IdP refuses it. */
export async function tryRefresh(idp: TestIdP, refreshToken: string): Promise<'ok' | string> {
  const as = await server(idp);
  const client = { client_id: idp.clients.public };
  try {
    await oauth.processRefreshTokenResponse(
      as,
      client,
      await oauth.refreshTokenGrantRequest(as, client, oauth.None(), refreshToken, http),
    );
    return 'ok';
  } catch (error) {
    if (error instanceof oauth.ResponseBodyError) return error.error;
    throw error;
  }
}
