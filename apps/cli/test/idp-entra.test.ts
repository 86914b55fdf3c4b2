import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestCertificate, startEntraDouble, type EntraDouble, type TestCertificate } from '@auth/testkit';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { afterAll, beforeAll, beforeEach, describe, expect } from 'vitest';
import { parseEvent } from './flows/support/json-events.js';
import { storedTokens } from './flows/support/stored-tokens.js';
import { approvedDeviceLogin } from './support/device-login.js';
import { test } from './support/fixtures.js';
import { configToml } from './support/profiles.js';
import { STACK_FRAME, type Sandbox } from './support/sandbox.js';

let dir: string;
let certificate: TestCertificate;
let entra: EntraDouble;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'idp-entra-'));
  certificate = await createTestCertificate(dir);
  entra = await startEntraDouble({ certificate: certificate.certificate });
});
afterAll(async () => {
  await entra.close();
  await rm(dir, { recursive: true, force: true });
});
beforeEach(() => entra.setAccessTokenTtl(3600));

/** A resource server's check: signature through the tenant JWKS, issuer and audience. */
async function verified(token: string, audience: string) {
  const jwks = createRemoteJWKSet(new URL(`${entra.authorityHost}${entra.tenantId}/discovery/v2.0/keys`));
  return (await jwtVerify(token, jwks, { issuer: `${entra.authorityHost}${entra.tenantId}/v2.0`, audience })).payload;
}

async function printToken(sandbox: Sandbox, env: NodeJS.ProcessEnv = {}): Promise<string> {
  const printed = await sandbox.run(['print-token'], { env });
  expect(printed.code, printed.stderr).toBe(0);
  expect(printed.stdout).toMatch(/^\S+\n$/);
  return printed.stdout.trimEnd();
}

/** The confidential app, logging in with a certificate client assertion. */
function certificateProfile(files: TestCertificate): string {
  return configToml(
    {
      dev: {
        provider: 'entra',
        tenant: entra.tenantId,
        authority_host: entra.authorityHost,
        client_id: entra.clients.confidential,
        certificate_file: files.certificateFile,
        private_key_file: files.privateKeyFile,
      },
    },
    'dev',
  );
}

/** The stored credential of profile `dev` (core's credential-file.ts format). */
async function credential(sandbox: Sandbox): Promise<{ subject?: string; client_id: string; tokens: { scope?: string } }> {
  return JSON.parse(await readFile(sandbox.credentialFile('dev'), 'utf8')) as { subject?: string; client_id: string; tokens: { scope?: string } };
}

