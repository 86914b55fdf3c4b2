import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect } from 'vitest';
import { devProfileTest as test } from './support/fixtures.js';
import { introspect } from './support/idp-checks.js';
import { configToml, idpProfile } from './support/profiles.js';
import type { Sandbox } from './support/sandbox.js';

const V1 = 'client.authentication.k8s.io/v1';
const V1BETA1 = 'client.authentication.k8s.io/v1beta1';
/** RFC 3339 date-time in UTC, whole seconds (what Kubernetes' metav1.Time writes). */
const RFC3339 = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/;

/** What kubectl sets for an exec plugin (client-go's exec authenticator). */
function execInfo(apiVersion: string, interactive: boolean): string {
  return JSON.stringify({ kind: 'ExecCredential', apiVersion, spec: { interactive } });
}

async function storedTokens(sandbox: Sandbox): Promise<{ access_token: string; expires_at: number }> {
  return (JSON.parse(await readFile(sandbox.credentialFile('dev'), 'utf8')) as { tokens: { access_token: string; expires_at: number } }).tokens;
}

async function loginAsServiceAccount(sandbox: Sandbox): Promise<void> {
  const login = await sandbox.run(['login', '--serviceaccount'], { env: { AUTHCTL_CLIENT_SECRET: 'svc-secret' } });
  expect(login.code, login.stderr).toBe(0);
}

/** stdout parsed as the one ExecCredential object it must be, checked against the client.authentication.k8s.io shape. */
function execCredential(stdout: string, apiVersion: string): { token: string; expirationTimestamp?: string } {
  expect(stdout.endsWith('\n') && stdout.trimEnd().split('\n').length === 1, stdout).toBe(true);
  const credential = JSON.parse(stdout) as { apiVersion: string; kind: string; status: { token: string; expirationTimestamp?: string } };
  expect(Object.keys(credential).sort()).toEqual(['apiVersion', 'kind', 'status']);
  expect(credential.apiVersion).toBe(apiVersion);
  expect(credential.kind).toBe('ExecCredential');
  expect(typeof credential.status.token).toBe('string');
  expect(credential.status.token.length).toBeGreaterThan(0);
  return credential.status;
}

