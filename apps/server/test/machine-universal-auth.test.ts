import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { addClientSecret, hashSecret, MACHINE_TOKEN_TYPE, revokeClientSecret, type ServerConfigInput } from '../src/index.js';
import { startMachineServer, testClock, withoutRequestId, type MachineServer } from './support/machine-server.js';
import { removeDataDir } from './support/test-server.js';

const UNIFORM_401 = { statusCode: 401, message: 'Invalid credentials', error: 'UnauthorizedError' };
/** A restart binds another port: tokens name this issuer instead, so they outlive the port. */
const FIXED_ISSUER = { issuer: 'https://machine-api.test.example' };

const running: MachineServer[] = [];
afterEach(async () => {
  for (const server of running.splice(0)) {
    await server.close();
    await removeDataDir(server.dataDir);
  }
});

async function serve(
  identity: Record<string, unknown> = {},
  options: Parameters<typeof startMachineServer>[1] & { lockout?: Record<string, number>; config?: Partial<ServerConfigInput> } = {},
): Promise<MachineServer> {
  const server = await startMachineServer(
    {
      identities: [{ id: 'ci-runner', access_token_ttl: 600, access_token_max_ttl: 1800, methods: { 'universal-auth': {} }, ...identity }],
      lockout: { failures: 3, address_failures: 100, first_lock_seconds: 60, max_lock_seconds: 600, ...options.lockout },
      ...options.config,
    },
    options,
  );
  running.push(server);
  return server;
}

const login = (server: MachineServer, clientSecret: string, options: { form?: boolean; clientId?: string } = {}) =>
  server.post('universal-auth/login', { clientId: options.clientId ?? 'ci-runner', clientSecret }, options);

