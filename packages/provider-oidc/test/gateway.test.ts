import { createHmac, createPublicKey } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { boundedFetch, parseToml, type GatewayAllow, type GatewayDeny, type GatewayRequest } from '@auth/core';
import {
  createTestCertificate,
  startAuth0Double,
  startEntraDouble,
  startKeycloakDeviceDouble,
  startTestIdP,
  type Auth0Double,
  type EntraDouble,
  type KeycloakDeviceDouble,
  type TestIdP,
} from '@auth/testkit';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearerGatewayConfig, oidc } from '../src/index.js';

const DEVICE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';
const WHERE = '/etc/auth-server.toml gateway.routes[0].auth';
const person = { firstName: 'Marty', lastName: 'McFly', email: 'mcfly@influxdata.com' };

interface Clock {
  now: number;
}

async function gateway(config: Record<string, unknown>, clock: Clock = { now: Date.now() }) {
  const logs: Array<{ event: string; fields: Readonly<Record<string, unknown>> }> = [];
  const authenticator = await oidc.gateway!.createAuthenticator(bearerGatewayConfig.parse(config), {
    where: WHERE,
    io: { fetch: boundedFetch(fetch, { timeoutMs: 5000 }), timeoutMs: 5000 },
    now: () => clock.now,
    env: {},
    log: (event, fields) => logs.push({ event, fields }),
  });
  const send = (authorization?: string) => authenticator.authenticate(request(authorization));
  return { authenticator, send, logs, clock };
}

function request(authorization?: string): GatewayRequest {
  return {
    method: 'GET',
    path: '/api/v0/databases',
    query: new URLSearchParams(),
    headers: authorization === undefined ? {} : { authorization },
    signal: AbortSignal.timeout(5000),
  };
}

function allowed(decision: Awaited<ReturnType<Awaited<ReturnType<typeof gateway>>['send']>>): GatewayAllow {
  expect(decision, decision.allow ? '' : (decision as GatewayDeny).reason).toMatchObject({ allow: true });
  return decision as GatewayAllow;
}

function denied(decision: Awaited<ReturnType<Awaited<ReturnType<typeof gateway>>['send']>>, status: number): GatewayDeny & { json: { code: string; message: string } } {
  expect(decision.allow).toBe(false);
  const deny = decision as GatewayDeny;
  expect(deny.status, deny.reason).toBe(status);
  expect(deny.headers['content-type']).toBe('application/json; charset=utf-8');
  return { ...deny, json: JSON.parse(deny.body) as { code: string; message: string } };
}

async function form(url: string, body: Record<string, string>, basic?: { id: string; secret: string }): Promise<Record<string, string>> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...(basic ? { authorization: `Basic ${Buffer.from(`${basic.id}:${basic.secret}`).toString('base64')}` } : {}) },
    body: new URLSearchParams(body),
  });
  const json = (await response.json()) as Record<string, string>;
  expect(response.status, JSON.stringify(json)).toBe(200);
  return json;
}

/** RFC 8628: the device authorization, the person's approval, then one token request. */
async function deviceToken(deviceUrl: string, tokenUrl: string, approve: (userCode: string) => void, body: Record<string, string>, basic?: { id: string; secret: string }) {
  const { device_code, user_code } = await form(deviceUrl, body, basic);
  approve(user_code!);
  return (await form(tokenUrl, { grant_type: DEVICE_GRANT, device_code: device_code!, ...(basic ? {} : { client_id: body.client_id! }) }, basic)).access_token!;
}

