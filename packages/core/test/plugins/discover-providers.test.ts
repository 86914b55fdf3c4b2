import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { discoverProviders } from '../../src/plugins/discover-providers.js';
import { installCommand } from '../../src/plugins/install-command.js';
import { loadProvider, providerCatalog } from '../../src/plugins/load-provider.js';
import type { PluginSearch } from '../../src/plugins/plugin-locations.js';
import { providerIdOfPackage } from '../../src/plugins/provider-package-name.js';
import { installPackage, providerSource } from './provider-packages.js';

let root: string;
/** A search that sees only folders under `root`: the npm and pnpm global folders are faked by npm_config_prefix and PNPM_HOME. */
function search(extra: Partial<PluginSearch> = {}, env: Record<string, string> = {}): PluginSearch {
  return { cwd: join(root, 'project', 'sub'), env: { npm_config_prefix: join(root, 'npm'), PNPM_HOME: join(root, 'pnpm'), HOME: join(root, 'home'), ...env }, ...extra };
}
const summary = (s: PluginSearch) => discoverProviders(s).packages.map(({ id, name, source, version }) => ({ id, name, source, version }));

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'authctl-discovery-'));
  await mkdir(join(root, 'project', 'sub'), { recursive: true });
});
afterEach(() => rm(root, { recursive: true, force: true }));

describe('provider package names', () => {
  it('@auth/provider-<id>, authctl-provider-<id> and @<scope>/authctl-provider-<id> claim <id>; other names claim nothing', () => {
    expect(providerIdOfPackage('@auth/provider-oidc')).toBe('oidc');
    expect(providerIdOfPackage('authctl-provider-example')).toBe('example');
    expect(providerIdOfPackage('@acme/authctl-provider-vault')).toBe('vault');
    for (const name of ['provider-oidc', '@acme/provider-x', '@auth/cli', 'authctl-provider-', 'authctl-provider-UPPER', 'xauthctl-provider-a']) {
      expect(providerIdOfPackage(name), name).toBeUndefined();
    }
  });
});

