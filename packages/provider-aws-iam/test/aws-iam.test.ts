import { fileURLToPath } from 'node:url';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadProvider, providerCatalog } from '@auth/core';
import { startAwsStsDouble, type AwsStsDouble } from '@auth/testkit';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import awsIamDefault, { awsIam, awsIamOptions, canonicalPrincipal, GET_CALLER_IDENTITY_BODY } from '../src/index.js';
import { base64, bindingFor, decodeHeaders, IDENTITY_ID, keysEnv, prove, rejection, SERVER_ID, verify } from './support.js';

/** This package's folder: loadProvider finds it there as AUTHCTL_PLUGIN_PATH names it, as authctl would. */
const PACKAGE = fileURLToPath(new URL('..', import.meta.url));

let sts: AwsStsDouble;
beforeAll(async () => {
  sts = await startAwsStsDouble({ region: 'eu-west-1' });
});
afterAll(() => sts.close());

describe('@auth/provider-aws-iam: the provider', () => {
  it('is what loadProvider finds for provider = "aws-iam", with a proof for --method aws-iam and a verifier for aws-auth', async () => {
    const loaded = await loadProvider('aws-iam', providerCatalog({ cwd: PACKAGE, env: { AUTHCTL_PLUGIN_PATH: PACKAGE } }, String));

    expect(loaded.id).toBe('aws-iam');
    expect(awsIamDefault).toBe(awsIam);
    expect(awsIam.proof?.methods).toEqual(['aws-iam']);
    expect(awsIam.verify?.loginMethods).toEqual(['aws-auth']);
  });

  it('profile keys: region, server_id and sts_endpoint are checked', () => {
    expect(awsIamOptions.parse({ region: 'eu-west-1', server_id: 'auth.example.com', sts_endpoint: 'https://sts.eu-west-1.amazonaws.com' })).toEqual({
      region: 'eu-west-1',
      server_id: 'auth.example.com',
      sts_endpoint: 'https://sts.eu-west-1.amazonaws.com',
    });
    expect(awsIamOptions.parse({})).toEqual({});
    expect(awsIamOptions.safeParse({ region: 'EU West' }).success).toBe(false);
    expect(awsIamOptions.safeParse({ sts_endpoint: 'ftp://sts.example.com' }).success).toBe(false);
    expect(awsIamOptions.safeParse({ server_id: '' }).success).toBe(false);
  });

  it('binding: region and server_id are required, and one allowlist must be non-empty', () => {
    const schema = awsIam.verify!.bindingSchema('aws-auth');
    const good = { region: 'eu-west-1', server_id: SERVER_ID, allowed_account_ids: ['123456789012'] };

    expect(schema.safeParse(good).success).toBe(true);
    expect(schema.safeParse({ ...good, region: undefined }).success).toBe(false);
    expect(schema.safeParse({ ...good, server_id: undefined }).success).toBe(false);
    expect(schema.safeParse({ region: 'eu-west-1', server_id: SERVER_ID }).success).toBe(false);
    expect(schema.safeParse({ region: 'eu-west-1', server_id: SERVER_ID, allowed_account_ids: [], allowed_principal_arns: [] }).success).toBe(false);
    expect(schema.safeParse({ ...good, allowed_account_ids: ['12345'] }).success).toBe(false);
    expect(schema.safeParse({ ...good, sts_endpoint: 'https://sts.example.com/?x=1' }).success).toBe(false);
    expect(schema.safeParse({ ...good, unknown_key: true }).success).toBe(false);
  });

  it('binding: a principal entry names its account literally, so no entry admits every AWS caller', () => {
    const schema = awsIam.verify!.bindingSchema('aws-auth');
    const with_ = (arns: string[]) => schema.safeParse({ region: 'eu-west-1', server_id: SERVER_ID, allowed_principal_arns: arns }).success;

    expect(with_(['arn:aws:iam::123456789012:role/ci-*'])).toBe(true);
    expect(with_(['arn:aws:iam::123456789012:user/alice'])).toBe(true);
    expect(with_(['*'])).toBe(false);
    expect(with_(['arn:aws:iam::*:role/ci'])).toBe(false);
    expect(with_(['arn:aws:sts::123456789012:assumed-role/ci/session'])).toBe(false);
  });

  it('ARNs are normalised as Vault does: an assumed role becomes its role, paths are dropped, other principals are not logged in', () => {
    expect(canonicalPrincipal('arn:aws:sts::123456789012:assumed-role/deploy/i-0abc')).toEqual({ arn: 'arn:aws:iam::123456789012:role/deploy', account: '123456789012' });
    expect(canonicalPrincipal('arn:aws:iam::123456789012:user/division/alice')?.arn).toBe('arn:aws:iam::123456789012:user/alice');
    expect(canonicalPrincipal('arn:aws-us-gov:iam::123456789012:role/ci')?.arn).toBe('arn:aws-us-gov:iam::123456789012:role/ci');
    expect(canonicalPrincipal('arn:aws:iam::123456789012:root')).toBeUndefined();
    expect(canonicalPrincipal('arn:aws:sts::123456789012:federated-user/bob')).toBeUndefined();
    expect(canonicalPrincipal('arn:aws:s3:::bucket')).toBeUndefined();
  });
});

