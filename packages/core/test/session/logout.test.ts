import { startTestIdP, type TestIdP } from '@auth/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { login } from '../../src/session/login.js';
import { logout } from '../../src/session/logout.js';
import { createMemoryStore } from '../../src/stores/memory-store.js';
import { getToken } from '../../src/token/token-manager.js';
import { tokenKey } from '../../src/token-set.js';
import { recordingInteraction } from '../flows/support/interaction.js';
import { sessionFor } from '../flows/support/session.js';

let idp: TestIdP;
beforeAll(async () => {
  idp = await startTestIdP();
});
afterAll(() => idp.close());

const bob = { password: async () => ({ username: 'bob', password: 'bob-password' }) };
const afterExpiry = () => Math.floor(Date.now() / 1000) + 7200;

describe('logout', () => {
  it('RFC 7009: revokes at the IdP, then deletes; the refresh token is dead', async () => {
    const store = createMemoryStore();
    const profile = { issuer: idp.issuer, client_id: 'authctl', flow: 'password' };
    const credential = await login(sessionFor(profile, { store, secrets: bob }));

    expect(await logout(sessionFor(profile, { store }))).toEqual({
      revoked: true,
      revocation: { outcome: 'answered', revoked: ['refresh_token', 'access_token'], unrevocable: [], accessTokenExpiresAt: credential.tokens.expires_at },
      deleted: true,
    });

    expect(await store.get(tokenKey('dev'))).toBeUndefined();
    await store.set(tokenKey('dev'), credential);
    await expect(getToken(sessionFor(profile, { store, now: afterExpiry }))).rejects.toMatchObject({ code: 'LOGIN_REQUIRED' });
  });

  it('without a revocation endpoint it only deletes', async () => {
    const store = createMemoryStore();
    const profile = { token_url: `${idp.issuer}/token`, client_id: 'authctl', flow: 'password' };
    const credential = await login(sessionFor(profile, { store, secrets: bob }));
    const before = idp.grants().length;

    expect(await logout(sessionFor(profile, { store }))).toEqual({
      revoked: false,
      revocation: { outcome: 'unsupported', accessTokenExpiresAt: credential.tokens.expires_at },
      deleted: true,
    });
    expect(idp.grants().length).toBe(before);
  });

  it('a revocation that fails is reported and the credential is deleted anyway', async () => {
    const store = createMemoryStore();
    const profile = { issuer: idp.issuer, client_id: 'authctl', flow: 'password', timeout: 2 };
    const credential = await login(sessionFor(profile, { store, secrets: bob }));
    const { interaction, steps } = recordingInteraction();
    await idp.setOutage('503');
    try {
      expect(await logout(sessionFor(profile, { store, interaction }))).toEqual({
        revoked: false,
        revocation: { outcome: 'failed', reason: expect.stringContaining('503'), accessTokenExpiresAt: credential.tokens.expires_at },
        deleted: true,
      });
    } finally {
      await idp.setOutage('none');
    }
    expect(steps).toEqual([{ kind: 'print', message: expect.stringContaining(`${idp.issuer}/token/revocation`) }]);
    expect(await store.get(tokenKey('dev'))).toBeUndefined();
  });

  it('with nothing stored there is nothing to revoke or delete', async () => {
    expect(await logout(sessionFor({ issuer: idp.issuer, client_id: 'authctl' }))).toEqual({ revoked: false, revocation: { outcome: 'none' }, deleted: false });
  });
});

describe('logout against an IdP that cannot revoke access tokens', () => {
  it('RFC 7009 §2.2.1: unsupported_token_type for the access token is an answer, not a failure; the refresh token counts', async () => {
    const store = createMemoryStore();
    const profile = { issuer: idp.issuer, client_id: 'authctl', flow: 'password' };
    const credential = await login(sessionFor(profile, { store, secrets: bob }));
    const { interaction, steps } = recordingInteraction();
    // The IdP as one that issues self-contained access tokens answers for them (RFC 7009 §2.2.1).
    const answering: typeof fetch = async (input, init) => {
      const body = new URLSearchParams(String(init?.body));
      if (String(input instanceof Request ? input.url : input).endsWith('/token/revocation') && body.get('token_type_hint') === 'access_token') {
        return Response.json({ error: 'unsupported_token_type' }, { status: 400 });
      }
      return fetch(input, init);
    };

    const result = await logout(sessionFor(profile, { store, interaction, fetch: answering }));

    expect(result).toEqual({
      revoked: true,
      revocation: { outcome: 'answered', revoked: ['refresh_token'], unrevocable: ['access_token'], accessTokenExpiresAt: credential.tokens.expires_at },
      deleted: true,
    });
    expect(steps).toEqual([]);
  });
});
