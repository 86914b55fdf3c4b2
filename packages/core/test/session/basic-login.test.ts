import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { resolveProfile } from '../../src/config/resolve-profile.js';
import type { BasicCredentialCapability } from '../../src/contracts/v1/basic-credential.js';
import { AuthError } from '../../src/errors.js';
import { defineProvider } from '../../src/plugins/define-provider.js';
import { basicExecEnvironment, loginBasic, storedBasicCredential } from '../../src/session/basic-login.js';
import { logout } from '../../src/session/logout.js';
import type { SessionContext } from '../../src/session/types.js';
import { createMemoryStore } from '../../src/stores/memory-store.js';
import { basicAuthorization } from '../../src/token/basic-authorization.js';
import { getToken } from '../../src/token/token-manager.js';
import { tokenKey, type BasicCredential } from '../../src/token-set.js';
import { recordingInteraction } from '../flows/support/interaction.js';

/** A Basic provider whose server knows one user; it records what it was asked to check. */
function basicProvider(checked: BasicCredential[] = []) {
  const basic: BasicCredentialCapability<{ url: string }> = {
    specificationVersion: 'v1',
    async check(settings, credential) {
      checked.push(credential);
      if (credential.password !== 'right') {
        throw new AuthError('INVALID_CREDENTIALS', `${settings.url} refused ${credential.username}`, { url: settings.url });
      }
    },
    execEnvironment: (settings, credential) => ({ SERVER_URL: settings.url, SERVER_USER: credential.username }),
  };
  return defineProvider({ specificationVersion: 'v1', id: 'basic-test', name: 'Basic test', options: z.object({ url: z.string() }), basic });
}

function session(provider: ReturnType<typeof basicProvider>, secrets: { username: string; password: string }, store = createMemoryStore()): SessionContext {
  const config = {
    home: '/nonexistent/authctl',
    file: '/nonexistent/authctl/config.toml',
    exists: true,
    store: { backend: 'file' as const, path: '/nonexistent/authctl/state' },
    profiles: { kap: { provider: 'basic-test', url: 'http://127.0.0.1:9092' } },
  };
  return {
    profile: resolveProfile(config, 'kap', provider),
    provider,
    store,
    interaction: recordingInteraction().interaction,
    secrets: { password: async () => secrets },
  };
}

describe('loginBasic: a username and password proved by the provider, then stored', () => {
  it('stores the credentials the provider accepted under the profile key, and a second login replaces them', async () => {
    const checked: BasicCredential[] = [];
    const provider = basicProvider(checked);
    const store = createMemoryStore();
    await loginBasic(session(provider, { username: 'johndoe', password: 'right' }, store));
    expect(await store.get(tokenKey('kap'))).toEqual({ kind: 'basic', username: 'johndoe', password: 'right' });
    await loginBasic(session(provider, { username: 'alice', password: 'right' }, store));
    expect(await store.get(tokenKey('kap'))).toEqual({ kind: 'basic', username: 'alice', password: 'right' });
    expect(checked.map((credential) => credential.username)).toEqual(['johndoe', 'alice']);
  });

  it('credentials the provider refuses are not stored, and the stored ones stay', async () => {
    const store = createMemoryStore();
    const provider = basicProvider();
    await loginBasic(session(provider, { username: 'johndoe', password: 'right' }, store));
    await expect(loginBasic(session(provider, { username: 'johndoe', password: 'wrong' }, store))).rejects.toMatchObject({
      code: 'INVALID_CREDENTIALS',
    });
    expect(await store.get(tokenKey('kap'))).toEqual({ kind: 'basic', username: 'johndoe', password: 'right' });
  });

  it('RFC 7617 §2: a username with a colon, or a control character in either part, is refused before anything is sent', async () => {
    const checked: BasicCredential[] = [];
    const provider = basicProvider(checked);
    for (const secrets of [
      { username: 'john:doe', password: 'right' },
      { username: 'john\ndoe', password: 'right' },
      { username: 'johndoe', password: 'ri\nght' },
      { username: '', password: 'right' },
      { username: 'johndoe', password: '' },
    ]) {
      const refused = await loginBasic(session(provider, secrets)).catch((error: unknown) => error);
      expect(refused).toMatchObject({ code: 'USAGE' });
      expect((refused as Error).message).not.toContain('ri\nght');
    }
    expect(checked).toEqual([]);
  });
});

describe('using stored Basic credentials', () => {
  it('exec gets the provider’s variables for the stored credentials; with nothing stored, LOGIN_REQUIRED', async () => {
    const provider = basicProvider();
    const store = createMemoryStore();
    await expect(storedBasicCredential(session(provider, { username: 'johndoe', password: 'right' }, store))).rejects.toMatchObject({
      code: 'LOGIN_REQUIRED',
      details: { hint: 'run `authctl login --profile kap`' },
    });
    await loginBasic(session(provider, { username: 'johndoe', password: 'right' }, store));
    expect(await basicExecEnvironment(session(provider, { username: 'x', password: 'x' }, store))).toEqual({
      SERVER_URL: 'http://127.0.0.1:9092',
      SERVER_USER: 'johndoe',
    });
  });

  it('getToken on Basic credentials is a usage error that points at print-token --header and exec, never a token', async () => {
    const store = createMemoryStore();
    const ctx = session(basicProvider(), { username: 'johndoe', password: 'right' }, store);
    await loginBasic(ctx);
    const refused = await getToken(ctx).catch((error: unknown) => error);
    expect(refused).toMatchObject({ code: 'USAGE' });
    expect((refused as AuthError).hint).toContain('authctl print-token --header --profile kap');
  });

  it('logout deletes the stored credentials; nothing is revoked', async () => {
    const store = createMemoryStore();
    const ctx = session(basicProvider(), { username: 'johndoe', password: 'right' }, store);
    await loginBasic(ctx);
    expect(await logout(ctx)).toEqual({ revoked: false, revocation: { outcome: 'none' }, deleted: true });
    expect(await store.get(tokenKey('kap'))).toBeUndefined();
  });
});

describe('basicAuthorization', () => {
  it('RFC 7617 §2 and §2.1: Basic base64(user-id ":" password), UTF-8 (the RFC\'s own examples)', () => {
    expect(basicAuthorization({ username: 'Aladdin', password: 'open sesame' })).toBe('Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==');
    expect(basicAuthorization({ username: 'test', password: '123£' })).toBe('Basic dGVzdDoxMjPCow==');
  });
});
