import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuthError, boundedFetch, type AuthErrorCode, type ProofRequest, type ProviderIO } from '@auth/core';
import {
  createTestCA,
  startBlackhole,
  startKubernetesApiDouble,
  type KubernetesApiDouble,
  type KubernetesServiceAccount,
} from '@auth/testkit';
import { generateKeyPair, SignJWT } from 'jose';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import kubernetesDefault, { DEFAULT_TOKEN_PATH, kubernetes, kubernetesBinding, type KubernetesBinding, type KubernetesSettings } from '../src/index.js';

const AUDIENCE = 'https://auth.example.com';
const realNow = () => Math.floor(Date.now() / 1000);
/** The clock both the API server double and the verifier read; tests move it forward. */
let skew = 0;
const now = () => realNow() + skew;

let dir: string;
let api: KubernetesApiDouble;
let workload: KubernetesServiceAccount;
let reviewerJwt: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kubernetes-test-'));
  api = await startKubernetesApiDouble({ now });
  workload = api.createServiceAccount('payments', 'api');
  reviewerJwt = await api.projectedToken(api.createServiceAccount('kube-system', 'auth-reviewer', { reviewer: true }), { lifetimeSeconds: 24 * 3600 });
});
afterAll(async () => {
  await api.close();
  await rm(dir, { recursive: true, force: true });
});
beforeEach(() => {
  skew = 0;
});

function io(timeoutMs = 5_000, fetchImpl: typeof fetch = globalThis.fetch): ProviderIO {
  return { fetch: boundedFetch(fetchImpl, { timeoutMs }), signal: new AbortController().signal, timeoutMs, allowInsecureHttp: true, env: {} };
}

async function tokenFile(token: string, name = 'token'): Promise<string> {
  const file = join(dir, name);
  await writeFile(file, `${token}\n`);
  return file;
}

function prove(options: Record<string, string>, settings: KubernetesSettings = {}, identityId: string | null = 'identity-1') {
  const request: ProofRequest<KubernetesSettings> = {
    profile: 'pod',
    file: '/home/someone/.config/authctl/config.toml',
    method: 'kubernetes',
    settings,
    ...(identityId === null ? {} : { identityId }),
    options,
    env: {},
    io: io(),
  };
  return kubernetes.proof!.prove(request);
}

function binding(overrides: Record<string, unknown> = {}): KubernetesBinding {
  return kubernetesBinding.parse({
    kubernetes_host: api.url,
    token_reviewer_jwt: reviewerJwt,
    allowed_namespaces: ['payments'],
    allowed_audience: AUDIENCE,
    ...overrides,
  });
}

function jwksBinding(overrides: Record<string, unknown> = {}): KubernetesBinding {
  return binding({ mode: 'jwks', token_reviewer_jwt: undefined, ...overrides });
}

function verify(body: Record<string, unknown>, bound: KubernetesBinding = binding(), requestIo: ProviderIO = io()) {
  return kubernetes.verify!.verify({ loginMethod: 'kubernetes-auth', body, identityId: 'identity-1', binding: bound, io: requestIo, now });
}

async function refusedWith(code: AuthErrorCode, promise: Promise<unknown>): Promise<AuthError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!AuthError.is(error)) throw new Error(`expected an AuthError ${code}, got ${String(error)}`);
  expect(error.code, error.message).toBe(code);
  return error;
}

const workloadToken = (audiences = [AUDIENCE]) => api.projectedToken(workload, { audiences });

