import { chmod, chown, mkdir, stat, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load-config.js';
import { authctlHome, defaultConfigFile } from '../../src/config/paths.js';
import { PROFILE_NAME_RULE } from '../../src/config/profile-name.js';
import { AuthError, EXIT_CODES } from '../../src/errors.js';
import { useTempDirs } from '../stores/helpers.js';

const tempDir = useTempDirs();

async function homeWith(toml: string): Promise<{ home: string; file: string; env: NodeJS.ProcessEnv }> {
  const home = await tempDir();
  const file = join(home, 'config.toml');
  await writeFile(file, toml);
  return { home, file, env: { AUTHCTL_HOME: home } };
}

async function configError(toml: string): Promise<AuthError & { file: string }> {
  const { env, file } = await homeWith(toml);
  const error = await loadConfig({ env }).catch((e: unknown) => e);
  if (!AuthError.is(error)) throw new Error(`expected an AuthError, got ${String(error)}`);
  return Object.assign(error, { file });
}

describe('config home', () => {
  it('AUTHCTL_HOME wins over XDG_CONFIG_HOME, which wins over ~/.config', () => {
    expect(authctlHome({ AUTHCTL_HOME: '/srv/a', XDG_CONFIG_HOME: '/x' })).toBe('/srv/a');
    expect(authctlHome({ XDG_CONFIG_HOME: '/x' })).toBe('/x/authctl');
    expect(authctlHome({})).toBe(join(homedir(), '.config', 'authctl'));
    expect(defaultConfigFile({ AUTHCTL_HOME: '/srv/a' })).toBe('/srv/a/config.toml');
  });

  it('a relative XDG_CONFIG_HOME is ignored, as the XDG spec requires', () => {
    expect(authctlHome({ XDG_CONFIG_HOME: 'relative/dir' })).toBe(join(homedir(), '.config', 'authctl'));
  });
});

describe('who may have written the config (like ssh with ~/.ssh)', () => {
  /** Another local user: these tests run as root, which may hand files to anyone. */
  const NOBODY = 65534;

  it('a config.toml another user owns is CONFIG_INVALID naming it and the chown, before its content is used', async () => {
    const { env, file } = await homeWith('[profiles.dev]\nprovider = "oidc"\n');
    await chown(file, NOBODY, NOBODY);
    const error = await loadConfig({ env }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'CONFIG_INVALID', message: `${file} is owned by another user (uid ${NOBODY}); refusing to use it` });
    expect((error as AuthError).hint).toMatch(new RegExp(`sudo chown \\S+ ${file}`));
  });

  it('a config.toml that group or others may write is refused with `chmod go-w`; a readable one is fine', async () => {
    const { env, file } = await homeWith('');
    await chmod(file, 0o620);
    expect(await loadConfig({ env }).catch((e: unknown) => e)).toMatchObject({
      code: 'CONFIG_INVALID',
      message: `${file} is writable by other users (mode 0620); refusing to use it`,
      details: { hint: `check what it says, then \`chmod go-w ${file}\`` },
    });
    await chmod(file, 0o644);
    expect((await loadConfig({ env })).exists).toBe(true);
  });

  it('an AUTHCTL_HOME others may write is refused and left as it is; the default home is repaired with a message', async () => {
    const { env, home } = await homeWith('');
    await chmod(home, 0o777);
    expect(await loadConfig({ env }).catch((e: unknown) => e)).toMatchObject({
      code: 'CONFIG_INVALID',
      message: `${home} (AUTHCTL_HOME) is writable by other users (mode 0777); refusing to use it`,
    });
    expect((await stat(home)).mode & 0o777).toBe(0o777);

    const xdg = await tempDir();
    await mkdir(join(xdg, 'authctl'), { mode: 0o700 });
    await chmod(join(xdg, 'authctl'), 0o775);
    const warnings: string[] = [];
    await loadConfig({ env: { XDG_CONFIG_HOME: xdg }, warn: (line) => warnings.push(line) });
    expect(warnings).toEqual([`warning: ${join(xdg, 'authctl')} was writable by other users (mode 0775); changed it to 0755`]);
    expect((await stat(join(xdg, 'authctl'))).mode & 0o777).toBe(0o755);
  });
});

