import { generateKeyPairSync, createSign } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { bearer, BASE_CONFIG, expectAllowed, expectKapacitorError, harness, T0 } from './support/harness.js';
import { jwt, segment } from './support/jwt.js';

/**
 * Shared-secret JWTs, with the 401 bodies golang-jwt/jwt v4.5.2 gives Kapacitor
 * (`invalid token: <library error>`), then Kapacitor's own claim checks.
 */
const SECRET = 'kapacitor-shared-secret';
const NOW = T0 / 1000;
const HS256 = { alg: 'HS256', typ: 'JWT' };

async function withAlice() {
  const h = await harness();
  h.directory.addUser('alice', 'alice-pw', { '': ['KapacitorAPI'] });
  return h;
}

async function tokenOutcome(token: string) {
  const h = await withAlice();
  return h.send({ path: '/kapacitor/v1/tasks', headers: bearer(token) });
}

describe('Bearer shared-secret JWTs (golang-jwt v4.5.2 bodies)', () => {
  it.each([
    ['HS256', 'sha256'],
    ['HS384', 'sha384'],
    ['HS512', 'sha512'],
  ])('%s with [http] shared-secret is accepted and loads the user without a password', async (alg, hash) => {
    const h = await withAlice();
    const decision = await h.send({ path: '/kapacitor/v1/tasks', headers: bearer(jwt({ alg }, { username: 'alice', exp: NOW + 60 }, SECRET, hash)) });
    expectAllowed(decision, 'alice');
    expect(h.directory.checkCalls).toEqual([]);
  });

  it('exp in the past: Token is expired', async () => {
    expectKapacitorError(await tokenOutcome(jwt(HS256, { username: 'alice', exp: NOW - 1 }, SECRET)), 401, 'invalid token: Token is expired');
  });

  it('exp equal to now is expired: no leeway', async () => {
    expectKapacitorError(await tokenOutcome(jwt(HS256, { username: 'alice', exp: NOW }, SECRET)), 401, 'invalid token: Token is expired');
  });

  it('a string exp: Token is expired (MapClaims accepts numbers only)', async () => {
    expectKapacitorError(await tokenOutcome(jwt(HS256, { username: 'alice', exp: String(NOW + 60) }, SECRET)), 401, 'invalid token: Token is expired');
  });

  it('a negative exp is in the past: Token is expired (the library answers before Kapacitor)', async () => {
    expectKapacitorError(await tokenOutcome(jwt(HS256, { username: 'alice', exp: -5 }, SECRET)), 401, 'invalid token: Token is expired');
  });

  it('iat in the future: Token used before issued', async () => {
    expectKapacitorError(await tokenOutcome(jwt(HS256, { username: 'alice', exp: NOW + 60, iat: NOW + 1 }, SECRET)), 401, 'invalid token: Token used before issued');
  });

  it('nbf in the future: Token is not valid yet', async () => {
    expectKapacitorError(await tokenOutcome(jwt(HS256, { username: 'alice', exp: NOW + 60, nbf: NOW + 1 }, SECRET)), 401, 'invalid token: Token is not valid yet');
  });

  it('iat and nbf equal to now are valid', async () => {
    expectAllowed(await tokenOutcome(jwt(HS256, { username: 'alice', exp: NOW + 60, iat: NOW, nbf: NOW }, SECRET)), 'alice');
  });

  it('the last failing time claim names the error (exp, then iat, then nbf)', async () => {
    expectKapacitorError(await tokenOutcome(jwt(HS256, { username: 'alice', exp: NOW - 1, nbf: NOW + 1 }, SECRET)), 401, 'invalid token: Token is not valid yet');
  });

  it('a wrong secret: signature is invalid, checked before the claims', async () => {
    expectKapacitorError(await tokenOutcome(jwt(HS256, { username: 'alice', exp: NOW - 100 }, 'other-secret')), 401, 'invalid token: signature is invalid');
  });

  it('RS256: unexpected signing method: RS256', async () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const input = `${segment({ alg: 'RS256' })}.${segment({ username: 'alice', exp: NOW + 60 })}`;
    const signature = createSign('RSA-SHA256').update(input).sign(privateKey).toString('base64url');
    expectKapacitorError(await tokenOutcome(`${input}.${signature}`), 401, 'invalid token: unexpected signing method: RS256');
  });

  it('alg none: unexpected signing method: none', async () => {
    const token = `${segment({ alg: 'none' })}.${segment({ username: 'alice', exp: NOW + 60 })}.`;
    expectKapacitorError(await tokenOutcome(token), 401, 'invalid token: unexpected signing method: none');
  });

  it('HS/RS confusion: an HS256 token keyed with an RSA public key PEM fails', async () => {
    const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const pem = publicKey.export({ type: 'spki', format: 'pem' });
    expectKapacitorError(await tokenOutcome(jwt(HS256, { username: 'alice', exp: NOW + 60 }, pem)), 401, 'invalid token: signature is invalid');
  });

  it.each(['abc', 'a.b', 'a.b.c.d', ''])('%j: token contains an invalid number of segments', async (token) => {
    expectKapacitorError(await tokenOutcome(token), 401, 'invalid token: token contains an invalid number of segments');
  });

  it('a header segment that is not base64url: Go base64 error naming the byte', async () => {
    expectKapacitorError(await tokenOutcome('ab*c.e30.x'), 401, 'invalid token: illegal base64 data at input byte 2');
  });

  it('an unknown alg: signing method (alg) is unavailable.', async () => {
    expectKapacitorError(await tokenOutcome(jwt({ alg: 'XX999' }, { username: 'alice', exp: NOW + 60 }, SECRET)), 401, 'invalid token: signing method (alg) is unavailable.');
  });

  it.each([{}, { exp: 0 }])('exp missing or 0 (%j): token expiration required', async (exp) => {
    expectKapacitorError(await tokenOutcome(jwt(HS256, { username: 'alice', ...exp }, SECRET)), 401, 'token expiration required');
  });

  it.each([{}, { username: 42 }])('username missing or not a string (%j): username in token must be a string', async (username) => {
    expectKapacitorError(await tokenOutcome(jwt(HS256, { exp: NOW + 60, ...username }, SECRET)), 401, 'username in token must be a string');
  });

  it('an empty username: token must contain a username', async () => {
    expectKapacitorError(await tokenOutcome(jwt(HS256, { username: '', exp: NOW + 60 }, SECRET)), 401, 'token must contain a username');
  });

  it('a user the directory does not have: the lookup error', async () => {
    expectKapacitorError(
      await tokenOutcome(jwt(HS256, { username: 'ghost', exp: NOW + 60 }, SECRET)),
      401,
      'retrieving user "ghost" from InfluxDB Enterprise meta: user not found',
    );
  });

  it('expiry follows the injected clock', async () => {
    const h = await withAlice();
    const token = jwt(HS256, { username: 'alice', exp: NOW + 60 }, SECRET);
    expectAllowed(await h.send({ path: '/kapacitor/v1/tasks', headers: bearer(token) }), 'alice');
    h.clock.now += 60_000;
    expectKapacitorError(await h.send({ path: '/kapacitor/v1/tasks', headers: bearer(token) }), 401, 'invalid token: Token is expired');
  });

  it('no shared secret: every bearer token is refused, even one signed with the empty key', async () => {
    const h = await harness({ config: { ...BASE_CONFIG, http: { 'auth-enabled': true } } });
    h.directory.addUser('alice', 'alice-pw', { '': ['KapacitorAPI'] });
    const decision = await h.send({ path: '/kapacitor/v1/tasks', headers: bearer(jwt(HS256, { username: 'alice', exp: NOW + 60 }, '')) });
    expectKapacitorError(decision, 401, 'invalid token: bearer tokens are not accepted: no [http] shared-secret is configured');
  });
});