describe('authctl token exec-credential (kubectl credential plugin)', () => {
  test('prints a client.authentication.k8s.io/v1 ExecCredential: the live token and its expiry as RFC 3339', async ({ idp, sandbox }) => {
    await loginAsServiceAccount(sandbox);
    const result = await sandbox.run(['token', 'exec-credential'], { env: { KUBERNETES_EXEC_INFO: execInfo(V1, false) } });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toBe('');
    const status = execCredential(result.stdout, V1);
    expect(Object.keys(status).sort()).toEqual(['expirationTimestamp', 'token']);
    const stored = await storedTokens(sandbox);
    expect(status.token).toBe(stored.access_token);
    expect(status.expirationTimestamp).toMatch(RFC3339);
    expect(Date.parse(status.expirationTimestamp!) / 1000).toBe(stored.expires_at);
    expect((await introspect(idp, status.token)).active).toBe(true);
  });

  test('KUBERNETES_EXEC_INFO asking for v1beta1 gets a v1beta1 ExecCredential; without it, v1', async ({ sandbox }) => {
    await loginAsServiceAccount(sandbox);
    const beta = await sandbox.run(['token', 'exec-credential'], { env: { KUBERNETES_EXEC_INFO: execInfo(V1BETA1, false) } });
    expect(beta.code, beta.stderr).toBe(0);
    execCredential(beta.stdout, V1BETA1);
    const unset = await sandbox.run(['token', 'exec-credential']);
    expect(unset.code, unset.stderr).toBe(0);
    execCredential(unset.stdout, V1);
  });

  test('a token inside the refresh window is refreshed first, and the ExecCredential carries the new one', async ({ idp, sandbox }) => {
    idp.setAccessTokenTtl(4); // shorter than the refresh window: stale as soon as it is issued
    const login = await sandbox.run(['login', '--flow', 'password', '--username', 'alice'], { env: { AUTHCTL_PASSWORD: 'alice-password' } });
    expect(login.code, login.stderr).toBe(0);
    const before = await storedTokens(sandbox);
    idp.setAccessTokenTtl(3600);

    const result = await sandbox.run(['token', 'exec-credential'], { env: { KUBERNETES_EXEC_INFO: execInfo(V1, false) } });
    expect(result.code, result.stderr).toBe(0);
    expect(idp.grantCount('refresh_token')).toBe(1);
    const status = execCredential(result.stdout, V1);
    expect(status.token).not.toBe(before.access_token);
    expect(status.token).toBe((await storedTokens(sandbox)).access_token);
  });

  test('spec.interactive false and nobody logged in: exit 3, one line on stderr, nothing on stdout, no prompt', async ({ sandbox }) => {
    const result = await sandbox.run(['token', 'exec-credential', '--profile', 'dev'], { env: { KUBERNETES_EXEC_INFO: execInfo(V1, false) } });
    expect(result.code).toBe(3);
    expect(result.stdout).toBe('');
    expect(result.stderr.endsWith('\n')).toBe(true);
    expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(/^authctl: .*dev.*authctl login --profile dev/);
  });

  test('spec.interactive true and nobody logged in: the profile’s login runs on stderr, then stdout holds only the ExecCredential', async ({
    idp,
    sandbox,
  }) => {
    await sandbox.writeConfig(configToml({ dev: idpProfile(idp.issuer, { flow: 'device' }) }, 'dev'));
    const run = sandbox.start(['token', 'exec-credential'], { env: { KUBERNETES_EXEC_INFO: execInfo(V1, true) }, killAfterMs: 60_000 });
    const line = await run.expect(/To log in, open \S+ and enter the code \S+\n/, 'stderr');
    const [, uri, code] = /open (\S+) and enter the code (\S+)/.exec(line)!;
    await idp.user.approveDevice(uri!, code!);
    const result = await run.done;
    expect(result.code, result.stderr).toBe(0);
    const status = execCredential(result.stdout, V1);
    expect(status.token).toBe((await storedTokens(sandbox)).access_token);
    expect((await introspect(idp, status.token)).sub).toBe('alice');
  });

  test('a KUBERNETES_EXEC_INFO asking for an unknown apiVersion is a usage error (exit 2) naming the variable', async ({ sandbox }) => {
    await loginAsServiceAccount(sandbox);
    const result = await sandbox.run(['token', 'exec-credential'], {
      env: { KUBERNETES_EXEC_INFO: execInfo('client.authentication.k8s.io/v1alpha1', false) },
    });
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(/KUBERNETES_EXEC_INFO .*v1alpha1.*client\.authentication\.k8s\.io\/v1 or/);
  });

  test('a fresh cached token is answered without loading commander, zod, oauth4webapi or a provider plugin', async ({ sandbox }) => {
    await loginAsServiceAccount(sandbox);
    const trace = join(sandbox.home, 'imports.txt');
    const preload = fileURLToPath(new URL('./support/trace-imports.mjs', import.meta.url));
    const result = await sandbox.run(['token', 'exec-credential'], {
      env: { NODE_OPTIONS: `--import=${preload}`, AUTHCTL_TRACE_FILE: trace, KUBERNETES_EXEC_INFO: execInfo(V1, false) },
    });
    expect(result.code, result.stderr).toBe(0);
    execCredential(result.stdout, V1);
    const loaded = (await readFile(trace, 'utf8')).trim().split('\n');
    // The one-file CommonJS entry answered (core's cached-token code is bundled into it).
    expect(loaded.some((url) => url.endsWith('/dist/authctl.cjs'))).toBe(true);
    for (const heavy of ['/commander/', '/zod/', '/oauth4webapi/', '/provider-oidc/', '/@inquirer/', 'program']) {
      expect(loaded.filter((url) => url.includes(heavy))).toEqual([]);
    }
  });
});