describe('proof: the projected service-account token', () => {
  it('the package exports the provider as default, with id kubernetes, method kubernetes and login method kubernetes-auth', () => {
    expect(kubernetesDefault).toBe(kubernetes);
    expect(kubernetes.id).toBe('kubernetes');
    expect(kubernetes.proof?.methods).toEqual(['kubernetes']);
    expect(kubernetes.verify?.loginMethods).toEqual(['kubernetes-auth']);
    expect(DEFAULT_TOKEN_PATH).toBe('/var/run/secrets/kubernetes.io/serviceaccount/token');
  });

  it('the token at --service-account-token-path is posted to kubernetes-auth and a TokenReview with the bound audience verifies it', async () => {
    const token = await workloadToken();
    const proof = await prove({ 'service-account-token-path': await tokenFile(token) });
    expect(proof).toEqual({ loginMethod: 'kubernetes-auth', body: { identityId: 'identity-1', jwt: token } });

    const principal = await verify(proof.body);
    expect(principal).toMatchObject({
      subject: 'system:serviceaccount:payments:api',
      issuer: api.url,
      provider: 'kubernetes',
      claims: { namespace: 'payments', name: 'api', uid: workload.uid, audiences: [AUDIENCE] },
    });
    expect(api.reviews.at(-1)).toEqual({ audiences: [AUDIENCE], status: 201 });
  });

  it('the flag wins over the profile key service_account_token_path, which wins over the default path', async () => {
    const fromProfile = await tokenFile('from.profile.token', 'profile-token');
    const fromFlag = await tokenFile('from.flag.token', 'flag-token');
    expect((await prove({}, { service_account_token_path: fromProfile })).body.jwt).toBe('from.profile.token');
    expect((await prove({ 'service-account-token-path': fromFlag }, { service_account_token_path: fromProfile })).body.jwt).toBe('from.flag.token');
  });

  it('a missing or empty token file is CONFIG_INVALID naming the path and where it came from', async () => {
    const missing = join(dir, 'no-such-token');
    const error = await refusedWith('CONFIG_INVALID', prove({ 'service-account-token-path': missing }));
    expect(error.message).toContain(missing);
    expect(error.message).toContain('--service-account-token-path');
    expect(error.message).toContain('ENOENT');
    expect(error.hint).toContain('INFISICAL_KUBERNETES_SERVICE_ACCOUNT_TOKEN_PATH');
    const empty = await tokenFile('  \n', 'empty-token');
    const emptyError = await refusedWith('CONFIG_INVALID', prove({}, { service_account_token_path: empty }));
    expect(emptyError.message).toContain('profiles.pod.service_account_token_path');
  });

  it('without a machine identity id the proof is a USAGE error naming the flag and variable', async () => {
    const error = await refusedWith('USAGE', prove({ 'service-account-token-path': await tokenFile('x.y.z') }, {}, null));
    expect(error.hint).toContain('--machine-identity-id');
    expect(error.hint).toContain('INFISICAL_MACHINE_IDENTITY_ID');
  });
});

