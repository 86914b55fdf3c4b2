import { clientSecretKey } from '@auth/core';
import { join } from 'node:path';
import { describe, expect } from 'vitest';
import { filesContaining } from './flows/support/files-containing.js';
import { devProfileTest as base } from './support/fixtures.js';
import { introspect } from './support/idp-checks.js';
import { TestKeyring } from './support/keyring.js';
import { configToml, idpProfile } from './support/profiles.js';
import type { Sandbox } from './support/sandbox.js';

const test = base.extend<{ keyring: TestKeyring }>({
  keyring: async ({ idp, sandbox }, use) => {
    await sandbox.writeConfig(
      `${configToml({ dev: idpProfile(idp.issuer), ops: idpProfile(idp.issuer) }, 'dev')}\n[store]\nbackend = "file"\n`,
    );
    const keyring = await TestKeyring.create();
    await use(keyring);
    await keyring.remove();
  },
});

/** The keys secret-tool finds under the sandbox's keyring service (it prints attributes on stderr), with each item's text. */
async function keyringItems(keyring: TestKeyring, sandbox: Sandbox): Promise<Map<string, string>> {
  const service = TestKeyring.serviceOf(sandbox);
  const found = await keyring.secretTool(['search', '--all', '--unlock', 'service', service]);
  const items = new Map<string, string>();
  for (const line of found.stderr.split('\n')) {
    if (!line.startsWith('attribute.username = ')) continue;
    const key = line.slice('attribute.username = '.length);
    items.set(key, (await keyring.secretTool(['lookup', 'service', service, 'username', key])).stdout);
  }
  return items;
}

describe('authctl store use', () => {
  test('file -> keyring -> file moves the tokens and the client secret both ways; print-token keeps serving the same token with no new login', async ({
    idp,
    sandbox,
    keyring,
  }) => {
    const secret = idp.clients.confidential.secret;
    const authctl = async (args: string[], options: { input?: string; env?: NodeJS.ProcessEnv } = {}) => {
      const result = await keyring.authctl(sandbox, args, options);
      expect(result.code, `authctl ${args.join(' ')}\n${result.stderr}`).toBe(0);
      return result;
    };
    await authctl(['configure', '--profile', 'dev', '--client-secret-stdin'], { input: `${secret}\n` });
    await authctl(['login', '--serviceaccount']);
    await authctl(['login', '--profile', 'ops', '--serviceaccount'], { env: { AUTHCTL_CLIENT_SECRET: secret } });
    const keys = ['dev', clientSecretKey('dev'), 'ops'];
    expect(await sandbox.credentialFiles()).toEqual(keys.map((key) => `${encodeURIComponent(key)}.json`).sort());
    const token = (await authctl(['print-token'])).stdout.trimEnd();
    const grants = idp.grantCount('client_credentials');

    const toKeyring = await authctl(['store', 'use', 'keyring']);
    expect(toKeyring.stderr).toContain('Credentials are now kept in the OS keyring');
    expect(toKeyring.stderr).toContain('3 credentials moved');
    expect(await sandbox.readConfig()).toContain('backend = "keyring"');
    expect(await sandbox.credentialFiles()).toEqual([]);
    const items = await keyringItems(keyring, sandbox);
    expect([...items.keys()].sort()).toEqual(keys.sort());
    expect(JSON.parse(items.get(clientSecretKey('dev'))!)).toEqual({ kind: 'secret', value: secret });
    expect(await filesContaining(sandbox.home, token)).toEqual([]);
    expect(await filesContaining(sandbox.home, secret)).toEqual([]);
    expect((await authctl(['print-token'])).stdout).toBe(`${token}\n`);
    const shown = JSON.parse((await authctl(['store', 'show', '--json'])).stdout);
    expect(shown).toMatchObject({ configured: 'keyring', effective: 'keyring', credentials: 3, keyring: { usable: true } });

    await authctl(['store', 'use', 'file']);
    expect(await sandbox.readConfig()).toContain('backend = "file"');
    expect(await sandbox.credentialFiles()).toEqual(keys.map((key) => `${encodeURIComponent(key)}.json`).sort());
    expect((await keyringItems(keyring, sandbox)).size).toBe(0);
    expect((await authctl(['print-token'])).stdout).toBe(`${token}\n`);
    expect(idp.grantCount('client_credentials')).toBe(grants);

    // The client secret made the round trip: a new service-account login finds it in the files.
    await authctl(['login', '--serviceaccount', '--replace']);
    expect(idp.grantCount('client_credentials')).toBe(grants + 1);
    expect((await introspect(idp, (await authctl(['print-token'])).stdout.trimEnd())).active).toBe(true);
  });

  test('store use keyring without a Secret Service (no D-Bus session) exits 2, a setting that cannot be used, and changes nothing', async ({ sandbox }) => {
    const config = await sandbox.readConfig();
    const refused = await sandbox.run(['store', 'use', 'keyring'], { env: { DBUS_SESSION_BUS_ADDRESS: undefined, XDG_RUNTIME_DIR: join(sandbox.home, 'no-run-dir') } });
    expect(refused.code, refused.stderr).toBe(2);
    expect(refused.stderr).toMatch(/^authctl: cannot move credentials to the OS keyring \(Secret Service\): no D-Bus session bus/m);
    expect(refused.stderr).toMatch(/^hint: nothing was changed; .*authctl store use file/m);
    expect(await sandbox.readConfig()).toBe(config);
  });

  test('store use keyring with a locked keyring exits 2 and changes nothing; store use file is always the way out of it', async ({
    idp,
    sandbox,
    keyring,
  }) => {
    const login = await keyring.authctl(sandbox, ['login', '--serviceaccount'], { env: { AUTHCTL_CLIENT_SECRET: idp.clients.confidential.secret } });
    expect(login.code, login.stderr).toBe(0);
    const config = await sandbox.readConfig();

    const refused = await keyring.authctl(sandbox, ['store', 'use', 'keyring'], { state: 'locked' });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('cannot move credentials to the OS keyring (Secret Service)');
    expect(refused.stderr).toContain('nothing was changed');
    expect(await sandbox.readConfig()).toBe(config);
    expect(await sandbox.credentialFiles()).toEqual(['dev.json']);

    await sandbox.writeConfig(config.replace('backend = "file"', 'backend = "keyring"'));
    const out = await keyring.authctl(sandbox, ['store', 'use', 'file'], { state: 'locked' });
    expect(out.code, out.stderr).toBe(0);
    expect(out.stderr).toContain('the credentials kept in it were not moved');
    expect(await sandbox.readConfig()).toContain('backend = "file"');
    expect((await keyring.authctl(sandbox, ['print-token'], { state: 'locked' })).code).toBe(0);
  });
});