describe('gateway capability: Keycloak (contract double)', () => {
  let kc: KeycloakDeviceDouble;
  const userToken = () => deviceToken(kc.endpoints.device, kc.endpoints.token, kc.approveDevice, { scope: 'openid' }, kc.clients.device);
  const serviceAccountToken = async () => (await form(kc.endpoints.token, { grant_type: 'client_credentials' }, kc.clients.device)).access_token!;
  const config = (overrides: Record<string, unknown> = {}) => ({ identityProvider: 'keycloak', jwksEndpoint: kc.endpoints.certs, users: [{ id: kc.user.id, ...person }], ...overrides });
  beforeAll(async () => {
    kc = await startKeycloakDeviceDouble();
  });
  afterAll(() => kc.close());

  it('a listed user passes: the Principal names the user id and issuer, its claims carry no token, and Authorization is not forwarded', async () => {
    const { send } = await gateway(config());
    const token = await userToken();
    const decision = allowed(await send(`Bearer ${token}`));
    expect(decision.principal).toMatchObject({ subject: kc.user.id, issuer: `${kc.url}/realms/${kc.realm}`, provider: 'oidc', permissions: ['admin'] });
    expect(JSON.stringify(decision.principal)).not.toContain(token.split('.')[2]);
    expect(decision.upstreamHeaders).toEqual({ authorization: null });
  });

  it('forwardAuthorization = true leaves the client\'s Authorization for the upstream', async () => {
    const { send } = await gateway(config({ forwardAuthorization: true }));
    expect(allowed(await send(`Bearer ${await userToken()}`)).upstreamHeaders).toBeUndefined();
  });

  it('a valid token of a user not listed is 403, without a challenge', async () => {
    const { send } = await gateway(config());
    const deny = denied(await send(`Bearer ${await serviceAccountToken()}`), 403);
    expect(deny.headers['www-authenticate']).toBeUndefined();
    expect(deny.json.code).toBe('permission_denied');
    expect(deny.reason).toContain(kc.serviceAccount.id);
  });

  it('RFC 6750 §3.1: no token (or another scheme) is 401 with a bare Bearer challenge, no error code', async () => {
    const { send } = await gateway(config({ realm: 'influxdb' }));
    for (const authorization of [undefined, 'Basic YWRtaW46YWRtaW4=']) {
      const deny = denied(await send(authorization), 401);
      expect(deny.headers['www-authenticate']).toBe('Bearer realm="influxdb"');
      expect(deny.json.code).toBe('unauthenticated');
    }
  });

  it('RFC 6750 §3.1: a malformed, expired or badly signed token is 401 error="invalid_token"', async () => {
    const clock = { now: Date.now() };
    const { send } = await gateway(config(), clock);
    const token = await userToken();
    const [header, payload, signature] = token.split('.');
    const tampered = `${header}.${Buffer.from(JSON.stringify({ ...decodeJwt(token), sub: kc.user.id, exp: 9_999_999_999 })).toString('base64url')}.${signature}`;
    expect(payload).not.toBe(tampered.split('.')[1]);
    for (const authorization of ['Bearer', 'Bearer not.a-jwt', `Bearer ${header}.${payload}`, `Bearer ${tampered}`]) {
      const deny = denied(await send(authorization), 401);
      expect(deny.headers['www-authenticate'], authorization).toBe('Bearer realm="auth-server", error="invalid_token"');
    }
    allowed(await send(`Bearer ${token}`));
    clock.now = (decodeJwt(token).exp! + 61) * 1000;
    expect(denied(await send(`Bearer ${token}`), 401).reason).toContain('expired');
  });

  it('alg confusion: HS256 keyed with the IdP\'s RSA public key, and alg "none", are refused', async () => {
    const { send } = await gateway(config());
    const token = await userToken();
    const { kid } = decodeProtectedHeader(token);
    const jwks = (await (await fetch(kc.endpoints.certs)).json()) as { keys: Array<{ kid: string }> };
    const pem = createPublicKey({ key: jwks.keys.find((key) => key.kid === kid)!, format: 'jwk' }).export({ format: 'pem', type: 'spki' });
    const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const input = `${b64({ alg: 'HS256', typ: 'JWT', kid })}.${token.split('.')[1]}`;
    const hs256 = `${input}.${createHmac('sha256', pem).update(input).digest('base64url')}`;
    expect(denied(await send(`Bearer ${hs256}`), 401).reason).toContain('"HS256" is not accepted');
    const none = `${b64({ alg: 'none', kid })}.${token.split('.')[1]}.`;
    expect(denied(await send(`Bearer ${none}`), 401).headers['www-authenticate']).toContain('invalid_token');
  });

  it('a rotated key (new kid) is picked up: one refetch, and tokens of both keys pass', async () => {
    const clock = { now: Date.now() };
    const { send, authenticator } = await gateway(config(), clock);
    const before = await userToken();
    allowed(await send(`Bearer ${before}`));
    await kc.rotateSigningKey();
    const after = await userToken();
    expect(decodeProtectedHeader(after).kid).not.toBe(decodeProtectedHeader(before).kid);
    clock.now += 31_000;
    allowed(await send(`Bearer ${after}`));
    allowed(await send(`Bearer ${before}`));
    expect(authenticator.metrics!()).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'jwks_fetches_total', value: 2 })]));
  });

  it('issuer and audience, when configured, must match: a wrong one is 401 invalid_token', async () => {
    const token = await userToken();
    const iss = `${kc.url}/realms/${kc.realm}`;
    allowed(await (await gateway(config({ issuer: iss, audience: 'account' }))).send(`Bearer ${token}`));
    expect(denied(await (await gateway(config({ issuer: `${iss}-other` }))).send(`Bearer ${token}`), 401).reason).toContain('iss');
    expect(denied(await (await gateway(config({ audience: ['influxdb'] }))).send(`Bearer ${token}`), 401).reason).toContain('aud');
  });

  it('metrics(): requests by result, verifications, verification-cache hits, JWKS fetches and failures', async () => {
    const { send, authenticator } = await gateway(config());
    const token = await userToken();
    allowed(await send(`Bearer ${token}`));
    allowed(await send(`Bearer ${token}`));
    denied(await send(), 401);
    const samples = Object.fromEntries(authenticator.metrics!().map((metric) => [`${metric.name}${metric.labels ? `{${metric.labels.result}}` : ''}`, metric.value]));
    expect(samples).toEqual({
      'bearer_requests_total{allowed}': 2,
      'bearer_requests_total{no_token}': 1,
      jwt_verifications_total: 2,
      jwt_verification_cache_hits_total: 1,
      jwks_fetches_total: 1,
      jwks_fetch_failures_total: 0,
    });
  });
});

