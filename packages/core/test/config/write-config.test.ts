import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load-config.js';
import { updateConfig } from '../../src/config/write-config.js';
import { AuthError } from '../../src/errors.js';
import { fixture, runFixture, useTempDirs } from '../stores/helpers.js';

const tempDir = useTempDirs();

describe('updateConfig', () => {
  it('creates a missing folder 0700 and the file 0600, and loadConfig reads back what was written', async () => {
    const home = join(await tempDir(), 'nested', 'authctl');
    const file = join(home, 'config.toml');
    await updateConfig(file, (doc) => {
      doc.default_profile = 'dev';
      doc.profiles = { dev: { provider: 'oidc', issuer: 'https://idp.example.com', scopes: ['openid'] } };
    });
    expect((await stat(home)).mode & 0o777).toBe(0o700);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    const config = await loadConfig({ env: { AUTHCTL_HOME: home } });
    expect(config.default_profile).toBe('dev');
    expect(config.profiles.dev).toEqual({ provider: 'oidc', issuer: 'https://idp.example.com', scopes: ['openid'] });
    expect(await readdir(home)).toEqual(['config.toml']);
  });

  it('keeps what it does not touch', async () => {
    const file = join(await tempDir(), 'config.toml');
    await writeFile(file, '[store]\nbackend = "file"\n\n[profiles.prod]\nprovider = "keycloak"\nurl = "https://kc"\n');
    await updateConfig(file, (doc) => {
      doc.default_profile = 'prod';
    });
    const config = await loadConfig({ file, env: {} });
    expect(config).toMatchObject({ default_profile: 'prod', store: { backend: 'file' } });
    expect(config.profiles.prod).toEqual({ provider: 'keycloak', url: 'https://kc' });
  });

  it('refuses to write a config that would not load, leaving the file as it was', async () => {
    const file = join(await tempDir(), 'config.toml');
    const before = 'default_profile = "dev"\n';
    await writeFile(file, before);
    const error = await updateConfig(file, (doc) => {
      doc.store = { backend: 'vault' };
    }).catch((e: unknown) => e);
    expect(AuthError.is(error) && error.code).toBe('CONFIG_INVALID');
    expect((error as AuthError).message).toContain('store.backend');
    expect(await readFile(file, 'utf8')).toBe(before);
  });

  it('does not overwrite a file with a TOML syntax error: CONFIG_INVALID naming file and line', async () => {
    const file = join(await tempDir(), 'config.toml');
    await writeFile(file, 'default_profile = "dev"\n[profiles.dev\n');
    const error = await updateConfig(file, () => {}).catch((e: unknown) => e);
    expect(AuthError.is(error) && error.code).toBe('CONFIG_INVALID');
    expect((error as AuthError).message).toContain(`${file}:2:`);
    expect(await readFile(file, 'utf8')).toBe('default_profile = "dev"\n[profiles.dev\n');
  });

  it('30 concurrent updates in one process all land', async () => {
    const file = join(await tempDir(), 'config.toml');
    await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        updateConfig(file, (doc) => {
          doc.profiles ??= {};
          doc.profiles[`p${i}`] = { provider: 'oidc' };
        }),
      ),
    );
    expect(Object.keys((await loadConfig({ file, env: {} })).profiles)).toHaveLength(30);
  });

  it('concurrent writers in 4 processes (10 updates each) lose none of each other’s changes', async () => {
    const file = join(await tempDir(), 'config.toml');
    const writers = ['a', 'b', 'c', 'd'].map((prefix) => runFixture(fixture('config', 'add-profiles.mjs'), [file, prefix, '10']));
    for (const result of await Promise.all(writers.map((w) => w.exited))) {
      expect(result).toEqual({ code: 0, signal: null, stderr: '' });
    }
    const names = Object.keys((await loadConfig({ file, env: {} })).profiles).sort();
    expect(names).toHaveLength(40);
    expect(names).toContain('a9');
    expect(names).toContain('d0');
    expect((await stat(file)).mode & 0o777).toBe(0o600);
  });
});
