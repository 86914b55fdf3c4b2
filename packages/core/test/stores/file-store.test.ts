import { chmod, chown, mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { CredentialStore } from '@auth/core';
import { describeCredentialStoreConformance } from '@auth/testkit/conformance';
import { describe, expect, it } from 'vitest';
import { createFileStore } from '../../src/stores/file-store.js';
import { clientSecretKey, CredentialSchema, tokenKey } from '../../src/token-set.js';
import { oauthCredential, rejectedAuthError, useTempDirs } from './helpers.js';

const tempDir = useTempDirs();

/** The folder of each store the suite made, so a second store can be opened over it. */
const folders = new WeakMap<CredentialStore, string>();
describeCredentialStoreConformance({
  name: 'file',
  store: async () => {
    const dir = join(await tempDir(), 'credentials');
    const store = createFileStore({ dir });
    folders.set(store, dir);
    return store;
  },
  manifest: { reopen: async (store) => createFileStore({ dir: folders.get(store)! }) },
});

/** Another local user: these tests run as root, which may hand files to anyone. */
const NOBODY = 65534;
const modeOf = async (path: string) => (await stat(path)).mode & 0o777;

describe('file store on disk', () => {
  it('creates the folder 0700 and each credential file 0600, as <encodeURIComponent(key)>.json holding the JSON credential', async () => {
    const dir = join(await tempDir(), 'state', 'credentials');
    const store = createFileStore({ dir });
    await store.set(clientSecretKey('dev'), { kind: 'secret', value: 'sa-secret' });
    const credential = oauthCredential();
    await store.set(tokenKey('dev'), credential);

    expect(await modeOf(dir)).toBe(0o700);
    expect(await modeOf(join(dir, '..'))).toBe(0o700);
    expect((await readdir(dir)).sort()).toEqual(['dev%23client_secret.json', 'dev.json']);
    for (const name of await readdir(dir)) expect(await modeOf(join(dir, name))).toBe(0o600);
    expect(CredentialSchema.parse(JSON.parse(await readFile(join(dir, 'dev.json'), 'utf8')))).toEqual(credential);
  });

  it('repairs a credential folder with wider modes than 0700, and says so', async () => {
    const dir = join(await tempDir(), 'credentials');
    await mkdir(dir, { mode: 0o755 });
    await chmod(dir, 0o755);
    const warnings: string[] = [];
    const store = createFileStore({ dir, warn: (line) => warnings.push(line) });
    expect(await store.get('dev')).toBeUndefined();
    expect(await modeOf(dir)).toBe(0o700);
    expect(warnings).toEqual([`warning: ${dir} was accessible by other users (mode 0755); changed it to 0700`]);
    expect(await store.get('dev')).toBeUndefined();
    expect(warnings, 'once repaired, nothing more to say').toHaveLength(1);
  });

  it('a state folder others may write is repaired to drop their write access, with a message; one another user owns is refused', async () => {
    const state = join(await tempDir(), 'state');
    const dir = join(state, 'credentials');
    await mkdir(dir, { recursive: true, mode: 0o700 });
    await chmod(state, 0o777);
    const warnings: string[] = [];
    const store = createFileStore({ dir, stateDir: state, warn: (line) => warnings.push(line) });
    await store.set('dev', oauthCredential());
    expect(await modeOf(state)).toBe(0o755);
    expect(warnings).toEqual([`warning: ${state} was writable by other users (mode 0777); changed it to 0755`]);

    await chown(state, NOBODY, NOBODY);
    const error = await rejectedAuthError(store.get('dev'));
    expect(error.code).toBe('STORE_INSECURE');
    expect(error.message).toBe(`${state} is owned by another user (uid ${NOBODY}); refusing to use it`);
    expect(error.hint).toContain(`chown`);
  });

  it('a credential folder or file another user owns is refused, whatever its mode (this process may be root and read it anyway)', async () => {
    const dir = await tempDir();
    const store = createFileStore({ dir });
    await store.set('dev', oauthCredential());
    await chown(join(dir, 'dev.json'), NOBODY, NOBODY);
    const planted = await rejectedAuthError(store.get('dev'));
    expect(planted.code).toBe('STORE_INSECURE');
    expect(planted.message).toBe(`${join(dir, 'dev.json')} is owned by another user (uid ${NOBODY}); refusing to use it`);

    await chown(dir, NOBODY, NOBODY);
    expect((await rejectedAuthError(store.list())).message).toBe(`${dir} is owned by another user (uid ${NOBODY}); refusing to use it`);
  });

  it('refuses a world-readable credential file with STORE_INSECURE naming the file and its mode, without reading it', async () => {
    const dir = await tempDir();
    const store = createFileStore({ dir });
    await store.set('dev', oauthCredential());
    const file = join(dir, 'dev.json');
    await chmod(file, 0o644);

    const error = await rejectedAuthError(store.get('dev'));
    expect(error.code).toBe('STORE_INSECURE');
    expect(error.message).toContain(file);
    expect(error.message).toContain('0644');
    expect(error.message).not.toContain('at-secret-value');
    expect(error.hint).toBe(`chmod 600 ${file}`);
    expect(error.details.profile).toBe('dev');
  });

  it('refuses a group-readable credential file (0640) too', async () => {
    const dir = await tempDir();
    const store = createFileStore({ dir });
    await store.set('dev', oauthCredential());
    await chmod(join(dir, 'dev.json'), 0o640);
    expect((await rejectedAuthError(store.get('dev'))).code).toBe('STORE_INSECURE');
  });

  it('a credential file that is not JSON is STORE_CORRUPT naming the file, with a login hint for the profile before "#"', async () => {
    const dir = await tempDir();
    const file = join(dir, 'dev%23client_secret.json');
    await writeFile(file, '{"kind":"secret","value":"half-writ', { mode: 0o600 });

    const error = await rejectedAuthError(createFileStore({ dir }).get(clientSecretKey('dev')));
    expect(error.code).toBe('STORE_CORRUPT');
    expect(error.message).toContain(file);
    expect(error.message).not.toContain('half-writ');
    expect(error.hint).toBe('run `authctl login --profile dev`');
  });

  it('JSON that is not a valid credential is STORE_CORRUPT naming the bad field', async () => {
    const dir = await tempDir();
    const credential = oauthCredential();
    await writeFile(join(dir, 'dev.json'), JSON.stringify({ ...credential, tokens: { ...credential.tokens, expires_at: 'soon' } }), {
      mode: 0o600,
    });
    const error = await rejectedAuthError(createFileStore({ dir }).get('dev'));
    expect(error.code).toBe('STORE_CORRUPT');
    expect(error.message).toContain('tokens.expires_at');
    expect(error.message).not.toContain('at-secret-value');
  });

  it('list skips a file name the store could not have written', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'broken%zz.json'), '{}', { mode: 0o600 });
    await createFileStore({ dir }).set('dev', { kind: 'secret', value: 'v' });
    expect(await createFileStore({ dir }).list()).toEqual(['dev']);
  });

  it('list ignores temp files and lock folders', async () => {
    const dir = await tempDir();
    const store = createFileStore({ dir });
    await store.set('dev', { kind: 'secret', value: 'v' });
    await writeFile(join(dir, '.dev.json.999999.abcdef.tmp'), '{', { mode: 0o600 });
    await store.withLock('dev', async () => {
      expect((await readdir(dir)).sort()).toEqual(['.dev.json.999999.abcdef.tmp', 'dev.json', 'dev.lock']);
      expect(await store.list()).toEqual(['dev']);
    });
  });

  it('a write replaces the file by rename: a reader holding the old file still sees complete old content', async () => {
    const dir = await tempDir();
    const store = createFileStore({ dir });
    await store.set('dev', { kind: 'secret', value: 'old' });
    const before = await stat(join(dir, 'dev.json'));
    await store.set('dev', { kind: 'secret', value: 'new' });
    const after = await stat(join(dir, 'dev.json'));
    expect(after.ino).not.toBe(before.ino);
    expect(await store.get('dev')).toEqual({ kind: 'secret', value: 'new' });
  });

  it('a temp file left by a writer that died is removed by the next write', async () => {
    const dir = await tempDir();
    const store = createFileStore({ dir });
    // PID 2^22+1 is above Linux's pid_max ceiling, so no process can own it.
    const orphan = join(dir, `.dev.json.${2 ** 22 + 1}.0123456789ab.tmp`);
    await writeFile(orphan, '{"kind":"sec', { mode: 0o600 });
    await store.set('dev', { kind: 'secret', value: 'v' });
    expect(await readdir(dir)).toEqual(['dev.json']);
  });
});
