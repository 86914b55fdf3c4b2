import { stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { AuthctlConfig, CredentialStore } from '@auth/core';
import { describeCredentialStoreConformance } from '@auth/testkit/conformance';
import { beforeAll, expect, it, vi } from 'vitest';
import { loadConfig } from '../../src/config/load-config.js';
import { openStore } from '../../src/stores/open-store.js';
import { rejectedAuthError, useTempDirs } from './helpers.js';

const tempDir = useTempDirs();

beforeAll(() => {
  // No session bus, hence no Secret Service, whatever the machine running the tests has.
  vi.stubEnv('DBUS_SESSION_BUS_ADDRESS', undefined);
  vi.stubEnv('XDG_RUNTIME_DIR', '/nonexistent');
});

async function configWith(backend: string) {
  const home = await tempDir();
  await writeFile(join(home, 'config.toml'), `[store]\nbackend = "${backend}"\npath = "cache"\n`);
  return { home, config: await loadConfig({ env: { AUTHCTL_HOME: home } }) };
}

/** The config each store below was opened from, so the suite can open a second store from it. */
const configs = new WeakMap<CredentialStore, AuthctlConfig>();
describeCredentialStoreConformance({
  name: 'auto (no OS keyring: files)',
  store: async () => {
    const { config } = await configWith('auto');
    const store = openStore(config, { warn: () => {} });
    configs.set(store, config);
    return store;
  },
  manifest: { reopen: async (store) => openStore(configs.get(store)!, { warn: () => {} }) },
});

it('openStore with backend = "file" gives the file store in <store.path>/credentials', async () => {
  const { home, config } = await configWith('file');
  const store = openStore(config);
  expect(store.id).toBe('file');
  await store.set('dev', { kind: 'secret', value: 'v' });
  expect((await stat(join(home, 'cache', 'credentials', 'dev.json'))).mode & 0o777).toBe(0o600);
});

it('openStore with backend = "auto" and no OS keyring writes the same 0600 files, warning once', async () => {
  const { home, config } = await configWith('auto');
  const warnings: string[] = [];
  const store = openStore(config, { warn: (line) => warnings.push(line) });
  await store.set('dev', { kind: 'secret', value: 'v' });
  await store.set('prod', { kind: 'secret', value: 'w' });
  expect((await stat(join(home, 'cache', 'credentials', 'dev.json'))).mode & 0o777).toBe(0o600);
  expect(await store.list()).toEqual(['dev', 'prod']);
  expect(warnings).toHaveLength(1);
  expect(warnings[0]).toContain(`no usable OS keyring (no D-Bus session bus`);
  expect(warnings[0]).toContain(`credentials are stored in files under ${join(home, 'cache', 'credentials')} (0600)`);
});

it('openStore with backend = "keyring" and no OS keyring: the first access is STORE_UNAVAILABLE with a hint to `authctl store use file`', async () => {
  const { config } = await configWith('keyring');
  const store = openStore(config);
  expect(store.id).toBe('keyring');
  const error = await rejectedAuthError(store.get('dev'));
  expect(error.code).toBe('STORE_UNAVAILABLE');
  expect(error.message).toContain('the OS keyring (Secret Service) is not usable');
  expect(error.hint).toContain('`authctl store use file`');
});
