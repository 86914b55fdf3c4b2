import { startTestIdP, type TestIdP } from '@auth/testkit';
import * as oauth from 'oauth4webapi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { flows } from '../../src/flows/index.js';
import { prefersClientSecretPost } from '../../src/session/client.js';
import { loginFlowContext } from '../../src/session/flow-context.js';
import { login } from '../../src/session/login.js';
import { createMemoryStore } from '../../src/stores/memory-store.js';
import { clientSecretKey, tokenKey } from '../../src/token-set.js';
import { sessionFor } from './support/session.js';

let idp: TestIdP;
beforeAll(async () => {
  idp = await startTestIdP();
});
afterAll(() => idp.close());

const serviceAccount = () => ({ issuer: idp.issuer, client_id: 'authctl', service_account: { client_id: 'svc' }, scopes: ['api:read'] });

describe('client credentials (RFC 6749 §4.4)', () => {
  it('logs a service account in with the secret from AUTHCTL_CLIENT_SECRET and stores the token', async () => {
    const store = createMemoryStore();
    const ctx = sessionFor(serviceAccount(), { store, secrets: { clientSecret: async () => 'svc-secret' } });

    const credential = await login(ctx, { flow: 'client-credentials' });

    expect(credential.client_id).toBe('svc');
    expect(credential.flow).toBe('client-credentials');
    expect(credential.tokens.token_type).toBe('Bearer');
    expect(credential.tokens.scope).toBe('api:read');
    expect(credential.server.token_endpoint).toBe(`${idp.issuer}/token`);
    expect(await store.get(tokenKey('dev'))).toEqual(credential);
    expect(idp.grants().at(-1)).toMatchObject({ grant_type: 'client_credentials', status: 200 });
  });

  it('falls back to the client secret saved in the credential store', async () => {
    const store = createMemoryStore();
    await store.set(clientSecretKey('dev'), { kind: 'secret', value: 'svc-secret' });

    const credential = await login(sessionFor(serviceAccount(), { store }), { flow: 'client-credentials' });

    expect(credential.tokens.access_token).not.toBe('');
  });

  it('without any client secret fails with LOGIN_REQUIRED and says where a secret can come from', async () => {
    const before = idp.grantCount('client_credentials');
    const failure = login(sessionFor(serviceAccount()), { flow: 'client-credentials' });

    await expect(failure).rejects.toMatchObject({
      code: 'LOGIN_REQUIRED',
      details: { hint: expect.stringContaining('AUTHCTL_CLIENT_SECRET') },
    });
    expect(idp.grantCount('client_credentials')).toBe(before);
  });

  it('a wrong secret is INVALID_CLIENT and the message never contains it', async () => {
    const ctx = sessionFor(serviceAccount(), { secrets: { clientSecret: async () => 'not-the-secret' } });

    const error = await login(ctx, { flow: 'client-credentials' }).catch((e: unknown) => e);

    expect(error).toMatchObject({ code: 'INVALID_CLIENT', details: { oauthError: 'invalid_client', status: 401 } });
    expect(JSON.stringify({ message: (error as Error).message, details: (error as { details: unknown }).details })).not.toContain(
      'not-the-secret',
    );
  });

  it('RFC 6749 §5.2: a 401 answer is a failed client authentication whatever its error value (Auth0 answers access_denied "Unauthorized")', async () => {
    const auth0Like: typeof fetch = async (input, init) =>
      String(input).endsWith('/token')
        ? new Response(JSON.stringify({ error: 'access_denied', error_description: 'Unauthorized' }), { status: 401, headers: { 'content-type': 'application/json' } })
        : fetch(input, init);
    const ctx = sessionFor(serviceAccount(), { secrets: { clientSecret: async () => 'not-the-secret' }, fetch: auth0Like });

    const error = await login(ctx, { flow: 'client-credentials' }).catch((e: unknown) => e);

    expect(error).toMatchObject({ code: 'INVALID_CLIENT', details: { oauthError: 'access_denied', status: 401, hint: expect.stringContaining('client secret') } });
  });

  it('RFC 6749 §2.3.1: client_secret_post authenticates when the server does not take basic', async () => {
    const ctx = sessionFor(serviceAccount(), { secrets: { clientSecret: async () => 'svc-secret' } });
    const flowContext = await loginFlowContext(ctx, 'client-credentials');
    const postOnly = { ...flowContext.server, token_endpoint_auth_methods_supported: ['client_secret_post'] };
    expect(prefersClientSecretPost(flowContext.server)).toBe(false);
    expect(prefersClientSecretPost(postOnly)).toBe(true);

    const tokens = await flows['client-credentials'].run({ ...flowContext, clientAuth: oauth.ClientSecretPost('svc-secret') });

    expect(tokens.access_token).not.toBe('');
    expect(idp.grants().at(-1)).toMatchObject({ grant_type: 'client_credentials', status: 200 });
  });
});
