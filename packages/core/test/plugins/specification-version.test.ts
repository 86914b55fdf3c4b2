import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { AuthError, exitCodeFor } from '../../src/errors.js';
import { toAuthError } from '../../src/flows/map-error.js';
import { loadProvider, providerCatalog } from '../../src/plugins/load-provider.js';
import { SPECIFICATION_VERSIONS } from '../../src/plugins/specification-version.js';
import { installPackage } from './provider-packages.js';

const FIXTURE = new URL('./fixtures/dependency-free-provider.mjs', import.meta.url);

/** A catalog of packages installed in a folder of AUTHCTL_PLUGIN_PATH, each exporting its source as default. */
async function catalogOf(packages: Record<string, string>) {
  const dir = await mkdtemp(join(tmpdir(), 'authctl-spec-'));
  onTestFinished(() => rm(dir, { recursive: true, force: true }));
  for (const [name, source] of Object.entries(packages)) await installPackage(join(dir, 'plugins'), name, source);
  return providerCatalog({ cwd: dir, env: { AUTHCTL_PLUGIN_PATH: join(dir, 'plugins'), npm_config_prefix: dir, PNPM_HOME: dir } }, String);
}

const exported = (provider: object) => `export default ${JSON.stringify(provider)};`;
/** The fixture, installed as a package that re-exports it. */
const FIXTURE_PACKAGE = { '@auth/provider-dependency-free': `export { default } from '${new URL('./fixtures/dependency-free-provider.mjs', import.meta.url).href}';` };

describe('provider specification versions', () => {
  it('a plugin declaring a specification version core does not know is PROVIDER_UNSUPPORTED_VERSION (exit 2), naming the plugin, its version and the supported ones', async () => {
    const catalog = await catalogOf({ '@auth/provider-future': exported({ specificationVersion: 'v9', id: 'future', name: 'Future', options: {} }) });

    const error = await loadProvider('future', catalog).catch((caught: unknown) => caught);

    expect(AuthError.is(error)).toBe(true);
    expect(error).toMatchObject({
      code: 'PROVIDER_UNSUPPORTED_VERSION',
      message: '@auth/provider-future implements provider specification v9; this authctl supports provider specification v1',
      details: { hint: expect.stringContaining('@auth/provider-future') },
    });
    expect(exitCodeFor(error)).toBe(2);
  });

  it('a capability declaring another specification version than its provider is refused with the same code, naming the capability', async () => {
    const provider = { specificationVersion: 'v1', id: 'mixed', name: 'Mixed', options: {}, admin: { specificationVersion: 'v3', commands: [] } };

    await expect(loadProvider('mixed', await catalogOf({ '@auth/provider-mixed': exported(provider) }))).rejects.toMatchObject({
      code: 'PROVIDER_UNSUPPORTED_VERSION',
      message: expect.stringContaining('admin capability with specification v3'),
    });
  });

  it('a declared version that is not a string is reported as it is, not as a missing package', async () => {
    const provider = { specificationVersion: 1, id: 'numbered', name: 'Numbered', options: {} };

    await expect(loadProvider('numbered', await catalogOf({ '@auth/provider-numbered': exported(provider) }))).rejects.toMatchObject({
      code: 'PROVIDER_UNSUPPORTED_VERSION',
      message: expect.stringContaining('provider specification 1;'),
    });
  });

  it('core supports v1, the version of the contracts in contracts/v1', () => {
    expect(SPECIFICATION_VERSIONS).toEqual(['v1']);
  });
});

describe('a plugin built without importing @auth/core at runtime', () => {
  it('imports no @auth/* package at runtime (types only, in JSDoc)', async () => {
    const source = await readFile(FIXTURE, 'utf8');
    const runtimeImports = [...source.matchAll(/^\s*import\s[^;]*?from\s+'([^']+)'/gm)].map((match) => match[1]);

    expect(runtimeImports).toEqual(['zod']);
  });

  it('loads as a v1 provider', async () => {
    const provider = await loadProvider('dependency-free', await catalogOf(FIXTURE_PACKAGE));

    expect(provider).toMatchObject({ id: 'dependency-free', specificationVersion: 'v1' });
  });

  it('throws an AuthError-shaped error that core recognises with its code, details and exit code', async () => {
    const provider = await loadProvider('dependency-free', await catalogOf(FIXTURE_PACKAGE));
    const io = { fetch, signal: new AbortController().signal, timeoutMs: 1000, allowInsecureHttp: false, env: {} };

    const error = await provider.oauth!.resolveServer({}, io).catch((caught: unknown) => caught);

    expect(error).not.toBeInstanceOf(AuthError);
    expect(AuthError.is(error)).toBe(true);
    expect(exitCodeFor(error)).toBe(2);
    expect(toAuthError(error, { url: 'https://idp.example/', timeoutMs: 1000 })).toBe(error);
    expect(error).toMatchObject({ code: 'CONFIG_INVALID', details: { key: 'issuer', hint: expect.stringContaining('issuer') } });
  });

  it('an Error merely named AuthError, without a known code and a details object, is not taken for one', () => {
    const named = (fields: object) => Object.assign(new Error('x'), { name: 'AuthError', ...fields });

    expect(AuthError.is(named({ code: 'NOT_A_CODE', details: {} }))).toBe(false);
    expect(AuthError.is(named({ code: 'CONFIG_INVALID' }))).toBe(false);
    expect(AuthError.is({ name: 'AuthError', code: 'CONFIG_INVALID', details: {} })).toBe(false);
    expect(exitCodeFor(named({ code: 'NOT_A_CODE', details: {} }))).toBe(1);
  });
});
