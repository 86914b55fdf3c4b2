import { startTestIdP, type TestIdP } from '@auth/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { login } from '../../src/session/login.js';
import { sessionFor } from './support/session.js';

let idp: TestIdP;
beforeAll(async () => {
  idp = await startTestIdP();
});
afterAll(() => idp.close());

const profile = () => ({ issuer: idp.issuer, client_id: 'authctl', flow: 'password' });

describe('resource owner password grant (RFC 6749 §4.3)', () => {
  it('logs in with the username and password from the password source', async () => {
    const ctx = sessionFor(profile(), { secrets: { password: async () => ({ username: 'bob', password: 'bob-password' }) } });

    const credential = await login(ctx);

    expect(credential.flow).toBe('password');
    expect(credential.subject).toBe('bob');
    expect(credential.tokens.refresh_token).toBeDefined();
  });

  it('a wrong password is INVALID_CREDENTIALS and the password appears nowhere in the error', async () => {
    const ctx = sessionFor(profile(), { secrets: { password: async () => ({ username: 'bob', password: 'wrong-horse' }) } });

    const error = await login(ctx).catch((e: unknown) => e);

    expect(error).toMatchObject({ code: 'INVALID_CREDENTIALS', details: { oauthError: 'invalid_grant', status: 400 } });
    expect((error as Error).message).toContain('bob');
    expect(JSON.stringify([(error as Error).message, (error as { details: unknown }).details])).not.toContain('wrong-horse');
  });

  it('without a password source it is LOGIN_REQUIRED and nothing is sent', async () => {
    const before = idp.grantCount('password');

    await expect(login(sessionFor(profile()))).rejects.toMatchObject({
      code: 'LOGIN_REQUIRED',
      details: { hint: expect.stringContaining('AUTHCTL_PASSWORD') },
    });
    expect(idp.grantCount('password')).toBe(before);
  });
});
