import { AuthError, defineProvider, type Principal } from '@auth/core';
import { startTestIdP, type TestIdP } from '@auth/testkit';
import { decodeJwt } from 'jose';
import { z } from 'zod';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { startMachineServer, testClock, withoutRequestId, type MachineServer } from './support/machine-server.js';
import { removeDataDir } from './support/test-server.js';

const UNIFORM_401 = { statusCode: 401, message: 'Invalid credentials', error: 'UnauthorizedError' };

let idp: TestIdP;
beforeAll(async () => {
  idp = await startTestIdP();
});
afterAll(() => idp.close());

const running: MachineServer[] = [];
afterEach(async () => {
  for (const server of running.splice(0)) {
    await server.close();
    await removeDataDir(server.dataDir);
  }
});

/** A real ID token of the test IdP: iss = the IdP, aud = "svc", sub = "alice". */
async function idToken(): Promise<string> {
  const response = await fetch(`${idp.issuer}/token`, {
    method: 'POST',
    headers: { authorization: `Basic ${Buffer.from('svc:svc-secret').toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'password', username: 'alice', password: 'alice-password', scope: 'openid' }),
  });
  return ((await response.json()) as { id_token: string }).id_token;
}

async function serve(binding: Record<string, unknown> = {}, options: Parameters<typeof startMachineServer>[1] = {}): Promise<MachineServer> {
  const server = await startMachineServer(
    {
      identities: [
        {
          id: 'ci-runner',
          methods: {
            'oidc-auth': { oidc_discovery_url: idp.issuer, bound_issuer: idp.issuer, bound_audiences: ['svc'], bound_subject: 'alice', ...binding },
            'jwt-auth': { jwks_url: `${idp.issuer}/jwks`, bound_issuer: idp.issuer, bound_audiences: 'svc' },
          },
        },
        { id: 'other', methods: { 'universal-auth': {} } },
      ],
      lockout: { failures: 3, address_failures: 100, first_lock_seconds: 60, max_lock_seconds: 600 },
    },
    options,
  );
  running.push(server);
  return server;
}

describe('oidc-auth and jwt-auth logins, verified by @auth/provider-oidc found among the server dependencies', () => {
  test('a real ID token logs in through oidc-auth and jwt-auth, as JSON and as a form', async () => {
    const server = await serve();
    const jwt = await idToken();
    for (const method of ['oidc-auth', 'jwt-auth']) {
      for (const form of [false, true]) {
        const { status, body } = await server.post(`${method}/login`, { identityId: 'ci-runner', jwt }, { form });
        expect(status).toBe(200);
        expect(body).toMatchObject({ expiresIn: 3600, accessTokenMaxTTL: 86_400, tokenType: 'Bearer' });
        expect((await server.verifyOffline(body.accessToken as string)).payload).toMatchObject({ sub: 'ci-runner', auth_method: method });
      }
    }
    expect(server.logs()).toContain('"principal":"oidc:alice"');
  });

  test('wrong audience, wrong subject, an identity not bound to the method and an unknown identity all get the uniform 401', async () => {
    const jwt = await idToken();
    const wrongAudience = await serve({ bound_audiences: ['not-svc'] });
    const wrongSubject = await serve({ bound_subject: 'bob' });
    const answers = [
      await wrongAudience.post('oidc-auth/login', { identityId: 'ci-runner', jwt }),
      await wrongSubject.post('oidc-auth/login', { identityId: 'ci-runner', jwt }),
      await wrongSubject.post('oidc-auth/login', { identityId: 'other', jwt }),
      await wrongSubject.post('oidc-auth/login', { identityId: 'nobody', jwt }),
      await wrongSubject.post('oidc-auth/login', { identityId: 'ci-runner', jwt: 'not.a.jwt' }),
    ];
    for (const answer of answers) {
      expect(answer.status).toBe(401);
      expect(withoutRequestId(answer.body)).toEqual(UNIFORM_401);
    }
    expect(wrongAudience.logs()).toContain('bound_audiences');
  });

  test('CVE-2024-5798 through the API: a token with an aud is refused when the identity binds no audience', async () => {
    const server = await serve({ bound_audiences: undefined });
    const answer = await server.post('oidc-auth/login', { identityId: 'ci-runner', jwt: await idToken() });
    expect(answer.status).toBe(401);
    expect(server.logs()).toContain('no audiences bound');
  });

  test('an expired token is refused (the server clock is past exp)', async () => {
    const jwt = await idToken();
    const clock = testClock((decodeJwt(jwt).exp! + 120) * 1000);
    const server = await serve({}, { now: clock.now });
    const answer = await server.post('oidc-auth/login', { identityId: 'ci-runner', jwt });
    expect(answer.status).toBe(401);
    expect(withoutRequestId(answer.body)).toEqual(UNIFORM_401);
  });

  test('an IdP unreachable before its keys were ever fetched is 503 with a message, not a refusal', async () => {
    // An IdP of its own: keys fetched by earlier tests stay cached, as they should.
    const down = await startTestIdP();
    const server = await serve({ oidc_discovery_url: down.issuer, bound_issuer: down.issuer });
    await down.close();
    const answer = await server.post('oidc-auth/login', { identityId: 'ci-runner', jwt: await idToken() });
    expect(answer.status).toBe(503);
    expect(answer.body).toMatchObject({ statusCode: 503, error: 'ServiceUnavailableError', message: expect.any(String) });
  });

  test('a request without jwt is 400 with a string message', async () => {
    const server = await serve();
    const answer = await server.post('oidc-auth/login', { identityId: 'ci-runner' });
    expect(answer.status).toBe(400);
    expect(answer.body).toMatchObject({ statusCode: 400, error: 'BadRequestError', message: expect.stringContaining('jwt') });
  });

  test('CVE-2025-6004: the lockout is keyed on the normalised identity id, so respelling it does not reset the count', async () => {
    const server = await serve();
    for (const identityId of ['ci-runner', 'CI-RUNNER', ' Ci-Runner']) {
      expect((await server.post('oidc-auth/login', { identityId, jwt: 'forged' })).status).toBe(401);
    }
    const locked = await server.post('oidc-auth/login', { identityId: 'ｃｉ-runner', jwt: await idToken() });
    expect(locked.status).toBe(429);
    expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(0);
  });
});

describe('dispatch to providers and binding validation', () => {
  test('a login method is served by whichever provider verifies it: the server names none', async () => {
    const calls: unknown[] = [];
    const example = defineProvider({
      specificationVersion: 'v1',
      id: 'example',
      name: 'Example platform',
      options: z.object({}),
      verify: {
        specificationVersion: 'v1',
        loginMethods: ['example-auth'],
        bindingSchema: () => z.strictObject({ allowed: z.string() }),
        async verify(request): Promise<Principal> {
          calls.push(request.binding);
          if (request.body['proof'] !== (request.binding as { allowed: string }).allowed) throw new AuthError('ACCESS_DENIED', 'proof does not match');
          return { subject: 'workload-1', issuer: 'example', provider: 'example', claims: {}, permissions: [] };
        },
      },
    });
    const server = await startMachineServer(
      { identities: [{ id: 'w1', methods: { 'example-auth': { allowed: 'yes' } } }] },
      { machineProviders: [example] },
    );
    running.push(server);
    expect((await server.post('example-auth/login', { identityId: 'w1', proof: 'yes' })).status).toBe(200);
    expect((await server.post('example-auth/login', { identityId: 'w1', proof: 'no' })).status).toBe(401);
    expect(calls).toEqual([{ allowed: 'yes' }, { allowed: 'yes' }]);
    expect((await server.post('oidc-auth/login', { identityId: 'w1', jwt: 'x' })).status).toBe(404);
  });

  test('a binding the provider schema refuses stops startup with an error naming the key', async () => {
    const start = startMachineServer({ identities: [{ id: 'ci', methods: { 'jwt-auth': { bound_issuer: 'https://ci.example' } } }] });
    await expect(start).rejects.toMatchObject({ code: 'CONFIG_INVALID', details: { key: 'identities[0].methods.jwt-auth.jwks_url' } });
  });

  test('a method no installed provider verifies stops startup with an error naming the key and the methods available', async () => {
    const start = startMachineServer({ identities: [{ id: 'ci', methods: { 'nope-auth': {} } }] });
    await expect(start).rejects.toMatchObject({ code: 'CONFIG_INVALID', details: { key: 'identities[0].methods.nope-auth' } });
    await expect(start).rejects.toThrow(/aws-auth, azure-auth, gcp-auth, jwt-auth, kubernetes-auth, oidc-auth, universal-auth/);
  });
});
