import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startMachineLoginDouble, type MachineLoginDouble } from '@auth/testkit';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { parse } from 'smol-toml';
import { afterAll, beforeAll, beforeEach, describe, expect } from 'vitest';
import { devProfileTest, test } from './support/fixtures.js';
import { redateStoredLogin } from './flows/support/token-expiry.js';
import type { Sandbox } from './support/sandbox.js';

let api: MachineLoginDouble;
beforeAll(async () => {
  api = await startMachineLoginDouble();
});
afterAll(() => api.close());
beforeEach(() => {
  api.accept();
  api.setTtl(3600, 86400);
  api.requests.length = 0;
});

/** kms's universal-auth login, flags only. */
function universalAuthArgs(): string[] {
  return ['login', '--method', 'universal-auth', '--domain', api.url, '--client-id', api.universalAuth.clientId];
}

/** The token verifies against the login API's published JWKS, and is the identity's. */
async function verifiedIdentity(token: string): Promise<unknown> {
  const { payload } = await jwtVerify(token, createRemoteJWKSet(new URL(api.jwksUrl)), { issuer: api.issuer });
  return payload.identityId;
}

async function configOf(sandbox: Sandbox): Promise<Record<string, any>> {
  return parse(await sandbox.readConfig()) as Record<string, any>;
}

async function storedCredential(sandbox: Sandbox, key = 'default'): Promise<Record<string, any>> {
  return JSON.parse(await readFile(sandbox.credentialFile(key), 'utf8')) as Record<string, any>;
}

describe('authctl login --method universal-auth (kms parity)', () => {
  test('--plain --silent prints exactly one line, a JWT that verifies against the API JWKS, and nothing on stderr', async ({ sandbox }) => {
    const result = await sandbox.run([...universalAuthArgs(), '--client-secret', api.universalAuth.clientSecret, '--plain', '--silent']);

    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toBe('');
    expect(result.stdout).toMatch(/^[^\n]+\n$/);
    expect(await verifiedIdentity(result.stdout.trimEnd())).toBe(api.universalAuth.identityId);
  });

  test('with no profile it writes profile "default" (method, domain, client id; never the secret), and print-token answers from the cache', async ({ sandbox }) => {
    const login = await sandbox.run([...universalAuthArgs(), '--client-secret-stdin', '--plain', '--silent'], { input: `${api.universalAuth.clientSecret}\n` });
    expect(login.code, login.stderr).toBe(0);

    const config = await configOf(sandbox);
    expect(config.default_profile).toBe('default');
    expect(config.profiles.default).toEqual({ provider: 'machine', method: 'universal-auth', domain: api.url, client_id: api.universalAuth.clientId });
    expect(await sandbox.readConfig()).not.toContain(api.universalAuth.clientSecret);
    expect(await storedCredential(sandbox, 'default#client_secret')).toEqual({ kind: 'secret', value: api.universalAuth.clientSecret });

    const requests = api.requests.length;
    const printed = await sandbox.run(['print-token']);
    expect(printed.code, printed.stderr).toBe(0);
    expect(printed.stdout).toBe(login.stdout);
    expect(api.requests).toHaveLength(requests);
  });

  test('a secret in argv is accepted with a warning on stderr naming safer sources, and never echoed', async ({ sandbox }) => {
    const secret = api.universalAuth.clientSecret;
    const result = await sandbox.run([...universalAuthArgs(), '--client-secret', secret]);

    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain('warning: --client-secret on the command line can be read by other users of this machine');
    expect(result.stderr).toContain('INFISICAL_UNIVERSAL_AUTH_CLIENT_SECRET');
    expect(result.stderr).toContain(`Logged in to profile "default" as ${api.universalAuth.clientId}`);
    expect(result.stdout + result.stderr).not.toContain(secret);
  });

  test("kms's variables work without flags: INFISICAL_API_URL, INFISICAL_UNIVERSAL_AUTH_CLIENT_ID and _SECRET", async ({ sandbox }) => {
    const result = await sandbox.run(['login', '--method', 'universal-auth', '--plain', '--silent'], {
      env: {
        INFISICAL_API_URL: `${api.url}/api`,
        INFISICAL_UNIVERSAL_AUTH_CLIENT_ID: api.universalAuth.clientId,
        INFISICAL_UNIVERSAL_AUTH_CLIENT_SECRET: api.universalAuth.clientSecret,
      },
    });
    expect(result.code, result.stderr).toBe(0);
    expect(await verifiedIdentity(result.stdout.trimEnd())).toBe(api.universalAuth.identityId);
    expect(api.requests.map((request) => request.path)).toEqual(['/api/v1/auth/universal-auth/login']);
  });

  test('--verbose traces the login API without the secret or any token', async ({ sandbox }) => {
    const result = await sandbox.run([...universalAuthArgs(), '--verbose', '--plain'], { env: { AUTHCTL_CLIENT_SECRET: api.universalAuth.clientSecret } });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain(`> POST ${api.url}/api/v1/auth/universal-auth/login`);
    expect(result.stderr).toContain('"clientSecret":"[redacted]"');
    expect(result.stderr).not.toContain(api.universalAuth.clientSecret);
    expect(result.stderr).not.toContain(result.stdout.trimEnd());
  });

  test('a refused login exits 4 with the server message and stores nothing', async ({ sandbox }) => {
    const result = await sandbox.run([...universalAuthArgs(), '--silent'], { env: { AUTHCTL_CLIENT_SECRET: 'not-the-secret' } });
    expect(result.code).toBe(4);
    expect(result.stderr).toContain('refused the login (401: Invalid credentials)');
    expect(result.stdout).toBe('');
    expect(await sandbox.credentialFiles()).toEqual([]);
  });
});

