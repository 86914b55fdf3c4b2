import { stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load-config.js';
import { AuthError } from '../../src/errors.js';
import { openStore } from '../../src/stores/open-store.js';
import { useTempDirs } from './helpers.js';

const tempDir = useTempDirs();

it('openStore gives the file store in <store.path>/credentials (auto and file)', async () => {
  for (const backend of ['auto', 'file']) {
    const home = await tempDir();
    await writeFile(join(home, 'config.toml'), `[store]\nbackend = "${backend}"\npath = "cache"\n`);
    const store = openStore(await loadConfig({ env: { AUTHCTL_HOME: home } }));
    expect(store.id).toBe('file');
    await store.set('dev', { kind: 'secret', value: 'v' });
    expect((await stat(join(home, 'cache', 'credentials', 'dev.json'))).mode & 0o777).toBe(0o600);
  }
});

it('openStore with backend = "keyring" is STORE_UNAVAILABLE naming the file and key, until the keyring store exists', async () => {
  const home = await tempDir();
  await writeFile(join(home, 'config.toml'), '[store]\nbackend = "keyring"\n');
  const config = await loadConfig({ env: { AUTHCTL_HOME: home } });
  let error: unknown;
  try {
    openStore(config);
  } catch (e) {
    error = e;
  }
  expect(AuthError.is(error) && error.code).toBe('STORE_UNAVAILABLE');
  expect((error as AuthError).message).toContain(config.file);
  expect((error as AuthError).details.key).toBe('store.backend');
});