describe('universal-auth login (Infisical: POST /api/v1/auth/universal-auth/login)', () => {
  test('a JSON body and a form body both log in; the token is a JWT the issuer JWKS verifies offline, typed apart from OAuth access tokens', async () => {
    const server = await serve();
    const { secret } = await addClientSecret(server.dataDir, 'ci-runner');
    for (const form of [false, true]) {
      const { status, body } = await login(server, secret, { form });
      expect(status).toBe(200);
      expect(body).toEqual({ accessToken: expect.any(String), expiresIn: 600, accessTokenMaxTTL: 1800, tokenType: 'Bearer' });
      const { payload, typ } = await server.verifyOffline(body.accessToken as string);
      expect(typ).toBe(MACHINE_TOKEN_TYPE);
      expect(payload).toMatchObject({ iss: server.issuer, sub: 'ci-runner', auth_method: 'universal-auth', jti: expect.any(String) });
      expect(payload.exp! - payload.iat!).toBe(600);
    }
  });

  test('the client secret is stored only as a scrypt hash with its lookup prefix, in a 0600 file', async () => {
    const server = await serve();
    const { secret, record } = await addClientSecret(server.dataDir, 'ci-runner');
    expect(secret).toMatch(/^[0-9a-f]{64}$/);
    const file = join(server.dataDir, 'identity-secrets.json');
    const text = await readFile(file, 'utf8');
    expect(text).not.toContain(secret);
    expect(record.hash).toMatch(/^\$scrypt\$/);
    expect(record.prefix).toBe(secret.slice(0, 8));
    expect((await stat(file)).mode & 0o777).toBe(0o600);
  });

  test('hashicorp/vault#20923: unknown client id, wrong secret, revoked, expired and used-up secrets all get one uniform 401 body', async () => {
    const clock = testClock();
    const server = await serve({}, { now: clock.now });
    const right = await addClientSecret(server.dataDir, 'ci-runner');
    const revoked = await addClientSecret(server.dataDir, 'ci-runner');
    await revokeClientSecret(server.dataDir, 'ci-runner', revoked.record.id);
    const expiring = await addClientSecret(server.dataDir, 'ci-runner', { ttl: 60, now: Math.floor(clock.now() / 1000) });
    const once = await addClientSecret(server.dataDir, 'ci-runner', { usesLimit: 1 });
    expect((await login(server, once.secret)).status).toBe(200);
    clock.advance(61);

    const failures = [
      await login(server, right.secret, { clientId: 'nobody' }),
      await login(server, `${right.secret.slice(0, 8)}${'0'.repeat(56)}`),
      await login(server, revoked.secret),
      await login(server, expiring.secret),
      await login(server, once.secret, { form: true }),
    ];
    for (const failure of failures) {
      expect(failure.status).toBe(401);
      expect(withoutRequestId(failure.body)).toEqual(UNIFORM_401);
    }
    // Five failures from one address, each under a different lockout key but the last two: the right secret still works.
    expect((await login(server, right.secret)).status).toBe(200);
    expect(server.logs()).toContain('reached its use limit');
    expect(server.logs()).not.toContain(right.secret);
  });

  test('malformed requests are answered 400, 415 and 413 with a string message', async () => {
    const server = await serve();
    const missing = await server.post('universal-auth/login', { clientId: 'ci-runner' });
    expect(missing.status).toBe(400);
    expect(missing.body).toMatchObject({ statusCode: 400, error: 'BadRequestError', message: 'The field "clientSecret" is required and must be a non-empty string' });

    const post = (body: string, type: string) =>
      fetch(`${server.issuer}/api/v1/auth/universal-auth/login`, { method: 'POST', headers: { 'content-type': type }, body });
    const notJson = await post('{"clientId":', 'application/json');
    expect(notJson.status).toBe(400);
    expect(typeof ((await notJson.json()) as { message: unknown }).message).toBe('string');
    const repeated = await post('clientId=a&clientId=b&clientSecret=x', 'application/x-www-form-urlencoded');
    expect(((await repeated.json()) as { message: string }).message).toContain('repeated');
    const text = await post('clientId=a', 'text/plain');
    expect(text.status).toBe(415);
    expect(await text.json()).toMatchObject({ statusCode: 415, message: expect.stringContaining('application/json') });
    const huge = await post(JSON.stringify({ clientId: 'a', clientSecret: 'x'.repeat(100_000) }), 'application/json');
    expect(huge.status).toBe(413);
    expect(await huge.json()).toMatchObject({ statusCode: 413, message: expect.any(String) });

    const unknownMethod = await server.post('no-such-auth/login', { identityId: 'x' });
    expect(unknownMethod.status).toBe(404);
    expect(unknownMethod.body).toMatchObject({ statusCode: 404, error: 'NotFoundError', message: expect.any(String) });
    const get = await fetch(`${server.issuer}/api/v1/auth/universal-auth/login`);
    expect(get.status).toBe(405);
    expect(await get.json()).toMatchObject({ statusCode: 405, message: 'Log in with POST' });
  });

  test('a secret with a use limit of 5 admits exactly 5 of 16 concurrent logins', async () => {
    const server = await serve({}, { lockout: { failures: 100 } });
    const { secret } = await addClientSecret(server.dataDir, 'ci-runner', { usesLimit: 5 });
    const answers = await Promise.all(Array.from({ length: 16 }, (_, i) => login(server, secret, { form: i % 2 === 0 })));
    expect(answers.filter((answer) => answer.status === 200)).toHaveLength(5);
    expect(answers.filter((answer) => answer.status === 401)).toHaveLength(11);
    await server.close();
    running.splice(running.indexOf(server), 1);
    const uses = JSON.parse(await readFile(join(server.dataDir, 'identity-secret-uses.json'), 'utf8')) as { uses: Record<string, number> };
    expect(Object.values(uses.uses)).toEqual([5]);

    // The count survives a restart: the secret stays used up.
    const again = await serve({}, { dataDir: server.dataDir });
    expect((await login(again, secret)).status).toBe(401);
  });

  test('a secret past its TTL is refused; before it, accepted', async () => {
    const clock = testClock();
    const server = await serve({}, { now: clock.now });
    const { secret } = await addClientSecret(server.dataDir, 'ci-runner', { ttl: 300, now: Math.floor(clock.now() / 1000) });
    clock.advance(299);
    expect((await login(server, secret)).status).toBe(200);
    clock.advance(1);
    expect((await login(server, secret)).status).toBe(401);
  });

  test('trusted_ips: a login from outside the ranges is refused with the uniform body; from inside, accepted', async () => {
    const outside = await serve({ methods: { 'universal-auth': { trusted_ips: ['10.0.0.0/8', '2001:db8::/32'] } } });
    const secret = (await addClientSecret(outside.dataDir, 'ci-runner')).secret;
    const refused = await login(outside, secret);
    expect(refused.status).toBe(401);
    expect(withoutRequestId(refused.body)).toEqual(UNIFORM_401);
    expect(outside.logs()).toContain('outside trusted_ips');

    const inside = await serve({ methods: { 'universal-auth': { trusted_ips: ['127.0.0.0/8'] } } });
    expect((await login(inside, (await addClientSecret(inside.dataDir, 'ci-runner')).secret)).status).toBe(200);
  });

  test('lockout: after 3 failures even the right secret gets 429 with Retry-After, whatever the spelling of the client id', async () => {
    const clock = testClock();
    const server = await serve({}, { now: clock.now });
    const { secret } = await addClientSecret(server.dataDir, 'ci-runner');
    for (const clientId of ['ci-runner', 'CI-Runner', ' ci-runner ']) {
      expect((await login(server, 'wrong-secret', { clientId })).status).toBe(401);
    }
    const locked = await login(server, secret, { clientId: 'ＣＩ-runner' });
    expect(locked.status).toBe(429);
    expect(locked.headers.get('retry-after')).toBe('60');
    expect(locked.body).toMatchObject({ statusCode: 429, error: 'RateLimitError', message: 'Too many failed logins; try again in 60 seconds' });
    clock.advance(60);
    expect((await login(server, secret)).status).toBe(200);
  });
});