describe('verify: TokenReview', () => {
  it('vault-plugin-auth-kubernetes #175: a token minted for another audience is ACCESS_DENIED, the bound audience having been sent', async () => {
    const error = await refusedWith('ACCESS_DENIED', verify({ jwt: await workloadToken(['https://vault.example.com']) }));
    expect(error.message).toContain('audiences');
    expect(api.reviews.at(-1)!.audiences).toEqual([AUDIENCE]);
  });

  it('vault-plugin-auth-kubernetes #175: an authenticated review whose status.audiences lacks the bound audience is ACCESS_DENIED', async () => {
    // An API server that ignores spec.audiences (as before audiences existed) answers for its own audience.
    const ignoringAudiences: typeof fetch = async (input, init) => {
      const response = await fetch(input, init);
      const review = (await response.json()) as { status: Record<string, unknown> };
      review.status.audiences = [api.apiAudience];
      return new Response(JSON.stringify(review), { status: response.status, headers: response.headers });
    };
    const error = await refusedWith('ACCESS_DENIED', verify({ jwt: await workloadToken() }, binding(), io(5_000, ignoringAudiences)));
    expect(error.message).toContain('status.audiences');
  });

  it('without a bound audience, a token for the API server reviews itself (no token_reviewer_jwt), as Infisical does', async () => {
    const jwt = await api.projectedToken(api.createServiceAccount('payments', 'self-reviewer', { reviewer: true }));
    const principal = await verify({ jwt }, binding({ token_reviewer_jwt: undefined, allowed_audience: undefined }));
    expect(principal.subject).toBe('system:serviceaccount:payments:self-reviewer');
    expect(api.reviews.at(-1)!.audiences).toBeUndefined();
  });

  it('vault-secrets-operator #379: without token_reviewer_jwt a token for a custom audience cannot review itself: ACCESS_DENIED saying so', async () => {
    const error = await refusedWith('ACCESS_DENIED', verify({ jwt: await workloadToken() }, binding({ token_reviewer_jwt: undefined })));
    expect(error.message).toContain('token_reviewer_jwt');
  });

  it('an expired token is ACCESS_DENIED by the API server', async () => {
    const jwt = await workloadToken();
    skew = 2 * 3600;
    const error = await refusedWith('ACCESS_DENIED', verify({ jwt }));
    expect(error.message).toContain('expired');
  });

  it('a service account outside allowed_namespaces or allowed_names is ACCESS_DENIED (wrong binding)', async () => {
    const jwt = await workloadToken();
    expect((await refusedWith('ACCESS_DENIED', verify({ jwt }, binding({ allowed_namespaces: ['billing'] })))).message).toContain('namespace payments');
    expect((await refusedWith('ACCESS_DENIED', verify({ jwt }, binding({ allowed_names: ['worker'] })))).message).toContain('service account api');
  });

  it('allowed_namespaces and allowed_names take exact names or globs', async () => {
    const jwt = await workloadToken();
    await expect(verify({ jwt }, binding({ allowed_namespaces: ['pay*'], allowed_names: ['a?i'] }))).resolves.toMatchObject({ subject: 'system:serviceaccount:payments:api' });
    await expect(verify({ jwt }, binding({ allowed_namespaces: ['billing', 'payments'], allowed_names: ['api'] }))).resolves.toMatchObject({ provider: 'kubernetes' });
    await refusedWith('ACCESS_DENIED', verify({ jwt }, binding({ allowed_namespaces: ['pay'] })));
  });

  it('a deleted service account is ACCESS_DENIED: the API server knows, the token alone does not', async () => {
    const gone = api.createServiceAccount('payments', 'gone');
    const jwt = await api.projectedToken(gone, { audiences: [AUDIENCE] });
    api.deleteServiceAccount(gone);
    const error = await refusedWith('ACCESS_DENIED', verify({ jwt }));
    expect(error.message).toContain('deleted');
  });

  it('a token signed by another key is ACCESS_DENIED', async () => {
    const { privateKey } = await generateKeyPair('RS256');
    const jwt = await new SignJWT({ sub: 'system:serviceaccount:payments:api', iss: api.issuer, aud: [AUDIENCE] })
      .setProtectedHeader({ alg: 'RS256' })
      .setIssuedAt()
      .setExpirationTime('1h')
      .sign(privateKey);
    await refusedWith('ACCESS_DENIED', verify({ jwt }));
    await refusedWith('ACCESS_DENIED', verify({ jwt }, jwksBinding()));
  });

  it('a token_reviewer_jwt without system:auth-delegator (403 from the API server) is ACCESS_DENIED naming the fix', async () => {
    const weak = await api.projectedToken(api.createServiceAccount('kube-system', 'not-a-reviewer'));
    const error = await refusedWith('ACCESS_DENIED', verify({ jwt: await workloadToken() }, binding({ token_reviewer_jwt: weak })));
    expect(error.message).toContain('403');
    expect(error.message).toContain('system:auth-delegator');
  });

  it('a binding with no namespaces, or "*" for namespaces or names, is rejected by the binding schema; so are unknown keys', () => {
    const schema = kubernetes.verify!.bindingSchema('kubernetes-auth');
    const base = { kubernetes_host: api.url };
    expect(schema.safeParse({ ...base }).success).toBe(false);
    expect(schema.safeParse({ ...base, allowed_namespaces: [] }).success).toBe(false);
    expect(schema.safeParse({ ...base, allowed_namespaces: ['*'] }).success).toBe(false);
    expect(schema.safeParse({ ...base, allowed_namespaces: ['**'] }).success).toBe(false);
    expect(schema.safeParse({ ...base, allowed_namespaces: ['payments'], allowed_names: ['*'] }).success).toBe(false);
    expect(schema.safeParse({ ...base, allowed_namespaces: ['payments'], allowed_namespace: ['x'] }).success).toBe(false);
    expect(schema.safeParse({ ...base, allowed_namespaces: ['payments'], mode: 'jwks' }).success).toBe(false);
    expect(schema.safeParse({ ...base, allowed_namespaces: ['payments'], issuer: 'https://x' }).success).toBe(false);
    expect(schema.safeParse({ ...base, allowed_namespaces: ['team-*'] }).success).toBe(true);
  });

  it('a malformed request is USAGE (400): no jwt, a jwt that is not a string, or not a JWT', async () => {
    for (const body of [{}, { jwt: null }, { jwt: '   ' }, { jwt: 'not-a-jwt' }, { jwt: 'x'.repeat(20_000) }]) {
      await refusedWith('USAGE', verify(body));
    }
  });

  it('status codes: an API server that cannot be asked is NETWORK or TIMEOUT (503), never ACCESS_DENIED', async () => {
    const jwt = await workloadToken();
    await refusedWith('NETWORK', verify({ jwt }, binding({ kubernetes_host: `${api.url}/not-the-api-server` })));
    const hole = await startBlackhole();
    try {
      await refusedWith('TIMEOUT', verify({ jwt }, binding({ kubernetes_host: hole.url }), io(300)));
    } finally {
      await hole.close();
    }
  });

  it('ca_cert: a cluster with its own CA is reached only when the binding trusts that CA', async () => {
    const ca = await createTestCA();
    const tlsApi = await startKubernetesApiDouble({ now, tls: { cert: ca.cert, key: ca.key } });
    try {
      const account = tlsApi.createServiceAccount('payments', 'api');
      const reviewer = await tlsApi.projectedToken(tlsApi.createServiceAccount('kube-system', 'reviewer', { reviewer: true }));
      const jwt = await tlsApi.projectedToken(account, { audiences: [AUDIENCE] });
      const bound = binding({ kubernetes_host: tlsApi.url, token_reviewer_jwt: reviewer });
      await refusedWith('NETWORK', verify({ jwt }, bound));
      await expect(verify({ jwt }, binding({ kubernetes_host: tlsApi.url, token_reviewer_jwt: reviewer, ca_cert: ca.ca }))).resolves.toMatchObject({
        subject: 'system:serviceaccount:payments:api',
      });
    } finally {
      await tlsApi.close();
    }
  });
});

