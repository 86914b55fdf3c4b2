import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Principal, VerifyRequest } from '@auth/core';
import { startGoogleApisDouble, startSocketDestroyer, type GoogleApisDouble, type GoogleServiceAccount } from '@auth/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGcp, gcp } from '../src/index.js';
import { deniedWith, failure, io, proofRequest, seconds, verifyRequest } from './fixtures.js';

const IDENTITY = 'b6f2a1c4-7d1e-4c55-9a0e-3f0c2d8e9a11';

let google: GoogleApisDouble;
let account: GoogleServiceAccount;
let other: GoogleServiceAccount;
let dir: string;
let keyPath: string;
beforeAll(async () => {
  google = await startGoogleApisDouble();
  [account, other] = await Promise.all([
    google.createServiceAccount('ci-deployer', { projectId: 'build-project' }),
    google.createServiceAccount('intruder', { projectId: 'other-project' }),
  ]);
  dir = await mkdtemp(join(tmpdir(), 'gcp-iam-'));
  keyPath = await keyFile('key.json', JSON.stringify(account.keyFile));
});
afterAll(async () => {
  await google.close();
  await rm(dir, { recursive: true, force: true });
});

async function keyFile(name: string, text: string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, text, { mode: 0o600 });
  await chmod(path, 0o600);
  return path;
}

const iamBinding = (extra: Record<string, unknown> = {}) => ({
  type: 'iam',
  allowed_service_accounts: [account.email],
  service_account_certs_url: google.serviceAccountCertsUrl,
  ...extra,
});

/** What `authctl login --method gcp-iam --service-account-key-file-path <path>` proves, with the API at the double. */
async function iamProof(identityId = IDENTITY, path = keyPath) {
  const request = proofRequest('gcp-iam', { identityId, options: { 'service-account-key-file-path': path }, settings: { iam_credentials_url: google.iamCredentialsUrl } });
  return (await gcp.proof!.prove(request)).body;
}

function verify(body: Record<string, unknown>, binding: Record<string, unknown> = iamBinding(), overrides: Partial<VerifyRequest> = {}): Promise<Principal> {
  return gcp.verify!.verify(verifyRequest(body, binding, { identityId: IDENTITY, ...overrides }));
}



