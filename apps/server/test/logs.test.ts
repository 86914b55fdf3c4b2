import * as oauth from 'oauth4webapi';
import { expect, test } from 'vitest';
import { formOf, HttpUser, signInOverHttp } from './support/http-user.js';
import { authorizationRequest, cli, clientCredentialsToken, exchangeCode, insecure } from './support/oauth-client.js';
import { DEMO_PASSWORD, SERVICE_SECRET, useTestServer } from './support/test-server.js';

const t = useTestServer();

test('the structured log of a full login never contains a password, secret, code or token', async () => {
  const secrets: string[] = [DEMO_PASSWORD, SERVICE_SECRET];

  // A wrong password typed into the username field, as people do.
  const mistyped = 'my-real-password-typed-as-username';
  const user = new HttpUser();
  const failed = await authorizationRequest(t.as, 'http://127.0.0.1:1/callback');
  const form = formOf(await user.follow(failed.url.href));
  await user.request(form.action, { form: { ...form.fields, username: mistyped, password: 'wrong-password-attempt' } });
  secrets.push(mistyped, 'wrong-password-attempt');

  const redirectUri = 'http://127.0.0.1:53682/callback';
  const request = await authorizationRequest(t.as, redirectUri);
  const callback = await signInOverHttp(request.url.href, redirectUri, 'demo', DEMO_PASSWORD);
  secrets.push(callback.searchParams.get('code')!, request.verifier);
  const tokens = await exchangeCode(t.as, request, callback);
  secrets.push(tokens.access_token, tokens.refresh_token!, tokens.id_token!);
  const refreshed = await oauth.processRefreshTokenResponse(
    t.as,
    cli,
    await oauth.refreshTokenGrantRequest(t.as, cli, oauth.None(), tokens.refresh_token!, insecure),
  );
  secrets.push(refreshed.access_token, refreshed.refresh_token!);
  await oauth.revocationRequest(t.as, cli, oauth.None(), refreshed.refresh_token!, insecure);
  secrets.push((await clientCredentialsToken(t.as)).access_token);
  await clientCredentialsToken(t.as, 'a-wrong-client-secret').catch(() => undefined);
  secrets.push('a-wrong-client-secret');

  const logs = t.server.logs();
  // The capture works: the login, both grants and the failures were logged.
  expect(logs).toContain('"event":"login.failed"');
  expect(logs).toContain('"event":"login.succeeded"');
  expect(logs).toContain('"grant_type":"refresh_token"');
  expect(logs).toContain('"grant_type":"client_credentials"');
  expect(logs).toContain('"error":"invalid_client"');
  for (const secret of secrets) {
    expect(secret.length).toBeGreaterThan(8);
    expect(logs).not.toContain(secret);
  }
  // Query strings (codes, state) are never logged, only paths.
  expect(logs).not.toContain('code=');
});
