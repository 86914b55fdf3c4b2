import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { loadInstalledProviders } from '../src/server/installed-providers.js';

let root: string;
/** Nothing global: npm's and pnpm's global folders are faked under root. */
const env = (extra: Record<string, string> = {}) => ({ npm_config_prefix: join(root, 'npm'), PNPM_HOME: join(root, 'pnpm'), HOME: root, ...extra });

async function writePackage(dir: string, name: string, source: string): Promise<string> {
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'package.json'), JSON.stringify({ name, version: '0.3.0', type: 'module', exports: './index.js' }));
  await writeFile(join(dir, 'index.js'), source);
  return dir;
}

const verifier = (id: string) =>
  `export default { specificationVersion: 'v1', id: '${id}', name: '${id}', options: {}, verify: { specificationVersion: 'v1', loginMethods: ['${id}-auth'] } };`;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'auth-server-plugins-'));
});
afterEach(() => rm(root, { recursive: true, force: true }));

describe('the server finds providers as authctl does', () => {
  test('a third-party package from the config plugins = [...] (a path relative to the config file) serves its capability', async () => {
    await writePackage(join(root, 'etc', 'plugins', 'acme'), '@acme/authctl-provider-acme', verifier('acme'));
    const providers = await loadInstalledProviders('verify', { plugins: ['./plugins/acme'], configFile: join(root, 'etc', 'auth-server.toml'), env: env() });
    expect(providers.map((provider) => provider.id)).toContain('acme');
    // The server's own providers are still there.
    expect(providers.map((provider) => provider.id)).toContain('aws-iam');
  });

  test('a package in AUTHCTL_PLUGIN_PATH is found; one without the capability is left out of that role', async () => {
    await writePackage(join(root, 'path', 'authctl-provider-pathy'), 'authctl-provider-pathy', verifier('pathy'));
    const ids = async (capability: 'verify' | 'gateway') => (await loadInstalledProviders(capability, { env: env({ AUTHCTL_PLUGIN_PATH: join(root, 'path') }) })).map((p) => p.id);
    expect(await ids('verify')).toContain('pathy');
    expect(await ids('gateway')).not.toContain('pathy');
  });

  test('a broken package found by searching is logged with its reason and left out; one the config names stops the start', async () => {
    const broken = await writePackage(join(root, 'path', 'authctl-provider-broken'), 'authctl-provider-broken', 'export const nothing = 1;');
    const warnings: unknown[] = [];
    const logger = { warn: (fields: unknown, message: string) => warnings.push({ fields, message }) };
    const providers = await loadInstalledProviders('verify', { env: env({ AUTHCTL_PLUGIN_PATH: join(root, 'path') }), logger: logger as never });
    expect(providers.map((provider) => provider.id)).not.toContain('broken');
    expect(warnings).toEqual([{ fields: expect.objectContaining({ event: 'provider.refused', package: 'authctl-provider-broken' }), message: expect.stringContaining('does not export a provider') }]);
    await expect(loadInstalledProviders('verify', { plugins: [broken], env: env() })).rejects.toMatchObject({ code: 'PROVIDER_NOT_FOUND' });
  });

  test('two packages claiming one id stop the start with PROVIDER_CONFLICT naming both', async () => {
    await writePackage(join(root, 'path', 'authctl-provider-twin'), 'authctl-provider-twin', verifier('twin'));
    await writePackage(join(root, 'path', '@acme', 'authctl-provider-twin'), '@acme/authctl-provider-twin', verifier('twin'));
    await expect(loadInstalledProviders('verify', { env: env({ AUTHCTL_PLUGIN_PATH: join(root, 'path') }) })).rejects.toMatchObject({
      code: 'PROVIDER_CONFLICT',
      message: expect.stringMatching(/claimed by 2 packages: @acme\/authctl-provider-twin \(.*\) and authctl-provider-twin \(AUTHCTL_PLUGIN_PATH/),
    });
  });

  test('a plugins entry that names no installed package stops the start naming the key', async () => {
    await expect(loadInstalledProviders('gateway', { plugins: ['authctl-provider-absent'], configFile: join(root, 'auth-server.toml'), env: env() })).rejects.toMatchObject({
      code: 'PROVIDER_NOT_FOUND',
      details: { key: 'plugins', file: join(root, 'auth-server.toml') },
    });
  });
});