describe('token renew and revoke (Infisical: POST /api/v1/auth/token/renew, /token/revoke)', () => {
  test('renew issues a new JWT of the same login with a later exp, capped at the max TTL, then refuses', async () => {
    const clock = testClock();
    const server = await serve({}, { now: clock.now });
    const { secret } = await addClientSecret(server.dataDir, 'ci-runner');
    const first = (await login(server, secret)).body.accessToken as string;
    const firstClaims = (await server.verifyOffline(first)).payload;

    clock.advance(500);
    const renewed = await server.post('token/renew', { accessToken: first });
    expect(renewed.status).toBe(200);
    expect(renewed.body).toMatchObject({ expiresIn: 600, accessTokenMaxTTL: 1800, tokenType: 'Bearer' });
    const second = (await server.verifyOffline(renewed.body.accessToken as string)).payload;
    expect(second.sid).toBe(firstClaims.sid);
    expect(second.jti).not.toBe(firstClaims.jti);
    expect(second.exp).toBe(firstClaims.exp! + 500);

    clock.advance(550);
    const third = await server.post('token/renew', { accessToken: renewed.body.accessToken as string }, { form: true });
    expect(third.body.expiresIn).toBe(600);
    clock.advance(550);
    const capped = await server.post('token/renew', { accessToken: third.body.accessToken as string });
    expect(capped.status).toBe(200);
    expect(capped.body.expiresIn).toBe(1800 - 1600);
    expect((await server.verifyOffline(capped.body.accessToken as string)).payload.exp).toBe((firstClaims.auth_time as number) + 1800);

    // At the max TTL the last token has expired with its login: nothing renews it.
    clock.advance(200);
    const past = await server.post('token/renew', { accessToken: capped.body.accessToken as string });
    expect(past.status).toBe(401);
    expect(withoutRequestId(past.body)).toEqual(UNIFORM_401);
  });

  test('renew refuses a login older than the max TTL the config sets now (Infisical: "due to Max TTL expiration")', async () => {
    const clock = testClock();
    const server = await serve({}, { now: clock.now, config: FIXED_ISSUER });
    const { secret } = await addClientSecret(server.dataDir, 'ci-runner');
    const token = (await login(server, secret)).body.accessToken as string;
    await server.close();
    running.splice(running.indexOf(server), 1);

    const shorter = await serve({ access_token_ttl: 60, access_token_max_ttl: 300 }, { now: clock.now, dataDir: server.dataDir, config: FIXED_ISSUER });
    clock.advance(300);
    const refused = await shorter.post('token/renew', { accessToken: token });
    expect(refused.status).toBe(401);
    expect(refused.body).toMatchObject({ statusCode: 401, message: 'Failed to renew MI access token due to Max TTL expiration', error: 'UnauthorizedError' });
  });

  test('renew refuses an expired token, a token of another issuer and an OAuth access token', async () => {
    const clock = testClock();
    const config: Partial<ServerConfigInput> = {
      clients: [{ client_id: 'svc', secret_hash: await hashSecret('svc-secret-0123456789'), grants: ['client_credentials'] }],
      resources: [{ identifier: 'urn:api', default: true }],
    };
    const server = await serve({}, { now: clock.now, config });
    const { secret } = await addClientSecret(server.dataDir, 'ci-runner');
    const token = (await login(server, secret)).body.accessToken as string;
    const other = await serve();
    const foreign = (await login(other, (await addClientSecret(other.dataDir, 'ci-runner')).secret)).body.accessToken as string;
    const oauth = await fetch(`${server.issuer}/token`, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from('svc:svc-secret-0123456789').toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials',
    });
    const oauthToken = ((await oauth.json()) as { access_token: string }).access_token;
    expect(oauthToken.split('.')).toHaveLength(3);
    for (const accessToken of [foreign, oauthToken, 'not-a-jwt']) {
      const answer = await server.post('token/renew', { accessToken });
      expect(answer.status).toBe(401);
      expect(withoutRequestId(answer.body)).toEqual(UNIFORM_401);
    }
    clock.advance(600);
    expect((await server.post('token/renew', { accessToken: token })).status).toBe(401);
  });

  test('revoke refuses the token and every renewal of its login, also after a restart', async () => {
    const server = await serve({}, { config: FIXED_ISSUER });
    const { secret } = await addClientSecret(server.dataDir, 'ci-runner');
    const token = (await login(server, secret)).body.accessToken as string;
    const renewed = (await server.post('token/renew', { accessToken: token })).body.accessToken as string;
    const revoked = await server.post('token/revoke', { accessToken: token }, { form: true });
    expect(revoked).toMatchObject({ status: 200, body: { message: 'Successfully revoked access token' } });
    expect((await server.post('token/renew', { accessToken: renewed })).status).toBe(401);
    // Another login is another session, unaffected.
    const fresh = (await login(server, secret)).body.accessToken as string;
    expect((await server.post('token/renew', { accessToken: fresh })).status).toBe(200);

    await server.close();
    running.splice(running.indexOf(server), 1);
    const restarted = await serve({}, { dataDir: server.dataDir, config: FIXED_ISSUER });
    expect((await restarted.post('token/renew', { accessToken: fresh })).status).toBe(200);
    expect((await restarted.post('token/renew', { accessToken: renewed })).status).toBe(401);
  });

  test('a secret made or revoked while the server runs applies without a restart', async () => {
    const server = await serve();
    const { secret, record } = await addClientSecret(server.dataDir, 'ci-runner');
    expect((await login(server, secret)).status).toBe(200);
    await revokeClientSecret(server.dataDir, 'ci-runner', record.id);
    expect((await login(server, secret)).status).toBe(401);
  });
});
