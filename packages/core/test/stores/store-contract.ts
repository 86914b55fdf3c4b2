import { describe, expect, it } from 'vitest';
import type { CredentialStore } from '../../src/contracts/v1/credential-store.js';
import { AuthError } from '../../src/errors.js';
import { clientSecretKey, tokenKey, type Credential } from '../../src/token-set.js';
import { oauthCredential } from './helpers.js';

/** The CredentialStore contract every store passes. */
export function describeStoreContract(name: string, makeStore: () => Promise<CredentialStore>): void {
  describe(`${name} store: CredentialStore contract`, () => {
    it('get of a key never set is undefined', async () => {
      const store = await makeStore();
      expect(await store.get(tokenKey('nobody'))).toBeUndefined();
    });

    it('set then get round-trips every credential kind', async () => {
      const store = await makeStore();
      const values: Record<string, Credential> = {
        [tokenKey('dev')]: oauthCredential(),
        [clientSecretKey('dev')]: { kind: 'secret', value: 's3cret' },
        [tokenKey('influx')]: { kind: 'basic', username: 'admin', password: 'pw' },
      };
      for (const [key, value] of Object.entries(values)) await store.set(key, value);
      for (const [key, value] of Object.entries(values)) expect(await store.get(key)).toEqual(value);
    });

    it('values are copied: changing a returned object does not change the store', async () => {
      const store = await makeStore();
      const original = oauthCredential();
      await store.set('dev', original);
      const first = (await store.get('dev')) as ReturnType<typeof oauthCredential>;
      first.tokens.access_token = 'tampered';
      original.tokens.access_token = 'tampered too';
      expect(((await store.get('dev')) as typeof first).tokens.access_token).toBe('at-secret-value');
    });

    it('set replaces the previous value', async () => {
      const store = await makeStore();
      await store.set('dev', { kind: 'secret', value: 'one' });
      await store.set('dev', { kind: 'secret', value: 'two' });
      expect(await store.get('dev')).toEqual({ kind: 'secret', value: 'two' });
    });

    it('delete reports whether something was deleted', async () => {
      const store = await makeStore();
      await store.set('dev', { kind: 'secret', value: 'x' });
      expect(await store.delete('dev')).toBe(true);
      expect(await store.get('dev')).toBeUndefined();
      expect(await store.delete('dev')).toBe(false);
    });

    it('list returns the stored keys, including keys with "#" and "/"', async () => {
      const store = await makeStore();
      expect(await store.list()).toEqual([]);
      for (const key of ['prod', clientSecretKey('dev'), 'dev', 'team/one']) await store.set(key, { kind: 'secret', value: 'v' });
      expect(await store.list()).toEqual(['dev', 'dev#client_secret', 'prod', 'team/one']);
    });

    it('an invalid credential is refused with INTERNAL and its secrets are not in the message', async () => {
      const store = await makeStore();
      const bad = { ...oauthCredential(), tokens: { access_token: 'do-not-print-me', token_type: 'Bearer' } };
      const error = await store.set('dev', bad as unknown as Credential).catch((e: unknown) => e);
      expect(AuthError.is(error) && error.code).toBe('INTERNAL');
      expect((error as Error).message).toContain('tokens.expires_at');
      expect((error as Error).message).not.toContain('do-not-print-me');
      expect(await store.get('dev')).toBeUndefined();
    });

    it('withLock serialises read-modify-write in one process: 40 concurrent increments give 40', async () => {
      const store = await makeStore();
      const increment = () =>
        store.withLock('counter', async () => {
          const current = await store.get('counter');
          const count = current?.kind === 'secret' ? Number(current.value) : 0;
          await new Promise((resolve) => setTimeout(resolve, 1));
          await store.set('counter', { kind: 'secret', value: String(count + 1) });
        });
      await Promise.all(Array.from({ length: 40 }, increment));
      expect(await store.get('counter')).toEqual({ kind: 'secret', value: '40' });
    });

    it('withLock is re-entrant: a locked section may lock the same key again', async () => {
      const store = await makeStore();
      const result = await store.withLock('dev', () => store.withLock('dev', async () => 'inner'));
      expect(result).toBe('inner');
    });

    it('withLock releases the lock when the section throws, and passes the error on', async () => {
      const store = await makeStore();
      await expect(store.withLock('dev', async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
      expect(await store.withLock('dev', async () => 'next')).toBe('next');
    });

    it('withLock on different keys does not wait for each other', async () => {
      const store = await makeStore();
      let releaseA!: () => void;
      let started!: () => void;
      const aStarted = new Promise<void>((resolve) => (started = resolve));
      const a = store.withLock('a', () => {
        started();
        return new Promise<void>((resolve) => (releaseA = resolve));
      });
      await aStarted;
      await expect(store.withLock('b', async () => 'b done')).resolves.toBe('b done');
      releaseA();
      await a;
    });
  });
}
