import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect } from 'vitest';
import { filesContaining } from './flows/support/files-containing.js';
import { ALICE } from './flows/support/password-login.js';
import { devProfileTest as base } from './support/fixtures.js';
import { introspect } from './support/idp-checks.js';
import { TestKeyring } from './support/keyring.js';
import { configToml, idpProfile } from './support/profiles.js';

const test = base.extend<{ keyring: TestKeyring }>({
  keyring: async ({ idp, sandbox }, use) => {
    await sandbox.writeConfig(`${configToml({ dev: idpProfile(idp.issuer) }, 'dev')}\n[store]\nbackend = "keyring"\n`);
    const keyring = await TestKeyring.create();
    await use(keyring);
    await keyring.remove();
  },
});

/** The stored credential of `key`, read from the keyring by libsecret's secret-tool. */
async function keyringItem(keyring: TestKeyring, service: string, key: string): Promise<string | undefined> {
  const found = await keyring.secretTool(['lookup', 'service', service, 'username', key]);
  return found.code === 0 ? found.stdout : undefined;
}

describe('store.backend = "keyring" with gnome-keyring in a private D-Bus session', () => {
  test('login --serviceaccount, print-token, status and logout: the token lives in the keyring only, never in a file under AUTHCTL_HOME', async ({
    idp,
    sandbox,
    keyring,
  }) => {
    const service = TestKeyring.serviceOf(sandbox);
    const login = await keyring.authctl(sandbox, ['login', '--serviceaccount'], { env: { AUTHCTL_CLIENT_SECRET: idp.clients.confidential.secret } });
    expect(login.code, login.stderr).toBe(0);
    expect(login.stderr).not.toContain('warning');

    const printed = await keyring.authctl(sandbox, ['print-token']);
    expect(printed.code, printed.stderr).toBe(0);
    expect(printed.stderr).toBe('');
    const token = printed.stdout.trimEnd();
    expect((await introspect(idp, token)).active).toBe(true);
    expect(JSON.parse((await keyringItem(keyring, service, 'dev'))!).tokens.access_token).toBe(token);
    expect(await filesContaining(sandbox.home, token)).toEqual([]);

    const status = await keyring.authctl(sandbox, ['status', '--json']);
    expect(JSON.parse(status.stdout)).toMatchObject({ profile: 'dev', logged_in: true, flow: 'client-credentials' });

    const logout = await keyring.authctl(sandbox, ['logout']);
    expect(logout.code, logout.stderr).toBe(0);
    expect(await keyringItem(keyring, service, 'dev')).toBeUndefined();
    const after = await keyring.authctl(sandbox, ['print-token']);
    expect(after.code).toBe(3);
  });

  test('a refresh through print-token rotates the tokens inside the keyring, and no token of either generation reaches a file', async ({
    idp,
    sandbox,
    keyring,
  }) => {
    const service = TestKeyring.serviceOf(sandbox);
    idp.setAccessTokenTtl(4); // inside the refresh window as soon as it is issued
    const login = await keyring.authctl(sandbox, ['login', '--flow', 'password', '--username', ALICE.username], {
      env: { AUTHCTL_PASSWORD: ALICE.password },
    });
    expect(login.code, login.stderr).toBe(0);
    const first = JSON.parse((await keyringItem(keyring, service, 'dev'))!).tokens;
    idp.setAccessTokenTtl(3600);

    const printed = await keyring.authctl(sandbox, ['print-token']);
    expect(printed.code, printed.stderr).toBe(0);
    expect(idp.grantCount('refresh_token')).toBe(1);
    const second = JSON.parse((await keyringItem(keyring, service, 'dev'))!).tokens;
    expect(printed.stdout.trimEnd()).toBe(second.access_token);
    expect(second.access_token).not.toBe(first.access_token);
    for (const secret of [first.access_token, first.refresh_token, second.access_token, second.refresh_token]) {
      expect(await filesContaining(sandbox.home, secret)).toEqual([]);
    }
  });

  test('print-token from the keyring loads the keyring reader and nothing heavy; with backend "file" it loads no keyring code at all', async ({
    idp,
    sandbox,
    keyring,
  }) => {
    const login = await keyring.authctl(sandbox, ['login', '--serviceaccount'], { env: { AUTHCTL_CLIENT_SECRET: idp.clients.confidential.secret } });
    expect(login.code, login.stderr).toBe(0);
    const preload = fileURLToPath(new URL('./support/trace-imports.mjs', import.meta.url));
    const traced = async (trace: string) => {
      const printed = await keyring.authctl(sandbox, ['print-token'], { env: { NODE_OPTIONS: `--import=${preload}`, AUTHCTL_TRACE_FILE: trace } });
      expect(printed.code, printed.stderr).toBe(0);
      return (await readFile(trace, 'utf8')).trim().split('\n');
    };

    const fromKeyring = await traced(join(sandbox.home, 'keyring-imports.txt'));
    // The bundled keyring reader ran (it holds the helper-process fallback, started or not).
    expect(fromKeyring).toContain('node:child_process');
    for (const heavy of ['/commander/', '/zod/', '/oauth4webapi/', '/provider-oidc/', 'program']) {
      expect(fromKeyring.filter((url) => url.includes(heavy))).toEqual([]);
    }

    expect((await keyring.authctl(sandbox, ['store', 'use', 'file'])).code).toBe(0);
    const fromFile = await traced(join(sandbox.home, 'file-imports.txt'));
    expect(fromFile.some((url) => url.endsWith('/dist/authctl.cjs'))).toBe(true);
    expect(fromFile.filter((url) => url.includes('keyring'))).toEqual([]);
    expect(fromFile).not.toContain('node:child_process');
  });

  test('without a usable keyring, store.backend = "keyring" exits 1 naming the keyring, with a hint to `authctl store use file`, and writes nothing', async ({
    idp,
    sandbox,
    keyring,
  }) => {
    const login = await keyring.authctl(sandbox, ['login', '--serviceaccount'], {
      state: 'locked',
      env: { AUTHCTL_CLIENT_SECRET: idp.clients.confidential.secret },
    });
    expect(login.code).toBe(1);
    expect(login.stderr).toContain('the OS keyring (Secret Service) is not usable');
    expect(login.stderr).toContain('authctl store use file');
    expect(login.stderr).not.toMatch(/^\s+at\s/m);
    expect(await sandbox.credentialFiles()).toEqual([]);
  });
});