describe('print-token keeps a machine token fresh', () => {
  test('renews at /api/v1/auth/token/renew inside the refresh window, and logs in again silently once renewal is refused', async ({ sandbox }) => {
    // A 5-second token is inside its refresh window at once.
    api.setTtl(5, 3600);
    const login = await sandbox.run([...universalAuthArgs(), '--client-secret-stdin', '--plain', '--silent'], { input: `${api.universalAuth.clientSecret}\n` });
    expect(login.code, login.stderr).toBe(0);

    api.requests.length = 0;
    const renewed = await sandbox.run(['print-token']);
    expect(renewed.code, renewed.stderr).toBe(0);
    expect(renewed.stderr).toBe('');
    expect(api.requests.map((request) => request.path)).toEqual(['/api/v1/auth/token/renew']);
    expect(renewed.stdout).not.toBe(login.stdout);
    expect(await verifiedIdentity(renewed.stdout.trimEnd())).toBe(api.universalAuth.identityId);

    api.requests.length = 0;
    api.refuse({ on: 'renew', status: 401, message: 'Failed to renew MI access token due to Max TTL expiration' });
    const again = await sandbox.run(['print-token']);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toBe('');
    expect(api.requests.map((request) => request.path)).toEqual(['/api/v1/auth/token/renew', '/api/v1/auth/universal-auth/login']);
    expect(await verifiedIdentity(again.stdout.trimEnd())).toBe(api.universalAuth.identityId);
  });

  test('8 print-token processes inside the refresh window: one renewal, the same token for all', async ({ sandbox }) => {
    const login = await sandbox.run([...universalAuthArgs(), '--profile', 'dev', '--client-secret-stdin'], { input: `${api.universalAuth.clientSecret}\n` });
    expect(login.code, login.stderr).toBe(0);
    const before = await redateStoredLogin(sandbox, 30);
    api.requests.length = 0;

    const results = await Promise.all(Array.from({ length: 8 }, () => sandbox.run(['print-token'], { killAfterMs: 60_000 })));

    expect(results.filter((result) => result.code !== 0).map((result) => result.stderr)).toEqual([]);
    const printed = new Set(results.map((result) => result.stdout));
    expect(printed.size).toBe(1);
    expect([...printed][0]).not.toBe(`${before}\n`);
    expect(api.requests.map((request) => request.path)).toEqual(['/api/v1/auth/token/renew']);
  });

  test('logout revokes the token at /api/v1/auth/token/revoke', async ({ sandbox }) => {
    const login = await sandbox.run(universalAuthArgs(), { env: { AUTHCTL_CLIENT_SECRET: api.universalAuth.clientSecret } });
    expect(login.code, login.stderr).toBe(0);
    const revokedBefore = api.revoked().length;

    const result = await sandbox.run(['logout']);

    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain('access token revoked at the IdP');
    expect(api.revoked()).toHaveLength(revokedBefore + 1);
  });
});

describe('authctl login --method jwt-auth', () => {
  test('--jwt-file is kept in the profile and read again when print-token logs in again', async ({ sandbox }) => {
    const jwtFile = join(sandbox.home, 'ci-token');
    await writeFile(jwtFile, await api.workloadJwt());
    api.setTtl(5, 3600);
    const args = ['login', '--method', 'jwt-auth', '--domain', api.url, '--machine-identity-id', api.jwtIdentityId, '--jwt-file', jwtFile, '--plain', '--silent'];
    const login = await sandbox.run(args);
    expect(login.code, login.stderr).toBe(0);
    expect(await verifiedIdentity(login.stdout.trimEnd())).toBe(api.jwtIdentityId);
    expect((await configOf(sandbox)).profiles.default).toMatchObject({ provider: 'machine', method: 'jwt-auth', jwt_file: jwtFile });

    // A CI runner rotates its OIDC token: the next silent login reads the new one.
    await writeFile(jwtFile, await api.workloadJwt('repo:example/app:ref:refs/heads/next'));
    api.refuse({ on: 'renew', status: 401 });
    api.requests.length = 0;

    const printed = await sandbox.run(['print-token']);
    expect(printed.code, printed.stderr).toBe(0);
    expect(api.requests.map((request) => request.path)).toEqual(['/api/v1/auth/token/renew', '/api/v1/auth/jwt-auth/login']);
    expect(await verifiedIdentity(printed.stdout.trimEnd())).toBe(api.jwtIdentityId);
  });
});

