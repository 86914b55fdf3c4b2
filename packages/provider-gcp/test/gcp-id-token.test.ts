import { fileURLToPath } from 'node:url';
import { loadProvider, providerCatalog, type Principal, type VerifyRequest } from '@auth/core';
import {
  startBlackhole,
  startGceMetadataDouble,
  startGoogleApisDouble,
  startSocketDestroyer,
  type GceMetadataDouble,
  type GoogleApisDouble,
  type GoogleServiceAccount,
} from '@auth/testkit';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import gcpDefault, { createGcp, gcp } from '../src/index.js';
import { deniedWith, io, proofRequest, seconds, verifyRequest } from './fixtures.js';

/** This package's folder: loadProvider finds it there as AUTHCTL_PLUGIN_PATH names it, as authctl would. */
const PACKAGE = fileURLToPath(new URL('..', import.meta.url));

let google: GoogleApisDouble;
let account: GoogleServiceAccount;
let metadata: GceMetadataDouble;
beforeAll(async () => {
  google = await startGoogleApisDouble();
  account = await google.createServiceAccount('vm-runner', { projectId: 'prod-project' });
  metadata = await startGceMetadataDouble({ google, serviceAccount: account, zone: 'europe-west1-b' });
});
afterAll(async () => {
  await metadata.close();
  await google.close();
});

const IDENTITY = 'b6f2a1c4-7d1e-4c55-9a0e-3f0c2d8e9a11';

const gceBinding = (extra: Record<string, unknown> = {}) => ({ type: 'gce', allowed_service_accounts: [account.email], jwks_url: google.certsUrl, ...extra });

/** The login body gcp-id-token makes on the "VM" (the metadata double), for `identityId`. */
async function vmProof(identityId = IDENTITY) {
  const proof = await gcp.proof!.prove(proofRequest('gcp-id-token', { identityId, env: { GCE_METADATA_HOST: metadata.host } }));
  return proof.body;
}

function verify(body: Record<string, unknown>, binding: Record<string, unknown> = gceBinding(), overrides: Partial<VerifyRequest> = {}): Promise<Principal> {
  return gcp.verify!.verify(verifyRequest(body, binding, { identityId: IDENTITY, ...overrides }));
}

/** The claims a metadata server puts in a full-format token, to forge or vary. */
function vmClaims(extra: Record<string, unknown> = {}) {
  return {
    iss: 'https://accounts.google.com',
    aud: IDENTITY,
    azp: account.uniqueId,
    sub: account.uniqueId,
    email: account.email,
    email_verified: true,
    iat: seconds(),
    exp: seconds() + 3600,
    google: { compute_engine: { project_id: 'prod-project', zone: 'europe-west1-b', instance_id: '1', instance_name: 'vm' } },
    ...extra,
  };
}


