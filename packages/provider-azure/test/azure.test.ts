import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuthError, boundedFetch, type AuthErrorCode, type ProofRequest, type ProviderIO } from '@auth/core';
import {
  createTestCertificate,
  startAzureImdsDouble,
  startBlackhole,
  startEntraDouble,
  type AzureImdsDouble,
  type EntraDouble,
} from '@auth/testkit';
import { generateKeyPair, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import azureDefault, { azure, azureBinding, type AzureBinding, type AzureSettings } from '../src/index.js';

const ARM = 'https://management.azure.com/';
let dir: string;
let imds: AzureImdsDouble;
let entra: EntraDouble;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'azure-test-'));
  imds = await startAzureImdsDouble();
  entra = await startEntraDouble({ certificate: (await createTestCertificate(dir)).certificate });
});
afterAll(async () => {
  await Promise.all([imds.close(), entra.close()]);
  await rm(dir, { recursive: true, force: true });
});

function io(timeoutMs = 5_000): ProviderIO {
  return { fetch: boundedFetch(globalThis.fetch, { timeoutMs }), signal: new AbortController().signal, timeoutMs, allowInsecureHttp: true, env: {} };
}

function prove(settings: AzureSettings = {}, env: Record<string, string> = {}, identityId: string | null = 'identity-1') {
  const request: ProofRequest<AzureSettings> = {
    profile: 'vm',
    file: '/home/someone/.config/authctl/config.toml',
    method: 'azure',
    settings: { imds_endpoint: imds.url, ...settings },
    ...(identityId === null ? {} : { identityId }),
    options: {},
    env,
    io: io(),
  };
  return azure.proof!.prove(request);
}

function binding(overrides: Partial<Record<keyof AzureBinding, unknown>> = {}): AzureBinding {
  return azureBinding.parse({
    tenant_id: imds.tenantId,
    resource: ARM,
    allowed_service_principal_ids: [imds.systemAssigned.objectId],
    jwks_url: imds.jwksUrl,
    ...overrides,
  });
}

const realNow = () => Math.floor(Date.now() / 1000);

function verify(body: Record<string, unknown>, bound: AzureBinding = binding(), now = realNow, requestIo: ProviderIO = io()) {
  return azure.verify!.verify({ loginMethod: 'azure-auth', body, identityId: 'identity-1', binding: bound, io: requestIo, now });
}

async function failure(promise: Promise<unknown>): Promise<AuthError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!AuthError.is(error)) throw new Error(`expected an AuthError, got ${String(error)}`);
  return error;
}

async function refusedWith(code: AuthErrorCode, promise: Promise<unknown>): Promise<AuthError> {
  const error = await failure(promise);
  expect(error.code, error.message).toBe(code);
  return error;
}

