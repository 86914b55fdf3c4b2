import { afterAll, beforeAll, expect, test } from 'vitest';
import type { TestIdP } from '../src/index.js';
import { authorizationUrl, deviceAuthorization, oauth, oauthError, passwordLogin, pollDevice, publicClient, refresh, requestOptions } from './support/oauth-client.js';
import { startedIdP } from './support/started-idp.js';

let idp: TestIdP;
let as: oauth.AuthorizationServer;

beforeAll(async () => ({ idp, as } = await startedIdP()));
afterAll(() => idp.close());

async function introspect(token: string): Promise<boolean> {
  const client = { client_id: 'svc' };
  const res = await oauth.introspectionRequest(as, client, oauth.ClientSecretBasic('svc-secret'), token, requestOptions);
  return (await oauth.processIntrospectionResponse(as, client, res)).active;
}

test('RFC 6749 §6: every refresh returns a new refresh token and a new access token', async () => {
  const first = await passwordLogin(as, 'alice', 'alice-password');
  const second = await refresh(as, first.refresh_token!);
  const third = await refresh(as, second.refresh_token!);
  expect(new Set([first.refresh_token, second.refresh_token, third.refresh_token]).size).toBe(3);
  expect(third.access_token).not.toBe(second.access_token);
  expect(third.expires_in).toBe(3600);
  expect(oauth.getValidatedIdTokenClaims(third)?.sub).toBe('alice');
});

test('OAuth 2.0 Security BCP §4.14.2: reusing a rotated refresh token is invalid_grant and revokes the whole grant', async () => {
  const login = await passwordLogin(as, 'alice', 'alice-password');
  const rotated = await refresh(as, login.refresh_token!);
  expect(await introspect(rotated.access_token)).toBe(true);

  expect(await oauthError(refresh(as, login.refresh_token!))).toBe('invalid_grant');
  // The family is gone: the newest refresh token and its access token too.
  expect(await oauthError(refresh(as, rotated.refresh_token!))).toBe('invalid_grant');
  expect(await introspect(rotated.access_token)).toBe(false);
});

test('strict rotation: of concurrent refreshes with one refresh token, exactly one succeeds', async () => {
  const login = await passwordLogin(as, 'bob', 'bob-password');
  idp.resetCounts();
  const outcomes = await Promise.allSettled(Array.from({ length: 8 }, () => refresh(as, login.refresh_token!)));
  const succeeded = outcomes.filter((o) => o.status === 'fulfilled');
  expect(succeeded).toHaveLength(1);
  for (const o of outcomes) {
    if (o.status === 'rejected') expect((o.reason as oauth.ResponseBodyError).error).toBe('invalid_grant');
  }
  expect(idp.grantCount('refresh_token')).toBe(8);
});

test('refresh tokens come from every user grant: authorization code and device code', async () => {
  const redirectUri = 'http://127.0.0.1:49160/callback';
  const request = await authorizationUrl(as, redirectUri);
  const params = oauth.validateAuthResponse(as, publicClient, new URL(await idp.user.authorize(request.url, redirectUri)), request.state);
  const code = await oauth.processAuthorizationCodeResponse(
    as,
    publicClient,
    await oauth.authorizationCodeGrantRequest(as, publicClient, oauth.None(), params, redirectUri, request.codeVerifier, requestOptions),
    { expectedNonce: request.nonce },
  );
  expect((await refresh(as, code.refresh_token!)).refresh_token).toBeTruthy();

  const da = await deviceAuthorization(as, 'openid');
  await idp.user.approveDevice(da.verification_uri, da.user_code);
  const device = await pollDevice(as, da.device_code);
  expect((await refresh(as, device.refresh_token!)).refresh_token).toBeTruthy();
});

test('revokeAllGrants invalidates every refresh token issued so far; new logins still work', async () => {
  const a = await passwordLogin(as, 'alice', 'alice-password');
  const b = await refresh(as, (await passwordLogin(as, 'bob', 'bob-password')).refresh_token!);
  await idp.revokeAllGrants();
  expect(await oauthError(refresh(as, a.refresh_token!))).toBe('invalid_grant');
  expect(await oauthError(refresh(as, b.refresh_token!))).toBe('invalid_grant');
  expect(await introspect(b.access_token)).toBe(false);
  const fresh = await passwordLogin(as, 'alice', 'alice-password');
  expect((await refresh(as, fresh.refresh_token!)).access_token).toBeTruthy();
});

test('setAccessTokenTtl applies to access tokens issued afterwards, by every grant', async () => {
  const before = await passwordLogin(as, 'alice', 'alice-password');
  idp.setAccessTokenTtl(2);
  try {
    const after = await refresh(as, before.refresh_token!);
    expect(after.expires_in).toBe(2);
    const svc = { client_id: 'svc' };
    const cc = await oauth.processClientCredentialsResponse(
      as,
      svc,
      await oauth.clientCredentialsGrantRequest(as, svc, oauth.ClientSecretBasic('svc-secret'), {}, requestOptions),
    );
    expect(cc.expires_in).toBe(2);
    expect(await introspect(before.access_token)).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 3_100));
    expect(await introspect(after.access_token)).toBe(false);
    // The refresh token outlives the access token: that is what refreshing is for.
    expect((await refresh(as, after.refresh_token!)).expires_in).toBe(2);
  } finally {
    idp.setAccessTokenTtl(3600);
  }
});

test('a refresh token past refreshTokenTtl is invalid_grant', async () => {
  const { idp: shortLived, as: shortAs } = await startedIdP({ refreshTokenTtl: 1 });
  try {
    const login = await passwordLogin(shortAs, 'alice', 'alice-password');
    await new Promise((resolve) => setTimeout(resolve, 2_100));
    expect(await oauthError(oauth.processRefreshTokenResponse(
      shortAs,
      publicClient,
      await oauth.refreshTokenGrantRequest(shortAs, publicClient, oauth.None(), login.refresh_token!, requestOptions),
    ))).toBe('invalid_grant');
  } finally {
    await shortLived.close();
  }
});

test('RFC 7009: the public client revokes its refresh token, which then is invalid_grant', async () => {
  const login = await passwordLogin(as, 'alice', 'alice-password');
  await oauth.processRevocationResponse(await oauth.revocationRequest(as, publicClient, oauth.None(), login.refresh_token!, requestOptions));
  expect(await oauthError(refresh(as, login.refresh_token!))).toBe('invalid_grant');
});
