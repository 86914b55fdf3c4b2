import * as oauth from 'oauth4webapi';
import { describe, expect, test } from 'vitest';
import { DEV_RESOURCE } from '../src/index.js';
import { signInOverHttp } from './support/http-user.js';
import {
  authorizationRequest,
  cli,
  clientCredentialsToken,
  exchangeCode,
  insecure,
  service,
  serviceAuth,
  verifyAccessToken,
} from './support/oauth-client.js';
import { DEMO_PASSWORD, useTestServer } from './support/test-server.js';

const t = useTestServer();

/** A user token set from the browser flow, signed in over plain HTTP. */
async function userTokens() {
  const redirectUri = 'http://127.0.0.1:53682/callback'; // never fetched: the sign-in stops at the redirect
  const request = await authorizationRequest(t.as, redirectUri);
  const callback = await signInOverHttp(request.url.href, redirectUri, 'demo', DEMO_PASSWORD);
  return exchangeCode(t.as, request, callback);
}

describe('discovery', () => {
  test('the discovery document names the JWKS and the device, revocation and introspection endpoints', () => {
    expect(t.as.issuer).toBe(t.server.issuer);
    expect(t.as.jwks_uri).toBe(`${t.server.issuer}/jwks`);
    expect(t.as.device_authorization_endpoint).toBeTruthy();
    expect(t.as.revocation_endpoint).toBeTruthy();
    expect(t.as.introspection_endpoint).toBeTruthy();
    expect(t.as.code_challenge_methods_supported).toEqual(['S256']);
  });

  test('/healthz answers 200 with JSON', async () => {
    const res = await fetch(`${t.server.issuer}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok', issuer: t.server.issuer });
  });
});

describe('client credentials (service accounts)', () => {
  test('RFC 9068: the access token is an at+jwt for the default resource that verifies against the JWKS', async () => {
    const tokens = await clientCredentialsToken(t.as);
    const { payload, protectedHeader } = await verifyAccessToken(t.as, tokens.access_token, DEV_RESOURCE);
    expect(protectedHeader.typ).toBe('at+jwt');
    expect(payload.client_id).toBe('demo-service');
    expect(payload.sub).toBe('demo-service');
    expect(payload.aud).toBe(DEV_RESOURCE);
  });

  test('the hashed client secret accepts the right secret again and refuses a wrong one with invalid_client', async () => {
    await clientCredentialsToken(t.as);
    const second = await clientCredentialsToken(t.as);
    expect(second.access_token.split('.')).toHaveLength(3);
    await expect(clientCredentialsToken(t.as, 'not-the-secret')).rejects.toMatchObject({
      status: 401,
      cause: [expect.objectContaining({ parameters: expect.objectContaining({ error: 'invalid_client' }) })],
    });
  });

  test('RFC 8707: a resource the server does not know is invalid_target', async () => {
    await expect(clientCredentialsToken(t.as, undefined, { resource: 'https://unknown.example/api' })).rejects.toMatchObject({
      error: 'invalid_target',
    });
  });

  test('a public client cannot use client credentials', async () => {
    const res = await oauth.clientCredentialsGrantRequest(t.as, cli, oauth.None(), {}, insecure);
    await expect(oauth.processClientCredentialsResponse(t.as, cli, res)).rejects.toMatchObject({ status: 400 });
  });
});

describe('authorization code, refresh, revocation, introspection', () => {
  test('authorization code + PKCE gives a JWT access token for the default resource, an ID token and a refresh token', async () => {
    const tokens = await userTokens();
    const { payload } = await verifyAccessToken(t.as, tokens.access_token, DEV_RESOURCE);
    expect(payload.sub).toBe('demo');
    expect(payload.client_id).toBe('authctl');
    expect(oauth.getValidatedIdTokenClaims(tokens)?.sub).toBe('demo');
    expect(tokens.refresh_token).toBeTruthy();
  });

  test('refresh tokens rotate, the new access token is a JWT, and reusing the old refresh token is invalid_grant', async () => {
    const first = await userTokens();
    const refreshed = await oauth.processRefreshTokenResponse(
      t.as,
      cli,
      await oauth.refreshTokenGrantRequest(t.as, cli, oauth.None(), first.refresh_token!, insecure),
    );
    expect(refreshed.refresh_token).toBeTruthy();
    expect(refreshed.refresh_token).not.toBe(first.refresh_token);
    await verifyAccessToken(t.as, refreshed.access_token, DEV_RESOURCE);
    const reuse = await oauth.refreshTokenGrantRequest(t.as, cli, oauth.None(), first.refresh_token!, insecure);
    await expect(oauth.processRefreshTokenResponse(t.as, cli, reuse)).rejects.toMatchObject({ error: 'invalid_grant' });
  });

  test('RFC 7662 and RFC 7009: a refresh token introspects as active, and after revocation as inactive and unusable', async () => {
    const { refresh_token } = await userTokens();
    const introspect = async () =>
      oauth.processIntrospectionResponse(t.as, service, await oauth.introspectionRequest(t.as, service, serviceAuth(), refresh_token!, insecure));
    const before = await introspect();
    expect(before.active).toBe(true);
    expect(before.sub).toBe('demo');

    await oauth.processRevocationResponse(await oauth.revocationRequest(t.as, cli, oauth.None(), refresh_token!, insecure));
    expect((await introspect()).active).toBe(false);
    const res = await oauth.refreshTokenGrantRequest(t.as, cli, oauth.None(), refresh_token!, insecure);
    await expect(oauth.processRefreshTokenResponse(t.as, cli, res)).rejects.toMatchObject({ error: 'invalid_grant' });
  });
});