describe('@auth/provider-aws-iam: proof', () => {
  it("signs POST / with the body Action=GetCallerIdentity&Version=2011-06-15 and the server and identity ids among SignedHeaders, in Infisical's aws-auth body", async () => {
    const proof = await prove(sts);
    const headers = decodeHeaders(proof);

    expect(proof.loginMethod).toBe('aws-auth');
    expect(proof.body.identityId).toBe(IDENTITY_ID);
    expect(proof.body.iamHttpRequestMethod).toBe('POST');
    expect(Buffer.from(proof.body.iamRequestBody!, 'base64').toString()).toBe(GET_CALLER_IDENTITY_BODY);
    expect(headers['X-Authctl-Server-ID']).toBe(SERVER_ID);
    expect(headers['X-Authctl-Identity-ID']).toBe(IDENTITY_ID);
    expect(headers.Host).toBe(new URL(sts.url).host);
    expect(headers['Content-Type']).toBe('application/x-www-form-urlencoded; charset=utf-8');
    expect(headers['X-Amz-Date']).toMatch(/^\d{8}T\d{6}Z$/);
    expect(headers.Authorization).toMatch(
      new RegExp(`^AWS4-HMAC-SHA256 Credential=${sts.credentials.accessKeyId}/\\d{8}/eu-west-1/sts/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-authctl-identity-id;x-authctl-server-id, Signature=[0-9a-f]{64}$`),
    );
  });

  it('region: the profile, else AWS_REGION, else AWS_DEFAULT_REGION, else us-east-1; the endpoint is sts.<region>.amazonaws.com', async () => {
    const regionOf = async (settings: Record<string, string>, env: Record<string, string>) => {
      const headers = decodeHeaders(await prove(sts, { settings: { server_id: SERVER_ID, ...settings }, env: { ...keysEnv(sts.credentials), ...env } }));
      return { scope: /\/\d{8}\/([^/]+)\/sts\//.exec(headers.Authorization!)?.[1], host: headers.Host };
    };

    expect(await regionOf({ region: 'ap-south-1' }, { AWS_REGION: 'us-west-2' })).toEqual({ scope: 'ap-south-1', host: 'sts.ap-south-1.amazonaws.com' });
    expect(await regionOf({}, { AWS_REGION: 'us-west-2', AWS_DEFAULT_REGION: 'eu-north-1' })).toEqual({ scope: 'us-west-2', host: 'sts.us-west-2.amazonaws.com' });
    expect(await regionOf({}, { AWS_DEFAULT_REGION: 'eu-north-1' })).toEqual({ scope: 'eu-north-1', host: 'sts.eu-north-1.amazonaws.com' });
    expect(await regionOf({}, {})).toEqual({ scope: 'us-east-1', host: 'sts.us-east-1.amazonaws.com' });
  });

  it("server id: the profile's server_id, else the login API's host", async () => {
    const headers = decodeHeaders(await prove(sts, { settings: { region: sts.region, sts_endpoint: sts.url }, loginUrl: 'https://auth.example.com:8443/' }));

    expect(headers['X-Authctl-Server-ID']).toBe('auth.example.com:8443');
  });

  it('server id: without server_id and without a known login API, the profile key to set is named (CONFIG_INVALID)', async () => {
    const error = await rejection(prove(sts, { settings: { region: sts.region, sts_endpoint: sts.url } }));

    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.details.key).toBe('profiles.ci.server_id');
  });

  it('a login without --machine-identity-id is a usage error', async () => {
    const error = await rejection(prove(sts, { identityId: '' }));

    expect(error.code).toBe('USAGE');
    expect(error.hint).toContain('--machine-identity-id');
  });

  it('temporary keys from request.env sign their session token in', async () => {
    const role = sts.issueCredentials({ arn: `arn:aws:sts::${sts.account}:assumed-role/deploy/i-0abc` }, { temporary: true });
    const headers = decodeHeaders(await prove(sts, { env: keysEnv(role) }));

    expect(headers['X-Amz-Security-Token']).toBe(role.sessionToken);
    expect(headers.Authorization).toContain('SignedHeaders=content-type;host;x-amz-date;x-amz-security-token;x-authctl-identity-id;x-authctl-server-id,');
  });

  describe('the default credential chain', () => {
    let dir: string;
    beforeAll(() => {
      dir = mkdtempSync(join(tmpdir(), 'aws-iam-chain-'));
    });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it("with AWS_PROFILE set, the SDK chain reads that profile's keys from the shared credentials file named in request.env", async () => {
      const user = sts.issueCredentials({ arn: `arn:aws:iam::${sts.account}:user/from-ini` });
      const credentialsFile = join(dir, 'credentials');
      writeFileSync(credentialsFile, `[ci]\naws_access_key_id = ${user.accessKeyId}\naws_secret_access_key = ${user.secretAccessKey}\n`, { mode: 0o600 });
      const env = {
        AWS_PROFILE: 'ci',
        AWS_SHARED_CREDENTIALS_FILE: credentialsFile,
        AWS_CONFIG_FILE: join(dir, 'config'),
        // Ignored: with a profile named, the SDK skips static keys from the environment too.
        ...keysEnv(sts.credentials),
      };

      const principal = await verify((await prove(sts, { env })).body, bindingFor(sts));

      expect(principal.subject).toBe(`arn:aws:iam::${sts.account}:user/from-ini`);
    });

    it('when no source has credentials, the error says what to set (CONFIG_INVALID)', async () => {
      const error = await rejection(
        prove(sts, {
          env: { AWS_PROFILE: 'absent', AWS_SHARED_CREDENTIALS_FILE: join(dir, 'none'), AWS_CONFIG_FILE: join(dir, 'none-either') },
        }),
      );

      expect(error.code).toBe('CONFIG_INVALID');
      expect(error.message).toContain('no AWS credentials found');
      expect(error.hint).toContain('AWS_ACCESS_KEY_ID');
    });
  });
});