describe('proof: managed identity tokens', () => {
  it('the package exports the provider as default, with id azure, method azure and login method azure-auth', () => {
    expect(azureDefault).toBe(azure);
    expect(azure.id).toBe('azure');
    expect(azure.proof?.methods).toEqual(['azure']);
    expect(azure.verify?.loginMethods).toEqual(['azure-auth']);
  });

  it('IMDS: a VM system-assigned identity proves itself with Metadata: true, and the token verifies through the tenant JWKS', async () => {
    const proof = await prove();
    expect(proof.loginMethod).toBe('azure-auth');
    expect(Object.keys(proof.body).sort()).toEqual(['identityId', 'jwt']);
    expect(proof.body.identityId).toBe('identity-1');
    const asked = imds.requests.at(-1)!;
    expect(asked).toMatchObject({ metadata: 'true', query: { 'api-version': '2018-02-01', resource: ARM } });
    expect(asked.query.client_id).toBeUndefined();

    const principal = await verify(proof.body);
    expect(principal).toMatchObject({
      subject: imds.systemAssigned.objectId,
      issuer: `https://sts.windows.net/${imds.tenantId}/`,
      provider: 'azure',
      claims: { tid: imds.tenantId, oid: imds.systemAssigned.objectId, xms_mirid: imds.vmResourceId },
    });
  });

  it('IMDS: a user-assigned identity is asked for by its client_id (managed_identity_client_id, else AZURE_CLIENT_ID)', async () => {
    const fromProfile = await prove({ managed_identity_client_id: imds.userAssigned.clientId });
    expect(imds.requests.at(-1)!.query.client_id).toBe(imds.userAssigned.clientId);
    const fromEnv = await prove({}, { AZURE_CLIENT_ID: imds.userAssigned.clientId });
    expect(imds.requests.at(-1)!.query.client_id).toBe(imds.userAssigned.clientId);
    for (const proof of [fromProfile, fromEnv]) {
      const principal = await verify(proof.body, binding({ allowed_service_principal_ids: [imds.userAssigned.objectId] }));
      expect(principal.subject).toBe(imds.userAssigned.objectId);
    }
  });

  it('IMDS: the resource setting names the token audience', async () => {
    const proof = await prove({ resource: 'https://vault.azure.net' });
    expect(imds.requests.at(-1)!.query.resource).toBe('https://vault.azure.net');
    await expect(verify(proof.body, binding({ resource: 'https://vault.azure.net' }))).resolves.toMatchObject({ subject: imds.systemAssigned.objectId });
  });

  it('IMDS answers 400 bad_request_102 to a request without Metadata: true (the documented SSRF guard)', async () => {
    const response = await fetch(`${imds.url}/metadata/identity/oauth2/token?api-version=2018-02-01&resource=${encodeURIComponent(ARM)}`);
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: 'bad_request_102' });
  });

  it('IMDS: an identity not assigned to the machine is CONFIG_INVALID naming the profile key, without the token', async () => {
    const error = await refusedWith('CONFIG_INVALID', prove({ managed_identity_client_id: '00000000-0000-0000-0000-000000000000' }));
    expect(error.message).toContain('Identity not found');
    expect(error.details.key).toBe('profiles.vm.resource');
    expect(error.hint).toContain('managed_identity_client_id');
  });

  it('IMDS that never answers is TIMEOUT (exit 5), not a hang', async () => {
    const hole = await startBlackhole();
    try {
      const request: ProofRequest<AzureSettings> = {
        profile: 'vm', file: 'config.toml', method: 'azure', settings: { imds_endpoint: hole.url }, identityId: 'identity-1', options: {}, env: {}, io: io(300),
      };
      const error = await refusedWith('TIMEOUT', azure.proof!.prove(request));
      expect(error.message).toContain('Instance Metadata Service');
    } finally {
      await hole.close();
    }
  });

  it('App Service: IDENTITY_ENDPOINT with X-IDENTITY-HEADER, api-version 2019-08-01', async () => {
    const proof = await prove({}, { IDENTITY_ENDPOINT: imds.appService.endpoint, IDENTITY_HEADER: imds.appService.header });
    expect(imds.requests.at(-1)).toMatchObject({ path: '/msi/token', identityHeader: imds.appService.header, query: { 'api-version': '2019-08-01', resource: ARM } });
    await expect(verify(proof.body)).resolves.toMatchObject({ subject: imds.systemAssigned.objectId });
  });

  it('App Service: a wrong IDENTITY_HEADER is refused as CONFIG_INVALID', async () => {
    await refusedWith('CONFIG_INVALID', prove({}, { IDENTITY_ENDPOINT: imds.appService.endpoint, IDENTITY_HEADER: 'wrong' }));
  });

  it('workload identity: the federated token file is exchanged at AZURE_AUTHORITY_HOST, and its v2 token verifies (aud without the trailing slash)', async () => {
    const file = join(dir, 'azure-identity-token');
    await writeFile(file, `${await entra.federatedToken()}\n`);
    const env = { AZURE_FEDERATED_TOKEN_FILE: file, AZURE_CLIENT_ID: entra.clients.federated, AZURE_TENANT_ID: entra.tenantId, AZURE_AUTHORITY_HOST: entra.authorityHost };
    const proof = await prove({}, env);
    const exchange = entra.tokenRequests.at(-1)!;
    expect(exchange).toMatchObject({ grant_type: 'client_credentials', client_id: entra.clients.federated, client_assertion: '<client_assertion>', scope: 'https://management.azure.com/.default' });

    const principal = await verify(
      proof.body,
      binding({
        tenant_id: entra.tenantId,
        allowed_service_principal_ids: [entra.servicePrincipals[entra.clients.federated]],
        jwks_url: `${entra.authorityHost}${entra.tenantId}/discovery/v2.0/keys`,
        issuer: `${entra.authorityHost}${entra.tenantId}/v2.0`,
      }),
    );
    expect(principal.subject).toBe(entra.servicePrincipals[entra.clients.federated]);
    expect(principal.claims.aud).toBe('https://management.azure.com');
  });

  it('workload identity: a token Entra does not trust is ACCESS_DENIED; a missing token file is CONFIG_INVALID naming it', async () => {
    const file = join(dir, 'foreign-token');
    await writeFile(file, await entra.federatedToken({ sub: 'system:serviceaccount:other:intruder' }));
    const env = { AZURE_FEDERATED_TOKEN_FILE: file, AZURE_CLIENT_ID: entra.clients.federated, AZURE_TENANT_ID: entra.tenantId, AZURE_AUTHORITY_HOST: entra.authorityHost };
    await refusedWith('ACCESS_DENIED', prove({}, env));
    const missing = join(dir, 'no-such-token');
    const error = await refusedWith('CONFIG_INVALID', prove({}, { ...env, AZURE_FEDERATED_TOKEN_FILE: missing }));
    expect(error.message).toContain(missing);
    expect(error.message).toContain('AZURE_FEDERATED_TOKEN_FILE');
  });

  it('without a machine identity id the proof is a USAGE error naming the flag and variable', async () => {
    const error = await refusedWith('USAGE', prove({}, {}, null));
    expect(error.hint).toContain('--machine-identity-id');
    expect(error.hint).toContain('INFISICAL_MACHINE_IDENTITY_ID');
  });
});