// Microsoft identity platform: device code https://learn.microsoft.com/en-us/entra/identity-platform/v2-oauth2-device-code, claims https://learn.microsoft.com/en-us/entra/identity-platform/id-token-claims-reference,
// certificate credentials https://learn.microsoft.com/en-us/entra/identity-platform/certificate-credentials, workload identity https://azure.github.io/azure-workload-identity/docs/topics/mutating-admission-webhook.html.
describe('provider = "entra" through the authctl binary', () => {
  test('Entra device code flow: device login --json: no verification_uri_complete, scopes {client_id}/.default offline_access, subject tid/oid', async ({
    sandbox,
  }) => {
    await sandbox.writeConfig(
      configToml({ dev: { provider: 'entra', tenant: entra.tenantId, authority_host: entra.authorityHost, client_id: entra.clients.public } }, 'dev'),
    );

    const code = await approvedDeviceLogin(sandbox, (userCode) => entra.approveDevice(userCode));

    expect(code).not.toHaveProperty('verification_uri_complete');
    expect(code.verification_uri).toBe('https://microsoft.com/devicelogin');
    expect(await credential(sandbox)).toMatchObject({
      subject: `${entra.tenantId}/${entra.user.oid}`,
      tokens: { scope: `${entra.clients.public}/.default offline_access` },
    });
    const claims = await verified(await printToken(sandbox), entra.clients.public);
    expect(claims).toMatchObject({ tid: entra.tenantId, oid: entra.user.oid });
    const status = await sandbox.run(['status', '--json']);
    expect(JSON.parse(status.stdout)).toMatchObject({ subject: `${entra.tenantId}/${entra.user.oid}` });
  });

  test('refresh: print-token refreshes a short-lived token at the v2.0 token endpoint, sending the scopes again', async ({ sandbox }) => {
    await sandbox.writeConfig(
      configToml({ dev: { provider: 'entra', tenant: entra.domain, authority_host: entra.authorityHost, client_id: entra.clients.public } }, 'dev'),
    );
    entra.setAccessTokenTtl(5);
    await approvedDeviceLogin(sandbox, (userCode) => entra.approveDevice(userCode));
    const first = await storedTokens(sandbox);

    const token = await printToken(sandbox);

    expect(token).not.toBe(first.access_token);
    expect(entra.tokenRequests.at(-1)).toMatchObject({ grant_type: 'refresh_token', scope: `${entra.clients.public}/.default offline_access` });
    expect((await verified(token, entra.clients.public)).oid).toBe(entra.user.oid);
  });

  test('Entra certificate credentials: client credentials with a certificate assertion (PS256, x5t#S256): the key comes from the profile\'s files, never argv', async ({
    sandbox,
  }) => {
    await sandbox.writeConfig(certificateProfile(certificate));

    const result = await sandbox.run(['login', '--serviceaccount']);

    expect(result.code, result.stderr).toBe(0);
    expect(entra.assertionHeaders.at(-1)).toMatchObject({ alg: 'PS256', 'x5t#S256': expect.any(String) });
    expect(entra.tokenRequests.at(-1)).toMatchObject({ grant_type: 'client_credentials', scope: `${entra.clients.confidential}/.default` });
    const claims = await verified(await printToken(sandbox), entra.clients.confidential);
    expect(claims.roles).toEqual(['access']);
  });

  test('Entra workload identity federation: AZURE_CLIENT_ID, AZURE_TENANT_ID, AZURE_FEDERATED_TOKEN_FILE and AZURE_AUTHORITY_HOST alone log in', async ({
    sandbox,
  }) => {
    const tokenFile = join(dir, 'azure-identity-token');
    await writeFile(tokenFile, await entra.federatedToken());
    const env = {
      AZURE_CLIENT_ID: entra.clients.federated,
      AZURE_TENANT_ID: entra.tenantId,
      AZURE_FEDERATED_TOKEN_FILE: tokenFile,
      AZURE_AUTHORITY_HOST: entra.authorityHost,
    };
    await sandbox.writeConfig(configToml({ dev: { provider: 'entra', flow: 'client-credentials' } }, 'dev'));

    const result = await sandbox.run(['login'], { env });

    expect(result.code, result.stderr).toBe(0);
    expect(await credential(sandbox)).toMatchObject({
      client_id: entra.clients.federated,
      subject: `${entra.tenantId}/${entra.servicePrincipals[entra.clients.federated]}`,
    });
    expect((await verified(await printToken(sandbox, env), entra.clients.federated)).azp).toBe(entra.clients.federated);
  });

  test('Entra device code flow: a declined device login (authorization_declined): exit 4, one clean message with a hint, no stack', async ({ sandbox }) => {
    await sandbox.writeConfig(
      configToml({ dev: { provider: 'entra', tenant: entra.tenantId, authority_host: entra.authorityHost, client_id: entra.clients.public } }, 'dev'),
    );
    const run = sandbox.start(['login', '--flow', 'device', '--json'], { killAfterMs: 60_000 });
    entra.devices.deny(String(parseEvent(await run.nextLine()).user_code));

    const result = await run.done;

    expect(result.code, result.stderr).toBe(4);
    expect(result.stderr).toMatch(/denied/);
    expect(result.stderr).toMatch(/^hint: .*authctl login/m);
    expect(result.stderr).not.toMatch(STACK_FRAME);
  });

  test('an unknown certificate: exit 4 with the AADSTS code in one clean message, no stack', async ({ sandbox }) => {
    const stranger = await createTestCertificate(dir, 'stranger');
    await sandbox.writeConfig(certificateProfile(stranger));

    const result = await sandbox.run(['login', '--serviceaccount']);

    expect(result.code, result.stderr).toBe(4);
    expect(result.stderr).toContain('AADSTS700027');
    expect(result.stderr).not.toMatch(STACK_FRAME);
  });
});
