import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { browserScript } from '@auth/testkit';
import { describe, expect } from 'vitest';
import { devProfileTest as test } from './support/fixtures.js';
import { introspect, tryRefresh } from './support/idp-checks.js';
import { configToml } from './support/profiles.js';
import { STACK_FRAME, type Sandbox } from './support/sandbox.js';

const SECRET = { AUTHCTL_CLIENT_SECRET: 'svc-secret' };
const DEVICE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';

interface StoredOAuth {
  kind: 'oauth';
  flow: string;
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
    expect(loaded.some((url) => url.includes('cached-token'))).toBe(true);
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

  test('a revoked refresh token makes print-token exit 3 with one stderr line', async ({ idp, sandbox }) => {
    idp.setAccessTokenTtl(4);
    await loginWithPassword(sandbox);
    await idp.revokeAllGrants();
    const printed = await sandbox.run(['print-token']);
    expect(printed.code).toBe(3);
    expect(printed.stdout).toBe('');
    expect(printed.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(printed.stderr).not.toMatch(STACK_FRAME);
  });

  test('16 print-token processes on a stale token: one refresh grant reaches the IdP, all print the same live token', async ({ idp, sandbox }) => {
    idp.setAccessTokenTtl(4);
    await loginWithPassword(sandbox);
    idp.setAccessTokenTtl(3600);
    idp.resetCounts();

    const results = await Promise.all(Array.from({ length: 16 }, () => sandbox.run(['print-token'], { killAfterMs: 60_000 })));
    expect(results.map((result) => result.code)).toEqual(Array(16).fill(0));
    expect(idp.grantCount('refresh_token')).toBe(1);
    const tokens = new Set(results.map((result) => result.stdout));
    expect(tokens.size).toBe(1);
    expect((await introspect(idp, [...tokens][0]!.trimEnd())).active).toBe(true);
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
    expect(JSON.parse(again.stdout)).toEqual({ event: 'logged_out', profile: 'dev', revoked: false, deleted: false });
  });
});

describe('interactive flows', () => {
  test('login --json --flow device: a device_code line, the person approves, then a logged_in line, nothing else', async ({ idp, sandbox }) => {
    const run = sandbox.start(['login', '--json', '--flow', 'device'], { killAfterMs: 60_000 });
    const first = JSON.parse(await run.nextLine()) as Record<string, unknown>;
    expect(Object.keys(first)).toEqual(['event', 'verification_uri', 'verification_uri_complete', 'user_code', 'expires_in', 'interval']);
    expect(first).toEqual({
      event: 'device_code',
      verification_uri: expect.stringMatching(new RegExp(`^${idp.issuer}/`)),
      verification_uri_complete: expect.stringMatching(new RegExp(`^${idp.issuer}/`)),
      user_code: expect.stringMatching(/^\S+$/),
      expires_in: expect.any(Number),
      interval: 1,
    });
    await idp.user.approveDevice(String(first.verification_uri), String(first.user_code));
    const result = await run.done;
    expect(result.code).toBe(0);
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    const last = JSON.parse(lines[1]!) as Record<string, unknown>;
    expect(Object.keys(last)).toEqual(['event', 'profile', 'expires_at']);
    expect(last).toEqual({ event: 'logged_in', profile: 'dev', expires_at: (await stored(sandbox)).tokens.expires_at });
    expect(idp.grantCount(DEVICE_GRANT)).toBeGreaterThanOrEqual(1);
    expect((await stored(sandbox)).flow).toBe('device');
  });

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

  test('login --force-code --json: an open_url line, the pasted redirect URL on stdin completes the login', async ({ idp, sandbox }) => {
    const run = sandbox.start(['login', '--force-code', '--json'], { killAfterMs: 60_000 });
    const open = JSON.parse(await run.nextLine()) as { event: string; url: string };
    expect(open.event).toBe('open_url');
    const redirected = await idp.user.authorize(open.url, 'http://127.0.0.1/callback');
    run.write(`${redirected}\n`);
    const result = await run.done;
    expect(result.code).toBe(0);
    expect((await stored(sandbox)).flow).toBe('code');
    expect(JSON.parse(result.stdout.trimEnd().split('\n').at(-1)!)).toMatchObject({ event: 'logged_in', profile: 'dev' });
  });

  test('login --flow browser honours BROWSER: chromium signs in and the loopback callback completes the login', async ({ idp, sandbox }) => {
    const log = join(sandbox.home, 'browser.log');
    const result = await sandbox.run(['login', '--flow', 'browser'], {
      env: { BROWSER: browserScript, AUTHKIT_TEST_BROWSER_LOG: log },
      killAfterMs: 90_000,
    });
    expect(result.code, `stderr:\n${result.stderr}\nbrowser log:\n${existsSync(log) ? await readFile(log, 'utf8') : '(none)'}`).toBe(0);
    expect((await stored(sandbox)).flow).toBe('browser');
    const token = (await sandbox.run(['print-token'])).stdout.trimEnd();
    expect((await introspect(idp, token)).active).toBe(true);
  });
});