describe('@auth/provider-gcp: gcp-iam proof and iam verification', () => {
  it('has Google sign {sub, aud: identity, exp} through signJwt, authorised by a JWT the key signs, and iam verification accepts it', async () => {
    const body = await iamProof();

    const signed = google.signedPayloads.at(-1)!;
    expect(signed.email).toBe(account.email);
    expect(signed.payload).toMatchObject({ sub: account.email, aud: IDENTITY });
    expect(signed.payload.exp as number).toBeLessThanOrEqual(seconds() + 10 * 60);
    expect(google.requests.at(-1)).toEqual({ method: 'POST', path: `/v1/projects/-/serviceAccounts/${encodeURIComponent(account.email)}:signJwt` });
    expect(body.identityId).toBe(IDENTITY);
    expect(await verify(body)).toEqual({
      subject: account.email,
      issuer: `${google.serviceAccountCertsUrl}${encodeURIComponent(account.email)}`,
      provider: 'gcp',
      claims: { type: 'iam', email: account.email, project_id: 'build-project' },
      permissions: [],
    });
  });

  it("takes the key file from the profile's service_account_key_file_path when the option is not given", async () => {
    const request = proofRequest('gcp-iam', { settings: { iam_credentials_url: google.iamCredentialsUrl, service_account_key_file_path: keyPath } });

    expect((await verify((await gcp.proof!.prove(request)).body)).subject).toBe(account.email);
  });

  it('needs a key file (USAGE), names a missing or broken one without quoting it (CONFIG_INVALID)', async () => {
    const prove = (path?: string) =>
      gcp.proof!.prove(proofRequest('gcp-iam', { options: path === undefined ? {} : { 'service-account-key-file-path': path }, settings: { iam_credentials_url: google.iamCredentialsUrl } }));
    const notJson = await keyFile('broken.json', `${account.keyFile.private_key}\n{`);
    const notServiceAccount = await keyFile('user.json', JSON.stringify({ ...account.keyFile, type: 'authorized_user' }));

    expect(await failure(prove())).toMatchObject({ code: 'USAGE', message: expect.stringContaining('--service-account-key-file-path') });
    expect(await failure(prove(join(dir, 'absent.json')))).toMatchObject({ code: 'CONFIG_INVALID', message: expect.stringContaining('no such file') });
    const broken = await failure(prove(notJson));
    expect(broken).toMatchObject({ code: 'CONFIG_INVALID', message: `Service account key file ${notJson}: not JSON` });
    expect(await failure(prove(notServiceAccount))).toMatchObject({ code: 'CONFIG_INVALID', message: expect.stringContaining('"service_account"') });
  });

  it('a key Google no longer knows is INVALID_CREDENTIALS (signJwt answers 401)', async () => {
    const stale = await keyFile('stale.json', JSON.stringify({ ...account.keyFile, private_key: other.keyFile.private_key }));

    const error = await failure(iamProof(IDENTITY, stale));

    expect(error).toMatchObject({ code: 'INVALID_CREDENTIALS', details: { status: 401 } });
  });

  it('a project without the IAM Credentials API is ACCESS_DENIED (403) with the fix in the hint', async () => {
    const disabled = await google.createServiceAccount('no-api', { projectId: 'bare-project', iamCredentialsApi: false });
    const path = await keyFile('no-api.json', JSON.stringify(disabled.keyFile));

    const error = await failure(iamProof(IDENTITY, path));

    expect(error).toMatchObject({ code: 'ACCESS_DENIED', details: { status: 403 } });
    expect(error.hint).toContain('IAM Service Account Credentials API');
  });

  it('refuses a JWT made out to another identity (wrong audience)', async () => {
    const body = await iamProof('another-identity');

    await deniedWith(verify({ ...body, identityId: IDENTITY }), /audience "another-identity" is not the identity/);
  });

  it('refuses an expired JWT (the verifier clock past exp and the skew)', async () => {
    const body = await iamProof();

    await deniedWith(verify(body, iamBinding(), { now: () => seconds() + 10 * 60 + 120 }), /expired/);
  });

  it("caps an iam JWT's lifetime at 15 minutes as Vault does: signJwt's default hour is refused, 14 minutes pass", async () => {
    const hour = await account.signJwt({ sub: account.email, aud: IDENTITY });
    const fourteenMinutes = await account.signJwt({ sub: account.email, aud: IDENTITY, exp: seconds() + 14 * 60 });

    await deniedWith(verify({ identityId: IDENTITY, jwt: hour.signedJwt }), /must expire within 15 minutes/);
    expect((await verify({ identityId: IDENTITY, jwt: fourteenMinutes.signedJwt })).subject).toBe(account.email);
  });

  it('refuses a service account or a project the binding does not allow, before fetching any key', async () => {
    const body = await iamProof();
    const requests = google.requests.length;

    await deniedWith(verify(body, iamBinding({ allowed_service_accounts: [other.email] })), /not in allowed_service_accounts/);
    await deniedWith(verify(body, iamBinding({ allowed_projects: ['other-project'] })), /"build-project" is not in allowed_projects/);
    expect(google.requests.length).toBe(requests);
  });

  it('refuses a sub that is not a service account email', async () => {
    const jwt = (await account.signJwt({ sub: 'someone@gmail.com', aud: IDENTITY, exp: seconds() + 300 })).signedJwt;

    await deniedWith(verify({ identityId: IDENTITY, jwt }), /not a service account email/);
  });

  it("refuses a JWT signed by another account's key that names an allowed account as its sub", async () => {
    const jwt = await other.signWithOwnKey({ sub: account.email, aud: IDENTITY, exp: seconds() + 300 });

    await deniedWith(verify({ identityId: IDENTITY, jwt }), /is not one of the keys of service account/);
  });

  it("refuses a JWT that borrows the kid of the account's key but is signed by another key", async () => {
    const kid = account.keyFile.private_key_id;
    const jwt = await other.signWithOwnKey({ sub: account.email, aud: IDENTITY, exp: seconds() + 300 }, { kid });

    await deniedWith(verify({ identityId: IDENTITY, jwt }), /signature does not verify/);
  });

  it("refuses a Google-signed ID token presented as iam: only the account's own keys count", async () => {
    const jwt = await google.issueIdToken({ sub: account.email, aud: IDENTITY, email: account.email, email_verified: true }, 300);

    await deniedWith(verify({ identityId: IDENTITY, jwt }), /is not one of the keys of service account/);
  });

  it("accepts a JWT signed with the account's user-managed key, which Google publishes among its certificates", async () => {
    const jwt = await account.signWithOwnKey({ sub: account.email, aud: IDENTITY, exp: seconds() + 300 });

    expect((await verify({ identityId: IDENTITY, jwt })).subject).toBe(account.email);
  });

  it('keeps VM claims an account wrote into its own JWT out of the principal', async () => {
    const forgedVm = { compute_engine: { project_id: 'victim-project', zone: 'us-east1-b', instance_name: 'prod-db' } };
    const jwt = (await account.signJwt({ sub: account.email, aud: IDENTITY, exp: seconds() + 300, google: forgedVm })).signedJwt;

    expect((await verify({ identityId: IDENTITY, jwt })).claims).toEqual({ type: 'iam', email: account.email, project_id: 'build-project' });
  });

  it('refuses an allowed account that does not exist (its certificates answer 404)', async () => {
    const ghost = 'ghost@build-project.iam.gserviceaccount.com';
    const jwt = await account.signWithOwnKey({ sub: ghost, aud: IDENTITY, exp: seconds() + 300 });

    await deniedWith(verify({ identityId: IDENTITY, jwt }, iamBinding({ allowed_service_accounts: [ghost] })), /is not one of the keys of service account ghost@/);
  });

  it("fails with NETWORK (503 at the login API) when the account's certificates cannot be fetched", async () => {
    const destroyer = await startSocketDestroyer();
    try {
      const body = await iamProof();
      const verifying = createGcp().verify!.verify(verifyRequest(body, iamBinding({ service_account_certs_url: `${destroyer.url}/x509/` }), { identityId: IDENTITY }));

      expect(await failure(verifying)).toMatchObject({ code: 'NETWORK' });
    } finally {
      await destroyer.close();
    }
  });

  it("keeps an account's keys for the answer's max-age (300 s without one), and uses the last ones while Google cannot be reached, retrying after 30 s", async () => {
    const provider = createGcp();
    const start = seconds();
    const jwt = (await account.signJwt({ sub: account.email, aud: IDENTITY, exp: start + 14 * 60 })).signedJwt;
    const certsPath = `/service_accounts/v1/metadata/x509/${encodeURIComponent(account.email)}`;
    const certsFetches = () => google.requests.filter((request) => request.path === certsPath).length;
    let unreachableCalls = 0;
    const unreachable: typeof fetch = () => {
      unreachableCalls += 1;
      return Promise.reject(new TypeError('fetch failed'));
    };
    const login = (offset: number, fetchImpl?: typeof fetch) =>
      provider.verify!.verify(
        verifyRequest({ identityId: IDENTITY, jwt }, iamBinding(), { now: () => start + offset, ...(fetchImpl ? { io: { ...io(), fetch: fetchImpl } } : {}) }),
      );
    const before = certsFetches();

    await login(0);
    await login(299, unreachable);
    expect(certsFetches()).toBe(before + 1);
    expect(unreachableCalls).toBe(0);

    expect((await login(301, unreachable)).subject).toBe(account.email);
    expect(unreachableCalls).toBe(1);
    // A failed fetch is not retried within the 30 s cooldown: the last keys serve meanwhile.
    await login(330);
    expect(certsFetches()).toBe(before + 1);
    await login(331);
    expect(certsFetches()).toBe(before + 2);
  });

  it('a malformed login body is a USAGE error (400 at the login API)', async () => {
    expect(await failure(verify({ identityId: IDENTITY }))).toMatchObject({ code: 'USAGE' });
    expect(await failure(verify({ identityId: IDENTITY, jwt: 'a.b' }))).toMatchObject({ code: 'USAGE' });
    expect(await failure(verify({ identityId: IDENTITY, jwt: 'e30.e30.e30.e30' }))).toMatchObject({ code: 'USAGE' });
  });
});
