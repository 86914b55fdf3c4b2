import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { TestIdP } from '../src/index.js';
import {
  authorizationUrl,
  confidentialClient,
 
  oauth,
  oauthError,
  passwordLogin,
  publicClient,
  requestOptions,
} from './support/oauth-client.js';
import { startedIdP } from './support/started-idp.js';

let idp: TestIdP;
let as: oauth.AuthorizationServer;

beforeAll(async () => ({ idp, as } = await startedIdP()));
afterAll(() => idp.close());

describe('discovery', () => {
  test('the issuer is loopback http and advertises every grant the clients use', () => {
    expect(idp.issuer).toBe(`http://127.0.0.1:${idp.port}`);
    expect(as.issuer).toBe(idp.issuer);
    expect(as.grant_types_supported).toEqual(
      expect.arrayContaining(['authorization_code', 'refresh_token', 'client_credentials', 'password', 'urn:ietf:params:oauth:grant-type:device_code']),
    );
    expect(as.device_authorization_endpoint).toBe(`${idp.issuer}/device/auth`);
    expect(idp.clients).toEqual({ public: 'authctl', confidential: { id: 'svc', secret: 'svc-secret' } });
  });
});

describe('client credentials (RFC 6749 §4.4)', () => {
  test('svc gets an access token with client_secret_basic and with client_secret_post', async () => {
    for (const auth of [oauth.ClientSecretBasic('svc-secret'), oauth.ClientSecretPost('svc-secret')]) {
      const res = await oauth.clientCredentialsGrantRequest(as, confidentialClient, auth, { scope: 'api:read' }, requestOptions);
      const tokens = await oauth.processClientCredentialsResponse(as, confidentialClient, res);
      expect(tokens.access_token).toMatch(/^[\w-]{20,}$/);
      expect(tokens.token_type).toBe('bearer');
      expect(tokens.expires_in).toBe(3600);
      expect(tokens.scope).toBe('api:read');
      expect(tokens.refresh_token).toBeUndefined();
    }
  });

  test('a wrong client secret is invalid_client', async () => {
    const res = await oauth.clientCredentialsGrantRequest(as, confidentialClient, oauth.ClientSecretBasic('not-the-secret'), {}, requestOptions);
    expect(await oauthError(oauth.processClientCredentialsResponse(as, confidentialClient, res))).toBe('invalid_client');
  });
});

describe('password grant (RFC 6749 §4.3)', () => {
  test('a known user gets access, refresh and id tokens', async () => {
    const tokens = await passwordLogin(as, 'bob', 'bob-password');
    expect(tokens.access_token).toBeTruthy();
    expect(tokens.refresh_token).toBeTruthy();
    expect(tokens.expires_in).toBe(3600);
    expect(oauth.getValidatedIdTokenClaims(tokens)?.sub).toBe('bob');
    const info = await oauth.processIntrospectionResponse(
      as,
      confidentialClient,
      await oauth.introspectionRequest(as, confidentialClient, oauth.ClientSecretBasic('svc-secret'), tokens.access_token, requestOptions),
    );
    expect(info).toMatchObject({ active: true, sub: 'bob', client_id: 'authctl' });
  });

  test('a wrong password is invalid_grant, and so is an unknown user', async () => {
    expect(await oauthError(passwordLogin(as, 'alice', 'wrong-password'))).toBe('invalid_grant');
    expect(await oauthError(passwordLogin(as, 'mallory', 'alice-password'))).toBe('invalid_grant');
  });

  test('the users option replaces the default users', async () => {
    const { idp: other, as: otherAs } = await startedIdP({ users: { carol: 'carol-pw' } });
    try {
      expect(oauth.getValidatedIdTokenClaims(await passwordLogin(otherAs, 'carol', 'carol-pw'))?.sub).toBe('carol');
      expect(await oauthError(passwordLogin(otherAs, 'alice', 'alice-password'))).toBe('invalid_grant');
    } finally {
      await other.close();
    }
  });
});

describe('authorization code + PKCE (RFC 6749 §4.1, RFC 7636) through HeadlessUser.authorize', () => {
  test.each(['127.0.0.1', 'localhost'])('RFC 8252 §7.3: a loopback redirect on %s with any port gets a code that exchanges for tokens', async (host) => {
    const redirectUri = `http://${host}:49152/callback`;
    const request = await authorizationUrl(as, redirectUri);
    const callback = await idp.user.authorize(request.url, redirectUri, { username: 'bob', password: 'bob-password' });
    expect(callback.startsWith(`${redirectUri}?`)).toBe(true);
    const params = oauth.validateAuthResponse(as, publicClient, new URL(callback), request.state);
    const res = await oauth.authorizationCodeGrantRequest(as, publicClient, oauth.None(), params, redirectUri, request.codeVerifier, requestOptions);
    const tokens = await oauth.processAuthorizationCodeResponse(as, publicClient, res, { expectedNonce: request.nonce });
    expect(oauth.getValidatedIdTokenClaims(tokens)?.sub).toBe('bob');
    expect(tokens.refresh_token).toBeTruthy();
    expect(tokens.expires_in).toBe(3600);
  });

  test('the default user is the first in the users table (alice)', async () => {
    const redirectUri = 'http://127.0.0.1:49153/callback';
    const request = await authorizationUrl(as, redirectUri);
    const params = oauth.validateAuthResponse(as, publicClient, new URL(await idp.user.authorize(request.url, redirectUri)), request.state);
    const res = await oauth.authorizationCodeGrantRequest(as, publicClient, oauth.None(), params, redirectUri, request.codeVerifier, requestOptions);
    const tokens = await oauth.processAuthorizationCodeResponse(as, publicClient, res, { expectedNonce: request.nonce });
    expect(oauth.getValidatedIdTokenClaims(tokens)?.sub).toBe('alice');
  });

  test('a wrong password is refused at the sign-in page', async () => {
    const redirectUri = 'http://127.0.0.1:49154/callback';
    const request = await authorizationUrl(as, redirectUri);
    await expect(idp.user.authorize(request.url, redirectUri, { password: 'wrong-password' })).rejects.toThrow(
      /sign-in as alice refused: .*Invalid username or password/,
    );
  });

  test('PKCE is required of the public client', async () => {
    const redirectUri = 'http://127.0.0.1:49155/callback';
    const url = new URL((await authorizationUrl(as, redirectUri)).url);
    url.searchParams.delete('code_challenge');
    url.searchParams.delete('code_challenge_method');
    const callback = new URL(await idp.user.authorize(url.href, redirectUri));
    expect(callback.searchParams.get('error')).toBe('invalid_request');
    expect(callback.searchParams.get('error_description')).toMatch(/PKCE/);
  });
});