describe('gateway capability: Microsoft Entra ID (contract double), identityProvider = "azure"', () => {
  let entra: EntraDouble;
  const jwksEndpoint = () => `${entra.authorityHost}${entra.tenantId}/discovery/v2.0/keys`;
  const userToken = () => {
    const base = `${entra.authorityHost}${entra.tenantId}/oauth2/v2.0`;
    return deviceToken(`${base}/devicecode`, `${base}/token`, entra.approveDevice, { client_id: entra.clients.public, scope: 'api://influxdb/.default' });
  };
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'gateway-entra-'));
    entra = await startEntraDouble({ certificate: (await createTestCertificate(dir)).certificate });
  });
  afterAll(async () => {
    await entra.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('the user listed by object id (oid, in any case) passes; the pairwise sub is not the id', async () => {
    const token = await userToken();
    expect(decodeJwt(token).sub).not.toBe(entra.user.oid);
    const users = [{ id: entra.user.oid.toUpperCase(), ...person }];
    const decision = allowed(await (await gateway({ identityProvider: 'azure', jwksEndpoint: jwksEndpoint(), users, audience: 'api://influxdb' })).send(`Bearer ${token}`));
    expect(decision.principal.subject).toBe(entra.user.oid.toUpperCase());
    // Any other provider name matches sub, which Entra makes pairwise: the same user is then not listed.
    denied(await (await gateway({ identityProvider: 'keycloak', jwksEndpoint: jwksEndpoint(), users })).send(`Bearer ${token}`), 403);
  });

  it('"for Azure Active Directory it must be exactly \'azure\'": near misses are a configuration error naming the key', () => {
    for (const identityProvider of ['Azure', 'AzureAD', 'entra']) {
      const parsed = bearerGatewayConfig.safeParse({ identityProvider, jwksEndpoint: jwksEndpoint(), users: [{ id: entra.user.oid, ...person }] });
      expect(parsed.success).toBe(false);
      expect(parsed.error!.issues[0]).toMatchObject({ path: ['identityProvider'], message: expect.stringContaining('exactly "azure"') });
    }
  });
});

describe('gateway capability: Auth0 (contract double)', () => {
  let auth0: Auth0Double;
  const userToken = () =>
    deviceToken(`${auth0.url}/oauth/device/code`, `${auth0.url}/oauth/token`, auth0.approveDevice, { client_id: auth0.clients.native, scope: 'openid', audience: auth0.audience });
  beforeAll(async () => {
    auth0 = await startAuth0Double();
  });
  afterAll(() => auth0.close());

  it('jwksEndpoint given as the OpenID configuration (Auth0\'s documented example) is followed to its jwks_uri', async () => {
    const { send } = await gateway({
      identityProvider: 'auth0',
      jwksEndpoint: `${auth0.url}/.well-known/openid-configuration`,
      users: [{ id: auth0.user.sub, ...person }],
      issuer: auth0.issuer,
      audience: auth0.audience,
    });
    expect(allowed(await send(`Bearer ${await userToken()}`)).principal).toMatchObject({ subject: auth0.user.sub, issuer: auth0.issuer });
    const machine = (await form(`${auth0.url}/oauth/token`, { grant_type: 'client_credentials', audience: auth0.audience }, auth0.clients.machine)).access_token!;
    denied(await send(`Bearer ${machine}`), 403);
  });
});