describe('@auth/provider-gcp: gcp-id-token proof and gce verification', () => {
  it('is what loadProvider finds for provider = "gcp", with both kms methods on one gcp-auth login', async () => {
    const loaded = await loadProvider('gcp', providerCatalog({ cwd: PACKAGE, env: { AUTHCTL_PLUGIN_PATH: PACKAGE } }, String));

    expect(loaded.id).toBe('gcp');
    expect(gcpDefault).toBe(gcp);
    expect(gcp.proof?.methods).toEqual(['gcp-id-token', 'gcp-iam']);
    expect(gcp.verify?.loginMethods).toEqual(['gcp-auth']);
  });

  it('asks the metadata server named by GCE_METADATA_HOST for a full-format token made out to the identity, and gce verification accepts it', async () => {
    const before = metadata.requests.length;
    const proof = await gcp.proof!.prove(proofRequest('gcp-id-token', { env: { GCE_METADATA_HOST: metadata.host } }));

    expect(proof.loginMethod).toBe('gcp-auth');
    expect(proof.body.identityId).toBe(IDENTITY);
    expect(metadata.requests.slice(before)).toEqual([
      { path: '/computeMetadata/v1/instance/service-accounts/default/identity', audience: IDENTITY, format: 'full', flavor: true },
    ]);
    const principal = await verify(proof.body, gceBinding({ allowed_projects: ['prod-project'], allowed_zones: ['europe-west1-b'] }));
    expect(principal).toEqual({
      subject: account.email,
      issuer: 'https://accounts.google.com',
      provider: 'gcp',
      claims: {
        type: 'gce',
        email: account.email,
        unique_id: account.uniqueId,
        project_id: 'prod-project',
        project_number: account.projectNumber,
        zone: 'europe-west1-b',
        instance_id: metadata.instanceId,
        instance_name: metadata.instanceName,
      },
      permissions: [],
    });
  });

  it("takes the metadata host from the profile's metadata_host when GCE_METADATA_HOST is not set", async () => {
    const proof = await gcp.proof!.prove(proofRequest('gcp-id-token', { settings: { metadata_host: metadata.host } }));

    expect((await verify(proof.body)).subject).toBe(account.email);
  });

  it('the metadata double refuses a request without Metadata-Flavor: Google with 403, as Compute Engine does', async () => {
    const url = `${metadata.url}/computeMetadata/v1/instance/service-accounts/default/identity?audience=x`;

    expect((await fetch(url)).status).toBe(403);
    expect((await fetch(url, { headers: { 'Metadata-Flavor': 'Google', 'X-Forwarded-For': '10.0.0.1' } })).status).toBe(403);
    expect((await fetch(url, { headers: { 'Metadata-Flavor': 'Google' } })).status).toBe(200);
  });

  it('needs --machine-identity-id (USAGE): the token is made out to it', async () => {
    const proving = gcp.proof!.prove(proofRequest('gcp-id-token', { identityId: undefined, env: { GCE_METADATA_HOST: metadata.host } }));

    await expect(proving).rejects.toMatchObject({ code: 'USAGE', message: expect.stringContaining('--machine-identity-id') });
  });

  it('refuses a server on the metadata host whose answer lacks Metadata-Flavor: Google (PROTOCOL)', async () => {
    const proving = gcp.proof!.prove(proofRequest('gcp-id-token', { env: { GCE_METADATA_HOST: new URL(google.url).host } }));

    await expect(proving).rejects.toMatchObject({ code: 'PROTOCOL', message: expect.stringContaining('Metadata-Flavor: Google') });
  });

  it('fails with TIMEOUT within the time limit when nothing answers on the metadata host, and says where gcp-id-token works', async () => {
    const blackhole = await startBlackhole();
    try {
      const proving = gcp.proof!.prove(
        proofRequest('gcp-id-token', { env: { GCE_METADATA_HOST: new URL(blackhole.url).host }, io: { ...io(300), allowInsecureHttp: true, env: {} } }),
      );

      await expect(proving).rejects.toMatchObject({ code: 'TIMEOUT', hint: expect.stringContaining('gcp-iam') });
    } finally {
      await blackhole.close();
    }
  });

  it('CVE-2020-16251: a token a service account signed with its own key, VM claims and all, is refused for gce', async () => {
    const forged = await account.signWithOwnKey(vmClaims());

    await deniedWith(verify({ identityId: IDENTITY, jwt: forged }), /not one of Google's signing keys/);
  });

  it("CVE-2020-16251: a self-signed token that borrows the kid of Google's key fails on its signature", async () => {
    const { keys } = (await (await fetch(google.certsUrl)).json()) as { keys: Array<{ kid: string }> };
    const forged = await account.signWithOwnKey(vmClaims(), { kid: keys[0]!.kid });

    await deniedWith(verify({ identityId: IDENTITY, jwt: forged }), /signature does not verify/);
  });

  it('refuses a token made out to another identity (wrong audience)', async () => {
    const body = await vmProof('another-identity');

    await deniedWith(verify({ ...body, identityId: IDENTITY }), /audience "another-identity" is not the identity/);
  });

  it('CVE-2024-5798: an audience list with anything besides the identity is refused', async () => {
    const jwt = await google.issueIdToken(vmClaims({ aud: [IDENTITY, 'https://elsewhere.example'] }));

    await deniedWith(verify({ identityId: IDENTITY, jwt }), /audience/);
  });

  it('refuses an expired token (the verifier clock an hour and two minutes on)', async () => {
    const body = await vmProof();

    await deniedWith(verify(body, gceBinding(), { now: () => seconds() + 3720 }), /expired/);
  });

  it('refuses a Google-signed token that lives longer than a Google ID token does (one hour)', async () => {
    const jwt = await google.issueIdToken(vmClaims(), 3 * 3600);

    await deniedWith(verify({ identityId: IDENTITY, jwt }), /expires \d+ s from now/);
  });

  it('refuses a Google-signed token from another issuer', async () => {
    const jwt = await google.issueIdToken(vmClaims({ iss: 'https://securetoken.google.com/prod-project' }));

    await deniedWith(verify({ identityId: IDENTITY, jwt }), /"iss"/);
  });

  it('refuses a token whose email is not verified, or that has none', async () => {
    const unverified = await google.issueIdToken(vmClaims({ email_verified: false }));
    const { email: _email, ...withoutEmail } = vmClaims();
    const anonymous = await google.issueIdToken(withoutEmail);

    await deniedWith(verify({ identityId: IDENTITY, jwt: unverified }), /not verified/);
    await deniedWith(verify({ identityId: IDENTITY, jwt: anonymous }, { type: 'gce', allowed_projects: ['prod-project'], jwks_url: google.certsUrl }), /no "email" claim/);
  });

  it('refuses a service account, project or zone the binding does not allow', async () => {
    const body = await vmProof();

    await deniedWith(verify(body, gceBinding({ allowed_service_accounts: ['other@prod-project.iam.gserviceaccount.com'] })), /not in allowed_service_accounts/);
    await deniedWith(verify(body, gceBinding({ allowed_projects: ['staging-project'] })), /"prod-project" is not in allowed_projects/);
    await deniedWith(verify(body, gceBinding({ allowed_zones: ['us-east1-b'] })), /"europe-west1-b" is not in allowed_zones/);
  });

  it('refuses a standard-format token (no google.compute_engine) when the binding names projects or zones', async () => {
    const { google: _vm, ...standard } = vmClaims();
    const jwt = await google.issueIdToken(standard);

    await deniedWith(verify({ identityId: IDENTITY, jwt }, gceBinding({ allowed_zones: ['europe-west1-b'] })), /format=full/);
  });

  it('accepts only RS256: an HS256 token is refused before any key is fetched', async () => {
    const requests = google.requests.length;
    const jwt = await new SignJWT(vmClaims()).setProtectedHeader({ alg: 'HS256', kid: 'x' }).sign(new TextEncoder().encode('a-shared-secret-of-32-bytes-long!'));

    await deniedWith(createGcp().verify!.verify(verifyRequest({ identityId: IDENTITY, jwt }, gceBinding())), /only RS256/);
    expect(google.requests.length).toBe(requests);
  });

  it("follows a rotation of Google's keys: an unknown kid refetches the JWKS, at most once per 30 s cooldown", async () => {
    const provider = createGcp();
    const start = seconds();
    const at = (offset: number) => ({ now: () => start + offset });
    const certsFetches = () => google.requests.filter((request) => request.path === '/oauth2/v3/certs').length;
    const first = certsFetches();
    await provider.verify!.verify(verifyRequest(await vmProof(), gceBinding(), at(0)));
    await provider.verify!.verify(verifyRequest(await vmProof(), gceBinding(), at(1)));
    expect(certsFetches()).toBe(first + 1);

    await google.rotateGoogleKey();
    const afterRotation = await provider.verify!.verify(verifyRequest(await vmProof(), gceBinding(), at(31)));
    expect(afterRotation.subject).toBe(account.email);
    expect(certsFetches()).toBe(first + 2);

    const unknownKid = await account.signWithOwnKey(vmClaims());
    await deniedWith(provider.verify!.verify(verifyRequest({ identityId: IDENTITY, jwt: unknownKid }, gceBinding(), at(40))), /not one of Google's signing keys/);
    expect(certsFetches()).toBe(first + 2);
  });

  it("fails with NETWORK (503 at the login API) when Google's keys cannot be fetched", async () => {
    const destroyer = await startSocketDestroyer();
    try {
      const verifying = createGcp().verify!.verify(verifyRequest(await vmProof(), gceBinding({ jwks_url: `${destroyer.url}/oauth2/v3/certs` })));

      await expect(verifying).rejects.toMatchObject({ code: 'NETWORK' });
    } finally {
      await destroyer.close();
    }
  });

  it('a malformed login body is a USAGE error (400 at the login API)', async () => {
    await expect(verify({ identityId: IDENTITY })).rejects.toMatchObject({ code: 'USAGE' });
    await expect(verify({ identityId: IDENTITY, jwt: 42 })).rejects.toMatchObject({ code: 'USAGE' });
    await expect(verify({ identityId: IDENTITY, jwt: 'not-a-jwt' })).rejects.toMatchObject({ code: 'USAGE' });
    await expect(verify({ identityId: IDENTITY, jwt: `${'a'.repeat(20_000)}.b.c` })).rejects.toMatchObject({ code: 'USAGE' });
  });
});
