import { fileURLToPath } from 'node:url';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AuthError,
  createMemoryStore,
  getToken,
  loadProvider,
  providerCatalog,
  login,
  resolveProfile,
  type AuthctlConfig,
  type SessionContext,
} from '@auth/core';
import { createTestCertificate, devicePerson, startEntraDouble, type EntraDouble, type TestCertificate } from '@auth/testkit';
import { createRemoteJWKSet, decodeJwt, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import entraDefault, { entra, verifyEntraToken } from '../src/index.js';

/** This package's folder: loadProvider finds it there as AUTHCTL_PLUGIN_PATH names it, as authctl would. */
const PACKAGE = fileURLToPath(new URL('..', import.meta.url));

let dir: string;
let certificate: TestCertificate;
let idp: EntraDouble;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'entra-test-'));
  certificate = await createTestCertificate(dir);
  idp = await startEntraDouble({ certificate: certificate.certificate });
});
afterAll(async () => {
  await idp.close();
  await rm(dir, { recursive: true, force: true });
});

const FILE = '/home/someone/.config/authctl/config.toml';

function config(profile: Record<string, unknown>): AuthctlConfig {
  return {
    home: '/home/someone/.config/authctl',
    file: FILE,
    exists: true,
    store: { backend: 'file', path: '/home/someone/.config/authctl/state' },
    profiles: { dev: { provider: 'entra', authority_host: idp.authorityHost, ...profile } },
  };
}

/** A person who approves every device code as soon as it is shown. */
function approvingPerson() {
  return devicePerson((userCode) => idp.approveDevice(userCode));
}

function session(profile: Record<string, unknown>, interaction = approvingPerson().interaction, env: Record<string, string> = {}): SessionContext {
  return { profile: resolveProfile(config(profile), 'dev', entra, {}, env), provider: entra, store: createMemoryStore(), interaction, env };
}

/** The token, verified against the double's JWKS as a resource server would. */
async function verified(token: string, audience: string) {
  const jwks = createRemoteJWKSet(new URL(`${idp.authorityHost}${idp.tenantId}/discovery/v2.0/keys`));
  return (await jwtVerify(token, jwks, { issuer: `${idp.authorityHost}${idp.tenantId}/v2.0`, audience })).payload;
}