describe('verify: azure-auth', () => {
  it('a token for another resource is ACCESS_DENIED (wrong audience)', async () => {
    const jwt = await imds.mint(imds.systemAssigned, 'https://vault.azure.net');
    const error = await refusedWith('ACCESS_DENIED', verify({ jwt }));
    expect(error.message).toContain('aud');
  });

  it('the audience comparison tolerates a trailing slash on either side, and nothing else', async () => {
    const withoutSlash = await imds.mint(imds.systemAssigned, 'https://management.azure.com');
    await expect(verify({ jwt: withoutSlash })).resolves.toMatchObject({ subject: imds.systemAssigned.objectId });
    const withSlash = await imds.mint(imds.systemAssigned, ARM);
    await expect(verify({ jwt: withSlash }, binding({ resource: 'https://management.azure.com' }))).resolves.toMatchObject({ provider: 'azure' });
    const prefixed = await imds.mint(imds.systemAssigned, 'https://management.azure.com.evil.example/');
    await refusedWith('ACCESS_DENIED', verify({ jwt: prefixed }));
  });

  it('CVE-2024-5798: aud is read as a string or an array alike', async () => {
    const listed = await imds.mint(imds.systemAssigned, ARM, { aud: ['https://vault.azure.net', ARM] });
    await expect(verify({ jwt: listed })).resolves.toMatchObject({ subject: imds.systemAssigned.objectId });
    const elsewhere = await imds.mint(imds.systemAssigned, ARM, { aud: ['https://vault.azure.net'] });
    await refusedWith('ACCESS_DENIED', verify({ jwt: elsewhere }));
  });

  it('an expired token is ACCESS_DENIED, judged by the injected clock', async () => {
    const { jwt } = (await prove()).body as { jwt: string };
    const twoDaysLater = () => realNow() + 2 * 24 * 3600;
    const error = await refusedWith('ACCESS_DENIED', verify({ jwt }, binding(), twoDaysLater));
    expect(error.message).toContain('exp');
  });

  it('a token not yet valid (nbf ahead of the clock) is ACCESS_DENIED', async () => {
    const jwt = await imds.mint(imds.systemAssigned, ARM, { nbf: realNow() + 3600 });
    await refusedWith('ACCESS_DENIED', verify({ jwt }));
  });

  it('a service principal outside allowed_service_principal_ids is ACCESS_DENIED (wrong binding)', async () => {
    const jwt = await imds.mint(imds.userAssigned, ARM);
    const error = await refusedWith('ACCESS_DENIED', verify({ jwt }));
    expect(error.message).toContain(imds.userAssigned.objectId);
  });

  it('a tid other than the bound tenant is ACCESS_DENIED even with the tenant issuer', async () => {
    const jwt = await imds.mint(imds.systemAssigned, ARM, { tid: '11111111-1111-1111-1111-111111111111' });
    const error = await refusedWith('ACCESS_DENIED', verify({ jwt }));
    expect(error.message).toContain('tid');
  });

  it('a token of another tenant (its issuer) is ACCESS_DENIED', async () => {
    const other = '22222222-2222-2222-2222-222222222222';
    const jwt = await imds.mint(imds.systemAssigned, ARM, { tid: other, iss: `https://sts.windows.net/${other}/` });
    await refusedWith('ACCESS_DENIED', verify({ jwt }));
  });

  it('a token signed by a key not in the tenant JWKS is ACCESS_DENIED', async () => {
    const { privateKey } = await generateKeyPair('RS256');
    const jwt = await new SignJWT({ aud: ARM, iss: imds.issuer, tid: imds.tenantId, oid: imds.systemAssigned.objectId })
      .setProtectedHeader({ alg: 'RS256' })
      .setIssuedAt()
      .setExpirationTime('1h')
      .sign(privateKey);
    await refusedWith('ACCESS_DENIED', verify({ jwt }));
  });

  it('an HS256 token (a key-confusion attempt) is ACCESS_DENIED: RS256 only', async () => {
    const jwt = await new SignJWT({ aud: ARM, iss: imds.issuer, tid: imds.tenantId, oid: imds.systemAssigned.objectId })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuedAt()
      .setExpirationTime('1h')
      .sign(new TextEncoder().encode('a shared secret of thirty-two bytes!'));
    await refusedWith('ACCESS_DENIED', verify({ jwt }));
  });

  it('CVE-2025-3879: the resource comes from xms_mirid / xms_az_rid, never from request fields', async () => {
    const otherVm = imds.vmResourceId.replace('vm-test', 'vm-other');
    const jwt = await imds.mint(imds.systemAssigned, ARM);
    const forged = { jwt, resourceId: otherVm, resource_id: otherVm, vm_name: 'vm-other', vmss_name: 'vm-other', resource_group_name: 'rg-test', subscription_id: otherVm.split('/')[2] };
    const error = await refusedWith('ACCESS_DENIED', verify(forged, binding({ allowed_resource_ids: [otherVm] })));
    expect(error.message).toContain(imds.vmResourceId);
    await expect(verify({ jwt }, binding({ allowed_resource_ids: [imds.vmResourceId.toUpperCase()] }))).resolves.toMatchObject({ subject: imds.systemAssigned.objectId });
  });

  it('CVE-2025-3879: a user-assigned identity matches allowed_resource_ids by the VM it is attached to (xms_az_rid)', async () => {
    const jwt = await imds.mint(imds.userAssigned, ARM);
    const bound = binding({ allowed_service_principal_ids: [imds.userAssigned.objectId], allowed_resource_ids: [imds.vmResourceId] });
    await expect(verify({ jwt }, bound)).resolves.toMatchObject({ claims: { xms_az_rid: imds.vmResourceId } });
  });

  it('CVE-2025-3879: a token without xms_mirid or xms_az_rid fails a binding to resource ids', async () => {
    const jwt = await imds.mint(imds.systemAssigned, ARM, { xms_mirid: undefined });
    await refusedWith('ACCESS_DENIED', verify({ jwt }, binding({ allowed_resource_ids: [imds.vmResourceId] })));
  });

  it('CVE-2025-3879: a binding whose principal list is empty or "*" is rejected by the binding schema', () => {
    const schema = azure.verify!.bindingSchema('azure-auth');
    const base = { tenant_id: imds.tenantId, resource: ARM };
    expect(schema.safeParse({ ...base, allowed_service_principal_ids: [] }).success).toBe(false);
    expect(schema.safeParse({ ...base, allowed_service_principal_ids: ['*'] }).success).toBe(false);
    expect(schema.safeParse({ ...base }).success).toBe(false);
    expect(schema.safeParse({ ...base, allowed_service_principal_ids: [imds.systemAssigned.objectId], allowed_resource_ids: ['*'] }).success).toBe(false);
    expect(schema.safeParse({ ...base, allowed_service_principal_ids: [imds.systemAssigned.objectId], alowed_resource_ids: [] }).success).toBe(false);
    expect(schema.safeParse({ ...base, allowed_service_principal_ids: [imds.systemAssigned.objectId] }).success).toBe(true);
  });

  it('a malformed request is USAGE (400): no jwt, a jwt that is not a string, or not a JWT', async () => {
    for (const body of [{}, { jwt: 42 }, { jwt: '' }, { jwt: 'not-a-jwt' }, { jwt: 'a.b.c' }, { jwt: 'x'.repeat(20_000) }]) {
      await refusedWith('USAGE', verify(body));
    }
  });

  it('status codes: signing keys that cannot be fetched are NETWORK or TIMEOUT (503), never ACCESS_DENIED', async () => {
    const jwt = await imds.mint(imds.systemAssigned, ARM);
    await refusedWith('NETWORK', verify({ jwt }, binding({ jwks_url: `${imds.url}/no-such-tenant/discovery/keys` })));
    const hole = await startBlackhole();
    try {
      await refusedWith('TIMEOUT', verify({ jwt }, binding({ jwks_url: `${hole.url}/keys` }), realNow, io(300)));
    } finally {
      await hole.close();
    }
  });
});
