import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { AuthctlConfig, CredentialStore } from '@auth/core';
import { describeCredentialStoreConformance, useKeyringSession } from '@auth/testkit/conformance';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load-config.js';
import { describeStore } from '../../src/stores/describe-store.js';
import { createFileStore } from '../../src/stores/file-store.js';
import { createKeyringStore } from '../../src/stores/keyring-store.js';
import { openStore } from '../../src/stores/open-store.js';
import { switchStoreBackend } from '../../src/stores/switch-store.js';
import { clientSecretKey, tokenKey, type Credential } from '../../src/token-set.js';
import { oauthCredential, rejectedAuthError, useTempDirs } from './helpers.js';

const tempDir = useTempDirs();
useKeyringSession();

/** Every kind of key a store holds: two identities' tokens (one sealed), a client secret, another profile. */
const CREDENTIALS: Record<string, Credential> = {
  [tokenKey('dev')]: oauthCredential({ access_token: 'at-alice' }),
  'dev#identity:bob': oauthCredential({ access_token: `at-bob-${'b'.repeat(17 * 1024)}` }),
  [clientSecretKey('dev')]: { kind: 'secret', value: 'client-secret-value' },
  [tokenKey('influx')]: { kind: 'basic', username: 'admin', password: 'influx-password' },
};

async function home(backend: 'file' | 'keyring' | 'auto') {
  const dir = await tempDir();
  const file = join(dir, 'config.toml');
  await writeFile(file, `[store]\nbackend = "${backend}"\n\n[profiles.dev]\nprovider = "oidc"\n`);
  const storePath = join(dir, 'state');
  return {
    file,
    config: () => loadConfig({ env: { AUTHCTL_HOME: dir } }),
    files: createFileStore({ dir: join(storePath, 'credentials') }),
    keyring: createKeyringStore({ storePath }),
  };
}

async function contents(store: { list(): Promise<string[]>; get(key: string): Promise<Credential | undefined> }) {
  const all: Record<string, Credential | undefined> = {};
  for (const key of await store.list()) all[key] = await store.get(key);
  return all;
}

/** The config each store below was opened from, so the suite can open a second store from it. */
const configs = new WeakMap<CredentialStore, AuthctlConfig>();
const opened = (config: AuthctlConfig) => {
  const store = openStore(config);
  configs.set(store, config);
  return store;
};
const reopen = async (store: CredentialStore) => openStore(configs.get(store)!);

describeCredentialStoreConformance({
  name: 'auto (keyring usable)',
  store: async () => opened(await (await home('auto')).config()),
  manifest: { reopen },
});

describeCredentialStoreConformance({
  name: 'keyring after `store use keyring`',
  store: async () => {
    const { config } = await home('file');
    await switchStoreBackend(await config(), 'keyring');
    return opened(await config());
  },
  manifest: { reopen },
});

describe('switchStoreBackend (authctl store use)', () => {
  it('file -> keyring -> file moves every credential both ways, sets [store] backend, and leaves no copy behind', async () => {
    const { file, config, files, keyring } = await home('file');
    for (const [key, value] of Object.entries(CREDENTIALS)) await files.set(key, value);

    const toKeyring = await switchStoreBackend(await config(), 'keyring');
    expect(toKeyring).toMatchObject({ from: 'file', to: 'keyring', effective: 'keyring', leftovers: [] });
    expect(toKeyring.moved.sort()).toEqual(Object.keys(CREDENTIALS).sort());
    expect(await contents(keyring)).toEqual(CREDENTIALS);
    expect(await files.list()).toEqual([]);
    expect((await config()).store.backend).toBe('keyring');
    expect(await contents(openStore(await config()))).toEqual(CREDENTIALS);

    const toFile = await switchStoreBackend(await config(), 'file');
    expect(toFile).toMatchObject({ from: 'keyring', to: 'file', effective: 'file', leftovers: [] });
    expect(await contents(files)).toEqual(CREDENTIALS);
    expect(await keyring.list()).toEqual([]);
    expect(await readFile(file, 'utf8')).toContain('backend = "file"');
  });

  it('auto -> keyring gathers what a fallback left in files; where both hold a key, the copy auto reads (the file) wins', async () => {
    const { config, files, keyring } = await home('auto');
    const current = oauthCredential({ access_token: 'current-in-file' });
    await keyring.set('dev', oauthCredential({ access_token: 'stale-in-keyring' }));
    await files.set('dev', current);
    await keyring.set('prod', { kind: 'secret', value: 'only-in-keyring' });

    const result = await switchStoreBackend(await config(), 'keyring');
    expect(result.moved).toEqual(['dev']);
    expect(await files.list()).toEqual([]);
    expect(await contents(keyring)).toEqual({
      dev: current,
      prod: { kind: 'secret', value: 'only-in-keyring' },
    });
  });

  it('a credential that cannot be read midway stops the switch: config.toml unchanged, every file still there, no copy left in the keyring', async () => {
    const { file, config, files, keyring } = await home('file');
    await files.set('a-first', { kind: 'secret', value: 'first' });
    await files.set('c-last', { kind: 'secret', value: 'last' });
    await writeFile(join((await config()).store.path, 'credentials', 'b-broken.json'), '{"kind":"secret","value":', { mode: 0o600 });
    const before = await readFile(file, 'utf8');

    const error = await rejectedAuthError(switchStoreBackend(await config(), 'keyring'));
    expect(error.code).toBe('STORE_CORRUPT');
    expect(error.message).toContain('b-broken.json');
    expect(await readFile(file, 'utf8')).toBe(before);
    expect(await files.list()).toEqual(['a-first', 'b-broken', 'c-last']);
    expect(await files.get('a-first')).toEqual({ kind: 'secret', value: 'first' });
    expect(await keyring.list()).toEqual([]);
  });

  it('describeStore reports the configured backend, the one in effect and the count', async () => {
    const { config, keyring } = await home('auto');
    await keyring.set('dev', { kind: 'secret', value: 'x' });
    const shown = await describeStore(await config());
    expect(shown).toMatchObject({ configured: 'auto', effective: 'keyring', credentials: 1, keyring: { usable: true, name: 'Secret Service' } });
    expect(shown.keyring.service).toBe(keyring.place.service);
  });
});
