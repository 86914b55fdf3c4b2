import { readFile } from 'node:fs/promises';
import { describe, expect } from 'vitest';
import { devProfileTest as test } from './support/fixtures.js';
import type { Sandbox } from './support/sandbox.js';

const PASSWORD = 'alice-password';
const CLIENT_SECRET = 'svc-secret';
const SECRET_NAMES = ['access_token', 'refresh_token', 'id_token', 'token', 'code', 'code_verifier', 'device_code', 'client_secret', 'password'];

interface StoredTokens {
  access_token: string;
  refresh_token?: string;
  id_token?: string;
}

async function storedTokens(sandbox: Sandbox): Promise<StoredTokens> {
  return (JSON.parse(await readFile(sandbox.credentialFile('dev'), 'utf8')) as { tokens: StoredTokens }).tokens;
}

/**
 * The whole trace against the actual secret values, and every secret-named
 * parameter or JSON field in it (query, form body, JSON body) redacted.
 */
function expectNoSecrets(trace: string, secrets: Array<string | undefined>): void {
  for (const secret of secrets.filter((value): value is string => value !== undefined)) {
    expect(secret.length).toBeGreaterThan(4);
    expect(trace, `the trace shows a secret (${secret.slice(0, 4)}…)`).not.toContain(secret);
  }
  for (const name of SECRET_NAMES) {
    for (const [, value] of trace.matchAll(new RegExp(`[?&\\s]${name}=([^&\\s]*)`, 'g'))) expect(value, `${name}=`).toBe('[redacted]');
    for (const [, value] of trace.matchAll(new RegExp(`"${name}":("[^"]*"|[^,}]*)`, 'g'))) expect(value, `"${name}":`).toBe('"[redacted]"');
  }
  expect(trace).not.toMatch(/eyJ[\w-]+\.[\w-]+\./);
}

/** `> METHOD URL` then `< STATUS … (N ms)`: the trace of one request. */
function expectTraced(trace: string, method: string, url: string): void {
  expect(trace).toMatch(new RegExp(`^> ${method} ${url.replace(/[.?]/g, '\\$&')}\\n(?:> .*\\n)*< \\d{3}[^\\n]* \\(\\d+ ms\\)$`, 'm'));
}

describe('--verbose: an HTTP trace on stderr with every secret redacted', () => {
  test('password login, refresh and logout: requests and answers traced, password and tokens nowhere', async ({ idp, sandbox }) => {
    idp.setAccessTokenTtl(4); // stale at once: the print-token below must refresh
    const login = await sandbox.run(['--verbose', 'login', '--flow', 'password', '--username', 'alice'], { env: { AUTHCTL_PASSWORD: PASSWORD } });
    expect(login.code, login.stderr).toBe(0);
    expectTraced(login.stderr, 'GET', `${idp.issuer}/.well-known/openid-configuration`);
    expectTraced(login.stderr, 'POST', `${idp.issuer}/token`);
    expect(login.stderr).toMatch(/^> .*password=\[redacted\]/m);
    const first = await storedTokens(sandbox);
    expect(first.refresh_token).toBeDefined();

    idp.setAccessTokenTtl(3600);
    const refreshed = await sandbox.run(['print-token', '--verbose']);
    expect(refreshed.code, refreshed.stderr).toBe(0);
    expect(idp.grantCount('refresh_token')).toBe(1);
    expect(refreshed.stderr).toMatch(/^> .*grant_type=refresh_token/m);
    expect(refreshed.stderr).toMatch(/^> .*refresh_token=\[redacted\]/m);
    const second = await storedTokens(sandbox);

    const logout = await sandbox.run(['logout', '--verbose']);
    expect(logout.code, logout.stderr).toBe(0);
    expectTraced(logout.stderr, 'POST', `${idp.issuer}/token/revocation`);

    const trace = [login.stderr, refreshed.stderr, logout.stderr].join('\n');
    expectNoSecrets(trace, [PASSWORD, first.access_token, first.refresh_token, first.id_token, second.access_token, second.refresh_token]);
  });

  test('service account: the Authorization header shows its scheme only, never the client secret', async ({ sandbox }) => {
    const result = await sandbox.run(['login', '--serviceaccount', '--verbose'], { env: { AUTHCTL_CLIENT_SECRET: CLIENT_SECRET } });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/^> authorization: Basic \[redacted\]$/m);
    const basic = Buffer.from(`svc:${CLIENT_SECRET}`).toString('base64');
    expectNoSecrets(result.stderr, [CLIENT_SECRET, basic, (await storedTokens(sandbox)).access_token]);
  });

  test('browser flow: the authorization code and PKCE verifier sent to the token endpoint are redacted', async ({ idp, sandbox }) => {
    const run = sandbox.start(['login', '--flow', 'browser', '--no-browser', '--verbose'], { killAfterMs: 60_000 });
    const url = (await run.expect(/To log in, open this URL in a browser:\n {2}\S+\n/, 'stderr')).trim().split(/\s+/).at(-1)!;
    const callback = await idp.user.authorize(url, new URL(url).searchParams.get('redirect_uri')!);
    expect((await fetch(callback, { signal: AbortSignal.timeout(10_000) })).status).toBe(200);
    const result = await run.done;
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/^> .*grant_type=authorization_code/m);
    expect(result.stderr).toMatch(/^> .*code_verifier=\[redacted\]/m);
    const code = new URL(callback).searchParams.get('code')!;
    const tokens = await storedTokens(sandbox);
    expectNoSecrets(result.stderr, [code, tokens.access_token, tokens.refresh_token, tokens.id_token]);
  });

  test('device flow: the device_code is redacted in the authorization answer and in every poll', async ({ idp, sandbox }) => {
    const run = sandbox.start(['login', '--flow', 'device', '--verbose'], { killAfterMs: 60_000 });
    const line = await run.expect(/To log in, open \S+ and enter the code \S+\n/, 'stderr');
    const [, uri, code] = /open (\S+) and enter the code (\S+)/.exec(line)!;
    await idp.user.approveDevice(uri!, code!);
    const result = await run.done;
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/^< .*"device_code":"\[redacted\]"/m);
    expect(result.stderr).toMatch(/^> .*device_code=\[redacted\]/m);
    const tokens = await storedTokens(sandbox);
    expectNoSecrets(result.stderr, [tokens.access_token, tokens.refresh_token, tokens.id_token]);
  });

  test('without --verbose there is no trace', async ({ sandbox }) => {
    const result = await sandbox.run(['login', '--serviceaccount'], { env: { AUTHCTL_CLIENT_SECRET: CLIENT_SECRET } });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).not.toMatch(/^[<>] /m);
  });
});
