import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { CredentialStore } from '@auth/core';
import { describeCredentialStoreConformance, useKeyringSession } from '@auth/testkit/conformance';
import { describe, expect, it } from 'vitest';
import { readCachedToken } from '../../src/cached-token.js';
import { loadConfig } from '../../src/config/load-config.js';
import { createFileStore } from '../../src/stores/file-store.js';
import { INLINE_LIMIT } from '../../src/stores/keyring-items.js';
import { createKeyringStore } from '../../src/stores/keyring-store.js';
import { openStore } from '../../src/stores/open-store.js';
import { tokenKey } from '../../src/token-set.js';
import { oauthCredential, rejectedAuthError, useTempDirs } from './helpers.js';

const tempDir = useTempDirs();
const session = useKeyringSession();

/** A fresh store path: its own keyring service, so tests never see each other's items. */
async function keyringStore() {
  const storePath = await tempDir();
  return { storePath, store: createKeyringStore({ storePath }) };
}

/** The raw item text, read with libsecret's own tool rather than through authctl. */
function lookup(service: string, key: string): string | undefined {
  const { code, stdout } = session().secretTool(['lookup', 'service', service, 'username', key]);
  return code === 0 ? stdout : undefined;
}

async function filesUnder(dir: string): Promise<string[]> {
  return (await readdir(dir, { recursive: true, withFileTypes: true })).filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
}

/** The store path of each store the suite made: the same path names the same keyring service. */
const storePaths = new WeakMap<CredentialStore, string>();
describeCredentialStoreConformance({
  name: 'keyring (gnome-keyring over a private D-Bus session)',
  store: async () => {
    const { storePath, store } = await keyringStore();
    storePaths.set(store, storePath);
    return store;
  },
  manifest: { reopen: async (store) => createKeyringStore({ storePath: storePaths.get(store)! }) },
});

describe('keyring store', () => {
  it('one item per key, filed under the store path\'s service; libsecret reads what authctl wrote', async () => {
    const { storePath, store } = await keyringStore();
    await store.set(tokenKey('dev'), oauthCredential({ access_token: 'at-visible-to-secret-tool' }));
    expect(store.place.service).toBe(`authctl:${storePath}`);
    const item = lookup(store.place.service, 'dev');
    expect(JSON.parse(item!).tokens.access_token).toBe('at-visible-to-secret-tool');
    // Nothing of the credential is on disk.
    expect(await filesUnder(storePath)).toEqual([]);
  });

  it('keys are listed back exactly, whatever characters they hold', async () => {
    const { store } = await keyringStore();
    const keys = ['dev', 'dev#client_secret', 'dev#identity:alice@example.com', 'team/one', 'a.b', 'ünï cödé'];
    for (const key of keys) await store.set(key, { kind: 'secret', value: `v-${key}` });
    expect(await store.list()).toEqual([...keys].sort());
    for (const key of keys) expect(await store.get(key)).toEqual({ kind: 'secret', value: `v-${key}` });
  });

  it('a token over 16 KiB is sealed: the item holds only a key, the 0600 file only ciphertext, and both paths read it back', async () => {
    const { storePath, store } = await keyringStore();
    const big = `at-${'x'.repeat(20 * 1024)}`;
    const credential = oauthCredential({ access_token: big });
    await store.set(tokenKey('dev'), credential);

    const item = lookup(store.place.service, 'dev')!;
    expect(item.length).toBeLessThanOrEqual(INLINE_LIMIT);
    expect(item).not.toContain('at-xxx');
    expect(item).not.toContain('rt-secret-value');
    const files = await filesUnder(storePath);
    expect(files).toHaveLength(1);
    expect(files[0]!.startsWith(join(storePath, 'sealed', 'dev.'))).toBe(true);
    expect((await stat(files[0]!)).mode & 0o777).toBe(0o600);
    expect((await stat(join(storePath, 'sealed'))).mode & 0o777).toBe(0o700);
    const sealed = await readFile(files[0]!, 'utf8');
    expect(sealed).not.toContain('xxxx');
    expect(sealed).not.toContain('rt-secret-value');

    expect(await store.get(tokenKey('dev'))).toEqual(credential);
    const home = await tempDir();
    await writeFile(join(home, 'config.toml'), `[store]\nbackend = "keyring"\npath = "${storePath}"\n[profiles.dev]\nprovider = "oidc"\n`);
    const cached = await readCachedToken({ env: { AUTHCTL_HOME: home }, profile: 'dev' });
    expect(cached.state === 'fresh' && cached.token.access_token).toBe(big);
  });

  it('a new value replaces the sealed file, a small one removes it, and delete leaves nothing behind', async () => {
    const { storePath, store } = await keyringStore();
    await store.set('dev', oauthCredential({ access_token: `first-${'a'.repeat(INLINE_LIMIT)}` }));
    const [first] = await filesUnder(storePath);
    await store.set('dev', oauthCredential({ access_token: `second-${'b'.repeat(INLINE_LIMIT)}` }));
    const after = await filesUnder(storePath);
    expect(after).toHaveLength(1);
    expect(after[0]).not.toBe(first);
    expect(((await store.get('dev')) as ReturnType<typeof oauthCredential>).tokens.access_token.startsWith('second-')).toBe(true);

    await store.set('dev', oauthCredential({ access_token: 'small' }));
    expect(await filesUnder(storePath)).toEqual([]);
    await store.set('dev', oauthCredential({ access_token: `third-${'c'.repeat(INLINE_LIMIT)}` }));
    expect(await store.delete('dev')).toBe(true);
    expect(await filesUnder(storePath)).toEqual([]);
    expect(lookup(store.place.service, 'dev')).toBeUndefined();
  });

  it('an item that is not a credential is STORE_CORRUPT with a login hint, and its text is not in the message', async () => {
    const { store } = await keyringStore();
    session().secretTool(['store', '--label', 'bad', 'service', store.place.service, 'username', 'dev'], '{"kind":"oauth","tokens":"at-leaked');
    const error = await rejectedAuthError(store.get('dev'));
    expect(error.code).toBe('STORE_CORRUPT');
    expect(error.message).toContain(`"dev" (service "${store.place.service}")`);
    expect(error.message).not.toContain('at-leaked');
    expect(error.hint).toBe('run `authctl login --profile dev`');
  });
});