describe('gateway capability: the testkit IdP (oidc-provider) and its outages', () => {
  let idp: TestIdP;
  beforeAll(async () => {
    idp = await startTestIdP();
  });
  afterAll(() => idp.close());

  /** A real ID token (password grant, client svc): sub alice, aud svc. */
  const idToken = async () =>
    (await form(`${idp.issuer}/token`, { grant_type: 'password', username: 'alice', password: 'alice-password', scope: 'openid' }, { id: 'svc', secret: 'svc-secret' })).id_token!;

  it('during an outage the last good keys serve up to maxStaleSeconds past their 10 minutes, then 503; the IdP back, requests pass again', async () => {
    const clock = { now: Date.now() };
    const { send, logs, authenticator } = await gateway(
      { identityProvider: 'oidc', jwksEndpoint: `${idp.issuer}/.well-known/openid-configuration`, users: [{ id: 'alice', ...person }], issuer: idp.issuer, audience: 'svc', maxStaleSeconds: 300, verificationCacheSize: 0 },
      clock,
    );
    const token = await idToken();
    allowed(await send(`Bearer ${token}`));
    await idp.setOutage('503');
    try {
      clock.now += 11 * 60_000;
      allowed(await send(`Bearer ${token}`));
      clock.now += 4 * 60_000 - 1;
      allowed(await send(`Bearer ${token}`));
      clock.now += 1;
      const deny = denied(await send(`Bearer ${token}`), 503);
      expect(deny.json.code).toBe('unavailable');
      expect(deny.headers['www-authenticate']).toBeUndefined();
      expect(logs.map((entry) => entry.event)).toContain('gateway.jwks_unavailable');
    } finally {
      await idp.setOutage('none');
    }
    clock.now += 30_000;
    allowed(await send(`Bearer ${token}`));
    expect(authenticator.metrics!().find((metric) => metric.name === 'jwks_fetch_failures_total')!.value).toBeGreaterThanOrEqual(1);
  });

  it('an IdP that cannot be reached at all is 503, not a refusal of the token', async () => {
    const { send } = await gateway({ identityProvider: 'oidc', jwksEndpoint: 'http://127.0.0.1:9/jwks', users: [{ id: 'alice', ...person }] });
    const deny = denied(await send(`Bearer ${await idToken()}`), 503);
    expect(deny.reason).toContain('127.0.0.1:9');
  });

  it('the route table is checked at startup: plain http off loopback, no users, unknown keys', () => {
    const base = { identityProvider: 'keycloak', users: [{ id: 'x', ...person }] };
    const failures = [
      { ...base, jwksEndpoint: 'http://kc.example.com/certs' },
      { ...base, jwksEndpoint: 'https://kc.example.com/certs', users: [] },
      { ...base, jwksEndpoint: 'https://kc.example.com/certs', jwks: 'typo' },
      { ...base, jwksEndpoint: 'https://kc.example.com/certs', users: [{ id: 'x' }] },
    ];
    for (const config of failures) expect(bearerGatewayConfig.safeParse(config).success, JSON.stringify(config)).toBe(false);
    expect(bearerGatewayConfig.parse({ ...base, jwksEndpoint: ' https://kc.example.com/certs\n' }).jwksEndpoint).toBe('https://kc.example.com/certs');
  });
});

describe('gateway capability: the README', () => {
  it('the README\'s route table is a valid configuration', async () => {
    const readme = await readFile(new URL('../README.md', import.meta.url), 'utf8');
    const block = /```toml\n(\[\[gateway\.routes\]\][\s\S]*?)```/.exec(readme)![1]!;
    const routes = (parseToml(block, 'README.md') as { gateway: { routes: Array<{ provider: string; auth: unknown }> } }).gateway.routes;
    expect(routes[0]!.provider).toBe('oidc');
    expect(bearerGatewayConfig.parse(routes[0]!.auth)).toMatchObject({ identityProvider: 'keycloak', audience: ['influxdb'], forwardAuthorization: false });
  });
});