describe('verify: offline against the issuer JWKS (mode = "jwks")', () => {
  it('a token for the bound audience verifies against the keys named by issuer discovery', async () => {
    const principal = await verify({ jwt: await workloadToken() }, jwksBinding());
    expect(principal).toMatchObject({
      subject: 'system:serviceaccount:payments:api',
      issuer: api.issuer,
      claims: { namespace: 'payments', name: 'api', uid: workload.uid },
    });
  });

  it('a token minted for another audience (the API server\'s own) is ACCESS_DENIED', async () => {
    await refusedWith('ACCESS_DENIED', verify({ jwt: await workloadToken([api.apiAudience]) }, jwksBinding()));
  });

  it('an expired token is ACCESS_DENIED, judged by the injected clock', async () => {
    const jwt = await workloadToken();
    skew = 2 * 3600;
    const error = await refusedWith('ACCESS_DENIED', verify({ jwt }, jwksBinding()));
    expect(error.message).toContain('exp');
  });

  it('an issuer other than the bound one is ACCESS_DENIED', async () => {
    await refusedWith('ACCESS_DENIED', verify({ jwt: await workloadToken() }, jwksBinding({ issuer: 'https://oidc.other-cluster.example', jwks_url: `${api.url}/openid/v1/jwks` })));
  });

  it('a service account outside the allowed namespaces is ACCESS_DENIED (wrong binding)', async () => {
    await refusedWith('ACCESS_DENIED', verify({ jwt: await workloadToken() }, jwksBinding({ allowed_namespaces: ['billing'] })));
  });

  it('kubernetes.io claims that name another service account than sub are ACCESS_DENIED', async () => {
    const jwt = await api.projectedToken(workload, { audiences: [AUDIENCE], overrides: { sub: 'system:serviceaccount:payments:admin' } });
    const error = await refusedWith('ACCESS_DENIED', verify({ jwt }, jwksBinding({ allowed_names: ['admin'] })));
    expect(error.message).toContain('kubernetes.io');
  });

  it('status codes: a discovery document that cannot be read is NETWORK (503)', async () => {
    await refusedWith('NETWORK', verify({ jwt: await workloadToken() }, jwksBinding({ kubernetes_host: `${api.url}/nowhere` })));
  });
});
