import type { Credential, CredentialStore, OAuthCredential } from '@auth/core';
import { AuthError, clientSecretKey, tokenKey } from '@auth/core';
import { describe, expect, it } from 'vitest';

export interface CredentialStoreConformanceOptions {
  /** Shown in the suite's name (`file`, `keyring (gnome-keyring over a private D-Bus session)`, …). */
  name: string;
  /** A fresh, empty store for each test. */
  store: () => Promise<CredentialStore>;
  /** What the store claims beyond the contract every store keeps. */
  manifest?: CredentialStoreManifest;
}

export interface CredentialStoreManifest {
  /**
   * The store keeps what it holds beyond its own lifetime (a file, a keyring):
   * another instance over the same place, made by this function, reads it.
   * Leave it out for a store that lives in memory.
   */
  reopen?: (store: CredentialStore) => Promise<CredentialStore>;
}

/** An OAuth credential with recognisable secret values, as a login would store it. */
function oauthCredential(): OAuthCredential {
  const now = Math.floor(Date.now() / 1000);
  return {
    kind: 'oauth',
    flow: 'device',
    client_id: 'authctl',
    server: { issuer: 'http://127.0.0.1:8080', token_endpoint: 'http://127.0.0.1:8080/token' },
    tokens: { access_token: 'at-secret-value', token_type: 'Bearer', issued_at: now, expires_at: now + 3600, refresh_token: 'rt-secret-value' },
  };
}

/**
 * The CredentialStore contract (v1) every store keeps: round trips of every
 * credential kind, copies not references, delete and list, refusal of an
 * invalid credential without echoing its secrets, and `withLock`
 * (serialising, re-entrant, released on failure, per key).
 */
export function describeCredentialStoreConformance(options: CredentialStoreConformanceOptions): void {
  const { name, store: makeStore, manifest = {} } = options;

  describe(`${name} store: CredentialStore conformance`, () => {
    it('declares specification v1 and an id', async () => {
      const store = await makeStore();
      expect(store.specificationVersion).toBe('v1');
      expect(store.id).toMatch(/^[a-z][a-z0-9-]*$/);
    });

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
      const first = (await store.get('dev')) as OAuthCredential;
      first.tokens.access_token = 'tampered';
      original.tokens.access_token = 'tampered too';
      expect(((await store.get('dev')) as OAuthCredential).tokens.access_token).toBe('at-secret-value');
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

    it('list returns the stored keys, sorted, including keys with "#" and "/"', async () => {
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
          // Yield to the event loop between read and write, so an unserialised store loses increments.
          await new Promise((resolve) => setImmediate(resolve));
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

    const { reopen } = manifest;
    if (reopen === undefined) {
      it('a new store from the factory starts empty (the manifest declares no reopen, so persistence is not checked)', async () => {
        await (await makeStore()).set('dev', { kind: 'secret', value: 'x' });
        expect(await (await makeStore()).list()).toEqual([]);
      });
    } else {
      it('persists: a reopened store over the same place reads what was written, and sees deletes', async () => {
        const store = await makeStore();
        await store.set(tokenKey('dev'), oauthCredential());
        await store.set('gone', { kind: 'secret', value: 'x' });
        await store.delete('gone');
        const again = await reopen(store);
        expect(await again.get(tokenKey('dev'))).toEqual(await store.get(tokenKey('dev')));
        expect(await again.list()).toEqual([tokenKey('dev')]);
      });
    }
  });
}