describe('discoverProviders: each naming pattern from each location', () => {
  it('the project: node_modules of the current folder and of its parents, all three naming patterns', async () => {
    await installPackage(join(root, 'project', 'sub', 'node_modules'), '@auth/provider-first', providerSource('first'));
    await installPackage(join(root, 'project', 'node_modules'), 'authctl-provider-second', providerSource('second'), '2.1.0');
    await installPackage(join(root, 'project', 'node_modules'), '@acme/authctl-provider-third', providerSource('third'));
    await installPackage(join(root, 'project', 'node_modules'), 'left-pad', 'export default 1;');
    expect(summary(search())).toEqual([
      { id: 'first', name: '@auth/provider-first', source: 'project', version: '1.0.0' },
      { id: 'second', name: 'authctl-provider-second', source: 'project', version: '2.1.0' },
      { id: 'third', name: '@acme/authctl-provider-third', source: 'project', version: '1.0.0' },
    ]);
  });

  it("npm's global folder, found from npm_config_prefix without running npm", async () => {
    await installPackage(join(root, 'npm', 'lib', 'node_modules'), 'authctl-provider-npmg', providerSource('npmg'));
    await installPackage(join(root, 'npm', 'lib', 'node_modules'), '@acme/authctl-provider-scoped', providerSource('scoped'));
    expect(summary(search()).map(({ name, source }) => [name, source])).toEqual([
      ['authctl-provider-npmg', 'npm-global'],
      ['@acme/authctl-provider-scoped', 'npm-global'],
    ]);
  });

  it("npm's global folder from the prefix in the user's .npmrc", async () => {
    await mkdir(join(root, 'home'), { recursive: true });
    await writeFile(join(root, 'home', '.npmrc'), `registry=https://registry.example.invalid/\nprefix = ${join(root, 'rc-prefix')}\n`);
    await installPackage(join(root, 'rc-prefix', 'lib', 'node_modules'), 'authctl-provider-fromrc', providerSource('fromrc'));
    const env = { HOME: join(root, 'home'), PNPM_HOME: join(root, 'pnpm') };
    expect(discoverProviders({ cwd: join(root, 'project'), env }).packages.map(({ name, source }) => [name, source])).toContainEqual(['authctl-provider-fromrc', 'npm-global']);
  });

  it("pnpm's global folders under PNPM_HOME, in the pnpm 10 and the pnpm 11+ layouts", async () => {
    await installPackage(join(root, 'pnpm', 'global', '5', 'node_modules'), 'authctl-provider-pnpmten', providerSource('pnpmten'));
    const install = join(root, 'pnpm', 'global', 'v11', 'abc-0');
    await installPackage(join(install, 'node_modules'), '@acme/authctl-provider-pnpmeleven', providerSource('pnpmeleven'));
    await symlink(install, join(root, 'pnpm', 'global', 'v11', 'hash-of-abc'));
    expect(summary(search()).map(({ name, source }) => [name, source])).toEqual([
      ['@acme/authctl-provider-pnpmeleven', 'pnpm-global'],
      ['authctl-provider-pnpmten', 'pnpm-global'],
    ]);
  });

  it('AUTHCTL_PLUGIN_PATH: each folder of the path list, a folder of packages or a package folder itself', async () => {
    await installPackage(join(root, 'plugins-a'), 'authctl-provider-pa', providerSource('pa'));
    const itself = await installPackage(join(root, 'elsewhere'), '@acme/authctl-provider-pb', providerSource('pb'));
    expect(summary(search({}, { AUTHCTL_PLUGIN_PATH: `${join(root, 'plugins-a')}:${itself}` })).map(({ name, source }) => [name, source])).toEqual([
      ['authctl-provider-pa', 'AUTHCTL_PLUGIN_PATH'],
      ['@acme/authctl-provider-pb', 'AUTHCTL_PLUGIN_PATH'],
    ]);
  });

  it("the program's own install (its bundled providers): node_modules above the file named as self", async () => {
    const cli = join(root, 'cli');
    await installPackage(join(cli, 'node_modules'), '@auth/provider-bundled', providerSource('bundled'));
    await mkdir(join(cli, 'dist'), { recursive: true });
    expect(summary(search({ self: join(cli, 'dist', 'authctl.cjs') })).map(({ name, source }) => [name, source])).toEqual([['@auth/provider-bundled', 'authctl']]);
  });

  it('config plugins = [...]: a path (relative to the config file) and a package name', async () => {
    await mkdir(join(root, 'home'), { recursive: true });
    await installPackage(join(root, 'home', 'my-plugins'), 'authctl-provider-bypath', providerSource('bypath'));
    await installPackage(join(root, 'npm', 'lib', 'node_modules'), '@acme/authctl-provider-byname', providerSource('byname'));
    const plugins = { entries: ['./my-plugins/authctl-provider-bypath', '@acme/authctl-provider-byname'], file: join(root, 'home', 'config.toml') };
    expect(summary(search({ plugins })).map(({ name, source }) => [name, source])).toEqual([
      ['@acme/authctl-provider-byname', 'config'],
      ['authctl-provider-bypath', 'config'],
    ]);
    const provider = await loadProvider('bypath', providerCatalog(search({ plugins }), (name) => name));
    expect(provider.id).toBe('bypath');
  });

  it('config plugins = [...] entries that name nothing usable are reported with the reason', async () => {
    await mkdir(join(root, 'home', 'not-a-provider'), { recursive: true });
    await writeFile(join(root, 'home', 'not-a-provider', 'package.json'), JSON.stringify({ name: 'left-pad' }));
    const plugins = { entries: ['authctl-provider-absent', './not-a-provider'], file: join(root, 'home', 'config.toml') };
    expect(discoverProviders(search({ plugins })).unresolved).toEqual([
      { entry: 'authctl-provider-absent', reason: expect.stringContaining('no package authctl-provider-absent is installed') },
      { entry: './not-a-provider', reason: expect.stringContaining('"left-pad", not a provider') },
    ]);
  });

  it('a package name in several locations is taken from the first: AUTHCTL_PLUGIN_PATH, project, own install, global', async () => {
    await installPackage(join(root, 'npm', 'lib', 'node_modules'), 'authctl-provider-dup', providerSource('dup'), '1.0.0');
    await installPackage(join(root, 'project', 'node_modules'), 'authctl-provider-dup', providerSource('dup'), '2.0.0');
    expect(summary(search())).toEqual([{ id: 'dup', name: 'authctl-provider-dup', source: 'project', version: '2.0.0' }]);
    await installPackage(join(root, 'path'), 'authctl-provider-dup', providerSource('dup'), '3.0.0');
    expect(summary(search({}, { AUTHCTL_PLUGIN_PATH: join(root, 'path') }))).toEqual([{ id: 'dup', name: 'authctl-provider-dup', source: 'AUTHCTL_PLUGIN_PATH', version: '3.0.0' }]);
  });
});

