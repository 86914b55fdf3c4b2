import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect } from 'vitest';
import { devProfileTest as test } from './support/fixtures.js';
import { introspect, tryRefresh } from './support/idp-checks.js';
import { configToml } from './support/profiles.js';
import type { Sandbox } from './support/sandbox.js';

const SECRET = { AUTHCTL_CLIENT_SECRET: 'svc-secret' };

/** The part of the stored credential (core's credential-file.ts format) these tests read. */
interface StoredOAuth {
  tokens: { access_token: string; refresh_token?: string; expires_at: number };
}

async function stored(sandbox: Sandbox, profile = 'dev'): Promise<StoredOAuth> {
  return JSON.parse(await readFile(sandbox.credentialFile(profile), 'utf8')) as StoredOAuth;
}

async function loginWithPassword(sandbox: Sandbox): Promise<void> {
  const result = await sandbox.run(['login', '--flow', 'password', '--username', 'alice', '--password-stdin'], { input: 'alice-password\n' });
  expect(result.stderr).not.toContain('alice-password');
  expect(result.code).toBe(0);
}

describe('login --serviceaccount and print-token', () => {
  test('print-token prints exactly "<token>\\n", and the IdP knows the token as live', async ({ idp, sandbox }) => {
    const login = await sandbox.run(['login', '--serviceaccount'], { env: SECRET });
    expect(login.code).toBe(0);
    expect(login.stdout).toBe('');
    expect(login.stderr).toMatch(/^Logged in to profile "dev"; token valid until \d{4}-\d\d-\d\dT/m);

    const printed = await sandbox.run(['print-token']);
    expect(printed.code).toBe(0);
    expect(printed.stderr).toBe('');
    expect(printed.stdout).toMatch(/^[^\s]+\n$/);
    const token = printed.stdout.slice(0, -1);
    expect(token).toBe((await stored(sandbox)).tokens.access_token);
    const live = await introspect(idp, token);
    expect(live.active).toBe(true);
    expect(live.client_id).toBe('svc');
  });

  test('print-token --header prints one "Authorization: Bearer <token>" line', async ({ sandbox }) => {
    expect((await sandbox.run(['login', '--serviceaccount'], { env: SECRET })).code).toBe(0);
    const printed = await sandbox.run(['--profile', 'dev', 'print-token', '--header']);
    expect(printed.code).toBe(0);
    expect(printed.stdout).toBe(`Authorization: Bearer ${(await stored(sandbox)).tokens.access_token}\n`);
  });

  test('a fresh cached token is printed without loading commander, zod, oauth4webapi or a provider plugin', async ({ sandbox }) => {
    expect((await sandbox.run(['login', '--serviceaccount'], { env: SECRET })).code).toBe(0);
    const trace = join(sandbox.home, 'imports.txt');
    const preload = fileURLToPath(new URL('./support/trace-imports.mjs', import.meta.url));
    const printed = await sandbox.run(['print-token'], { env: { NODE_OPTIONS: `--import=${preload}`, AUTHCTL_TRACE_FILE: trace } });
    expect(printed.code).toBe(0);
    const loaded = (await readFile(trace, 'utf8')).trim().split('\n');
    // The one-file CommonJS entry answered (core's cached-token code is bundled into it).
    expect(loaded.some((url) => url.endsWith('/dist/authctl.cjs'))).toBe(true);
    for (const heavy of ['/commander/', '/zod/', '/oauth4webapi/', '/provider-oidc/', '/@inquirer/', 'program']) {
      expect(loaded.filter((url) => url.includes(heavy))).toEqual([]);
    }
  });

  test('status --json prints one object describing the stored login', async ({ sandbox }) => {
    expect((await sandbox.run(['login', '--serviceaccount'], { env: SECRET })).code).toBe(0);
    const status = await sandbox.run(['status', '--json']);
    expect(status.code).toBe(0);
    const lines = status.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const { subject, ...rest } = JSON.parse(lines[0]!) as Record<string, unknown>;
    expect(rest).toEqual({
      profile: 'dev',
      provider: 'oidc',
      logged_in: true,
      identity: 'svc',
      flow: 'client-credentials',
      expires_at: (await stored(sandbox)).tokens.expires_at,
      expired: false,
      refreshable: false,
    });
    expect(subject === null || typeof subject === 'string').toBe(true);
  });

  test('print-token with no login exits 3 with exactly one line on stderr', async ({ idp, sandbox }) => {
    await sandbox.writeConfig(configToml({ dev: { provider: 'oidc', issuer: idp.issuer, client_id: 'authctl' } }, 'dev'));
    const printed = await sandbox.run(['print-token']);
    expect(printed.code).toBe(3);
    expect(printed.stdout).toBe('');
    expect(printed.stderr.endsWith('\n')).toBe(true);
    expect(printed.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(printed.stderr).toContain('authctl login');
  });
});

describe('token refresh through print-token', () => {
  test('inside the refresh window print-token refreshes with no prompt and prints the new token', async ({ idp, sandbox }) => {
    idp.setAccessTokenTtl(4); // shorter than the minimum window: stale as soon as it is issued
    await loginWithPassword(sandbox);
    const before = await stored(sandbox);
    idp.setAccessTokenTtl(3600);

    const printed = await sandbox.run(['print-token']);
    expect(printed.code).toBe(0);
    expect(idp.grantCount('refresh_token')).toBe(1);
    const token = printed.stdout.trimEnd();
    expect(token).not.toBe(before.tokens.access_token);
    expect((await stored(sandbox)).tokens.access_token).toBe(token);
    expect((await introspect(idp, token)).active).toBe(true);
  });
});

describe('logout', () => {
  test('revokes the refresh token at the IdP, then deletes the stored tokens', async ({ idp, sandbox }) => {
    await loginWithPassword(sandbox);
    const { refresh_token: refreshToken } = (await stored(sandbox)).tokens;
    expect(refreshToken).toBeDefined();

    const result = await sandbox.run(['logout']);
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('revoked');
    expect(existsSync(sandbox.credentialFile('dev'))).toBe(false);
    expect(await tryRefresh(idp, refreshToken!)).toBe('invalid_grant');

    const again = await sandbox.run(['logout', '--json']);
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout)).toEqual({ event: 'logged_out', profile: 'dev', revoked: false, revoked_tokens: [], unrevocable_tokens: [], deleted: false });
  });
});

describe('--silent', () => {
  test('login --silent keeps only the essential line on stderr: where to enter which device code', async ({ idp, sandbox }) => {
    const run = sandbox.start(['login', '--silent', '--flow', 'device'], { killAfterMs: 60_000 });
    const line = await run.expect(/[^\n]*\n/, 'stderr');
    const [, uri, code] = /^Open (\S+) and enter the code (\S+)\n$/.exec(line) ?? [];
    expect(uri, line).toBeDefined();
    await idp.user.approveDevice(uri!, code!);
    const result = await run.done;
    expect(result.code).toBe(0);
    expect(result.stderr).toBe(line);
    expect(result.stdout).toBe('');
  });
});
