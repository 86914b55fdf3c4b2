import { chmod, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startAuth0Double, type Auth0Double } from '@auth/testkit';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { afterAll, beforeAll, beforeEach, describe, expect } from 'vitest';
import { storedTokens } from './flows/support/stored-tokens.js';
import { approvedDeviceLogin } from './support/device-login.js';
import { test } from './support/fixtures.js';
import { configToml } from './support/profiles.js';
import { STACK_FRAME, type Sandbox } from './support/sandbox.js';

let auth0: Auth0Double;
beforeAll(async () => {
  auth0 = await startAuth0Double();
});
afterAll(() => auth0.close());
beforeEach(() => auth0.setAccessTokenTtl(86400));

/** The API's check: JWKS from /.well-known/jwks.json, the issuer with its trailing slash, the audience. */
async function verifiedForApi(token: string) {
  const jwks = createRemoteJWKSet(new URL(`${auth0.url}/.well-known/jwks.json`));
  return (await jwtVerify(token, jwks, { issuer: auth0.issuer, audience: auth0.audience })).payload;
}

async function printToken(sandbox: Sandbox, env: NodeJS.ProcessEnv = {}): Promise<string> {
  const printed = await sandbox.run(['print-token'], { env });
  expect(printed.code, printed.stderr).toBe(0);
  expect(printed.stdout).toMatch(/^\S+\n$/);
  return printed.stdout.trimEnd();
}

function deviceProfile(extra: Record<string, unknown> = {}): string {
  return configToml({ dev: { provider: 'auth0', domain: auth0.url, client_id: auth0.clients.native, audience: auth0.audience, ...extra } }, 'dev');
}

// Auth0: device flow https://auth0.com/docs/get-started/authentication-and-authorization-flow/device-authorization-flow, client credentials https://auth0.com/docs/get-started/authentication-and-authorization-flow/client-credentials-flow,
// refresh token rotation https://auth0.com/docs/secure/tokens/refresh-tokens/refresh-token-rotation.
describe('provider = "auth0" through the authctl binary', () => {
  test('Auth0 device flow: device login sends audience, and with BROWSER set authctl opens verification_uri_complete', async ({ sandbox }) => {
    await sandbox.writeConfig(deviceProfile());
    const opened = join(sandbox.home, 'opened-urls');
    const browser = join(sandbox.home, 'browser.sh');
    await writeFile(browser, `#!/bin/sh\nprintf '%s\\n' "$1" >> '${opened}'\n`);
    await chmod(browser, 0o700);

    const code = await approvedDeviceLogin(sandbox, (userCode) => auth0.approveDevice(userCode), { env: { BROWSER: browser } });

    expect(code.verification_uri_complete).toBe(`${auth0.url}/activate?user_code=${String(code.user_code)}`);
    expect((await readFile(opened, 'utf8')).trim()).toBe(code.verification_uri_complete);
    expect(auth0.requests.find((request) => request.path === '/oauth/device/code' && request.client_id === auth0.clients.native)).toMatchObject({
      audience: auth0.audience,
    });
    expect((await verifiedForApi(await printToken(sandbox))).sub).toBe(auth0.user.sub);
  });

  test('Auth0 refresh token rotation: two refreshes by print-token each store the rotated token, so reuse detection never fires', async ({ sandbox }) => {
    await sandbox.writeConfig(deviceProfile());
    auth0.setAccessTokenTtl(5);
    await approvedDeviceLogin(sandbox, (userCode) => auth0.approveDevice(userCode));
    const first = await storedTokens(sandbox);

    await printToken(sandbox);
    const second = await storedTokens(sandbox);
    const token = await printToken(sandbox);
    const third = await storedTokens(sandbox);

    expect(new Set([first.refresh_token, second.refresh_token, third.refresh_token]).size).toBe(3);
    expect(auth0.revokedFamilies()).toBe(0);
    expect(third.access_token).toBe(token);
    expect((await verifiedForApi(token)).aud).toContain(auth0.audience);
  });

  test('Auth0 client credentials with audience: login --serviceaccount, the secret from AUTHCTL_CLIENT_SECRET, a token for the API', async ({ sandbox }) => {
    await sandbox.writeConfig(
      configToml(
        { dev: { provider: 'auth0', domain: auth0.url, audience: auth0.audience, service_account: { client_id: auth0.clients.machine.id } } },
        'dev',
      ),
    );
    const env = { AUTHCTL_CLIENT_SECRET: auth0.clients.machine.secret };

    const result = await sandbox.run(['login', '--serviceaccount'], { env });

    expect(result.code, result.stderr).toBe(0);
    expect(auth0.requests.at(-1)).toMatchObject({ path: '/oauth/token', grant_type: 'client_credentials', audience: auth0.audience });
    expect((await verifiedForApi(await printToken(sandbox, env))).sub).toBe(`${auth0.clients.machine.id}@clients`);
  });

  test('Auth0 client credentials without audience: exit 2 naming profiles.dev.audience, no request sent, no stack', async ({ sandbox }) => {
    await sandbox.writeConfig(
      configToml({ dev: { provider: 'auth0', domain: auth0.url, service_account: { client_id: auth0.clients.machine.id } } }, 'dev'),
    );
    const before = auth0.requests.length;

    const result = await sandbox.run(['login', '--serviceaccount'], { env: { AUTHCTL_CLIENT_SECRET: auth0.clients.machine.secret } });

    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr).toContain('profiles.dev.audience');
    expect(result.stderr).toMatch(/^hint: .*audience/m);
    expect(result.stderr).not.toMatch(STACK_FRAME);
    expect(result.stderr).not.toContain(auth0.clients.machine.secret);
    expect(auth0.requests.length).toBe(before);
  });
});