// Microsoft identity platform: endpoints https://learn.microsoft.com/en-us/entra/identity-platform/v2-protocols-oidc, device code https://learn.microsoft.com/en-us/entra/identity-platform/v2-oauth2-device-code,
// scopes https://learn.microsoft.com/en-us/entra/identity-platform/scopes-oidc, claims https://learn.microsoft.com/en-us/entra/identity-platform/id-token-claims-reference, multi-tenant issuers https://learn.microsoft.com/en-us/entra/identity-platform/howto-convert-app-to-be-multi-tenant,
// certificate credentials https://learn.microsoft.com/en-us/entra/identity-platform/certificate-credentials, workload identity https://azure.github.io/azure-workload-identity/docs/topics/mutating-admission-webhook.html.
describe('@auth/provider-entra', () => {
  it('is what loadProvider finds for provider = "entra"', async () => {
    const loaded = await loadProvider('entra', providerCatalog({ cwd: PACKAGE, env: { AUTHCTL_PLUGIN_PATH: PACKAGE } }, String));

    expect(loaded.id).toBe('entra');
    expect(entraDefault).toBe(entra);
  });

  it('Entra device code flow: device login on the v2.0 devicecode endpoint, without verification_uri_complete; scopes {client_id}/.default offline_access', async () => {
    const person = approvingPerson();
    const ctx = session({ tenant: idp.tenantId, client_id: idp.clients.public }, person.interaction);

    const credential = await login(ctx);

    const [deviceCode] = person.events;
    expect(deviceCode).toMatchObject({ event: 'device_code', verification_uri: 'https://microsoft.com/devicelogin' });
    expect(deviceCode).not.toHaveProperty('verification_uri_complete');
    expect(credential).toMatchObject({ flow: 'device', server: { token_endpoint: `${idp.authorityHost}${idp.tenantId}/oauth2/v2.0/token` } });
    expect(idp.tokenRequests[idp.tokenRequests.length - 1]).toMatchObject({ grant_type: 'urn:ietf:params:oauth:grant-type:device_code' });
    expect(credential.tokens.scope).toBe(`${idp.clients.public}/.default offline_access`);
    expect(credential.tokens.refresh_token).toBeDefined();
    expect((await verified(credential.tokens.access_token, idp.clients.public)).oid).toBe(idp.user.oid);
  });

  it('Entra device code flow: a declined device login (authorization_declined) ends as ACCESS_DENIED', async () => {
    const ctx = session(
      { tenant: idp.tenantId, client_id: idp.clients.public },
      devicePerson((userCode) => idp.devices.deny(userCode)).interaction,
    );

    const error = await login(ctx).catch((e: unknown) => e);

    expect(AuthError.is(error) && error.code).toBe('ACCESS_DENIED');
    expect((error as AuthError).details.oauthError).toBe('authorization_declined');
  });

  it('Entra claims: the stored subject is tid/oid, not the pairwise sub', async () => {
    const credential = await login(session({ tenant: idp.tenantId, client_id: idp.clients.public }));

    expect(credential.subject).toBe(`${idp.tenantId}/${idp.user.oid}`);
    expect(decodeJwt(credential.tokens.access_token).sub).not.toBe(credential.subject);
  });

  it('Entra scopes: a refresh sends the scopes again (v2.0 requires them) and stores the new tokens', async () => {
    const ctx = session({ tenant: idp.tenantId, client_id: idp.clients.public });
    const credential = await login(ctx);

    const refreshed = await getToken({ ...ctx, now: () => Math.floor(Date.now() / 1000) + 7200 });

    expect(refreshed.access_token).not.toBe(credential.tokens.access_token);
    expect(idp.tokenRequests[idp.tokenRequests.length - 1]).toMatchObject({
      grant_type: 'refresh_token',
      scope: `${idp.clients.public}/.default offline_access`,
    });
  });

  it('Entra endpoints: a domain tenant logs in with the same endpoints under the domain', async () => {
    const credential = await login(session({ tenant: idp.domain, client_id: idp.clients.public }));

    expect(credential.server.token_endpoint).toBe(`${idp.authorityHost}${idp.domain}/oauth2/v2.0/token`);
    expect(credential.subject).toBe(`${idp.tenantId}/${idp.user.oid}`);
  });

  it('Entra certificate credentials: client credentials with a certificate assertion, PS256 with x5t#S256, scope {client_id}/.default alone', async () => {
    const ctx = session({
      tenant: idp.tenantId,
      client_id: idp.clients.confidential,
      certificate_file: certificate.certificateFile,
      private_key_file: certificate.privateKeyFile,
    });

    const credential = await login(ctx, { flow: 'client-credentials' });

    expect(idp.assertionHeaders.at(-1)).toMatchObject({ alg: 'PS256', typ: 'JWT', 'x5t#S256': expect.any(String) });
    expect(idp.tokenRequests.at(-1)).toMatchObject({ grant_type: 'client_credentials', scope: `${idp.clients.confidential}/.default` });
    expect((await verified(credential.tokens.access_token, idp.clients.confidential)).roles).toEqual(['access']);
  });

  it('Entra certificate credentials: RS256 with x5t is accepted too (assertion_algorithm = "RS256")', async () => {
    const ctx = session({
      tenant: idp.tenantId,
      client_id: idp.clients.confidential,
      certificate_file: certificate.certificateFile,
      private_key_file: certificate.privateKeyFile,
      assertion_algorithm: 'RS256',
    });

    await login(ctx, { flow: 'client-credentials' });

    const header = idp.assertionHeaders.at(-1)!;
    expect(header).toMatchObject({ alg: 'RS256', x5t: expect.any(String) });
    expect(header).not.toHaveProperty('x5t#S256');
  });

  it('Entra certificate credentials: a certificate the app does not know is refused as invalid_client, naming AADSTS700027', async () => {
    const stranger = await createTestCertificate(dir, 'stranger');
    const ctx = session({
      tenant: idp.tenantId,
      client_id: idp.clients.confidential,
      certificate_file: stranger.certificateFile,
      private_key_file: stranger.privateKeyFile,
    });

    const error = await login(ctx, { flow: 'client-credentials' }).catch((e: unknown) => e);

    expect(AuthError.is(error) && error.code).toBe('INVALID_CLIENT');
    expect((error as Error).message).toContain('AADSTS700027');
  });

  it('Entra workload identity federation reads AZURE_FEDERATED_TOKEN_FILE at each login (the kubelet rotates it), from the environment core hands over', async () => {
    const tokenFile = join(dir, 'azure-identity-token');
    const env = { AZURE_FEDERATED_TOKEN_FILE: tokenFile, AZURE_CLIENT_ID: idp.clients.federated, AZURE_TENANT_ID: idp.tenantId };
    const ctx = session({}, approvingPerson().interaction, env);

    await writeFile(tokenFile, await idp.federatedToken({ sub: 'system:serviceaccount:other:intruder' }));
    const refused = await login(ctx, { flow: 'client-credentials' }).catch((e: unknown) => e);
    await writeFile(tokenFile, await idp.federatedToken());
    const credential = await login(ctx, { flow: 'client-credentials' });

    expect(AuthError.is(refused) && refused.code).toBe('INVALID_CLIENT');
    expect((refused as Error).message).toContain('AADSTS70021');
    expect(credential.client_id).toBe(idp.clients.federated);
    expect(credential.subject).toBe(`${idp.tenantId}/${idp.servicePrincipals[idp.clients.federated]}`);
  });

  it('Entra multi-tenant issuers: verifyEntraToken checks a multi-tenant token through JWKS against the {tenantid} issuer template', async () => {
    const credential = await login(session({ tenant: idp.tenantId, client_id: idp.clients.public }));
    const settings = { tenant: 'organizations', authority_host: idp.authorityHost };

    const principal = await verifyEntraToken(credential.tokens.access_token, { settings, audience: idp.clients.public });
    const wrongAudience = await verifyEntraToken(credential.tokens.access_token, { settings, audience: 'someone-else' }).catch((e: unknown) => e);
    const forged = `${credential.tokens.access_token.slice(0, -4)}AAAA`;
    const badSignature = await verifyEntraToken(forged, { settings, audience: idp.clients.public }).catch((e: unknown) => e);

    expect(principal).toMatchObject({ subject: `${idp.tenantId}/${idp.user.oid}`, tenantId: idp.tenantId, objectId: idp.user.oid });
    expect(AuthError.is(wrongAudience) && wrongAudience.code).toBe('INVALID_CREDENTIALS');
    expect(AuthError.is(badSignature) && badSignature.code).toBe('INVALID_CREDENTIALS');
  });

  it('requires a tenant, naming the profile key', () => {
    expect(() => resolveProfile(config({ client_id: 'x' }), 'dev', entra)).toThrow(
      expect.objectContaining({ code: 'CONFIG_INVALID', details: expect.objectContaining({ key: 'profiles.dev.tenant', file: FILE }) }),
    );
  });

  it('requires private_key_file with certificate_file, naming the missing key', () => {
    expect(() => resolveProfile(config({ tenant: 'common', certificate_file: '/x.crt' }), 'dev', entra)).toThrow(
      expect.objectContaining({ code: 'CONFIG_INVALID', details: expect.objectContaining({ key: 'profiles.dev.private_key_file' }) }),
    );
  });
});