describe('auto store with a usable keyring', () => {
  async function autoHome() {
    const home = await tempDir();
    await writeFile(join(home, 'config.toml'), '[profiles.dev]\nprovider = "oidc"\n');
    const config = await loadConfig({ env: { AUTHCTL_HOME: home } });
    const warnings: string[] = [];
    return {
      home,
      config,
      warnings,
      store: openStore(config, { warn: (line) => warnings.push(line) }),
      files: createFileStore({ dir: join(home, 'state', 'credentials') }),
      keyring: createKeyringStore({ storePath: config.store.path }),
    };
  }

  it('writes go to the keyring, with no warning and no credential file', async () => {
    const { store, files, keyring, warnings } = await autoHome();
    const credential = oauthCredential();
    await store.set('dev', credential);
    expect(await keyring.get('dev')).toEqual(credential);
    expect(await files.list()).toEqual([]);
    expect(warnings).toEqual([]);
  });

  it('a credential a fallback left in a file is read first, and moves into the keyring when next written', async () => {
    const { store, files, keyring } = await autoHome();
    await keyring.set('dev', oauthCredential({ access_token: 'older-in-keyring' }));
    await files.set('dev', oauthCredential({ access_token: 'newer-in-file' }));
    expect(await store.list()).toEqual(['dev']);
    expect(((await store.get('dev')) as ReturnType<typeof oauthCredential>).tokens.access_token).toBe('newer-in-file');

    await store.set('dev', oauthCredential({ access_token: 'refreshed' }));
    expect(await files.get('dev')).toBeUndefined();
    expect(((await keyring.get('dev')) as ReturnType<typeof oauthCredential>).tokens.access_token).toBe('refreshed');
  });

  it('print-token reads the keyring item when there is no file, and the file when there is one', async () => {
    const { home, files, keyring } = await autoHome();
    const now = Math.floor(Date.now() / 1000);
    await keyring.set('dev', oauthCredential({ access_token: 'from-keyring', issued_at: now, expires_at: now + 3600 }));
    const fromKeyring = await readCachedToken({ env: { AUTHCTL_HOME: home }, profile: 'dev' });
    expect(fromKeyring.state === 'fresh' && fromKeyring.token.access_token).toBe('from-keyring');
    await files.set('dev', oauthCredential({ access_token: 'from-file', issued_at: now, expires_at: now + 3600 }));
    const fromFile = await readCachedToken({ env: { AUTHCTL_HOME: home }, profile: 'dev' });
    expect(fromFile.state === 'fresh' && fromFile.token.access_token).toBe('from-file');
  });
});