describe('@auth/provider-aws-iam: proof verified against the STS double', () => {
  afterEach(() => sts.answerWith(undefined));

  it('success: the principal is the caller STS names, issued by the configured STS', async () => {
    const principal = await verify((await prove(sts)).body, bindingFor(sts));

    expect(principal).toEqual({
      subject: sts.principal.arn,
      issuer: `${sts.url}/`,
      provider: 'aws-iam',
      claims: { account: sts.account, arn: sts.principal.arn, userId: sts.principal.userId },
      permissions: [],
    });
  });

  it('success: an assumed role with a session token is bound by its role ARN, matched by a wildcard entry', async () => {
    const role = sts.issueCredentials({ arn: `arn:aws:sts::${sts.account}:assumed-role/ci-deploy/i-0abc` }, { temporary: true });
    const binding = bindingFor(sts, { allowed_account_ids: [], allowed_principal_arns: [`arn:aws:iam::${sts.account}:role/ci-*`] });

    const principal = await verify((await prove(sts, { env: keysEnv(role) })).body, binding);

    expect(principal.subject).toBe(`arn:aws:iam::${sts.account}:role/ci-deploy`);
    expect(principal.claims.arn).toBe(`arn:aws:sts::${sts.account}:assumed-role/ci-deploy/i-0abc`);
  });

  it("an account's root user, which STS does answer for, is not logged in", async () => {
    const root = sts.issueCredentials({ arn: `arn:aws:iam::${sts.account}:root`, userId: sts.account });

    const error = await rejection(verify((await prove(sts, { env: keysEnv(root) })).body, bindingFor(sts)));

    expect(error.code).toBe('ACCESS_DENIED');
    expect(error.message).toContain('is not an IAM user or role');
  });

  it('wrong binding: an account not in allowed_account_ids is denied', async () => {
    const error = await rejection(verify((await prove(sts)).body, bindingFor(sts, { allowed_account_ids: ['999999999999'] })));

    expect(error.code).toBe('ACCESS_DENIED');
    expect(error.message).toContain(`AWS account ${sts.account} is not allowed`);
  });

  it('wrong binding: a principal ARN not in allowed_principal_arns is denied, even within an allowed account', async () => {
    const binding = bindingFor(sts, { allowed_principal_arns: [`arn:aws:iam::${sts.account}:role/ci-*`] });

    const error = await rejection(verify((await prove(sts)).body, binding));

    expect(error.code).toBe('ACCESS_DENIED');
    expect(error.message).toContain(`principal ${sts.principal.arn} is not allowed`);
  });

  it('wrong binding: a proof signed for another server id is denied before STS is asked', async () => {
    const before = sts.requests.length;

    const error = await rejection(verify((await prove(sts)).body, bindingFor(sts, { server_id: 'other.example.com' })));

    expect(error.code).toBe('ACCESS_DENIED');
    expect(error.message).toContain('X-Authctl-Server-ID');
    expect(sts.requests.length).toBe(before);
  });

  it('a proof made for one machine identity is denied to another that allows the same principal (replay), before STS is asked', async () => {
    const proof = await prove(sts);
    const before = sts.requests.length;

    const error = await rejection(verify({ ...proof.body, identityId: 'another-identity' }, bindingFor(sts), 5000, 'another-identity'));

    expect(error.code).toBe('ACCESS_DENIED');
    expect(error.message).toContain('X-Authctl-Identity-ID');
    expect(sts.requests.length).toBe(before);
  });

  it('region comes from the binding: a request signed for another region is denied before STS is asked', async () => {
    const proof = await prove(sts, { settings: { region: 'us-west-2', sts_endpoint: sts.url, server_id: SERVER_ID } });
    const before = sts.requests.length;

    const error = await rejection(verify(proof.body, bindingFor(sts)));

    expect(error.code).toBe('ACCESS_DENIED');
    expect(error.message).toContain('signed for region us-west-2, not the configured eu-west-1');
    expect(sts.requests.length).toBe(before);
  });

  it('a malformed login body is a usage error (400), not a denial', async () => {
    const proof = await prove(sts);

    for (const body of [
      { ...proof.body, iamHttpRequestMethod: 'GET' },
      { ...proof.body, iamRequestHeaders: undefined },
      { ...proof.body, iamRequestHeaders: 'not base64!' },
      { ...proof.body, iamRequestHeaders: base64('[1,2]') },
      { ...proof.body, iamRequestHeaders: base64(JSON.stringify({ Host: ['a', 'b'] })) },
      { ...proof.body, iamRequestBody: 42 },
    ]) {
      expect((await rejection(verify(body, bindingFor(sts)))).code).toBe('USAGE');
    }
  });
});