describe('the stored client secret', () => {
  test('is dropped when the profile moves to another login API, so it is never sent there', async ({ sandbox }) => {
    const login = await sandbox.run([...universalAuthArgs(), '--client-secret-stdin'], { input: `${api.universalAuth.clientSecret}\n` });
    expect(login.code, login.stderr).toBe(0);
    const elsewhere = await startMachineLoginDouble();
    try {
      const moved = await sandbox.run(['login', '--method', 'universal-auth', '--domain', elsewhere.url]);
      expect(moved.code).toBe(3);
      expect(moved.stderr).toContain('No client secret');
      expect(elsewhere.requests).toEqual([]);
      expect(await sandbox.credentialFiles()).not.toContain(`${encodeURIComponent('default#client_secret')}.json`);
    } finally {
      await elsewhere.close();
    }
  });
});

describe('login --method: usage', () => {
  test('a method no installed provider proves is exit 2 listing the methods there are', async ({ sandbox }) => {
    const result = await sandbox.run(['login', '--method', 'no-such-method', '--domain', api.url]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('no installed provider proves --method no-such-method');
    expect(result.stderr).toContain('universal-auth');
  });

  test('an empty value (a variable that expanded to nothing) is exit 2, never a default', async ({ sandbox }) => {
    const result = await sandbox.run([...universalAuthArgs(), '--client-secret', '']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--client-secret is empty');
    expect(api.requests).toEqual([]);
  });

  test('machine flags with the user method, and person flags with a machine method, are exit 2', async ({ sandbox }) => {
    const user = await sandbox.run(['login', '--client-id', 'x']);
    expect(user.code).toBe(2);
    expect(user.stderr).toContain('--client-id does not apply to --method user');

    const machine = await sandbox.run([...universalAuthArgs(), '--email', 'alice@example.com']);
    expect(machine.code).toBe(2);
    expect(machine.stderr).toContain('--email does not apply to --method universal-auth');
  });
});

describe('login --method on a profile of a person', () => {
  devProfileTest('is refused (exit 2) and the profile is left as it was', async ({ sandbox }) => {
    const before = await sandbox.readConfig();
    const result = await sandbox.run([...universalAuthArgs(), '--profile', 'dev'], { env: { AUTHCTL_CLIENT_SECRET: 'x' } });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('profile "dev"');
    expect(result.stderr).toContain('--profile NAME');
    expect(await sandbox.readConfig()).toBe(before);
  });

  devProfileTest('--method user with --email and --password logs in with the password flow; the argv password draws a warning', async ({ sandbox }) => {
    const result = await sandbox.run(['login', '--method', 'user', '--email', 'alice', '--password', 'alice-password', '--plain']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain('warning: --password on the command line can be read by other users of this machine');
    expect(result.stderr).not.toContain('alice-password');
    expect(result.stdout).toMatch(/^[^\n]+\n$/);
    expect((await storedCredential(sandbox, 'dev')).flow).toBe('password');
  });

  devProfileTest('--interactive asks for the email, then the password without echoing it, on the terminal', async ({ sandbox }) => {
    const run = sandbox.startInTerminal(['login', '--method', 'user', '--interactive']);
    await run.expect(/Email/);
    run.write('alice\r');
    await run.expect(/Password for alice/);
    run.write('alice-password\r');
    const result = await run.done;
    expect(result.code, result.stdout).toBe(0);
    expect(result.stdout).not.toContain('alice-password');
    expect((await storedCredential(sandbox, 'dev')).identity).toBe('alice');
  });

  devProfileTest("INFISICAL_EMAIL and INFISICAL_PASSWORD log a person in directly, as kms does", async ({ sandbox }) => {
    const result = await sandbox.run(['login', '--plain', '--silent'], { env: { INFISICAL_EMAIL: 'alice', INFISICAL_PASSWORD: 'alice-password' } });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toBe('');
    expect((await storedCredential(sandbox, 'dev')).identity).toBe('alice');
  });
});
