import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadProvider, providerCatalog } from '../../src/plugins/load-provider.js';
import { installPackage, providerSource } from './provider-packages.js';

let dir: string;
const installHint = (name: string) => `npm install -g ${name}`;
/** Only the packages in `dir`: an empty project, nothing global. */
const catalog = () => providerCatalog({ cwd: join(dir, 'project'), env: { AUTHCTL_PLUGIN_PATH: join(dir, 'plugins'), npm_config_prefix: join(dir, 'npm'), PNPM_HOME: join(dir, 'pnpm') } }, installHint);

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'authctl-plugins-'));
  const plugins = join(dir, 'plugins');
  await installPackage(plugins, 'authctl-provider-alpha', providerSource('alpha'));
  await installPackage(plugins, 'authctl-provider-beta', `export const provider = { specificationVersion: 'v1', id: 'beta', name: 'Beta', options: {} };`);
  await installPackage(plugins, 'authctl-provider-future', `export default { specificationVersion: 'v2', id: 'future', name: 'Future', options: {} };`);
  await installPackage(plugins, 'authctl-provider-liar', providerSource('someone-else'));
  await installPackage(plugins, 'authctl-provider-empty', 'export const nothing = 1;');
  await installPackage(plugins, 'authctl-provider-broken', `import 'a-dependency-that-is-not-installed'; export default {};`);
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('loadProvider', () => {
  it('the built-in machine provider resolves without discovering any package', async () => {
    const refusing = { discovery: () => { throw new Error('no package may be looked for'); }, installHint };
    expect(await loadProvider('machine', refusing)).toMatchObject({ id: 'machine', proof: { methods: ['universal-auth', 'jwt-auth', 'oidc-auth'] } });
  });

  it('loads the default export of the package claiming the id', async () => {
    expect(await loadProvider('alpha', catalog())).toMatchObject({ id: 'alpha', specificationVersion: 'v1' });
  });

  it('accepts a named `provider` export', async () => {
    expect(await loadProvider('beta', catalog())).toMatchObject({ id: 'beta' });
  });

  it('a typo of a provider at hand is PROVIDER_NOT_FOUND with "did you mean", not an offer to install the typo', async () => {
    const error = await loadProvider('alpah', catalog()).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'PROVIDER_NOT_FOUND', message: expect.stringContaining('did you mean alpha?') });
    expect(JSON.stringify(error)).not.toMatch(/npm install|pnpm add/);
  });

  it('a provider that is not installed is PROVIDER_NOT_FOUND naming the package to publish under, with the install command as hint', async () => {
    await expect(loadProvider('nonexistent', catalog())).rejects.toMatchObject({
      code: 'PROVIDER_NOT_FOUND',
      message: expect.stringContaining('authctl-provider-nonexistent'),
      details: { hint: 'npm install -g authctl-provider-nonexistent' },
    });
  });

  it('a provider whose own dependency is missing is reported as failing to load, not as absent', async () => {
    await expect(loadProvider('broken', catalog())).rejects.toMatchObject({
      code: 'PROVIDER_NOT_FOUND',
      message: expect.stringMatching(/authctl-provider-broken .* failed to load: .*a-dependency-that-is-not-installed/),
    });
  });

  it('refuses a package that exports no provider, another specification version, or another id', async () => {
    await expect(loadProvider('empty', catalog())).rejects.toMatchObject({ message: expect.stringContaining('does not export a provider') });
    await expect(loadProvider('future', catalog())).rejects.toMatchObject({ message: expect.stringContaining('v2') });
    await expect(loadProvider('liar', catalog())).rejects.toMatchObject({ message: expect.stringContaining('"someone-else"') });
  });

  it('an id that is not a package name suffix is CONFIG_INVALID and nothing is looked for', async () => {
    const looked: string[] = [];
    const spy = { discovery: () => { looked.push('discovery'); return { packages: [], conflicts: [], unresolved: [] }; }, installHint };
    await expect(loadProvider('../../etc', spy)).rejects.toMatchObject({ code: 'CONFIG_INVALID' });
    expect(looked).toEqual([]);
  });
});
