import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadProvider } from '../../src/plugins/load-provider.js';

let dir: string;
/** An importer that resolves `@auth/provider-<id>` to `<dir>/provider-<id>.mjs`, the way a package manager would place it. */
const importer = (specifier: string) => import(pathToFileURL(join(dir, `${specifier.replace('@auth/', '')}.mjs`)).href);

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'authctl-plugins-'));
  const modules: Record<string, string> = {
    'provider-alpha': `export default { specificationVersion: 'v1', id: 'alpha', name: 'Alpha', options: {} };`,
    'provider-beta': `export const provider = { specificationVersion: 'v1', id: 'beta', name: 'Beta', options: {} };`,
    'provider-future': `export default { specificationVersion: 'v2', id: 'future', name: 'Future', options: {} };`,
    'provider-liar': `export default { specificationVersion: 'v1', id: 'someone-else', name: 'Liar', options: {} };`,
    'provider-empty': `export const nothing = 1;`,
    'provider-broken': `import 'a-dependency-that-is-not-installed'; export default {};`,
  };
  await Promise.all(Object.entries(modules).map(([name, source]) => writeFile(join(dir, `${name}.mjs`), source)));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('loadProvider', () => {
  it('the built-in machine provider resolves without importing any package', async () => {
    const importer = () => Promise.reject(new Error('no package may be imported'));
    expect(await loadProvider('machine', importer)).toMatchObject({ id: 'machine', proof: { methods: ['universal-auth', 'jwt-auth', 'oidc-auth'] } });
  });

  it('loads the default export of @auth/provider-<id>', async () => {
    expect(await loadProvider('alpha', importer)).toMatchObject({ id: 'alpha', specificationVersion: 'v1' });
  });

  it('accepts a named `provider` export', async () => {
    expect(await loadProvider('beta', importer)).toMatchObject({ id: 'beta' });
  });

  it('a typo of a provider at hand is PROVIDER_NOT_FOUND with "did you mean", not an offer to install the typo', async () => {
    const error = await loadProvider('alpah', (specifier) => import(specifier), ['alpha', 'beta']).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'PROVIDER_NOT_FOUND', message: expect.stringContaining('did you mean alpha?') });
    expect(JSON.stringify(error)).not.toMatch(/pnpm add|install/);
  });

  it('a provider that is not installed is PROVIDER_NOT_FOUND with the install command as hint', async () => {
    await expect(loadProvider('nonexistent', (specifier) => import(specifier))).rejects.toMatchObject({
      code: 'PROVIDER_NOT_FOUND',
      message: expect.stringContaining('@auth/provider-nonexistent'),
      details: { hint: 'pnpm add @auth/provider-nonexistent' },
    });
  });

  it('a provider whose own dependency is missing is reported as failing to load, not as absent', async () => {
    await expect(loadProvider('broken', importer)).rejects.toMatchObject({
      code: 'PROVIDER_NOT_FOUND',
      message: expect.stringContaining('failed to load'),
    });
  });

  it('refuses a package that exports no provider, another specification version, or another id', async () => {
    await expect(loadProvider('empty', importer)).rejects.toMatchObject({ message: expect.stringContaining('does not export a provider') });
    await expect(loadProvider('future', importer)).rejects.toMatchObject({ message: expect.stringContaining('v2') });
    await expect(loadProvider('liar', importer)).rejects.toMatchObject({ message: expect.stringContaining('"someone-else"') });
  });

  it('an id that is not a package name suffix is CONFIG_INVALID and nothing is imported', async () => {
    const requested: string[] = [];
    const spy = async (specifier: string) => {
      requested.push(specifier);
      return {};
    };

    await expect(loadProvider('../../etc', spy)).rejects.toMatchObject({ code: 'CONFIG_INVALID' });
    expect(requested).toEqual([]);
  });
});