describe('conflicts', () => {
  it('two packages claiming one id are refused with PROVIDER_CONFLICT naming both, wherever each is', async () => {
    await installPackage(join(root, 'project', 'node_modules'), 'authctl-provider-twin', providerSource('twin'));
    await installPackage(join(root, 'npm', 'lib', 'node_modules'), '@acme/authctl-provider-twin', providerSource('twin'));
    const discovery = discoverProviders(search());
    expect(discovery.packages).toEqual([]);
    expect(discovery.conflicts.map(({ id, packages }) => [id, packages.map(({ name }) => name)])).toEqual([['twin', ['authctl-provider-twin', '@acme/authctl-provider-twin']]]);
    const error = await loadProvider('twin', providerCatalog(search(), (name) => name)).catch((caught: unknown) => caught);
    expect(error).toMatchObject({
      code: 'PROVIDER_CONFLICT',
      message: expect.stringMatching(/provider "twin" is claimed by 2 packages: authctl-provider-twin \(project: .*\) and @acme\/authctl-provider-twin \(npm-global: .*\)/),
      details: { hint: expect.stringContaining('plugins = [') },
    });
  });

  it('naming one of them in plugins = [...] settles the conflict', async () => {
    await installPackage(join(root, 'project', 'node_modules'), 'authctl-provider-twin', providerSource('twin'));
    await installPackage(join(root, 'npm', 'lib', 'node_modules'), '@acme/authctl-provider-twin', providerSource('twin'));
    const plugins = { entries: ['@acme/authctl-provider-twin'], file: join(root, 'config.toml') };
    expect(summary(search({ plugins }))).toEqual([{ id: 'twin', name: '@acme/authctl-provider-twin', source: 'config', version: '1.0.0' }]);
  });
});

describe('installCommand: the hint names how the program itself was installed', () => {
  const env = () => ({ npm_config_prefix: join(root, 'npm'), PNPM_HOME: join(root, 'pnpm'), HOME: join(root, 'home') });
  const self = async (dir: string) => {
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'authctl.cjs'), '');
    return join(dir, 'authctl.cjs');
  };

  it('npm global', async () => {
    expect(installCommand(await self(join(root, 'npm', 'lib', 'node_modules', '@auth', 'cli', 'dist')), 'authctl-provider-x', env())).toBe('npm install -g authctl-provider-x');
  });

  it('pnpm global', async () => {
    expect(installCommand(await self(join(root, 'pnpm', 'global', 'v11', 'a', 'node_modules', '@auth', 'cli', 'dist')), 'authctl-provider-x', env())).toBe('pnpm add -g authctl-provider-x');
  });

  it("a project dependency, with that project's package manager", async () => {
    const project = join(root, 'app');
    const file = await self(join(project, 'node_modules', '.pnpm', '@auth+cli@1.0.0', 'node_modules', '@auth', 'cli', 'dist'));
    expect(installCommand(file, 'authctl-provider-x', env())).toBe(`npm install authctl-provider-x (in ${project})`);
    await writeFile(join(project, 'pnpm-lock.yaml'), '');
    expect(installCommand(file, 'authctl-provider-x', env())).toBe(`pnpm add authctl-provider-x (in ${project})`);
  });

  it('a workspace checkout', async () => {
    await mkdir(join(root, 'checkout'), { recursive: true });
    await writeFile(join(root, 'checkout', 'pnpm-workspace.yaml'), 'packages: []\n');
    expect(installCommand(await self(join(root, 'checkout', 'apps', 'cli', 'dist')), 'authctl-provider-x', env())).toBe(`pnpm add -w authctl-provider-x (in ${join(root, 'checkout')})`);
  });
});