describe('loadConfig', () => {
  it('a missing config file gives an empty config with exists: false and the state folder under the home', async () => {
    const home = await tempDir();
    expect(await loadConfig({ env: { AUTHCTL_HOME: home } })).toEqual({
      home,
      file: join(home, 'config.toml'),
      exists: false,
      store: { backend: 'auto', path: join(home, 'state') },
      profiles: {},
    });
  });

  it('reads default_profile, [store] and raw [profiles.*] tables', async () => {
    const { home, file, env } = await homeWith(`
default_profile = "dev"
[store]
backend = "file"
[profiles.dev]
provider = "keycloak"
url = "https://insights.example.com"
scopes = ["openid"]
[profiles.dev.service_account]
client_id = "test-publisher"
`);
    const config = await loadConfig({ env });
    expect(config).toMatchObject({ home, file, exists: true, default_profile: 'dev', store: { backend: 'file', path: join(home, 'state') } });
    expect(config.profiles.dev).toEqual({
      provider: 'keycloak',
      url: 'https://insights.example.com',
      scopes: ['openid'],
      service_account: { client_id: 'test-publisher' },
    });
  });

  it('[agent] profiles names what `authctl agent` keeps fresh; anything but a list of profile names is CONFIG_INVALID', async () => {
    const { env } = await homeWith('[agent]\nprofiles = ["dev", "prod"]\n');
    expect((await loadConfig({ env })).agent).toEqual({ profiles: ['dev', 'prod'] });
    const wrong = await configError('[agent]\nprofiles = "dev"\n');
    expect(wrong.code).toBe('CONFIG_INVALID');
    expect(wrong.message).toContain('agent.profiles');
    expect((await configError('[agent]\nrefresh = 1\n')).message).toContain('agent.refresh');
  });

  it('--config (opts.file) picks another file while the home still comes from the environment', async () => {
    const { home } = await homeWith('default_profile = "home"');
    const other = join(await tempDir(), 'other.toml');
    await writeFile(other, 'default_profile = "other"');
    const config = await loadConfig({ file: other, env: { AUTHCTL_HOME: home } });
    expect(config).toMatchObject({ home, file: other, default_profile: 'other', store: { path: join(home, 'state') } });
  });

  it('store.path resolves relative to the home, and ~/ to the user home (kxi auth.cache_file)', async () => {
    const relative = await homeWith('[store]\npath = "cache/authctl"');
    expect((await loadConfig({ env: relative.env })).store.path).toBe(join(relative.home, 'cache/authctl'));
    const tilde = await homeWith('[store]\npath = "~/.insights"');
    expect((await loadConfig({ env: tilde.env })).store.path).toBe(join(homedir(), '.insights'));
    const absolute = await homeWith('[store]\npath = "/var/lib/authctl"');
    expect((await loadConfig({ env: absolute.env })).store.path).toBe('/var/lib/authctl');
  });

  it('malformed TOML is CONFIG_INVALID naming the file and line:column, with no stack or code excerpt in the message', async () => {
    const error = await configError('default_profile = "dev"\n[profiles.dev]\nprovider = = "oidc"\n');
    expect(error.code).toBe('CONFIG_INVALID');
    expect(EXIT_CODES[error.code]).toBe(2);
    expect(error.message).toMatch(new RegExp(`^${error.file}:3:\\d+: invalid TOML: `));
    expect(error.message).not.toContain('\n');
    expect(error.message).not.toMatch(/\bat .*\.js/);
    expect(error.details.file).toBe(error.file);
    expect(error.hint).toContain('line 3');
  });

  it('an unterminated table header is reported at its line', async () => {
    const error = await configError('[store]\nbackend = "file"\n\n[profiles.dev\nprovider = "oidc"\n');
    expect(error.message).toContain(`${error.file}:4:`);
  });

  it('profiles that is not a table is CONFIG_INVALID naming the key', async () => {
    const error = await configError('profiles = "dev"');
    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.message).toBe(`${error.file}: profiles must be a table of profiles ([profiles.NAME]) (got "dev")`);
    expect(error.details.key).toBe('profiles');
  });

  it('a profile that is not a table is CONFIG_INVALID naming profiles.NAME', async () => {
    const error = await configError('[profiles]\ndev = 3');
    expect(error.message).toBe(`${error.file}: profiles.dev must be a table ([profiles.dev]) (got 3)`);
    expect(error.details.profile).toBe('dev');
  });

  it('a bad store.backend is CONFIG_INVALID listing the backends', async () => {
    const error = await configError('[store]\nbackend = "vault"');
    expect(error.message).toBe(`${error.file}: store.backend must be one of "auto", "keyring", "file" (got "vault")`);
    expect(error.details.key).toBe('store.backend');
    expect(error.hint).toBe(`fix store.backend in ${error.file}`);
  });

  it('an unknown top-level key (a typo like default-profile) is CONFIG_INVALID, not ignored', async () => {
    const error = await configError('default-profile = "dev"');
    expect(error.message).toBe(`${error.file}: default-profile is not a known key at the top level`);
    expect(error.hint).toContain('default_profile, plugins, store, profiles');
  });

  it('plugins = [...] is read as a list of package names or paths; anything else is CONFIG_INVALID naming the key', async () => {
    const { env } = await homeWith('plugins = ["authctl-provider-example", "./plugins/mine"]\n');
    expect((await loadConfig({ env })).plugins).toEqual(['authctl-provider-example', './plugins/mine']);
    const error = await configError('plugins = "authctl-provider-example"');
    expect(error.details.key).toBe('plugins');
    expect(error.message).toContain('plugins must be a list of package names or paths (got "authctl-provider-example")');
  });

  it('an unknown [store] key and a non-string default_profile are CONFIG_INVALID naming the key', async () => {
    expect((await configError('[store]\ncache_file = "x"')).details.key).toBe('store.cache_file');
    expect((await configError('default_profile = 1')).message).toContain('default_profile must be a profile name (got 1)');
  });

  it('a profile name that could alias another profile\'s keys or overflow a file name is CONFIG_INVALID naming the key and the rule', async () => {
    const aliasing = await configError('[profiles."svc#client_secret"]\nprovider = "oidc"');
    expect(aliasing.message).toBe(`${aliasing.file}: profiles."svc#client_secret" is not a valid profile name: ${PROFILE_NAME_RULE}`);
    expect(aliasing.details).toMatchObject({ key: 'profiles."svc#client_secret"', profile: 'svc#client_secret' });
    expect((await configError(`[profiles."${'проф'.repeat(10)}"]\nprovider = "oidc"`)).message).toContain('is not a valid profile name');
    const defaulted = await configError('default_profile = "a/b"');
    expect(defaulted.message).toBe(`${defaulted.file}: default_profile must be a profile name (got "a/b")`);
    expect(defaulted.hint).toContain(PROFILE_NAME_RULE);
  });

  it('an unreadable config path (a folder) is CONFIG_INVALID naming it', async () => {
    const home = await tempDir();
    await mkdir(join(home, 'config.toml'));
    const error = await loadConfig({ env: { AUTHCTL_HOME: home } }).catch((e: unknown) => e);
    expect(AuthError.is(error) && error.code).toBe('CONFIG_INVALID');
    expect((error as Error).message).toBe(`${join(home, 'config.toml')}: cannot read the config file (EISDIR)`);
  });
});
