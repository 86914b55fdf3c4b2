import { readFile } from 'node:fs/promises';
import { describe, expect } from 'vitest';
import { devProfileTest as test } from './support/fixtures.js';
import { introspect } from './support/idp-checks.js';
import type { Sandbox } from './support/sandbox.js';

/** A value no IdP issued: whatever authctl prints of it can only come from AUTHCTL_TOKEN. */
const OVERRIDE = 'token-from-the-environment-0123456789';
const NOTICE = 'authctl: using the access token from AUTHCTL_TOKEN instead of the credential store\n';

async function storedAccessToken(sandbox: Sandbox): Promise<string> {
  return (JSON.parse(await readFile(sandbox.credentialFile('dev'), 'utf8')) as { tokens: { access_token: string } }).tokens.access_token;
}

describe('login --plain --silent (kms parity)', () => {
  test('prints exactly the access token and a newline on stdout, nothing on stderr', async ({ idp, sandbox }) => {
    const result = await sandbox.run(['login', '--flow', 'password', '--username', 'alice', '--plain', '--silent'], {
      env: { AUTHCTL_PASSWORD: 'alice-password' },
    });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toBe('');
    expect(result.stdout).toBe(`${await storedAccessToken(sandbox)}\n`);
    expect((await introspect(idp, result.stdout.trimEnd())).sub).toBe('alice');
  });

  test('the same for a service account', async ({ sandbox }) => {
    const result = await sandbox.run(['login', '--serviceaccount', '--plain', '--silent'], { env: { AUTHCTL_CLIENT_SECRET: 'svc-secret' } });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toBe('');
    expect(result.stdout).toBe(`${await storedAccessToken(sandbox)}\n`);
  });
});

describe('AUTHCTL_TOKEN overrides the credential store', () => {
  test('print-token prints it instead of the stored token, with a one-line notice on stderr', async ({ sandbox }) => {
    const login = await sandbox.run(['login', '--serviceaccount'], { env: { AUTHCTL_CLIENT_SECRET: 'svc-secret' } });
    expect(login.code, login.stderr).toBe(0);
    const result = await sandbox.run(['print-token'], { env: { AUTHCTL_TOKEN: OVERRIDE } });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toBe(`${OVERRIDE}\n`);
    expect(result.stderr).toBe(NOTICE);
    expect(await storedAccessToken(sandbox)).not.toBe(OVERRIDE);
  });

  test('--silent drops the notice', async ({ sandbox }) => {
    const result = await sandbox.run(['print-token', '--silent', '--header'], { env: { AUTHCTL_TOKEN: OVERRIDE } });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toBe(`Authorization: Bearer ${OVERRIDE}\n`);
    expect(result.stderr).toBe('');
  });

  test('no login and even no config needed: print-token, exec and exec-credential all use it', async ({ sandbox }) => {
    const env = { AUTHCTL_TOKEN: OVERRIDE, AUTHCTL_HOME: `${sandbox.home}/empty` };
    const printed = await sandbox.run(['print-token'], { env });
    expect(printed.code, printed.stderr).toBe(0);
    expect(printed.stdout).toBe(`${OVERRIDE}\n`);

    const exec = await sandbox.run(['exec', '--', process.execPath, '-e', 'process.stdout.write(process.env.ACCESS_TOKEN)'], { env });
    expect(exec.code, exec.stderr).toBe(0);
    expect(exec.stdout).toBe(OVERRIDE);
    expect(exec.stderr).toBe(NOTICE);

    const credential = await sandbox.run(['token', 'exec-credential', '--silent'], { env });
    expect(credential.code, credential.stderr).toBe(0);
    expect(credential.stderr).toBe('');
    // Its lifetime is unknown, so no expirationTimestamp: kubectl then asks again on its next run.
    expect(JSON.parse(credential.stdout)).toEqual({
      apiVersion: 'client.authentication.k8s.io/v1',
      kind: 'ExecCredential',
      status: { token: OVERRIDE },
    });
  });
});
