import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createTestCertificate,
  startAuth0Double,
  startEntraDouble,
  startKeycloakDeviceDouble,
  type Auth0Double,
  type EntraDouble,
  type KeycloakDeviceDouble,
} from '@auth/testkit';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { filesContaining } from './flows/support/files-containing.js';
import { storedTokens } from './flows/support/stored-tokens.js';
import { approvedDeviceLogin } from './support/device-login.js';
import { test } from './support/fixtures.js';
import { configToml } from './support/profiles.js';
import type { Sandbox } from './support/sandbox.js';

// InfluxDB Clustered admin authentication (https://docs.influxdata.com/influxdb/clustered/install/auth/),
// influxctl with Keycloak, Entra ID or Auth0: a profile holds a client id, two URLs,
// scopes and extra parameters; provider-oidc's explicit-endpoint mode does the rest.

let dir: string;
let keycloak: KeycloakDeviceDouble;
let entra: EntraDouble;
let auth0: Auth0Double;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'idp-influxctl-'));
  [keycloak, entra, auth0] = await Promise.all([
    startKeycloakDeviceDouble(),
    createTestCertificate(dir).then(({ certificate }) => startEntraDouble({ certificate })),
    startAuth0Double(),
  ]);
});
afterAll(async () => {
  await Promise.all([keycloak.close(), entra.close(), auth0.close()]);
  await rm(dir, { recursive: true, force: true });
});

async function verify(token: string, jwksUri: string, options: { issuer: string; audience?: string }) {
  return (await jwtVerify(token, createRemoteJWKSet(new URL(jwksUri)), options)).payload;
}

async function printToken(sandbox: Sandbox): Promise<string> {
  const printed = await sandbox.run(['print-token']);
  expect(printed.code, printed.stderr).toBe(0);
  return printed.stdout.trimEnd();
}

describe('influxctl-style profiles (client_id, device_url, token_url, scopes, parameters) log in by device flow with each IdP', () => {
  test('Keycloak: device login with the client secret from the store, refresh by print-token, then client credentials', async ({ sandbox }) => {
    await sandbox.writeConfig(
      configToml(
        {
          dev: {
            provider: 'oidc',
            client_id: keycloak.clients.device.id,
            device_url: keycloak.endpoints.device,
            token_url: keycloak.endpoints.token,
            scopes: ['openid'],
          },
        },
        'dev',
      ),
    );
    const stored = await sandbox.run(['configure', '--client-secret-stdin'], { input: `${keycloak.clients.device.secret}\n` });
    expect(stored.code, stored.stderr).toBe(0);
    const issuer = `${keycloak.url}/realms/${keycloak.realm}`;

    keycloak.setAccessTokenTtl(5);
    const code = await approvedDeviceLogin(sandbox, (userCode) => keycloak.approveDevice(userCode));
    const afterDevice = await storedTokens(sandbox);
    // A 5 s token is inside the refresh window at once: print-token refreshes it.
    const refreshed = await printToken(sandbox);
    keycloak.setAccessTokenTtl(300);
    const serviceAccount = await sandbox.run(['login', '--flow', 'client-credentials']);

    expect(code.verification_uri_complete).toBe(`${issuer}/device?user_code=${String(code.user_code)}`);
    // The confidential client authenticated on the device request too (Keycloak's device endpoint takes client authentication), with the stored secret.
    expect(keycloak.requests.filter((request) => request.path.endsWith('/auth/device')).every((request) => request.authorization === 'Basic <credentials>')).toBe(
      true,
    );
    expect(keycloak.requests.some((request) => request.grant_type === 'refresh_token')).toBe(true);
    expect(refreshed).not.toBe(afterDevice.access_token);
    expect((await verify(refreshed, keycloak.endpoints.certs, { issuer })).sub).toBe(keycloak.user.id);
    expect(serviceAccount.code, serviceAccount.stderr).toBe(0);
    expect((await verify(await printToken(sandbox), keycloak.endpoints.certs, { issuer })).sub).toBe(keycloak.serviceAccount.id);
    expect(await readFile(sandbox.configFile, 'utf8')).not.toContain(keycloak.clients.device.secret);
    expect(await filesContaining(sandbox.home, keycloak.clients.device.secret)).toEqual([sandbox.credentialFile('dev#client_secret')]);
  });

  test('Auth0: device login with parameters = { audience }, the token is for that API', async ({ sandbox }) => {
    await sandbox.writeConfig(
      configToml(
        {
          dev: {
            provider: 'oidc',
            client_id: auth0.clients.native,
            device_url: `${auth0.url}/oauth/device/code`,
            token_url: `${auth0.url}/oauth/token`,
            scopes: ['openid', 'offline_access'],
            parameters: { audience: auth0.audience },
          },
        },
        'dev',
      ),
    );

    await approvedDeviceLogin(sandbox, (userCode) => auth0.approveDevice(userCode));

    expect(auth0.requests.find((request) => request.path === '/oauth/device/code')).toMatchObject({ audience: auth0.audience });
    const claims = await verify(await printToken(sandbox), `${auth0.url}/.well-known/jwks.json`, { issuer: auth0.issuer, audience: auth0.audience });
    expect(claims.sub).toBe(auth0.user.sub);
  });

  test('Entra ID: device login with scopes = ["{client_id}/.default"] on the v2.0 devicecode and token endpoints', async ({ sandbox }) => {
    const authority = `${entra.authorityHost}${entra.tenantId}`;
    await sandbox.writeConfig(
      configToml(
        {
          dev: {
            provider: 'oidc',
            client_id: entra.clients.public,
            device_url: `${authority}/oauth2/v2.0/devicecode`,
            token_url: `${authority}/oauth2/v2.0/token`,
            scopes: [`${entra.clients.public}/.default`],
          },
        },
        'dev',
      ),
    );

    const code = await approvedDeviceLogin(sandbox, (userCode) => entra.approveDevice(userCode));

    expect(code).not.toHaveProperty('verification_uri_complete');
    const claims = await verify(await printToken(sandbox), `${authority}/discovery/v2.0/keys`, {
      issuer: `${authority}/v2.0`,
      audience: entra.clients.public,
    });
    expect(claims.oid).toBe(entra.user.oid);
  });
});
