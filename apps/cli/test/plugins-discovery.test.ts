import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parse } from 'smol-toml';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { Sandbox } from './support/sandbox.js';

// zod as core resolves it: the test packages below live in a temp folder with no node_modules of their own.
const ZOD = pathToFileURL(createRequire(createRequire(import.meta.url).resolve('@auth/core/package.json')).resolve('zod')).href;

let sandbox: Sandbox;
let plugins: string;
/** Only what the test puts in AUTHCTL_PLUGIN_PATH (and authctl's own providers): no global folder. */
const env = () => ({ AUTHCTL_PLUGIN_PATH: plugins, npm_config_prefix: join(plugins, 'no-npm'), PNPM_HOME: join(plugins, 'no-pnpm') });

async function installPackage(name: string, source: string): Promise<void> {
  const dir = join(plugins, name);
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'package.json'), JSON.stringify({ name, version: '0.2.0', type: 'module', main: 'index.js' }));
  await writeFile(join(dir, 'index.js'), source);
}

const provider = (id: string, version = 'v1') =>
  `import { z } from '${ZOD}';
export default { specificationVersion: '${version}', id: '${id}', name: 'Acme ${id}', options: z.object({ tenant: z.string().describe('Tenant') }),
  oauth: { specificationVersion: 'v1', resolveServer: async () => ({ issuer: 'https://idp.example.com', token_endpoint: 'https://idp.example.com/token' }) } };`;

beforeEach(async () => {
  sandbox = await Sandbox.create();
  plugins = await mkdtemp(join(tmpdir(), 'authctl-plugin-path-'));
});
afterEach(async () => {
  await sandbox.remove();
  await rm(plugins, { recursive: true, force: true });
});

describe('authctl with third-party provider packages', () => {
  test('configure offers a provider found in AUTHCTL_PLUGIN_PATH beside the bundled ones, asks for its keys and saves the profile', async () => {
    await installPackage('@acme/authctl-provider-acme', provider('acme'));
    const result = await sandbox.run(['configure', '--profile', 'work'], { env: env(), input: 'acme\nt1\nauthctl\n\n\n' });
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/Provider \([^)]*\bacme\b[^)]*\boidc\b[^)]*\)/);
    expect(result.stderr).toContain('Tenant');
    expect(parse(await sandbox.readConfig())).toMatchObject({ profiles: { work: { provider: 'acme', tenant: 't1', client_id: 'authctl' } } });
  });

  test('plugins list --json: the usable ones, and each refused package with its reason (no provider exported, unknown specification version, a conflict naming both)', async () => {
    await installPackage('authctl-provider-acme', provider('acme'));
    await installPackage('authctl-provider-hollow', 'export const nothing = 1;');
    await installPackage('authctl-provider-future', provider('future', 'v9'));
    await installPackage('authctl-provider-twin', provider('twin'));
    await installPackage('@other/authctl-provider-twin', provider('twin'));
    const result = await sandbox.run(['plugins', 'list', '--json'], { env: env() });
    expect(result.code).toBe(0);
    const entries = result.stdout.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    const byPackage = (name: string) => entries.find((entry) => entry.package === name);
    expect(byPackage('authctl-provider-acme')).toMatchObject({ id: 'acme', version: '0.2.0', source: 'AUTHCTL_PLUGIN_PATH', status: 'ok', capabilities: ['oauth'] });
    expect(byPackage('authctl-provider-hollow')).toMatchObject({ status: 'refused', reason: expect.stringContaining('does not export a provider') });
    expect(byPackage('authctl-provider-future')).toMatchObject({ status: 'refused', reason: expect.stringContaining('v9') });
    for (const twin of ['authctl-provider-twin', '@other/authctl-provider-twin']) {
      expect(byPackage(twin)).toMatchObject({ status: 'refused', code: 'PROVIDER_CONFLICT', reason: expect.stringMatching(/@other\/authctl-provider-twin .* and authctl-provider-twin /) });
    }
    expect(byPackage('@auth/provider-oidc')).toMatchObject({ id: 'oidc', status: 'ok', path: expect.stringMatching(/node_modules\/@auth\/provider-oidc$/) });
    expect(entries[0]).toMatchObject({ id: 'machine', source: 'built-in', status: 'ok' });
  });

  test('a profile whose provider two packages claim is refused, exit 2, naming both; plugins = [...] by name settles it', async () => {
    await installPackage('authctl-provider-twin', provider('twin'));
    await installPackage('@other/authctl-provider-twin', provider('twin'));
    const profile = '[profiles.dev]\nprovider = "twin"\ntenant = "t1"\nclient_id = "authctl"\n';
    await sandbox.writeConfig(profile);
    const refused = await sandbox.run(['login', '--profile', 'dev'], { env: env() });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/provider "twin" is claimed by 2 packages: @other\/authctl-provider-twin \(AUTHCTL_PLUGIN_PATH: .*\) and authctl-provider-twin \(AUTHCTL_PLUGIN_PATH: .*\)/);
    expect(refused.stderr).toContain('plugins = [');

    await sandbox.writeConfig(`plugins = ["@other/authctl-provider-twin"]\n${profile}`);
    const listed = await sandbox.run(['plugins', 'list'], { env: env() });
    expect(listed.stdout).toMatch(/^twin {2}@other\/authctl-provider-twin@0\.2\.0 {2}config /m);
    expect(listed.stdout).not.toMatch(/^twin {2}authctl-provider-twin@/m);
  });

  test('a provider that is not installed: exit 2, the package to install and the command for this authctl (a workspace checkout)', async () => {
    await sandbox.writeConfig('[profiles.dev]\nprovider = "nowhere"\n');
    const result = await sandbox.run(['login', '--profile', 'dev'], { env: env() });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('The provider "nowhere" is not installed');
    expect(result.stderr).toMatch(/pnpm add -w authctl-provider-nowhere \(in .*\)/);
  });
});
