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

    expect(await logout(sessionFor(profile, { store }))).toEqual({ revoked: true, deleted: true });

    expect(await store.get(tokenKey('dev'))).toBeUndefined();
    await store.set(tokenKey('dev'), credential);
    await expect(getToken(sessionFor(profile, { store, now: afterExpiry }))).rejects.toMatchObject({ code: 'LOGIN_REQUIRED' });
  });

  it('without a revocation endpoint it only deletes', async () => {
    const store = createMemoryStore();
    const profile = { token_url: `${idp.issuer}/token`, client_id: 'authctl', flow: 'password' };
    await login(sessionFor(profile, { store, secrets: bob }));
    const before = idp.grants().length;

    expect(await logout(sessionFor(profile, { store }))).toEqual({ revoked: false, deleted: true });
    expect(idp.grants().length).toBe(before);
  });

  it('a revocation that fails is reported and the credential is deleted anyway', async () => {
    const store = createMemoryStore();
    const profile = { issuer: idp.issuer, client_id: 'authctl', flow: 'password', timeout: 2 };
    await login(sessionFor(profile, { store, secrets: bob }));
    const { interaction, steps } = recordingInteraction();
    await idp.setOutage('503');
    try {
      expect(await logout(sessionFor(profile, { store, interaction }))).toEqual({ revoked: false, deleted: true });
    } finally {
      await idp.setOutage('none');
    }
    expect(steps).toEqual([{ kind: 'print', message: expect.stringContaining(`${idp.issuer}/token/revocation`) }]);
    expect(await store.get(tokenKey('dev'))).toBeUndefined();
  });

  it('with nothing stored there is nothing to revoke or delete', async () => {
    expect(await logout(sessionFor({ issuer: idp.issuer, client_id: 'authctl' }))).toEqual({ revoked: false, deleted: false });
  });
});
