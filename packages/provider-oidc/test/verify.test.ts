import { AuthError, boundedFetch, type VerifyCapability } from '@auth/core';
import { startTestIdP, type TestIdP } from '@auth/testkit';
import { decodeJwt, exportSPKI, generateKeyPair, SignJWT, type JWTPayload } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOidc, oidc } from '../src/index.js';

let idp: TestIdP;
beforeAll(async () => {
  idp = await startTestIdP();
});
afterAll(() => idp.close());

const verify = oidc.verify!;
const io = () => ({ fetch: boundedFetch(fetch, { timeoutMs: 5000 }), signal: AbortSignal.timeout(5000), timeoutMs: 5000 });
const realNow = () => Math.floor(Date.now() / 1000);

/** A real ID token from the test IdP (password grant, client `svc`): iss = the IdP, aud = "svc" (a string), sub = "alice". */
async function idToken(): Promise<string> {
  const response = await fetch(`${idp.issuer}/token`, {
    method: 'POST',
    headers: { authorization: `Basic ${Buffer.from('svc:svc-secret').toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'password', username: 'alice', password: 'alice-password', scope: 'openid' }),
  });
  expect(response.status).toBe(200);
  return ((await response.json()) as { id_token: string }).id_token;
}

function oidcBinding(overrides: Record<string, unknown> = {}) {
  return verify.bindingSchema('oidc-auth').parse({ oidc_discovery_url: idp.issuer, bound_issuer: idp.issuer, bound_audiences: ['svc'], ...overrides });
}

function run(capability: VerifyCapability, loginMethod: string, binding: Record<string, unknown>, jwt: unknown, now = realNow) {
  return capability.verify({ loginMethod, body: { identityId: 'ci', jwt }, identityId: 'ci', binding, io: io(), now });
}

async function refusal(promise: Promise<unknown>): Promise<AuthError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(AuthError.is(error)).toBe(true);
  return error as AuthError;
}

/** jwt-auth with a key of our own, for tokens the IdP would never issue (array aud, no aud, odd claims). */
async function selfIssuer(alg: 'ES256' | 'RS256' = 'ES256') {
  const { privateKey, publicKey } = await generateKeyPair(alg);
  const pem = await exportSPKI(publicKey);
  const sign = (claims: JWTPayload, header: Record<string, unknown> = {}) =>
    new SignJWT(claims).setProtectedHeader({ alg, ...header }).setIssuer('https://ci.example').setSubject('repo:acme/app').setIssuedAt().setExpirationTime('5m').sign(privateKey);
  const binding = (overrides: Record<string, unknown> = {}) =>
    verify.bindingSchema('jwt-auth').parse({ public_keys: [pem], bound_issuer: 'https://ci.example', ...overrides });
  return { sign, binding };
}

describe('oidc-auth: a token of an OpenID provider found by discovery', () => {
  it('verifies a real ID token of the test IdP and names its subject', async () => {
    const principal = await run(verify, 'oidc-auth', oidcBinding({ bound_subject: 'alice' }), await idToken());
    expect(principal).toMatchObject({ subject: 'alice', issuer: idp.issuer, provider: 'oidc' });
    expect(principal.claims).not.toHaveProperty('jwt');
  });

  it('CVE-2024-5798: a single-string aud that is not bound is refused', async () => {
    const token = await idToken();
    expect(decodeJwt(token).aud).toBe('svc');
    const error = await refusal(run(verify, 'oidc-auth', oidcBinding({ bound_audiences: ['another-client'] }), token));
    expect(error.code).toBe('ACCESS_DENIED');
    expect(error.message).toContain('bound_audiences');
  });

  it('CVE-2024-5798: a token with an aud is refused when the identity binds no audience', async () => {
    const binding = verify.bindingSchema('oidc-auth').parse({ oidc_discovery_url: idp.issuer, bound_issuer: idp.issuer });
    const error = await refusal(run(verify, 'oidc-auth', binding, await idToken()));
    expect(error.code).toBe('ACCESS_DENIED');
    expect(error.message).toContain('no audiences bound');
  });

  it('refuses an expired token (exp past, beyond the clock skew)', async () => {
    const token = await idToken();
    const exp = decodeJwt(token).exp!;
    const error = await refusal(run(verify, 'oidc-auth', oidcBinding(), token, () => exp + 61));
    expect(error.code).toBe('ACCESS_DENIED');
    expect(error.message).toMatch(/exp/);
    // Within the 60 s of tolerated skew it still verifies.
    await expect(run(verify, 'oidc-auth', oidcBinding(), token, () => exp + 59)).resolves.toMatchObject({ subject: 'alice' });
  });

  it('refuses a token whose subject, issuer or claims do not match the binding', async () => {
    const token = await idToken();
    for (const overrides of [{ bound_subject: 'bob' }, { bound_issuer: 'https://elsewhere.example' }, { bound_claims: { sid: 'x' } }]) {
      expect((await refusal(run(verify, 'oidc-auth', oidcBinding(overrides), token))).code).toBe('ACCESS_DENIED');
    }
  });

  it('pins the algorithms: an RS256 token is refused when the binding accepts only ES256', async () => {
    const error = await refusal(run(verify, 'oidc-auth', oidcBinding({ algorithms: ['ES256'] }), await idToken()));
    expect(error.code).toBe('ACCESS_DENIED');
  });

  it('refuses a discovery document whose issuer is not the configured URL', async () => {
    const binding = oidcBinding({ oidc_discovery_url: `${idp.issuer}/` });
    const error = await refusal(run(verify, 'oidc-auth', binding, await idToken()));
    expect(error.code).toBe('NETWORK');
    expect(error.message).toContain('names issuer');
  });

  it('reports an unreachable IdP as NETWORK (the login API answers 503), not as a refusal', async () => {
    const token = await idToken();
    const fresh = createOidc().verify!;
    await idp.setOutage('refuse');
    try {
      const error = await refusal(run(fresh, 'oidc-auth', oidcBinding(), token));
      expect(['NETWORK', 'TIMEOUT']).toContain(error.code);
    } finally {
      await idp.setOutage('none');
    }
  });

  it('refuses a request without a jwt as USAGE (400)', async () => {
    expect((await refusal(run(verify, 'oidc-auth', oidcBinding(), undefined))).code).toBe('USAGE');
  });
});

describe('jwt-auth: a token checked against a JWKS URL or static public keys', () => {
  it('verifies a real ID token against the IdP JWKS URL', async () => {
    const binding = verify.bindingSchema('jwt-auth').parse({ jwks_url: `${idp.issuer}/jwks`, bound_issuer: idp.issuer, bound_audiences: 'svc' });
    await expect(run(verify, 'jwt-auth', binding, await idToken())).resolves.toMatchObject({ subject: 'alice' });
  });

  it('normalises an array aud: any bound audience in it is enough, none of them is refused', async () => {
    const ci = await selfIssuer();
    const token = await ci.sign({ aud: ['https://vault.example', 'auth-server'] });
    await expect(run(verify, 'jwt-auth', ci.binding({ bound_audiences: ['auth-server'] }), token)).resolves.toMatchObject({ subject: 'repo:acme/app' });
    expect((await refusal(run(verify, 'jwt-auth', ci.binding({ bound_audiences: ['other'] }), token))).code).toBe('ACCESS_DENIED');
    expect((await refusal(run(verify, 'jwt-auth', ci.binding(), token))).code).toBe('ACCESS_DENIED');
  });

  it('accepts a token without aud when no audience is bound, and refuses it when one is', async () => {
    const ci = await selfIssuer();
    const token = await ci.sign({});
    await expect(run(verify, 'jwt-auth', ci.binding(), token)).resolves.toMatchObject({ subject: 'repo:acme/app' });
    expect((await refusal(run(verify, 'jwt-auth', ci.binding({ bound_audiences: ['auth-server'] }), token))).code).toBe('ACCESS_DENIED');
  });

  it('matches bound_claims by name, dot path and JSON pointer, any of several values', async () => {
    const ci = await selfIssuer();
    const token = await ci.sign({ ref: 'refs/heads/main', repository: { owner: 'acme' } });
    const bound = { ref: ['refs/heads/main', 'refs/heads/release'], 'repository.owner': 'acme', '/repository/owner': 'acme' };
    await expect(run(verify, 'jwt-auth', ci.binding({ bound_claims: bound }), token)).resolves.toMatchObject({ subject: 'repo:acme/app' });
    const error = await refusal(run(verify, 'jwt-auth', ci.binding({ bound_claims: { ref: 'refs/heads/release' } }), token));
    expect(error.code).toBe('ACCESS_DENIED');
    expect((await refusal(run(verify, 'jwt-auth', ci.binding({ bound_claims: { environment: 'prod' } }), token))).message).toContain('missing');
  });

  it('refuses a claim that collides with a registered one under case folding (hashicorp/cap)', async () => {
    const ci = await selfIssuer();
    const token = await ci.sign({ Aud: 'auth-server' });
    expect((await refusal(run(verify, 'jwt-auth', ci.binding(), token))).message).toContain('collides');
  });

  it('refuses alg "none" and a token signed by another key', async () => {
    const ci = await selfIssuer();
    const other = await selfIssuer();
    const unsigned = `${Buffer.from(JSON.stringify({ alg: 'none' })).toString('base64url')}.${Buffer.from(JSON.stringify({ iss: 'https://ci.example', sub: 'x', exp: realNow() + 60 })).toString('base64url')}.`;
    expect((await refusal(run(verify, 'jwt-auth', ci.binding(), unsigned))).code).toBe('ACCESS_DENIED');
    expect((await refusal(run(verify, 'jwt-auth', ci.binding(), await other.sign({})))).code).toBe('ACCESS_DENIED');
  });

  it('refuses a token without exp', async () => {
    const { privateKey, publicKey } = await generateKeyPair('ES256');
    const token = await new SignJWT({}).setProtectedHeader({ alg: 'ES256' }).setIssuer('https://ci.example').setSubject('s').setIssuedAt().sign(privateKey);
    const binding = verify.bindingSchema('jwt-auth').parse({ public_keys: [await exportSPKI(publicKey)], bound_issuer: 'https://ci.example' });
    expect((await refusal(run(verify, 'jwt-auth', binding, token))).message).toContain('exp');
  });
});

describe('binding schemas', () => {
  it('jwt-auth needs exactly one of jwks_url and public_keys', () => {
    const schema = verify.bindingSchema('jwt-auth');
    expect(schema.safeParse({ bound_issuer: 'x' }).success).toBe(false);
    expect(schema.safeParse({ bound_issuer: 'x', jwks_url: 'https://a.example/jwks', public_keys: ['-----BEGIN PUBLIC KEY-----'] }).success).toBe(false);
  });

  it('accepts no HS* algorithm and no plain http:// key URL off loopback', () => {
    const schema = verify.bindingSchema('oidc-auth');
    expect(schema.safeParse({ oidc_discovery_url: 'https://idp.example', bound_issuer: 'https://idp.example', algorithms: ['HS256'] }).success).toBe(false);
    expect(schema.safeParse({ oidc_discovery_url: 'http://idp.example', bound_issuer: 'http://idp.example' }).success).toBe(false);
    expect(schema.safeParse({ oidc_discovery_url: 'http://idp.example', bound_issuer: 'http://idp.example', allow_http: true }).success).toBe(true);
  });

  it('lists oidc-auth and jwt-auth as its login methods', () => {
    expect(verify.loginMethods).toEqual(['oidc-auth', 'jwt-auth']);
  });
});
